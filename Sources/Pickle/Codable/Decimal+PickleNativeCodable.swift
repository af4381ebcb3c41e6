#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `Decimal` ⇄ `decimal.Decimal`, pickled as CPython pickles one: `decimal.Decimal('1.5')`, from
/// the text form.
///
/// Foundation's `Decimal` holds up to 38 significant digits with an exponent from -128 to 127 and
/// no infinities: a Python `Decimal` beyond that (`Decimal('Infinity')`, `Decimal('sNaN')`, 50
/// digits, `1E-200`) is a decoding error rather than a rounded value. `Decimal('NaN')` becomes
/// `Decimal.nan` (its sign and payload are dropped), and trailing zeros are not kept
/// (`Decimal('1.50')` reads as 1.5). Decoding also accepts an `int`.
extension Decimal: PickleNativeEncodable, PickleNativeDecodable {
    static let pythonClass = PickleGlobal(module: "decimal", name: "Decimal")

    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue {
        .object(
            PickleObject(
                construction: .reduce, callable: .global(Self.pythonClass),
                arguments: [.string(isNaN ? "NaN" : description)]))
    }

    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        let text: String
        switch value {
        case .int(let integer):
            text = String(integer)
        case .bigInt(let big):
            guard big.bitLength <= 130 else {
                throw PickleCodingErrors.corrupted(
                    "\(describe(big)) has more than \(Self.maximumDigits) digits, more than Foundation.Decimal holds",
                    at: path)
            }
            text = big.description
        case .object(let object)
        where object.construction == .reduce && object.global == Self.pythonClass && object.arguments.count == 1:
            guard case .string(let string) = object.arguments[0] else {
                throw PickleCodingErrors.corrupted(
                    "decimal.Decimal from a \(object.arguments[0].pythonTypeName)", at: path)
            }
            text = string
        default:
            throw PickleCodingErrors.mismatch(Decimal.self, expected: "decimal.Decimal", found: value, at: path)
        }
        self = try Self.parsePython(text, at: path)
    }

    /// The largest number of significant digits read exactly.
    static let maximumDigits = 38

    /// Parses Python's text form of a `Decimal` exactly, or throws.
    static func parsePython(_ text: String, at path: @autoclosure () -> PickleCodingPath) throws -> Decimal {
        func fail(_ reason: String) -> DecodingError {
            PickleCodingErrors.corrupted("Decimal('\(text)') \(reason)", at: path())
        }
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        let lowered = rest.lowercased()
        if lowered.hasPrefix("nan"), lowered.dropFirst(3).allSatisfy(\.isASCIIDigitCharacter) { return .nan }
        if lowered.hasPrefix("snan") || lowered == "inf" || lowered == "infinity" {
            throw fail("cannot be represented by Foundation.Decimal, which has no infinities or signaling NaNs")
        }
        // Coefficient digits, with the position of the point, then an optional exponent.
        var digits: [UInt8] = []
        var fractionDigits = 0
        var seenPoint = false
        var sawDigit = false
        var index = rest.startIndex
        while index < rest.endIndex {
            let character = rest[index]
            if let digit = character.wholeNumberValue, character.isASCII {
                sawDigit = true
                if !(digits.isEmpty && digit == 0) { digits.append(UInt8(digit)) }
                if seenPoint { fractionDigits += 1 }
            } else if character == ".", !seenPoint {
                seenPoint = true
            } else {
                break
            }
            index = rest.index(after: index)
        }
        var exponent = 0
        if index < rest.endIndex {
            guard rest[index] == "e" || rest[index] == "E", let parsed = Int(rest[rest.index(after: index)...]),
                parsed.magnitude < 1 << 40
            else { throw fail("is not a decimal number") }
            exponent = parsed
        }
        guard sawDigit else { throw fail("is not a decimal number") }
        if digits.isEmpty { return .zero }
        exponent -= fractionDigits
        while digits.last == 0 {
            digits.removeLast()
            exponent += 1
        }
        guard digits.count <= maximumDigits else {
            throw fail("has more than \(maximumDigits) significant digits, more than Foundation.Decimal holds")
        }
        if exponent > 127, digits.count + (exponent - 127) <= maximumDigits {
            digits += repeatElement(0, count: exponent - 127)
            exponent = 127
        }
        let canonical =
            (negative ? "-" : "") + String(digits.map { Character(Unicode.Scalar($0 + 0x30)) })
            + "E\(exponent)"
        guard (-128...127).contains(exponent), let decimal = Decimal(string: canonical) else {
            throw fail("is beyond the range of Foundation.Decimal")
        }
        return decimal
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isWholeNumber }
}
