import Pickle

/// Splits Python source into the tokens ``PythonLiteralParser`` needs, with Python 3.11's rules for
/// numbers, strings, comments, line continuations and newlines inside brackets.
///
/// Anything that cannot start a literal's token (like `=` or `@`) is an error at once.
struct PythonLiteralLexer {
    /// Python refuses brackets nested deeper than this ("too many nested parentheses").
    static let maxBracketDepth = 200

    /// Python's limit on the digits of a decimal `int` literal.
    static let maxIntegerDigits = 4300

    private let scalars: [Unicode.Scalar]
    private(set) var position = 0
    private var bracketDepth = 0

    /// The offset where the last token returned by ``next()`` starts.
    private(set) var tokenStart = 0

    /// A lexer over `text`, whose newlines (`\r\n`, `\r`) are first normalized to `\n` as Python does.
    init(_ text: String) {
        var normalized: [Unicode.Scalar] = []
        normalized.reserveCapacity(text.unicodeScalars.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                normalized.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n", previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            normalized.append(scalar)
        }
        scalars = normalized
    }

    private var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private func peek(_ distance: Int) -> Unicode.Scalar? {
        position + distance < scalars.count ? scalars[position + distance] : nil
    }

    /// Reads the next token.
    mutating func next() throws(ValueSyntaxError) -> PythonLiteralToken {
        while true {
            skipBlanks()
            tokenStart = position
            guard let scalar = current else { return .end }
            switch scalar {
            case "\n":
                position += 1
                if bracketDepth > 0 { continue }
                return .newline
            case "\\":
                guard peek(1) == "\n" else {
                    throw ValueSyntaxError("unexpected character after line continuation character", at: position)
                }
                position += 2
                continue
            case "'", "\"":
                return .string(try string(prefix: ""))
            case "0"..."9":
                return .number(try number())
            case ".":
                if let next = peek(1), ("0"..."9").contains(next) { return .number(try number()) }
                if peek(1) == ".", peek(2) == "." {
                    position += 3
                    return .symbol("...")
                }
                position += 1
                return .symbol(".")
            case "(", "[", "{":
                bracketDepth += 1
                guard bracketDepth <= Self.maxBracketDepth else {
                    throw ValueSyntaxError(
                        "too many nested brackets (Python allows \(Self.maxBracketDepth))",
                        at: position)
                }
                position += 1
                return .symbol(String(scalar))
            case ")", "]", "}":
                bracketDepth = max(0, bracketDepth - 1)
                position += 1
                return .symbol(String(scalar))
            case ",", ":", "+", "-", "~":
                position += 1
                return .symbol(String(scalar))
            case "*":
                position += peek(1) == "*" ? 2 : 1
                return .symbol(position - tokenStart == 2 ? "**" : "*")
            default:
                if Self.isIdentifierStart(scalar) { return try nameOrString() }
                throw ValueSyntaxError("'\(scalar)' cannot appear in a literal", at: position)
            }
        }
    }

    /// Skips spaces, tabs, form feeds and comments (not newlines).
    private mutating func skipBlanks() {
        while let scalar = current {
            if scalar == " " || scalar == "\t" || scalar == "\u{0C}" {
                position += 1
            } else if scalar == "#" {
                while let next = current, next != "\n" { position += 1 }
            } else {
                return
            }
        }
    }

    private static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
            || (!scalar.isASCII && scalar.properties.isXIDStart)
    }

    private static func isIdentifierContinue(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || ("0"..."9").contains(scalar)
            || (!scalar.isASCII && scalar.properties.isXIDContinue)
    }

    /// A name, or a string literal when the name is a string prefix right before a quote.
    private mutating func nameOrString() throws(ValueSyntaxError) -> PythonLiteralToken {
        let start = position
        while let scalar = current, Self.isIdentifierContinue(scalar) { position += 1 }
        var name = ""
        name.unicodeScalars.append(contentsOf: scalars[start..<position])
        if current == "'" || current == "\"" {
            let prefix = name.lowercased()
            if ["r", "u", "b", "f", "br", "rb", "fr", "rf"].contains(prefix) {
                return .string(try string(prefix: prefix))
            }
        }
        return .name(name)
    }

    /// A string literal whose opening quote is at `position`.
    private mutating func string(prefix: String) throws(ValueSyntaxError) -> PythonStringLiteral {
        let start = tokenStart
        guard let quote = current else { throw ValueSyntaxError("unterminated string literal", at: start) }
        let triple = peek(1) == quote && peek(2) == quote
        position += triple ? 3 : 1
        let bodyStart = position
        while true {
            guard let scalar = current else {
                let kind = triple ? "triple-quoted string literal" : "string literal"
                throw ValueSyntaxError("unterminated \(kind)", at: start)
            }
            if scalar == "\\" {
                position += 2  // The backslash escapes the next character, in raw literals too.
                continue
            }
            if scalar == "\n", !triple { throw ValueSyntaxError("unterminated string literal", at: start) }
            if scalar == quote {
                if !triple {
                    let body = scalars[bodyStart..<position]
                    position += 1
                    return try PythonStringLiteral(body: body, prefix: prefix)
                }
                if peek(1) == quote, peek(2) == quote {
                    let body = scalars[bodyStart..<position]
                    position += 3
                    return try PythonStringLiteral(body: body, prefix: prefix)
                }
            }
            position += 1
        }
    }

    /// A number literal starting at `position`.
    private mutating func number() throws(ValueSyntaxError) -> PythonNumber {
        let start = position
        if current == "0", let marker = peek(1), "xXoObB".unicodeScalars.contains(marker) {
            let (radix, name): (UInt32, String) =
                switch marker {
                case "x", "X": (16, "hexadecimal")
                case "o", "O": (8, "octal")
                default: (2, "binary")
                }
            position += 2
            var digits: [UInt32] = []
            while let scalar = current {
                if scalar == "_", let next = peek(1), let digit = hexDigitValue(next), digit < radix {
                    position += 1
                    continue
                }
                guard let digit = hexDigitValue(scalar), digit < radix else { break }
                digits.append(digit)
                position += 1
            }
            if let scalar = current, Self.isIdentifierContinue(scalar) || scalar == "_" {
                throw ValueSyntaxError("invalid \(name) literal", at: start)
            }
            guard !digits.isEmpty else { throw ValueSyntaxError("invalid \(name) literal", at: start) }
            return .integer(Self.integer(digits: digits, bitsPerDigit: radix == 16 ? 4 : radix == 8 ? 3 : 1))
        }

        var text = ""  // The digits, without underscores, for Double and BigInteger.
        let integerDigits = try digitPart(into: &text)
        var isFloat = false
        if current == "." {
            isFloat = true
            text += "."
            position += 1
            if let scalar = current, ("0"..."9").contains(scalar) { _ = try digitPart(into: &text) }
        }
        if let scalar = current, scalar == "e" || scalar == "E" {
            var index = 1
            if peek(1) == "+" || peek(1) == "-" { index = 2 }
            guard let digit = peek(index), ("0"..."9").contains(digit) else {
                throw ValueSyntaxError("invalid decimal literal", at: start)
            }
            text += "e"
            if index == 2, let sign = peek(1) { text.unicodeScalars.append(sign) }
            position += index
            _ = try digitPart(into: &text)
            isFloat = true
        }
        var isImaginary = false
        if current == "j" || current == "J" {
            isImaginary = true
            position += 1
        }
        if let scalar = current, Self.isIdentifierContinue(scalar) {
            throw ValueSyntaxError("invalid decimal literal", at: start)
        }
        if isFloat || isImaginary {
            if text.hasPrefix(".") { text = "0" + text }
            guard let double = Double(text) else { throw ValueSyntaxError("invalid decimal literal", at: start) }
            return isImaginary ? .imaginary(double) : .float(double)
        }
        if integerDigits.first == "0", integerDigits.contains(where: { $0 != "0" }) {
            throw ValueSyntaxError(
                "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
                at: start)
        }
        guard integerDigits.count <= Self.maxIntegerDigits else {
            throw ValueSyntaxError(
                "an integer literal of \(integerDigits.count) digits exceeds Python's limit of "
                    + "\(Self.maxIntegerDigits)", at: start)
        }
        guard let integer = BigInteger(text) else { throw ValueSyntaxError("invalid decimal literal", at: start) }
        return .integer(integer)
    }

    /// Reads decimal digits with single underscores between them into `text`; returns the digits read.
    /// Nothing is read when `position` is not at a digit (a float like `.5`).
    private mutating func digitPart(into text: inout String) throws(ValueSyntaxError) -> String {
        var digits = ""
        while let scalar = current {
            if ("0"..."9").contains(scalar) {
                digits.unicodeScalars.append(scalar)
                position += 1
            } else if scalar == "_", !digits.isEmpty, let next = peek(1), ("0"..."9").contains(next) {
                position += 1
            } else if scalar == "_" {
                throw ValueSyntaxError("invalid decimal literal", at: position)
            } else {
                break
            }
        }
        text += digits
        return digits
    }

    /// The value of base-2^k digits, most significant first.
    private static func integer(digits: [UInt32], bitsPerDigit: Int) -> BigInteger {
        var limbs: [UInt64] = []
        var bit = 0
        for digit in digits.reversed() {
            let limb = bit / 64
            let shift = bit % 64
            if limb == limbs.count { limbs.append(0) }
            limbs[limb] |= UInt64(digit) << UInt64(shift)
            if shift + bitsPerDigit > 64 {
                limbs.append(UInt64(digit) >> UInt64(64 - shift))
            }
            bit += bitsPerDigit
        }
        while limbs.last == 0 { limbs.removeLast() }
        return BigInteger(isNegative: false, magnitude: limbs)
    }
}
