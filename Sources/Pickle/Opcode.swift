/// One instruction of the pickle virtual machine.
///
/// There is a case for each of the 68 opcodes that CPython's `pickletools` documents, protocols 0 to 5,
/// legacy ones included. The raw value is the opcode's byte on the wire.
///
/// ```swift
/// Opcode(rawValue: 0x80) == .proto    // true
/// Opcode.stop.name                    // "STOP"
/// ```
public enum Opcode: UInt8, CaseIterable, Sendable {
    /// `INT` (protocol 0).
    case int = 0x49
    /// `BININT` (protocol 1).
    case binint = 0x4a
    /// `BININT1` (protocol 1).
    case binint1 = 0x4b
    /// `BININT2` (protocol 1).
    case binint2 = 0x4d
    /// `LONG` (protocol 0).
    case long = 0x4c
    /// `LONG1` (protocol 2).
    case long1 = 0x8a
    /// `LONG4` (protocol 2).
    case long4 = 0x8b
    /// `STRING` (protocol 0).
    case string = 0x53
    /// `BINSTRING` (protocol 1).
    case binstring = 0x54
    /// `SHORT_BINSTRING` (protocol 1).
    case shortBinstring = 0x55
    /// `BINBYTES` (protocol 3).
    case binbytes = 0x42
    /// `SHORT_BINBYTES` (protocol 3).
    case shortBinbytes = 0x43
    /// `BINBYTES8` (protocol 4).
    case binbytes8 = 0x8e
    /// `BYTEARRAY8` (protocol 5).
    case bytearray8 = 0x96
    /// `NEXT_BUFFER` (protocol 5).
    case nextBuffer = 0x97
    /// `READONLY_BUFFER` (protocol 5).
    case readonlyBuffer = 0x98
    /// `NONE` (protocol 0).
    case noneValue = 0x4e
    /// `NEWTRUE` (protocol 2).
    case newtrue = 0x88
    /// `NEWFALSE` (protocol 2).
    case newfalse = 0x89
    /// `UNICODE` (protocol 0).
    case unicode = 0x56
    /// `SHORT_BINUNICODE` (protocol 4).
    case shortBinunicode = 0x8c
    /// `BINUNICODE` (protocol 1).
    case binunicode = 0x58
    /// `BINUNICODE8` (protocol 4).
    case binunicode8 = 0x8d
    /// `FLOAT` (protocol 0).
    case float = 0x46
    /// `BINFLOAT` (protocol 1).
    case binfloat = 0x47
    /// `EMPTY_LIST` (protocol 1).
    case emptyList = 0x5d
    /// `APPEND` (protocol 0).
    case append = 0x61
    /// `APPENDS` (protocol 1).
    case appends = 0x65
    /// `LIST` (protocol 0).
    case list = 0x6c
    /// `EMPTY_TUPLE` (protocol 1).
    case emptyTuple = 0x29
    /// `TUPLE` (protocol 0).
    case tuple = 0x74
    /// `TUPLE1` (protocol 2).
    case tuple1 = 0x85
    /// `TUPLE2` (protocol 2).
    case tuple2 = 0x86
    /// `TUPLE3` (protocol 2).
    case tuple3 = 0x87
    /// `EMPTY_DICT` (protocol 1).
    case emptyDict = 0x7d
    /// `DICT` (protocol 0).
    case dict = 0x64
    /// `SETITEM` (protocol 0).
    case setitem = 0x73
    /// `SETITEMS` (protocol 1).
    case setitems = 0x75
    /// `EMPTY_SET` (protocol 4).
    case emptySet = 0x8f
    /// `ADDITEMS` (protocol 4).
    case additems = 0x90
    /// `FROZENSET` (protocol 4).
    case frozenset = 0x91
    /// `POP` (protocol 0).
    case pop = 0x30
    /// `DUP` (protocol 0).
    case dup = 0x32
    /// `MARK` (protocol 0).
    case mark = 0x28
    /// `POP_MARK` (protocol 1).
    case popMark = 0x31
    /// `GET` (protocol 0).
    case get = 0x67
    /// `BINGET` (protocol 1).
    case binget = 0x68
    /// `LONG_BINGET` (protocol 1).
    case longBinget = 0x6a
    /// `PUT` (protocol 0).
    case put = 0x70
    /// `BINPUT` (protocol 1).
    case binput = 0x71
    /// `LONG_BINPUT` (protocol 1).
    case longBinput = 0x72
    /// `MEMOIZE` (protocol 4).
    case memoize = 0x94
    /// `EXT1` (protocol 2).
    case ext1 = 0x82
    /// `EXT2` (protocol 2).
    case ext2 = 0x83
    /// `EXT4` (protocol 2).
    case ext4 = 0x84
    /// `GLOBAL` (protocol 0).
    case `global` = 0x63
    /// `STACK_GLOBAL` (protocol 4).
    case stackGlobal = 0x93
    /// `REDUCE` (protocol 0).
    case reduce = 0x52
    /// `BUILD` (protocol 0).
    case build = 0x62
    /// `INST` (protocol 0).
    case inst = 0x69
    /// `OBJ` (protocol 1).
    case obj = 0x6f
    /// `NEWOBJ` (protocol 2).
    case newobj = 0x81
    /// `NEWOBJ_EX` (protocol 4).
    case newobjEx = 0x92
    /// `PROTO` (protocol 2).
    case proto = 0x80
    /// `STOP` (protocol 0).
    case stop = 0x2e
    /// `FRAME` (protocol 4).
    case frame = 0x95
    /// `PERSID` (protocol 0).
    case persid = 0x50
    /// `BINPERSID` (protocol 1).
    case binpersid = 0x51
}

extension Opcode {
    /// How an opcode's argument is encoded after the opcode byte.
    public enum ArgumentFormat: Sendable, Hashable {
        /// No argument.
        case noArgument
        /// One unsigned byte.
        case uint1
        /// A little-endian unsigned 16-bit integer.
        case uint2
        /// A little-endian unsigned 32-bit integer.
        case uint4
        /// A little-endian unsigned 64-bit integer.
        case uint8
        /// A little-endian signed 32-bit integer.
        case int4
        /// A big-endian IEEE 754 double.
        case float8
        /// A decimal integer ended by a newline (`INT`, `GET`, `PUT`; `00` and `01` mean False and True).
        case decimalShort
        /// A decimal integer with an optional trailing `L`, ended by a newline (`LONG`).
        case decimalLong
        /// A float in `repr` form ended by a newline (`FLOAT`).
        case floatLine
        /// A Python-quoted, escaped byte string ended by a newline (`STRING`).
        case quotedString
        /// Raw-unicode-escaped text ended by a newline (`UNICODE`).
        case rawUnicodeLine
        /// One line of text (`PERSID`).
        case line
        /// Two lines of text, a module and a name (`GLOBAL`, `INST`).
        case twoLines
        /// A one-byte length, then that many bytes.
        case string1
        /// A four-byte little-endian length, then that many bytes.
        case string4
        /// A one-byte length, then that many bytes (`SHORT_BINBYTES`).
        case bytes1
        /// A four-byte little-endian unsigned length, then that many bytes.
        case bytes4
        /// An eight-byte little-endian length, then that many bytes.
        case bytes8
        /// A one-byte length, then a little-endian two's-complement integer of that many bytes.
        case long1
        /// A four-byte length, then a little-endian two's-complement integer of that many bytes.
        case long4
    }

    /// The opcode's name as `pickletools` prints it, like `"SHORT_BINUNICODE"`.
    public var name: String {
        switch self {
        case .int: "INT"
        case .binint: "BININT"
        case .binint1: "BININT1"
        case .binint2: "BININT2"
        case .long: "LONG"
        case .long1: "LONG1"
        case .long4: "LONG4"
        case .string: "STRING"
        case .binstring: "BINSTRING"
        case .shortBinstring: "SHORT_BINSTRING"
        case .binbytes: "BINBYTES"
        case .shortBinbytes: "SHORT_BINBYTES"
        case .binbytes8: "BINBYTES8"
        case .bytearray8: "BYTEARRAY8"
        case .nextBuffer: "NEXT_BUFFER"
        case .readonlyBuffer: "READONLY_BUFFER"
        case .noneValue: "NONE"
        case .newtrue: "NEWTRUE"
        case .newfalse: "NEWFALSE"
        case .unicode: "UNICODE"
        case .shortBinunicode: "SHORT_BINUNICODE"
        case .binunicode: "BINUNICODE"
        case .binunicode8: "BINUNICODE8"
        case .float: "FLOAT"
        case .binfloat: "BINFLOAT"
        case .emptyList: "EMPTY_LIST"
        case .append: "APPEND"
        case .appends: "APPENDS"
        case .list: "LIST"
        case .emptyTuple: "EMPTY_TUPLE"
        case .tuple: "TUPLE"
        case .tuple1: "TUPLE1"
        case .tuple2: "TUPLE2"
        case .tuple3: "TUPLE3"
        case .emptyDict: "EMPTY_DICT"
        case .dict: "DICT"
        case .setitem: "SETITEM"
        case .setitems: "SETITEMS"
        case .emptySet: "EMPTY_SET"
        case .additems: "ADDITEMS"
        case .frozenset: "FROZENSET"
        case .pop: "POP"
        case .dup: "DUP"
        case .mark: "MARK"
        case .popMark: "POP_MARK"
        case .get: "GET"
        case .binget: "BINGET"
        case .longBinget: "LONG_BINGET"
        case .put: "PUT"
        case .binput: "BINPUT"
        case .longBinput: "LONG_BINPUT"
        case .memoize: "MEMOIZE"
        case .ext1: "EXT1"
        case .ext2: "EXT2"
        case .ext4: "EXT4"
        case .global: "GLOBAL"
        case .stackGlobal: "STACK_GLOBAL"
        case .reduce: "REDUCE"
        case .build: "BUILD"
        case .inst: "INST"
        case .obj: "OBJ"
        case .newobj: "NEWOBJ"
        case .newobjEx: "NEWOBJ_EX"
        case .proto: "PROTO"
        case .stop: "STOP"
        case .frame: "FRAME"
        case .persid: "PERSID"
        case .binpersid: "BINPERSID"
        }
    }

    /// The first protocol that has this opcode.
    public var protocolIntroduced: Int {
        switch self {
        case .binint, .binint1, .binint2, .binstring, .shortBinstring, .binunicode, .binfloat, .emptyList, .appends, .emptyTuple, .emptyDict, .setitems, .popMark, .binget, .longBinget, .binput, .longBinput, .obj, .binpersid: 1
        case .long1, .long4, .newtrue, .newfalse, .tuple1, .tuple2, .tuple3, .ext1, .ext2, .ext4, .newobj, .proto: 2
        case .binbytes, .shortBinbytes: 3
        case .binbytes8, .shortBinunicode, .binunicode8, .emptySet, .additems, .frozenset, .memoize, .stackGlobal, .newobjEx, .frame: 4
        case .bytearray8, .nextBuffer, .readonlyBuffer: 5
        default: 0
        }
    }

    /// How the opcode's argument is encoded.
    public var argumentFormat: ArgumentFormat {
        switch self {
        case .int, .get, .put: .decimalShort
        case .binint, .ext4: .int4
        case .binint1, .binget, .binput, .ext1, .proto: .uint1
        case .binint2, .ext2: .uint2
        case .long: .decimalLong
        case .long1: .long1
        case .long4: .long4
        case .string: .quotedString
        case .binstring, .binunicode: .string4
        case .shortBinstring, .shortBinunicode: .string1
        case .binbytes: .bytes4
        case .shortBinbytes: .bytes1
        case .binbytes8, .bytearray8, .binunicode8: .bytes8
        case .unicode: .rawUnicodeLine
        case .float: .floatLine
        case .binfloat: .float8
        case .longBinget, .longBinput: .uint4
        case .global, .inst: .twoLines
        case .frame: .uint8
        case .persid: .line
        default: .noArgument
        }
    }
}
