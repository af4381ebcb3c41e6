/// The unkeyed container of ``_PickleDecoder``: reads the elements of a list, tuple, set or
/// frozenset in order.
struct PickleUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: _PickleDecoder
    let elements: [PickleValue]
    let path: PickleCodingPath
    private(set) var currentIndex = 0

    init(decoder: _PickleDecoder, elements: [PickleValue], path: PickleCodingPath) {
        self.decoder = decoder
        self.elements = elements
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }

    var count: Int? { elements.count }

    var isAtEnd: Bool { currentIndex >= elements.count }

    /// Decodes the current element with `body`, then moves past it; the index stays put on failure.
    private mutating func advance<T>(
        _ body: (PickleValue, @autoclosure () -> PickleCodingPath) throws -> T
    ) throws -> T {
        guard currentIndex < elements.count else {
            throw PickleCodingErrors.endOfSequence(
                T.self, count: elements.count, at: path.appending(index: currentIndex))
        }
        let result = try body(elements[currentIndex], path.appending(index: currentIndex))
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < elements.count else {
            throw PickleCodingErrors.endOfSequence(
                Optional<Any>.self, count: elements.count, at: path.appending(index: currentIndex))
        }
        guard elements[currentIndex].isNone else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        try advance { try PickleUnboxing.bool($0, at: $1()) }
    }

    mutating func decode(_ type: String.Type) throws -> String {
        try advance { try PickleUnboxing.string($0, at: $1()) }
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        try advance { try PickleUnboxing.double($0, at: $1()) }
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        try advance { try PickleUnboxing.float($0, at: $1()) }
    }

    mutating func decode(_ type: Int.Type) throws -> Int {
        try advance { try PickleUnboxing.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: Int8.Type) throws -> Int8 {
        try advance { try PickleUnboxing.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: Int16.Type) throws -> Int16 {
        try advance { try PickleUnboxing.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: Int32.Type) throws -> Int32 {
        try advance { try PickleUnboxing.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: Int64.Type) throws -> Int64 {
        try advance { try PickleUnboxing.integer($0, as: type, at: $1()) }
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func decode(_ type: Int128.Type) throws -> Int128 {
        try advance { try PickleUnboxing.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: UInt.Type) throws -> UInt {
        try advance { try PickleUnboxing.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
        try advance { try PickleUnboxing.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
        try advance { try PickleUnboxing.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
        try advance { try PickleUnboxing.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
        try advance { try PickleUnboxing.integer($0, as: type, at: $1()) }
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 {
        try advance { try PickleUnboxing.integer($0, as: type, at: $1()) }
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = self.decoder
        return try advance { value, path in try decoder.unwrap(type, from: value, at: path()) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let decoder = self.decoder
        return try advance { value, path in
            KeyedDecodingContainer(try decoder.keyedContainer(type, for: value, at: path()))
        }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let decoder = self.decoder
        // (Typed as the protocol, which an error past the end names.)
        return try advance { value, path -> any UnkeyedDecodingContainer in
            try decoder.unkeyedContainer(for: value, at: path())
        }
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = self.decoder
        return try advance { value, path -> any Decoder in
            _PickleDecoder(context: decoder.context, value: value, path: path())
        }
    }
}
