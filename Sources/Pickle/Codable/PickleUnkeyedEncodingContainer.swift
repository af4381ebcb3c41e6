/// The unkeyed container of ``_PickleEncoder``: appends each element to a ``PickleList``.
struct PickleUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let encoder: _PickleEncoder
    let list: PickleList
    let path: PickleCodingPath

    var codingPath: [any CodingKey] { path.keys }

    var count: Int { list.count }

    mutating func encodeNil() throws { list.append(.none) }
    mutating func encode(_ value: Bool) throws { list.append(.bool(value)) }
    mutating func encode(_ value: String) throws { list.append(.string(value)) }
    mutating func encode(_ value: Double) throws { list.append(.float(value)) }
    mutating func encode(_ value: Float) throws { list.append(.float(Double(value))) }
    mutating func encode(_ value: Int) throws { list.append(.int(value)) }
    mutating func encode(_ value: Int8) throws { list.append(.int(Int(value))) }
    mutating func encode(_ value: Int16) throws { list.append(.int(Int(value))) }
    mutating func encode(_ value: Int32) throws { list.append(.int(Int(value))) }
    mutating func encode(_ value: Int64) throws { list.append(.integer(exactly: value)) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: Int128) throws { list.append(.integer(exactly: value)) }
    mutating func encode(_ value: UInt) throws { list.append(.integer(exactly: value)) }
    mutating func encode(_ value: UInt8) throws { list.append(.int(Int(value))) }
    mutating func encode(_ value: UInt16) throws { list.append(.int(Int(value))) }
    mutating func encode(_ value: UInt32) throws { list.append(.integer(exactly: value)) }
    mutating func encode(_ value: UInt64) throws { list.append(.integer(exactly: value)) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: UInt128) throws { list.append(.integer(exactly: value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        list.append(try encoder.wrap(value, at: path.appending(index: list.count)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = PickleDict()
        let nestedPath = path.appending(index: list.count)
        list.append(.dict(nested))
        return KeyedEncodingContainer(
            PickleKeyedEncodingContainer<NestedKey>(encoder: encoder, dict: nested, path: nestedPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = PickleList()
        let nestedPath = path.appending(index: list.count)
        list.append(.list(nested))
        return PickleUnkeyedEncodingContainer(encoder: encoder, list: nested, path: nestedPath)
    }

    /// An encoder whose value becomes the next element; an empty dict until something is encoded.
    mutating func superEncoder() -> any Encoder {
        let index = list.count
        list.append(.dict(PickleDict()))
        return _PickleEncoder(
            context: encoder.context, path: path.appending(index: index), sink: .list(list, index: index))
    }
}
