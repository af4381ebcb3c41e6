/// The unkeyed container of ``_PickleArenaDecoder``: reads the children of a list or tuple node in order.
struct PickleArenaUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: _PickleArenaDecoder
    /// The index in ``PickleArena/children`` of the first element.
    let first: Int
    let elementCount: Int
    let path: PickleCodingPath
    private(set) var currentIndex = 0

    init(decoder: _PickleArenaDecoder, first: Int, count: Int, path: PickleCodingPath) {
        self.decoder = decoder
        self.first = first
        elementCount = count
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }

    var count: Int? { elementCount }

    var isAtEnd: Bool { currentIndex >= elementCount }

    /// Decodes the current element with `body`, then moves past it; the index stays put on failure.
    @inline(__always)
    private mutating func advance<T>(
        _ body: (Int32, @autoclosure () -> PickleCodingPath) throws -> T
    ) throws -> T {
        guard currentIndex < elementCount else {
            throw PickleCodingErrors.endOfSequence(T.self, count: elementCount, at: path.appending(index: currentIndex))
        }
        let result = try body(decoder.arena.children[first + currentIndex], path.appending(index: currentIndex))
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < elementCount else {
            throw PickleCodingErrors.endOfSequence(
                Optional<Any>.self, count: elementCount, at: path.appending(index: currentIndex))
        }
        guard decoder.kind(of: decoder.arena.children[first + currentIndex]) == .none else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let decoder = self.decoder
        return try advance { try decoder.bool($0, at: $1()) }
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let decoder = self.decoder
        return try advance { try decoder.string($0, at: $1()) }
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let decoder = self.decoder
        return try advance { try decoder.double($0, at: $1()) }
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        let decoder = self.decoder
        return try advance { try decoder.float($0, at: $1()) }
    }

    mutating func decode(_ type: Int.Type) throws -> Int {
        let decoder = self.decoder
        return try advance { try decoder.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: Int8.Type) throws -> Int8 {
        let decoder = self.decoder
        return try advance { try decoder.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: Int16.Type) throws -> Int16 {
        let decoder = self.decoder
        return try advance { try decoder.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: Int32.Type) throws -> Int32 {
        let decoder = self.decoder
        return try advance { try decoder.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: Int64.Type) throws -> Int64 {
        let decoder = self.decoder
        return try advance { try decoder.integer($0, as: type, at: $1()) }
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func decode(_ type: Int128.Type) throws -> Int128 {
        let decoder = self.decoder
        return try advance { try decoder.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: UInt.Type) throws -> UInt {
        let decoder = self.decoder
        return try advance { try decoder.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
        let decoder = self.decoder
        return try advance { try decoder.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
        let decoder = self.decoder
        return try advance { try decoder.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
        let decoder = self.decoder
        return try advance { try decoder.integer($0, as: type, at: $1()) }
    }

    mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
        let decoder = self.decoder
        return try advance { try decoder.integer($0, as: type, at: $1()) }
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 {
        let decoder = self.decoder
        return try advance { try decoder.integer($0, as: type, at: $1()) }
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = self.decoder
        return try advance { index, path in try decoder.unwrap(type, node: index, at: path()) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let decoder = self.decoder
        return try advance { index, path in try decoder.keyedContainer(type, for: index, at: path()) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let decoder = self.decoder
        return try advance { index, path -> any UnkeyedDecodingContainer in
            try decoder.unkeyedContainer(for: index, at: path())
        }
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = self.decoder
        return try advance { index, path -> any Decoder in
            _PickleArenaDecoder(context: decoder.context, arena: decoder.arena, node: index, path: path())
        }
    }
}
