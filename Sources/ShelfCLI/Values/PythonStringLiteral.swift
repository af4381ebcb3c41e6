/// One string or bytes literal of Python source, decoded: `'a\n'`, `r"\d"`, `b'\x00'`, `'''…'''`.
struct PythonStringLiteral {
    /// Whether it is a bytes literal (`b` prefix).
    var isBytes: Bool
    /// Whether it is an f-string, which `ast.literal_eval` refuses.
    var isFormatted: Bool
    /// The code points of a `str`, or the bytes of a `bytes` value (each below 256).
    var codePoints: [UInt32]

    /// Decodes the body of a literal (what is between the quotes), given its prefix letters.
    ///
    /// Escapes follow Python 3.11: `\` newline, `\\`, `\'`, `\"`, `\a`, `\b`, `\f`, `\n`, `\r`, `\t`, `\v`,
    /// one to three octal digits, `\xhh`, and in `str` only `\N{name}`, `\uXXXX` and `\UXXXXXXXX`; any other
    /// backslash stays as it is. Raw literals keep every backslash. Bytes literals must be ASCII; an octal
    /// escape above `\377` keeps its low 8 bits there, as CPython does.
    ///
    /// - Parameters:
    ///   - body: The characters between the quotes, newlines normalized to `\n`, as a slice of the whole text
    ///     (its indices are the offsets errors report).
    ///   - prefix: The prefix letters, lowercased: `""`, `r`, `u`, `b`, `f`, `br`, `rb`, `fr` or `rf`.
    init(body: ArraySlice<Unicode.Scalar>, prefix: String) throws(ValueSyntaxError) {
        isBytes = prefix.contains("b")
        isFormatted = prefix.contains("f")
        let isRaw = prefix.contains("r")
        codePoints = []
        codePoints.reserveCapacity(body.count)
        if isBytes, let index = body.firstIndex(where: { $0.value >= 0x80 }) {
            throw ValueSyntaxError("bytes can only contain ASCII literal characters", at: index)
        }
        if isRaw {
            codePoints = body.map(\.value)
            return
        }
        var index = body.startIndex
        while index < body.endIndex {
            let scalar = body[index]
            index += 1
            guard scalar == "\\", index < body.endIndex else {
                codePoints.append(scalar.value)
                continue
            }
            let escapeStart = index - 1
            let escaped = body[index]
            index += 1
            switch escaped {
            case "\n": break
            case "\\", "'", "\"": codePoints.append(escaped.value)
            case "a": codePoints.append(0x07)
            case "b": codePoints.append(0x08)
            case "f": codePoints.append(0x0C)
            case "n": codePoints.append(0x0A)
            case "r": codePoints.append(0x0D)
            case "t": codePoints.append(0x09)
            case "v": codePoints.append(0x0B)
            case "0"..."7":
                var value = escaped.value - 0x30
                var digits = 1
                while digits < 3, index < body.endIndex, ("0"..."7").contains(body[index]) {
                    value = value * 8 + body[index].value - 0x30
                    index += 1
                    digits += 1
                }
                codePoints.append(isBytes ? value & 0xFF : value)
            case "x":
                codePoints.append(try Self.hexEscape(body, &index, digits: 2, escapeStart: escapeStart, name: "\\xXX"))
            case "u" where !isBytes:
                codePoints.append(
                    try Self.hexEscape(body, &index, digits: 4, escapeStart: escapeStart, name: "\\uXXXX"))
            case "U" where !isBytes:
                let value = try Self.hexEscape(body, &index, digits: 8, escapeStart: escapeStart, name: "\\UXXXXXXXX")
                guard value <= 0x10FFFF else {
                    throw ValueSyntaxError("\\U escape beyond U+10FFFF", at: escapeStart)
                }
                codePoints.append(value)
            case "N" where !isBytes:
                guard index < body.endIndex, body[index] == "{",
                    let close = body[index...].firstIndex(of: "}")
                else {
                    throw ValueSyntaxError("malformed \\N character escape", at: escapeStart)
                }
                var name = ""
                name.unicodeScalars.append(contentsOf: body[(index + 1)..<close])
                guard let scalar = UnicodeNames.scalar(named: name) else {
                    throw ValueSyntaxError("unknown Unicode character name '\(name)'", at: escapeStart)
                }
                codePoints.append(scalar.value)
                index = close + 1
            default:
                // Not an escape: Python keeps the backslash and the character.
                codePoints.append(0x5C)
                codePoints.append(escaped.value)
            }
        }
    }

    /// Reads exactly `digits` hexadecimal digits at `index`.
    private static func hexEscape(
        _ body: ArraySlice<Unicode.Scalar>, _ index: inout Int, digits: Int, escapeStart: Int, name: String
    ) throws(ValueSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard index < body.endIndex, let digit = hexDigitValue(body[index]) else {
                throw ValueSyntaxError("truncated \(name) escape", at: escapeStart)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
