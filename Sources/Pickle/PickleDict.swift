/// A Python `dict`: a shared, mutable mapping that keeps insertion order.
///
/// Keys use Python's equality (see ``PickleValue``): `1`, `1.0` and `True` are the same key, and
/// `str` keys compare by code points, not by Unicode canonical equivalence as Swift's `String`
/// does. Replacing the value of an existing key keeps the key's position and the original key
/// object, as in Python. Lookups are O(1) on average; removal is O(n).
///
/// ```swift
/// let user: PickleDict = ["name": "Ada", "age": 36]
/// user["age"] = 37
/// user["name"]?.stringValue   // "Ada"
/// for (key, value) in user { print(key, value) }
/// ```
public final class PickleDict: Sequence, ExpressibleByDictionaryLiteral {
    // No dynamic exclusivity checks: they cost more than reading the arrays, on every access by the
    // pickler and unpickler; the class is not Sendable, and static checks still apply.
    @exclusivity(unchecked) private var storage = HashedKeys()
    @exclusivity(unchecked) private var storedValues: [PickleValue] = []
    /// How deeply containers nest in the dict, as the unpickler counts it (see ``UnpicklerOptions/maxDepth``).
    var nestingDepth: Int32 = 1

    /// Creates an empty dict.
    public init() {}

    deinit {
        PickleValue.dismantle(&storedValues)
        if storage.keys.anyMayHoldContainers {
            var keys = storage.keys
            storage.removeAll()
            PickleValue.dismantle(&keys)
        }
    }

    /// Creates a dict from key-value pairs, in order; a later duplicate key replaces the value.
    public init(_ pairs: some Sequence<(PickleValue, PickleValue)>) {
        for (key, value) in pairs { self[key] = value }
    }

    /// Creates a dict from a dictionary literal.
    public convenience init(dictionaryLiteral elements: (PickleValue, PickleValue)...) {
        self.init(elements)
    }

    /// Creates an empty dict with room for `minimumCapacity` entries.
    public init(minimumCapacity: Int) {
        storage = HashedKeys(minimumCapacity: minimumCapacity)
        storedValues.reserveCapacity(minimumCapacity)
    }

    /// The number of entries.
    public var count: Int { storedValues.count }

    /// Makes room for `capacity` entries.
    func reserveCapacity(_ capacity: Int) {
        storage.reserveCapacity(capacity)
        storedValues.reserveCapacity(capacity)
    }

    /// Sets `count` entries, `entry(i)` giving the i-th key and value, as `updateValue` would one by one.
    ///
    /// The storage is worked on outside the object, so that the loop pays for no dynamic
    /// exclusivity check per entry.
    @inline(__always)
    func updateValues(count: Int, _ entry: (Int) -> (key: PickleValue, value: PickleValue)) {
        var keys = HashedKeys()
        var values: [PickleValue] = []
        swap(&keys, &storage)
        swap(&values, &storedValues)
        keys.reserveCapacity(keys.count + count)
        values.reserveCapacity(values.count + count)
        for index in 0..<count {
            let (key, value) = entry(index)
            let (inserted, position) = keys.insert(consume key)
            if inserted {
                values.append(consume value)
            } else {
                values[position] = consume value
            }
        }
        swap(&keys, &storage)
        swap(&values, &storedValues)
    }

    /// Calls `body` with the keys and the values, read in place: for a caller that changes neither the dict
    /// nor anything that could free it meanwhile (the pickler without hooks). Taking the buffers is an
    /// access to the dict's own arrays, which a copy of them (a retain each) would otherwise be; an array is
    /// copied only if another array shares its storage.
    func withStorageInPlace<R>(
        _ body: (UnsafeBufferPointer<PickleValue>, UnsafeBufferPointer<PickleValue>) throws -> R
    ) rethrows -> R {
        try storage.withKeysInPlace { keys in
            try storedValues.withUnsafeMutableBufferPointer { values in try body(keys, UnsafeBufferPointer(values)) }
        }
    }

    /// Moves the keys and values out into `keys` and `values`, leaving the dict empty.
    func takeStorage(keys: inout [PickleValue], values: inout [PickleValue]) {
        var taken = HashedKeys()
        swap(&taken, &storage)
        keys = taken.takeKeys()
        swap(&values, &storedValues)
    }

    /// Whether the dict has no entries.
    public var isEmpty: Bool { storedValues.isEmpty }

    /// The keys, in insertion order.
    public var keys: [PickleValue] { storage.keys }

    /// The values, in insertion order of their keys.
    public var values: [PickleValue] { storedValues }

    /// The value for `key`, or `nil`; setting `nil` removes the entry.
    public subscript(key: PickleValue) -> PickleValue? {
        get {
            guard let position = storage.firstIndex(of: key) else { return nil }
            return storedValues[position]
        }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// The value for a `str` key, or `nil`.
    public subscript(key: String) -> PickleValue? {
        get { self[.string(key)] }
        set { self[.string(key)] = newValue }
    }

    /// Sets the value for `key`, returning the value it replaced, if any.
    @discardableResult
    public func updateValue(_ value: consuming PickleValue, forKey key: consuming PickleValue) -> PickleValue? {
        let (inserted, position) = storage.insert(consume key)
        if inserted {
            storedValues.append(consume value)
            return nil
        }
        let old = storedValues[position]
        storedValues[position] = consume value
        return old
    }

    /// Removes `key` and returns its value, or `nil` when the key is absent.
    @discardableResult
    public func removeValue(forKey key: PickleValue) -> PickleValue? {
        guard let position = storage.firstIndex(of: key) else { return nil }
        storage.remove(at: position)
        return storedValues.remove(at: position)
    }

    /// Removes every entry.
    public func removeAll() {
        storage.removeAll()
        storedValues.removeAll()
    }

    /// Iterates over the entries in insertion order.
    public func makeIterator() -> some IteratorProtocol<(key: PickleValue, value: PickleValue)> {
        zip(storage.keys, storedValues).lazy.map { (key: $0, value: $1) }.makeIterator()
    }
}

/// A Python `set`: a shared, mutable collection of distinct hashable values.
///
/// Elements keep the order in which they were first added (for a loaded set, the order in the
/// pickle, which is the order Python iterated it in), so a set pickles back out unchanged.
public final class PickleSet: Sequence, ExpressibleByArrayLiteral {
    @exclusivity(unchecked) private var storage = HashedKeys()
    /// How deeply containers nest in the set, as the unpickler counts it (see ``UnpicklerOptions/maxDepth``).
    var nestingDepth: Int32 = 1

    /// Creates a set from `elements`, dropping duplicates.
    public init(_ elements: some Sequence<PickleValue> = []) {
        for element in elements { storage.insert(element) }
    }

    /// Creates a set from an array literal.
    public convenience init(arrayLiteral elements: PickleValue...) { self.init(elements) }

    deinit {
        if storage.keys.anyMayHoldContainers {
            var elements = storage.keys
            storage.removeAll()
            PickleValue.dismantle(&elements)
        }
    }

    /// The number of elements.
    public var count: Int { storage.count }

    /// Whether the set is empty.
    public var isEmpty: Bool { storage.count == 0 }

    /// The elements, in the order they were first added.
    public var elements: [PickleValue] { storage.keys }

    /// Whether the set holds an element equal to `element`.
    public func contains(_ element: PickleValue) -> Bool { storage.firstIndex(of: element) != nil }

    /// Adds `element` unless an equal one is present; returns whether it was added.
    @discardableResult
    public func insert(_ element: PickleValue) -> Bool { storage.insert(element).inserted }

    /// Removes the element equal to `element`; returns whether there was one.
    @discardableResult
    public func remove(_ element: PickleValue) -> Bool {
        guard let position = storage.firstIndex(of: element) else { return false }
        storage.remove(at: position)
        return true
    }

    /// Removes every element.
    public func removeAll() { storage.removeAll() }

    /// Iterates over the elements.
    public func makeIterator() -> IndexingIterator<[PickleValue]> { storage.keys.makeIterator() }
}

/// A Python `frozenset`: an immutable collection of distinct hashable values.
///
/// Elements keep the order in which they were given, so a frozenset pickles back out unchanged;
/// equality and hashing ignore the order.
public struct PickleFrozenSet: Sequence, ExpressibleByArrayLiteral {
    private var storage = HashedKeys()

    /// Creates a frozenset from `elements`, dropping duplicates.
    public init(_ elements: some Sequence<PickleValue> = []) {
        for element in elements { storage.insert(element) }
    }

    /// Creates a frozenset from an array literal.
    public init(arrayLiteral elements: PickleValue...) { self.init(elements) }

    /// The number of elements.
    public var count: Int { storage.count }

    /// Whether the frozenset is empty.
    public var isEmpty: Bool { storage.count == 0 }

    /// The elements, in the order they were first given.
    public var elements: [PickleValue] { storage.keys }

    /// Whether the frozenset holds an element equal to `element`.
    public func contains(_ element: PickleValue) -> Bool { storage.firstIndex(of: element) != nil }

    /// Iterates over the elements.
    public func makeIterator() -> IndexingIterator<[PickleValue]> { storage.keys.makeIterator() }
}

// MARK: - Positional access, for the Codable decoder

extension PickleDict {
    /// The position of `key`, or `nil`.
    func position(of key: PickleValue) -> Int? { storage.firstIndex(of: key) }

    /// The key at `position`, which must be valid.
    func key(at position: Int) -> PickleValue { storage.keys[position] }

    /// The value at `position`, which must be valid.
    func value(at position: Int) -> PickleValue { storedValues[position] }

    /// The position of the `str` key equal to `key`, trying `hint` first: a decoder that reads the
    /// fields in the order they were written finds each one there without hashing.
    func position(ofString key: String, hint: Int) -> Int? {
        if hint < storedValues.count, case .string(let candidate) = storage.keys[hint], sameCodePoints(candidate, key) {
            return hint
        }
        return storage.firstIndex(of: .string(key))
    }
}
