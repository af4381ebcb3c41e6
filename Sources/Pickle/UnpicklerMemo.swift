/// The unpickler's memo: values stored by `PUT`/`BINPUT`/`LONG_BINPUT`/`MEMOIZE`, fetched by `GET`s.
///
/// Picklers number memo entries 0, 1, 2…, so entries live in a flat array, where an index never
/// stored holds a hole (an entry of depth -1; a `nil` would make every access go through `Optional`'s
/// generic layout code). An index is never used to size an allocation (CVE-2018-20406, CPython
/// gh-115952): the array only grows to about twice the number of entries stored, and an index beyond
/// that goes to a dictionary instead. The memo costs memory in proportion to the `PUT`s in the data,
/// whatever their indices.
struct UnpicklerMemo {
    /// Entries at small indices; a ``UnpicklerStackEntry/hole`` for an index never stored.
    private var dense: [UnpicklerStackEntry] = []
    /// Entries at indices too large for `dense`; `nil` until the first (a load that needs none then frees
    /// nothing for it).
    private var sparse: [Int: UnpicklerStackEntry]? = nil
    /// The number of distinct indices stored, which `MEMOIZE` uses as its index.
    private(set) var count = 0

    /// The entry stored at `index`, if any.
    @inline(__always)
    subscript(index: Int) -> UnpicklerStackEntry? {
        if index >= 0, index < dense.count {
            let entry = dense[index]
            if !entry.isHole { return entry }
        }
        return sparse?[index]
    }

    /// Stores `entry` at `index` (not negative), replacing any entry there.
    @inline(__always)
    mutating func store(_ entry: consuming UnpicklerStackEntry, at index: Int) {
        if index == dense.count, sparse?.isEmpty ?? true {
            // The usual case: the next index, with nothing stored beyond the array.
            if dense.capacity == 0 { dense.reserveCapacity(32) }
            dense.append(consume entry)
            count += 1
        } else {
            storeSlowly(consume entry, at: index)
        }
    }

    private mutating func storeSlowly(_ entry: consuming UnpicklerStackEntry, at index: Int) {
        if index == dense.count {
            dense.append(consume entry)
            if sparse?.removeValue(forKey: index) == nil { count += 1 }
        } else if index < dense.count || index < 2 * count + 64 {
            // Within the array, or a small gap: the array stays within twice the entries plus 64.
            if index >= dense.count {
                dense.append(contentsOf: repeatElement(.hole, count: index + 1 - dense.count))
            }
            if dense[index].isHole, sparse?.removeValue(forKey: index) == nil { count += 1 }
            dense[index] = consume entry
        } else {
            if sparse == nil { sparse = [:] }
            if sparse?.updateValue(consume entry, forKey: index) == nil { count += 1 }
        }
    }

    /// Removes every entry.
    mutating func removeAll() {
        dense.removeAll()
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
