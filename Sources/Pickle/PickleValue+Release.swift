// Releasing deeply nested values without recursion.
//
// Swift releases a container's elements when the container is freed, and an element that is itself
// a container frees its own elements, and so on: a list nested a hundred thousand levels deep
// overflows the thread's stack when the outermost reference goes away. The containers' deinits call
// `PickleValue.dismantle` instead, which frees nested containers one at a time from a worklist,
// taking the elements out of each container it is the last owner of before that container is freed.

extension PickleValue {
    /// Frees `values` and everything only they hold, iteratively.
    static func dismantle(_ values: inout [PickleValue]) {
        guard values.contains(where: \.mayHoldContainers) else { return }
        var pending = values
        values = []
        // Each class reference is taken out of its enum before the enum is dropped, in separate
        // statements, so that no temporary copy (as a `switch` keeps in unoptimized builds) hides
        // that the local reference is the last one.
        while var value = pending.popLast() {
            if var list = value.listReference {
                value = .none
                guard isKnownUniquelyReferenced(&list) else { continue }
                pending.append(contentsOf: list.elements)
                list.elements = []
            } else if var dict = value.dictReference {
                value = .none
                guard isKnownUniquelyReferenced(&dict) else { continue }
                pending.append(contentsOf: dict.keys)
                pending.append(contentsOf: dict.values)
                dict.removeAll()
            } else if var set = value.setReference {
                value = .none
                guard isKnownUniquelyReferenced(&set) else { continue }
                pending.append(contentsOf: set.elements)
                set.removeAll()
            } else if var object = value.objectReference {
                value = .none
                guard isKnownUniquelyReferenced(&object) else { continue }
                object.moveChildren(into: &pending)
            } else if let elements = value.immutableElements {
                value = .none
                if elements.contains(where: \.mayHoldContainers) { pending.append(contentsOf: elements) }
            }
        }
    }

    /// Whether freeing the value may free nested containers.
    var mayHoldContainers: Bool {
        switch self {
        case .list, .dict, .set, .object, .tuple, .frozenset: true
        default: false
        }
    }

    private var listReference: PickleList? {
        if case .list(let list) = self { return list }
        return nil
    }

    private var dictReference: PickleDict? {
        if case .dict(let dict) = self { return dict }
        return nil
    }

    private var setReference: PickleSet? {
        if case .set(let set) = self { return set }
        return nil
    }

    private var objectReference: PickleObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The elements of a tuple or frozenset.
    private var immutableElements: [PickleValue]? {
        switch self {
        case .tuple(let elements): elements
        case .frozenset(let set): set.elements
        default: nil
        }
    }
}

extension PickleObject {
    /// Moves every value the object holds to `pending` and clears it.
    fileprivate func moveChildren(into pending: inout [PickleValue]) {
        pending.append(callable)
        callable = .none
        pending.append(contentsOf: arguments)
        arguments = []
        if let keywordArguments {
            pending.append(.dict(keywordArguments))
            self.keywordArguments = nil
        }
        if let state {
            pending.append(state)
            self.state = nil
        }
        pending.append(contentsOf: listItems)
        listItems = []
        for (key, value) in dictItems {
            pending.append(key)
            pending.append(value)
        }
        dictItems = []
    }

    /// Releases what the object holds without recursing into nested containers.
    func dismantleChildren() {
        var pending: [PickleValue] = []
        moveChildren(into: &pending)
        PickleValue.dismantle(&pending)
    }
}

// MARK: - Reference cycles

extension PickleValue {
    /// Empties every list, dict, set and instance reachable from the value, so that values which refer to
    /// themselves can be freed.
    ///
    /// Swift frees objects by reference counting, which cannot free a cycle: a list that contains itself
    /// (`L = []; L.append(L)` in Python), or an instance whose state refers back to it, stays in memory
    /// after the last outside reference is gone. Pickles can describe such values, and the unpickler
    /// builds them faithfully. A program that loads cyclic values, or untrusted pickles that may hold
    /// them, and wants the memory back calls this when it is done with the value. Every mutable
    /// container reachable from the value is emptied (an instance loses its arguments, state and items),
    /// so the value is of no further use, and neither is any other value that shares those containers.
    ///
    /// The walk does not recurse, so it handles values nested to any depth. A failed load needs none of
    /// this: the unpickler releases what it built before it throws.
    ///
    /// ```swift
    /// let value = try Unpickler.load(bytes)   // may be cyclic
    /// defer { value.breakReferenceCycles() }
    /// try process(value)
    /// ```
    public func breakReferenceCycles() {
        Self.emptyContainers(reachableFrom: [self], sparing: [])
    }

    /// Empties every mutable container reachable from `roots`, except those in `spared` and what is
    /// reachable only through them.
    static func emptyContainers(reachableFrom roots: [PickleValue], sparing spared: Set<ObjectIdentifier>) {
        var seen = spared
        // Each container stays here until the end, so emptying one never frees a nested container (which
        // could recurse); they are freed one by one, already empty, when the array goes.
        var containers: [AnyObject] = []
        var pending = roots
        while let value = pending.popLast() {
            if let identity = value.referenceIdentity, !seen.insert(identity).inserted { continue }
            switch value {
            case .tuple(let elements):
                pending.append(contentsOf: elements)
            case .frozenset(let set):
                pending.append(contentsOf: set.elements)
            case .list(let list):
                containers.append(list)
                pending.append(contentsOf: list.elements)
                list.elements = []
            case .set(let set):
                containers.append(set)
                pending.append(contentsOf: set.elements)
                set.removeAll()
            case .dict(let dict):
                containers.append(dict)
                pending.append(contentsOf: dict.keys)
                pending.append(contentsOf: dict.values)
                dict.removeAll()
            case .object(let object):
                containers.append(object)
                object.moveChildren(into: &pending)
            default:
                break
            }
        }
    }
}
