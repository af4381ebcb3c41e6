import Pickle

// MARK: - The subscript

extension Shelf {
    /// The value stored under a key, or `nil` if there is none; assigning `nil` removes the record.
    ///
    /// ```swift
    /// shelf["apples"] = 3
    /// shelf["basket"] = ["apples", "pears"]
    /// let apples = shelf["apples"]?.intValue     // 3
    /// shelf["apples"] = nil                        // removed; removing a missing key does nothing
    /// ```
    ///
    /// This is the everyday path, and it cannot throw. It never fails silently:
    ///
    /// - Reading a key that is absent returns `nil`. Reading a value that is stored but cannot be unpickled,
    ///   or reading a closed shelf, also returns `nil`, **and records the failure** in ``pendingErrors``.
    /// - Assigning writes to the file at once, as in Python. If the write fails (a read-only or closed shelf,
    ///   a value that cannot be pickled at ``protocolVersion``, a failing disk), nothing changes and **the
    ///   failure is recorded**.
    /// - The next ``sync()`` or ``close()`` throws the recorded failures.
    ///
    /// Use ``value(forKey:)``, ``setValue(_:forKey:)-(PickleValue,_)`` and ``removeValue(forKey:)`` to handle
    /// failures where they happen.
    ///
    /// Without writeback, each read unpickles a new copy: changing a ``PickleList`` or ``PickleDict`` that
    /// was read changes nothing on disk until it is assigned back. With writeback, reads return the cached
    /// object, and changes to it are written back by ``sync()`` and ``close()``.
    ///
    /// - Parameter key: The key; stored as its UTF-8 bytes, so keys that Swift considers equal but that have
    ///   different Unicode forms (precomposed `é` and `e` + combining accent) are different keys, as in Python.
    public subscript(key: String) -> PickleValue? {
        get {
            do {
                return try loadValue(forKey: key)
            } catch {
                record(error)
                return nil
            }
        }
        set {
            do {
                if let newValue {
                    try storeValue(newValue, forKey: key)
                } else {
                    try deleteRecord(rawKey: Array(key.utf8), missingIsError: false)
                }
            } catch {
                record(error)
            }
        }
    }
}

// MARK: - Reading

extension Shelf {
    /// Returns the value stored under a key, or `nil` if there is none.
    ///
    /// ```swift
    /// if let basket = try shelf.value(forKey: "basket") {
    ///     print(basket)
    /// }
    /// ```
    ///
    /// Without writeback, each call unpickles a new copy, straight from the file's buffer. With writeback,
    /// the first read caches the value and later reads return the same object, as in Python.
    ///
    /// - Parameter key: The key.
    /// - Returns: The value, or `nil` if the shelf has no such key.
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/decodingFailed`` if the stored
    ///   bytes are not a pickle this package can load, ``ShelfError/Code-swift.struct/closed``, or
    ///   ``ShelfError/Code-swift.struct/storage``.
    public func value(forKey key: String) throws(ShelfError) -> PickleValue? {
        try loadValue(forKey: key)
    }

    /// Returns the value stored under a key, or a default if there is none: Python's `shelf.get(key, default)`.
    ///
    /// ```swift
    /// let visits = try shelf.value(forKey: "visits", default: 0)
    /// ```
    ///
    /// Nothing is stored.
    ///
    /// - Parameters:
    ///   - key: The key.
    ///   - defaultValue: The value to return when the key is absent; evaluated only then.
    /// - Returns: The stored value, or `defaultValue`.
    /// - Throws: ``ShelfError``, for the reasons ``value(forKey:)`` does.
    public func value(
        forKey key: String, default defaultValue: @autoclosure () -> PickleValue
    ) throws(ShelfError) -> PickleValue {
        try loadValue(rawKey: Array(key.utf8)) ?? defaultValue()
    }

    /// Returns the value stored under a key, first storing a default if there is none: Python's
    /// `shelf.setdefault(key, default)`.
    ///
    /// ```swift
    /// let tags = try shelf.value(forKey: "tags", storingDefault: .list([]))
    /// ```
    ///
    /// - Parameters:
    ///   - key: The key.
    ///   - defaultValue: The value to store and return when the key is absent; evaluated only then.
    /// - Returns: The stored value, or `defaultValue` after storing it.
    /// - Throws: ``ShelfError``, for the reasons ``value(forKey:)`` and ``setValue(_:forKey:)-(PickleValue,_)``
    ///   do.
    public func value(
        forKey key: String, storingDefault defaultValue: @autoclosure () -> PickleValue
    ) throws(ShelfError) -> PickleValue {
        let rawKey = Array(key.utf8)
        if let value = try loadValue(rawKey: rawKey) { return value }
        let value = defaultValue()
        try storeValue(value, rawKey: rawKey)
        return value
    }

    /// Returns whether the shelf has a record under a key: Python's `key in shelf`.
    ///
    /// ```swift
    /// if try !shelf.contains("apples") { shelf["apples"] = 0 }
    /// ```
    ///
    /// The value is not read. Like Python's shelf, this asks the file, not the writeback cache.
    ///
    /// - Parameter key: The key.
    /// - Returns: `true` if the key is present.
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/closed`` or
    ///   ``ShelfError/Code-swift.struct/storage``.
    public func contains(_ key: String) throws(ShelfError) -> Bool {
        try containsRecord(rawKey: Array(key.utf8))
    }

    /// The number of records in the shelf: Python's `len(shelf)`.
    ///
    /// ```swift
    /// print(try shelf.count, "records")
    /// ```
    ///
    /// Counting reads the file's whole index, so it takes time proportional to the size of the shelf.
    ///
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/closed`` or
    ///   ``ShelfError/Code-swift.struct/storage``.
    public var count: Int {
        get throws(ShelfError) {
            let file = try openFile(.count)
            do {
                return try file.count
            } catch {
                throw ShelfError(error, .count, path: path)
            }
        }
    }

    /// Whether the shelf has no records.
    ///
    /// ```swift
    /// if try shelf.isEmpty { print("nothing stored yet") }
    /// ```
    ///
    /// - Throws: ``ShelfError``, for the reasons ``count`` does.
    public var isEmpty: Bool {
        get throws(ShelfError) {
            try count == 0
        }
    }

    /// Returns every key, in the file's hash order (neither insertion nor sorted order): Python's
    /// `list(shelf.keys())`.
    ///
    /// ```swift
    /// for key in try shelf.keys().sorted() {
    ///     print(key, shelf[key] ?? "-")
    /// }
    /// ```
    ///
    /// The keys are collected before the method returns, so changing the shelf while looping over them is
    /// safe. A file written elsewhere may hold a key that is not valid UTF-8; then this method throws
    /// ``ShelfError/Code-swift.struct/invalidKey`` naming the key's bytes (Python's `shelf.keys()` fails there
    /// too), and ``rawKeys()`` lists every key as bytes.
    ///
    /// - Returns: The keys.
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/invalidKey``,
    ///   ``ShelfError/Code-swift.struct/closed`` or ``ShelfError/Code-swift.struct/storage``.
    public func keys() throws(ShelfError) -> [String] {
        let file = try openFile(.listKeys)
        var keys: [String] = []
        var invalidKey: [UInt8]?
        do {
            // Each key decoded straight from GDBM's buffer: no array of bytes per key on the way.
            try file.forEachKey { bytes in
                guard let key = String(validUTF8: bytes) else {
                    invalidKey = Array(bytes)
                    return false
                }
                keys.append(key)
                return true
            }
        } catch {
            throw ShelfError(error, .listKeys, path: path)
        }
        if let invalidKey { throw .invalidKey(invalidKey, .listKeys, path: path) }
        return keys
    }

    /// Returns every value, in the order of ``keys()``.
    ///
    /// ```swift
    /// let total = try shelf.values().compactMap(\.intValue).reduce(0, +)
    /// ```
    ///
    /// Every value is unpickled now; to unpickle one at a time, use ``entries()``. With writeback, every value
    /// is also cached, as in Python, which can take a lot of memory on a large shelf.
    ///
    /// - Returns: The values.
    /// - Throws: ``ShelfError``, for the reasons ``keys()`` and ``value(forKey:)`` do.
    public func values() throws(ShelfError) -> [PickleValue] {
        var values: [PickleValue] = []
        for entry in try entries() {
            if let value = try entry.value() { values.append(value) }
        }
        return values
    }

    /// Returns every key and its value, in the order of ``keys()``.
    ///
    /// ```swift
    /// for (key, value) in try shelf.items() {
    ///     print(key, value)
    /// }
    /// ```
    ///
    /// Every value is unpickled now; to unpickle one at a time, use ``entries()``. With writeback, every value
    /// is also cached, as in Python.
    ///
    /// - Returns: The keys and values.
    /// - Throws: ``ShelfError``, for the reasons ``keys()`` and ``value(forKey:)`` do.
    public func items() throws(ShelfError) -> [(key: String, value: PickleValue)] {
        var items: [(key: String, value: PickleValue)] = []
        for entry in try entries() {
            if let value = try entry.value() { items.append((entry.key, value)) }
        }
        return items
    }

    /// Returns every record, each of which unpickles its value only when asked.
    ///
    /// ```swift
    /// for entry in try shelf.entries() where entry.key.hasPrefix("order-") {
    ///     guard let order = try entry.value() else { continue }   // removed meanwhile
    ///     print(entry.key, order)
    /// }
    /// ```
    ///
    /// The keys are read now, as by ``keys()``; each ``Entry/value()`` reads its value when called, and
    /// throws only for its own record.
    ///
    /// - Returns: The records, in the order of ``keys()``.
    /// - Throws: ``ShelfError``, for the reasons ``keys()`` does.
    public func entries() throws(ShelfError) -> Entries {
        Entries(shelf: self, keys: try keys())
    }
}

// MARK: - Writing

extension Shelf {
    /// Stores a value under a key, replacing any value there: Python's `shelf[key] = value`.
    ///
    /// ```swift
    /// try shelf.setValue(["apples", "pears"], forKey: "basket")
    /// ```
    ///
    /// The value is pickled at ``protocolVersion`` and written to the file at once, writeback or not. With
    /// writeback, it is also cached, so later reads return this very object. A failure changes nothing: not
    /// the file and not the cache.
    ///
    /// - Parameters:
    ///   - value: The value to store.
    ///   - key: The key.
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/encodingFailed`` if the value cannot
    ///   be pickled at ``protocolVersion``, ``ShelfError/Code-swift.struct/readOnly``,
    ///   ``ShelfError/Code-swift.struct/closed``, or ``ShelfError/Code-swift.struct/storage``.
    public func setValue(_ value: PickleValue, forKey key: String) throws(ShelfError) {
        try storeValue(value, forKey: key)
    }

    /// Removes the record under a key and returns its value: Python's `shelf.pop(key, None)`.
    ///
    /// ```swift
    /// if let basket = try shelf.removeValue(forKey: "basket") {
    ///     print("emptied", basket)
    /// }
    /// ```
    ///
    /// The value is unpickled before the record is removed; if it cannot be, nothing is removed and this
    /// method throws. To remove a record without reading it, use ``delete(_:)`` or assign `nil` through the
    /// subscript.
    ///
    /// - Parameter key: The key.
    /// - Returns: The removed value, or `nil` if the shelf had no such key (not an error).
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/decodingFailed``,
    ///   ``ShelfError/Code-swift.struct/readOnly``, ``ShelfError/Code-swift.struct/closed`` or
    ///   ``ShelfError/Code-swift.struct/storage``.
    @discardableResult
    public func removeValue(forKey key: String) throws(ShelfError) -> PickleValue? {
        try removeRecord(rawKey: Array(key.utf8))
    }

    /// Removes the record under a key without reading it: Python's `del shelf[key]`.
    ///
    /// ```swift
    /// do {
    ///     try shelf.delete("basket")
    /// } catch ShelfError.Code.keyNotFound {
    ///     // there was no basket
    /// }
    /// ```
    ///
    /// - Parameter key: The key.
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/keyNotFound`` if the shelf has no such
    ///   key, ``ShelfError/Code-swift.struct/readOnly``, ``ShelfError/Code-swift.struct/closed`` or
    ///   ``ShelfError/Code-swift.struct/storage``.
    public func delete(_ key: String) throws(ShelfError) {
        try deleteRecord(rawKey: Array(key.utf8), missingIsError: true)
    }

    /// Stores every value of a dictionary under its key: Python's `shelf.update(mapping)`.
    ///
    /// ```swift
    /// try shelf.update(["apples": 3, "pears": 5])
    /// ```
    ///
    /// The records are stored one by one, in the dictionary's order; if one fails, the ones before it stay
    /// stored and the rest are not attempted.
    ///
    /// - Parameter entries: The keys and values to store.
    /// - Throws: ``ShelfError``, for the reasons ``setValue(_:forKey:)-(PickleValue,_)`` does.
    public func update(_ entries: [String: PickleValue]) throws(ShelfError) {
        for (key, value) in entries {
            try storeValue(value, rawKey: Array(key.utf8))
        }
    }

    /// Stores every value of a sequence of key-value pairs under its key, in order: Python's
    /// `shelf.update(pairs)`.
    ///
    /// ```swift
    /// try shelf.update([("apples", 3), ("apples", 4)])   // a later pair wins, as in Python
    /// ```
    ///
    /// If one fails, the pairs before it stay stored and the rest are not attempted.
    ///
    /// - Parameter pairs: The keys and values to store.
    /// - Throws: ``ShelfError``, for the reasons ``setValue(_:forKey:)-(PickleValue,_)`` does.
    public func update(_ pairs: some Sequence<(String, PickleValue)>) throws(ShelfError) {
        for (key, value) in pairs {
            try storeValue(value, rawKey: Array(key.utf8))
        }
    }

    /// Removes every record, without reading any value: Python's `shelf.clear()` on a `DbfilenameShelf`.
    ///
    /// ```swift
    /// try shelf.removeAll()
    /// print(try shelf.count)   // 0
    /// ```
    ///
    /// The writeback cache is emptied too. Records that cannot be unpickled, and keys that are not valid
    /// UTF-8, are removed like any other. The file keeps its size until ``reorganize()``.
    ///
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/readOnly``,
    ///   ``ShelfError/Code-swift.struct/closed`` or ``ShelfError/Code-swift.struct/storage``.
    public func removeAll() throws(ShelfError) {
        let file = try writableFile(.removeAll)
        cache.removeAll()
        for rawKey in try allRawKeys(.removeAll) {
            do {
                try file.delete(rawKey)
            } catch  where error.code == .itemNotFound {
                continue
            } catch {
                throw ShelfError(error, .delete(rawKey), path: path)
            }
        }
    }
}

// MARK: - Recorded failures

extension Shelf {
    /// The failures of subscript reads and writes since the last ``sync()`` or ``close()``, oldest first.
    ///
    /// The next ``sync()`` or ``close()`` throws them and clears this list. Read it to check a batch of
    /// subscript writes without syncing:
    ///
    /// ```swift
    /// for (key, value) in incoming { shelf[key] = value }
    /// if let failure = shelf.pendingErrors.first {
    ///     print("not everything was stored:", failure.message)
    /// }
    /// ```
    public var pendingErrors: [ShelfError] {
        recorded
    }

    /// Returns the failures recorded by subscripts and forgets them, so that ``sync()`` and ``close()`` do
    /// not throw them.
    ///
    /// ```swift
    /// shelf["draft"] = draft                         // best effort
    /// for failure in shelf.removePendingErrors() {
    ///     log.warning("\(failure)")
    /// }
    /// ```
    ///
    /// - Returns: The failures, oldest first.
    @discardableResult
    public func removePendingErrors() -> [ShelfError] {
        defer { recorded.removeAll() }
        return recorded
    }
}
