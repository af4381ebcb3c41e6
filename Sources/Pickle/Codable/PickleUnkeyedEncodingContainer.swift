/// The unkeyed container of ``_PickleEncoder``: appends each element to a ``PickleList``.
struct PickleUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let encoder: _PickleEncoder
    let list: PickleList
    let path: PickleCodingPath
    /// The context's epoch when the container was made (see ``PickleEncodingContext/epoch``).
    let epoch: Int

    init(encoder: _PickleEncoder, list: PickleList, path: PickleCodingPath) {
        self.encoder = encoder
        self.list = list
        self.path = path
        self.epoch = encoder.context.epoch
    }

    private func append(_ value: PickleValue) {
        encoder.context.noteWrite(madeIn: epoch)
        list.append(value)
    }

    var codingPath: [any CodingKey] { path.keys }

    var count: Int { list.count }

    mutating func encodeNil() throws { append(.none) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(.float(value)) }
    mutating func encode(_ value: Float) throws { append(.float(Double(value))) }
    mutating func encode(_ value: Int) throws { append(.int(value)) }
    mutating func encode(_ value: Int8) throws { append(.int(Int(value))) }
    mutating func encode(_ value: Int16) throws { append(.int(Int(value))) }
    mutating func encode(_ value: Int32) throws { append(.int(Int(value))) }
    mutating func encode(_ value: Int64) throws { append(.integer(exactly: value)) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: Int128) throws { append(.integer(exactly: value)) }
    mutating func encode(_ value: UInt) throws { append(.integer(exactly: value)) }
    mutating func encode(_ value: UInt8) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt16) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt32) throws { append(.integer(exactly: value)) }
    mutating func encode(_ value: UInt64) throws { append(.integer(exactly: value)) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: UInt128) throws { append(.integer(exactly: value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        append(try encoder.wrap(value, at: path.appending(index: list.count)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = PickleDict()
        let nestedPath = path.appending(index: list.count)
        append(.dict(nested))
        return KeyedEncodingContainer(
            PickleKeyedEncodingContainer<NestedKey>(encoder: encoder, dict: nested, path: nestedPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = PickleList()
        let nestedPath = path.appending(index: list.count)
        append(.list(nested))
        return PickleUnkeyedEncodingContainer(encoder: encoder, list: nested, path: nestedPath)
    }

    /// An encoder whose value becomes the next element; an empty dict until something is encoded.
    mutating func superEncoder() -> any Encoder {
        let index = list.count
        append(.dict(PickleDict()))
        return _PickleEncoder(
            context: encoder.context, path: path.appending(index: index), sink: .list(list, index: index))
    }
}
