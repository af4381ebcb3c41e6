// Strings, bytes, buffers and containers.

extension UnpicklerMachine {
    // MARK: - Text

    /// Decodes the UTF-8 of `BINUNICODE` and friends with CPython's `'surrogatepass'` rule: lone
    /// surrogates encoded as three bytes are accepted and load as a ``PickleValue/surrogateString(_:)``.
    @inline(__always)
    mutating func decodeUTF8(_ bytes: UnsafeRawBufferPointer) throws(PickleError) -> PickleValue {
        // Short ASCII, the most common text of all, becomes a small string directly: two loads and a mask.
        if bytes.count <= 15, smallStringsInline, let start = bytes.baseAddress, let base = reader.base,
            start + 16 <= base + reader.count
        {
            let count = bytes.count
            var low = start.loadUnaligned(as: UInt64.self)
            var high = (start + 8).loadUnaligned(as: UInt64.self)
            if count < 8 {
                low &= (1 &<< UInt64(8 * count)) &- 1
                high = 0
            } else {
                high &= (1 &<< UInt64(8 * (count - 8))) &- 1
            }
            if (low | high) & 0x8080_8080_8080_8080 == 0 {
                return .string(Self.smallASCIIString(low: low, high: high, count: count))
            }
        }
        return try decodeUTF8Generally(bytes)
    }

    private mutating func decodeUTF8Generally(_ bytes: UnsafeRawBufferPointer) throws(PickleError) -> PickleValue {
        let units = bytes.assumingMemoryBound(to: UInt8.self)
        // ASCII, the common case, needs no validation.
        if Self.isASCII(bytes) { return .string(String(decoding: units, as: UTF8.self)) }
        if let string = String(validUTF8: bytes) {
            return .string(string)
        }
        if let points = SurrogateString.decodeSurrogatePassUTF8(bytes),
            let surrogates = SurrogateString(codePoints: points)
        {
            return .surrogateString(surrogates)
        }
        throw reader.error(.invalidString, "'utf-8' codec can't decode the string: invalid UTF-8")
    }

    // MARK: - Text helpers

    /// The small `String` of `count` (at most 15) ASCII bytes, given little-endian in `low` and `high`
    /// (zero beyond `count`), built as the standard library lays out a small string on 64-bit
    /// platforms: the bytes, then a last byte of flags (immortal, ASCII, small) and the count. Only
    /// used when ``smallStringLayoutHolds`` has checked that layout on this platform.
    @inline(__always)
    static func smallASCIIString(low: UInt64, high: UInt64, count: Int) -> String {
        unsafeBitCast((low, high | (0xE0 | UInt64(truncatingIfNeeded: count)) &<< 56), to: String.self)
    }

    /// Whether ``smallASCIIString(low:high:count:)`` builds the same strings as the standard library,
    /// bit for bit, for every length: checked once per process.
    static let smallStringLayoutHolds: Bool = {
        guard MemoryLayout<String>.size == 16, MemoryLayout<Int>.size == 8, UInt64(1).littleEndian == 1 else {
            return false
        }
        let letters: [UInt8] = Array("abcdefghijklmnoABCDEFGHIJKLMNO".utf8)
        for count in 0...15 {
            let bytes = Array(letters[count..<(count + count)])
            var low: UInt64 = 0
            var high: UInt64 = 0
            for (index, byte) in bytes.enumerated() {
                if index < 8 { low |= UInt64(byte) << (8 * UInt64(index)) } else {
                    high |= UInt64(byte) << (8 * UInt64(index - 8))
                }
            }
            let expected = String(decoding: bytes, as: UTF8.self)
            let built = smallASCIIString(low: low, high: high, count: count)
            guard unsafeBitCast(expected, to: (UInt64, UInt64).self) == unsafeBitCast(built, to: (UInt64, UInt64).self)
            else { return false }
            guard built == expected, built.utf8.count == count, Array(built.utf8) == bytes else { return false }
        }
        return true
    }()

    /// Whether every byte is below 0x80, checked eight bytes at a time.
    @inline(__always)
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if bytes[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// A Python 2 `str`, decoded as ``UnpicklerOptions/python2Strings`` says.
    mutating func python2String(_ bytes: UnsafeRawBufferPointer) throws(PickleError) -> PickleValue {
        let asciiEnd = bytes.firstIndex { $0 >= 0x80 }
        switch options.python2Strings {
        case .bytes:
            return .bytes(Array(bytes))
        case _ where asciiEnd == nil:
            return .string(String(decoding: bytes, as: UTF8.self))
        case .ascii:
            let position = asciiEnd ?? 0
            throw reader.error(
                .invalidString,
                "'ascii' codec can't decode byte 0x\(String(bytes[position], radix: 16)) in position \(position): "
                    + "ordinal not in range(128); load Python 2 strings with python2Strings .latin1 or .bytes")
        case .latin1:
            var scalars = String.UnicodeScalarView()
            for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
            return .string(String(scalars))
        case .utf8:
            guard let string = String(validUTF8: bytes) else {
                throw reader.error(.invalidString, "'utf-8' codec can't decode a Python 2 string")
            }
            return .string(string)
        }
    }

    /// `GLOBAL`'s and `INST`'s names: strict UTF-8 (`GLOBAL`) or ASCII (`INST`), as in CPython.
    mutating func nameString(_ bytes: UnsafeRawBufferPointer, ascii: Bool) throws(PickleError) -> String {
        if ascii, bytes.contains(where: { $0 >= 0x80 }) {
            throw reader.error(.invalidString, "'ascii' codec can't decode the name \(PickleReader.quoted(bytes))")
        }
        guard let name = String(validUTF8: bytes) else {
            throw reader.error(.invalidString, "'utf-8' codec can't decode the name \(PickleReader.quoted(bytes))")
        }
        return name
    }

    // MARK: - Out-of-band buffers

    mutating func loadNextBuffer() throws(PickleError) {
        guard !options.buffers.isEmpty else {
            throw reader.error(
                .missingBuffer, "pickle stream refers to out-of-band data but no buffers were given")
        }
        guard nextBuffer < options.buffers.count else {
            throw reader.error(.missingBuffer, "not enough out-of-band buffers")
        }
        push(.bytearray(PickleByteArray(options.buffers[nextBuffer])))
        nextBuffer += 1
    }

    /// `READONLY_BUFFER`: a writable buffer (a bytearray) on top of the stack becomes `bytes`.
    mutating func makeTopReadOnly() throws(PickleError) {
        let entry = try top()
        switch entry.value {
        case .bytearray(let array):
            stack[stack.count - 1] = UnpicklerStackEntry(.bytes(array.bytes))
        case .bytes:
            break
        default:
            throw reader.error(
                .invalidStack,
                "a bytes-like object is required for READONLY_BUFFER, not '\(entry.value.pythonTypeName)'")
        }
    }

    // MARK: - Hashability

    /// ``requireHashable(_:)`` for the value at `entry`, read where it is: only a tuple (whose elements are
    /// checked) or an unhashable value is copied out, so the common keys cost no retain and release.
    @inline(__always)
    mutating func requireHashable(at entry: UnsafeMutablePointer<UnpicklerStackEntry>) throws(PickleError) {
        switch entry.pointee.value {
        case .tuple, .list, .dict, .set, .bytearray: try requireHashable(entry.pointee.value)
        default: return
        }
    }

    /// Throws unless `value` can be a dict key or set element in Python.
    @inline(__always)
    mutating func requireHashable(_ value: PickleValue) throws(PickleError) {
        switch value {
        case .string, .int, .none, .bool, .float, .bytes, .bigInt, .complex, .global, .object, .frozenset,
            .surrogateString:
            return
        case .tuple(let elements):
            for element in elements { try requireHashable(element) }
        case .list, .dict, .set, .bytearray:
            throw reader.error(.invalidStack, "unhashable type: '\(value.pythonTypeName)'")
        }
    }

    // MARK: - Building containers

    /// Replaces the values from `start` to the top by a tuple of them.
    @inline(__always)
    mutating func pushTuple(from start: Int) throws(PickleError) {
        let (values, deepest) = takeValues(from: start)
        push(.tuple(values), depth: try containerDepth(holding: deepest))
    }

    /// `DICT`: the values from `start` to the top are keys and values, alternately.
    mutating func loadDict(from start: Int) throws(PickleError) {
        let count = stack.count - start
        guard count % 2 == 0 else { throw reader.error(.invalidStack, "odd number of items for DICT") }
        let dict = PickleDict()
        var deepest: Int32 = 0
        var index = start
        while index < stack.count {
            try requireHashable(stack.base[index].value)
            deepest = max(deepest, Self.depth(of: stack.base[index]), Self.depth(of: stack.base[index + 1]))
            index += 2
        }
        dict.updateValues(count: count / 2, movingFrom: stack.base + start)
        stack.forgetMoved(from: start)
        dict.nestingDepth = try containerDepth(holding: deepest)
        push(.dict(dict))
    }

    /// `FROZENSET`: the values from `start` to the top.
    mutating func loadFrozenSet(from start: Int) throws(PickleError) {
        let (values, deepest) = takeValues(from: start)
        for value in values { try requireHashable(value) }
        push(.frozenset(PickleFrozenSet(values)), depth: try containerDepth(holding: deepest))
    }

    /// `APPEND`/`APPENDS`: the values from `start` to the top go to the list (or list-like instance)
    /// just below them.
    mutating func appendItems(from start: Int) throws(PickleError) {
        guard start <= stack.count, start > fence else { throw underflow() }
        guard start < stack.count else { return }
        if let unretained = unretainedList(at: start - 1) {
            var deepest: Int32 = 0
            for index in start..<stack.count { deepest = max(deepest, Self.depth(of: stack.base[index])) }
            let depth = try containerDepth(holding: deepest)
            unretained._withUnsafeGuaranteedRef { list in
                list.nestingDepth = max(list.nestingDepth, depth)
                // A list's first APPENDS (the usual case) hands over a new array; later ones move the
                // values into the list's, neither copying nor retaining them.
                if list.elements.isEmpty {
                    list.elements = stack.takeValues(from: start)
                } else {
                    stack.moveValues(from: start, appendingTo: &list.elements)
                }
            }
            return
        }
        let target = stack[start - 1].value
        let (values, deepest) = takeValues(from: start)
        switch target {
        case .object(let object):
            object.nestingDepth = max(object.nestingDepth, try containerDepth(holding: deepest))
            object.listItems.append(contentsOf: values)
        default:
            throw reader.error(.invalidStack, "'\(target.pythonTypeName)' object has no attribute 'append'")
        }
    }

    /// `SETITEM`/`SETITEMS`: the values from `start` to the top are keys and values for the dict (or
    /// dict-like instance) just below them.
    mutating func setItems(from start: Int) throws(PickleError) {
        guard start <= stack.count, start > fence else { throw underflow() }
        guard start < stack.count else { return }
        guard (stack.count - start) % 2 == 0 else {
            throw reader.error(.invalidStack, "odd number of items for SETITEMS")
        }
        var deepest: Int32 = 0
        for index in start..<stack.count { deepest = max(deepest, Self.depth(of: stack.base[index])) }
        let depth = try containerDepth(holding: deepest)
        if let unretained = unretainedDict(at: start - 1) {
            var index = start
            while index < stack.count {
                try requireHashable(at: stack.base + index)
                index += 2
            }
            unretained._withUnsafeGuaranteedRef { dict in
                dict.updateValues(count: (stack.count - start) / 2, movingFrom: stack.base + start)
                dict.nestingDepth = max(dict.nestingDepth, depth)
            }
            stack.forgetMoved(from: start)
            return
        }
        let target = stack[start - 1].value
        switch target {
        case .object(let object):
            var index = start
            while index < stack.count {
                object.dictItems.append((key: stack[index].value, value: stack[index + 1].value))
                index += 2
            }
            object.nestingDepth = max(object.nestingDepth, depth)
        case .list(let list):
            // `list[index] = value`, which Python allows although no pickler writes it.
            var index = start
            while index < stack.count {
                let position = stack[index].value.intValue ?? Int.max
                let resolved = position < 0 ? position &+ list.count : position
                guard resolved >= 0, resolved < list.count else {
                    throw reader.error(.invalidStack, "list assignment index out of range or not an integer")
                }
                list[resolved] = stack[index + 1].value
                index += 2
            }
            list.nestingDepth = max(list.nestingDepth, depth)
        default:
            throw reader.error(
                .invalidStack, "'\(target.pythonTypeName)' object does not support item assignment")
        }
        stack.removeAll(from: start)
    }

    /// The list at stack position `index`, if that is a list, without a strong reference of its own: the
    /// stack holds the list while the caller works on it, through `_withUnsafeGuaranteedRef`, and a
    /// reference taken out of the stack would cost a retain and a release (two atomic operations) per
    /// `APPENDS`.
    @inline(__always)
    func unretainedList(at index: Int) -> Unmanaged<PickleList>? {
        guard case .list(let list) = stack.base[index].value else { return nil }
        return Unmanaged.passUnretained(list)
    }

    /// The dict at stack position `index`, if that is a dict, without a strong reference of its own (see
    /// ``unretainedList(at:)``).
    @inline(__always)
    func unretainedDict(at index: Int) -> Unmanaged<PickleDict>? {
        guard case .dict(let dict) = stack.base[index].value else { return nil }
        return Unmanaged.passUnretained(dict)
    }

    /// `ADDITEMS`: the values from `start` to the top go to the set just below them.
    mutating func addItems(from start: Int) throws(PickleError) {
        guard start <= stack.count, start > fence else { throw underflow() }
        guard start < stack.count else { return }
        let target = stack[start - 1].value
        guard case .set(let set) = target else {
            throw reader.error(.invalidStack, "'\(target.pythonTypeName)' object has no attribute 'add'")
        }
        let (values, deepest) = takeValues(from: start)
        for value in values {
            try requireHashable(value)
            set.insert(value)
        }
        set.nestingDepth = max(set.nestingDepth, try containerDepth(holding: deepest))
    }
}
