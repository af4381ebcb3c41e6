// Reading a pickle into an arena: the loop of UnpicklerMachine, on node indices.

extension PickleArena {
    /// The arena of the first pickle in `buffer`, or `nil` when the pickle should be unpickled to a
    /// ``PickleValue`` instead: for anything the arena does not mirror exactly, including every error
    /// (the tree's unpickler then reports it, in its words).
    ///
    /// The arena reads `buffer` until the decode is done: the caller keeps it alive.
    ///
    /// `storage`, when given, is where the arena's first nodes and children go (see
    /// ``init(buffer:storage:)``).
    static func parse(
        _ buffer: UnsafeRawBufferPointer, options: UnpicklerOptions, storage: UnsafeMutableRawPointer? = nil
    ) -> PickleArena? {
        // Hooks are the caller's code: a load handed over after one ran would run it twice.
        guard options.resolveGlobal == nil, options.persistentLoad == nil, options.maxDepth < 30_000 else {
            return nil
        }
        if let limit = options.maxInputSize, buffer.count > limit { return nil }
        let arena = PickleArena(buffer: buffer, storage: storage)
        // The parser's stack, marks and memo start in memory on this function's stack.
        let parsed = withUnsafeTemporaryAllocation(byteCount: PickleArenaParser.storageBytes, alignment: 8) { storage in
            var parser = PickleArenaParser(arena: arena, buffer: buffer, options: options, storage: storage)
            return parser.parse(buffer, options: options)
        }
        guard parsed else { return nil }
        arena.finish()
        return arena
    }
}

extension PickleArenaParser {
    /// Runs the parse, with a machine from the first opcode that needs one; `false` to hand over.
    mutating func parse(_ buffer: UnsafeRawBufferPointer, options: UnpicklerOptions) -> Bool {
        do throws(PickleError) {
            // Most pickles never need the machine: it is made at the first opcode that does.
            if try !run(nil) {
                try UnpicklerMachine.withMachine(buffer, position: 0, options: options) {
                    (tree) throws(PickleError) in
                    try withUnsafeMutablePointer(to: &tree) { (tree) throws(PickleError) in
                        _ = try run(tree)
                    }
                }
            }
        } catch {
            return false
        }
        return true
    }
}

/// The state of one parse: ``UnpicklerMachine``'s, with node indices for values.
///
/// Every check the machine makes is made here too, in the same order, but a failed one just ends the
/// parse (``PickleArena/parse(_:options:)`` returns `nil`), so the errors thrown here say nothing.
struct PickleArenaParser: ~Copyable {
    let arena: PickleArena
    var reader: PickleReader
    var stack: PickleArenaBuffer<Int32>
    var marks: PickleArenaBuffer<Int>
    var fence = 0
    /// Node indices by memo index: only filled in order (a `PUT` past the end hands the pickle over).
    var memo: PickleArenaBuffer<Int32>
    var proto = 0
    let maxDepth: Int32
    let maxMemoSize: Int
    var opcodesLeft: Int

    /// The bytes of the caller's storage for the first entries of the stack, marks and memo.
    static let storageBytes = 64 * 4 + 16 * 8 + 64 * 4

    /// A parser whose stack, marks and memo start in `storage` (``storageBytes``, 8-aligned), which must
    /// outlive it.
    init(arena: PickleArena, buffer: UnsafeRawBufferPointer, options: UnpicklerOptions, storage: UnsafeMutableRawBufferPointer) {
        let base = storage.baseAddress!
        marks = PickleArenaBuffer(borrowing: base.bindMemory(to: Int.self, capacity: 16), capacity: 16)
        stack = PickleArenaBuffer(borrowing: (base + 16 * 8).bindMemory(to: Int32.self, capacity: 64), capacity: 64)
        memo = PickleArenaBuffer(borrowing: (base + 16 * 8 + 64 * 4).bindMemory(to: Int32.self, capacity: 64), capacity: 64)
        self.arena = arena
        reader = PickleReader(buffer, position: 0)
        maxDepth = Int32(clamping: max(options.maxDepth, 1))
        maxMemoSize = options.maxMemoSize ?? Int.max
        opcodesLeft = options.maxOpcodes ?? Int.max
    }

    deinit {
        stack.free()
        marks.free()
        memo.free()
    }

    /// Ends the parse: the pickle goes to the tree's unpickler.
    static let handOver = PickleError(.invalidStack, "handed over to the unpickler")

    /// Runs opcodes until `STOP`, and returns `true`; or, without a machine (`tree` is `nil`), until an
    /// opcode that needs one, and returns `false` before it, to be called again with one.
    mutating func run(_ tree: UnsafeMutablePointer<UnpicklerMachine>?) throws(PickleError) -> Bool {
        while true {
            let start = reader.position
            let byte = try reader.readOpcodeByte()
            opcodesLeft -= 1
            if opcodesLeft < 0 { throw Self.handOver }
            switch byte {
            case Opcode.shortBinunicode.rawValue:
                try pushString(try reader.readCounted1())
            case Opcode.binunicode.rawValue:
                try pushString(try reader.readCounted4())
            case Opcode.binunicode8.rawValue:
                try pushString(try reader.readCounted8())
            case Opcode.memoize.rawValue:
                try storeTop(at: memo.count)
            case Opcode.binint1.rawValue:
                push(.integer(try reader.readUInt1()))
            case Opcode.binint2.rawValue:
                push(.integer(try reader.readUInt2()))
            case Opcode.binint.rawValue:
                push(.integer(Int(try reader.readInt4())))
            case Opcode.long1.rawValue:
                pushValue(try reader.readLong1())
            case Opcode.long4.rawValue:
                pushValue(try reader.readLong4())
            case Opcode.binfloat.rawValue:
                push(.double(try reader.readFloat8()))
            case Opcode.noneValue.rawValue:
                push(PickleArena.Node(.none))
            case Opcode.newtrue.rawValue:
                push(PickleArena.Node(.bool, payload: 1))
            case Opcode.newfalse.rawValue:
                push(PickleArena.Node(.bool, payload: 0))
            case Opcode.shortBinbytes.rawValue:
                try pushBytes(try reader.readCounted1())
            case Opcode.binbytes.rawValue:
                try pushBytes(try reader.readCounted4())
            case Opcode.binbytes8.rawValue:
                try pushBytes(try reader.readCounted8())
            case Opcode.mark.rawValue:
                guard marks.count < Int(maxDepth) else { throw Self.handOver }
                marks.append(stack.count)
                fence = stack.count
            case Opcode.binget.rawValue:
                try pushMemo(try reader.readUInt1())
            case Opcode.longBinget.rawValue:
                try pushMemo(Int(try reader.readUInt4()))
            case Opcode.binput.rawValue:
                try storeTop(at: try reader.readUInt1())
            case Opcode.longBinput.rawValue:
                try storeTop(at: Int(try reader.readUInt4()))
            case Opcode.emptyList.rawValue:
                push(PickleArena.Node(.list, depth: 1))
            case Opcode.emptyDict.rawValue:
                push(PickleArena.Node(.dict, depth: 1))
            case Opcode.emptyTuple.rawValue:
                push(PickleArena.Node(.tuple, depth: 1))
            case Opcode.tuple1.rawValue, Opcode.tuple2.rawValue, Opcode.tuple3.rawValue:
                let size = Int(byte - Opcode.tuple1.rawValue) + 1
                guard stack.count - fence >= size else { throw Self.handOver }
                try pushContainer(.tuple, from: stack.count - size)
            case Opcode.tuple.rawValue:
                try pushContainer(.tuple, from: try popMark())
            case Opcode.list.rawValue:
                try pushContainer(.list, from: try popMark())
            case Opcode.dict.rawValue:
                try pushContainer(.dict, from: try popMark())
            case Opcode.append.rawValue:
                guard stack.count - 1 > fence else { throw Self.handOver }
                guard try appendItems(from: stack.count - 1, opcode: .append, at: start, tree) else { return false }
            case Opcode.appends.rawValue:
                guard try appendItems(from: try popMark(), opcode: .appends, at: start, tree) else { return false }
            case Opcode.setitem.rawValue:
                guard try setItems(from: stack.count - 2, opcode: .setitem, at: start, tree) else { return false }
            case Opcode.setitems.rawValue:
                guard try setItems(from: try popMark(), opcode: .setitems, at: start, tree) else { return false }
            case Opcode.pop.rawValue:
                if !marks.isEmpty, marks[marks.count - 1] == stack.count {
                    _ = try popMark()
                } else {
                    guard stack.count > fence else { throw Self.handOver }
                    _ = stack.removeLast()
                }
            case Opcode.popMark.rawValue:
                let mark = try popMark()
                stack.count = mark
            case Opcode.dup.rawValue:
                guard stack.count > fence else { throw Self.handOver }
                stack.append(stack[stack.count - 1])
            case Opcode.proto.rawValue:
                let version = try reader.readUInt1()
                guard version <= 5 else { throw Self.handOver }
                proto = version
            case Opcode.frame.rawValue:
                let length = try reader.readUInt8()
                guard length <= UInt64(reader.remaining) else { throw Self.handOver }
            case Opcode.stop.rawValue:
                guard stack.count > fence else { throw Self.handOver }
                arena.root = stack.removeLast()
                return true
            default:
                guard let opcode = UnpicklerMachine.opcodes[Int(byte)] else { throw Self.handOver }
                guard let tree else {
                    reader.position = start
                    opcodesLeft += 1
                    return false
                }
                try runOnTree(opcode, at: start, &tree.pointee)
            }
        }
    }

    // MARK: - Values

    @inline(__always)
    mutating func push(_ node: PickleArena.Node) {
        arena.nodes.append(node)
        stack.append(Int32(truncatingIfNeeded: arena.nodes.count - 1))
    }

    @inline(__always)
    mutating func pushValue(_ value: PickleValue) {
        push(arena.node(for: value, depth: 0))
    }

    /// `BINUNICODE` and friends: the text stays in the input once checked, as the machine checks it.
    @inline(__always)
    mutating func pushString(_ bytes: UnsafeRawBufferPointer) throws(PickleError) {
        guard bytes.count <= Int(UInt32.max), arena.nodes.count < Int(Int32.max) else { throw Self.handOver }
        let offset = UInt64(bytes.baseAddress.map { $0 - reader.buffer.baseAddress! } ?? 0)
        if UnpicklerMachine.isASCII(bytes) {
            push(PickleArena.Node(.string, payload: offset, count: UInt32(bytes.count), flags: .ascii))
        } else if String(validUTF8: bytes) != nil {
            push(PickleArena.Node(.string, payload: offset, count: UInt32(bytes.count)))
        } else if let points = SurrogateString.decodeSurrogatePassUTF8(bytes),
            let surrogates = SurrogateString(codePoints: points)
        {
            push(arena.boxedNode(.surrogateString(surrogates), depth: 0))
        } else {
            throw Self.handOver
        }
    }

    @inline(__always)
    mutating func pushBytes(_ bytes: UnsafeRawBufferPointer) throws(PickleError) {
        guard bytes.count <= Int(UInt32.max), arena.nodes.count < Int(Int32.max) else { throw Self.handOver }
        let offset = UInt64(bytes.baseAddress.map { $0 - reader.buffer.baseAddress! } ?? 0)
        push(PickleArena.Node(.bytes, payload: offset, count: UInt32(bytes.count)))
    }

    // MARK: - Marks and the memo

    @inline(__always)
    mutating func popMark() throws(PickleError) -> Int {
        guard !marks.isEmpty else { throw Self.handOver }
        let mark = marks.removeLast()
        fence = marks.isEmpty ? 0 : marks[marks.count - 1]
        return mark
    }

    @inline(__always)
    mutating func pushMemo(_ index: Int) throws(PickleError) {
        guard index >= 0, index < memo.count else { throw Self.handOver }
        stack.append(memo[index])
    }

    @inline(__always)
    mutating func storeTop(at index: Int) throws(PickleError) {
        guard stack.count > fence else { throw Self.handOver }
        let top = stack[stack.count - 1]
        if index == memo.count {
            memo.append(top)
        } else if index >= 0, index < memo.count {
            memo[index] = top
        } else {
            throw Self.handOver
        }
        guard memo.count <= maxMemoSize else { throw Self.handOver }
    }

    // MARK: - Containers

    /// The depth of a container holding children of depth `deepest`, checked against the limit.
    @inline(__always)
    func containerDepth(holding deepest: Int32) throws(PickleError) -> Int32 {
        guard deepest < maxDepth else { throw Self.handOver }
        return deepest + 1
    }

    /// The deepest nesting among the stack's values from `start`.
    @inline(__always)
    func deepest(from start: Int) -> Int32 {
        var deepest: Int32 = 0
        for position in start..<stack.count { deepest = max(deepest, depth(of: stack[position])) }
        return deepest
    }

    /// The nesting depth of node `index`; for a boxed list, dict, set or instance, its current one, which the
    /// machine may have changed since.
    @inline(__always)
    func depth(of index: Int32) -> Int32 {
        let node = arena.nodes[Int(index)]
        guard node.kind == .boxed else { return Int32(node.depth) }
        return UnpicklerMachine.depth(of: UnpicklerStackEntry(arena.boxed[Int(node.payload)], depth: Int32(node.depth)))
    }

    /// Whether node `index` can be a key of an arena dict: a `str` in the input or an `int`.
    @inline(__always)
    func isKey(_ index: Int32) -> Bool {
        let kind = arena.nodes[Int(index)].kind
        return kind == .string || kind == .int
    }

    /// `TUPLE`, `LIST`, `DICT` and `TUPLE1` to `TUPLE3`: the values from `start` become a new container.
    mutating func pushContainer(_ kind: PickleArena.Kind, from start: Int) throws(PickleError) {
        let count = stack.count - start
        var entries = count
        if kind == .dict {
            guard count % 2 == 0 else { throw Self.handOver }
            for position in stride(from: start, to: stack.count, by: 2) where !isKey(stack[position]) {
                throw Self.handOver
            }
            entries = count / 2
        }
        let depth = try containerDepth(holding: deepest(from: start))
        guard arena.nodes.count < Int(Int32.max), arena.children.count + count < Int(Int32.max) else {
            throw Self.handOver
        }
        let first = UInt64(arena.children.count)
        arena.children.append(from: stack.base + start, count: count)
        stack.count = start
        push(PickleArena.Node(kind, payload: first, count: UInt32(entries), depth: UInt16(depth)))
    }

    /// `APPEND`/`APPENDS`: the values from `start` go to the list just below them.
    ///
    /// Returns `false`, with the stack and reader as they were before the opcode, when the target is boxed
    /// and there is no machine yet.
    mutating func appendItems(
        from start: Int, opcode: Opcode, at offset: Int, _ tree: UnsafeMutablePointer<UnpicklerMachine>?
    ) throws(PickleError) -> Bool {
        guard start <= stack.count, start > fence else { throw Self.handOver }
        guard start < stack.count else { return true }
        let target = stack[start - 1]
        let node = arena.nodes[Int(target)]
        guard node.kind == .list else {
            return try changeBoxed(node, opcode, from: start, at: offset, tree)
        }
        // A list made into a value for the machine may not change: the value would not.
        guard !node.flags.contains(.frozen) else { throw Self.handOver }
        let depth = try containerDepth(holding: deepest(from: start))
        try appendChildren(from: start, to: target)
        arena.nodes[Int(target)].count += UInt32(stack.count - start)
        arena.nodes[Int(target)].depth = max(node.depth, UInt16(depth))
        stack.count = start
        return true
    }

    /// `opcode` (an `APPEND`, `SETITEM` or their batches) on a `target` that is not the arena's list or dict:
    /// run on the machine if the target is boxed; without a machine yet, the MARK the opcode popped and the
    /// reader are put back as they were before the opcode at `offset`, and the result is `false`.
    private mutating func changeBoxed(
        _ target: PickleArena.Node, _ opcode: Opcode, from start: Int, at offset: Int,
        _ tree: UnsafeMutablePointer<UnpicklerMachine>?
    ) throws(PickleError) -> Bool {
        guard target.kind == .boxed else { throw Self.handOver }
        guard let tree else {
            if opcode == .appends || opcode == .setitems {
                marks.append(start)
                fence = start
            }
            reader.position = offset
            opcodesLeft += 1
            return false
        }
        try runOnTree(opcode, target: start - 1, from: start, at: offset, &tree.pointee)
        return true
    }

    /// `SETITEM`/`SETITEMS`: the values from `start` are keys and values for the dict just below them.
    mutating func setItems(
        from start: Int, opcode: Opcode, at offset: Int, _ tree: UnsafeMutablePointer<UnpicklerMachine>?
    ) throws(PickleError) -> Bool {
        guard start <= stack.count, start > fence else { throw Self.handOver }
        guard start < stack.count else { return true }
        guard (stack.count - start) % 2 == 0 else { throw Self.handOver }
        let target = stack[start - 1]
        let node = arena.nodes[Int(target)]
        guard node.kind == .dict else {
            return try changeBoxed(node, opcode, from: start, at: offset, tree)
        }
        guard !node.flags.contains(.frozen) else { throw Self.handOver }
        let depth = try containerDepth(holding: deepest(from: start))
        for position in stride(from: start, to: stack.count, by: 2) where !isKey(stack[position]) {
            throw Self.handOver
        }
        try appendChildren(from: start, to: target)
        arena.nodes[Int(target)].count += UInt32((stack.count - start) / 2)
        arena.nodes[Int(target)].depth = max(node.depth, UInt16(depth))
        arena.nodes[Int(target)].flags.remove([.keysChecked, .distinct])
        stack.count = start
        return true
    }

    /// Appends the stack's values from `start` to the children of `target`.
    @inline(__always)
    mutating func appendChildren(from start: Int, to target: Int32) throws(PickleError) {
        guard arena.children.count + (stack.count - start) < Int(Int32.max),
            Int(arena.nodes[Int(target)].count) + (stack.count - start) < Int(UInt32.max)
        else { throw Self.handOver }
        arena.append(UnsafeBufferPointer(start: stack.base + start, count: stack.count - start), to: target)
    }

    // MARK: - Opcodes run by the machine

    /// The opcode at `offset`, run by `tree` on the values its operands make: they are made into
    /// ``PickleValue``s and put on the machine's stack (a MARK where the opcode wants one), the machine
    /// runs the opcode, and what it leaves is boxed in the arena.
    mutating func runOnTree(_ opcode: Opcode, at offset: Int, _ tree: inout UnpicklerMachine) throws(PickleError) {
        switch opcode {
        case .obj, .inst, .frozenset:
            // Their operands are the values from the innermost MARK.
            let mark = try popMark()
            try runOnTree(opcode, target: nil, from: mark, at: offset, &tree)
        case .additems:
            let mark = try popMark()
            guard mark > fence, mark <= stack.count else { throw Self.handOver }
            try runOnTree(opcode, target: mark - 1, from: mark, at: offset, &tree)
        case .build:
            guard stack.count - fence >= 2 else { throw Self.handOver }
            try runOnTree(opcode, target: stack.count - 2, from: stack.count - 1, at: offset, &tree)
        case .stackGlobal, .reduce, .newobj:
            guard stack.count - fence >= 2 else { throw Self.handOver }
            try runOnTree(opcode, operands: 2, at: offset, &tree)
        case .newobjEx:
            guard stack.count - fence >= 3 else { throw Self.handOver }
            try runOnTree(opcode, operands: 3, at: offset, &tree)
        case .binpersid, .readonlyBuffer:
            guard stack.count - fence >= 1 else { throw Self.handOver }
            try runOnTree(opcode, operands: 1, at: offset, &tree)
        case .int, .long, .float, .unicode, .string, .binstring, .shortBinstring, .bytearray8, .nextBuffer,
            .global, .ext1, .ext2, .ext4, .persid, .emptySet:
            try runOnTree(opcode, operands: 0, at: offset, &tree)
        default:
            // Opcodes the parser runs itself only come here for what it cannot do (`GET` and `PUT` lines).
            throw Self.handOver
        }
    }

    /// ``runOnTree(_:at:_:)`` for an opcode that takes the top `operands` values and no MARK.
    private mutating func runOnTree(
        _ opcode: Opcode, operands: Int, at offset: Int, _ tree: inout UnpicklerMachine
    ) throws(PickleError) {
        let start = stack.count - operands
        for position in start..<stack.count { tree.push(try operand(stack[position])) }
        stack.count = start
        try execute(opcode, at: offset, &tree)
    }

    /// ``runOnTree(_:at:_:)`` for an opcode that changes the value at `target` (if any) with the values
    /// from `start`, which follow a MARK unless the opcode is `BUILD`, `APPEND` or `SETITEM`.
    ///
    /// A change that would make the target reach itself (a cycle) is handed over: the machine can free
    /// a cycle it builds, and the arena could not.
    mutating func runOnTree(
        _ opcode: Opcode, target: Int?, from start: Int, at offset: Int, _ tree: inout UnpicklerMachine
    ) throws(PickleError) {
        let first = target ?? start
        // Only a boxed value (an object, a set) changes in place in the machine.
        if let target, arena.nodes[Int(stack[target])].kind != .boxed { throw Self.handOver }
        var values: [PickleValue] = []
        values.reserveCapacity(stack.count - first)
        for position in first..<stack.count { values.append(try operand(stack[position])) }
        if target != nil, let identity = values[0].walkIdentity {
            let others = Array(values.dropFirst())
            if others.contains(where: { $0.walkIdentity != nil }),
                PickleValue.reachableIdentities(from: others).contains(identity)
            {
                throw Self.handOver
            }
        }
        let marked = opcode != .build && opcode != .append && opcode != .setitem
        for (position, value) in values.enumerated() {
            if marked, position == start - first { try tree.pushMark() }
            tree.push(value, depth: depth(of: stack[first + position]))
        }
        if marked, start == stack.count { try tree.pushMark() }
        stack.count = first
        try execute(opcode, at: offset, &tree)
    }

    /// The value of node `index` for the machine's stack.
    private mutating func operand(_ index: Int32) throws(PickleError) -> PickleValue {
        guard let value = arena.materialize(index, parsing: true) else { throw Self.handOver }
        return value
    }

    /// Runs `opcode`, whose operands are on the machine's stack, and moves what it leaves to the arena.
    private mutating func execute(_ opcode: Opcode, at offset: Int, _ tree: inout UnpicklerMachine) throws(PickleError) {
        tree.proto = proto
        tree.reader.position = reader.position
        tree.reader.beginOpcode(opcode, at: offset)
        try tree.execute(opcode)
        reader.position = tree.reader.position
        guard tree.marks.isEmpty, arena.nodes.count + tree.stack.count < Int(Int32.max) else { throw Self.handOver }
        tree.fence = 0
        for position in 0..<tree.stack.count {
            let entry = tree.stack[position]
            push(arena.node(for: entry.value, depth: UnpicklerMachine.depth(of: entry)))
        }
        tree.stack.removeAll(from: 0)
    }
}

extension PickleArena.Node {
    /// A node for an `int`.
    static func integer(_ value: Int) -> Self { Self(.int, payload: UInt64(bitPattern: Int64(value))) }
    /// A node for a `float`.
    static func double(_ value: Double) -> Self { Self(.float, payload: value.bitPattern) }
}
