// Arrays, optionals and dictionaries read from arena nodes, as their native forms read values
// (PickleNativeCodable.swift): the same checks, the same budget, the same errors.

extension Array: PickleArenaDecodable where Element: Decodable {
    init(arenaNode index: Int32, in decoder: _PickleArenaDecoder, at path: @autoclosure () -> PickleCodingPath) throws {
        let node = decoder.arena.nodes[Int(index)]
        // Bytes, and anything but a list or tuple (a set, an instance), are read as the tree reads them.
        guard Element.self != UInt8.self, node.kind == .list || node.kind == .tuple else {
            self = try Self(pickleValue: decoder.value(of: index), in: decoder.tree, at: path())
            return
        }
        if Element.self == Int.self {
            self = unsafeBitCast(try decoder.integers(index, at: path()), to: Self.self)
            return
        }
        try decoder.enterNested(at: path())
        defer { decoder.context.depth -= 1 }
        try decoder.spend(at: path())
        let arena = decoder.arena
        let first = arena.firstChild(of: node)
        let count = Int(node.count)
        if KnownType.integers.matches(Element.self) {
            // `[[Int]]`: each element as `unwrapComposite` reads an `[Int]` (one value of the budget, then
            // the array's own code), in code without generic calls.
            // (Arrays are made with `reserveCapacity` and `append`, which the compiler specializes, not with
            // `init(unsafeUninitializedCapacity:)`, which allocates through the standard library's generic
            // code: a runtime lookup of the storage class's metadata per array.)
            var rows: [[Int]] = []
            rows.reserveCapacity(count)
            for position in 0..<count {
                let child = arena.children[first + position]
                try decoder.spend(at: path().appending(index: position))
                let kind = decoder.kind(of: child)
                if kind == .list || kind == .tuple {
                    rows.append(try decoder.integers(child, at: path().appending(index: position)))
                } else {
                    rows.append(
                        try [Int](
                            pickleValue: decoder.value(of: child), in: decoder.tree,
                            at: path().appending(index: position)))
                }
            }
            self = unsafeBitCast(rows, to: Self.self)
            return
        }
        var result: [Element] = []
        result.reserveCapacity(count)
        if _PickleEncoder.isPrimitive(Element.self) {
            for position in 0..<count {
                result.append(
                    try decoder.unwrap(
                        Element.self, node: arena.children[first + position], at: path().appending(index: position)))
            }
        } else {
            // The elements share a type: its form is looked up once for the array. The array's path is built
            // once here, not once per element; an element's own is built only when something reads it (a
            // type's `init(from:)`, an error), not for arrays and optionals.
            let form = PickleArenaDecodingForm.of(Element.self)
            let arrayPath = path()
            for position in 0..<count {
                result.append(
                    try decoder.unwrapComposite(
                        Element.self, node: arena.children[first + position], at: arrayPath.appending(index: position),
                        form: form))
            }
        }
        self = result
    }
}

extension Optional: PickleArenaDecodable where Wrapped: Decodable {
    init(arenaNode index: Int32, in decoder: _PickleArenaDecoder, at path: @autoclosure () -> PickleCodingPath) throws {
        try decoder.enterNested(at: path())
        defer { decoder.context.depth -= 1 }
        self = decoder.kind(of: index) == .none ? nil : try decoder.unwrap(Wrapped.self, node: index, at: path())
    }
}

extension Dictionary: PickleArenaDecodable where Key: Decodable, Value: Decodable {
    init(
        arenaNode index: Int32, in decoder: _PickleArenaDecoder, at lazyPath: @autoclosure () -> PickleCodingPath
    ) throws {
        let path = lazyPath()
        // Anything but a dict is read as the tree reads it.
        guard decoder.kind(of: index) == .dict else {
            self = try Self(pickleValue: decoder.value(of: index), in: decoder.tree, at: path)
            return
        }
        // The tree's dict has each key once, with its last value. Which dicts repeat a key (none that
        // Python wrote) is found out when the Swift dictionary does (two equal Python keys make equal
        // Swift keys) or when an entry fails: a dict with a repeated key is then read as the tree reads it,
        // from the budget as it was.
        let checkpoint = decoder.context.budget.checkpoint
        do {
            let reader = PickleArenaDictionaryReader(dict: index, decoder: decoder, path: path)
            if let kind = CommonDictionary(key: Key.self, value: Value.self) {
                self = try PickleNative.commonDictionary(kind, as: Self.self, reading: .node(reader))
            } else {
                self = try reader.dictionary(Key.self, Value.self)
            }
        } catch {
            guard !decoder.arena.hasDistinctKeys(index) else { throw error }
            decoder.context.budget.rewind(to: checkpoint)
            self = try Self(pickleValue: decoder.value(of: index), in: decoder.tree, at: path)
        }
    }
}

extension _PickleArenaDecoder {
    /// An `[Int]` from list or tuple node `index`, as `Array<Int>.init(arenaNode:in:at:)` reads it: one level
    /// deeper, one value of the budget, each element an `Int`.
    func integers(_ index: Int32, at path: @autoclosure () -> PickleCodingPath) throws -> [Int] {
        try enterNested(at: path())
        defer { context.depth -= 1 }
        try spend(at: path())
        let node = arena.nodes[Int(index)]
        let count = Int(node.count)
        let nodes = arena.nodes.base
        let children = arena.children.base + arena.firstChild(of: node)
        // `reserveCapacity` and `append` rather than `init(unsafeUninitializedCapacity:)`: see `[[Int]]` above.
        var result: [Int] = []
        result.reserveCapacity(count)
        for position in 0..<count {
            let element = nodes[Int(children[position])]
            result.append(
                element.kind == .int
                    ? Int(Int64(bitPattern: element.payload))
                    : try integer(children[position], as: Int.self, at: path().appending(index: position)))
        }
        return result
    }
}

/// Reads a dict node whose keys are all different, for ``PickleNative/commonDictionary(_:as:reading:)``.
struct PickleArenaDictionaryReader {
    let dict: Int32
    let decoder: _PickleArenaDecoder
    let path: PickleCodingPath

    /// The dict read as a `[K: V]`, entry by entry, as ``PickleNative/dictionary(_:_:from:in:at:)`` reads one.
    func dictionary<K: Decodable & Hashable, V: Decodable>(_ key: K.Type, _ value: V.Type) throws -> [K: V] {
        var result = [K: V](minimumCapacity: Int(decoder.arena.nodes[Int(dict)].count))
        try fill(&result)
        return result
    }

    /// Adds the dict's entries to `result`.
    ///
    /// Generic over the dictionary type rather than over its key and value types: unspecialized code that
    /// calls `updateValue(_:forKey:)` on a `[K: V]` has the runtime look up `[K: V]`'s metadata on every
    /// call (a hash-map lookup, a third of the cost of an entry), where a `D` comes with its metadata.
    private func fill<D: PickleFillableDictionary>(_ result: inout D) throws
    where D.Key: Decodable & Hashable, D.Value: Decodable {
        typealias K = D.Key
        typealias V = D.Value
        let arena = decoder.arena
        let node = arena.nodes[Int(dict)]
        let first = arena.firstChild(of: node)
        let count = Int(node.count)
        // The values share a type: its form is looked up once for the dict.
        let valueForm = _PickleEncoder.isPrimitive(V.self) ? nil : PickleArenaDecodingForm.of(V.self)
        for entry in 0..<count {
            let keyIndex = arena.children[first + 2 * entry]
            let keyNode = arena.nodes[Int(keyIndex)]
            let key: K
            if K.self == String.self, keyNode.kind == .string {
                key = unsafeBitCast(arena.string(of: keyNode), to: K.self)
            } else if KnownType.optionalString.matches(K.self), keyNode.kind == .string {
                key = unsafeBitCast(String?.some(arena.string(of: keyNode)), to: K.self)
            } else {
                key = try decoder.unwrap(K.self, node: keyIndex, at: path.appending(codingKey(for: keyNode)))
            }
            let valueIndex = arena.children[first + 2 * entry + 1]
            let value: V
            if let valueForm {
                // (Built here: a second closure for the path in this loop keeps the compiler from inlining
                // `unwrap` below, and the primitive values, in the common dictionaries, pay more for it.)
                let valuePath = path.appending(codingKey(for: keyNode))
                value = try decoder.unwrapComposite(V.self, node: valueIndex, at: valuePath, form: valueForm)
            } else {
                value = try decoder.unwrap(V.self, node: valueIndex, at: path.appending(codingKey(for: keyNode)))
            }
            guard result.updateValue(consume value, forKey: key) == nil else {
                throw PickleCodingErrors.corrupted("dict has two keys that are the same Swift \(K.self) \(key)", at: path)
            }
        }
    }

    /// The coding key for a dict entry whose key is `key` (a `str` or an `int`), as
    /// ``PickleNative/codingKey(for:)`` makes it.
    private func codingKey(for key: PickleArena.Node) -> PickleCodingKey {
        key.kind == .string
            ? PickleCodingKey(stringValue: decoder.arena.string(of: key))
            : PickleCodingKey(intValue: Int(Int64(bitPattern: key.payload)))
    }
}

/// A dictionary that generic code fills through a protocol: a call through the protocol passes the metadata
/// of the dictionary type that the caller has, where a call on a `[K: V]` in unspecialized code looks it up.
protocol PickleFillableDictionary {
    associatedtype Key
    associatedtype Value
    @discardableResult
    mutating func updateValue(_ value: __owned Value, forKey key: Key) -> Value?
}

extension Dictionary: PickleFillableDictionary {}
