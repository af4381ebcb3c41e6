// Numbers, text and binary data, written as CPython's `save_bool`, `save_long`, `save_float`,
// `save_unicode`, `save_bytes` and `save_bytearray` write them.

extension Pickler {
    func saveBool(_ flag: Bool) {
        if proto >= 2 {
            write(flag ? .newtrue : .newfalse)
        } else {
            // Protocols 0 and 1 spell booleans as the INT opcode with "01" or "00".
            output.append(Opcode.int.rawValue)
            output.append(UInt8(ascii: "0"))
            output.append(flag ? UInt8(ascii: "1") : UInt8(ascii: "0"))
            output.append(UInt8(ascii: "\n"))
        }
    }

    func saveInt(_ value: Int) {
        let fitsInInt32 = value >= Int(Int32.min) && value <= Int(Int32.max)
        if proto >= 1, fitsInInt32 {
            if value >= 0, value <= 0xFF {
                write(.binint1, UInt8(truncatingIfNeeded: value))
            } else if value >= 0, value <= 0xFFFF {
                write(.binint2)
                writeLittleEndian(UInt16(truncatingIfNeeded: value))
            } else {
                write(.binint)
                writeLittleEndian(UInt32(truncatingIfNeeded: value))
            }
        } else if fitsInInt32 {
            output.append(Opcode.int.rawValue)
            writeDecimal(value)
            output.append(UInt8(ascii: "\n"))
        } else if proto >= 2 {
            writeLong1(value)
        } else {
            output.append(Opcode.long.rawValue)
            writeDecimal(value)
            output.append(UInt8(ascii: "L"))
            output.append(UInt8(ascii: "\n"))
        }
    }

    /// `LONG1` with the shortest little-endian two's-complement bytes of `value`.
    private func writeLong1(_ value: Int) {
        // As CPython: (bit length of |value|) / 8 + 1 bytes, one fewer when that top byte is only sign.
        let bits = UInt.bitWidth - value.magnitude.leadingZeroBitCount
        var count = bits / 8 + 1
        func byte(_ position: Int) -> UInt8 {
            position < 8 ? UInt8(truncatingIfNeeded: value >> (8 * position)) : (value < 0 ? 0xFF : 0)
        }
        if value < 0, count > 1, byte(count - 1) == 0xFF, byte(count - 2) & 0x80 != 0 {
            count -= 1
        }
        write(.long1, UInt8(truncatingIfNeeded: count))
        for position in 0..<count { output.append(byte(position)) }
    }

    /// CPython's limit on the decimal digits of an `int` written as text (`sys.get_int_max_str_digits()`).
    static let maximumDecimalDigits = 4300
    /// The bit length of 10^4300: a longer integer has more than 4,300 digits.
    static let maximumDecimalBits = 14285

    func saveBigInt(_ value: BigInteger) throws(PickleError) {
        if let small = Int(exactly: value) {
            saveInt(small)
            return
        }
        if proto >= 2 {
            let bytes = value.twosComplementLittleEndian
            if bytes.count < 256 {
                write(.long1, UInt8(truncatingIfNeeded: bytes.count))
            } else if bytes.count <= Int(Int32.max) {
                write(.long4)
                writeLittleEndian(UInt32(truncatingIfNeeded: bytes.count))
            } else {
                throw PickleError(.unpicklable, "int too large to pickle")
            }
            output.append(contentsOf: bytes)
        } else {
            // Decimal text, which CPython 3.11 refuses beyond 4,300 digits (its int-to-str limit, which
            // its unpickler, and this package's, also applies when reading): 10^4300 has 14,285 bits.
            let bits = value.bitLength
            let digits = bits > Self.maximumDecimalBits ? nil : value.description
            guard let digits, digits.utf8.count - (value.isNegative ? 1 : 0) <= Self.maximumDecimalDigits else {
                throw PickleError(
                    .unpicklable,
                    "an int of \(bits) bits exceeds the limit (\(Self.maximumDecimalDigits) digits) for integer string "
                        + "conversion at protocol \(proto); use protocol 2 or later")
            }
            output.append(Opcode.long.rawValue)
            output.append(contentsOf: digits.utf8)
            output.append(UInt8(ascii: "L"))
            output.append(UInt8(ascii: "\n"))
        }
    }

    func saveFloat(_ value: Double) {
        if proto >= 1 {
            write(.binfloat)
            withUnsafeBytes(of: value.bitPattern.bigEndian) { output.append(contentsOf: $0) }
        } else {
            output.append(Opcode.float.rawValue)
            appendPythonFloatRepr(value, to: &output)
            output.append(UInt8(ascii: "\n"))
        }
    }

    // MARK: str

    func saveString(_ string: String) throws(PickleError) {
        let key = TextKey(string)
        if let index = memo.strings[key] {
            try writeGet(index)
            return
        }
        try writeText(string)
        let index = memo.allocate()
        memo.strings[key] = index
        try writePut(index)
    }

    func saveSurrogateString(_ string: SurrogateString) throws(PickleError) {
        if let index = memo.surrogateStrings[string.codePoints] {
            try writeGet(index)
            return
        }
        if proto >= 1 {
            let utf8 = string.surrogatePassUTF8
            try writeBinaryText(count: utf8.count) { output.append(contentsOf: utf8) }
        } else {
            writeUnicodeLine(string.codePoints)
        }
        let index = memo.allocate()
        memo.surrogateStrings[string.codePoints] = index
        try writePut(index)
    }

    /// Saves a `str` that CPython creates afresh while pickling (memoized, never found again).
    func saveFreshString(_ string: String) throws(PickleError) {
        if try beginSynthetic({ .string(string) }) { return }
        try writeText(string)
        try memoizeAnonymous()
    }

    /// Writes the opcode and text of a `str`, without memoizing it.
    func writeText(_ string: String) throws(PickleError) {
        if proto >= 1 {
            try writeBinaryText(count: string.utf8.count) {
                let copied: Void? = string.utf8.withContiguousStorageIfAvailable { output.append(contentsOf: $0) }
                if copied == nil { output.append(contentsOf: string.utf8) }
            }
        } else {
            writeUnicodeLine(string.unicodeScalars.lazy.map(\.value))
        }
    }

    /// `SHORT_BINUNICODE`, `BINUNICODE` or `BINUNICODE8` with `count` bytes of UTF-8 from `payload`.
    func writeBinaryText(count: Int, payload: () -> Void) throws(PickleError) {
        if count > Int(UInt32.max), proto < 4 {
            throw PickleError(.unpicklable, "a str over 4 GiB needs protocol 4 or later")
        }
        writeData(count: count) {
            if count <= 0xFF, proto >= 4 {
                write(.shortBinunicode, UInt8(truncatingIfNeeded: count))
            } else if count <= Int(UInt32.max) {
                write(.binunicode)
                writeLittleEndian(UInt32(truncatingIfNeeded: count))
            } else {
                write(.binunicode8)
                writeLittleEndian(UInt64(count))
            }
        } payload: {
            payload()
        }
    }

    /// `UNICODE` (protocol 0): raw-unicode-escape text with `\`, NUL, CR, LF and Ctrl-Z escaped too,
    /// so the line stays one line.
    func writeUnicodeLine(_ codePoints: some Sequence<UInt32>) {
        output.append(Opcode.unicode.rawValue)
        for point in codePoints {
            if point >= 0x10000 {
                output.append(UInt8(ascii: "\\"))
                output.append(UInt8(ascii: "U"))
                writeHex(point, digits: 8)
            } else if point >= 0x100 || point == 0x5C || point == 0 || point == 0x0A || point == 0x0D
                || point == 0x1A
            {
                output.append(UInt8(ascii: "\\"))
                output.append(UInt8(ascii: "u"))
                writeHex(point, digits: 4)
            } else {
                output.append(UInt8(truncatingIfNeeded: point))
            }
        }
        output.append(UInt8(ascii: "\n"))
    }

    private func writeHex(_ value: UInt32, digits: Int) {
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            let nibble = UInt8(truncatingIfNeeded: value >> UInt32(shift)) & 0x0F
            output.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
        }
    }

    // MARK: bytes and bytearray

    func saveBytes(_ bytes: [UInt8]) throws(PickleError) {
        if let index = memo.bytes[bytes] {
            try writeGet(index)
            return
        }
        if proto >= 5, let outOfBandHook, outOfBandHook(.bytes(bytes)) {
            write(.nextBuffer)
            write(.readonlyBuffer)
            outOfBandBuffers.append(bytes)
            return
        }
        if proto >= 3 {
            try writeBytesData(bytes)
        } else {
            try writeBytesReduction(bytes)
        }
        let index = memo.allocate()
        memo.bytes[bytes] = index
        try writePut(index)
    }

    /// Saves a `bytes` that CPython creates afresh (the argument of `bytearray(bytes)`).
    func saveFreshBytes(_ bytes: [UInt8]) throws(PickleError) {
        if try beginSynthetic({ .bytes(bytes) }) { return }
        if proto >= 3 {
            try writeBytesData(bytes)
        } else {
            try writeBytesReduction(bytes)
        }
        try memoizeAnonymous()
    }

    /// `SHORT_BINBYTES`, `BINBYTES` or `BINBYTES8` (protocol 3 and later).
    private func writeBytesData(_ bytes: [UInt8]) throws(PickleError) {
        let count = bytes.count
        if count > Int(UInt32.max), proto < 4 {
            throw PickleError(.unpicklable, "a bytes over 4 GiB needs protocol 4 or later")
        }
        writeData(count: count) {
            if count <= 0xFF {
                write(.shortBinbytes, UInt8(truncatingIfNeeded: count))
            } else if count <= Int(UInt32.max) {
                write(.binbytes)
                writeLittleEndian(UInt32(truncatingIfNeeded: count))
            } else {
                write(.binbytes8)
                writeLittleEndian(UInt64(count))
            }
        } payload: {
            output.append(contentsOf: bytes)
        }
    }

    /// Protocols 0 to 2 have no opcode for `bytes`: CPython writes `bytes()` for the empty value and
    /// `_codecs.encode(text, "latin1")` for the others, which Python 2 loads as a `str`.
    private func writeBytesReduction(_ bytes: [UInt8]) throws(PickleError) {
        if bytes.isEmpty {
            try save(.global(PicklerGlobals.bytes))
            try saveFreshTuple(count: 0, asValue: { .tuple([]) }) { _ throws(PickleError) in }
        } else {
            try save(.global(PicklerGlobals.codecsEncode))
            try saveFreshTuple(count: 2, asValue: { .tuple([.string(latin1String(bytes)), "latin1"]) }) {
                position throws(PickleError) in
                if position == 0 {
                    try saveLatin1Text(bytes)
                } else {
                    try save("latin1")
                }
            }
        }
        write(.reduce)
    }

    /// The latin-1 decoding of `bytes`, which CPython's `bytes` reduction carries.
    private func latin1String(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    /// Saves the `str` that CPython decodes from `bytes` as latin-1: a cached singleton when it is one
    /// character, a new object otherwise.
    private func saveLatin1Text(_ bytes: [UInt8]) throws(PickleError) {
        if try beginSynthetic({ .string(latin1String(bytes)) }) { return }
        let single = bytes.count == 1 ? UInt32(bytes[0]) : nil
        if let single, let index = memo.latin1Characters[single] {
            try writeGet(index)
            return
        }
        if proto >= 1 {
            let count = bytes.count + bytes.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
            try writeBinaryText(count: count) {
                for byte in bytes {
                    if byte < 0x80 {
                        output.append(byte)
                    } else {
                        output.append(0xC0 | byte >> 6)
                        output.append(0x80 | byte & 0x3F)
                    }
                }
            }
        } else {
            writeUnicodeLine(bytes.lazy.map(UInt32.init))
        }
        let index = memo.allocate()
        if let single { memo.latin1Characters[single] = index }
        try writePut(index)
    }

    func saveByteArray(_ array: PickleByteArray) throws(PickleError) {
        if try writeGetIfMemoized(array) { return }
        let bytes = array.bytes
        if proto >= 5 {
            if let outOfBandHook, outOfBandHook(.bytearray(array)) {
                write(.nextBuffer)
                outOfBandBuffers.append(bytes)
                return
            }
            writeData(count: bytes.count) {
                write(.bytearray8)
                writeLittleEndian(UInt64(bytes.count))
            } payload: {
                output.append(contentsOf: bytes)
            }
            try memoize(reference: array)
            return
        }
        // Below protocol 5: bytearray(bytes) or bytearray(), as CPython reduces it.
        try save(.global(PicklerGlobals.bytearray))
        if bytes.isEmpty {
            try saveFreshTuple(count: 0, asValue: { .tuple([]) }) { _ throws(PickleError) in }
        } else {
            try saveFreshTuple(count: 1, asValue: { .tuple([.bytes(bytes)]) }) { _ throws(PickleError) in
                try saveFreshBytes(bytes)
            }
        }
        write(.reduce)
        _ = try finishConstruction(of: array)
    }

    // MARK: complex

    /// `complex` has no opcode: CPython reduces it to `complex(real, imaginary)` (copyreg).
    func saveComplex(real: Double, imaginary: Double) throws(PickleError) {
        let key = ComplexKey(real: real.bitPattern, imaginary: imaginary.bitPattern)
        if let index = memo.complexes[key] {
            try writeGet(index)
            return
        }
        try save(.global(PicklerGlobals.complex))
        try saveFreshTuple(count: 2, asValue: { .tuple([.float(real), .float(imaginary)]) }) {
            position throws(PickleError) in
            try save(.float(position == 0 ? real : imaginary))
        }
        write(.reduce)
        let index = memo.allocate()
        memo.complexes[key] = index
        try writePut(index)
    }
}

/// Appends Python's `repr` of a float: the shortest digits that round-trip, in positional notation
/// when the decimal exponent is between -4 and 16, else as `1e+16`, `1.5e-07`; `inf`, `-inf`, `nan`.
private func appendPythonFloatRepr(_ value: Double, to output: inout [UInt8]) {
    if value.isNaN {
        output.append(contentsOf: "nan".utf8)
        return
    }
    if value.sign == .minus { output.append(UInt8(ascii: "-")) }
    if value.isInfinite {
        output.append(contentsOf: "inf".utf8)
        return
    }
    if value == 0 {
        output.append(contentsOf: "0.0".utf8)
        return
    }
    // Swift's description has the shortest round-trip digits too; take them and its exponent.
    var digits: [UInt8] = []
    var integerDigits = 0
    var exponent = 0
    var seenPoint = false
    var exponentSign = 1
    var inExponent = false
    for character in value.magnitude.description.utf8 {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            if inExponent {
                exponent = exponent * 10 + Int(character - UInt8(ascii: "0"))
            } else {
                digits.append(character)
                if !seenPoint { integerDigits += 1 }
            }
        case UInt8(ascii: "."):
            seenPoint = true
        case UInt8(ascii: "e"), UInt8(ascii: "E"):
            inExponent = true
        case UInt8(ascii: "-"):
            exponentSign = -1
        default:
            break
        }
    }
    // value = 0.d1d2d3... × 10^pointPosition
    var pointPosition = integerDigits + exponentSign * exponent
    while digits.first == UInt8(ascii: "0") {
        digits.removeFirst()
        pointPosition -= 1
    }
    while digits.last == UInt8(ascii: "0") { digits.removeLast() }
    if pointPosition <= -4 || pointPosition > 16 {
        output.append(digits[0])
        if digits.count > 1 {
            output.append(UInt8(ascii: "."))
            output.append(contentsOf: digits[1...])
        }
        let decimalExponent = pointPosition - 1
        output.append(UInt8(ascii: "e"))
        output.append(decimalExponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let magnitude = decimalExponent.magnitude
        if magnitude < 10 { output.append(UInt8(ascii: "0")) }
        output.append(contentsOf: String(magnitude).utf8)
    } else if pointPosition <= 0 {
        output.append(UInt8(ascii: "0"))
        output.append(UInt8(ascii: "."))
        for _ in 0 ..< -pointPosition { output.append(UInt8(ascii: "0")) }
        output.append(contentsOf: digits)
    } else if pointPosition >= digits.count {
        output.append(contentsOf: digits)
        for _ in 0..<(pointPosition - digits.count) { output.append(UInt8(ascii: "0")) }
        output.append(UInt8(ascii: "."))
        output.append(UInt8(ascii: "0"))
    } else {
        output.append(contentsOf: digits[..<pointPosition])
        output.append(UInt8(ascii: "."))
        output.append(contentsOf: digits[pointPosition...])
    }
}
