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
        guard values.contains(where: { $0.mayHoldContainers }) else { return }
        var pending: [PickleValue] = []
        pending.reserveCapacity(values.count)
        for value in values where value.mayHoldContainers { pending.append(value) }
        values = []
        while let value = pending.popLast() {
            dismantle(value, into: &pending)
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
        if var list = listReference.take() {
            guard isKnownUniquelyReferenced(&list), list.elements.contains(where: { $0.mayHoldContainers }) else {
                return
            }
            elements = list.elements
            list.elements = []
        } else if var dict = dictReference.take() {
            guard isKnownUniquelyReferenced(&dict),
                dict.values.contains(where: { $0.mayHoldContainers })
                    || dict.keys.contains(where: { $0.mayHoldContainers })
            else { return }
            elements = dict.keys + dict.values
            dict.removeAll()
        } else if var set = setReference.take() {
            guard isKnownUniquelyReferenced(&set), set.elements.contains(where: { $0.mayHoldContainers }) else {
                return
            }
            elements = set.elements
            set.removeAll()
        } else if var object = objectReference.take() {
            guard isKnownUniquelyReferenced(&object) else { return }
            object.moveChildren(into: &elements)
        }
        for element in elements where element.mayHoldContainers { pending.append(element) }
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
