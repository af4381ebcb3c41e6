// Releasing deeply nested values without recursion.
//
// Swift releases a container's elements when the container is freed, and an element that is itself
// a container frees its own elements, and so on: a list nested a hundred thousand levels deep
// overflows the thread's stack when the outermost reference goes away. The containers' deinits call
// `PickleValue.dismantle` instead, which frees nested containers one at a time from a worklist,
// taking the elements out of each container it is the last owner of before that container is freed.

extension PickleValue {
    /// Frees `values` and everything only they hold, iteratively.
    ///
    /// Only values that may hold containers go through the worklist; scalars are freed where they are.
    static func dismantle(_ values: inout [PickleValue]) {
        guard values.anyMayHoldContainers else { return }
        // Each value is moved out of the array and dismantled on the spot: a container that something
        // else still references (one list referenced from every element, say) is only released, never
        // copied to the worklist and back.
        // `consume` hands the popped value over even in unoptimized builds, where a copy would keep the
        // container referenced past the uniqueness check and free it recursively.
        // Room for a few children to begin with, so that the worklist of small nested data (a list of ten
        // lists) does not grow one allocation at a time.
        var pending: [PickleValue] = []
        pending.reserveCapacity(min(values.count, 16))
        while let value = values.popLast() {
            guard value.mayHoldContainers else { continue }
            dismantle(consume value, into: &pending)
        }
        while let value = pending.popLast() {
            dismantle(consume value, into: &pending)
        }
    }

    /// Frees `value`, first moving to `pending` those of its children that may hold containers
    /// when `value` is the last reference to a container that has such children.
    private static func dismantle(_ value: consuming PickleValue, into pending: inout [PickleValue]) {
        // Take the class reference out and drop the enum in separate statements, so that no
        // temporary copy (as a `switch` keeps in unoptimized builds) hides that the local
        // reference is the last one.
        var listReference: PickleList?
        var dictReference: PickleDict?
        var setReference: PickleSet?
        var objectReference: PickleObject?
        var elements: [PickleValue] = []
        switch value {
        case .list(let reference): listReference = reference
        case .dict(let reference): dictReference = reference
        case .set(let reference): setReference = reference
        case .object(let reference): objectReference = reference
        case .tuple(let values): elements = values
        case .frozenset(let values): elements = values.elements
        default: break
        }
        value = .none
        if listReference == nil, dictReference == nil, setReference == nil, objectReference == nil {
            // A tuple's or frozenset's storage may be shared with copies of the value elsewhere: its
            // containers are copied out, not moved, which would copy the whole storage first.
            pending.appendContainers(of: elements)
            return
        }
        if var list = listReference.take() {
            guard isKnownUniquelyReferenced(&list), list.elements.anyMayHoldContainers else {
                return
            }
            swap(&elements, &list.elements)
        } else if var dict = dictReference.take() {
            guard isKnownUniquelyReferenced(&dict) else { return }
            dict.moveContainers(into: &pending)
            return
        } else if var set = setReference.take() {
            guard isKnownUniquelyReferenced(&set), set.elements.anyMayHoldContainers else {
                return
            }
            elements = set.elements
            set.removeAll()
        } else if var object = objectReference.take() {
            guard isKnownUniquelyReferenced(&object), object.mayHoldContainers else { return }
            object.moveChildren(into: &elements)
        }
        elements.moveContainers(to: &pending)
    }

    /// Whether a container holds a value that ``mayHoldContainers`` right now (an instance, always).
    var holdsContainers: Bool {
        switch self {
        case .list(let list): list.elements.anyMayHoldContainers
        case .dict(let dict): dict.keys.anyMayHoldContainers || dict.values.anyMayHoldContainers
        case .set(let set): set.elements.anyMayHoldContainers
        case .object: true
        case .tuple(let elements): elements.anyMayHoldContainers
        case .frozenset(let set): set.elements.anyMayHoldContainers
        default: false
        }
    }

    /// Whether freeing the value may free nested containers.
    var mayHoldContainers: Bool {
        switch self {
        case .list, .dict, .set, .object, .tuple, .frozenset: true
        default: false
        }
    }
}

extension PickleObject {
    /// Whether freeing the object may free nested containers (its deinit then dismantles its children).
    var mayHoldContainers: Bool {
        callable.mayHoldContainers || state != nil || keywordArguments != nil || !dictItems.isEmpty
            || arguments.anyMayHoldContainers || listItems.anyMayHoldContainers
    }

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

    /// Empties every mutable container reachable from `roots`, except those whose identity is in `spared`
    /// (see ``reachableIdentities(from:)``) and what is reachable only through them.
    static func emptyContainers(reachableFrom roots: [PickleValue], sparing spared: Set<UInt>) {
        // Each container stays here until the end, so emptying one never frees a nested container (which
        // could recurse); they are freed one by one, already empty, when the array goes.
        var containers: [PickleValue] = []
        var seen = spared
        forEachReachable(from: roots, seen: &seen) { value in
            if value.isReference { containers.append(value) }
        }
        for container in containers {
            switch container {
            case .list(let list): list.elements = []
            case .set(let set): set.removeAll()
            case .dict(let dict): dict.removeAll()
            case .object(let object): object.dismantleChildren()
            default: break
            }
        }
    }

    /// The identities of the containers reachable from `roots`, and of the tuples and frozensets (by their
    /// storage).
    static func reachableIdentities(from roots: [PickleValue]) -> Set<UInt> {
        var seen = Set<UInt>()
        forEachReachable(from: roots, seen: &seen) { _ in }
        return seen
    }

    /// Calls `body` once for each value reachable from `roots` that has an identity: a container (by
    /// object) or a non-empty tuple or frozenset (by storage, which copies of one value share), skipping
    /// those in `seen` and what is reachable only through them, and adding the others to `seen`. The walk
    /// does not recurse, and a shared value is visited once however often it is referenced.
    static func forEachReachable(from roots: [PickleValue], seen: inout Set<UInt>, _ body: (PickleValue) -> Void) {
        var pending = roots
        while let value = pending.popLast() {
            guard let identity = value.walkIdentity, seen.insert(identity).inserted else { continue }
            body(value)
            value.appendChildren(to: &pending)
        }
    }

    /// The identity by which walks visit a value once: a container's object, or a tuple's or frozenset's
    /// storage; `nil` for a value with nothing inside.
    var walkIdentity: UInt? {
        switch self {
        case .tuple(let elements): elements.storageIdentity
        case .frozenset(let set): set.elements.storageIdentity
        case .list(let list): UInt(bitPattern: ObjectIdentifier(list))
        case .dict(let dict): UInt(bitPattern: ObjectIdentifier(dict))
        case .set(let set): UInt(bitPattern: ObjectIdentifier(set))
        case .object(let object): UInt(bitPattern: ObjectIdentifier(object))
        default: nil
        }
    }

    /// Appends every value directly inside this one to `pending`.
    func appendChildren(to pending: inout [PickleValue]) {
        switch self {
        case .tuple(let elements): pending.append(contentsOf: elements)
        case .frozenset(let set): pending.append(contentsOf: set.elements)
        case .list(let list): pending.append(contentsOf: list.elements)
        case .set(let set): pending.append(contentsOf: set.elements)
        case .dict(let dict):
            pending.append(contentsOf: dict.keys)
            pending.append(contentsOf: dict.values)
        case .object(let object):
            pending.append(object.callable)
            pending.append(contentsOf: object.arguments)
            if let keywords = object.keywordArguments { pending.append(.dict(keywords)) }
            if let state = object.state { pending.append(state) }
            pending.append(contentsOf: object.listItems)
            for (key, item) in object.dictItems {
                pending.append(key)
                pending.append(item)
            }
        default: break
        }
    }

    /// The number of values directly inside this one.
    var childCount: Int {
        switch self {
        case .tuple(let elements): elements.count
        case .frozenset(let set): set.count
        case .list(let list): list.count
        case .set(let set): set.count
        case .dict(let dict): 2 * dict.count
        case .object(let object):
            1 + object.arguments.count + (object.keywordArguments == nil ? 0 : 1) + (object.state == nil ? 0 : 1)
                + object.listItems.count + 2 * object.dictItems.count
        default: 0
        }
    }
}

extension PickleDict {
    /// Appends to `pending` the keys and values that may hold containers, then empties the dict.
    fileprivate func moveContainers(into pending: inout [PickleValue]) {
        var keys: [PickleValue] = []
        var values: [PickleValue] = []
        takeStorage(keys: &keys, values: &values)
        values.moveContainers(to: &pending)
        keys.moveContainers(to: &pending)
    }
}

extension Array where Element == PickleValue {
    /// Moves the elements that ``PickleValue/mayHoldContainers`` to the end of `pending`, leaving `.none`
    /// in their place.
    ///
    /// Moving takes no reference: copying each container to `pending` would retain it, and freeing the array
    /// would release it again (two atomic operations per nested container). For an array taken out of a
    /// container being freed, whose storage nothing else shares (were it shared, it would be copied first, as
    /// any mutation copies it).
    @inline(__always)
    mutating func moveContainers(to pending: inout [PickleValue]) {
        // Most arrays hold none (a dict of numbers): read first, as mutable access costs a uniqueness check.
        guard anyMayHoldContainers else { return }
        withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for index in 0..<buffer.count where base[index].mayHoldContainers {
                pending.append((base + index).move())
                (base + index).initialize(to: .none)
            }
        }
    }

    /// Appends the elements of `values` that ``PickleValue/mayHoldContainers``, read in place.
    @inline(__always)
    mutating func appendContainers(of values: [PickleValue]) {
        values.withUnsafeBufferPointer { buffer in
            for index in buffer.indices where buffer[index].mayHoldContainers { append(buffer[index]) }
        }
    }

    /// Whether an element ``PickleValue/mayHoldContainers``, checked on the array's memory rather than on
    /// copies of its elements.
    @inline(__always)
    var anyMayHoldContainers: Bool {
        withUnsafeBufferPointer { buffer in
            for index in buffer.indices where buffer[index].mayHoldContainers { return true }
            return false
        }
    }
}
