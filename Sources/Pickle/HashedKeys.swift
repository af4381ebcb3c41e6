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
        for position in keys.indices where keys[position] == key { return position }
        return nil
    }

    /// Appends `key`, which the caller has checked is not present.
    mutating func appendNew(_ key: PickleValue) {
        keys.append(key)
        if index != nil {
            index![key] = keys.count - 1
        } else if keys.count > Self.linearSearchLimit {
            rebuildIndex()
        }
    }

    /// Appends `key` unless an equal key is present; returns the position of the key.
    @discardableResult
    mutating func insert(_ key: PickleValue) -> (inserted: Bool, position: Int) {
        if let existing = firstIndex(of: key) { return (false, existing) }
        appendNew(key)
        return (true, keys.count - 1)
    }

    mutating func remove(at position: Int) {
        keys.remove(at: position)
        if index != nil { rebuildIndex() }
    }

    mutating func removeAll() {
        keys.removeAll()
        index = nil
    }

    private mutating func rebuildIndex() {
        var newIndex = [PickleValue: Int](minimumCapacity: keys.count)
        for (position, key) in keys.enumerated() where newIndex[key] == nil {
            newIndex[key] = position
        }
        index = newIndex
    }
}
