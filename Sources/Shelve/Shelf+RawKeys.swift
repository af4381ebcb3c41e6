import Pickle

// Keys as bytes, for files written elsewhere whose keys are not UTF-8.

extension Shelf {
    /// Returns every key as bytes, in the file's hash order, including keys that are not valid UTF-8.
    ///
    /// Python's shelf stores `str` keys as UTF-8, but a file written with `dbm.gnu` directly may hold any
    /// bytes as a key. ``keys()`` throws ``ShelfError/Code-swift.struct/invalidKey`` for such a key; this
    /// method lists them all.
    ///
    /// ```swift
    /// for rawKey in try shelf.rawKeys() where String(validating: rawKey, as: UTF8.self) == nil {
    ///     print("odd key", rawKey, try shelf.value(forRawKey: rawKey) ?? "-")
    /// }
    /// ```
    ///
    /// - Returns: The keys' bytes.
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/closed`` or
    ///   ``ShelfError/Code-swift.struct/storage``.
    public func rawKeys() throws(ShelfError) -> [[UInt8]] {
        try allRawKeys(.listKeys)
    }

    /// Returns the value stored under a key given as bytes, or `nil` if there is none.
    ///
    /// ```swift
    /// let value = try shelf.value(forRawKey: [0xFF, 0xFE])
    /// ```
    ///
    /// Behaves like ``value(forKey:)``, which is this method with the key's UTF-8 bytes; the writeback cache
    /// is shared, so `value(forRawKey: Array("a".utf8))` and `value(forKey: "a")` return the same cached object.
    ///
    /// - Parameter rawKey: The key's bytes.
    /// - Returns: The value, or `nil` if the shelf has no such key.
    /// - Throws: ``ShelfError``, for the reasons ``value(forKey:)`` does.
    public func value(forRawKey rawKey: [UInt8]) throws(ShelfError) -> PickleValue? {
        try loadValue(rawKey: rawKey)
    }

    /// Stores a value under a key given as bytes.
    ///
    /// ```swift
    /// try shelf.setValue(1, forRawKey: [0xFF, 0xFE])
    /// ```
    ///
    /// Behaves like ``setValue(_:forKey:)-(PickleValue,_)``. Python's shelf can read such a record only
    /// through `dbm.gnu` directly, since its keys must be `str`.
    ///
    /// - Parameters:
    ///   - value: The value to store.
    ///   - rawKey: The key's bytes.
    /// - Throws: ``ShelfError``, for the reasons ``setValue(_:forKey:)-(PickleValue,_)`` does.
    public func setValue(_ value: PickleValue, forRawKey rawKey: [UInt8]) throws(ShelfError) {
        try storeValue(value, rawKey: rawKey)
    }

    /// Removes the record under a key given as bytes and returns its value, or `nil` if there was none.
    ///
    /// ```swift
    /// try shelf.removeValue(forRawKey: [0xFF, 0xFE])
    /// ```
    ///
    /// Behaves like ``removeValue(forKey:)``: the value is unpickled first, and nothing is removed if that
    /// fails. To remove a record without reading it, use ``delete(rawKey:)``.
    ///
    /// - Parameter rawKey: The key's bytes.
    /// - Returns: The removed value, or `nil` if the shelf had no such key.
    /// - Throws: ``ShelfError``, for the reasons ``removeValue(forKey:)`` does.
    @discardableResult
    public func removeValue(forRawKey rawKey: [UInt8]) throws(ShelfError) -> PickleValue? {
        try removeRecord(rawKey: rawKey)
    }

    /// Removes the record under a key given as bytes without reading it.
    ///
    /// ```swift
    /// try shelf.delete(rawKey: [0xFF, 0xFE])
    /// ```
    ///
    /// - Parameter rawKey: The key's bytes.
    /// - Throws: ``ShelfError``, for the reasons ``delete(_:)`` does, including
    ///   ``ShelfError/Code-swift.struct/keyNotFound``.
    public func delete(rawKey: [UInt8]) throws(ShelfError) {
        try deleteRecord(rawKey: rawKey, missingIsError: true)
    }

    /// Returns whether the shelf has a record under a key given as bytes.
    ///
    /// ```swift
    /// if try shelf.contains(rawKey: [0xFF, 0xFE]) { … }
    /// ```
    ///
    /// - Parameter rawKey: The key's bytes.
    /// - Returns: `true` if the key is present.
    /// - Throws: ``ShelfError``, for the reasons ``contains(_:)`` does.
    public func contains(rawKey: [UInt8]) throws(ShelfError) -> Bool {
        try containsRecord(rawKey: rawKey)
    }
}
