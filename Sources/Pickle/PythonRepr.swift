// Python's `repr()` of the builtin scalar types, shared by `PickleValue.description` and the disassembler.
//
// The rules are CPython 3.11's (Objects/unicodeobject.c, bytesobject.c, bytearrayobject.c,
// floatobject.c, complexobject.c and Python/pystrtod.c), checked against the interpreter by the tests.

// MARK: - str

/// Python's `repr()` of a `str`, like `'it\'s'` or `"it's"`.
func pythonRepr(_ string: String) -> String {
    var text = ""
    appendPythonRepr(codePoints: string.unicodeScalars.lazy.map(\.value), to: &text)
    return text
}

/// Python's `repr()` of a `str` given as code points; lone surrogates print as `\udXXX`.
func pythonRepr(codePoints: some Collection<UInt32>) -> String {
    var text = ""
    appendPythonRepr(codePoints: codePoints, to: &text)
    return text
}

/// Appends Python's `repr()` of a `str` given as code points.
///
/// The quote is `'` unless the text holds a `'` and no `"`; the chosen quote and `\` are escaped,
/// `\t`, `\n` and `\r` are escaped by name, other non-printable code points by `\xNN`, `\uNNNN` or
/// `\UNNNNNNNN` (see ``isPythonPrintable(_:)``).
func appendPythonRepr(codePoints: some Collection<UInt32>, to text: inout String) {
    var hasSingle = false
    var hasDouble = false
    for point in codePoints {
        if point == 0x27 {
            hasSingle = true
        } else if point == 0x22 {
            hasDouble = true
        }
    }
    let quote: UInt32 = hasSingle && !hasDouble ? 0x22 : 0x27
    var scalars = String.UnicodeScalarView()
    scalars.append(Unicode.Scalar(UInt8(quote)))
    for point in codePoints {
        switch point {
        case quote, 0x5C:
            scalars.append("\\")
            scalars.append(Unicode.Scalar(UInt8(point)))
        case 0x09:
            scalars.append(contentsOf: "\\t".unicodeScalars)
        case 0x0A:
            scalars.append(contentsOf: "\\n".unicodeScalars)
        case 0x0D:
            scalars.append(contentsOf: "\\r".unicodeScalars)
        case 0x20..<0x7F:
            scalars.append(Unicode.Scalar(UInt8(point)))
        default:
            if point >= 0x80, isPythonPrintable(point), let scalar = Unicode.Scalar(point) {
                scalars.append(scalar)
            } else if point <= 0xFF {
                appendHexEscape(point, prefix: "\\x", digits: 2, to: &scalars)
            } else if point <= 0xFFFF {
                appendHexEscape(point, prefix: "\\u", digits: 4, to: &scalars)
            } else {
                appendHexEscape(point, prefix: "\\U", digits: 8, to: &scalars)
            }
        }
    }
    scalars.append(Unicode.Scalar(UInt8(quote)))
    text.unicodeScalars.append(contentsOf: scalars)
}

/// Whether Python 3.11's `str.isprintable()` is true for the code point.
///
/// Printable means any general category but Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs, space excepted.
/// Python 3.11 uses Unicode 14.0, and Swift's tables are newer: a code point assigned after
/// Unicode 14.0 was unassigned (Cn) for Python 3.11, so it counts as not printable here. With that
/// rule the result equals Python 3.11's for every code point (the tests check all of them).
func isPythonPrintable(_ point: UInt32) -> Bool {
    if point < 0x7F { return point >= 0x20 }
    guard let scalar = Unicode.Scalar(point) else { return false }  // A surrogate.
    let properties = scalar.properties
    switch properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
        .spaceSeparator:
        return false
    default:
        guard let age = properties.age else { return false }
        return age.major < 14 || (age.major == 14 && age.minor == 0)
    }
}

private func appendHexEscape(
    _ value: UInt32, prefix: String, digits: Int, to scalars: inout String.UnicodeScalarView
) {
    scalars.append(contentsOf: prefix.unicodeScalars)
    for position in stride(from: digits - 1, through: 0, by: -1) {
        scalars.append(hexDigit(UInt8(truncatingIfNeeded: value >> UInt32(4 * position)) & 0x0F))
    }
}

private func hexDigit(_ nibble: UInt8) -> Unicode.Scalar {
    Unicode.Scalar(nibble < 10 ? 0x30 + nibble : 0x57 + nibble)
}

// MARK: - bytes

/// Python's `repr()` of a `bytes`, like `b'\x00ab'`.
func pythonRepr(bytes: some Collection<UInt8>) -> String {
    var text = ""
    appendPythonRepr(bytes: bytes, to: &text)
    return text
}

/// Appends Python's `repr()` of a `bytes`, or with `bytearray` set, what `bytearray`'s repr puts
/// between its parentheses.
///
/// The quote is `'` unless the bytes hold a `'` and no `"`; `\` and the quote are escaped, and
/// `bytearray` escapes `'` even inside `"` quotes, as CPython 3.11 does. `\t`, `\n` and `\r` are
/// escaped by name, other bytes below 0x20 or from 0x7F by `\xNN`.
func appendPythonRepr(bytes: some Collection<UInt8>, bytearray: Bool = false, to text: inout String) {
    var hasSingle = false
    var hasDouble = false
    for byte in bytes {
        if byte == 0x27 {
            hasSingle = true
        } else if byte == 0x22 {
            hasDouble = true
        }
    }
    let quote: UInt8 = hasSingle && !hasDouble ? 0x22 : 0x27
    var utf8: [UInt8] = [0x62, quote]
    utf8.reserveCapacity(bytes.count + 3)
    for byte in bytes {
        switch byte {
        case quote, 0x5C:
            utf8.append(0x5C)
            utf8.append(byte)
        case 0x27 where bytearray:
            utf8.append(0x5C)
            utf8.append(byte)
        case 0x09:
            utf8.append(0x5C)
            utf8.append(0x74)
        case 0x0A:
            utf8.append(0x5C)
            utf8.append(0x6E)
        case 0x0D:
            utf8.append(0x5C)
            utf8.append(0x72)
        case 0x20..<0x7F:
            utf8.append(byte)
        default:
            utf8.append(0x5C)
            utf8.append(0x78)
            utf8.append(UInt8(hexDigit(byte >> 4).value))
            utf8.append(UInt8(hexDigit(byte & 0x0F).value))
        }
    }
    utf8.append(quote)
    text += String(decoding: utf8, as: UTF8.self)
}

// MARK: - float and complex

/// Python's `repr()` of a `float`, like `0.1`, `100.0`, `1e+16`, `1e-05`, `-0.0`, `inf` or `nan`.
func pythonRepr(_ double: Double) -> String {
    var text = ""
    appendPythonRepr(double, to: &text)
    return text
}

/// Appends Python's `repr()` of a `float`.
///
/// The digits are the shortest that read back as the same `Double`, which Swift's `description`
/// also gives; the layout is Python's: positional when the decimal exponent is from -4 to 15,
/// with `.0` added to a whole number, and otherwise `d.ddde±XX` with at least two exponent digits.
/// - Parameters:
///   - addDotZero: Whether a whole number in positional form gets `.0` (`float` does, `complex` doesn't).
///   - alwaysSign: Whether a `+` goes before a number that has no `-` (the imaginary part of a complex).
func appendPythonRepr(_ double: Double, addDotZero: Bool = true, alwaysSign: Bool = false, to text: inout String) {
    if double.isNaN {
        text += alwaysSign ? "+nan" : "nan"
        return
    }
    if double.sign == .minus {
        text += "-"
    } else if alwaysSign {
        text += "+"
    }
    if double.isInfinite {
        text += "inf"
        return
    }
    let (digits, pointPosition) = shortestDigits(double.magnitude)
    var utf8: [UInt8] = []
    utf8.reserveCapacity(digits.count + 8)
    // The value is 0.DIGITS × 10^pointPosition; Python's scientific exponent is pointPosition - 1.
    if pointPosition <= -4 || pointPosition > 16 {
        utf8.append(digits[0])
        if digits.count > 1 {
            utf8.append(0x2E)
            utf8.append(contentsOf: digits[1...])
        }
        let exponent = pointPosition - 1
        utf8.append(0x65)
        utf8.append(exponent < 0 ? 0x2D : 0x2B)
        let exponentDigits = Array(String(exponent.magnitude).utf8)
        if exponentDigits.count < 2 { utf8.append(0x30) }
        utf8.append(contentsOf: exponentDigits)
    } else if pointPosition <= 0 {
        utf8.append(0x30)
        utf8.append(0x2E)
        utf8.append(contentsOf: repeatElement(0x30, count: -pointPosition))
        utf8.append(contentsOf: digits)
    } else if pointPosition < digits.count {
        utf8.append(contentsOf: digits[..<pointPosition])
        utf8.append(0x2E)
        utf8.append(contentsOf: digits[pointPosition...])
    } else {
        utf8.append(contentsOf: digits)
        utf8.append(contentsOf: repeatElement(0x30, count: pointPosition - digits.count))
        if addDotZero {
            utf8.append(0x2E)
            utf8.append(0x30)
        }
    }
    text += String(decoding: utf8, as: UTF8.self)
}

/// The shortest round-tripping decimal digits of a finite, non-negative `Double`, without leading
/// or trailing zeros (`"0"` for zero), and the position of the decimal point: the value is
/// `0.DIGITS × 10^pointPosition`.
///
/// Swift's `description` computes the shortest digits (and, among those, the closest, like
/// CPython's `repr`); this reads them back out of whichever layout it chose.
private func shortestDigits(_ value: Double) -> (digits: [UInt8], pointPosition: Int) {
    if value == 0 { return ([0x30], 1) }
    var digits: [UInt8] = []
    var pointPosition: Int?
    var exponent = 0
    var exponentNegative = false
    var inExponent = false
    for byte in value.description.utf8 {
        switch byte {
        case 0x30...0x39 where inExponent:
            exponent = exponent * 10 + Int(byte - 0x30)
        case 0x30...0x39:
            digits.append(byte)
        case 0x2E:
            pointPosition = digits.count
        case 0x65, 0x45:
            inExponent = true
        case 0x2D:
            exponentNegative = true
        default:
            break
        }
    }
    var position = (pointPosition ?? digits.count) + (exponentNegative ? -exponent : exponent)
    let leadingZeros = digits.prefix { $0 == 0x30 }.count
    digits.removeFirst(leadingZeros)
    position -= leadingZeros
    while digits.last == 0x30 { digits.removeLast() }
    return (digits, position)
}

/// Appends Python's `repr()` of a `complex`, like `(1+2j)`, `3j`, `(-0-1j)` or `(nan+infj)`.
///
/// A real part of +0.0 is left out along with the parentheses; the parts have no `.0`, and the
/// imaginary part always has a sign in the parenthesized form. NaN never prints a sign of its own.
func appendPythonComplexRepr(real: Double, imaginary: Double, to text: inout String) {
    if real == 0, real.sign == .plus {
        appendPythonRepr(imaginary, addDotZero: false, to: &text)
        text += "j"
    } else {
        text += "("
        appendPythonRepr(real, addDotZero: false, to: &text)
        appendPythonRepr(imaginary, addDotZero: false, alwaysSign: true, to: &text)
        text += "j)"
    }
}

// MARK: - names

/// Whether `name` is one or more Python identifiers joined by dots, like `collections.OrderedDict`.
func isDottedPythonIdentifier(_ name: String) -> Bool {
    var atStart = true
    for scalar in name.unicodeScalars {
        if scalar == "." {
            if atStart { return false }
            atStart = true
        } else if atStart {
            guard scalar == "_" || scalar.properties.isXIDStart else { return false }
            atStart = false
        } else {
            guard scalar.properties.isXIDContinue else { return false }
        }
    }
    return !atStart
}
