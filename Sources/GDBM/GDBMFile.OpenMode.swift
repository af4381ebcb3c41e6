extension GDBMFile {
    /// How ``GDBMFile/init(path:mode:options:permissions:blockSize:cacheSize:)`` opens a file, and which lock
    /// it takes.
    ///
    /// GDBM allows one writer or any number of readers on a file at a time. A mode that writes takes an
    /// exclusive lock; ``readOnly`` takes a shared one. A conflicting open fails at once with
    /// ``GDBMError/Code-swift.struct/locked``; gdbm never waits for a lock.
    ///
    /// The modes match Python's `dbm.gnu.open` flags `'r'`, `'w'`, `'c'` and `'n'`.
    public enum OpenMode: Sendable, Hashable, CaseIterable {
        /// Opens an existing file for reading only, with a shared lock: many readers may have it open at once.
        ///
        /// Stores and deletes throw ``GDBMError/Code-swift.struct/readOnly``. The corresponding C flag is
        /// `GDBM_READER`, like Python's `'r'`.
        case readOnly

        /// Opens an existing file for reading and writing, with an exclusive lock.
        ///
        /// Throws ``GDBMError/Code-swift.struct/fileNotFound`` if the file does not exist. The corresponding
        /// C flag is `GDBM_WRITER`, like Python's `'w'`.
        case readWrite

        /// Opens a file for reading and writing, creating an empty database if it does not exist.
        ///
        /// The corresponding C flag is `GDBM_WRCREAT`, like Python's `'c'`.
        case create

        /// Creates a new, empty database, destroying any data already in the file.
        ///
        /// The corresponding C flag is `GDBM_NEWDB`, like Python's `'n'`.
        case newDatabase

        /// Whether the mode opens the file for writing and takes the exclusive lock.
        public var isWritable: Bool {
            self != .readOnly
        }
    }
}
