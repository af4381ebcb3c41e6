/// An arbitrary-precision integer, for Python `int` values beyond the range of `Int`.
///
/// Python integers have no size limit; a pickle writes the large ones as little-endian
/// two's-complement bytes (`LONG1`, `LONG4`) or as decimal text (`LONG`, protocol 0). This type
/// holds such a value exactly and converts it to and from those forms, decimal text, `Int` and
/// `Double`. It is a carrier for values, not a full arithmetic library: it offers comparison and
/// negation, not multiplication or division.
///
/// ```swift
/// let big = BigInteger("123456789012345678901234567890")!
/// big.description            // "123456789012345678901234567890"
/// Int(exactly: big)          // nil
/// BigInteger(42).twosComplementLittleEndian   // [0x2a]
/// ```
public struct BigInteger: Hashable, Sendable, Comparable, CustomStringConvertible, LosslessStringConvertible,
    ExpressibleByIntegerLiteral
{
    /// Whether the value is below zero.
    public private(set) var isNegative: Bool
    /// The absolute value as 64-bit limbs, least significant first, without high zero limbs;
    /// empty for zero.
    public private(set) var magnitude: [UInt64]

    /// Creates a value from a sign and a magnitude (limbs least significant first).
    public init(isNegative: Bool, magnitude: [UInt64]) {
        var limbs = magnitude
        while limbs.last == 0 { limbs.removeLast() }
        self.magnitude = limbs
        self.isNegative = isNegative && !limbs.isEmpty
    }

    /// Creates a value equal to `value`.
    public init(_ value: Int) {
        self.init(isNegative: value < 0, magnitude: [value.magnitude.toUInt64])
    }

    /// Creates a value from an integer literal.
    public init(integerLiteral value: Int) { self.init(value) }

    /// Creates the value of `value` when it is a finite whole number, else `nil`.
    public init?(exactly value: Double) {
        guard value.isFinite, value.rounded(.towardZero) == value else { return nil }
        let magnitude = value.magnitude
        if magnitude < 18446744073709551616.0 {
            self.init(isNegative: value < 0, magnitude: [UInt64(magnitude)])
            return
        }
        // magnitude = significand * 2^exponent with a 53-bit integer significand.
        let exponent = Int(magnitude.exponent) - 52
        let significand = UInt64(magnitude.significandBitPattern) | (1 << 52)
        var limbs = [UInt64](repeating: 0, count: exponent / 64 + 2)
        let shift = exponent % 64
        limbs[exponent / 64] = significand << UInt64(shift)
        if shift > 0 { limbs[exponent / 64 + 1] = significand >> UInt64(64 - shift) }
        self.init(isNegative: value < 0, magnitude: limbs)
    }

    /// Parses decimal digits with an optional leading `+` or `-`; underscores are not accepted.
    ///
    /// - Returns: `nil` when `description` is not such a number.
    public init?(_ description: String) {
        var utf8 = Substring(description).utf8[...]
        var negative = false
        if let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        guard !utf8.isEmpty, utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var limbs: [UInt64] = []
        // Consume the digits 19 at a time (10^19 fits in a UInt64), the shortest chunk first.
        let digits = Array(utf8)
        var position = 0
        var chunkLength = digits.count % 19 == 0 ? 19 : digits.count % 19
        while position < digits.count {
            var chunk: UInt64 = 0
            var scale: UInt64 = 1
            for digit in digits[position..<position + chunkLength] {
                chunk = chunk * 10 + UInt64(digit - 0x30)
                scale *= 10
            }
            Self.multiplyAdd(&limbs, multiplier: scale, addend: chunk)
            position += chunkLength
            chunkLength = 19
        }
        self.init(isNegative: negative, magnitude: limbs)
    }

    /// Decodes little-endian two's-complement bytes, as `LONG1` and `LONG4` carry them; no bytes
    /// means zero.
    public init(twosComplementLittleEndian bytes: some Collection<UInt8>) {
        guard let last = bytes.reversed().first else {
            self.init(isNegative: false, magnitude: [])
            return
        }
        let negative = last & 0x80 != 0
        var limbs = [UInt64](repeating: 0, count: (bytes.count + 7) / 8)
        for (offset, byte) in bytes.enumerated() {
            limbs[offset / 8] |= UInt64(negative ? ~byte : byte) << UInt64(8 * (offset % 8))
        }
        if negative {
            // The bytes were inverted above; the magnitude of a negative value is ~x + 1.
            let fill = bytes.count % 8
            if fill != 0 { limbs[limbs.count - 1] &= (1 << UInt64(8 * fill)) - 1 }
            Self.multiplyAdd(&limbs, multiplier: 1, addend: 1)
        }
        self.init(isNegative: negative, magnitude: limbs)
    }

    /// The value as little-endian two's-complement bytes of the minimal length that keeps the sign,
    /// as CPython writes `LONG1` and `LONG4`; zero is no bytes.
    public var twosComplementLittleEndian: [UInt8] {
        if magnitude.isEmpty { return [] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(magnitude.count * 8 + 1)
        if isNegative {
            // Two's complement of the magnitude: invert, then add one.
            var carry = true
            for limb in magnitude {
                var inverted = ~limb
                if carry {
                    let (sum, overflow) = inverted.addingReportingOverflow(1)
                    inverted = sum
                    carry = overflow
                }
                for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: inverted >> UInt64(shift))) }
            }
            while bytes.count > 1, bytes[bytes.count - 1] == 0xFF, bytes[bytes.count - 2] & 0x80 != 0 {
                bytes.removeLast()
            }
            if bytes[bytes.count - 1] & 0x80 == 0 { bytes.append(0xFF) }
        } else {
            for limb in magnitude {
                for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: limb >> UInt64(shift))) }
            }
            while bytes.count > 1, bytes[bytes.count - 1] == 0, bytes[bytes.count - 2] & 0x80 == 0 {
                bytes.removeLast()
            }
            if bytes[bytes.count - 1] & 0x80 != 0 { bytes.append(0) }
        }
        return bytes
    }

    /// The number of bits of the absolute value, like Python's `int.bit_length()`.
    public var bitLength: Int {
        guard let top = magnitude.last else { return 0 }
        return (magnitude.count - 1) * 64 + (64 - top.leadingZeroBitCount)
    }

    /// The value in decimal, with a leading `-` when negative.
    public var description: String {
        if magnitude.isEmpty { return "0" }
        var limbs = magnitude
        var chunks: [UInt64] = []
        let divisor: UInt64 = 10_000_000_000_000_000_000
        while !limbs.isEmpty {
            var remainder: UInt64 = 0
            for position in limbs.indices.reversed() {
                let (quotient, newRemainder) = divisor.dividingFullWidth((remainder, limbs[position]))
                limbs[position] = quotient
                remainder = newRemainder
            }
            while limbs.last == 0 { limbs.removeLast() }
            chunks.append(remainder)
        }
        var text = isNegative ? "-" : ""
        text += String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return text
    }

    /// The value with the opposite sign.
    public static prefix func - (value: BigInteger) -> BigInteger {
        BigInteger(isNegative: !value.isNegative, magnitude: value.magnitude)
    }

    /// Orders values numerically.
    public static func < (lhs: BigInteger, rhs: BigInteger) -> Bool {
        if lhs.isNegative != rhs.isNegative { return lhs.isNegative }
        let magnitudeLess = Self.compareMagnitudes(lhs.magnitude, rhs.magnitude) < 0
        let magnitudeGreater = Self.compareMagnitudes(lhs.magnitude, rhs.magnitude) > 0
        return lhs.isNegative ? magnitudeGreater : magnitudeLess
    }

    private static func compareMagnitudes(_ a: [UInt64], _ b: [UInt64]) -> Int {
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        for position in a.indices.reversed() where a[position] != b[position] {
            return a[position] < b[position] ? -1 : 1
        }
        return 0
    }

    /// limbs = limbs * multiplier + addend.
    private static func multiplyAdd(_ limbs: inout [UInt64], multiplier: UInt64, addend: UInt64) {
        var carry = addend
        for position in limbs.indices {
            let (high, low) = limbs[position].multipliedFullWidth(by: multiplier)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            limbs[position] = sum
            carry = high &+ (overflow ? 1 : 0)
        }
        if carry != 0 { limbs.append(carry) }
    }
}

extension Int {
    /// Creates the value of `value` when it fits in `Int`, else `nil`.
    public init?(exactly value: BigInteger) {
        switch value.magnitude.count {
        case 0:
            self = 0
        case 1:
            let limb = value.magnitude[0]
            if value.isNegative {
                guard limb <= UInt64(Int.max) + 1 else { return nil }
                self = limb == UInt64(Int.max) + 1 ? Int.min : -Int(limb)
            } else {
                guard limb <= UInt64(Int.max) else { return nil }
                self = Int(limb)
            }
        default:
            return nil
        }
    }
}

extension Double {
    /// Creates the nearest `Double` to `value` (infinity when out of range), as Python's
    /// `float(int)` would, except that Python raises `OverflowError` instead of returning infinity.
    public init(_ value: BigInteger) {
        guard value.magnitude.count > 1 else {
            let result = Double(value.magnitude.first ?? 0)  // One limb: one rounding, as Python's.
            self = value.isNegative ? -result : result
            return
        }
        // Summing limbs would round once per limb, and twice can differ from once; the decimal text is
        // exact, and Double(String) rounds it once, to nearest, ties to even.
        self = Double(value.description) ?? (value.isNegative ? -.infinity : .infinity)
    }
}

extension UInt {
    fileprivate var toUInt64: UInt64 { UInt64(self) }
}
