/// A symbolic listing of a pickle's opcodes, the text Python's `pickletools.dis` prints.
///
/// Each line gives the opcode's byte offset, its byte, its name indented by the number of open
/// `MARK`s, its argument as Python's `repr()` prints it, and for opcodes that close a `MARK` the
/// offset of that `MARK`; a footer gives the highest protocol among the opcodes. Like `pickletools`,
/// the disassembler emulates the stack and the memo to check the pickle as it goes: a missing
/// `MARK`, a stack underflow, a memo key used before it is stored or stored twice, and a stack left
/// with values after `STOP` are errors, reported after the offending line is printed. Nothing is
/// ever built or called.
///
/// The output is byte for byte what CPython 3.11's `pickletools.dis(data, out=…)` prints for the
/// same bytes, in every pickle CPython writes. The arguments are decoded by the unpickler's own
/// reader, so on unusual text arguments that no pickler writes the shown value is what the unpickler
/// reads: `INT` and `LONG` lines are read like CPython's `_pickle.c` reads them (`I010` is 8 here
/// and 10 in `pickletools`). Where `pickletools` fails to show an argument, this shows it instead: a
/// `STRING` or `GLOBAL` with non-ASCII bytes (Latin-1 for strings, UTF-8 for names) or an integer of
/// more than 4300 digits.
///
/// ```swift
/// let text = try PickleDisassembler.disassemble([0x80, 0x04, 0x4b, 0x2a, 0x2e])
/// // "    0: \x80 PROTO      4\n    2: K    BININT1    42\n    4: .    STOP\n"
/// // + "highest protocol among opcodes = 2\n"
/// ```
public enum PickleDisassembler {
    /// The text of a disassembly, and the error that ended it early, if any.
    ///
    /// `pickletools.dis` prints each line as it goes, then raises; this keeps what was printed up to
    /// the failure, so a caller can show it.
    public struct Disassembly: Sendable {
        /// The lines printed, each ending in a newline; on failure, up to the failing opcode's line when
        /// `pickletools` prints it (a stack or memo error), or up to the line before (an unreadable
        /// opcode or argument).
        public var text: String
        /// What ended the disassembly early, or `nil` when every pickle ended with `STOP` and checked out.
        public var error: PickleError?
        /// The offset after the last opcode read: after `STOP` on success.
        public var endOffset: Int
    }

    /// The memo as the disassembler emulates it: which memo keys hold a value, and of what kind.
    ///
    /// Pass the same memo to successive calls to disassemble pickles that one pickler wrote one
    /// after another with one memo, like `pickletools.dis(…, memo=memo)`.
    ///
    /// ```swift
    /// var memo = PickleDisassembler.Memo()
    /// let first = PickleDisassembler.disassembly(of: firstPickle, memo: &memo)
    /// let second = PickleDisassembler.disassembly(of: secondPickle, memo: &memo)
    /// ```
    public struct Memo: Sendable {
        fileprivate var kinds: [Int64: StackKind] = [:]

        /// Creates an empty memo.
        public init() {}

        /// The number of memo keys stored.
        public var count: Int { kinds.count }
    }

    /// Disassembles the pickle at the start of `pickle`, through its `STOP` opcode.
    ///
    /// Bytes after `STOP` are ignored, as `pickletools.dis` ignores them.
    ///
    /// ```swift
    /// print(try PickleDisassembler.disassemble(bytes))
    /// ```
    ///
    /// - Parameters:
    ///   - pickle: The bytes of a pickle.
    ///   - indentLevel: The number of spaces by which each open `MARK` indents the opcode names.
    ///   - annotate: When positive, each line ends with a one-line summary of the opcode, starting
    ///     near this column as `pickletools` places its annotations (the summaries are this package's
    ///     own words, not `pickletools`'). Zero, the default, adds none.
    /// - Returns: The listing, one line per opcode, then `highest protocol among opcodes = N`.
    /// - Throws: ``PickleError`` at the offset of the first opcode that cannot be read or fails a
    ///   check; ``disassembly(of:from:indentLevel:annotate:)`` gives the text printed before it.
    public static func disassemble(_ pickle: [UInt8], indentLevel: Int = 4, annotate: Int = 0) throws(PickleError)
        -> String
    {
        let result = disassembly(of: pickle, indentLevel: indentLevel, annotate: annotate)
        if let error = result.error { throw error }
        return result.text
    }

    /// Disassembles every pickle in `stream`, one after another, as calling `pickletools.dis`
    /// repeatedly on a file does until the end of the file.
    ///
    /// Each pickle has its own listing and footer; offsets count from the start of `stream`.
    ///
    /// ```swift
    /// let text = try PickleDisassembler.disassembleStream(first + second)
    /// ```
    ///
    /// - Parameters:
    ///   - stream: Zero or more pickles, back to back.
    ///   - indentLevel: The number of spaces by which each open `MARK` indents the opcode names.
    ///   - annotate: The column hint for opcode summaries, or zero for none; see
    ///     ``disassemble(_:indentLevel:annotate:)``.
    ///   - sharingMemo: Whether the memo carries over from one pickle to the next, as it does for
    ///     pickles written by one `Pickler` and read by one `Unpickler` (`pickletools.dis` with the same
    ///     `memo` argument each time). By default each pickle starts with an empty memo.
    /// - Returns: The listings, one after another.
    /// - Throws: ``PickleError`` at the offset of the first opcode that cannot be read or fails a check.
    public static func disassembleStream(
        _ stream: [UInt8], indentLevel: Int = 4, annotate: Int = 0, sharingMemo: Bool = false
    ) throws(PickleError) -> String {
        let result = streamDisassembly(of: stream, indentLevel: indentLevel, annotate: annotate,
                                       sharingMemo: sharingMemo)
        if let error = result.error { throw error }
        return result.text
    }

    /// Disassembles one pickle starting at `offset` and keeps the text printed before any error.
    ///
    /// ```swift
    /// let result = PickleDisassembler.disassembly(of: damaged)
    /// print(result.text)
    /// if let error = result.error { print("error:", error) }
    /// ```
    ///
    /// - Parameters:
    ///   - bytes: A buffer holding the pickle.
    ///   - offset: Where the pickle starts; printed offsets count from the start of `bytes`.
    ///   - indentLevel: The number of spaces by which each open `MARK` indents the opcode names.
    ///   - annotate: The column hint for opcode summaries, or zero for none; see
    ///     ``disassemble(_:indentLevel:annotate:)``.
    /// - Returns: The text, the error if one ended the disassembly, and where the pickle ended.
    public static func disassembly(
        of bytes: [UInt8], from offset: Int = 0, indentLevel: Int = 4, annotate: Int = 0
    ) -> Disassembly {
        var memo = Memo()
        return disassembly(of: bytes, from: offset, indentLevel: indentLevel, annotate: annotate, memo: &memo)
    }

    /// Disassembles one pickle starting at `offset` with a memo that earlier pickles filled, and keeps
    /// the text printed before any error.
    ///
    /// - Parameters:
    ///   - bytes: A buffer holding the pickle.
    ///   - offset: Where the pickle starts; printed offsets count from the start of `bytes`.
    ///   - indentLevel: The number of spaces by which each open `MARK` indents the opcode names.
    ///   - annotate: The column hint for opcode summaries, or zero for none; see
    ///     ``disassemble(_:indentLevel:annotate:)``.
    ///   - memo: The memo before the pickle; on return, after it (up to the error, if any).
    /// - Returns: The text, the error if one ended the disassembly, and where the pickle ended.
    public static func disassembly(
        of bytes: [UInt8], from offset: Int = 0, indentLevel: Int = 4, annotate: Int = 0, memo: inout Memo
    ) -> Disassembly {
        var machine = DisassemblyMachine(indentLevel: indentLevel, annotate: annotate, memo: memo)
        let result = bytes.withUnsafeBytes { buffer in
            var reader = PickleReader(buffer, position: offset)
            let error = machine.run(&reader)
            return Disassembly(text: machine.text, error: error, endOffset: machine.endOffset)
        }
        memo = machine.memo
        return result
    }

    /// Disassembles every pickle in `bytes`, one after another, and keeps the text printed before any
    /// error.
    ///
    /// - Parameters:
    ///   - bytes: Zero or more pickles, back to back.
    ///   - indentLevel: The number of spaces by which each open `MARK` indents the opcode names.
    ///   - annotate: The column hint for opcode summaries, or zero for none.
    ///   - sharingMemo: Whether the memo carries over from one pickle to the next; see
    ///     ``disassembleStream(_:indentLevel:annotate:sharingMemo:)``.
    /// - Returns: The text, the error if one ended the disassembly, and where the last pickle read ended.
    public static func streamDisassembly(
        of bytes: [UInt8], indentLevel: Int = 4, annotate: Int = 0, sharingMemo: Bool = false
    ) -> Disassembly {
        var machine = DisassemblyMachine(indentLevel: indentLevel, annotate: annotate, memo: PickleDisassembler.Memo())
        return bytes.withUnsafeBytes { buffer in
            var reader = PickleReader(buffer)
            while !reader.isAtEnd {
                if let error = machine.run(&reader) {
                    return Disassembly(text: machine.text, error: error, endOffset: machine.endOffset)
                }
                machine.reset(keepingMemo: sharingMemo)
            }
            return Disassembly(text: machine.text, error: nil, endOffset: machine.endOffset)
        }
    }
}

/// The stack and memo emulation behind ``PickleDisassembler``: what kind of value each opcode
/// pops and pushes, with `MARK`s kept apart so that the indentation and the checks follow them.
private struct DisassemblyMachine {
    let indentLevel: Int
    let annotate: Int
    private(set) var text = ""
    private(set) var endOffset = 0

    private var stack: [StackKind] = []
    private var markOffsets: [Int] = []
    private(set) var memo: PickleDisassembler.Memo
    private var highestProtocol = -1
    private var annotationColumn: Int

    init(indentLevel: Int, annotate: Int, memo: PickleDisassembler.Memo) {
        self.indentLevel = max(indentLevel, 0)
        self.annotate = annotate
        self.memo = memo
        annotationColumn = annotate
    }

    /// Starts the next pickle of a stream.
    mutating func reset(keepingMemo: Bool) {
        stack.removeAll()
        markOffsets.removeAll()
        if !keepingMemo { memo.kinds.removeAll() }
        highestProtocol = -1
        annotationColumn = annotate
    }

    /// Disassembles one pickle from the reader's position through `STOP`; returns the error that
    /// ended it early, if any.
    mutating func run(_ reader: inout PickleReader) -> PickleError? {
        endOffset = reader.position
        while true {
            let instruction: PickleReader.Instruction
            let argument: String?
            do {
                instruction = try reader.readInstruction()
                argument = try Self.argumentText(instruction, reader)
            } catch {
                return error
            }
            endOffset = reader.position
            if let error = step(instruction, argument: argument) { return error }
            if instruction.opcode == .stop {
                text += "highest protocol among opcodes = \(highestProtocol)\n"
                guard stack.isEmpty else {
                    let kinds = stack.map(\.name).joined(separator: ", ")
                    return PickleError(.invalidStack, "stack not empty after STOP: [\(kinds)]",
                                       offset: instruction.offset, opcode: .stop)
                }
                return nil
            }
        }
    }

    /// Prints one opcode's line and applies its stack effect.
    private mutating func step(_ instruction: PickleReader.Instruction, argument: String?) -> PickleError? {
        let opcode = instruction.opcode
        let offset = instruction.offset
        func failure(_ code: PickleError.Code, _ message: String) -> PickleError {
            PickleError(code, message, offset: offset, opcode: opcode)
        }
        let name = opcode.name
        var line = Self.opcodeColumn(opcode)
        line += String(repeating: " ", count: indentLevel * markOffsets.count)
        line += name
        highestProtocol = max(highestProtocol, opcode.protocolIntroduced)

        let effect = StackEffect.of(opcode)
        var after = effect.after
        var popCount = effect.before.count
        var note: String?
        var problem: PickleError?

        // An opcode that takes the items above the topmost MARK, or a POP of a MARK.
        if let markIndex = effect.markIndex ?? (opcode == .pop && stack.last == .mark ? 0 : nil) {
            if let markOffset = markOffsets.popLast() {
                note = "(MARK at \(markOffset))"
                guard let stackMark = stack.lastIndex(of: .mark) else {
                    // pickletools fails here, between printing the offset and the line.
                    text += Self.offsetColumn(offset)
                    return failure(.markNotFound, "the MARK at \(markOffset) was popped by another opcode")
                }
                stack.removeSubrange(stackMark...)
                popCount = markIndex
            } else {
                note = "no MARK exists on stack"
                problem = failure(.markNotFound, "no MARK exists on stack")
            }
        }

        switch opcode {
        case .put, .binput, .longBinput, .memoize:
            let index: Int64
            if opcode == .memoize {
                index = Int64(memo.kinds.count)
                note = "(as \(index))"
            } else {
                index = instruction.memoIndex
            }
            if memo.kinds[index] != nil {
                problem = failure(.invalidArgument, "memo key \(argument ?? "None") already defined")
            } else if let top = stack.last {
                if top == .mark {
                    problem = failure(.invalidStack, "can't store markobject in the memo")
                } else {
                    memo.kinds[index] = top
                }
            } else {
                problem = failure(.stackUnderflow, "stack is empty -- can't store into memo")
            }
        case .get, .binget, .longBinget:
            if let kind = memo.kinds[instruction.memoIndex] {
                after = [kind]
            } else {
                problem = failure(.memoKeyNotFound, "memo key \(argument ?? "None") has never been stored into")
            }
        default:
            break
        }

        if argument != nil || note != nil {
            line += String(repeating: " ", count: max(0, 10 - name.utf8.count))
            if let argument { line += " " + argument }
            if let note { line += " " + note }
        }
        if annotate != 0 {
            let length = line.unicodeScalars.count
            line += String(repeating: " ", count: max(0, annotationColumn - length))
            annotationColumn = line.unicodeScalars.count
            if annotationColumn > 50 { annotationColumn = annotate }
            line += " " + opcode.disassemblySummary
        }
        text += Self.offsetColumn(offset)
        text += line
        text += "\n"

        if let problem { return problem }
        guard stack.count >= popCount else {
            return failure(.stackUnderflow, "tries to pop \(popCount) items from stack with only \(stack.count) items")
        }
        stack.removeLast(popCount)
        if effect.pushesMark { markOffsets.append(offset) }
        stack.append(contentsOf: after)
        return nil
    }

    /// `%5d: `: the offset right-aligned in five columns, a colon and a space.
    private static func offsetColumn(_ offset: Int) -> String {
        let digits = String(offset)
        return String(repeating: " ", count: max(0, 5 - digits.utf8.count)) + digits + ": "
    }

    /// The opcode's byte as Python's `repr()` of a one-character string shows it, without the quotes,
    /// left-aligned in four columns, then a space.
    private static func opcodeColumn(_ opcode: Opcode) -> String {
        let shown = String(pythonRepr(codePoints: [UInt32(opcode.rawValue)]).dropFirst().dropLast())
        return shown + String(repeating: " ", count: max(0, 4 - shown.utf8.count)) + " "
    }

    /// The argument as `pickletools` shows it: Python's `repr()` of the value it decodes.
    private static func argumentText(
        _ instruction: PickleReader.Instruction, _ reader: PickleReader
    ) throws(PickleError) -> String? {
        let opcode = instruction.opcode
        func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: reader.buffer[range])
        }
        switch instruction.argument {
        case .none:
            return nil
        case .integer(let value):
            return String(value)
        case .unsigned(let value):
            return String(value)
        case .float(let value):
            return pythonRepr(value)
        case .value(let value), .text(let value):
            return value.description
        case .quotedString(let decoded):
            return pythonRepr(codePoints: decoded.lazy.map(UInt32.init))
        case .bytes(let range):
            let data = bytes(range)
            switch opcode {
            case .shortBinstring, .binstring:
                return pythonRepr(codePoints: data.lazy.map(UInt32.init))
            case .shortBinunicode, .binunicode, .binunicode8:
                guard let points = SurrogateString.decodeSurrogatePassUTF8(data) else {
                    throw reader.error(.invalidString, "\(opcode.name) argument is not valid UTF-8")
                }
                return pythonRepr(codePoints: points)
            case .bytearray8:
                var shown = "bytearray("
                appendPythonRepr(bytes: data, bytearray: true, to: &shown)
                return shown + ")"
            case .persid:
                let decoded = try PickleReader.decodeEscapes(data, reader: reader)
                return pythonRepr(codePoints: decoded.lazy.map(UInt32.init))
            default:
                return pythonRepr(bytes: data)
            }
        case .twoLines(let module, let name):
            let moduleText = try nameText(bytes(module), reader)
            let nameText = try nameText(bytes(name), reader)
            return pythonRepr(moduleText + " " + nameText)
        }
    }

    /// A `GLOBAL` or `INST` line as `pickletools` reads it: with bytes escapes decoded; as UTF-8 (or
    /// Latin-1 when not UTF-8) where `pickletools` would fail on a non-ASCII byte.
    private static func nameText(_ line: UnsafeRawBufferPointer, _ reader: PickleReader) throws(PickleError) -> String {
        let decoded = try PickleReader.decodeEscapes(line, reader: reader)
        if let text = String(validating: decoded, as: UTF8.self) { return text }
        var scalars = String.UnicodeScalarView()
        for byte in decoded { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }
}

extension PickleReader.Instruction {
    /// The memo index of `GET`, `PUT` and their binary forms.
    fileprivate var memoIndex: Int64 {
        if case .integer(let index) = argument { return index }
        return -1
    }
}

/// What `pickletools` calls a stack object: the kind of value an opcode pops or pushes.
fileprivate enum StackKind: UInt8 {
    case any, int, intOrBool, bytesOrString, bytes, bytearray, buffer, none, bool, string, float, list, tuple, dict,
        set, frozenset, mark, stackSlice

    /// The kind's name in `pickletools`, as it prints a leftover stack.
    var name: String {
        switch self {
        case .any: "any"
        case .int: "int"
        case .intOrBool: "int_or_bool"
        case .bytesOrString: "bytes_or_str"
        case .bytes: "bytes"
        case .bytearray: "bytearray"
        case .buffer: "buffer"
        case .none: "None"
        case .bool: "bool"
        case .string: "str"
        case .float: "float"
        case .list: "list"
        case .tuple: "tuple"
        case .dict: "dict"
        case .set: "set"
        case .frozenset: "frozenset"
        case .mark: "mark"
        case .stackSlice: "stackslice"
        }
    }
}

/// What an opcode pops (`before`, topmost last) and pushes (`after`).
private struct StackEffect {
    let before: [StackKind]
    let after: [StackKind]

    /// The position of the MARK in `before`: the opcode pops everything down to the topmost MARK,
    /// then this many more items below it.
    var markIndex: Int? { before.firstIndex(of: .mark) }

    /// Whether the opcode pushes a MARK.
    var pushesMark: Bool { after.contains(.mark) }

    private static let table: [StackEffect] = {
        var table = [StackEffect](repeating: StackEffect(before: [], after: []), count: 256)
        for opcode in Opcode.allCases { table[Int(opcode.rawValue)] = compute(opcode) }
        return table
    }()

    static func of(_ opcode: Opcode) -> StackEffect { table[Int(opcode.rawValue)] }

    private static func compute(_ opcode: Opcode) -> StackEffect {
        let slice: [StackKind] = [.mark, .stackSlice]
        switch opcode {
        case .int: return StackEffect(before: [], after: [.intOrBool])
        case .binint, .binint1, .binint2, .long, .long1, .long4: return StackEffect(before: [], after: [.int])
        case .string, .binstring, .shortBinstring: return StackEffect(before: [], after: [.bytesOrString])
        case .binbytes, .shortBinbytes, .binbytes8: return StackEffect(before: [], after: [.bytes])
        case .bytearray8: return StackEffect(before: [], after: [.bytearray])
        case .nextBuffer: return StackEffect(before: [], after: [.buffer])
        case .readonlyBuffer: return StackEffect(before: [.buffer], after: [.buffer])
        case .noneValue: return StackEffect(before: [], after: [.none])
        case .newtrue, .newfalse: return StackEffect(before: [], after: [.bool])
        case .unicode, .shortBinunicode, .binunicode, .binunicode8: return StackEffect(before: [], after: [.string])
        case .float, .binfloat: return StackEffect(before: [], after: [.float])
        case .emptyList: return StackEffect(before: [], after: [.list])
        case .append: return StackEffect(before: [.list, .any], after: [.list])
        case .appends: return StackEffect(before: [.list] + slice, after: [.list])
        case .list: return StackEffect(before: slice, after: [.list])
        case .emptyTuple: return StackEffect(before: [], after: [.tuple])
        case .tuple: return StackEffect(before: slice, after: [.tuple])
        case .tuple1: return StackEffect(before: [.any], after: [.tuple])
        case .tuple2: return StackEffect(before: [.any, .any], after: [.tuple])
        case .tuple3: return StackEffect(before: [.any, .any, .any], after: [.tuple])
        case .emptyDict: return StackEffect(before: [], after: [.dict])
        case .dict: return StackEffect(before: slice, after: [.dict])
        case .setitem: return StackEffect(before: [.dict, .any, .any], after: [.dict])
        case .setitems: return StackEffect(before: [.dict] + slice, after: [.dict])
        case .emptySet: return StackEffect(before: [], after: [.set])
        case .additems: return StackEffect(before: [.set] + slice, after: [.set])
        case .frozenset: return StackEffect(before: slice, after: [.frozenset])
        case .pop: return StackEffect(before: [.any], after: [])
        case .dup: return StackEffect(before: [.any], after: [.any, .any])
        case .mark: return StackEffect(before: [], after: [.mark])
        case .popMark: return StackEffect(before: slice, after: [])
        case .get, .binget, .longBinget: return StackEffect(before: [], after: [.any])
        case .put, .binput, .longBinput: return StackEffect(before: [], after: [])
        case .memoize: return StackEffect(before: [.any], after: [.any])
        case .ext1, .ext2, .ext4, .global, .persid: return StackEffect(before: [], after: [.any])
        case .stackGlobal: return StackEffect(before: [.string, .string], after: [.any])
        case .reduce, .build, .newobj: return StackEffect(before: [.any, .any], after: [.any])
        case .inst: return StackEffect(before: slice, after: [.any])
        case .obj: return StackEffect(before: [.mark, .any, .stackSlice], after: [.any])
        case .newobjEx: return StackEffect(before: [.any, .any, .any], after: [.any])
        case .proto, .frame: return StackEffect(before: [], after: [])
        case .stop: return StackEffect(before: [.any], after: [])
        case .binpersid: return StackEffect(before: [.any], after: [.any])
        }
    }
}

extension Opcode {
    /// A one-line summary of what the opcode does, for annotated disassemblies.
    var disassemblySummary: String {
        switch self {
        case .int: "Push an int, or a bool for 00 and 01, from a decimal line."
        case .binint: "Push a signed four-byte int."
        case .binint1: "Push an unsigned one-byte int."
        case .binint2: "Push an unsigned two-byte int."
        case .long: "Push an int from a decimal line that may end in L."
        case .long1: "Push an int of up to 255 two's-complement bytes."
        case .long4: "Push an int of a four-byte count of two's-complement bytes."
        case .string: "Push a quoted, escaped Python 2 str from a line."
        case .binstring: "Push a Python 2 str of a four-byte count of bytes."
        case .shortBinstring: "Push a Python 2 str of up to 255 bytes."
        case .binbytes: "Push bytes of a four-byte count."
        case .shortBinbytes: "Push bytes of a one-byte count."
        case .binbytes8: "Push bytes of an eight-byte count."
        case .bytearray8: "Push a bytearray of an eight-byte count."
        case .nextBuffer: "Push the next out-of-band buffer."
        case .readonlyBuffer: "Make the buffer on top of the stack read-only."
        case .noneValue: "Push None."
        case .newtrue: "Push True."
        case .newfalse: "Push False."
        case .unicode: "Push a str from a raw-unicode-escape line."
        case .shortBinunicode: "Push a str of up to 255 UTF-8 bytes."
        case .binunicode: "Push a str of a four-byte count of UTF-8 bytes."
        case .binunicode8: "Push a str of an eight-byte count of UTF-8 bytes."
        case .float: "Push a float from a decimal line."
        case .binfloat: "Push a float from eight big-endian bytes."
        case .emptyList: "Push a new empty list."
        case .append: "Pop a value and append it to the list below it."
        case .appends: "Pop the values above the mark and extend the list below it."
        case .list: "Replace the values above the mark by a list of them."
        case .emptyTuple: "Push the empty tuple."
        case .tuple: "Replace the values above the mark by a tuple of them."
        case .tuple1: "Replace the top value by a 1-tuple of it."
        case .tuple2: "Replace the two top values by a 2-tuple of them."
        case .tuple3: "Replace the three top values by a 3-tuple of them."
        case .emptyDict: "Push a new empty dict."
        case .dict: "Replace the key-value pairs above the mark by a dict of them."
        case .setitem: "Pop a key and a value and set them in the dict below."
        case .setitems: "Pop the key-value pairs above the mark and set them in the dict below."
        case .emptySet: "Push a new empty set."
        case .additems: "Pop the values above the mark and add them to the set below."
        case .frozenset: "Replace the values above the mark by a frozenset of them."
        case .pop: "Discard the top value, or the topmost mark."
        case .dup: "Push the top value again."
        case .mark: "Push a mark."
        case .popMark: "Discard the values above the mark, and the mark."
        case .get: "Push the memo value at a decimal index."
        case .binget: "Push the memo value at a one-byte index."
        case .longBinget: "Push the memo value at a four-byte index."
        case .put: "Store the top value in the memo at a decimal index."
        case .binput: "Store the top value in the memo at a one-byte index."
        case .longBinput: "Store the top value in the memo at a four-byte index."
        case .memoize: "Store the top value in the memo at the next index."
        case .ext1: "Push the global registered under a one-byte extension code."
        case .ext2: "Push the global registered under a two-byte extension code."
        case .ext4: "Push the global registered under a four-byte extension code."
        case .global: "Push the global named by a module line and a name line."
        case .stackGlobal: "Replace a module and a name by the global they name."
        case .reduce: "Replace a callable and an argument tuple by the call's result."
        case .build: "Apply the top value as state to the object below it."
        case .inst: "Replace the values above the mark by an instance of the named class."
        case .obj: "Replace a class and the values above the mark by an instance."
        case .newobj: "Replace a class and an argument tuple by cls.__new__(cls, *args)."
        case .newobjEx: "Replace a class, arguments and keywords by cls.__new__(cls, *args, **kwargs)."
        case .proto: "Declare the protocol version."
        case .stop: "End the pickle; its value is the top of the stack."
        case .frame: "Start a frame of an eight-byte count of bytes."
        case .persid: "Push the object of a persistent ID line."
        case .binpersid: "Replace a persistent ID by its object."
        }
    }
}
