// Numbers, text and binary data, written as CPython's `save_bool`, `save_long`, `save_float`,
// `save_unicode`, `save_bytes` and `save_bytearray` write them.

extension PickleWriter {
    mutating func saveBool(_ flag: Bool) {
        if proto >= 2 {
            write(flag ? .newtrue : .newfalse)
        } else {
            // Protocols 0 and 1 spell booleans as the INT opcode with "01" or "00".
            put(Opcode.int.rawValue)
            put(UInt8(ascii: "0"))
            put(flag ? UInt8(ascii: "1") : UInt8(ascii: "0"))
            put(UInt8(ascii: "\n"))
        }
    }

    @inline(__always)
    mutating func saveInt(_ value: Int) {
        if proto >= 1, UInt(bitPattern: value) <= 0xFF {
            write(.binint1, UInt8(truncatingIfNeeded: value))
        } else {
            saveOtherInt(value)
        }
    }

    @inline(never)
    private mutating func saveOtherInt(_ value: Int) {
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
            put(Opcode.int.rawValue)
            writeDecimal(value)
            put(UInt8(ascii: "\n"))
        } else if proto >= 2 {
            writeLong1(value)
        } else {
            put(Opcode.long.rawValue)
            writeDecimal(value)
            put(UInt8(ascii: "L"))
            put(UInt8(ascii: "\n"))
        }
    }

    /// `LONG1` with the shortest little-endian two's-complement bytes of `value`.
    private mutating func writeLong1(_ value: Int) {
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
        for position in 0..<count { put(byte(position)) }
    }

    mutating func saveBigInt(_ value: BigInteger) throws {
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
            put(contentsOf: bytes)
        } else {
            put(Opcode.long.rawValue)
            put(contentsOf: try Self.decimalText(of: value).utf8)
            put(UInt8(ascii: "L"))
            put(UInt8(ascii: "\n"))
        }
    }

    /// The most decimal digits of an `int` written as text, CPython 3.11's default limit for integer
    /// string conversion (`sys.int_info.default_max_str_digits`).
    static let maxDecimalDigits = 4300

    /// The decimal text of `value` for the `LONG` opcode, or an error past ``maxDecimalDigits`` digits,
    /// as CPython's pickler fails there. A number of far more bits fails before any conversion, which
    /// is quadratic in the number of digits.
    static func decimalText(of value: BigInteger) throws(PickleError) -> String {
        // A number of n bits has more than (n - 1) * log10(2) digits: past 14,300 bits, more than 4,304.
        let tooLong = PickleError(
            .unpicklable,
            "int exceeds the limit (\(maxDecimalDigits) digits) for integer string conversion, as in CPython; "
                + "use protocol 2 or later, which writes ints in binary")
        guard value.bitLength <= 14_300 else { throw tooLong }
        let text = value.description
        guard text.utf8.count - (value.isNegative ? 1 : 0) <= maxDecimalDigits else { throw tooLong }
        return text
    }

    mutating func saveFloat(_ value: Double) {
        if proto >= 1 {
            write(.binfloat)
            withUnsafeBytes(of: value.bitPattern.bigEndian) { put(contentsOf: $0) }
        } else {
            put(Opcode.float.rawValue)
            put(contentsOf: pythonFloatRepr(value))
            put(UInt8(ascii: "\n"))
        }
    }

    // MARK: str

    @inline(never)
    mutating func saveString(_ string: String) throws {
        // One pass over the UTF-8: hash, look up, write, memoize. Native strings are contiguous.
        let done: Void? = try string.utf8.withContiguousStorageIfAvailable { utf8 in
            try saveString(utf8: UnsafeRawBufferPointer(utf8))
        }
        if done == nil {
            try Array(string.utf8).withUnsafeBytes { try saveString(utf8: $0) }
        }
    }

    private mutating func saveString(utf8: UnsafeRawBufferPointer) throws {
        let (found, hash) = memo.keyed.find(.string, utf8)
        if let found {
            try writeGet(found)
            return
        }
        if proto >= 1 {
            let reopen = try writeBinaryTextHeader(count: utf8.count)
            put(contentsOf: utf8)
            endData(reopeningFrame: reopen)
        } else {
            writeUnicodeLine(String(decoding: utf8, as: UTF8.self).unicodeScalars.lazy.map(\.value))
        }
        let index = memo.allocate()
        memo.keyed.insert(.string, utf8, hash: hash, index: index)
        try writePut(index)
    }

    mutating func saveSurrogateString(_ string: SurrogateString) throws {
        let utf8 = string.surrogatePassUTF8
        let found = memo.keyed.find(.surrogateString, utf8)
        if let index = found.index {
            try writeGet(index)
            return
        }
        if proto >= 1 {
            let reopen = try writeBinaryTextHeader(count: utf8.count)
            put(contentsOf: utf8)
            endData(reopeningFrame: reopen)
        } else {
            writeUnicodeLine(string.codePoints)
        }
        let index = memo.allocate()
        memo.keyed.insert(.surrogateString, utf8, hash: found.hash, index: index)
        try writePut(index)
    }

    /// Saves a `str` that CPython creates afresh while pickling (memoized, never found again).
    mutating func saveFreshString(_ string: String) throws {
        if try beginSynthetic({ .string(string) }) { return }
        try writeText(string)
        try memoizeAnonymous()
    }

    /// Writes the opcode and text of a `str`, without memoizing it.
    mutating func writeText(_ string: String) throws {
        if proto >= 1 {
            let utf8 = string.utf8
            let reopen = try writeBinaryTextHeader(count: utf8.count)
            let copied: Void? = utf8.withContiguousStorageIfAvailable { put(contentsOf: UnsafeRawBufferPointer($0)) }
            if copied == nil { put(contentsOf: utf8) }
            endData(reopeningFrame: reopen)
        } else {
            writeUnicodeLine(string.unicodeScalars.lazy.map(\.value))
        }
    }

    /// `SHORT_BINUNICODE`, `BINUNICODE` or `BINUNICODE8` for `count` bytes of UTF-8, which the caller
    /// writes next, then calls ``endData(reopeningFrame:)`` with the result.
    @inline(__always)
    mutating func writeBinaryTextHeader(count: Int) throws -> Bool {
        if count > Int(UInt32.max), proto < 4 {
            throw PickleError(.unpicklable, "a str over 4 GiB needs protocol 4 or later")
        }
        let reopen = beginData(count: count)
        if count <= 0xFF, proto >= 4 {
            write(.shortBinunicode, UInt8(truncatingIfNeeded: count))
        } else if count <= Int(UInt32.max) {
            write(.binunicode)
            writeLittleEndian(UInt32(truncatingIfNeeded: count))
        } else {
            write(.binunicode8)
            writeLittleEndian(UInt64(count))
        }
        return reopen
    }

    /// `UNICODE` (protocol 0): raw-unicode-escape text with `\`, NUL, CR, LF and Ctrl-Z escaped too,
    /// so the line stays one line.
    mutating func writeUnicodeLine(_ codePoints: some Sequence<UInt32>) {
        put(Opcode.unicode.rawValue)
        for point in codePoints {
            if point >= 0x10000 {
                put(UInt8(ascii: "\\"))
                put(UInt8(ascii: "U"))
                writeHex(point, digits: 8)
            } else if point >= 0x100 || point == 0x5C || point == 0 || point == 0x0A || point == 0x0D
                || point == 0x1A
            {
                put(UInt8(ascii: "\\"))
                put(UInt8(ascii: "u"))
                writeHex(point, digits: 4)
            } else {
                put(UInt8(truncatingIfNeeded: point))
            }
        }
        put(UInt8(ascii: "\n"))
    }

    private mutating func writeHex(_ value: UInt32, digits: Int) {
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            let nibble = UInt8(truncatingIfNeeded: value >> UInt32(shift)) & 0x0F
            put(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
        }
    }

    // MARK: bytes and bytearray

    mutating func saveBytes(_ bytes: [UInt8]) throws {
        let found = memo.keyed.find(.bytes, bytes)
        if let index = found.index {
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
        memo.keyed.insert(.bytes, bytes, hash: found.hash, index: index)
        try writePut(index)
    }

    /// Saves a `bytes` that CPython creates afresh (the argument of `bytearray(bytes)`).
    mutating func saveFreshBytes(_ bytes: [UInt8]) throws {
        if try beginSynthetic({ .bytes(bytes) }) { return }
        if proto >= 3 {
            try writeBytesData(bytes)
        } else {
            try writeBytesReduction(bytes)
        }
        try memoizeAnonymous()
    }

    /// `SHORT_BINBYTES`, `BINBYTES` or `BINBYTES8` (protocol 3 and later).
    private mutating func writeBytesData(_ bytes: [UInt8]) throws {
        let count = bytes.count
        if count > Int(UInt32.max), proto < 4 {
            throw PickleError(.unpicklable, "a bytes over 4 GiB needs protocol 4 or later")
        }
        let reopen = beginData(count: count)
        if count <= 0xFF {
            write(.shortBinbytes, UInt8(truncatingIfNeeded: count))
        } else if count <= Int(UInt32.max) {
            write(.binbytes)
            writeLittleEndian(UInt32(truncatingIfNeeded: count))
        } else {
            write(.binbytes8)
            writeLittleEndian(UInt64(count))
        }
        if !deferData(bytes) { put(contentsOf: bytes) }
        endData(reopeningFrame: reopen)
    }

    /// Protocols 0 to 2 have no opcode for `bytes`: CPython writes `bytes()` for the empty value and
    /// `_codecs.encode(text, "latin1")` for the others, which Python 2 loads as a `str`.
    private mutating func writeBytesReduction(_ bytes: [UInt8]) throws {
        if bytes.isEmpty {
            try save(.global(PicklerGlobals.bytes))
            _ = try beginFreshTuple(count: 0, asValue: { .tuple([]) })
        } else {
            try save(.global(PicklerGlobals.codecsEncode))
            if try beginFreshTuple(count: 2, asValue: { .tuple([.string(latin1String(bytes)), "latin1"]) }) {
                try saveLatin1Text(bytes)
                try save("latin1")
                try endFreshTuple(count: 2)
            }
        }
        write(.reduce)
    }

    /// Saves the `str` that CPython decodes from `bytes` as latin-1: one of its cached one-character
    /// strs, memoized as any `str` (CPython's own `str` of that character is often the same object,
    /// though not always), or a new object, memoized apart, when it is longer.
    private mutating func saveLatin1Text(_ bytes: [UInt8]) throws {
        if bytes.count == 1 {
            try save(.string(latin1String(bytes)))
            return
        }
        if try beginSynthetic({ .string(latin1String(bytes)) }) { return }
        if proto >= 1 {
            let count = bytes.count + bytes.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
            let reopen = try writeBinaryTextHeader(count: count)
            for byte in bytes {
                if byte < 0x80 {
                    put(byte)
                } else {
                    put(0xC0 | byte >> 6)
                    put(0x80 | byte & 0x3F)
                }
            }
            endData(reopeningFrame: reopen)
        } else {
            writeUnicodeLine(bytes.lazy.map(UInt32.init))
        }
        try memoizeAnonymous()
    }

    mutating func saveByteArray(_ array: PickleByteArray) throws {
        if try writeGetIfMemoized(array) { return }
        let bytes = array.bytes
        if proto >= 5 {
            if let outOfBandHook, outOfBandHook(.bytearray(array)) {
                write(.nextBuffer)
                outOfBandBuffers.append(bytes)
                return
            }
            let reopen = beginData(count: bytes.count)
            write(.bytearray8)
            writeLittleEndian(UInt64(bytes.count))
            put(contentsOf: bytes)
            endData(reopeningFrame: reopen)
            try memoize(reference: array)
            return
        }
        // Below protocol 5: bytearray(bytes) or bytearray(), as CPython reduces it.
        try save(.global(PicklerGlobals.bytearray))
        if bytes.isEmpty {
            _ = try beginFreshTuple(count: 0, asValue: { .tuple([]) })
        } else if try beginFreshTuple(count: 1, asValue: { .tuple([.bytes(bytes)]) }) {
            try saveFreshBytes(bytes)
            try endFreshTuple(count: 1)
        }
        write(.reduce)
        _ = try finishConstruction(of: array)
    }

    // MARK: complex

    /// `complex` has no opcode: CPython reduces it to `complex(real, imaginary)` (copyreg).
    mutating func saveComplex(real: Double, imaginary: Double) throws {
        let key = Self.complexKey(real: real, imaginary: imaginary)
        let found = withUnsafeBytes(of: key) { memo.keyed.find(.composite, $0) }
        if let index = found.index {
            try writeGet(index)
            return
        }
        try save(.global(PicklerGlobals.complex))
        if try beginFreshTuple(count: 2, asValue: { .tuple([.float(real), .float(imaginary)]) }) {
            try save(.float(real))
            try save(.float(imaginary))
            try endFreshTuple(count: 2)
        }
        write(.reduce)
        let index = memo.allocate()
        withUnsafeBytes(of: key) { memo.keyed.insert(.composite, $0, hash: found.hash, index: index) }
        try writePut(index)
    }
}

/// The latin-1 decoding of `bytes`, which CPython's `bytes` reduction carries.
private func latin1String(_ bytes: [UInt8]) -> String {
    var scalars = String.UnicodeScalarView()
    for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
    return String(scalars)
}

/// Python's `repr` of a float: the shortest digits that round-trip, in positional notation when the
/// decimal exponent is between -4 and 16, else as `1e+16`, `1.5e-07`; `inf`, `-inf`, `nan`.
private func pythonFloatRepr(_ value: Double) -> [UInt8] {
    var output: [UInt8] = []
    if value.isNaN {
        output.append(contentsOf: "nan".utf8)
        return output
    }
    if value.sign == .minus { output.append(UInt8(ascii: "-")) }
    if value.isInfinite {
        output.append(contentsOf: "inf".utf8)
        return output
    }
    if value == 0 {
        output.append(contentsOf: "0.0".utf8)
        return output
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
    return output
}
