/// A bounds-checked cursor over the bytes of a pickle.
///
/// The unpickler and the disassembler both read through this type: one method per
/// ``Opcode/ArgumentFormat`` decodes an opcode's argument the way CPython's `_pickle.c` does, and
/// every method throws a ``PickleError`` carrying the offset of the opcode being decoded (set
/// ``beginOpcode(at:)`` first) when the data is truncated or malformed. No method traps on any input,
/// and every length read from the data is checked against the bytes that remain before anything is
/// allocated.
///
/// The reader does not own its bytes: it is only valid while the buffer it was made from is.
struct PickleReader {
    /// The first byte, or `nil` for an empty buffer.
    let base: UnsafeRawPointer?
    /// The number of bytes.
    let count: Int
    /// The offset of the next byte to read.
    var position: Int
    /// The offset of the opcode being decoded, for errors.
    var opcodeOffset: Int = 0
    /// The opcode being decoded, for errors.
    var opcode: Opcode?

    /// Creates a reader over `buffer`, starting at `position`.
    init(_ buffer: UnsafeRawBufferPointer, position: Int = 0) {
        base = buffer.baseAddress
        count = buffer.count
        self.position = min(max(position, 0), buffer.count)
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { position >= count }

    /// The number of bytes not yet read.
    var remaining: Int { count - position }

    /// The whole buffer.
    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Records the opcode about to be decoded, so errors name it.
    mutating func beginOpcode(_ opcode: Opcode?, at offset: Int) {
        self.opcode = opcode
        opcodeOffset = offset
    }

    /// An error at the current opcode.
    func error(_ code: PickleError.Code, _ message: String) -> PickleError {
        PickleError(code, message, offset: opcodeOffset, opcode: opcode)
    }

    /// The error for data that ends inside the current opcode's argument.
    func truncated() -> PickleError {
        error(.truncated, "pickle data was truncated")
    }

    // MARK: - Raw reads

    /// Reads the byte of the next opcode, or throws ``PickleError/Code/truncated`` at the end of the data.
    @inline(__always)
    mutating func readOpcodeByte() throws(PickleError) -> UInt8 {
        guard position < count, let base else {
            throw PickleError(.truncated, "ran out of input before STOP", offset: position)
        }
        let byte = base.load(fromByteOffset: position, as: UInt8.self)
        position += 1
        return byte
    }

    /// Reads `length` bytes without copying them.
    @inline(__always)
    mutating func readBytes(_ length: Int) throws(PickleError) -> UnsafeRawBufferPointer {
        guard length >= 0, length <= count - position else { throw truncated() }
        let start = base.map { $0 + position }
        position += length
        return UnsafeRawBufferPointer(start: start, count: length)
    }

    /// Reads `length` bytes given as an unsigned 64-bit count from the data, without copying them.
    @inline(__always)
    mutating func readBytes(length: UInt64) throws(PickleError) -> UnsafeRawBufferPointer {
        guard length <= UInt64(count - position) else { throw truncated() }
        return try readBytes(Int(length))
    }

    /// Reads a little-endian unsigned integer of `size` bytes (at most 8).
    @inline(__always)
    private mutating func readLittleEndian(_ size: Int) throws(PickleError) -> UInt64 {
        guard size <= count - position, let base else { throw truncated() }
        let start = base + position
        let value: UInt64
        switch size {
        case 2: value = UInt64(UInt16(littleEndian: start.loadUnaligned(as: UInt16.self)))
        case 4: value = UInt64(UInt32(littleEndian: start.loadUnaligned(as: UInt32.self)))
        case 8: value = UInt64(littleEndian: start.loadUnaligned(as: UInt64.self))
        default:
            var bytes: UInt64 = 0
            for index in 0..<size { bytes |= UInt64(start.load(fromByteOffset: index, as: UInt8.self)) << UInt64(8 * index) }
            value = bytes
        }
        position += size
        return value
    }

    /// Reads one line, without its newline; throws ``PickleError/Code/truncated`` when no newline follows.
    mutating func readLine() throws(PickleError) -> UnsafeRawBufferPointer {
        guard position < count, let base else { throw truncated() }
        let rest = UnsafeRawBufferPointer(start: base + position, count: count - position)
        guard let newline = rest.firstIndex(of: 0x0A) else { throw truncated() }
        let line = UnsafeRawBufferPointer(start: base + position, count: newline)
        position += newline + 1
        return line
    }

    // MARK: - Fixed-size arguments

    /// `uint1`: one unsigned byte.
    @inline(__always)
    mutating func readUInt1() throws(PickleError) -> Int {
        guard position < count, let base else { throw truncated() }
        let byte = base.load(fromByteOffset: position, as: UInt8.self)
        position += 1
        return Int(byte)
    }

    /// `uint2`: a little-endian unsigned 16-bit integer.
    @inline(__always)
    mutating func readUInt2() throws(PickleError) -> Int {
        Int(try readLittleEndian(2))
    }

    /// `uint4`: a little-endian unsigned 32-bit integer.
    @inline(__always)
    mutating func readUInt4() throws(PickleError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readLittleEndian(4))
    }

    /// `int4`: a little-endian signed 32-bit integer.
    @inline(__always)
    mutating func readInt4() throws(PickleError) -> Int32 {
        Int32(bitPattern: UInt32(truncatingIfNeeded: try readLittleEndian(4)))
    }

    /// `uint8`: a little-endian unsigned 64-bit integer.
    @inline(__always)
    mutating func readUInt8() throws(PickleError) -> UInt64 {
        try readLittleEndian(8)
    }

    /// `float8`: a big-endian IEEE 754 double.
    @inline(__always)
    mutating func readFloat8() throws(PickleError) -> Double {
        guard 8 <= count - position, let base else { throw truncated() }
        var bits: UInt64 = 0
        for index in 0..<8 {
            bits = bits << 8 | UInt64(base.load(fromByteOffset: position + index, as: UInt8.self))
        }
        position += 8
        return Double(bitPattern: bits)
    }

    // MARK: - Counted arguments

    /// `string1` and `bytes1`: a one-byte length, then that many bytes, not copied.
    @inline(__always)
    mutating func readCounted1() throws(PickleError) -> UnsafeRawBufferPointer {
        try readBytes(try readUInt1())
    }

    /// `string4` and `bytes4`: a four-byte little-endian length, then that many bytes, not copied.
    ///
    /// Like CPython's `_pickle.c`, the length is read as unsigned for every opcode, `BINSTRING`
    /// included (`pickletools` documents it as signed; a negative one cannot fit in the data anyway).
    @inline(__always)
    mutating func readCounted4() throws(PickleError) -> UnsafeRawBufferPointer {
        try readBytes(length: UInt64(try readUInt4()))
    }

    /// `bytes8`: an eight-byte little-endian length, then that many bytes, not copied.
    @inline(__always)
    mutating func readCounted8() throws(PickleError) -> UnsafeRawBufferPointer {
        try readBytes(length: try readUInt8())
    }

    /// `long1`: a one-byte length, then a little-endian two's-complement integer of that many bytes.
    mutating func readLong1() throws(PickleError) -> PickleValue {
        Self.integer(twosComplement: try readCounted1())
    }

    /// `long4`: a four-byte signed length, then a little-endian two's-complement integer of that many
    /// bytes; a negative length is ``PickleError/Code/invalidArgument``, as in CPython.
    mutating func readLong4() throws(PickleError) -> PickleValue {
        let length = try readInt4()
        guard length >= 0 else { throw error(.invalidArgument, "LONG pickle has negative byte count") }
        return Self.integer(twosComplement: try readBytes(Int(length)))
    }

    /// The integer that little-endian two's-complement `bytes` encode; no bytes is zero.
    static func integer(twosComplement bytes: UnsafeRawBufferPointer) -> PickleValue {
        if bytes.count <= 8 {
            guard let last = bytes.last else { return .int(0) }
            var value: UInt64 = last & 0x80 != 0 ? ~0 : 0
            for byte in bytes.reversed() {
                value = value << 8 | UInt64(byte)
            }
            return .int(Int(Int64(bitPattern: value)))
        }
        return .integer(BigInteger(twosComplementLittleEndian: bytes))
    }
}

extension PickleReader {
    /// One decoded opcode and its argument, for tools that look at a pickle without running it.
    struct Instruction {
        /// The opcode.
        var opcode: Opcode
        /// The offset of the opcode's byte.
        var offset: Int
        /// The decoded argument.
        var argument: Argument
        /// The offsets of the opcode and its argument: `offset..<` the next opcode.
        var range: Range<Int>
    }

    /// An opcode's argument, decoded as CPython's unpickler reads it.
    enum Argument {
        /// No argument.
        case none
        /// `uint1`, `uint2`, `uint4`, `int4`, `uint8` and the memo index of `GET`/`PUT`.
        case integer(Int64)
        /// `uint8` values beyond `Int64` (only possible for `FRAME`).
        case unsigned(UInt64)
        /// `float8` and `FLOAT`.
        case float(Double)
        /// `INT`, `LONG`, `LONG1`, `LONG4`: an ``PickleValue/int(_:)``, ``PickleValue/bigInt(_:)`` or,
        /// for `INT 00`/`01`, a ``PickleValue/bool(_:)``.
        case value(PickleValue)
        /// `UNICODE`: the decoded text, a ``PickleValue/string(_:)`` or ``PickleValue/surrogateString(_:)``.
        case text(PickleValue)
        /// Counted bytes (`string1/4`, `bytes1/4/8`) and `PERSID`'s line: their offsets in the buffer.
        case bytes(Range<Int>)
        /// `STRING`: the bytes after quote removal and escape decoding.
        case quotedString([UInt8])
        /// `GLOBAL`/`INST`: the offsets of the module line and the name line, without newlines.
        case twoLines(Range<Int>, Range<Int>)
    }

    /// Decodes the next opcode and its argument without executing anything.
    ///
    /// The reader is left after the argument. Text arguments are parsed with the unpickler's rules
    /// (so `INT 9223372036854775807JUNK` fails here too); counted bytes are given as offsets.
    ///
    /// - Parameter maxIntegerDigits: The longest decimal integer accepted in `INT` and `LONG`.
    /// - Throws: ``PickleError`` with code ``PickleError/Code/unknownOpcode``,
    ///   ``PickleError/Code/truncated`` or a code for a malformed argument.
    mutating func readInstruction(maxIntegerDigits: Int = 4300) throws(PickleError) -> Instruction {
        let start = position
        let byte = try readOpcodeByte()
        guard let opcode = Opcode(rawValue: byte) else {
            beginOpcode(nil, at: start)
            throw Self.unknownOpcode(byte, at: start)
        }
        beginOpcode(opcode, at: start)
        let argument: Argument
        func range(_ bytes: UnsafeRawBufferPointer) -> Range<Int> {
            guard let address = bytes.baseAddress, let base else { return position..<position }
            let lower = address - base
            return lower..<lower + bytes.count
        }
        switch opcode.argumentFormat {
        case .noArgument:
            argument = .none
        case .uint1:
            argument = .integer(Int64(try readUInt1()))
        case .uint2:
            argument = .integer(Int64(try readUInt2()))
        case .uint4:
            argument = .integer(Int64(try readUInt4()))
        case .int4:
            argument = .integer(Int64(try readInt4()))
        case .uint8:
            let value = try readUInt8()
            argument = value <= UInt64(Int64.max) ? .integer(Int64(value)) : .unsigned(value)
        case .float8:
            argument = .float(try readFloat8())
        case .decimalShort:
            if opcode == .int {
                argument = .value(try readIntLine(maxDigits: maxIntegerDigits))
            } else {
                argument = .integer(Int64(try readMemoIndexLine()))
            }
        case .decimalLong:
            argument = .value(try readLongLine(maxDigits: maxIntegerDigits))
        case .floatLine:
            argument = .float(try readFloatLine())
        case .quotedString:
            argument = .quotedString(try readQuotedStringLine())
        case .rawUnicodeLine:
            argument = .text(try readRawUnicodeLine())
        case .line:
            argument = .bytes(range(try readLine()))
        case .twoLines:
            let module = try readNameLine()
            let name = try readNameLine()
            argument = .twoLines(range(module), range(name))
        case .string1, .bytes1:
            argument = .bytes(range(try readCounted1()))
        case .string4, .bytes4:
            argument = .bytes(range(try readCounted4()))
        case .bytes8:
            argument = .bytes(range(try readCounted8()))
        case .long1:
            argument = .value(try readLong1())
        case .long4:
            argument = .value(try readLong4())
        }
        return Instruction(opcode: opcode, offset: start, argument: argument, range: start..<position)
    }

    /// One line of `GLOBAL`/`INST`: CPython requires at least one byte before the newline and
    /// reports an empty line as truncated data.
    mutating func readNameLine() throws(PickleError) -> UnsafeRawBufferPointer {
        let line = try readLine()
        guard !line.isEmpty else { throw truncated() }
        return line
    }

    /// The error for a byte that is no opcode, worded like CPython's.
    static func unknownOpcode(_ byte: UInt8, at offset: Int) -> PickleError {
        let shown: String
        if (0x20...0x7E).contains(byte), byte != UInt8(ascii: "'"), byte != UInt8(ascii: "\\") {
            shown = String(UnicodeScalar(byte))
        } else {
            shown = "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
        }
        return PickleError(.unknownOpcode, "invalid load key, '\(shown)'", offset: offset)
    }
}
