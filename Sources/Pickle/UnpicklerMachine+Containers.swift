// Strings, bytes, buffers and containers.

extension UnpicklerMachine {
    // MARK: - Text

    /// Decodes the UTF-8 of `BINUNICODE` and friends with CPython's `'surrogatepass'` rule: lone
    /// surrogates encoded as three bytes are accepted and load as a ``PickleValue/surrogateString(_:)``.
    @inline(__always)
    mutating func decodeUTF8(_ bytes: UnsafeRawBufferPointer) throws(PickleError) -> PickleValue {
        let units = bytes.assumingMemoryBound(to: UInt8.self)
        // ASCII, the common case, needs no validation (and `String(validating:)` is slow for short text).
        if Self.isASCII(bytes) { return .string(String(decoding: units, as: UTF8.self)) }
        if let string = String(validating: units, as: UTF8.self) {
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
            guard let string = String(validating: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else {
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
        guard let name = String(validating: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else {
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
            try requireHashable(stack[index].value)
            deepest = max(deepest, Self.depth(of: stack[index]), Self.depth(of: stack[index + 1]))
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
        let target = stack[start - 1].value
        let (values, deepest) = takeValues(from: start)
        switch target {
        case .list(let list):
            list.nestingDepth = max(list.nestingDepth, try containerDepth(holding: deepest))
            // A list's first APPENDS (the usual case) hands over the array instead of copying it.
            if list.isEmpty { list.elements = values } else { list.append(contentsOf: values) }
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
        let target = stack[start - 1].value
        var deepest: Int32 = 0
        for index in start..<stack.count { deepest = max(deepest, Self.depth(of: stack[index])) }
        let depth = try containerDepth(holding: deepest)
        switch target {
        case .dict(let dict):
            var index = start
            while index < stack.count {
                try requireHashable(stack[index].value)
                index += 2
            }
            dict.updateValues(count: (stack.count - start) / 2, movingFrom: stack.base + start)
            stack.forgetMoved(from: start)
            dict.nestingDepth = max(dict.nestingDepth, depth)
            return
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
