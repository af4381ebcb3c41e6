/// One pickle read into flat nodes, for ``PickleDecoder``: the unpickler's loop without the value
/// model's objects.
///
/// Unpickling to ``PickleValue`` makes an object, a reference count and often an allocation for
/// every list, dict and long string, which a decoder then reads once and drops. The arena keeps the
/// same graph as an array of 16-byte nodes addressed by index: numbers in place, text and bytes as
/// ranges of the input (which the decode reads while the caller's buffer is alive), containers as
/// ranges of one array of child indices. Shared references are shared indices, so nothing is copied
/// or counted.
///
/// The arena is only a faster road to the same place: a decode from an arena must give exactly
/// what unpickling to a ``PickleValue`` and decoding that gives. So it reads only what it can read
/// the way ``UnpicklerMachine`` does and hands everything else over:
/// - opcodes that build Python objects (globals, calls, `BUILD`, sets, Python 2 strings, protocol 0
///   text…) run on an ``UnpicklerMachine`` over the same buffer, one opcode at a time, on the
///   ``PickleValue``s of their operands; their results are kept in the arena as boxed values;
/// - whatever the arena does not mirror exactly (an error of any kind, a limit reached, a dict key
///   other than a `str` or an `int`, a container changed after it was handed to such an opcode, a
///   reference cycle through one, a sparse memo, hooks that the caller could observe being called)
///   makes ``parse(_:options:)`` return `nil`, and the caller unpickles the tree instead, which
///   throws the error or builds the value in its own way.
final class PickleArena {
    /// What a node holds.
    enum Kind: UInt8 {
        case none, bool, int, float
        /// ASCII or valid UTF-8 text in the input: `payload` is its offset, `count` its length in bytes.
        case string
        /// `bytes` in the input: `payload` is its offset, `count` its length.
        case bytes
        /// `payload` is the index of the first child in ``children``, `count` the number of children.
        case list, tuple
        /// `payload` is the index of the first key in ``children``, followed by its value, then the next
        /// key…; `count` is the number of entries.
        case dict
        /// A ``PickleValue`` in ``boxed``, at index `payload`.
        case boxed
    }

    /// One value: a number, a range of the input, a range of ``children`` or a boxed value.
    struct Node {
        var payload: UInt64
        var count: UInt32
        /// The nesting depth as the unpickler counts it (see ``UnpicklerMachine/containerDepth(holding:)``).
        var depth: UInt16
        var kind: Kind
        var flags: Flags

        init(_ kind: Kind, payload: UInt64 = 0, count: UInt32 = 0, depth: UInt16 = 0, flags: Flags = []) {
            self.payload = payload
            self.count = count
            self.depth = depth
            self.kind = kind
            self.flags = flags
        }
    }

    struct Flags: OptionSet {
        var rawValue: UInt8
        /// Text that is all ASCII.
        static let ascii = Flags(rawValue: 1)
        /// A list or dict whose children are in several runs of ``children`` (see ``Run``), while parsing.
        static let split = Flags(rawValue: 2)
        /// A list or dict made into a ``PickleValue`` while parsing: it may not change any more.
        static let frozen = Flags(rawValue: 4)
        /// A list or dict being made into a ``PickleValue``.
        static let materializing = Flags(rawValue: 8)
        /// A dict whose keys have been checked: ``distinct`` says what was found.
        static let keysChecked = Flags(rawValue: 16)
        /// A dict whose keys are all different (and all `str` or `int`).
        static let distinct = Flags(rawValue: 32)
    }

    /// A run of the children of a split container: `count` children from `start`, after the run `previous`.
    struct Run {
        var start: Int32
        var count: Int32
        var previous: Int32
    }

    @exclusivity(unchecked) var nodes: PickleArenaBuffer<Node>
    @exclusivity(unchecked) var children: PickleArenaBuffer<Int32>
    @exclusivity(unchecked) var boxed: [PickleValue] = []
    /// Runs of split containers (only while parsing).
    @exclusivity(unchecked) var runs: [Run] = []
    /// The containers that are split, to join at the end.
    @exclusivity(unchecked) var splitNodes: [Int32] = []
    /// The ``PickleValue`` made for each list, dict or tuple node that has been materialized.
    @exclusivity(unchecked) var materialized: [Int32: PickleValue] = [:]
    /// The pickle.
    let buffer: UnsafeRawBufferPointer
    /// The node the pickle's `STOP` returned.
    @exclusivity(unchecked) var root: Int32 = 0

    /// An arena for the pickle in `buffer`, whose first nodes and children go in `storage` when given: a
    /// block of ``storageBytes(forPickleOf:)`` bytes, 16-aligned, that outlives the arena (the buffers
    /// move to blocks of their own when they grow).
    init(buffer: UnsafeRawBufferPointer, storage: UnsafeMutableRawPointer? = nil) {
        self.buffer = buffer
        let capacity = Self.initialCapacity(forPickleOf: buffer.count)
        if let storage {
            nodes = PickleArenaBuffer(borrowing: storage.bindMemory(to: Node.self, capacity: capacity), capacity: capacity)
            children = PickleArenaBuffer(
                borrowing: (storage + capacity * MemoryLayout<Node>.stride).bindMemory(to: Int32.self, capacity: capacity),
                capacity: capacity)
        } else {
            nodes = PickleArenaBuffer(capacity: capacity)
            children = PickleArenaBuffer(capacity: capacity)
        }
    }

    /// The nodes and children an arena starts with room for: a node takes an opcode of at least one byte,
    /// most several (a string, a key, its `MEMOIZE`), but containers of small ints and `None` come close to
    /// one node per byte and a half (MICRO_DICT: 2,201 nodes in 3,616 bytes). Growing copies every node,
    /// which costs more than the room.
    static func initialCapacity(forPickleOf byteCount: Int) -> Int { min(byteCount / 4 * 3 + 32, 1 << 14) }

    /// The bytes of storage for the first nodes and children of an arena for a pickle of `byteCount` bytes.
    static func storageBytes(forPickleOf byteCount: Int) -> Int {
        initialCapacity(forPickleOf: byteCount) * (MemoryLayout<Node>.stride + MemoryLayout<Int32>.stride)
    }

    /// A block the arena frees when it goes (the pickle and the arena's first storage, for a
    /// ``PickleDocument``): whatever keeps the arena keeps the memory its nodes refer to.
    var ownedBlock: UnsafeMutableRawPointer?

    deinit {
        nodes.free()
        children.free()
        if let ownedBlock { MallocBuffer.free(ownedBlock) }
    }

    // MARK: - Reading nodes

    /// The bytes of a string or bytes node.
    @inline(__always)
    func bytes(of node: Node) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[Int(node.payload)..<Int(node.payload) + Int(node.count)])
    }

    /// The text of a string node.
    @inline(__always)
    func string(of node: Node) -> String {
        let bytes = bytes(of: node)
        if node.flags.contains(.ascii), node.count <= 15, UnpicklerMachine.smallStringLayoutHolds,
            let start = bytes.baseAddress, start + 16 <= buffer.baseAddress.unsafelyUnwrapped + buffer.count
        {
            let count = Int(node.count)
            var low = start.loadUnaligned(as: UInt64.self)
            var high = (start + 8).loadUnaligned(as: UInt64.self)
            if count < 8 {
                low &= (1 &<< UInt64(8 * count)) &- 1
                high = 0
            } else {
                high &= (1 &<< UInt64(8 * (count - 8))) &- 1
            }
            return UnpicklerMachine.smallASCIIString(low: low, high: high, count: count)
        }
        return String(decoding: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
    }

    /// The index in ``children`` of the first child of a container node (after ``finish()``).
    @inline(__always)
    func firstChild(of node: Node) -> Int { Int(node.payload) }

    /// Whether the string node `node` holds exactly the UTF-8 of `text`.
    @inline(__always)
    func string(_ node: Node, equals text: String) -> Bool {
        if let equal = text.utf8.withContiguousStorageIfAvailable({ string(node, equals: UnsafeRawBufferPointer($0)) }) {
            return equal
        }
        // A bridged or otherwise non-contiguous string: made contiguous once.
        var contiguous = text
        return contiguous.withUTF8 { string(node, equals: UnsafeRawBufferPointer($0)) }
    }

    /// Whether the string node `node` holds exactly the bytes `utf8`.
    @inline(__always)
    func string(_ node: Node, equals utf8: UnsafeRawBufferPointer) -> Bool {
        let count = utf8.count
        guard count == Int(node.count) else { return false }
        guard count > 0 else { return true }
        let stored = buffer.baseAddress.unsafelyUnwrapped + Int(node.payload)
        let given = utf8.baseAddress.unsafelyUnwrapped
        if count >= 8 && count <= 16 {
            // Two overlapping words each, within both strings.
            return stored.loadUnaligned(as: UInt64.self) == given.loadUnaligned(as: UInt64.self)
                && (stored + count - 8).loadUnaligned(as: UInt64.self) == (given + count - 8).loadUnaligned(as: UInt64.self)
        }
        return memcmp(given, stored, count) == 0
    }

    /// A new node for `None`, for a decoder of a missing value.
    func noneNode() -> Int32 {
        nodes.append(Node(.none))
        return Int32(nodes.count - 1)
    }

    // MARK: - Making values

    /// The ``PickleValue`` of node `index`, made once for a container and shared by every reference to it.
    ///
    /// While parsing, a list or dict made into a value is frozen: the value is now shared with a boxed
    /// object, so the arena may not change it any more. A container met again while it is being made (a
    /// cycle) returns `nil` then, since the tree's unpickler would free such a cycle and the arena cannot.
    /// After parsing, a cycle is made as the tree has it, and the result is never `nil`.
    ///
    /// Made without recursion, so that values nested as deeply as the limits allow are made on any
    /// thread's stack, as the unpickler makes them. A list or dict is made and recorded before its children,
    /// so that a reference back to it finds it; a tuple after them. (A tuple can only be in a cycle through a
    /// list or dict, which is made, and recorded, first: a tuple met again while it is being made is made a
    /// second time, one level down, and holds the same values; the outer one then takes that value.)
    func materialize(_ index: Int32, parsing: Bool) -> PickleValue? {
        switch madeValue(of: index, parsing: parsing) {
        case .made(let value): return value
        case .cycle: return nil
        case .unmade: break
        }
        // Most containers made here hold only values made already (a date's bytes, a class's arguments):
        // those are made at once, the others go on with a worklist from their first child to make.
        open(index, parsing: parsing)
        let node = nodes[Int(index)]
        let count = Self.childCount(node)
        var made: [PickleValue] = []
        made.reserveCapacity(count)
        for position in 0..<count {
            let child = children[Int(node.payload) + position]
            switch madeValue(of: child, parsing: parsing) {
            case .made(let value):
                made.append(value)
            case .cycle:
                nodes[Int(index)].flags.remove(.materializing)
                return nil
            case .unmade:
                return materialize(index, from: position, made: made, parsing: parsing)
            }
        }
        return close(index, elements: made)
    }

    /// ``materialize(_:parsing:)`` of container node `index`, opened, whose children before `position`
    /// are `made` and whose child at `position` is a container to make: with a worklist of the containers
    /// being made, innermost last, and their next children, and the values of their children so far in
    /// `made`, in order.
    private func materialize(_ index: Int32, from position: Int, made: [PickleValue], parsing: Bool) -> PickleValue? {
        var made = made
        var frames: [(index: Int32, next: Int)] = [(index, position)]
        while let (current, next) = frames.last {
            let node = nodes[Int(current)]
            let count = Self.childCount(node)
            if next < count {
                frames[frames.count - 1].next = next + 1
                let child = children[Int(node.payload) + next]
                switch madeValue(of: child, parsing: parsing) {
                case .made(let value):
                    made.append(value)
                case .cycle:
                    for frame in frames { nodes[Int(frame.index)].flags.remove(.materializing) }
                    return nil
                case .unmade:
                    open(child, parsing: parsing)
                    frames.append((child, 0))
                }
                continue
            }
            frames.removeLast()
            let elements = Array(made[(made.count - count)...])
            made.removeLast(count)
            made.append(close(current, elements: elements))
        }
        return made[0]
    }

    /// Finishes container node `index` with its children's values: a list or dict made when it was opened
    /// gets them; a tuple is made and recorded, unless one was made while its elements were (in a cycle
    /// through one of them), whose value it takes.
    private func close(_ index: Int32, elements: [PickleValue]) -> PickleValue {
        nodes[Int(index)].flags.remove(.materializing)
        switch materialized[index] {
        case .list(let list)?:
            list.elements = elements
            return .list(list)
        case .dict(let dict)?:
            for entry in 0..<elements.count / 2 {
                _ = dict.updateValue(elements[2 * entry + 1], forKey: elements[2 * entry])
            }
            return .dict(dict)
        case let tuple?:
            return tuple
        case nil:
            let value = PickleValue.tuple(elements)
            materialized[index] = value
            return value
        }
    }

    /// What ``materialize(_:parsing:)`` finds for a node before making anything.
    private enum Found {
        /// A scalar, text, bytes, a boxed value, or a container made (or, after parsing, being made) already.
        case made(PickleValue)
        /// A list or dict being made, met again while parsing.
        case cycle
        /// A container to make.
        case unmade
    }

    private func madeValue(of index: Int32, parsing: Bool) -> Found {
        let node = nodes[Int(index)]
        switch node.kind {
        case .none: return .made(PickleValue.none)
        case .bool: return .made(.bool(node.payload != 0))
        case .int: return .made(.int(Int(Int64(bitPattern: node.payload))))
        case .float: return .made(.float(Double(bitPattern: node.payload)))
        case .string: return .made(.string(string(of: node)))
        case .bytes: return .made(.bytes(Array(bytes(of: node))))
        case .boxed: return .made(boxed[Int(node.payload)])
        case .list, .tuple, .dict:
            guard let value = materialized[index] else { return .unmade }
            if parsing, node.flags.contains(.materializing) { return .cycle }
            return .made(value)
        }
    }

    /// Starts making container node `index`: a list or dict is made empty and recorded at once (and, while
    /// parsing, frozen); its children are joined into one range first if they are split.
    private func open(_ index: Int32, parsing: Bool) {
        if parsing, nodes[Int(index)].flags.contains(.split) { join(index) }
        let node = nodes[Int(index)]
        switch node.kind {
        case .list:
            let list = PickleList()
            list.nestingDepth = Int32(node.depth)
            materialized[index] = .list(list)
        case .dict:
            let dict = PickleDict(minimumCapacity: Int(node.count))
            dict.nestingDepth = Int32(node.depth)
            materialized[index] = .dict(dict)
        default:
            break
        }
        if node.kind != .tuple {
            nodes[Int(index)].flags.insert(parsing ? [.materializing, .frozen] : .materializing)
        }
    }

    /// The node for `value`: scalars become nodes of their own, anything else is boxed.
    func node(for value: PickleValue, depth: Int32) -> Node {
        switch value {
        case .none: Node(.none)
        case .bool(let flag): Node(.bool, payload: flag ? 1 : 0)
        case .int(let integer): Node(.int, payload: UInt64(bitPattern: Int64(integer)))
        case .float(let double): Node(.float, payload: double.bitPattern)
        default: boxedNode(value, depth: depth)
        }
    }

    /// A node boxing `value`.
    func boxedNode(_ value: PickleValue, depth: Int32) -> Node {
        boxed.append(value)
        return Node(.boxed, payload: UInt64(boxed.count - 1), depth: UInt16(clamping: depth))
    }

    // MARK: - Children of lists and dicts

    /// Appends `items` (node indices) to the children of container `index`, in a new run if they cannot
    /// follow its last one.
    func append(_ items: UnsafeBufferPointer<Int32>, to index: Int32) {
        let node = nodes[Int(index)]
        let end = Int32(children.count)
        let added = Int32(items.count)
        if node.count == 0 && !node.flags.contains(.split) {
            nodes[Int(index)].payload = UInt64(end)
        } else if node.flags.contains(.split) {
            let last = Int(node.payload)
            if runs[last].start + runs[last].count == end {
                runs[last].count += added
            } else {
                runs.append(Run(start: end, count: added, previous: Int32(last)))
                nodes[Int(index)].payload = UInt64(runs.count - 1)
            }
        } else if Int32(node.payload) + Int32(Self.childCount(node)) != end {
            runs.append(Run(start: Int32(node.payload), count: Int32(Self.childCount(node)), previous: -1))
            runs.append(Run(start: end, count: added, previous: Int32(runs.count - 1)))
            nodes[Int(index)].payload = UInt64(runs.count - 1)
            nodes[Int(index)].flags.insert(.split)
            splitNodes.append(index)
        }
        children.append(from: items.baseAddress!, count: items.count)
    }

    /// The number of entries of ``children`` a container node has: two per dict entry.
    @inline(__always)
    static func childCount(_ node: Node) -> Int { node.kind == .dict ? 2 * Int(node.count) : Int(node.count) }

    /// Copies the runs of split container `index` to the end of ``children``, in order, so that its
    /// children are one range again.
    func join(_ index: Int32) {
        let node = nodes[Int(index)]
        guard node.flags.contains(.split) else { return }
        var order: [Run] = []
        var run = Int32(node.payload)
        while run >= 0 {
            order.append(runs[Int(run)])
            run = runs[Int(run)].previous
        }
        let start = children.count
        for run in order.reversed() {
            for position in Int(run.start)..<Int(run.start + run.count) { children.append(children[position]) }
        }
        nodes[Int(index)].payload = UInt64(start)
        nodes[Int(index)].flags.remove(.split)
    }

    /// Joins every split container: after it, every container's children are one range.
    func finish() {
        for index in splitNodes { join(index) }
        splitNodes = []
        runs = []
    }

    /// The number of values in the graph from ``root``, counted as ``PickleValue/graphSize(of:)`` counts
    /// them in the tree: the root, and the children of each container once.
    func graphSize() -> Int {
        var size = 1
        var seen = Set<Int32>()
        var seenBoxed = Set<UInt>()
        var pending = [root]
        while let index = pending.popLast() {
            let node = nodes[Int(index)]
            switch node.kind {
            case .list, .tuple, .dict:
                guard seen.insert(index).inserted else { continue }
                let first = Int(node.payload)
                let count = Self.childCount(node)
                size += count
                for position in first..<first + count { pending.append(children[position]) }
            case .boxed:
                PickleValue.forEachReachable(from: [boxed[Int(node.payload)]], seen: &seenBoxed) { value in
                    size += value.childCount
                }
            default:
                break
            }
        }
        return size
    }

    // MARK: - Dict keys

    /// Whether the keys of dict node `index` are all different, as Python compares them: the arena only
    /// holds dicts whose keys are `str` (compared by their UTF-8) or `int`. Worked out once per dict.
    func hasDistinctKeys(_ index: Int32) -> Bool {
        let node = nodes[Int(index)]
        if node.flags.contains(.keysChecked) { return node.flags.contains(.distinct) }
        let distinct = Self.keysAreDistinct(self, first: Int(node.payload), count: Int(node.count))
        nodes[Int(index)].flags.insert(distinct ? [.keysChecked, .distinct] : .keysChecked)
        return distinct
    }

    /// Whether the `count` keys from `first` in ``children`` are all different.
    private static func keysAreDistinct(_ arena: PickleArena, first: Int, count: Int) -> Bool {
        guard count > 1 else { return true }
        // A fingerprint per key: an int's value, or a string's length with its first and last eight bytes.
        func fingerprint(_ node: Node) -> UInt64 {
            if node.kind == .int { return node.payload }
            let start = arena.buffer.baseAddress.unsafelyUnwrapped + Int(node.payload)
            let count = Int(node.count)
            var word = UInt64(count) &* 0x9E37_79B9_7F4A_7C15
            if count >= 8 {
                word ^= start.loadUnaligned(as: UInt64.self)
                word = (word &* 0xFF51_AFD7_ED55_8CCD) ^ (start + count - 8).loadUnaligned(as: UInt64.self)
            } else {
                for offset in 0..<count { word = (word &<< 8) | UInt64(start.load(fromByteOffset: offset, as: UInt8.self)) }
            }
            return word
        }
        func same(_ a: Node, _ b: Node) -> Bool {
            guard a.kind == b.kind else { return false }
            if a.kind == .int { return a.payload == b.payload }
            guard a.count == b.count else { return false }
            return memcmp(arena.buffer.baseAddress! + Int(a.payload), arena.buffer.baseAddress! + Int(b.payload), Int(a.count)) == 0
        }
        if count <= 12 {
            // Fingerprints compared pair by pair, the keys themselves only when two fingerprints agree.
            return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count) { prints in
                for entry in 0..<count {
                    let key = arena.nodes[Int(arena.children[first + 2 * entry])]
                    // (A kind bit, so that an int never meets a string's fingerprint.)
                    let print = key.kind == .int ? key.payload : fingerprint(key) | 1 &<< 63
                    for earlier in 0..<entry where prints[earlier] == print {
                        if same(key, arena.nodes[Int(arena.children[first + 2 * earlier])]) { return false }
                    }
                    prints.initializeElement(at: entry, to: print)
                }
                return true
            }
        }
        // An open-addressing table of key positions, by fingerprint.
        var capacity = 16
        while capacity < 2 * count { capacity *= 2 }
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: capacity) { table in
            table.initialize(repeating: -1)
            let mask = capacity - 1
            for entry in 0..<count {
                let key = arena.nodes[Int(arena.children[first + 2 * entry])]
                let hash = fingerprint(key) &* 0xBF58_476D_1CE4_E5B9
                var slot = Int(truncatingIfNeeded: hash >> 32) & mask
                while table[slot] >= 0 {
                    if same(key, arena.nodes[Int(arena.children[first + 2 * Int(table[slot])])]) { return false }
                    slot = (slot + 1) & mask
                }
                table[slot] = Int32(entry)
            }
            return true
        }
    }
}

/// A growing array of plain values in one `malloc` block, for the arena's tables and the parser's stack:
/// no reference count, no uniqueness check, no bounds check in release builds (every index is one the
/// arena made). The owner frees it.
struct PickleArenaBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    /// The number of elements; lowering it drops the last ones (never raise it).
    var count = 0
    private var capacity: Int
    /// Whether ``base`` is a block of the buffer's own (else the caller's, until the buffer grows).
    private var owned: Bool

    init(capacity: Int) {
        self.capacity = max(capacity, 4)
        base = MallocBuffer.allocate(Element.self, capacity: self.capacity)
        owned = true
    }

    /// A buffer whose first `capacity` elements go in `storage`, the caller's memory, which must outlive
    /// the buffer's use of it: the buffer moves to a block of its own when it grows.
    init(borrowing storage: UnsafeMutablePointer<Element>, capacity: Int) {
        self.capacity = capacity
        base = storage
        owned = false
    }

    subscript(index: Int) -> Element {
        @inline(__always) unsafeAddress {
            assert(index >= 0 && index < count, "index \(index) out of \(count)")
            return UnsafePointer(base + index)
        }
        @inline(__always) nonmutating unsafeMutableAddress {
            assert(index >= 0 && index < count, "index \(index) out of \(count)")
            return base + index
        }
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow(toHold: count + 1) }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Appends `count` elements from `start`, which may be in this buffer.
    @inline(__always)
    mutating func append(from start: UnsafePointer<Element>, count added: Int) {
        guard added > 0 else { return }
        if count + added > capacity {
            // The elements may be this buffer's own, which growing moves: copy them out first.
            let copy = Array(UnsafeBufferPointer(start: start, count: added))
            grow(toHold: count + added)
            copy.withUnsafeBufferPointer { (base + count).initialize(from: $0.baseAddress!, count: added) }
        } else {
            (base + count).initialize(from: start, count: added)
        }
        count += added
    }

    @inline(__always)
    mutating func removeLast() -> Element {
        assert(count > 0)
        count -= 1
        return base[count]
    }

    @inline(never)
    private mutating func grow(toHold minimum: Int) {
        var newCapacity = capacity * 2
        while newCapacity < minimum { newCapacity *= 2 }
        base = MallocBuffer.grow(base, count: count, capacity: newCapacity, owned: owned)
        owned = true
        capacity = newCapacity
    }

    /// Frees the block, if it is the buffer's own; the buffer may not be used after.
    func free() { if owned { MallocBuffer.free(base) } }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#elseif canImport(ucrt)
    import ucrt
#endif
