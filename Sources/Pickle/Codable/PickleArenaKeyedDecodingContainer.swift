/// The keyed container of ``_PickleArenaDecoder``: looks fields up among the keys of a dict node, whose
/// keys are all different `str`s and `int`s.
///
/// As ``PickleKeyedDecodingContainer`` does, it tries the entry after the last one it found before
/// searching, and looks a key with an `intValue` up as an `int` when no `str` matches.
final class PickleArenaKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: _PickleArenaDecoder
    let arena: PickleArena
    /// The index in ``PickleArena/children`` of the first key.
    let first: Int
    let count: Int
    let path: PickleCodingPath
    @exclusivity(unchecked) private var hint = 0

    init(decoder: _PickleArenaDecoder, dict: Int32, path: PickleCodingPath) {
        self.decoder = decoder
        arena = decoder.arena
        let node = arena.nodes[Int(dict)]
        first = arena.firstChild(of: node)
        count = Int(node.count)
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }

    var allKeys: [Key] {
        (0..<count).compactMap { entry in
            let key = arena.nodes[Int(arena.children[first + 2 * entry])]
            if key.kind == .string { return Key(stringValue: arena.string(of: key)) }
            let integer = Int(Int64(bitPattern: key.payload))
            return Key(intValue: integer) ?? Key(stringValue: String(integer))
        }
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    /// The node of the value for `key`, or `nil` when the dict has no such key.
    @inline(__always)
    private func find(_ key: Key) -> Int32? {
        let name = key.stringValue
        if hint < count, matches(entry: hint, name) {
            hint += 1
            return arena.children[first + 2 * hint - 1]
        }
        if let entry = position(of: name) {
            hint = entry + 1
            return arena.children[first + 2 * entry + 1]
        }
        guard let integer = key.intValue else { return nil }
        for entry in 0..<count {
            let node = arena.nodes[Int(arena.children[first + 2 * entry])]
            if node.kind == .int, Int64(bitPattern: node.payload) == Int64(integer) {
                return arena.children[first + 2 * entry + 1]
            }
        }
        return nil
    }

    /// The entry whose key is the `str` `name`.
    private func position(of name: String) -> Int? {
        for entry in 0..<count where matches(entry: entry, name) { return entry }
        return nil
    }

    @inline(__always)
    private func matches(entry: Int, _ name: String) -> Bool {
        let node = arena.nodes[Int(arena.children[first + 2 * entry])]
        return node.kind == .string && arena.string(node, equals: name)
    }

    private func require(_ key: Key) throws -> Int32 {
        guard let index = find(key) else { throw PickleCodingErrors.missingKey(key, at: path) }
        return index
    }

    func decodeNil(forKey key: Key) throws -> Bool { decoder.kind(of: try require(key)) == .none }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let index = try require(key)
        return try decoder.bool(index, at: path.appending(key))
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let index = try require(key)
        return try decoder.string(index, at: path.appending(key))
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        let index = try require(key)
        return try decoder.double(index, at: path.appending(key))
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        let index = try require(key)
        return try decoder.float(index, at: path.appending(key))
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        let index = try require(key)
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
        let index = try require(key)
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        let index = try require(key)
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        let index = try require(key)
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        let index = try require(key)
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 {
        let index = try require(key)
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
        let index = try require(key)
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        let index = try require(key)
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        let index = try require(key)
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        let index = try require(key)
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        let index = try require(key)
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 {
        let index = try require(key)
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let index = try require(key)
        return try decoder.unwrap(type, node: index, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.bool(index, at: path.appending(key))
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.string(index, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.double(index, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.float(index, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decodeIfPresent(_ type: Int128.Type, forKey key: Key) throws -> Int128? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decodeIfPresent(_ type: UInt128.Type, forKey key: Key) throws -> UInt128? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.integer(index, as: type, at: path.appending(key))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let index = find(key), decoder.kind(of: index) != .none else { return nil }
        return try decoder.unwrap(type, node: index, at: path.appending(key))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.keyedContainer(type, for: require(key), at: path.appending(key))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.unkeyedContainer(for: require(key), at: path.appending(key))
    }

    func superDecoder() throws -> any Decoder {
        // (The tree's container looks the key up as a `str` only.)
        let name = PickleCodingKey.superKey.stringValue
        let index = position(of: name).map { arena.children[first + 2 * $0 + 1] } ?? arena.noneNode()
        return _PickleArenaDecoder(
            context: decoder.context, arena: arena, node: index, path: path.appending(PickleCodingKey.superKey))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        _PickleArenaDecoder(
            context: decoder.context, arena: arena, node: find(key) ?? arena.noneNode(), path: path.appending(key))
    }
}
