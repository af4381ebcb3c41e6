/// The unpickler's memo: values stored by `PUT`/`BINPUT`/`LONG_BINPUT`/`MEMOIZE`, fetched by `GET`s.
///
/// Picklers number memo entries 0, 1, 2…, so entries live in a flat array, where an index never
/// stored holds a hole (an entry of depth -1; a `nil` would make every access go through `Optional`'s
/// generic layout code). An index is never used to size an allocation (CVE-2018-20406, CPython
/// gh-115952): the array only grows to about twice the number of entries stored, and an index beyond
/// that goes to a dictionary instead. The memo costs memory in proportion to the `PUT`s in the data,
/// whatever their indices.
///
/// The array starts in storage the caller may lend for the length of a load (on its own stack, see
/// ``UnpicklerMachine/withMachine(_:position:options:_:)``), so that a pickle of a few memo entries stores
/// them without allocating. Beyond that it is a `malloc` block grown with `realloc` rather than a Swift
/// `Array`: a memo of many entries (one per `str` of a list of strings, say) then grows in place, or is
/// moved by the kernel, instead of being copied into a new block at each doubling, whose fresh pages the
/// copy faults in one by one.
struct UnpicklerMemo: ~Copyable {
    /// Entries at small indices, `denseCount` of them initialized; a ``UnpicklerStackEntry/hole`` for an
    /// index never stored. `nil` until the first entry, unless storage was lent.
    private var dense: UnsafeMutablePointer<UnpicklerStackEntry>? = nil
    private var denseCount = 0
    private var denseCapacity = 0
    /// Whether ``dense`` came from `malloc` and is freed here, rather than being the caller's storage.
    private var ownsDense = true
    /// Entries at indices too large for `dense`; `nil` until the first (a load that needs none then frees
    /// nothing for it).
    private var sparse: [Int: UnpicklerStackEntry]? = nil
    /// The number of distinct indices stored, which `MEMOIZE` uses as its index.
    private(set) var count = 0

    /// The number of entries room is made for at the first store.
    static let initialCapacity = 32

    /// The number of entries a block from `malloc` starts with when the memo leaves lent storage: four
    /// times the lent entries, skipping a `realloc` that a pickle a little larger would pay for.
    static let firstBlockCapacity = 128

    init() {}

    /// A memo whose first entries go in `storage`, uninitialized memory that must outlive the memo.
    init(storage: UnsafeMutableBufferPointer<UnpicklerStackEntry>) {
        guard let start = storage.baseAddress, storage.count > 0 else { return }
        dense = start
        denseCapacity = storage.count
        ownsDense = false
    }

    deinit {
        if let dense {
            dense.deinitialize(count: denseCount)
            if ownsDense { MallocBuffer.free(dense) }
        }
    }

    /// The entry stored at `index`, if any.
    @inline(__always)
    subscript(index: Int) -> UnpicklerStackEntry? {
        if index >= 0, index < denseCount, let dense {
            let entry = dense[index]
            if !entry.isHole { return entry }
        }
        return sparse?[index]
    }

    /// Stores `entry` at `index` (not negative), replacing any entry there.
    @inline(__always)
    mutating func store(_ entry: consuming UnpicklerStackEntry, at index: Int) {
        if index == denseCount, denseCount < denseCapacity, sparse?.isEmpty ?? true, let dense {
            // The usual case: the next index, with room for it and nothing stored beyond the array.
            (dense + index).initialize(to: consume entry)
            denseCount += 1
            count += 1
        } else {
            storeSlowly(consume entry, at: index)
        }
    }

    private mutating func storeSlowly(_ entry: consuming UnpicklerStackEntry, at index: Int) {
        if index < denseCount {
            let slot = dense.unsafelyUnwrapped + index
            if slot.pointee.isHole, sparse?.removeValue(forKey: index) == nil { count += 1 }
            slot.pointee = consume entry
        } else if index == denseCount || index < 2 * count + 64 {
            // The next index, or a small gap: the array stays within twice the entries plus 64.
            reserve(index + 1)
            let base = dense.unsafelyUnwrapped
            if index > denseCount {
                (base + denseCount).initialize(repeating: .hole, count: index - denseCount)
            }
            (base + index).initialize(to: consume entry)
            denseCount = index + 1
            if sparse?.removeValue(forKey: index) == nil { count += 1 }
        } else {
            if sparse == nil { sparse = [:] }
            if sparse?.updateValue(consume entry, forKey: index) == nil { count += 1 }
        }
    }

    /// Makes room for `needed` entries in `dense`, at least doubling it.
    private mutating func reserve(_ needed: Int) {
        guard needed > denseCapacity else { return }
        if let dense, !ownsDense {
            let capacity = max(needed, Self.firstBlockCapacity)
            self.dense = MallocBuffer.grow(dense, count: denseCount, capacity: capacity, owned: false)
            ownsDense = true
            denseCapacity = capacity
            return
        }
        let capacity = max(needed, 2 * denseCapacity, Self.initialCapacity)
        if let dense {
            self.dense = MallocBuffer.reallocate(dense, capacity: capacity)
        } else {
            dense = MallocBuffer.allocate(UnpicklerStackEntry.self, capacity: capacity)
        }
        denseCapacity = capacity
    }

    /// Removes every entry.
    mutating func removeAll() {
        if let dense {
            dense.deinitialize(count: denseCount)
            if ownsDense {
                MallocBuffer.free(dense)
                self.dense = nil
                denseCapacity = 0
            }
        }
        denseCount = 0
        sparse = nil
        count = 0
    }
}

/// A value on the unpickler's stack or in its memo, with the nesting depth of an immutable container.
///
/// The depth of a tuple or frozenset is kept here, since those are values without a place to store
/// it; mutable containers keep their own (see ``UnpicklerMachine``). The entry is the size of a
/// ``PickleValue`` stride.
struct UnpicklerStackEntry {
    var value: PickleValue
    var depth: Int32

    @inline(__always)
    init(_ value: PickleValue, depth: Int32 = 0) {
        self.value = value
        self.depth = depth
    }

    /// The memo's mark of an index never stored.
    static var hole: UnpicklerStackEntry { UnpicklerStackEntry(.none, depth: -1) }

    /// Whether this is ``hole``.
    @inline(__always)
    var isHole: Bool { depth < 0 }
}
