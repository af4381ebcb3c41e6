/// An insertion-ordered array of distinct values with a hash index, under Python's key equality.
///
/// The storage of ``PickleDict``, ``PickleSet`` and ``PickleFrozenSet``. Small collections are
/// searched linearly; the index is built once a collection outgrows ``linearSearchLimit``.
struct HashedKeys {
    static let linearSearchLimit = 8

    private(set) var keys: [PickleValue] = []
    /// Positions by key, once the collection outgrows ``linearSearchLimit``; empty before.
    private var index: [PickleValue: Int] = [:]
    private var indexed = false

    init() {}

    init(minimumCapacity: Int) {
        keys.reserveCapacity(minimumCapacity)
    }

    var count: Int { keys.count }

    func firstIndex(of key: PickleValue) -> Int? {
        if indexed { return index[key] }
        for position in keys.indices where keys[position] == key { return position }
        return nil
    }

    /// Appends `key`, which the caller has checked is not present.
    mutating func appendNew(_ key: PickleValue) {
        keys.append(key)
        if indexed {
            index[key] = keys.count - 1
        } else if keys.count > Self.linearSearchLimit {
            rebuildIndex()
        }
    }

    /// Appends `key` unless an equal key is present; returns the position of the key.
    ///
    /// Once indexed, this hashes the key once: the index takes the new position if the key is
    /// absent, and yields the existing one if not.
    @discardableResult
    mutating func insert(_ key: PickleValue) -> (inserted: Bool, position: Int) {
        let candidate = keys.count
        if indexed {
            let position = Self.read(&index[key, default: candidate])
            guard position == candidate else { return (false, position) }
            keys.append(key)
            return (true, candidate)
        }
        if let existing = firstIndex(of: key) { return (false, existing) }
        appendNew(key)
        return (true, candidate)
    }

    private static func read(_ entry: inout Int) -> Int { entry }

    mutating func remove(at position: Int) {
        keys.remove(at: position)
        if indexed { rebuildIndex() }
    }

    mutating func removeAll() {
        keys.removeAll()
        index = [:]
        indexed = false
    }

    private mutating func rebuildIndex() {
        indexed = true
        // Room for as many keys as the key array has, so a presized collection never regrows it.
        var newIndex = [PickleValue: Int](minimumCapacity: max(keys.capacity, keys.count))
        for (position, key) in keys.enumerated() where newIndex[key] == nil {
            newIndex[key] = position
        }
        index = newIndex
    }
}
