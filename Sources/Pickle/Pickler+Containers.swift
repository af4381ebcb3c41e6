// Tuples, lists, dicts, sets and frozensets, written as CPython's `save_tuple`, `save_list`,
// `save_dict`, `save_set` and `save_frozenset` write them.

extension Pickler {
    // MARK: tuple

    func saveTuple(_ elements: [PickleValue]) throws(PickleError) {
        let count = elements.count
        if count == 0 {
            writeEmptyTuple()
            return
        }
        if case .memo(let index)? = identityToken(.tuple(elements)) {
            try writeGet(index)
            return
        }
        try enterNesting()
        defer { depth -= 1 }
        let short = count <= 3 && proto >= 2
        if !short { write(.mark) }
        for element in elements { try save(element) }
        // If the tuple is in the memo now, it was reached from its own elements (through a list, say):
        // drop what was pushed and fetch the memoized tuple, as CPython does.
        let key = identityKey(elements)
        if let key, let index = memo.tuples[key] {
            if short {
                for _ in 0..<count { write(.pop) }
            } else if proto >= 1 {
                write(.popMark)
            } else {
                for _ in 0...count { write(.pop) }
            }
            try writeGet(index)
            return
        }
        writeTupleEnd(count: count, short: short)
        let index = memo.allocate()
        if let key { memo.tuples[key] = index }
        memo.remember(storageOf: elements, as: index, frozenset: false)
        try writePut(index)
    }

    private func writeEmptyTuple() {
        if proto >= 1 {
            write(.emptyTuple)
        } else {
            write(.mark)
            write(.tuple)
        }
    }

    private func writeTupleEnd(count: Int, short: Bool) {
        guard short else {
            write(.tuple)
            return
        }
        switch count {
        case 1: write(.tuple1)
        case 2: write(.tuple2)
        default: write(.tuple3)
        }
    }

    /// Saves a tuple that CPython builds afresh while pickling, like the arguments of a reduction:
    /// memoized, never found again.
    ///
    /// - Parameters:
    ///   - count: The number of elements.
    ///   - asValue: The tuple as a value, for the persistent-ID hook.
    ///   - element: Saves element `position`.
    func saveFreshTuple(
        count: Int, asValue: () -> PickleValue, _ element: (_ position: Int) throws(PickleError) -> Void
    ) throws(PickleError) {
        if try beginSynthetic(asValue) { return }
        if count == 0 {
            writeEmptyTuple()
            return
        }
        let short = count <= 3 && proto >= 2
        if !short { write(.mark) }
        for position in 0..<count { try element(position) }
        writeTupleEnd(count: count, short: short)
        try memoizeAnonymous()
    }

    // MARK: list

    func saveList(_ list: PickleList) throws(PickleError) {
        if try writeGetIfMemoized(list) { return }
        try enterNesting()
        defer { depth -= 1 }
        writeEmptyList()
        try memoize(reference: list)
        try writeListItems(list.elements)
    }

    /// Saves a list CPython builds afresh, like the one in `set(list)` below protocol 4.
    func saveFreshList(_ elements: [PickleValue]) throws(PickleError) {
        if try beginSynthetic({ .list(PickleList(elements)) }) { return }
        writeEmptyList()
        try memoizeAnonymous()
        try writeListItems(elements)
    }

    private func writeEmptyList() {
        if proto >= 1 {
            write(.emptyList)
        } else {
            write(.mark)
            write(.list)
        }
    }

    /// A list's items as CPython's `batch_list_exact` writes them: `APPEND` for a list of one,
    /// else `MARK` … `APPENDS` per 1000 items; one `APPEND` each at protocol 0.
    private func writeListItems(_ elements: [PickleValue]) throws(PickleError) {
        if elements.isEmpty { return }
        if proto == 0 {
            for element in elements {
                try save(element)
                write(.append)
            }
            return
        }
        if elements.count == 1 {
            try save(elements[0])
            write(.append)
            return
        }
        var start = 0
        while start < elements.count {
            let end = min(start + Self.batchSize, elements.count)
            write(.mark)
            for position in start..<end { try save(elements[position]) }
            write(.appends)
            start = end
        }
    }

    /// List items of an object (a `list` subclass), as CPython's generic `batch_list` writes an
    /// iterator: batches of 1000 with `APPENDS`, and a last batch of one item with `APPEND`.
    func writeObjectListItems(_ items: [PickleValue]) throws(PickleError) {
        if proto == 0 {
            for item in items {
                try save(item)
                write(.append)
            }
            return
        }
        var start = 0
        while start < items.count {
            let end = min(start + Self.batchSize, items.count)
            if end - start == 1 {
                try save(items[start])
                write(.append)
            } else {
                write(.mark)
                for position in start..<end { try save(items[position]) }
                write(.appends)
            }
            start = end
        }
    }

    // MARK: dict

    func saveDict(_ dict: PickleDict) throws(PickleError) {
        if try writeGetIfMemoized(dict) { return }
        try enterNesting()
        defer { depth -= 1 }
        if proto >= 1 {
            write(.emptyDict)
        } else {
            write(.mark)
            write(.dict)
        }
        try memoize(reference: dict)
        try writeDictItems(keys: dict.keys, values: dict.values)
    }

    /// Saves a dict CPython builds afresh, like the keywords of a `functools.partial`.
    func saveFreshDict(_ dict: PickleDict) throws(PickleError) {
        if try beginSynthetic({ .dict(dict) }) { return }
        if proto >= 1 {
            write(.emptyDict)
        } else {
            write(.mark)
            write(.dict)
        }
        try memoizeAnonymous()
        try writeDictItems(keys: dict.keys, values: dict.values)
    }

    /// A dict's items as CPython's `batch_dict_exact` writes them: `SETITEM` for a dict of one, else
    /// `MARK` … `SETITEMS` per 1000 items and one more, empty, batch after a full last one; one
    /// `SETITEM` each at protocol 0.
    private func writeDictItems(keys: [PickleValue], values: [PickleValue]) throws(PickleError) {
        let count = keys.count
        if count == 0 { return }
        if proto == 0 {
            for position in 0..<count {
                try save(keys[position])
                try save(values[position])
                write(.setitem)
            }
            return
        }
        if count == 1 {
            try save(keys[0])
            try save(values[0])
            write(.setitem)
            return
        }
        var start = 0
        repeat {
            let end = min(start + Self.batchSize, count)
            write(.mark)
            for position in start..<end {
                try save(keys[position])
                try save(values[position])
            }
            write(.setitems)
            if end - start < Self.batchSize { break }
            start = end
        } while true
    }

    /// Dict items of an object (a `dict` subclass), as CPython's generic `batch_dict` writes an
    /// iterator: batches of 1000 with `SETITEMS`, and a last batch of one item with `SETITEM`.
    func writeObjectDictItems(_ items: [(key: PickleValue, value: PickleValue)]) throws(PickleError) {
        if proto == 0 {
            for item in items {
                try save(item.key)
                try save(item.value)
                write(.setitem)
            }
            return
        }
        var start = 0
        while start < items.count {
            let end = min(start + Self.batchSize, items.count)
            if end - start == 1 {
                try save(items[start].key)
                try save(items[start].value)
                write(.setitem)
            } else {
                write(.mark)
                for position in start..<end {
                    try save(items[position].key)
                    try save(items[position].value)
                }
                write(.setitems)
            }
            start = end
        }
    }

    // MARK: set and frozenset

    func saveSet(_ set: PickleSet) throws(PickleError) {
        if try writeGetIfMemoized(set) { return }
        try enterNesting()
        defer { depth -= 1 }
        let elements = set.elements
        if proto < 4 {
            // set(list), as CPython reduces it below protocol 4.
            try save(.global(PicklerGlobals.set))
            try saveFreshTuple(count: 1, asValue: { .tuple([.list(PickleList(elements))]) }) {
                _ throws(PickleError) in
                try saveFreshList(elements)
            }
            write(.reduce)
            _ = try finishConstruction(of: set)
            return
        }
        write(.emptySet)
        try memoize(reference: set)
        if elements.isEmpty { return }
        // As CPython: MARK … ADDITEMS per 1000 items, and one more, empty, batch after a full last one.
        var start = 0
        repeat {
            let end = min(start + Self.batchSize, elements.count)
            write(.mark)
            for position in start..<end { try save(elements[position]) }
            write(.additems)
            if end - start < Self.batchSize { break }
            start = end
        } while true
    }

    func saveFrozenSet(_ set: PickleFrozenSet) throws(PickleError) {
        let elements = set.elements
        if case .memo(let index)? = identityToken(.frozenset(set)) {
            try writeGet(index)
            return
        }
        try enterNesting()
        defer { depth -= 1 }
        if proto < 4 {
            // frozenset(list), as CPython reduces it below protocol 4.
            try save(.global(PicklerGlobals.frozenset))
            try saveFreshTuple(count: 1, asValue: { .tuple([.list(PickleList(elements))]) }) {
                _ throws(PickleError) in
                try saveFreshList(elements)
            }
            write(.reduce)
            let key = identityKey(elements)
            if let key, let index = memo.frozensets[key] {
                write(.pop)
                try writeGet(index)
                return
            }
            let index = memo.allocate()
            if let key { memo.frozensets[key] = index }
            memo.remember(storageOf: elements, as: index, frozenset: true)
            try writePut(index)
            return
        }
        write(.mark)
        for element in elements { try save(element) }
        let key = identityKey(elements)
        if let key, let index = memo.frozensets[key] {
            write(.popMark)
            try writeGet(index)
            return
        }
        write(.frozenset)
        let index = memo.allocate()
        if let key { memo.frozensets[key] = index }
        memo.remember(storageOf: elements, as: index, frozenset: true)
        try writePut(index)
    }
}
