/// The keyed container of ``_PickleEncoder``: writes each field straight into a ``PickleDict``,
/// under the key's `stringValue`.
///
/// A `nil` optional is written as `None` rather than left out (`encodeIfPresent`), so that a
/// Python program finds every field of the type.
struct PickleKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: _PickleEncoder
    let dict: PickleDict
    let path: PickleCodingPath
    /// The context's epoch when the container was made (see ``PickleEncodingContext/epoch``).
    let epoch: Int

    init(encoder: _PickleEncoder, dict: PickleDict, path: PickleCodingPath) {
        self.encoder = encoder
        self.dict = dict
        self.path = path
        self.epoch = encoder.context.epoch
    }

    var codingPath: [any CodingKey] { path.keys }

    private func set(_ value: consuming PickleValue, for key: Key) {
        encoder.context.noteWrite(madeIn: epoch)
        dict.updateValue(consume value, forKey: .string(key.stringValue))
    }

    mutating func encodeNil(forKey key: Key) throws { set(.none, for: key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), for: key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), for: key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(.float(value), for: key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(.float(Double(value)), for: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.int(value), for: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.int(Int(value)), for: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.int(Int(value)), for: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.int(Int(value)), for: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.integer(exactly: value), for: key) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: Int128, forKey key: Key) throws { set(.integer(exactly: value), for: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(.integer(exactly: value), for: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.int(Int(value)), for: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.int(Int(value)), for: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.integer(exactly: value), for: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.integer(exactly: value), for: key) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: UInt128, forKey key: Key) throws { set(.integer(exactly: value), for: key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        set(try encoder.wrap(value, at: path.appending(key)), for: key)
    }

    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        set(value.map { .bool($0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        set(value.map { .string($0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        set(value.map { .float($0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws {
        set(value.map { .float(Double($0)) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
        set(value.map { .int($0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws {
        set(value.map { .int(Int($0)) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws {
        set(value.map { .int(Int($0)) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws {
        set(value.map { .int(Int($0)) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws {
        set(value.map { .integer(exactly: $0) } ?? .none, for: key)
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encodeIfPresent(_ value: Int128?, forKey key: Key) throws {
        set(value.map { .integer(exactly: $0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws {
        set(value.map { .integer(exactly: $0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws {
        set(value.map { .int(Int($0)) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws {
        set(value.map { .int(Int($0)) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws {
        set(value.map { .integer(exactly: $0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws {
        set(value.map { .integer(exactly: $0) } ?? .none, for: key)
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encodeIfPresent(_ value: UInt128?, forKey key: Key) throws {
        set(value.map { .integer(exactly: $0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        guard let value else { return set(.none, for: key) }
        try encode(value, forKey: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = PickleDict()
        set(.dict(nested), for: key)
        return KeyedEncodingContainer(
            PickleKeyedEncodingContainer<NestedKey>(encoder: encoder, dict: nested, path: path.appending(key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = PickleList()
        set(.list(nested), for: key)
        return PickleUnkeyedEncodingContainer(encoder: encoder, list: nested, path: path.appending(key))
    }

    mutating func superEncoder() -> any Encoder { superEncoder(under: PickleCodingKey.superKey) }

    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(under: key) }

    /// An encoder whose value lands under `key`; an empty dict until something is encoded.
    private func superEncoder(under key: any CodingKey) -> any Encoder {
        let slot = PickleValue.string(key.stringValue)
        encoder.context.noteWrite(madeIn: epoch)
        dict.updateValue(.dict(PickleDict()), forKey: slot)
        return _PickleEncoder(context: encoder.context, path: path.appending(key), sink: .dict(dict, key: slot))
    }
}
