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
