import GDBM

extension Shelf {
    /// How ``Shelf/init(path:mode:protocol:writeback:permissions:lockTimeout:)`` opens a shelf's file, and
    /// which lock it takes.
    ///
    /// GDBM allows one writer or any number of readers on a file at a time. Every mode but ``readOnly`` takes
    /// the exclusive writer lock; ``readOnly`` takes a shared one.
    ///
    /// The modes are Python's `shelve.open` flags `'r'`, `'w'`, `'c'` and `'n'`, with one difference in the
    /// default's advice: Python's default `'c'` takes the writer lock even when the program only reads, so
    /// two Python programs cannot read one shelf at once. Open with ``readOnly`` when you only read.
    ///
    /// ```swift
    /// let reader = try Shelf(path: "catalog.db", mode: .readOnly)   // many of these may be open at once
    /// let writer = try Shelf(path: "orders.db")                      // .create: the writer lock
    /// ```
    public enum OpenMode: Sendable, Hashable, CaseIterable {
        /// Opens an existing shelf for reading only, with a shared lock: any number of readers, in this
        /// process or others (Python's included), may have it open at once, but no writer.
        ///
        /// Writes throw, or through a subscript are recorded as, ``ShelfError/Code-swift.struct/readOnly``.
        /// Like Python's `'r'`.
        case readOnly

        /// Opens an existing shelf for reading and writing, with the exclusive writer lock.
        ///
        /// Throws ``ShelfError/Code-swift.struct/fileNotFound`` if the file does not exist. Like Python's `'w'`.
        case readWrite

        /// Opens a shelf for reading and writing, creating an empty one if the file does not exist.
        ///
        /// The default, like Python's `'c'`.
        case create

        /// Creates a new, empty shelf, destroying any data already in the file.
        ///
        /// Like Python's `'n'`.
        case newShelf

        /// Whether the mode opens the file for writing, taking the exclusive lock.
        public var isWritable: Bool {
            self != .readOnly
        }

        /// The GDBM mode that implements this one.
        internal var gdbmMode: GDBMFile.OpenMode {
            switch self {
            case .readOnly: .readOnly
            case .readWrite: .readWrite
            case .create: .create
            case .newShelf: .newDatabase
            }
        }
    }
}
