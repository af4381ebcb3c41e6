// Tuples, lists, dicts, sets and frozensets, written as CPython's `save_tuple`, `save_list`,
// `save_dict`, `save_set` and `save_frozenset` write them.

extension PickleWriter {
    // MARK: tuple

    mutating func saveTuple(_ elements: [PickleValue]) throws {
        let count = elements.count
        if count == 0 {
            writeEmptyTuple()
            return
        }
        // The tuple that is the whole value of a `Pickler.dumps` cannot be in the memo yet, and nothing is
        // written after it that could refer to it: its key is neither looked up first nor kept.
        let isLastRoot = rootIsLast && depth == 0
        if !isLastRoot, let index = compositeIndex(.tuple, elements) {
            try writeGet(index)
            return
        }
        try enterNesting()
        defer { depth -= 1 }
        let short = count <= 3 && proto >= 2
        if !short { write(.mark) }
        let keysBefore = memo.compositeKeyCount
        try elements.withUnsafeBufferPointer { items in
            try saveItems(items, from: 0, to: count)
        }
        switch memoizeComposite(.tuple, elements, keeping: !isLastRoot, since: isLastRoot ? keysBefore : nil) {
        case .found(let index):
            // The tuple was reached from its own elements (through a list, say): drop what was pushed
            // and fetch the memoized tuple, as CPython does.
            if short {
                for _ in 0..<count { write(.pop) }
            } else if proto >= 1 {
                write(.popMark)
            } else {
                for _ in 0...count { write(.pop) }
            }
            try writeGet(index)
        case .new(let index):
            writeTupleEnd(count: count, short: short)
            try writePut(index)
        }
    }

    private mutating func writeEmptyTuple() {
        if proto >= 1 {
            write(.emptyTuple)
        } else {
            write(.mark)
            write(.tuple)
        }
    }

    private mutating func writeTupleEnd(count: Int, short: Bool) {
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

    /// Starts a tuple that CPython builds afresh while pickling, like the arguments of a reduction:
    /// memoized, never found again. Returns `true` when the caller must now save the `count`
    /// elements and call ``endFreshTuple(count:)``; `false` when the tuple is already written (it is
    /// empty, or the persistent-ID hook replaced it).
    ///
    /// - Parameters:
    ///   - count: The number of elements.
    ///   - asValue: The tuple as a value, for the persistent-ID hook.
    mutating func beginFreshTuple(count: Int, asValue: () -> PickleValue) throws -> Bool {
        if try beginSynthetic(asValue) { return false }
        if count == 0 {
            writeEmptyTuple()
            return false
        }
        if !(count <= 3 && proto >= 2) { write(.mark) }
        return true
    }

    /// Ends a tuple started with ``beginFreshTuple(count:asValue:)``.
    mutating func endFreshTuple(count: Int) throws {
        writeTupleEnd(count: count, short: count <= 3 && proto >= 2)
        try memoizeAnonymous()
    }

    /// Saves the arguments of a reduction: a tuple CPython builds afresh.
    mutating func saveArguments(_ arguments: [PickleValue]) throws {
        guard try beginFreshTuple(count: arguments.count, asValue: { .tuple(arguments) }) else { return }
        try arguments.withUnsafeBufferPointer { items in
            for position in items.indices { try save(items, position) }
        }
        try endFreshTuple(count: arguments.count)
    }

    // MARK: list

    mutating func saveList(_ list: PickleList) throws {
        if try writeGetIfMemoized(list) { return }
        try enterNesting()
        defer { depth -= 1 }
        writeEmptyList()
        try memoize(reference: list)
        try writeListItems(of: Unmanaged.passUnretained(list))
    }

    /// Saves the list at `items[position]` without a reference of its own to the list (which would cost Swift
    /// a retain and a release), reading its elements as ``writeListItems(of:)`` does.
    @inline(never)
    mutating func saveList(_ items: UnsafeBufferPointer<PickleValue>, _ position: Int) throws {
        guard let list = Self.unretainedList(items, position) else { return }
        let identifier = UInt(bitPattern: list.toOpaque())
        if let index = memo.references.index(ofIdentifier: identifier) {
            try writeGet(index)
            return
        }
        try enterNesting()
        defer { depth -= 1 }
        writeEmptyList()
        try memoize(items, position, identifier: identifier)
        try writeListItems(of: list)
    }

    /// Writes the items of `list`, which something else keeps alive: in place where nothing can change the
    /// list meanwhile (see ``readsInPlace``), else from a copy of its array.
    private mutating func writeListItems(of list: Unmanaged<PickleList>) throws {
        if readsInPlace {
            // A mutable buffer, because taking it is an access to the list's own array; taking an immutable
            // one would copy the array (a retain) first. The array is copied only if another array shares its
            // storage, which the writer then leaves unchanged.
            try list._withUnsafeGuaranteedRef { list in
                try list.elements.withUnsafeMutableBufferPointer { buffer in
                    try writeListItems(UnsafeBufferPointer(buffer))
                }
            }
        } else {
            let elements = list._withUnsafeGuaranteedRef { $0.elements }
            try elements.withUnsafeBufferPointer { try writeListItems($0) }
        }
    }

    /// The list at `items[position]`, if that is a list, without a reference of its own.
    ///
    /// `items` is the storage of an array that holds the list for the whole call: a copy the writer holds
    /// when hooks run (a hook that changes the container it came from changes that container's array, not
    /// the copy), or the container's own array when nothing can change it (see ``readsInPlace``). A
    /// reference of the writer's own would cost a retain and a release, two atomic operations, per list.
    @inline(__always)
    static func unretainedList(_ items: UnsafeBufferPointer<PickleValue>, _ position: Int) -> Unmanaged<PickleList>? {
        guard case .list(let list) = items[position] else { return nil }
        return Unmanaged.passUnretained(list)
    }

    /// The dict at `items[position]`, if that is a dict, without a reference of its own (see
    /// ``unretainedList(_:_:)``).
    @inline(__always)
    static func unretainedDict(_ items: UnsafeBufferPointer<PickleValue>, _ position: Int) -> Unmanaged<PickleDict>? {
        guard case .dict(let dict) = items[position] else { return nil }
        return Unmanaged.passUnretained(dict)
    }

    /// Memoizes the reference object at `items[position]`, whose address is `identifier`.
    private mutating func memoize(_ items: UnsafeBufferPointer<PickleValue>, _ position: Int, identifier: UInt) throws {
        let index = memo.allocate()
        if memo.references.retainsKeys, let object = items[position].referenceObject {
            memo.references.insert(object, index: index)
        } else {
            memo.references.insert(identifier: identifier, index: index)
        }
        try writePut(index)
    }

    /// Saves a list CPython builds afresh, like the one in `set(list)` below protocol 4.
    mutating func saveFreshList(_ elements: [PickleValue]) throws {
        if try beginSynthetic({ .list(PickleList(elements)) }) { return }
        writeEmptyList()
        try memoizeAnonymous()
        try elements.withUnsafeBufferPointer { try writeListItems($0) }
    }

    private mutating func writeEmptyList() {
        if proto >= 1 {
            write(.emptyList)
        } else {
            write(.mark)
            write(.list)
        }
    }

    /// A list's items as CPython's `batch_list_exact` writes them: `APPEND` for a list of one,
    /// else `MARK` … `APPENDS` per 1000 items; one `APPEND` each at protocol 0.
    private mutating func writeListItems(_ elements: UnsafeBufferPointer<PickleValue>) throws {
        let count = elements.count
        if count == 0 { return }
        if proto == 0 {
            for position in 0..<count {
                try save(elements, position)
                write(.append)
            }
            return
        }
        if count == 1 {
            try save(elements, 0)
            write(.append)
            return
        }
        var start = 0
        while start < count {
            let end = min(start + Self.batchSize, count)
            write(.mark)
            var position = start
            while position < end {
                position = writeAtoms(elements, from: position, to: end)
                guard position < end else { break }
                try save(elements, position)
                position += 1
            }
            write(.appends)
            start = end
        }
    }

    /// List items of an object (a `list` subclass), as CPython's generic `batch_list` writes an
    /// iterator: batches of 1000 with `APPENDS`, and a last batch of one item with `APPEND`.
    mutating func writeObjectListItems(_ listItems: [PickleValue]) throws {
        try listItems.withUnsafeBufferPointer { try writeObjectListItems($0) }
    }

    private mutating func writeObjectListItems(_ items: UnsafeBufferPointer<PickleValue>) throws {
        if proto == 0 {
            for position in items.indices {
                try save(items, position)
                write(.append)
            }
            return
        }
        var start = 0
        while start < items.count {
            let end = min(start + Self.batchSize, items.count)
            if end - start == 1 {
                try save(items, start)
                write(.append)
            } else {
                write(.mark)
                try saveItems(items, from: start, to: end)
                write(.appends)
            }
            start = end
        }
    }

    // MARK: dict

    mutating func saveDict(_ dict: PickleDict) throws {
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
        try writeDictItems(of: Unmanaged.passUnretained(dict))
    }

    /// Saves the dict at `items[position]` without a reference of its own to the dict, reading its keys and
    /// values as ``writeDictItems(of:)`` does.
    @inline(never)
    mutating func saveDict(_ items: UnsafeBufferPointer<PickleValue>, _ position: Int) throws {
        guard let dict = Self.unretainedDict(items, position) else { return }
        let identifier = UInt(bitPattern: dict.toOpaque())
        if let index = memo.references.index(ofIdentifier: identifier) {
            try writeGet(index)
            return
        }
        try enterNesting()
        defer { depth -= 1 }
        if proto >= 1 {
            write(.emptyDict)
        } else {
            write(.mark)
            write(.dict)
        }
        try memoize(items, position, identifier: identifier)
        try writeDictItems(of: dict)
    }

    /// Writes the items of `dict`, which something else keeps alive: in place where nothing can change the
    /// dict meanwhile (see ``readsInPlace``), else from copies of its arrays.
    private mutating func writeDictItems(of dict: Unmanaged<PickleDict>) throws {
        if readsInPlace {
            try dict._withUnsafeGuaranteedRef { dict in
                try dict.withStorageInPlace { keys, values in try writeDictItems(keys: keys, values: values) }
            }
        } else {
            let (keys, values) = dict._withUnsafeGuaranteedRef { ($0.keys, $0.values) }
            try keys.withUnsafeBufferPointer { keys in
                try values.withUnsafeBufferPointer { values in try writeDictItems(keys: keys, values: values) }
            }
        }
    }

    /// Saves a dict CPython builds afresh, like the keywords of a `functools.partial`.
    mutating func saveFreshDict(_ dict: PickleDict) throws {
        if try beginSynthetic({ .dict(dict) }) { return }
        if proto >= 1 {
            write(.emptyDict)
        } else {
            write(.mark)
            write(.dict)
        }
        try memoizeAnonymous()
        try writeDictItems(of: Unmanaged.passUnretained(dict))
    }

    /// A dict's items as CPython's `batch_dict_exact` writes them: `SETITEM` for a dict of one, else
    /// `MARK` … `SETITEMS` per 1000 items and one more, empty, batch after a full last one; one
    /// `SETITEM` each at protocol 0.
    private mutating func writeDictItems(
        keys: UnsafeBufferPointer<PickleValue>, values: UnsafeBufferPointer<PickleValue>
    ) throws {
        let count = keys.count
        if count == 0 { return }
        if proto == 0 {
            for position in 0..<count {
                try save(keys, position)
                try save(values, position)
                write(.setitem)
            }
            return
        }
        if count == 1 {
            try save(keys, 0)
            try save(values, 0)
            write(.setitem)
            return
        }
        var start = 0
        repeat {
            let end = min(start + Self.batchSize, count)
            write(.mark)
            for position in start..<end {
                try save(keys, position)
                try save(values, position)
            }
            write(.setitems)
            if end - start < Self.batchSize { break }
            start = end
        } while true
    }

    /// Dict items of an object (a `dict` subclass), as CPython's generic `batch_dict` writes an
    /// iterator: batches of 1000 with `SETITEMS`, and a last batch of one item with `SETITEM`.
    mutating func writeObjectDictItems(_ items: [(key: PickleValue, value: PickleValue)]) throws {
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

    mutating func saveSet(_ set: PickleSet) throws {
        if try writeGetIfMemoized(set) { return }
        try enterNesting()
        defer { depth -= 1 }
        let elements = set.elements
        if proto < 4 {
            // set(list), as CPython reduces it below protocol 4.
            try save(.global(PicklerGlobals.set))
            if try beginFreshTuple(count: 1, asValue: { .tuple([.list(PickleList(elements))]) }) {
                try saveFreshList(elements)
                try endFreshTuple(count: 1)
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
            try elements.withUnsafeBufferPointer { items in
                try saveItems(items, from: start, to: end)
            }
            write(.additems)
            if end - start < Self.batchSize { break }
            start = end
        } while true
    }

    mutating func saveFrozenSet(_ set: PickleFrozenSet) throws {
        let elements = set.elements
        if let index = compositeIndex(.frozenset, elements) {
            try writeGet(index)
            return
        }
        try enterNesting()
        defer { depth -= 1 }
        if proto < 4 {
            // frozenset(list), as CPython reduces it below protocol 4.
            try save(.global(PicklerGlobals.frozenset))
            if try beginFreshTuple(count: 1, asValue: { .tuple([.list(PickleList(elements))]) }) {
                try saveFreshList(elements)
                try endFreshTuple(count: 1)
            }
            write(.reduce)
            try finishFrozenSet(elements, dropping: .pop)
            return
        }
        write(.mark)
        try elements.withUnsafeBufferPointer { items in
            try saveItems(items, from: 0, to: items.count)
        }
        try finishFrozenSet(elements, dropping: .popMark, end: .frozenset)
    }

    /// After a frozenset's elements: if writing them memoized the frozenset, drop what was pushed
    /// (`dropping`) and fetch it, as CPython does; else write `end`, if any, and memoize it.
    private mutating func finishFrozenSet(
        _ elements: [PickleValue], dropping: Opcode, end: Opcode? = nil
    ) throws {
        switch memoizeComposite(.frozenset, elements) {
        case .found(let index):
            write(dropping)
            try writeGet(index)
        case .new(let index):
            if let end { write(end) }
            try writePut(index)
        }
    }
}
