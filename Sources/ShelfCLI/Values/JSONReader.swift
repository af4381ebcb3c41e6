import Pickle

/// Reads JSON text into a value, the way Python's `json.loads` reads it.
///
/// `null`, `true` and `false` become `None`, `True` and `False`; a number without a fraction or an
/// exponent becomes an `int` of any size, any other number a `float` (`1e400` is `inf`, as in Python);
/// a string becomes a `str`, with `\uXXXX` surrogate pairs joined and lone surrogates kept; an array
/// becomes a `list` and an object a `dict` (a repeated key keeps its first place and its last value).
/// Like Python, it accepts `NaN`, `Infinity` and `-Infinity`. Whitespace is JSON's (space, tab, line feed,
/// carriage return); anything after the value is an error.
enum JSONReader {
    /// Nesting deeper than this is refused, as Python refuses it with a `RecursionError`.
    static let maxDepth = 1000

    /// Python's limit on the digits of an `int` read from text.
    static let maxIntegerDigits = 4300

    /// The value of `text`.
    static func value(of text: String) throws(ValueSyntaxError) -> PickleValue {
        var parser = Parser(scalars: Array(text.unicodeScalars))
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == parser.scalars.count else {
            throw ValueSyntaxError("extra data after the JSON value", at: parser.position)
        }
        return value
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var position = 0

        var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

        mutating func skipWhitespace() {
            while let scalar = current, scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                position += 1
            }
        }

        mutating func parseValue(depth: Int) throws(ValueSyntaxError) -> PickleValue {
            guard depth < JSONReader.maxDepth else {
                throw ValueSyntaxError("JSON nested more than \(JSONReader.maxDepth) levels deep", at: position)
            }
            guard let scalar = current else { throw ValueSyntaxError("expecting a JSON value", at: position) }
            switch scalar {
            case "{": return try parseObject(depth: depth)
            case "[": return try parseArray(depth: depth)
            case "\"": return try parseString()
            case "-", "0"..."9":
                if scalar == "-", matches("-Infinity") {
                    position += 9
                    return .float(-.infinity)
                }
                return try parseNumber()
            default:
                for (word, value) in [
                    ("null", PickleValue.none), ("true", true), ("false", false),
                    ("NaN", .float(.nan)), ("Infinity", .float(.infinity)),
                ] where matches(word) {
                    position += word.unicodeScalars.count
                    return value
                }
                throw ValueSyntaxError("expecting a JSON value", at: position)
            }
        }

        private func matches(_ word: String) -> Bool {
            var index = position
            for scalar in word.unicodeScalars {
                guard index < scalars.count, scalars[index] == scalar else { return false }
                index += 1
            }
            return true
        }

        private mutating func parseObject(depth: Int) throws(ValueSyntaxError) -> PickleValue {
            position += 1
            let dict = PickleDict()
            skipWhitespace()
            if current == "}" {
                position += 1
                return .dict(dict)
            }
            while true {
                skipWhitespace()
                guard current == "\"" else {
                    throw ValueSyntaxError("expecting a property name in double quotes", at: position)
                }
                let key = try parseString()
                skipWhitespace()
                guard current == ":" else { throw ValueSyntaxError("expecting ':' after a key", at: position) }
                position += 1
                skipWhitespace()
                let value = try parseValue(depth: depth + 1)
                _ = dict.updateValue(value, forKey: key)
                skipWhitespace()
                switch current {
                case ",": position += 1
                case "}":
                    position += 1
                    return .dict(dict)
                default: throw ValueSyntaxError("expecting ',' or '}' in an object", at: position)
                }
            }
        }

        private mutating func parseArray(depth: Int) throws(ValueSyntaxError) -> PickleValue {
            position += 1
            var elements: [PickleValue] = []
            skipWhitespace()
            if current == "]" {
                position += 1
                return .list(PickleList(elements))
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                switch current {
                case ",": position += 1
                case "]":
                    position += 1
                    return .list(PickleList(elements))
                default: throw ValueSyntaxError("expecting ',' or ']' in an array", at: position)
                }
            }
        }

        private mutating func parseNumber() throws(ValueSyntaxError) -> PickleValue {
            let start = position
            if current == "-" { position += 1 }
            guard let first = current, ("0"..."9").contains(first) else {
                throw ValueSyntaxError("expecting a JSON value", at: start)
            }
            if first == "0" {
                position += 1
            } else {
                skipDigits()
            }
            var isFloat = false
            if current == ".", position + 1 < scalars.count, ("0"..."9").contains(scalars[position + 1]) {
                isFloat = true
                position += 1
                skipDigits()
            }
            if current == "e" || current == "E" {
                var index = position + 1
                if index < scalars.count, scalars[index] == "+" || scalars[index] == "-" { index += 1 }
                if index < scalars.count, ("0"..."9").contains(scalars[index]) {
                    isFloat = true
                    position = index
                    skipDigits()
                }
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[start..<position])
            if isFloat {
                guard let double = Double(text) else { throw ValueSyntaxError("invalid number", at: start) }
                return .float(double)
            }
            let digits = text.hasPrefix("-") ? text.count - 1 : text.count
            guard digits <= JSONReader.maxIntegerDigits else {
                throw ValueSyntaxError(
                    "an integer of \(digits) digits exceeds Python's limit of \(JSONReader.maxIntegerDigits)",
                    at: start)
            }
            guard let integer = BigInteger(text) else { throw ValueSyntaxError("invalid number", at: start) }
            return .integer(integer)
        }

        private mutating func skipDigits() {
            while let scalar = current, ("0"..."9").contains(scalar) { position += 1 }
        }

        private mutating func parseString() throws(ValueSyntaxError) -> PickleValue {
            let start = position
            position += 1
            var codePoints: [UInt32] = []
            while true {
                guard let scalar = current else { throw ValueSyntaxError("unterminated string", at: start) }
                position += 1
                switch scalar {
                case "\"":
                    return PickleValue.pythonString(codePoints: codePoints) ?? .string("")
                case "\\":
                    guard let escaped = current else { throw ValueSyntaxError("unterminated string", at: start) }
                    position += 1
                    switch escaped {
                    case "\"", "\\", "/": codePoints.append(escaped.value)
                    case "b": codePoints.append(0x08)
                    case "f": codePoints.append(0x0C)
                    case "n": codePoints.append(0x0A)
                    case "r": codePoints.append(0x0D)
                    case "t": codePoints.append(0x09)
                    case "u":
                        var unit = try hexUnit()
                        if (0xD800...0xDBFF).contains(unit), current == "\\", position + 1 < scalars.count,
                            scalars[position + 1] == "u"
                        {
                            let save = position
                            position += 2
                            let low = try hexUnit()
                            if (0xDC00...0xDFFF).contains(low) {
                                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                position = save
                            }
                        }
                        codePoints.append(unit)
                    default: throw ValueSyntaxError("invalid \\escape", at: position - 2)
                    }
                default:
                    guard scalar.value >= 0x20 else {
                        throw ValueSyntaxError("invalid control character in a string", at: position - 1)
                    }
                    codePoints.append(scalar.value)
                }
            }
        }

        private mutating func hexUnit() throws(ValueSyntaxError) -> UInt32 {
            guard position + 4 <= scalars.count else { throw ValueSyntaxError("invalid \\uXXXX escape", at: position) }
            var unit: UInt32 = 0
            for scalar in scalars[position..<position + 4] {
                guard let digit = hexDigitValue(scalar) else {
                    throw ValueSyntaxError("invalid \\uXXXX escape", at: position)
                }
                unit = unit << 4 | digit
            }
            position += 4
            return unit
        }
    }
}

/// The value of a hexadecimal digit, or `nil`.
func hexDigitValue(_ scalar: Unicode.Scalar) -> UInt32? {
    switch scalar {
    case "0"..."9": scalar.value - 0x30
    case "a"..."f": scalar.value - 0x61 + 10
    case "A"..."F": scalar.value - 0x41 + 10
    default: nil
    }
}
