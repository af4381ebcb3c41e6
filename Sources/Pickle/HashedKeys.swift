/// An insertion-ordered array of distinct values with a hash index, under Python's key equality.
///
/// The storage of ``PickleDict``, ``PickleSet`` and ``PickleFrozenSet``. Small collections are
/// searched linearly; the index is built once a collection outgrows ``linearSearchLimit``.
struct HashedKeys {
    static let linearSearchLimit = 8

    private(set) var keys: [PickleValue] = []
    private var index: [PickleValue: Int]?

    init() {}

    init(minimumCapacity: Int) {
        keys.reserveCapacity(minimumCapacity)
    }

    var count: Int { keys.count }

    func firstIndex(of key: PickleValue) -> Int? {
        if let index { return index[key] }
        for position in keys.indices where Self.sameKey(keys[position], key) { return position }
        return nil
    }

    /// Python's key equality, with the common cases (two `int`s, two `str`s) decided inline.
    @inline(__always)
    static func sameKey(_ a: PickleValue, _ b: PickleValue) -> Bool {
        if case .int(let x) = a, case .int(let y) = b { return x == y }
        if case .string(let x) = a, case .string(let y) = b { return sameCodePoints(x, y) }
        return a == b
    }

    /// Makes room for `capacity` keys, building the hash index now when they will need one.
    mutating func reserveCapacity(_ capacity: Int) {
        guard capacity > keys.count else { return }
        keys.reserveCapacity(capacity)
        if index != nil {
            index!.reserveCapacity(capacity)
        } else if capacity > Self.linearSearchLimit {
            rebuildIndex(capacity: capacity)
        }
    }

    /// Appends `key`, which the caller has checked is not present.
    mutating func appendNew(_ key: PickleValue) {
        keys.append(key)
        if index != nil {
            index![key] = keys.count - 1
        } else if keys.count > Self.linearSearchLimit {
            rebuildIndex(capacity: keys.count)
        }
    }

    /// Appends `key` unless an equal key is present; returns the position of the key.
    @discardableResult
    mutating func insert(_ key: PickleValue) -> (inserted: Bool, position: Int) {
        if index != nil {
            // One hash lookup: the default is stored when the key is absent.
            let newPosition = keys.count
            let position = Self.value(of: &index![key, default: newPosition])
            guard position == newPosition else { return (false, position) }
            keys.append(key)
            return (true, newPosition)
        }
        if let existing = firstIndex(of: key) { return (false, existing) }
        appendNew(key)
        return (true, keys.count - 1)
    }

    @inline(__always)
    private static func value(of slot: inout Int) -> Int { slot }

    mutating func remove(at position: Int) {
        keys.remove(at: position)
        if index != nil { rebuildIndex(capacity: keys.count) }
    }

    mutating func removeAll() {
        keys.removeAll()
        index = nil
    }

    private mutating func rebuildIndex(capacity: Int) {
        var newIndex = [PickleValue: Int](minimumCapacity: max(capacity, keys.count))
        for (position, key) in keys.enumerated() where newIndex[key] == nil {
            newIndex[key] = position
        }
        index = newIndex
    }
}
