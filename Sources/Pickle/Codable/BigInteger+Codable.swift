extension BigInteger {
    /// The value of any binary integer.
    init(exactly value: some BinaryInteger) {
        var limbs: [UInt64] = []
        var current: UInt64 = 0
        var filled: UInt64 = 0
        for word in value.magnitude.words {
            current |= UInt64(word) << filled
            filled += UInt64(UInt.bitWidth)
            if filled == 64 {
                limbs.append(current)
                current = 0
                filled = 0
            }
        }
        if filled > 0 { limbs.append(current) }
        self.init(isNegative: value < 0, magnitude: limbs)
    }
}

extension BigInteger: PickleNativeEncodable, PickleNativeDecodable {
    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue { .integer(self) }

    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        self = try Self(pickleValue: value, at: path)
    }

    /// Reads a Python `int` (or `bool`, an `int` in Python).
    init(pickleValue value: PickleValue, at path: PickleCodingPath) throws {
        switch value {
        case .int(let integer): self.init(integer)
        case .bigInt(let big): self = big
        case .bool(let flag): self.init(flag ? 1 : 0)
        default: throw PickleCodingErrors.mismatch(BigInteger.self, expected: "int", found: value, at: path)
        }
    }
}

extension BigInteger: Codable {
    /// Encodes the integer: a Python `int` of any size through ``PickleEncoder``; through other
    /// coders (like `JSONEncoder`), its decimal digits as a string, which no `Double` rounds.
    ///
    /// ```swift
    /// let big = BigInteger("123456789012345678901234567890")!
    /// try JSONEncoder().encode([big])    // ["123456789012345678901234567890"]
    /// ```
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: What the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? _PickleEncoder { return encoder.store(.integer(self)) }
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Decodes an integer: a Python `int` through ``PickleDecoder``; through other coders, decimal
    /// digits as a string, or an integer that fits in `Int`.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when the value is neither.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? _PickleDecoder {
            self = try Self(pickleValue: decoder.value, at: decoder.path)
            return
        }
        let container = try decoder.singleValueContainer()
        if let small = try? container.decode(Int.self) {
            self.init(small)
            return
        }
        let text = try container.decode(String.self)
        guard let value = BigInteger(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an integer")
        }
        self = value
    }
}
