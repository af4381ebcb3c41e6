/// The pickle virtual machine: runs the opcodes of one pickle over a stack, a mark stack and a memo.
///
/// The semantics are those of CPython's `_pickle.c` unpickler, the one `pickle.loads` uses: the
/// same checks in the same order, so the same inputs fail. Nothing is executed: globals stay inert
/// (see ``UnpicklerOptions/resolveGlobal``) and calls build ``PickleObject``s, except for the
/// globals CPython itself writes for builtin types, which load as native values.
///
/// The machine is a struct driven by ``Unpickler``, which keeps the memo between loads.
struct UnpicklerMachine: ~Copyable {
    var reader: PickleReader
    var stack: UnpicklerStack
    /// The stack positions of the open `MARK`s.
    var marks: [Int] = []
    /// The stack position of the innermost `MARK`, or 0: values below it are out of reach.
    var fence = 0
    var memo = UnpicklerMemo()
    /// The protocol the pickle declared with `PROTO`, or 0.
    var proto = 0
    /// The index of the next out-of-band buffer.
    var nextBuffer = 0
    /// The values the hooks returned (``UnpicklerOptions/persistentLoad``,
    /// ``UnpicklerOptions/resolveGlobal``): the caller's, never emptied by ``releaseUnreachable(keeping:)``.
    ///
    /// Each comes with the persistent ID it was made from, if any: the ID is the pickle's own, and what the
    /// value reaches only through it (`('persistent', id)`, say) was built by the load, not given by the
    /// caller, so it is not spared for the value's sake.
    ///
    /// `nil` until the first, like ``fetched``: most loads need neither, and an empty array would still
    /// cost a release at the end of every load.
    var foreign: [(value: PickleValue, madeFrom: PickleValue?)]? = nil
    /// The values with something inside that `GET` and `DUP` pushed a second time, or `nil` for none. A
    /// value can only come to contain itself through a second reference to it, so every reference cycle the
    /// pickle builds goes through one of these (see ``releaseUnreachable(keeping:)``).
    var fetched: [PickleValue]? = nil
    /// The ``PickleValue/walkIdentity`` of the last value in ``fetched``, or 0: compared without copying
    /// that value (a retain and a release) on every `GET`.
    var lastFetchedIdentity: UInt = 0
    let options: UnpicklerOptions
    let maxDepth: Int32
    /// ``smallStringLayoutHolds``, read once.
    let smallStringsInline: Bool

    /// A machine over `buffer` from `position` whose stack starts in `stackStorage` and memo in `memoStorage`
    /// (see ``withMachine(_:position:options:_:)``).
    private init(
        _ buffer: UnsafeRawBufferPointer, position: Int, options: UnpicklerOptions,
        stackStorage: UnsafeMutableBufferPointer<UnpicklerStackEntry>,
        memoStorage: UnsafeMutableBufferPointer<UnpicklerStackEntry>
    ) {
        reader = PickleReader(buffer, position: position)
        stack = UnpicklerStack(storage: stackStorage)
        memo = UnpicklerMemo(storage: memoStorage)
        self.options = options
        maxDepth = Int32(clamping: max(options.maxDepth, 1))
        smallStringsInline = Self.smallStringLayoutHolds
    }

    /// Calls `body` with a machine over `buffer` from `position`, whose stack's and memo's first entries are
    /// on this function's own stack (1 KiB each, the most `withUnsafeTemporaryAllocation` keeps there), so
    /// that a shallow pickle of a few memo entries loads without allocating either. The machine cannot
    /// outlive the call.
    @inline(__always)
    static func withMachine<R>(
        _ buffer: UnsafeRawBufferPointer, position: Int, options: UnpicklerOptions,
        _ body: (inout UnpicklerMachine) throws(PickleError) -> R
    ) throws(PickleError) -> R {
        try withUnsafeTemporaryAllocation(of: UnpicklerStackEntry.self, capacity: UnpicklerStack.initialCapacity) {
            (storage) throws(PickleError) -> R in
            try withUnsafeTemporaryAllocation(of: UnpicklerStackEntry.self, capacity: UnpicklerMemo.initialCapacity) {
                (memoStorage) throws(PickleError) -> R in
                var machine = UnpicklerMachine(
                    buffer, position: position, options: options, stackStorage: storage, memoStorage: memoStorage)
                return try body(&machine)
            }
        }
    }

    /// Runs opcodes until `STOP` and returns the value on top of the stack.
    ///
    /// The opcodes that make up most pickles run here, inline; the others go through ``execute(_:)``.
    mutating func load() throws(PickleError) -> PickleValue {
        // (Left over only by a failed load of a stream.)
        if stack.count > 0 { stack.removeAll(from: 0) }
        if !marks.isEmpty { marks.removeAll(keepingCapacity: true) }
        fence = 0
        proto = 0
        var opcodesLeft = options.maxOpcodes ?? Int.max
        let opcodes = Self.opcodes
        while true {
            let start = reader.position
            let byte = try reader.readOpcodeByte()
            opcodesLeft -= 1
            if opcodesLeft < 0 { throw opcodeLimitError(byte, at: start) }
            switch byte {
            case Opcode.shortBinunicode.rawValue:
                reader.beginOpcode(.shortBinunicode, at: start)
                push(try decodeUTF8(try reader.readCounted1()))
            case Opcode.memoize.rawValue:
                reader.beginOpcode(.memoize, at: start)
                try storeTop(at: memo.count)
            case Opcode.binint1.rawValue:
                reader.beginOpcode(.binint1, at: start)
                push(.int(try reader.readUInt1()))
            case Opcode.binint.rawValue:
                reader.beginOpcode(.binint, at: start)
                push(.int(Int(try reader.readInt4())))
            case Opcode.binint2.rawValue:
                reader.beginOpcode(.binint2, at: start)
                push(.int(try reader.readUInt2()))
            case Opcode.mark.rawValue:
                reader.beginOpcode(.mark, at: start)
                try pushMark()
            case Opcode.binget.rawValue:
                reader.beginOpcode(.binget, at: start)
                try pushMemo(try reader.readUInt1())
            case Opcode.binput.rawValue:
                reader.beginOpcode(.binput, at: start)
                let index = try reader.readUInt1()
                try storeTop(at: index)
            case Opcode.emptyDict.rawValue:
                reader.beginOpcode(.emptyDict, at: start)
                push(.dict(PickleDict()))
            case Opcode.emptyList.rawValue:
                reader.beginOpcode(.emptyList, at: start)
                push(.list(PickleList()))
            case Opcode.noneValue.rawValue:
                reader.beginOpcode(.noneValue, at: start)
                push(.none)
            case Opcode.newtrue.rawValue:
                reader.beginOpcode(.newtrue, at: start)
                push(.bool(true))
            case Opcode.newfalse.rawValue:
                reader.beginOpcode(.newfalse, at: start)
                push(.bool(false))
            case Opcode.binfloat.rawValue:
                reader.beginOpcode(.binfloat, at: start)
                push(.float(try reader.readFloat8()))
            case Opcode.appends.rawValue:
                reader.beginOpcode(.appends, at: start)
                try appendItems(from: try popMark())
            case Opcode.setitems.rawValue:
                reader.beginOpcode(.setitems, at: start)
                try setItems(from: try popMark())
            case Opcode.tuple1.rawValue, Opcode.tuple2.rawValue, Opcode.tuple3.rawValue:
                let opcode = opcodes[Int(byte)].unsafelyUnwrapped
                reader.beginOpcode(opcode, at: start)
                let size = Int(byte - Opcode.tuple1.rawValue) + 1
                guard stack.count - fence >= size else { throw underflow() }
                try pushTuple(from: stack.count - size)
            case Opcode.stop.rawValue:
                reader.beginOpcode(.stop, at: start)
                return try pop().value
            case Opcode.proto.rawValue:
                // Once per pickle, but a small pickle is little more.
                reader.beginOpcode(.proto, at: start)
                try readProtocol()
            case Opcode.frame.rawValue:
                reader.beginOpcode(.frame, at: start)
                try checkFrame()
            default:
                guard let opcode = opcodes[Int(byte)] else {
                    reader.beginOpcode(nil, at: start)
                    throw PickleReader.unknownOpcode(byte, at: start)
                }
                reader.beginOpcode(opcode, at: start)
                try execute(opcode)
            }
        }
    }

    /// The error for the opcode `byte` at `start` once ``UnpicklerOptions/maxOpcodes`` have run: an unknown
    /// opcode is reported as such first, as before any other check.
    mutating func opcodeLimitError(_ byte: UInt8, at start: Int) -> PickleError {
        guard let opcode = Self.opcodes[Int(byte)] else {
            reader.beginOpcode(nil, at: start)
            return PickleReader.unknownOpcode(byte, at: start)
        }
        reader.beginOpcode(opcode, at: start)
        return reader.error(.limitExceeded, "more than maxOpcodes (\(options.maxOpcodes ?? 0)) opcodes")
    }

    /// `MARK`.
    @inline(__always)
    mutating func pushMark() throws(PickleError) {
        guard marks.count < Int(maxDepth) else {
            throw reader.error(.limitExceeded, "MARKs nest deeper than maxDepth (\(maxDepth))")
        }
        if marks.capacity == 0 { marks.reserveCapacity(16) }
        marks.append(stack.count)
        fence = stack.count
    }

    /// The opcode of each byte, or `nil`: one load instead of `Opcode(rawValue:)`'s search.
    static let opcodes: [Opcode?] = (0...255).map { Opcode(rawValue: UInt8($0)) }

    /// Frees the reference cycles the load built that `kept` does not reach: empties every container
    /// reachable from ``fetched`` that neither `kept` nor the hooks' values reach. Only for a memo that holds
    /// nothing the caller has seen.
    ///
    /// After a failed load `kept` is empty: everything the load built is garbage, and what is not in a
    /// cycle is freed anyway. After a successful one, the pickle may have left a cycle out of the value it
    /// returns (on the stack, in the memo, or dropped by `POP` or by a `PUT` over it). A load that fetched
    /// nothing twice built no cycle, and this does nothing.
    mutating func releaseUnreachable(keeping kept: [PickleValue]) {
        guard let fetched = self.fetched.take() else { return }
        lastFetchedIdentity = 0
        // A value with no container inside is in no cycle: after a successful load, the walk is only
        // needed when one has one. (After a failed one, everything fetched is emptied, as always.)
        guard kept.isEmpty || fetched.contains(where: { $0.holdsContainers }) else { return }
        var spared = PickleValue.reachableIdentities(from: kept)
        for (value, madeFrom) in foreign ?? [] {
            var reached = PickleValue.reachableIdentities(from: [value])
            if let madeFrom, madeFrom.mayHoldContainers {
                reached.subtract(PickleValue.reachableIdentities(from: [madeFrom]))
            }
            spared.formUnion(reached)
        }
        PickleValue.emptyContainers(reachableFrom: fetched, sparing: spared)
    }

    // MARK: - The stack

    @inline(__always)
    mutating func push(_ value: consuming PickleValue, depth: Int32 = 0) {
        stack.append(UnpicklerStackEntry(consume value, depth: depth))
    }

    @inline(__always)
    mutating func push(_ entry: consuming UnpicklerStackEntry) {
        stack.append(consume entry)
    }

    // Helpers called from mutating methods are mutating or static themselves: calling a
    // non-mutating method would copy the whole machine (its arrays and options) for the call.

    /// The error for an opcode that needs more values than the stack holds above the innermost MARK.
    mutating func underflow() -> PickleError {
        reader.error(.stackUnderflow, marks.isEmpty ? "unpickling stack underflow" : "unexpected MARK found")
    }

    @inline(__always)
    mutating func pop() throws(PickleError) -> UnpicklerStackEntry {
        guard stack.count > fence else { throw underflow() }
        return stack.removeLast()
    }

    /// The value on top of the stack, above the innermost MARK.
    @inline(__always)
    mutating func top() throws(PickleError) -> UnpicklerStackEntry {
        guard stack.count > fence else { throw underflow() }
        return stack[stack.count - 1]
    }

    /// Pops the innermost MARK and returns its stack position (CPython's `marker()`).
    @inline(__always)
    mutating func popMark() throws(PickleError) -> Int {
        guard let mark = marks.popLast() else { throw reader.error(.markNotFound, "could not find MARK") }
        fence = marks.last ?? 0
        return mark
    }

    /// Removes the values from `start` to the top and returns them, with the deepest nesting among them.
    @inline(__always)
    mutating func takeValues(from start: Int) -> (values: [PickleValue], depth: Int32) {
        var deepest: Int32 = 0
        for index in start..<stack.count {
            deepest = max(deepest, Self.depth(of: stack.base[index]))
        }
        return (stack.takeValues(from: start), deepest)
    }

    // MARK: - Depth

    /// How deeply containers nest in an entry's value: 0 for a scalar.
    @inline(__always)
    static func depth(of entry: UnpicklerStackEntry) -> Int32 {
        switch entry.value {
        case .list(let list): list.nestingDepth
        case .dict(let dict): dict.nestingDepth
        case .set(let set): set.nestingDepth
        case .object(let object): object.nestingDepth
        default: entry.depth
        }
    }

    /// The depth of a container holding children of depth `deepest`, checked against the limit.
    @inline(__always)
    mutating func containerDepth(holding deepest: Int32) throws(PickleError) -> Int32 {
        guard deepest < maxDepth else {
            throw reader.error(.limitExceeded, "values nest deeper than maxDepth (\(maxDepth))")
        }
        return deepest + 1
    }

    // MARK: - Dispatch

    mutating func execute(_ opcode: Opcode) throws(PickleError) {
        switch opcode {
        // Constants and numbers.
        case .noneValue:
            push(.none)
        case .newtrue:
            push(.bool(true))
        case .newfalse:
            push(.bool(false))
        case .binint1:
            push(.int(try reader.readUInt1()))
        case .binint2:
            push(.int(try reader.readUInt2()))
        case .binint:
            push(.int(Int(try reader.readInt4())))
        case .int:
            push(try reader.readIntLine(maxDigits: options.maxIntegerDigits))
        case .long:
            push(try reader.readLongLine(maxDigits: options.maxIntegerDigits))
        case .long1:
            push(try reader.readLong1())
        case .long4:
            push(try reader.readLong4())
        case .binfloat:
            push(.float(try reader.readFloat8()))
        case .float:
            push(.float(try reader.readFloatLine()))

        // Text and bytes.
        case .shortBinunicode:
            push(try decodeUTF8(try reader.readCounted1()))
        case .binunicode:
            push(try decodeUTF8(try reader.readCounted4()))
        case .binunicode8:
            push(try decodeUTF8(try reader.readCounted8()))
        case .unicode:
            push(try reader.readRawUnicodeLine())
        case .shortBinbytes:
            push(.bytes(Array(try reader.readCounted1())))
        case .binbytes:
            push(.bytes(Array(try reader.readCounted4())))
        case .binbytes8:
            push(.bytes(Array(try reader.readCounted8())))
        case .bytearray8:
            push(.bytearray(PickleByteArray(Array(try reader.readCounted8()))))
        case .shortBinstring:
            push(try python2String(try reader.readCounted1()))
        case .binstring:
            push(try python2String(try reader.readCounted4()))
        case .string:
            let bytes = try reader.readQuotedStringLine()
            push(try bytes.withUnsafeBytesTyped { (raw) throws(PickleError) in try python2String(raw) })
        case .nextBuffer:
            try loadNextBuffer()
        case .readonlyBuffer:
            try makeTopReadOnly()

        // Containers.
        case .emptyList:
            push(.list(PickleList()))
        case .emptyDict:
            push(.dict(PickleDict()))
        case .emptySet:
            push(.set(PickleSet()))
        case .emptyTuple:
            push(.tuple([]), depth: 1)
        case .tuple1, .tuple2, .tuple3:
            let size = Int(opcode.rawValue - Opcode.tuple1.rawValue) + 1
            guard stack.count - fence >= size else { throw underflow() }
            try pushTuple(from: stack.count - size)
        case .tuple:
            try pushTuple(from: try popMark())
        case .list:
            let start = try popMark()
            let (values, deepest) = takeValues(from: start)
            let list = PickleList(values)
            list.nestingDepth = try containerDepth(holding: deepest)
            push(.list(list))
        case .dict:
            try loadDict(from: try popMark())
        case .frozenset:
            try loadFrozenSet(from: try popMark())
        case .append:
            guard stack.count - 1 > fence else { throw underflow() }
            try appendItems(from: stack.count - 1)
        case .appends:
            try appendItems(from: try popMark())
        case .setitem:
            try setItems(from: stack.count - 2)
        case .setitems:
            try setItems(from: try popMark())
        case .additems:
            try addItems(from: try popMark())

        // The stack and marks.
        case .mark:
            try pushMark()
        case .pop:
            if let mark = marks.last, mark == stack.count {
                _ = try popMark()
            } else {
                _ = try pop()
            }
        case .popMark:
            let start = try popMark()
            stack.removeAll(from: start)
        case .dup:
            let entry = try top()
            if entry.value.mayHoldContainers { noteFetched(entry.value) }
            push(entry)

        // The memo.
        case .binget:
            try pushMemo(try reader.readUInt1())
        case .longBinget:
            try pushMemo(Int(try reader.readUInt4()))
        case .get:
            try pushMemo(try reader.readMemoIndexLine())
        case .binput:
            let index = try reader.readUInt1()
            try storeTop(at: index)
        case .longBinput:
            let index = Int(try reader.readUInt4())
            try storeTop(at: index)
        case .put:
            let index = try reader.readMemoIndexLine(afterStackCheck: stack.count > fence, underflow: underflow())
            guard index >= 0 else { throw reader.error(.memoKeyNotFound, "negative PUT argument") }
            try storeTop(at: index)
        case .memoize:
            try storeTop(at: memo.count)

        // Globals, calls and instances.
        case .global:
            let module = try reader.readNameLine()
            let moduleName = try nameString(module, ascii: false)
            let name = try nameString(try reader.readNameLine(), ascii: false)
            push(try loadGlobal(PickleGlobal(module: moduleName, name: name)))
        case .stackGlobal:
            try loadStackGlobal()
        case .ext1:
            try loadExtension(try reader.readUInt1())
        case .ext2:
            try loadExtension(try reader.readUInt2())
        case .ext4:
            try loadExtension(Int(try reader.readInt4()))
        case .reduce:
            try loadReduce()
        case .newobj:
            try loadNewObject(withKeywords: false)
        case .newobjEx:
            try loadNewObject(withKeywords: true)
        case .obj:
            try loadObj()
        case .inst:
            try loadInst()
        case .build:
            try loadBuild()
        case .persid:
            try loadPersistentID(binary: false)
        case .binpersid:
            try loadPersistentID(binary: true)

        // Framing and protocol.
        case .proto:
            try readProtocol()
        case .frame:
            try checkFrame()
        case .stop:
            break
        }
    }

    /// `PROTO`'s argument: the protocol the pickle declares.
    @inline(__always)
    mutating func readProtocol() throws(PickleError) {
        let version = try reader.readUInt1()
        guard version <= 5 else {
            throw reader.error(.unsupportedProtocol, "unsupported pickle protocol: \(version)")
        }
        proto = version
    }

    /// `FRAME`: frames only group opcodes for buffered reading; the data must hold the whole frame.
    @inline(__always)
    mutating func checkFrame() throws(PickleError) {
        let length = try reader.readUInt8()
        guard length <= UInt64(reader.remaining) else { throw reader.truncated() }
    }

    // MARK: - Memo

    @inline(__always)
    mutating func pushMemo(_ index: Int) throws(PickleError) {
        guard let entry = memo[index] else {
            throw reader.error(.memoKeyNotFound, "Memo value not found at index \(index)")
        }
        if entry.value.mayHoldContainers { noteFetched(entry.value) }
        push(entry)
    }

    /// Records a value a hook returned, with the persistent ID it was made from, if any (see ``foreign``).
    mutating func noteForeign(_ entry: (value: PickleValue, madeFrom: PickleValue?)) {
        if foreign != nil { foreign?.append(entry) } else { foreign = [entry] }
    }

    /// Records a value with something inside that `GET` or `DUP` pushed again, once per run of fetches
    /// of the same container.
    @inline(__always)
    mutating func noteFetched(_ value: PickleValue) {
        let identity = value.walkIdentity
        if let identity, identity == lastFetchedIdentity { return }
        lastFetchedIdentity = identity ?? 0
        if fetched != nil { fetched?.append(value) } else { fetched = [value] }
    }

    @inline(__always)
    mutating func storeTop(at index: Int) throws(PickleError) {
        memo.store(try top(), at: index)
        if let limit = options.maxMemoSize, memo.count > limit {
            throw reader.error(.limitExceeded, "more than maxMemoSize (\(limit)) memo entries")
        }
    }
}

extension PickleReader {
    /// `PUT`'s argument: CPython reads the line, then checks the stack, then parses the index.
    mutating func readMemoIndexLine(afterStackCheck stackHasValue: Bool, underflow: PickleError) throws(PickleError)
        -> Int
    {
        let start = position
        let line = try readLine()
        guard !line.isEmpty else { throw truncated() }
        guard stackHasValue else { throw underflow }
        position = start
        return try readMemoIndexLine()
    }
}
