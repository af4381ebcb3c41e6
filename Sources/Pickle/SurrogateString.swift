/// A Python `str` that holds at least one lone surrogate (U+D800 to U+DFFF).
///
/// Python strings are sequences of code points and may hold lone surrogates, for instance from
/// `os.fsdecode` of undecodable file names; CPython pickles them as UTF-8 with surrogates encoded
/// like any other code point ("surrogatepass"). A Swift `String` cannot hold them, so such a `str`
/// is kept here as its code points and pickles back out unchanged.
///
/// ```swift
/// let odd = SurrogateString(codePoints: [0x61, 0xD800])!
/// odd.lossyString          // "a\u{FFFD}"
/// ```
public struct SurrogateString: Hashable, Sendable, CustomStringConvertible {
    /// The string's code points, each at most U+10FFFF, at least one a lone surrogate.
    public let codePoints: [UInt32]

    /// Creates a string from code points.
    ///
    /// - Returns: `nil` when no code point is a surrogate (use a `String` then) or one is beyond
    ///   U+10FFFF.
    public init?(codePoints: [UInt32]) {
        guard codePoints.contains(where: { (0xD800...0xDFFF).contains($0) }),
            !codePoints.contains(where: { $0 > 0x10FFFF })
        else { return nil }
        self.codePoints = codePoints
    }

    /// Decodes UTF-8 in which surrogate code points may appear encoded as three bytes, as CPython's
    /// `'surrogatepass'` error handler writes them.
    ///
    /// - Returns: the code points, or `nil` when the bytes are not such UTF-8.
    public static func decodeSurrogatePassUTF8(_ bytes: some Collection<UInt8>) -> [UInt32]? {
        var result: [UInt32] = []
        result.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        func continuation() -> UInt32? {
            guard let byte = iterator.next(), byte & 0xC0 == 0x80 else { return nil }
            return UInt32(byte & 0x3F)
        }
        while let lead = iterator.next() {
            switch lead {
            case 0x00...0x7F:
                result.append(UInt32(lead))
            case 0xC2...0xDF:
                guard let c1 = continuation() else { return nil }
                result.append(UInt32(lead & 0x1F) << 6 | c1)
            case 0xE0...0xEF:
                guard let c1 = continuation(), let c2 = continuation() else { return nil }
                let point = UInt32(lead & 0x0F) << 12 | c1 << 6 | c2
                guard point >= 0x800 else { return nil }
                result.append(point)
            case 0xF0...0xF4:
                guard let c1 = continuation(), let c2 = continuation(), let c3 = continuation() else { return nil }
                let point = UInt32(lead & 0x07) << 18 | c1 << 12 | c2 << 6 | c3
                guard (0x10000...0x10FFFF).contains(point) else { return nil }
                result.append(point)
            default:
                return nil
            }
        }
        return result
    }

    /// The string as UTF-8 with surrogates encoded as three bytes each, as CPython pickles it.
    public var surrogatePassUTF8: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(codePoints.count)
        for point in codePoints {
            switch point {
            case 0..<0x80:
                bytes.append(UInt8(point))
            case 0x80..<0x800:
                bytes.append(0xC0 | UInt8(point >> 6))
                bytes.append(0x80 | UInt8(point & 0x3F))
            case 0x800..<0x10000:
                bytes.append(0xE0 | UInt8(point >> 12))
                bytes.append(0x80 | UInt8((point >> 6) & 0x3F))
                bytes.append(0x80 | UInt8(point & 0x3F))
            default:
                bytes.append(0xF0 | UInt8(point >> 18))
                bytes.append(0x80 | UInt8((point >> 12) & 0x3F))
                bytes.append(0x80 | UInt8((point >> 6) & 0x3F))
                bytes.append(0x80 | UInt8(point & 0x3F))
            }
        }
        return bytes
    }

    /// The string with each lone surrogate replaced by U+FFFD.
    public var lossyString: String {
        var scalars = String.UnicodeScalarView()
        for point in codePoints { scalars.append(Unicode.Scalar(point) ?? "\u{FFFD}") }
        return String(scalars)
    }

    /// The string with each lone surrogate replaced by U+FFFD.
    public var description: String { lossyString }
}
