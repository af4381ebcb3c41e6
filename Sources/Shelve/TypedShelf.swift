import Pickle

/// A shelf whose values are all of one `Codable` type.
///
/// `TypedShelf` stores values the way ``Shelf/setValue(_:forKey:)-(T,_)`` does: encoded into the value
/// model (a struct becomes a Python `dict` with `str` keys, an array a `list`…), pickled, and kept in the same
/// kind of file, so Python reads them as plain Python objects. Its subscript reads and writes `Value?`:
///
/// ```swift
/// struct Item: Codable {
///     var name: String
///     var price: Double
/// }
///
/// let items = try TypedShelf<Item>(path: "items.db")
/// items["apple"] = Item(name: "apple", price: 0.5)
/// items["apple"]?.price += 0.1        // decodes, changes, encodes and stores again
/// print(items["apple"]?.price ?? 0)   // 0.6
/// try items.close()
/// ```
///
/// ## Design
///
/// A typed shelf is a thin layer over a ``Shelf``, reachable as ``shelf``, which does the storing, the
/// caching and the error recording. The same file can be opened as a dynamic ``Shelf`` to see every value as
/// a ``PickleValue``, which is the way to read a heterogeneous shelf, one written by Python with values of
/// many types: a value that does not decode as `Value` makes the typed methods throw
/// ``ShelfError/Code-swift.struct/decodingFailed`` (with the `DecodingError` as
/// ``ShelfError/underlying``), and the subscript return `nil` and record the failure.
///
/// The subscript follows the rule of ``Shelf/subscript(_:)``: a failed write, or a read of a value that
/// exists but does not decode, is recorded in ``pendingErrors`` and thrown by the next ``sync()`` or
/// ``close()``.
///
/// `Value` is usually a struct: each read decodes a new copy, and changes reach the file when the value is
/// assigned back, as `items["apple"]?.price += 0.1` does in one step. That is why a typed shelf needs no
/// writeback cache; wrapping a writeback ``Shelf`` works, and decodes from its cached ``PickleValue``s.
///
/// Like ``Shelf``, a typed shelf is not `Sendable`; see <doc:Concurrency>.
public final class TypedShelf<Value: Codable> {
    /// The dynamic shelf underneath, for everything else: raw keys, reorganizing, reading values of other
    /// types.
    public let shelf: Shelf

    /// Opens a typed shelf, or creates one.
    ///
    /// ```swift
    /// let items = try TypedShelf<Item>(path: "items.db")
    /// let readOnly = try TypedShelf<Item>(path: "items.db", mode: .readOnly)
    /// ```
    ///
    /// - Parameters:
    ///   - path: The shelf's file.
    ///   - mode: How to open it; ``Shelf/OpenMode/create`` by default.
    ///   - protocolVersion: The pickle protocol to write values with, 0 to 5.
    ///   - permissions: The mode bits of a file this call creates, before the `umask` is applied.
    ///   - lockTimeout: How long to keep trying while the file is locked; `nil` fails at once.
    /// - Throws: ``ShelfError``, for the reasons
    ///   ``Shelf/init(path:mode:protocol:writeback:permissions:lockTimeout:)`` does.
    public convenience init(
        path: String, mode: Shelf.OpenMode = .create, protocol protocolVersion: Int = Shelf.defaultProtocol,
        permissions: UInt16 = 0o666, lockTimeout: Duration? = nil
    ) throws(ShelfError) {
        self.init(
            try Shelf(
                path: path, mode: mode, protocol: protocolVersion, permissions: permissions,
                lockTimeout: lockTimeout
            )
        )
    }

    /// Wraps an open shelf, which keeps its mode, protocol, writeback and recorded failures.
    ///
    /// ```swift
    /// let shelf = try Shelf(path: "items.db")
    /// let items = TypedShelf<Item>(shelf)
    /// ```
    ///
    /// - Parameter shelf: The shelf to read and write through.
    public init(_ shelf: Shelf) {
        self.shelf = shelf
    }

    /// Opens a typed shelf, runs `body` with it, and closes it, even when `body` throws.
    ///
    /// ```swift
    /// try TypedShelf<Item>.withShelf(path: "items.db") { items in
    ///     items["pear"] = Item(name: "pear", price: 0.7)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - path: The shelf's file.
    ///   - mode: How to open it.
    ///   - protocolVersion: The pickle protocol to write values with, 0 to 5.
    ///   - permissions: The mode bits of a file this call creates.
    ///   - lockTimeout: How long to keep trying while the file is locked.
    ///   - body: The work to do with the open shelf.
    /// - Returns: What `body` returns.
    /// - Throws: ``ShelfError`` from opening or closing (a close failure only when `body` returned), or the
    ///   error `body` throws.
    public static func withShelf<R>(
        path: String, mode: Shelf.OpenMode = .create, protocol protocolVersion: Int = Shelf.defaultProtocol,
        permissions: UInt16 = 0o666, lockTimeout: Duration? = nil, _ body: (TypedShelf) throws -> R
    ) throws -> R {
        try Shelf.withShelf(
            path: path, mode: mode, protocol: protocolVersion, permissions: permissions, lockTimeout: lockTimeout
        ) { shelf in
            try body(TypedShelf(shelf))
        }
    }

    /// The path of the shelf's file.
    public var path: String { shelf.path }

    /// Whether the shelf was closed.
    public var isClosed: Bool { shelf.isClosed }
}

// MARK: - Records

extension TypedShelf {
    /// The value stored under a key, or `nil`; assigning `nil` removes the record.
    ///
    /// ```swift
    /// items["apple"] = Item(name: "apple", price: 0.5)
    /// items["apple"]?.price += 0.1
    /// items["apple"] = nil
    /// ```
    ///
    /// Failures are recorded as by ``Shelf/subscript(_:)``: a failed write changes nothing, a value that
    /// exists but does not decode as `Value` reads as `nil`, and both are thrown by the next ``sync()`` or
    /// ``close()``.
    ///
    /// - Parameter key: The key.
    public subscript(key: String) -> Value? {
        get {
            do {
                return try value(forKey: key)
            } catch {
                shelf.record(error)
                return nil
            }
        }
        set {
            do {
                if let newValue {
                    try setValue(newValue, forKey: key)
                } else {
                    try shelf.deleteRecord(rawKey: Array(key.utf8), missingIsError: false)
                }
            } catch {
                shelf.record(error)
            }
        }
    }

    /// Returns the value stored under a key, or `nil` if there is none.
    ///
    /// ```swift
    /// if let apple = try items.value(forKey: "apple") { print(apple.price) }
    /// ```
    ///
    /// - Parameter key: The key.
    /// - Returns: The decoded value, or `nil` if the shelf has no such key.
    /// - Throws: ``ShelfError``, for the reasons ``Shelf/value(_:forKey:)`` does.
    public func value(forKey key: String) throws(ShelfError) -> Value? {
        try shelf.value(Value.self, forKey: key)
    }

    /// Returns the value stored under a key, or a default if there is none; nothing is stored.
    ///
    /// ```swift
    /// let apple = try items.value(forKey: "apple", default: Item(name: "apple", price: 0))
    /// ```
    ///
    /// - Parameters:
    ///   - key: The key.
    ///   - defaultValue: The value to return when the key is absent.
    /// - Returns: The stored value, or `defaultValue`.
    /// - Throws: ``ShelfError``, for the reasons ``value(forKey:)`` does.
    public func value(forKey key: String, default defaultValue: @autoclosure () -> Value) throws(ShelfError) -> Value {
        try value(forKey: key) ?? defaultValue()
    }

    /// Stores a value under a key at once, replacing any value there.
    ///
    /// ```swift
    /// try items.setValue(Item(name: "pear", price: 0.7), forKey: "pear")
    /// ```
    ///
    /// - Parameters:
    ///   - value: The value to store.
    ///   - key: The key.
    /// - Throws: ``ShelfError``, for the reasons ``Shelf/setValue(_:forKey:)-(T,_)`` does.
    public func setValue(_ value: Value, forKey key: String) throws(ShelfError) {
        try shelf.setValue(value, forKey: key)
    }

    /// Removes the record under a key and returns its value, or `nil` if there was none.
    ///
    /// ```swift
    /// let sold = try items.removeValue(forKey: "apple")
    /// ```
    ///
    /// The value is decoded first; if it does not decode, nothing is removed (use ``delete(_:)``).
    ///
    /// - Parameter key: The key.
    /// - Returns: The removed value, or `nil`.
    /// - Throws: ``ShelfError``, for the reasons ``Shelf/removeValue(forKey:)`` does, or
    ///   ``ShelfError/Code-swift.struct/decodingFailed`` if the value does not decode as `Value`.
    @discardableResult
    public func removeValue(forKey key: String) throws(ShelfError) -> Value? {
        let rawKey = Array(key.utf8)
        _ = try shelf.writableFile(.delete(rawKey))
        guard let stored = try shelf.loadValue(rawKey: rawKey) else { return nil }
        let value = try shelf.decode(Value.self, from: stored, rawKey: rawKey)
        try shelf.deleteRecord(rawKey: rawKey, missingIsError: false)
        return value
    }

    /// Removes the record under a key without reading it.
    ///
    /// ```swift
    /// try items.delete("apple")
    /// ```
    ///
    /// - Parameter key: The key.
    /// - Throws: ``ShelfError``, for the reasons ``Shelf/delete(_:)`` does, including
    ///   ``ShelfError/Code-swift.struct/keyNotFound``.
    public func delete(_ key: String) throws(ShelfError) {
        try shelf.delete(key)
    }

    /// Returns whether the shelf has a record under a key.
    ///
    /// ```swift
    /// if try !items.contains("apple") { … }
    /// ```
    ///
    /// - Parameter key: The key.
    /// - Returns: `true` if the key is present.
    /// - Throws: ``ShelfError``, for the reasons ``Shelf/contains(_:)`` does.
    public func contains(_ key: String) throws(ShelfError) -> Bool {
        try shelf.contains(key)
    }

    /// The number of records.
    ///
    /// - Throws: ``ShelfError``, for the reasons ``Shelf/count`` does.
    public var count: Int {
        get throws(ShelfError) { try shelf.count }
    }

    /// Returns every key, in the file's hash order.
    ///
    /// ```swift
    /// for key in try items.keys().sorted() { print(key) }
    /// ```
    ///
    /// - Returns: The keys.
    /// - Throws: ``ShelfError``, for the reasons ``Shelf/keys()`` does.
    public func keys() throws(ShelfError) -> [String] {
        try shelf.keys()
    }

    /// Returns every value, in the order of ``keys()``.
    ///
    /// ```swift
    /// let total = try items.values().map(\.price).reduce(0, +)
    /// ```
    ///
    /// - Returns: The decoded values.
    /// - Throws: ``ShelfError``, for the reasons ``Shelf/values()`` does, or
    ///   ``ShelfError/Code-swift.struct/decodingFailed`` at the first value that does not decode as `Value`.
    public func values() throws(ShelfError) -> [Value] {
        try items().map(\.value)
    }

    /// Returns every key and its value, in the order of ``keys()``.
    ///
    /// ```swift
    /// for (name, item) in try items.items() { print(name, item.price) }
    /// ```
    ///
    /// - Returns: The keys and decoded values.
    /// - Throws: ``ShelfError``, for the reasons ``values()`` does.
    public func items() throws(ShelfError) -> [(key: String, value: Value)] {
        var items: [(key: String, value: Value)] = []
        for key in try shelf.keys() {
            if let value = try value(forKey: key) { items.append((key, value)) }
        }
        return items
    }

    /// Stores every value of a dictionary under its key; stops at the first failure.
    ///
    /// ```swift
    /// try items.update(["fig": Item(name: "fig", price: 1.2)])
    /// ```
    ///
    /// - Parameter entries: The keys and values to store.
    /// - Throws: ``ShelfError``, for the reasons ``setValue(_:forKey:)`` does.
    public func update(_ entries: [String: Value]) throws(ShelfError) {
        for (key, value) in entries {
            try setValue(value, forKey: key)
        }
    }

    /// Removes every record, without reading any.
    ///
    /// - Throws: ``ShelfError``, for the reasons ``Shelf/removeAll()`` does.
    public func removeAll() throws(ShelfError) {
        try shelf.removeAll()
    }
}

// MARK: - Syncing, closing, failures

extension TypedShelf {
    /// Writes all changes to disk and throws any failure the subscripts recorded; see ``Shelf/sync()``.
    ///
    /// - Throws: ``ShelfError``, for the reasons ``Shelf/sync()`` does.
    public func sync() throws(ShelfError) {
        try shelf.sync()
    }

    /// Closes the shelf and throws any failure not yet reported; see ``Shelf/close()``.
    ///
    /// - Throws: ``ShelfError``, for the reasons ``Shelf/close()`` does.
    public func close() throws(ShelfError) {
        try shelf.close()
    }

    /// The failures of subscript reads and writes since the last ``sync()`` or ``close()``, oldest first.
    public var pendingErrors: [ShelfError] {
        shelf.pendingErrors
    }

    /// Returns the recorded failures and forgets them; see ``Shelf/removePendingErrors()``.
    ///
    /// - Returns: The failures, oldest first.
    @discardableResult
    public func removePendingErrors() -> [ShelfError] {
        shelf.removePendingErrors()
    }
}

@available(*, unavailable, message: "a TypedShelf is not thread-safe; confine it to one task or actor")
extension TypedShelf: Sendable {}
