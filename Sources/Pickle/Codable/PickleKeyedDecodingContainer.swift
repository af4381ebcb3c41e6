/// The keyed container of ``_PickleDecoder``: looks fields up in a ``PickleDict``.
///
/// Fields are usually read in the order they were written, so the container tries the entry after
/// the last one it found before falling back to the dict's hash lookup. A key that is not a `str`
/// of the dict is also looked up as an `int` when the coding key has an `intValue`.
final class PickleKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: _PickleDecoder
    let dict: PickleDict
    let path: PickleCodingPath
    @exclusivity(unchecked) private var hint = 0

    init(decoder: _PickleDecoder, dict: PickleDict, path: PickleCodingPath) {
        self.decoder = decoder
        self.dict = dict
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }

    var allKeys: [Key] {
        dict.keys.compactMap { key in
            switch key {
            case .string(let name): Key(stringValue: name)
            case .int(let integer): Key(intValue: integer) ?? Key(stringValue: String(integer))
            default: nil
            }
        }
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    /// The value for `key`, or `nil` when the dict has no such key.
    private func find(_ key: Key) -> PickleValue? {
        if let position = dict.position(ofString: key.stringValue, hint: hint) {
            hint = position + 1
            return dict.value(at: position)
        }
        if let integer = key.intValue { return dict[.int(integer)] }
        return nil
    }

    private func require(_ key: Key) throws -> PickleValue {
        guard let value = find(key) else { throw PickleCodingErrors.missingKey(key, at: path) }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try require(key).isNone }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try PickleUnboxing.bool(require(key), at: path.appending(key))
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try PickleUnboxing.string(require(key), at: path.appending(key))
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try PickleUnboxing.double(require(key), at: path.appending(key))
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try PickleUnboxing.float(require(key), at: path.appending(key))
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        try PickleUnboxing.integer(require(key), as: type, at: path.appending(key))
    }

    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
        try PickleUnboxing.integer(require(key), as: type, at: path.appending(key))
    }

    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        try PickleUnboxing.integer(require(key), as: type, at: path.appending(key))
    }

    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try PickleUnboxing.integer(require(key), as: type, at: path.appending(key))
    }

    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try PickleUnboxing.integer(require(key), as: type, at: path.appending(key))
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 {
        try PickleUnboxing.integer(require(key), as: type, at: path.appending(key))
    }

    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
        try PickleUnboxing.integer(require(key), as: type, at: path.appending(key))
    }

    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try PickleUnboxing.integer(require(key), as: type, at: path.appending(key))
    }

    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try PickleUnboxing.integer(require(key), as: type, at: path.appending(key))
    }

    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try PickleUnboxing.integer(require(key), as: type, at: path.appending(key))
    }

    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try PickleUnboxing.integer(require(key), as: type, at: path.appending(key))
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 {
        try PickleUnboxing.integer(require(key), as: type, at: path.appending(key))
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.unwrap(type, from: require(key), at: path.appending(key))
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.bool(value, at: path.appending(key))
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.string(value, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.double(value, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.float(value, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.integer(value, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.integer(value, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.integer(value, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.integer(value, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.integer(value, as: type, at: path.appending(key))
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decodeIfPresent(_ type: Int128.Type, forKey key: Key) throws -> Int128? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.integer(value, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.integer(value, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.integer(value, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.integer(value, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.integer(value, as: type, at: path.appending(key))
    }

    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.integer(value, as: type, at: path.appending(key))
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decodeIfPresent(_ type: UInt128.Type, forKey key: Key) throws -> UInt128? {
        guard let value = find(key), !value.isNone else { return nil }
        return try PickleUnboxing.integer(value, as: type, at: path.appending(key))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = find(key), !value.isNone else { return nil }
        return try decoder.unwrap(type, from: value, at: path.appending(key))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(try decoder.keyedContainer(type, for: require(key), at: path.appending(key)))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.unkeyedContainer(for: require(key), at: path.appending(key))
    }

    func superDecoder() throws -> any Decoder {
        let value = dict[.string(PickleCodingKey.superKey.stringValue)] ?? .none
        return _PickleDecoder(context: decoder.context, value: value, path: path.appending(PickleCodingKey.superKey))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        _PickleDecoder(context: decoder.context, value: find(key) ?? .none, path: path.appending(key))
    }
}
