// The text arguments of the protocol-0 opcodes, parsed exactly as CPython's `_pickle.c` does.
//
// CPython copies each line into a NUL-terminated buffer and hands it to C string functions
// (`strtol`, `PyLong_FromString`, `PyOS_string_to_double`), so a NUL byte ends the number, and
// the newline counts as trailing whitespace. The helpers below work on such a "C line": the line's
// bytes up to its first NUL, or the whole line when it has none.

extension PickleReader {
    /// `INT`'s argument (`decimalShort`): a decimal integer line, or `00`/`01` for False/True.
    ///
    /// As in CPython, the line is first read with C's `strtol` (base 0: `0x` hex, leading-zero
    /// octal, leading white space, stopping at a NUL byte); if that fails or overflows, with Python's
    /// `int(text, 0)`. A three-byte line (two characters and the newline) whose value is 0 or 1 is a
    /// `bool`.
    mutating func readIntLine(maxDigits: Int) throws(PickleError) -> PickleValue {
        let line = try readLine()
        guard !line.isEmpty else { throw truncated() }
        let text = Self.cLine(line)
        if let value = Self.strtol(text) {
            if line.count == 2, value == 0 || value == 1 { return .bool(value == 1) }
            return .int(value)
        }
        guard let value = try Self.pythonInteger(text, base: 0, maxDigits: maxDigits, reader: self) else {
            throw error(.invalidArgument, "could not convert string to int")
        }
        return value
    }

    /// `GET`'s and `PUT`'s argument (`decimalShort`): a decimal memo index, which may be negative
    /// (a negative `PUT` is the caller's error to report).
    mutating func readMemoIndexLine() throws(PickleError) -> Int {
        let line = try readLine()
        guard !line.isEmpty else { throw truncated() }
        guard let value = try Self.pythonInteger(Self.cLine(line), base: 10, maxDigits: 4300, reader: self) else {
            throw error(.invalidArgument, "invalid memo index \(Self.quoted(line))")
        }
        guard case .int(let index) = value else {
            throw error(.invalidArgument, "memo index \(Self.quoted(line)) is too large")
        }
        return index
    }

    /// `LONG`'s argument (`decimalLong`): Python's `int(text, 0)` of the line, without a trailing `L`.
    mutating func readLongLine(maxDigits: Int) throws(PickleError) -> PickleValue {
        var line = try readLine()
        guard !line.isEmpty else { throw truncated() }
        if line.last == UInt8(ascii: "L") { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        guard let value = try Self.pythonInteger(Self.cLine(line), base: 0, maxDigits: maxDigits, reader: self) else {
            throw error(.invalidArgument, "invalid literal for int() with base 0: \(Self.quoted(line))")
        }
        return value
    }

    /// `FLOAT`'s argument (`floatLine`): a float in `repr` form, `inf` or `nan`, parsed like CPython's
    /// `PyOS_string_to_double` (no white space, no underscores, no hex; out of range is an error).
    mutating func readFloatLine() throws(PickleError) -> Double {
        let line = try readLine()
        guard !line.isEmpty else { throw truncated() }
        let text = Self.cLine(line)
        guard let (value, end) = Self.parseDouble(text), end == text.count else {
            throw error(.invalidArgument, "could not convert string to float: \(Self.quoted(line))")
        }
        guard value.isFinite || !Self.isDecimal(text) else {
            throw error(.invalidArgument, "value too large to convert to float: \(Self.quoted(line))")
        }
        return value
    }

    /// `STRING`'s argument (`quotedString`): a string in single or double quotes with Python's
    /// bytes escapes (`\x41`, `\n`, octal, `\<newline>`), decoded to bytes.
    mutating func readQuotedStringLine() throws(PickleError) -> [UInt8] {
        let line = try readLine()
        guard line.count >= 2, let first = line.first, first == line.last,
            first == UInt8(ascii: "'") || first == UInt8(ascii: "\"")
        else {
            throw error(.invalidString, "the STRING opcode argument must be quoted")
        }
        return try Self.decodeEscapes(UnsafeRawBufferPointer(rebasing: line.dropFirst().dropLast()), reader: self)
    }

    /// `UNICODE`'s argument (`rawUnicodeLine`): text in Python's raw-unicode-escape encoding, where
    /// bytes are Latin-1 code points and `\uXXXX`/`\UXXXXXXXX` escape any code point (only after an
    /// odd number of backslashes); lone surrogates give a ``PickleValue/surrogateString(_:)``.
    mutating func readRawUnicodeLine() throws(PickleError) -> PickleValue {
        let line = try readLine()
        if !line.contains(where: { $0 >= 0x80 || $0 == UInt8(ascii: "\\") }) {
            return .string(String(decoding: line, as: UTF8.self))
        }
        var points: [UInt32] = []
        points.reserveCapacity(line.count)
        var index = 0
        while index < line.count {
            let byte = line[index]
            guard byte == UInt8(ascii: "\\") else {
                points.append(UInt32(byte))
                index += 1
                continue
            }
            var run = 0
            while index + run < line.count, line[index + run] == UInt8(ascii: "\\") { run += 1 }
            let next = index + run < line.count ? line[index + run] : 0
            guard run % 2 == 1, next == UInt8(ascii: "u") || next == UInt8(ascii: "U") else {
                points.append(contentsOf: repeatElement(UInt32(UInt8(ascii: "\\")), count: run))
                index += run
                continue
            }
            points.append(contentsOf: repeatElement(UInt32(UInt8(ascii: "\\")), count: run - 1))
            let digits = next == UInt8(ascii: "u") ? 4 : 8
            let start = index + run + 1
            var point: UInt32 = 0
            for offset in 0..<digits {
                guard start + offset < line.count, let digit = Self.digitValue(line[start + offset]), digit < 16
                else {
                    throw error(.invalidString, "truncated \\\(digits == 4 ? "uXXXX" : "UXXXXXXXX") escape")
                }
                point = point << 4 | UInt32(digit)
            }
            guard point <= 0x10FFFF else { throw error(.invalidString, "\\Uxxxxxxxx out of range") }
            points.append(point)
            index = start + digits
        }
        guard let value = PickleValue.pythonString(codePoints: points) else {
            throw error(.invalidString, "invalid code point in UNICODE")
        }
        return value
    }
}

// MARK: - C-level number parsing

extension PickleReader {
    /// The bytes a C string function sees for `line`: up to the first NUL.
    static func cLine(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let nul = line.firstIndex(of: 0) else { return line }
        return UnsafeRawBufferPointer(rebasing: line[..<nul])
    }

    /// The line, for messages: printable ASCII as is, other bytes as `\xNN`, at most 60 bytes.
    static func quoted(_ line: UnsafeRawBufferPointer) -> String {
        var text = "'"
        for byte in line.prefix(60) {
            if (0x20...0x7E).contains(byte), byte != UInt8(ascii: "'"), byte != UInt8(ascii: "\\") {
                text.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                text += "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return text + (line.count > 60 ? "...'" : "'")
    }

    /// C's `isspace` in the C locale.
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// The value of an ASCII digit or letter as a digit (`a`/`A` is 10), or `nil`.
    @inline(__always)
    static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }

    /// C's `strtol(text, &end, 0)` followed by CPython's check that it consumed everything up to the
    /// newline (the terminating newline counts as the end): the value, or `nil` when it did not, or
    /// on overflow.
    static func strtol(_ text: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        while index < text.count, isSpace(text[index]) { index += 1 }
        var negative = false
        if index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        var base: UInt64 = 10
        if index < text.count, text[index] == UInt8(ascii: "0") {
            if index + 2 < text.count, text[index + 1] | 0x20 == UInt8(ascii: "x"),
                let digit = digitValue(text[index + 2]), digit < 16
            {
                base = 16
                index += 2
            } else {
                base = 8
            }
        }
        let limit: UInt64 = negative ? UInt64(Int.max) + 1 : UInt64(Int.max)
        var magnitude: UInt64 = 0
        var digits = 0
        while index < text.count, let digit = digitValue(text[index]), UInt64(digit) < base {
            let (product, overflow1) = magnitude.multipliedReportingOverflow(by: base)
            let (sum, overflow2) = product.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2, sum <= limit else { return nil }
            magnitude = sum
            digits += 1
            index += 1
        }
        // What follows must be the newline or a NUL byte: the end of the C line.
        guard digits > 0, index == text.count else { return nil }
        if negative { return magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude) }
        return Int(magnitude)
    }

    /// Python's `int(text, base)` for base 0 or 10 as `PyLong_FromString` reads a C string: optional
    /// white space around, a sign, for base 0 a `0x`/`0o`/`0b` prefix, digits with single underscores
    /// between them; in base 0 a decimal number may not start with `0` unless it is all zeros.
    ///
    /// - Returns: the value, or `nil` when the text is not such a number.
    /// - Throws: ``PickleError/Code/limitExceeded`` when a decimal number has more than `maxDigits`
    ///   digits (CPython's `sys.get_int_max_str_digits()` check).
    static func pythonInteger(
        _ text: UnsafeRawBufferPointer, base requested: Int, maxDigits: Int, reader: PickleReader
    ) throws(PickleError) -> PickleValue? {
        var index = 0
        while index < text.count, isSpace(text[index]) { index += 1 }
        var negative = false
        if index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        var base = requested
        var prefixed = false
        if base == 0 {
            base = 10
            if index + 1 < text.count, text[index] == UInt8(ascii: "0") {
                switch text[index + 1] | 0x20 {
                case UInt8(ascii: "x"): base = 16
                case UInt8(ascii: "o"): base = 8
                case UInt8(ascii: "b"): base = 2
                default: break
                }
                if base != 10 {
                    prefixed = true
                    index += 2
                }
            }
        }
        // Digits, with single underscores between them; one may also follow a prefix.
        var digits: [UInt8] = []
        var lastWasUnderscore = false
        if prefixed, index < text.count, text[index] == UInt8(ascii: "_") {
            lastWasUnderscore = true
            index += 1
        }
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "_") {
                if lastWasUnderscore || digits.isEmpty { return nil }
                lastWasUnderscore = true
                index += 1
                continue
            }
            guard let digit = digitValue(byte), digit < base else { break }
            digits.append(UInt8(digit))
            lastWasUnderscore = false
            index += 1
        }
        guard !digits.isEmpty, !lastWasUnderscore else { return nil }
        while index < text.count, isSpace(text[index]) { index += 1 }
        guard index == text.count else { return nil }
        if requested == 0, base == 10, digits[0] == 0, digits.contains(where: { $0 != 0 }) { return nil }
        if base == 10, digits.count > maxDigits {
            throw reader.error(
                .limitExceeded,
                "integer string of \(digits.count) digits exceeds the limit of \(maxDigits) digits")
        }
        return .integer(BigInteger(digits: digits, radix: base, isNegative: negative))
    }

    /// Whether the text spells a finite decimal number rather than `inf` or `nan`.
    static func isDecimal(_ text: UnsafeRawBufferPointer) -> Bool {
        !text.contains { $0 | 0x20 == UInt8(ascii: "i") || $0 | 0x20 == UInt8(ascii: "n") }
    }

    /// `PyOS_string_to_double`'s reading of a C string: the value and the number of bytes it
    /// consumed, or `nil` when no number starts the text.
    static func parseDouble(_ text: UnsafeRawBufferPointer) -> (Double, Int)? {
        var index = 0
        var negative = false
        if index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        func matches(_ word: String, at start: Int) -> Bool {
            let letters = Array(word.utf8)
            guard start + letters.count <= text.count else { return false }
            for (offset, letter) in letters.enumerated() where text[start + offset] | 0x20 != letter {
                return false
            }
            return true
        }
        if matches("inf", at: index) {
            let end = matches("infinity", at: index) ? index + 8 : index + 3
            return (negative ? -Double.infinity : Double.infinity, end)
        }
        if matches("nan", at: index) {
            return (negative ? -Double.nan : Double.nan, index + 3)
        }
        let start = index
        var mantissaDigits = 0
        while index < text.count, (0x30...0x39).contains(text[index]) {
            index += 1
            mantissaDigits += 1
        }
        if index < text.count, text[index] == UInt8(ascii: ".") {
            index += 1
            while index < text.count, (0x30...0x39).contains(text[index]) {
                index += 1
                mantissaDigits += 1
            }
        }
        guard mantissaDigits > 0 else { return nil }
        if index < text.count, text[index] | 0x20 == UInt8(ascii: "e") {
            var exponentEnd = index + 1
            if exponentEnd < text.count,
                text[exponentEnd] == UInt8(ascii: "-") || text[exponentEnd] == UInt8(ascii: "+")
            {
                exponentEnd += 1
            }
            let exponentStart = exponentEnd
            while exponentEnd < text.count, (0x30...0x39).contains(text[exponentEnd]) { exponentEnd += 1 }
            if exponentEnd > exponentStart { index = exponentEnd }
        }
        let number = String(decoding: UnsafeRawBufferPointer(rebasing: text[start..<index]), as: UTF8.self)
        guard let magnitude = Double(number) else { return nil }
        return (negative ? -magnitude : magnitude, index)
    }

    /// Python's bytes escape decoding (`codecs.escape_decode`), as `STRING` uses it.
    static func decodeEscapes(_ text: UnsafeRawBufferPointer, reader: PickleReader) throws(PickleError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            let byte = text[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                continue
            }
            guard index < text.count else { throw reader.error(.invalidString, "trailing \\ in string") }
            let escape = text[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\n"): break
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "'"): bytes.append(UInt8(ascii: "'"))
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "v"): bytes.append(0x0B)
            case UInt8(ascii: "a"): bytes.append(0x07)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(escape - UInt8(ascii: "0"))
                for _ in 0..<2 {
                    guard index < text.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(text[index]) else {
                        break
                    }
                    value = value * 8 + Int(text[index] - UInt8(ascii: "0"))
                    index += 1
                }
                bytes.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "x"):
                guard index + 1 < text.count, let high = digitValue(text[index]), high < 16,
                    let low = digitValue(text[index + 1]), low < 16
                else {
                    throw reader.error(.invalidString, "invalid \\x escape at position \(index - 2)")
                }
                bytes.append(UInt8(high * 16 + low))
                index += 2
            default:
                // Python keeps an unknown escape as it is, backslash included.
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(escape)
            }
        }
        return bytes
    }
}

extension BigInteger {
    /// Creates a value from digit values (each below `radix`), most significant first.
    ///
    /// Power-of-two radices take linear time; others take time quadratic in the number of digits,
    /// which callers bound.
    init(digits: [UInt8], radix: Int, isNegative: Bool) {
        if radix.nonzeroBitCount == 1 {
            // Pack the bits directly, least significant digit first.
            let bitsPerDigit = radix.trailingZeroBitCount
            var limbs = [UInt64](repeating: 0, count: (digits.count * bitsPerDigit + 63) / 64)
            var bit = 0
            for digit in digits.reversed() {
                let limb = bit / 64
                let shift = bit % 64
                limbs[limb] |= UInt64(digit) << UInt64(shift)
                if shift + bitsPerDigit > 64 { limbs[limb + 1] |= UInt64(digit) >> UInt64(64 - shift) }
                bit += bitsPerDigit
            }
            self.init(isNegative: isNegative, magnitude: limbs)
            return
        }
        let base = UInt64(radix)
        // The most digits whose value fits in a UInt64 chunk, and radix^chunk.
        var chunkDigits = 0
        var chunkScale: UInt64 = 1
        while true {
            let (next, overflow) = chunkScale.multipliedReportingOverflow(by: base)
            if overflow { break }
            chunkScale = next
            chunkDigits += 1
        }
        var limbs: [UInt64] = []
        var position = 0
        var length = digits.count % chunkDigits == 0 ? chunkDigits : digits.count % chunkDigits
        while position < digits.count {
            var chunk: UInt64 = 0
            var scale: UInt64 = 1
            for digit in digits[position..<position + length] {
                chunk = chunk * base + UInt64(digit)
                scale = scale &* base
            }
            if length == chunkDigits { scale = chunkScale }
            // limbs = limbs * scale + chunk
            var carry = chunk
            for index in limbs.indices {
                let (high, low) = limbs[index].multipliedFullWidth(by: scale)
                let (sum, overflow) = low.addingReportingOverflow(carry)
                limbs[index] = sum
                carry = high &+ (overflow ? 1 : 0)
            }
            if carry != 0 { limbs.append(carry) }
            position += length
            length = chunkDigits
        }
        self.init(isNegative: isNegative, magnitude: limbs)
    }
}
