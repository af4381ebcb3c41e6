import Pickle

extension Shelf {
    /// The records of a shelf, each of which unpickles its value only when asked; returned by
    /// ``Shelf/entries()``.
    ///
    /// The keys were read when the collection was made; the values are read one at a time by
    /// ``Entry/value()``, so a failure concerns one record and the others stay readable.
    ///
    /// ```swift
    /// for entry in try shelf.entries() {
    ///     do {
    ///         print(entry.key, try entry.value() ?? "removed")
    ///     } catch {
    ///         print(entry.key, "unreadable:", error.message)
    ///     }
    /// }
    /// ```
    public struct Entries: RandomAccessCollection {
        /// The shelf the records belong to.
        public let shelf: Shelf

        /// The keys, in the file's hash order at the time the collection was made.
        public let keys: [String]

        internal init(shelf: Shelf, keys: [String]) {
            self.shelf = shelf
            self.keys = keys
        }

        /// The position of the first record.
        public var startIndex: Int { keys.startIndex }

        /// The position one past the last record.
        public var endIndex: Int { keys.endIndex }

        /// The record at a position.
        ///
        /// - Parameter position: A valid index of the collection.
        public subscript(position: Int) -> Entry {
            Entry(shelf: shelf, key: keys[position])
        }
    }

    /// One record of a shelf: its key, and its value on request.
    ///
    /// ```swift
    /// let first = try shelf.entries().first
    /// print(first?.key ?? "empty shelf", try first?.value() ?? "-")
    /// ```
    public struct Entry {
        /// The shelf the record belongs to.
        public let shelf: Shelf

        /// The record's key.
        public let key: String

        /// Reads the record's value, exactly as ``Shelf/value(forKey:)`` does.
        ///
        /// - Returns: The value, or `nil` if the record was removed since the keys were read.
        /// - Throws: ``ShelfError``, for the reasons ``Shelf/value(forKey:)`` does.
        public func value() throws(ShelfError) -> PickleValue? {
            try shelf.value(forKey: key)
        }
    }
}
