/// The unpickler's value stack: entries in one buffer, moved in and out rather than copied.
///
/// An `Array` would retain each value when an opcode collects the values above a MARK and release
/// it again when they are removed; moving them out of this buffer costs neither.
///
/// The first ``initialCapacity`` entries (1 KiB, the most `withUnsafeTemporaryAllocation` puts on the
/// stack) live in storage the caller lends for the length of the load, on its own stack (see
/// ``UnpicklerMachine/withMachine(_:position:options:_:)``): a pickle whose stack stays that shallow, as
/// most shelf values' do and a batch of up to 30 items does, costs no allocation for it. Deeper stacks
/// move to a buffer from ``MallocBuffer``, doubled as needed.
struct UnpicklerStack: ~Copyable {
    /// The first entry; entries `0..<count` are initialized.
    private(set) var base: UnsafeMutablePointer<UnpicklerStackEntry>
    /// The number of entries.
    private(set) var count = 0
    private var capacity: Int
    /// Whether ``base`` came from `malloc` and is freed here, rather than being the caller's storage.
    private var ownsBase = false

    /// The number of entries in the storage a caller lends to ``init(storage:)``.
    static let initialCapacity = 32
    // (An entry is 32 bytes: 32 entries are the 1 KiB above. Measured: loads TUPLE, whose list of 20
    // ints is 22 entries deep, 5,414 → 5,157 instructions against 16 entries.)

    /// A stack whose first entries go in `storage`, uninitialized memory that must outlive the stack.
    init(storage: UnsafeMutableBufferPointer<UnpicklerStackEntry>) {
        if let start = storage.baseAddress {
            base = start
            capacity = storage.count
        } else {
            // No storage lent: never read or written, as the first push grows the stack.
            base = UnsafeMutablePointer(bitPattern: MemoryLayout<UnpicklerStackEntry>.alignment).unsafelyUnwrapped
            capacity = 0
        }
    }

    deinit {
        // (A successful load leaves the stack empty; deinitializing no entries would still call the runtime.)
        if count > 0 { base.deinitialize(count: count) }
        if ownsBase { MallocBuffer.free(base) }
    }

    @inline(__always)
    mutating func append(_ entry: consuming UnpicklerStackEntry) {
        if count == capacity { grow() }
        (base + count).initialize(to: entry)
        count += 1
    }

    /// Removes and returns the top entry; the caller has checked that there is one.
    @inline(__always)
    mutating func removeLast() -> UnpicklerStackEntry {
        count -= 1
        return (base + count).move()
    }

    /// The entry at `index` (below ``count``).
    @inline(__always)
    subscript(index: Int) -> UnpicklerStackEntry {
        get { base[index] }
        set { base[index] = newValue }
    }

    /// Removes the entries from `start` to the top and returns their values, in order.
    @inline(__always)
    mutating func takeValues(from start: Int) -> [PickleValue] {
        let values = Array(MovedValues(base + start, base + count))
        count = start
        return values
    }

    /// Removes the entries from `start` to the top and appends their values to `array`, in order.
    @inline(__always)
    mutating func moveValues(from start: Int, appendingTo array: inout [PickleValue]) {
        array.append(contentsOf: MovedValues(base + start, base + count))
        count = start
    }

    /// Removes the entries from `start` to the top.
    @inline(__always)
    mutating func removeAll(from start: Int) {
        (base + start).deinitialize(count: count - start)
        count = start
    }

    /// Forgets the entries from `start` to the top, which the caller has moved out.
    @inline(__always)
    mutating func forgetMoved(from start: Int) {
        count = start
    }

    private mutating func grow() {
        // Out of lent storage, four times as much at once: a batch of up to 1000 items (the most a
        // pickler puts between MARK and APPENDS) then takes one block and at most three reallocations.
        let newCapacity = ownsBase ? capacity * 2 : max(capacity * 4, Self.initialCapacity)
        // In place where `malloc` can, with no copy (see MallocBuffer.reallocate).
        base = MallocBuffer.grow(base, count: count, capacity: newCapacity, owned: ownsBase)
        capacity = newCapacity
        ownsBase = true
    }
}

extension PickleDict {
    /// Sets `count` entries from `pairs` (key, value, key, value…), moving them out of the buffer.
    @inline(__always)
    func updateValues(count: Int, movingFrom pairs: UnsafeMutablePointer<UnpicklerStackEntry>) {
        updateValues(count: count) { index in
            let key = (pairs + 2 * index).move().value
            let value = (pairs + 2 * index + 1).move().value
            return (key, value)
        }
    }
}

/// The values of a run of stack entries, each moved out as it is iterated, for `Array.init(_:)` and
/// `append(contentsOf:)`: they reserve room for ``underestimatedCount`` values once and write each straight into
/// it, where `append` checks the array's uniqueness and capacity for every value (a third of loading a list of
/// a million ints). Must be iterated to its end, exactly once; the stack then forgets the entries.
struct MovedValues: Sequence, IteratorProtocol {
    private var position: UnsafeMutablePointer<UnpicklerStackEntry>
    private let end: UnsafeMutablePointer<UnpicklerStackEntry>

    init(_ start: UnsafeMutablePointer<UnpicklerStackEntry>, _ end: UnsafeMutablePointer<UnpicklerStackEntry>) {
        position = start
        self.end = end
    }

    var underestimatedCount: Int { end - position }

    @inline(__always)
    mutating func next() -> PickleValue? {
        guard position < end else { return nil }
        defer { position += 1 }
        return position.move().value
    }
}
