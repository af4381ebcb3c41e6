/// The pickler's engine: the output, the memo and the frame state, with one method per kind of
/// value, following CPython's `_pickle.c` `save_*` functions.
///
/// Noncopyable, so that its methods work on `self` in place with no runtime exclusivity checks and
/// it can own its output buffer; the public ``Pickler`` class holds one.
struct PickleWriter: ~Copyable {
    /// The output: `written` bytes at `base`, room for `capacity`.
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var written = 0
    private var capacity: Int
    /// Whether ``base`` is a block of the writer's own, to free; not when it is the caller's scratch memory
    /// (see ``Scratch``).
    private var ownsBase = true

    var outOfBandBuffers: [[UInt8]] = []
    var memo: PicklerMemo

    /// Whether large `bytes` payloads are left out of the buffer and copied once, straight into
    /// ``output``: for a writer that serves one dump (see ``init(validated:singleDump:)``).
    let defersLargeData: Bool
    /// The payloads left out, each with the buffer offset it belongs at, in order.
    private(set) var deferredData: [(offset: Int, bytes: [UInt8])] = []
    /// The smallest payload left out of the buffer.
    static let deferredDataMinimum = 1 << 20

    let proto: Int
    let fixImports: Bool
    let maxDepth: Int
    let persistentIDHook: ((PickleValue) -> PickleValue?)?
    let outOfBandHook: ((PickleValue) -> Bool)?

    /// Whether atoms can be written without asking the persistent-ID hook: there is no hook.
    let plainAtoms: Bool
    /// Whether no code of the caller's runs while a value is written (neither hook is set), so that nothing
    /// can change a container while its items are written: they are then read in place, from the
    /// container's own storage, rather than from a copy of its array (a retain and a release each).
    let readsInPlace: Bool
    /// Whether the value being dumped is the last the memo serves (``Pickler/dumps(_:options:)``): the root
    /// value then need not be findable in the memo once written.
    var rootIsLast = false

    /// Below this output length, there is room for ``atomRoom`` more bytes and the open frame, if
    /// any, is below its target size: the fast path of ``frameBoundary()``. Lowering it is always
    /// safe; 0 sends the next check to the slow path, which recomputes it.
    var fastLimit = 0
    /// The most bytes an atom writes in binary protocols (`LONG1` of an `Int`: 11).
    static let atomRoom = 16

    var depth = 0
    /// Whether frames are being written: during a dump at protocol 4 or later.
    var framing = false
    /// Where the 9-byte header of the open frame starts in the output.
    var frameStart = 0

    /// CPython's target frame size: a frame is closed at the first value boundary past 64 KiB, and a
    /// `str` or `bytes` of 64 KiB or more is written outside any frame.
    static let frameSizeTarget = 64 * 1024
    static let frameHeaderSize = 9
    /// The output buffer's size to begin with.
    static let initialCapacity = 1024
    /// The largest output buffer kept once its output is taken (see ``removeOutput()``).
    static let retainedCapacity = 1 << 20
    static let frameSizeMinimum = 4
    /// The number of items per `APPENDS`, `SETITEMS` or `ADDITEMS`, as in CPython.
    static let batchSize = 1000

    deinit {
        if ownsBase { MallocBuffer.free(base) }
    }

    /// Memory the caller lends a writer of one small dump: its first output buffer and the first slots and
    /// keys of its memo, in one block, so that a dump that fits allocates that block and its result (two
    /// `malloc`s and `free`s fewer, of blocks too large for glibc's per-thread cache). At about 5 KiB it is
    /// more than `withUnsafeTemporaryAllocation` keeps on the stack (1 KiB), so callers take it from
    /// ``MallocBuffer``.
    enum Scratch {
        static let outputBytes = initialCapacity
        static let slotCount = PicklerMemo.keyedInitialCapacity
        static let arenaBytes = KeyedMemoTable.initialArenaCapacity
        /// The bytes to lend to ``PickleWriter/init(validated:singleDump:scratch:)``.
        static var byteCount: Int { outputBytes + slotCount * KeyedMemoTable.Scratch.slotSize + arenaBytes }

        /// A block of ``byteCount`` bytes from ``MallocBuffer`` (aligned for any of its uses); free it with
        /// ``free(_:)`` once the writer it was lent to is done.
        static func allocate() -> UnsafeMutableRawBufferPointer {
            UnsafeMutableRawBufferPointer(start: MallocBuffer.allocate(byteCount: byteCount), count: byteCount)
        }

        /// Frees a block from ``allocate()``.
        static func free(_ scratch: UnsafeMutableRawBufferPointer) {
            if let start = scratch.baseAddress { MallocBuffer.free(start) }
        }
        /// The alignment the scratch memory needs.
        static let alignment = 16
    }

    /// Checks the options, as CPython's `Pickler.__init__` does.
    static func validate(_ options: PicklerOptions) throws(PickleError) {
        guard (0...PicklerOptions.highestProtocol).contains(options.protocolVersion) else {
            throw PickleError(
                .unsupportedProtocol,
                "pickle protocol must be 0 to \(PicklerOptions.highestProtocol), not \(options.protocolVersion)")
        }
        if options.sendOutOfBand != nil, options.protocolVersion < 5 {
            throw PickleError(
                .unsupportedProtocol, "out-of-band buffers need protocol 5, not \(options.protocolVersion)")
        }
    }

    /// Creates a writer for options that passed ``validate(_:)``.
    ///
    /// - Parameters:
    ///   - options: The options.
    ///   - singleDump: Whether the writer serves one dump and is then discarded, as in
    ///     ``Pickler/dumps(_:options:)``: without hooks, which could change the value while it is
    ///     written, the memo then need not keep the value's objects alive.
    ///   - scratch: ``Scratch/byteCount`` bytes aligned to ``Scratch/alignment``, which must outlive
    ///     the writer, for its first output buffer and memo tables; `nil` to allocate them.
    init(validated options: PicklerOptions, singleDump: Bool = false, scratch: UnsafeMutableRawBufferPointer? = nil) {
        let hooks = options.persistentID != nil || options.sendOutOfBand != nil
        capacity = Self.initialCapacity
        if let scratch, let start = scratch.baseAddress, scratch.count >= Scratch.byteCount {
            base = start.bindMemory(to: UInt8.self, capacity: Scratch.outputBytes)
            ownsBase = false
            let slots = start + Scratch.outputBytes
            let arena = slots + Scratch.slotCount * KeyedMemoTable.Scratch.slotSize
            memo = PicklerMemo(
                retainingObjects: !singleDump || hooks,
                scratch: KeyedMemoTable.Scratch(
                    slots: slots, slotCount: Scratch.slotCount, arena: arena, arenaCapacity: Scratch.arenaBytes))
        } else {
            base = MallocBuffer.allocate(UInt8.self, capacity: capacity)
            memo = PicklerMemo(retainingObjects: !singleDump || hooks)
        }
        defersLargeData = singleDump
        proto = options.protocolVersion
        fixImports = options.fixPython2Imports && options.protocolVersion < 3
        maxDepth = options.maxDepth
        persistentIDHook = options.persistentID
        outOfBandHook = options.sendOutOfBand
        plainAtoms = options.persistentID == nil
        readsInPlace = !hooks
    }

    /// Appends one pickle; on failure, restores the output and clears the memo.
    ///
    /// The engine throws untyped errors internally, all of them ``PickleError``s: a typed `throws`
    /// makes Swift copy every value passed to a throwing call, which costs a reference count
    /// operation per container item.
    mutating func dump(_ value: PickleValue) throws(PickleError) {
        let outputStart = written
        let buffersStart = outOfBandBuffers.count
        do {
            if proto >= 2 { put(Opcode.proto.rawValue, UInt8(truncatingIfNeeded: proto)) }
            if proto >= 4 {
                framing = true
                openFrame()
            }
            try save(value)
            put(Opcode.stop.rawValue)
            if framing {
                commitFrame()
                framing = false
            }
        } catch {
            written = outputStart
            deferredData.removeAll { $0.offset >= outputStart }
            outOfBandBuffers.removeSubrange(buffersStart...)
            memo.removeAll()
            framing = false
            depth = 0
            throw error as? PickleError ?? PickleError(.unpicklable, "\(error)")
        }
    }

    /// A copy of the output, with any ``deferredData`` in its place.
    var output: [UInt8] {
        guard !deferredData.isEmpty else { return Array(UnsafeBufferPointer(start: base, count: written)) }
        let total = deferredData.reduce(written) { $0 + $1.bytes.count }
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            guard var target = buffer.baseAddress else { return }
            var copied = 0
            for (offset, bytes) in deferredData {
                target.update(from: base + copied, count: offset - copied)
                target += offset - copied
                bytes.withUnsafeBufferPointer { payload in
                    if let source = payload.baseAddress { target.update(from: source, count: payload.count) }
                }
                target += bytes.count
                copied = offset
            }
            target.update(from: base + copied, count: written - copied)
            initialized = total
        }
    }

    /// Leaves `bytes` out of the buffer, to be copied into ``output`` at the current position: a large payload
    /// of a single dump, which would otherwise be copied twice (into the buffer, then out of it). Returns
    /// whether it did; `false` means the caller writes the bytes itself.
    mutating func deferData(_ bytes: [UInt8]) -> Bool {
        guard defersLargeData, bytes.count >= Self.deferredDataMinimum else { return false }
        deferredData.append((written, bytes))
        return true
    }

    /// Empties the output. A buffer grown past ``retainedCapacity`` for a large value is given back: a
    /// pickler can live as long as the shelf that owns it, and one 50 MB value should not cost 50 MB until then.
    @inline(__always)
    mutating func removeOutput() {
        written = 0
        if !deferredData.isEmpty || capacity > Self.retainedCapacity { releaseLargeOutput() }
    }

    /// The rest of ``removeOutput()``, for a dump that deferred data or grew the buffer past
    /// ``retainedCapacity``.
    @inline(never)
    private mutating func releaseLargeOutput() {
        deferredData = []
        if capacity > Self.retainedCapacity {
            if ownsBase { MallocBuffer.free(base) }
            capacity = Self.initialCapacity
            base = MallocBuffer.allocate(UInt8.self, capacity: capacity)
            ownsBase = true
            fastLimit = 0  // the next frame boundary recomputes it for the new buffer
        }
    }
}

// MARK: - Streaming (PickleEncoder)

extension PickleWriter {
    /// Starts one pickle written piece by piece by a caller (the streaming ``PickleEncoder``): what
    /// ``dump(_:)`` writes before the value. Only for a writer of one dump.
    mutating func beginStreamedDump() {
        if proto >= 2 { put(Opcode.proto.rawValue, UInt8(truncatingIfNeeded: proto)) }
        if proto >= 4 {
            framing = true
            openFrame()
        }
    }

    /// Ends the pickle ``beginStreamedDump()`` started: what ``dump(_:)`` writes after the value.
    mutating func endStreamedDump() {
        put(Opcode.stop.rawValue)
        if framing {
            commitFrame()
            framing = false
        }
    }

    /// Inserts `MARK` at `offset`, before bytes already written there: for a container whose number of
    /// items was unknown when its first item was written, once a second item shows that it needs
    /// `MARK` … `SETITEMS` rather than `SETITEM`.
    ///
    /// Returns `false`, writing nothing, when the bytes after `offset` could not simply move: a frame
    /// began or large data was set aside after `offset`, or the frame would have reached its target size
    /// (so that a frame boundary might have fallen elsewhere, had the `MARK` been there from the start).
    mutating func insertMark(at offset: Int) -> Bool {
        guard offset <= written, !framing || frameStart <= offset,
            !framing || written + 1 - frameStart < Self.frameSizeTarget + Self.frameHeaderSize,
            deferredData.last.map({ $0.offset < offset }) ?? true
        else { return false }
        reserve(1)
        let start = base + offset
        // copyMemory is memmove: the regions may overlap.
        UnsafeMutableRawPointer(start + 1).copyMemory(from: start, byteCount: written - offset)
        start.pointee = Opcode.mark.rawValue
        written += 1
        return true
    }
}

// MARK: - Output, frames and the memo

extension PickleWriter {
    /// Makes room for `count` more bytes.
    @inline(__always)
    mutating func reserve(_ count: Int) {
        if capacity - written < count { grow(count) }
    }

    @inline(never)
    private mutating func grow(_ count: Int) {
        // Room for what follows a large value (its PUT, STOP) too, so that it is not copied again.
        let newCapacity = max(capacity * 2, written + count + 4096)
        let newBase = MallocBuffer.allocate(UInt8.self, capacity: newCapacity)
        newBase.initialize(from: base, count: written)
        if ownsBase { MallocBuffer.free(base) }
        base = newBase
        ownsBase = true
        capacity = newCapacity
    }

    @inline(__always)
    mutating func put(_ byte: UInt8) {
        reserve(1)
        base[written] = byte
        written &+= 1
    }

    @inline(__always)
    mutating func put(_ first: UInt8, _ second: UInt8) {
        reserve(2)
        base[written] = first
        base[written &+ 1] = second
        written &+= 2
    }

    @inline(__always)
    mutating func put(contentsOf bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        let count = bytes.count
        reserve(count)
        copyBytes(from: source, to: UnsafeMutableRawPointer(base + written), count: count)
        written &+= count
    }

    @inline(__always)
    mutating func put(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBytes { put(contentsOf: $0) }
    }

    mutating func put(contentsOf bytes: some Sequence<UInt8>) {
        for byte in bytes { put(byte) }
    }

    @inline(__always)
    mutating func write(_ opcode: Opcode) {
        put(opcode.rawValue)
    }

    @inline(__always)
    mutating func write(_ opcode: Opcode, _ byte: UInt8) {
        put(opcode.rawValue, byte)
    }

    @inline(__always)
    mutating func writeLittleEndian(_ value: UInt16) {
        put(UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8))
    }

    @inline(__always)
    mutating func writeLittleEndian(_ value: UInt32) {
        reserve(4)
        UnsafeMutableRawPointer(base + written).storeBytes(of: value.littleEndian, as: UInt32.self)
        written &+= 4
    }

    @inline(__always)
    mutating func writeLittleEndian(_ value: UInt64) {
        reserve(8)
        UnsafeMutableRawPointer(base + written).storeBytes(of: value.littleEndian, as: UInt64.self)
        written &+= 8
    }

    /// Writes `value` in decimal ASCII digits.
    mutating func writeDecimal(_ value: Int) {
        if value < 0 { put(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for the 20 digits of a UInt64
        withUnsafeMutableBytes(of: &digits) { buffer in
            var position = buffer.count
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            put(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[position...]))
        }
    }

    /// Starts a frame: a placeholder for its header, filled in by ``commitFrame()``.
    @inline(__always)
    mutating func openFrame() {
        frameStart = written
        // Room for the header and for the first atom, so that the first object needs no boundary call.
        reserve(Self.frameHeaderSize + 2 * Self.atomRoom)
        written += Self.frameHeaderSize
        fastLimit = min(capacity - Self.atomRoom, frameStart + Self.frameHeaderSize + Self.frameSizeTarget)
    }

    /// Ends the open frame: writes its `FRAME` header, or removes the header when the frame holds
    /// fewer than 4 bytes, as CPython does.
    @inline(__always)
    mutating func commitFrame() {
        let length = written - frameStart - Self.frameHeaderSize
        if length >= Self.frameSizeMinimum {
            base[frameStart] = Opcode.frame.rawValue
            UnsafeMutableRawPointer(base + frameStart + 1).storeBytes(of: UInt64(length).littleEndian, as: UInt64.self)
        } else {
            let frameData = base + frameStart + Self.frameHeaderSize
            (base + frameStart).update(from: frameData, count: length)
            written -= Self.frameHeaderSize
        }
    }

    /// CPython's check at the start of saving each object: a frame that reached the target size is
    /// closed, and the next one opens. Also makes room for an atom.
    @inline(__always)
    mutating func frameBoundary() {
        if written >= fastLimit { boundary() }
    }

    @inline(never)
    private mutating func boundary() {
        if framing, written - frameStart >= Self.frameSizeTarget + Self.frameHeaderSize {
            commitFrame()
            openFrame()
        }
        reserve(2 * Self.atomRoom)
        let frameLimit = framing ? frameStart + Self.frameHeaderSize + Self.frameSizeTarget : Int.max
        fastLimit = min(capacity - Self.atomRoom, frameLimit)
    }

    /// Writes one byte where ``frameBoundary()`` made room.
    @inline(__always)
    mutating func putUnchecked(_ byte: UInt8) {
        base[written] = byte
        written &+= 1
    }

    /// Before the header and `count` bytes of data: data of 64 KiB or more goes outside any frame, as
    /// CPython's `_Pickler_write_bytes` writes it. Returns whether ``endData(reopeningFrame:)`` must
    /// open a new frame.
    @inline(__always)
    mutating func beginData(count: Int) -> Bool {
        guard framing, count >= Self.frameSizeTarget else { return false }
        commitFrame()
        return true
    }

    @inline(__always)
    mutating func endData(reopeningFrame: Bool) {
        if reopeningFrame { openFrame() }
    }

    /// Writes a memo reference.
    @inline(__always)
    mutating func writeGet(_ index: Int) throws {
        if proto == 0 {
            put(Opcode.get.rawValue)
            writeDecimal(index)
            put(UInt8(ascii: "\n"))
        } else if index < 256 {
            write(.binget, UInt8(truncatingIfNeeded: index))
        } else if index <= Int(UInt32.max) {
            write(.longBinget)
            writeLittleEndian(UInt32(truncatingIfNeeded: index))
        } else {
            throw PickleError(.limitExceeded, "memo index \(index) is too large for LONG_BINGET")
        }
    }

    /// Writes the opcode that stores the top of the stack under memo index `index`.
    @inline(__always)
    mutating func writePut(_ index: Int) throws {
        if proto >= 4 {
            write(.memoize)
        } else if proto == 0 {
            put(Opcode.put.rawValue)
            writeDecimal(index)
            put(UInt8(ascii: "\n"))
        } else if index < 256 {
            write(.binput, UInt8(truncatingIfNeeded: index))
        } else if index <= Int(UInt32.max) {
            write(.longBinput)
            writeLittleEndian(UInt32(truncatingIfNeeded: index))
        } else {
            throw PickleError(.limitExceeded, "memo index \(index) is too large for LONG_BINPUT")
        }
    }

    /// Memoizes a value that no later lookup can find: one CPython creates afresh while pickling.
    mutating func memoizeAnonymous() throws {
        try writePut(memo.allocate())
    }

    /// Memoizes a reference object by identity.
    mutating func memoize(reference object: AnyObject) throws {
        try writePut(memo.insert(reference: object))
    }

    /// Writes a memo reference to `object` if it is in the memo.
    @inline(__always)
    mutating func writeGetIfMemoized(_ object: AnyObject) throws -> Bool {
        guard let index = memo.index(of: object) else { return false }
        try writeGet(index)
        return true
    }

    /// Counts one more level of nesting.
    @inline(__always)
    mutating func enterNesting() throws {
        depth += 1
        if depth > maxDepth {
            throw PickleError(.limitExceeded, "value nested deeper than the limit of \(maxDepth)")
        }
    }
}

// MARK: - Dispatch

extension PickleWriter {
    /// Saves one value, as CPython's `save()`: frame boundary, persistent ID, then the value.
    @inline(__always)
    mutating func save(_ value: PickleValue) throws {
        frameBoundary()
        guard plainAtoms else {
            try saveOther(value)
            return
        }
        switch value {
        case .none:
            putUnchecked(Opcode.noneValue.rawValue)
        case .int(let integer):
            saveAtom(integer)
        case .bool(let flag):
            saveAtom(flag)
        case .float(let double):
            saveAtom(double)
        case .string(let string):
            try saveString(string)
        default:
            try saveValue(value)
        }
    }

    /// Saves `items[position]`, as ``save(_:)``, switching on the element in place: the atoms and
    /// strings are written without copying the value, which matters in the loops over container
    /// items.
    @inline(__always)
    mutating func save(_ items: UnsafeBufferPointer<PickleValue>, _ position: Int) throws {
        frameBoundary()
        guard plainAtoms else {
            try saveOther(items[position])
            return
        }
        // The calls come after the switch: a call inside it would keep the switched-on element alive
        // across the call, which Swift does by retaining its payload.
        var deferred = DeferredKind.other
        switch items[position] {
        case .none:
            putUnchecked(Opcode.noneValue.rawValue)
            return
        case .int(let integer):
            saveAtom(integer)
            return
        case .bool(let flag):
            saveAtom(flag)
            return
        case .float(let double):
            saveAtom(double)
            return
        case .string:
            deferred = .string
        case .list:
            deferred = .list
        case .dict:
            deferred = .dict
        default:
            break
        }
        switch deferred {
        case .string: try saveString(items, position)
        case .list: try saveList(items, position)
        case .dict: try saveDict(items, position)
        case .other: try saveValue(items[position])
        }
    }

    /// Saves `items[start..<end]` in order, as ``save(_:_:)`` saves each: runs of atoms through
    /// ``writeAtoms(_:from:to:)``, the other items one by one.
    @inline(__always)
    mutating func saveItems(_ items: UnsafeBufferPointer<PickleValue>, from start: Int, to end: Int) throws {
        var position = start
        while position < end {
            position = writeAtoms(items, from: position, to: end)
            guard position < end else { return }
            try save(items, position)
            position += 1
        }
    }

    /// Writes the items from `start` up to `end` that are atoms (`int`s of up to 32 bits, `None`, `bool`s,
    /// `float`s), as ``save(_:_:)`` would, stopping at the first other item or where ``frameBoundary()``
    /// would do more than compare; returns the position of the first item not written.
    ///
    /// The output position stays in a local for the whole run: in the general loop, which calls out of line
    /// for containers and strings, every atom reads and writes the writer's fields in memory (about 50
    /// instructions per `int` in a list, against about 12 here).
    @inline(__always)
    mutating func writeAtoms(_ items: UnsafeBufferPointer<PickleValue>, from start: Int, to end: Int) -> Int {
        guard plainAtoms, proto >= 2 else { return start }
        let base = self.base
        let limit = fastLimit
        var out = written
        var position = start
        // (Tested case by case rather than with one `switch`, which copies the element, retaining a
        // container's payload, before it looks at the case.)
        while position < end, out < limit {
            if case .int(let integer) = items[position] {
                if UInt(bitPattern: integer) <= 0xFF {
                    base[out] = Opcode.binint1.rawValue
                    base[out &+ 1] = UInt8(truncatingIfNeeded: integer)
                    out &+= 2
                } else if UInt(bitPattern: integer) <= 0xFFFF {
                    base[out] = Opcode.binint2.rawValue
                    UnsafeMutableRawPointer(base + (out &+ 1)).storeBytes(
                        of: UInt16(truncatingIfNeeded: integer).littleEndian, as: UInt16.self)
                    out &+= 3
                } else if integer >= Int(Int32.min), integer <= Int(Int32.max) {
                    base[out] = Opcode.binint.rawValue
                    UnsafeMutableRawPointer(base + (out &+ 1)).storeBytes(
                        of: UInt32(truncatingIfNeeded: integer).littleEndian, as: UInt32.self)
                    out &+= 5
                } else {
                    break
                }
            } else if case .none = items[position] {
                base[out] = Opcode.noneValue.rawValue
                out &+= 1
            } else if case .bool(let flag) = items[position] {
                base[out] = flag ? Opcode.newtrue.rawValue : Opcode.newfalse.rawValue
                out &+= 1
            } else if case .float(let double) = items[position] {
                base[out] = Opcode.binfloat.rawValue
                UnsafeMutableRawPointer(base + (out &+ 1)).storeBytes(
                    of: double.bitPattern.bigEndian, as: UInt64.self)
                out &+= 9
            } else {
                break
            }
            position &+= 1
        }
        written = out
        return position
    }

    /// What ``save(_:_:)`` does after its switch.
    private enum DeferredKind {
        case string, list, dict, other
    }

    /// Saves the `str` at `items[position]`.
    ///
    /// Written so that no `String` is held across a call: the memo is looked up and the UTF-8 copied
    /// into the output straight from the array's element. Holding one would make Swift retain and
    /// release it, atomically, two or three times per string.
    @inline(never)
    mutating func saveString(_ items: UnsafeBufferPointer<PickleValue>, _ position: Int) throws {
        guard case .string(let probe) = items[position] else { return }
        guard proto >= 1, let count = probe.utf8.withContiguousStorageIfAvailable({ $0.count }),
            count < Self.frameSizeTarget
        else {
            // Protocol 0, text of 64 KiB or more, or a string that is not stored as contiguous UTF-8.
            if case .string(let string) = items[position] { try saveString(string) }
            return
        }
        reserveShortText(count)
        // From here to the end of the closure, no call that Swift cannot see through: it would retain
        // the string across it.
        guard case .string(let string) = items[position] else { return }
        // Look up, and on a miss write the header and the text and memoize the text, all from the
        // string's own storage (copying from the bytes just written would stall on store forwarding).
        try memoizeShortText(string.utf8.withContiguousStorageIfAvailable { writeShortText(UnsafeRawBufferPointer($0)) })
    }

    /// ``save(_:)`` of a `str` held as a `String` (the streaming encoder's keys and values): the same
    /// bytes, by the fast path of ``saveString(_:_:)`` where it applies.
    mutating func saveStringValue(_ string: String) throws {
        frameBoundary()
        guard plainAtoms else {
            try saveOther(.string(string))
            return
        }
        guard proto >= 1, let count = string.utf8.withContiguousStorageIfAvailable({ $0.count }),
            count < Self.frameSizeTarget
        else {
            try saveString(string)
            return
        }
        reserveShortText(count)
        try memoizeShortText(string.utf8.withContiguousStorageIfAvailable { writeShortText(UnsafeRawBufferPointer($0)) })
    }

    /// Makes room in the output and the memo for a `str` of `count` UTF-8 bytes, for ``writeShortText(_:)``.
    @inline(__always)
    private mutating func reserveShortText(_ count: Int) {
        reserve(count + 16)
        memo.keyed.reserve(keyBytes: count)
    }

    /// After ``writeShortText(_:)``: `PUT` for a `str` just written, `GET` for one found in the memo.
    @inline(__always)
    private mutating func memoizeShortText(_ outcome: (index: Int, isNew: Bool)?) throws {
        guard let outcome else { return }
        if outcome.isNew {
            try writePut(outcome.index)
        } else {
            try writeGet(outcome.index)
        }
    }

    /// The memo's index of the `str` whose UTF-8 is `text`, shorter than a frame, or else writes it and
    /// memoizes it; for a caller that reserved room for it in the output and the memo. Makes no call
    /// Swift cannot see through, so that the caller's string is not retained across it.
    @inline(__always)
    private mutating func writeShortText(_ text: UnsafeRawBufferPointer) -> (index: Int, isNew: Bool) {
        let count = text.count
        let (found, hash) = memo.keyed.find(.string, text)
        if let found { return (found, false) }
        if count <= 0xFF, proto >= 4 {
            putUnchecked(Opcode.shortBinunicode.rawValue)
            putUnchecked(UInt8(truncatingIfNeeded: count))
        } else {
            putUnchecked(Opcode.binunicode.rawValue)
            UnsafeMutableRawPointer(base + written).storeBytes(of: UInt32(count).littleEndian, as: UInt32.self)
            written &+= 4
        }
        if let source = text.baseAddress {
            copyBytes(from: source, to: UnsafeMutableRawPointer(base + written), count: count)
        }
        written &+= count
        let index = memo.allocate()
        memo.keyed.insertReserved(.string, text, hash: hash, index: index)
        return (index, true)
    }

    /// Writes an `int` right after ``frameBoundary()``, which made room for it.
    @inline(__always)
    mutating func saveAtom(_ integer: Int) {
        if proto >= 1, UInt(bitPattern: integer) <= 0xFF {
            putUnchecked(Opcode.binint1.rawValue)
            putUnchecked(UInt8(truncatingIfNeeded: integer))
        } else {
            saveLargerAtom(integer)
        }
    }

    /// Writes an `int` beyond 0...255 right after ``frameBoundary()``.
    @inline(never)
    mutating func saveLargerAtom(_ integer: Int) {
        guard proto >= 1, integer >= Int(Int32.min), integer <= Int(Int32.max) else {
            saveInt(integer)
            return
        }
        if UInt(bitPattern: integer) <= 0xFFFF {
            putUnchecked(Opcode.binint2.rawValue)
            UnsafeMutableRawPointer(base + written).storeBytes(
                of: UInt16(truncatingIfNeeded: integer).littleEndian, as: UInt16.self)
            written &+= 2
        } else {
            putUnchecked(Opcode.binint.rawValue)
            UnsafeMutableRawPointer(base + written).storeBytes(
                of: UInt32(truncatingIfNeeded: integer).littleEndian, as: UInt32.self)
            written &+= 4
        }
    }

    /// Writes a `bool` right after ``frameBoundary()``.
    @inline(__always)
    mutating func saveAtom(_ flag: Bool) {
        if proto >= 2 {
            putUnchecked(flag ? Opcode.newtrue.rawValue : Opcode.newfalse.rawValue)
        } else {
            saveBool(flag)
        }
    }

    /// Writes a `float` right after ``frameBoundary()``.
    @inline(__always)
    mutating func saveAtom(_ double: Double) {
        if proto >= 1 {
            putUnchecked(Opcode.binfloat.rawValue)
            UnsafeMutableRawPointer(base + written).storeBytes(of: double.bitPattern.bigEndian, as: UInt64.self)
            written &+= 8
        } else {
            saveFloat(double)
        }
    }

    /// Saves a value that is not an atom, or any value when the persistent-ID hook is set.
    @inline(never)
    mutating func saveOther(_ value: PickleValue) throws {
        if let persistentIDHook, let pid = persistentIDHook(value) {
            try savePersistentID(pid)
            return
        }
        try saveValue(value)
    }

    /// Starts saving a value the pickler makes up itself (a global, an argument tuple...): the frame
    /// boundary and the persistent-ID hook apply to it as in CPython, which saves such values with
    /// `save()` too. Returns `true` when the hook replaced the value with a persistent ID.
    @inline(__always)
    mutating func beginSynthetic(_ value: () -> PickleValue) throws -> Bool {
        frameBoundary()
        guard let persistentIDHook, let pid = persistentIDHook(value()) else { return false }
        try savePersistentID(pid)
        return true
    }

    /// Saves a value without the persistent-ID hook.
    @inline(never)
    mutating func saveValue(_ value: PickleValue) throws {
        switch value {
        case .none:
            write(.noneValue)
        case .bool(let flag):
            saveBool(flag)
        case .int(let integer):
            saveInt(integer)
        case .string(let string):
            try saveString(string)
        case .list(let list):
            try saveList(list)
        case .dict(let dict):
            try saveDict(dict)
        case .float(let double):
            saveFloat(double)
        case .tuple(let elements):
            try saveTuple(elements)
        case .bigInt(let big):
            try saveBigInt(big)
        case .bytes(let bytes):
            try saveBytes(bytes)
        case .object(let object):
            try saveObject(object)
        case .global(let global):
            try saveGlobal(global)
        case .set(let set):
            try saveSet(set)
        case .frozenset(let set):
            try saveFrozenSet(set)
        case .bytearray(let array):
            try saveByteArray(array)
        case .complex(let real, let imaginary):
            try saveComplex(real: real, imaginary: imaginary)
        case .surrogateString(let string):
            try saveSurrogateString(string)
        }
    }

    /// Writes a persistent ID instead of an object.
    mutating func savePersistentID(_ pid: PickleValue) throws {
        if proto >= 1 {
            frameBoundary()
            try saveValue(pid)
            write(.binpersid)
            return
        }
        guard case .string(let text) = pid, text.utf8.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\n") }) else {
            throw PickleError(
                .unpicklable, "persistent IDs in protocol 0 must be ASCII strings without a newline")
        }
        write(.persid)
        put(contentsOf: text.utf8)
        put(UInt8(ascii: "\n"))
    }

    /// The number of words of a composite key of `elements`, at most.
    static func keyBound(_ elements: [PickleValue]) -> Int {
        var bound = 1
        for element in elements {
            if case .bigInt(let big) = element {
                bound += 2 + big.magnitude.count
            } else {
                bound += 2
            }
        }
        return bound
    }

    /// Builds the memo key of a tuple or frozenset into `key`: the identity of each element, then the
    /// kind. Returns `false` when an element is not in the memo (then neither is the tuple).
    func buildKey(_ kind: PicklerMemo.CompositeKind, _ elements: [PickleValue], into key: inout KeyWords) -> Bool {
        for element in elements {
            guard appendIdentity(of: element, to: &key) else { return false }
        }
        key.append(kind.rawValue)
        return true
    }

    /// The memo index of a tuple or frozenset, if it is in the memo.
    func compositeIndex(_ kind: PicklerMemo.CompositeKind, _ elements: [PickleValue]) -> Int? {
        if kind.hasStorageIdentity, let index = memo.index(ofComposite: elements) { return index }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.keyBound(elements)) { buffer in
            var key = KeyWords(buffer)
            guard buildKey(kind, elements, into: &key) else { return nil }
            return memo.keyed.find(.composite, key.bytes).index
        }
    }

    /// The result of ``memoizeComposite(_:_:)``.
    enum CompositeMemo {
        /// The tuple or frozenset was already in the memo, under this index: it is recursive.
        case found(Int)
        /// It now has this memo index, for the PUT that follows it.
        case new(Int)
    }

    /// After a tuple's or frozenset's elements are written: finds it in the memo (it reached itself
    /// through its elements), or gives it a memo index, findable when its elements are unless `keeping`
    /// is `false` (nothing will look for it again).
    ///
    /// - Parameter since: For a value that was not in the memo before its elements were written (the
    ///   root of a one-value dump), ``PicklerMemo/compositeKeyCount`` then: when writing the elements
    ///   gave no tuple or frozenset a key, nothing can be found, and an index not kept needs no key.
    mutating func memoizeComposite(
        _ kind: PicklerMemo.CompositeKind, _ elements: [PickleValue], keeping: Bool = true, since: Int? = nil
    ) -> CompositeMemo {
        if !keeping, let since, memo.compositeKeyCount == since { return .new(memo.allocate()) }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.keyBound(elements)) { buffer in
            var key = KeyWords(buffer)
            guard buildKey(kind, elements, into: &key) else { return .new(memo.allocate()) }
            let (found, hash) = memo.keyed.find(.composite, key.bytes)
            if let found {
                if kind.hasStorageIdentity { memo.insert(composite: elements, index: found) }
                return .found(found)
            }
            let index = memo.allocate()
            guard keeping else { return .new(index) }
            memo.keyed.insert(.composite, key.bytes, hash: hash, index: index)
            if kind.hasStorageIdentity {
                memo.compositeKeyCount &+= 1
                memo.insert(composite: elements, index: index)
            }
            return .new(index)
        }
    }

    /// Appends to `key` what makes `value` the same Python object as another: the type and bits of an
    /// atom (`1`, `True` and `1.0` are different objects), else the memo index. Returns `false` when
    /// `value` is not in the memo.
    func appendIdentity(of value: PickleValue, to key: inout KeyWords) -> Bool {
        switch value {
        case .none:
            key.append(0)
        case .bool(let flag):
            key.append(1)
            key.append(flag ? 1 : 0)
        case .int(let integer):
            key.append(2)
            key.append(UInt64(bitPattern: Int64(integer)))
        case .bigInt(let big):
            if let small = Int(exactly: big) {
                key.append(2)
                key.append(UInt64(bitPattern: Int64(small)))
            } else {
                key.append(3)
                key.append(UInt64(big.magnitude.count) << 1 | (big.isNegative ? 1 : 0))
                for limb in big.magnitude { key.append(limb) }
            }
        case .float(let double):
            key.append(4)
            key.append(double.bitPattern)
        case .tuple(let elements) where elements.isEmpty:
            // The empty tuple is a singleton that is never memoized.
            key.append(5)
        default:
            guard let index = memoIndex(of: value) else { return false }
            key.append(6)
            key.append(UInt64(index))
        }
        return true
    }

    /// The memo index of `value`, if it is in the memo; `nil` for atoms, which never are.
    func memoIndex(of value: PickleValue) -> Int? {
        switch value {
        case .none, .bool, .int, .bigInt, .float:
            return nil
        case .string(let string):
            return memo.index(of: string)
        case .surrogateString(let string):
            return memo.keyed.find(.surrogateString, string.surrogatePassUTF8).index
        case .bytes(let bytes):
            return memo.keyed.find(.bytes, bytes).index
        case .tuple(let elements):
            return compositeIndex(.tuple, elements)
        case .frozenset(let set):
            return compositeIndex(.frozenset, set.elements)
        case .global(let global):
            return Self.withGlobalKey(global) { memo.keyed.find(.global, $0).index }
        case .complex(let real, let imaginary):
            return withUnsafeBytes(of: Self.complexKey(real: real, imaginary: imaginary)) {
                memo.keyed.find(.composite, $0).index
            }
        case .list(let list):
            return memo.index(of: list)
        case .dict(let dict):
            return memo.index(of: dict)
        case .set(let set):
            return memo.index(of: set)
        case .bytearray(let array):
            return memo.index(of: array)
        case .object(let object):
            return memo.index(of: object)
        }
    }

    /// Calls `body` with the memo key of a global, `module + "\n" + name` (unambiguous as no valid name
    /// has a newline), built on the stack unless it is long.
    static func withGlobalKey<R>(_ global: PickleGlobal, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUTF8(global.module) { module in
            try withUTF8(global.name) { name in
                let count = module.count + 1 + name.count
                guard count <= globalKeyStackBytes else {
                    return try Array(module + [UInt8(ascii: "\n")] + name).withUnsafeBytes(body)
                }
                return try withUnsafeTemporaryAllocation(byteCount: globalKeyStackBytes, alignment: 8) { buffer in
                    let start = buffer.baseAddress.unsafelyUnwrapped
                    if module.count > 0 { start.copyMemory(from: module.baseAddress.unsafelyUnwrapped, byteCount: module.count) }
                    start.storeBytes(of: UInt8(ascii: "\n"), toByteOffset: module.count, as: UInt8.self)
                    if name.count > 0 {
                        (start + module.count + 1).copyMemory(from: name.baseAddress.unsafelyUnwrapped, byteCount: name.count)
                    }
                    return try body(UnsafeRawBufferPointer(start: start, count: count))
                }
            }
        }
    }

    /// The longest global key built on the stack.
    private static let globalKeyStackBytes = 256

    /// Calls `body` with the UTF-8 of `string`, in place for a native string.
    @inline(__always)
    static func withUTF8<R>(_ string: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let result = try string.utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return try Array(string.utf8).withUnsafeBytes(body)
    }

    /// The memo key of a complex number: its bits.
    static func complexKey(real: Double, imaginary: Double) -> (UInt64, UInt64, UInt64) {
        (real.bitPattern, imaginary.bitPattern, PicklerMemo.CompositeKind.complex.rawValue)
    }
}

/// Copies `count` bytes; copies of up to 32 bytes, the usual case for names and numbers, without
/// calling memcpy.
@inline(__always)
func copyBytes(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, count: Int) {
    if count >= 8, count <= 32 {
        // Whole words, then the last word, which may overlap the one before.
        var offset = 0
        while offset + 8 < count {
            destination.storeBytes(
                of: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset,
                as: UInt64.self)
            offset += 8
        }
        destination.storeBytes(
            of: source.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self), toByteOffset: count - 8,
            as: UInt64.self)
    } else if count >= 4, count < 8 {
        destination.storeBytes(of: source.loadUnaligned(as: UInt32.self), as: UInt32.self)
        destination.storeBytes(
            of: source.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self), toByteOffset: count - 4,
            as: UInt32.self)
    } else if count < 4 {
        for offset in 0..<count {
            destination.storeBytes(
                of: source.load(fromByteOffset: offset, as: UInt8.self), toByteOffset: offset, as: UInt8.self)
        }
    } else {
        destination.copyMemory(from: source, byteCount: count)
    }
}

extension PickleValue {
    /// The object of a reference value (list, dict, set, bytearray, instance), else `nil`.
    var referenceObject: AnyObject? {
        switch self {
        case .list(let list): list
        case .dict(let dict): dict
        case .set(let set): set
        case .bytearray(let array): array
        case .object(let object): object
        default: nil
        }
    }
}

/// The words of a composite memo key, in a buffer the caller provides (on the stack).
struct KeyWords {
    private let buffer: UnsafeMutableBufferPointer<UInt64>
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt64>) { self.buffer = buffer }

    /// Appends a word; the buffer was sized with ``PickleWriter/keyBound(_:)``.
    @inline(__always)
    mutating func append(_ word: UInt64) {
        buffer[count] = word
        count += 1
    }

    /// The key so far, as bytes.
    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buffer.baseAddress, count: count * MemoryLayout<UInt64>.stride)
    }
}
