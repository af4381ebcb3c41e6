extension GDBMError {
    /// The kind of a ``GDBMError``: what went wrong, independent of the file and the call.
    ///
    /// `Code` is a struct with static members rather than an enum, so that new codes can be added
    /// without breaking code that switches over them. Compare with `==`, or match with `~=`:
    ///
    /// ```swift
    /// do {
    ///     let db = try GDBMFile(path: path, mode: .readWrite)
    ///     try db.store(value, forKey: key)
    /// } catch let error as GDBMError where error.code == .locked {
    ///     print("someone else is writing:", error.message)
    /// }
    /// ```
    ///
    /// The raw gdbm error code, when there is one, is in ``GDBMError/gdbmError``.
    public struct Code: Hashable, Sendable {
        internal enum Storage: Hashable, Sendable {
            case fileNotFound
            case notGDBMFile
            case locked
            case permissionDenied
            case readOnly
            case itemNotFound
            case closed
            case needsRecovery
            case corrupt
            case io
            case tooLarge
            case invalidArgument
            case other
        }

        internal let storage: Storage

        internal init(_ storage: Storage) {
            self.storage = storage
        }

        /// The file does not exist and the open mode does not create it.
        ///
        /// Open with ``GDBMFile/OpenMode/create`` to make a new database. The corresponding gdbm error is
        /// `GDBM_FILE_OPEN_ERROR` with `errno` `ENOENT`.
        public static let fileNotFound = Code(.fileNotFound)

        /// The file exists but is not a GDBM database that this machine can read.
        ///
        /// Raised for a file with the wrong magic number (a text file, a database of another `dbm`
        /// flavour), a file too short to hold a GDBM header, an empty file opened read-only, and a GDBM file
        /// written on a machine with a different byte order or word size. The corresponding gdbm errors are
        /// `GDBM_BAD_MAGIC_NUMBER`, `GDBM_FILE_EOF` (when opening), `GDBM_EMPTY_DATABASE`, `GDBM_BYTE_SWAPPED`
        /// and `GDBM_BAD_FILE_OFFSET`.
        public static let notGDBMFile = Code(.notGDBMFile)

        /// Another handle holds a conflicting lock on the file.
        ///
        /// GDBM allows one writer or many readers. It never waits: a conflicting open fails at once.
        /// The other handle may be in another process or in this one. The corresponding gdbm errors are
        /// `GDBM_CANT_BE_WRITER` and `GDBM_CANT_BE_READER`, with `errno` `EAGAIN`.
        public static let locked = Code(.locked)

        /// The operating system refused access to the file (`EACCES`, `EPERM` or `EROFS`).
        public static let permissionDenied = Code(.permissionDenied)

        /// A change was attempted on a file opened with ``GDBMFile/OpenMode/readOnly``.
        ///
        /// The corresponding gdbm errors are `GDBM_READER_CANT_STORE`, `GDBM_READER_CANT_DELETE` and
        /// `GDBM_READER_CANT_REORGANIZE`.
        public static let readOnly = Code(.readOnly)

        /// ``GDBMFile/delete(_:)`` was asked to remove a key that is not in the database.
        ///
        /// Reading a missing key is not an error: ``GDBMFile/fetch(_:)`` returns `nil`. The corresponding
        /// gdbm error is `GDBM_ITEM_NOT_FOUND`.
        public static let itemNotFound = Code(.itemNotFound)

        /// The ``GDBMFile`` was closed; open a new one to use the file again.
        public static let closed = Code(.closed)

        /// GDBM found the file structurally inconsistent and refuses every operation until it is recovered.
        ///
        /// Call ``GDBMFile/recover(force:keepingBackup:maxFailedKeys:maxFailedBuckets:maxFailures:)`` on a
        /// handle opened for writing. The corresponding gdbm error is `GDBM_NEED_RECOVERY`.
        public static let needsRecovery = Code(.needsRecovery)

        /// GDBM found damaged structures in the file: a bad header, bucket, directory entry, hash table or
        /// free-space list, or a file shorter than its header says.
        ///
        /// After such an error the handle usually needs recovery. The corresponding gdbm errors are
        /// `GDBM_BAD_HEADER`, `GDBM_BAD_BUCKET`, `GDBM_BAD_DIR_ENTRY`, `GDBM_BAD_HASH_TABLE`,
        /// `GDBM_BAD_HASH_ENTRY`, `GDBM_BAD_AVAIL`, `GDBM_BUCKET_CACHE_CORRUPTED` and `GDBM_FILE_EOF` (after
        /// opening).
        public static let corrupt = Code(.corrupt)

        /// Reading, writing, seeking, syncing or renaming the file failed; ``GDBMError/systemErrno`` says why.
        public static let io = Code(.io)

        /// A key or value is larger than GDBM can store (`Int32.max` bytes). Checked before calling gdbm.
        public static let tooLarge = Code(.tooLarge)

        /// An argument was rejected, by this module or by gdbm (`GDBM_MALFORMED_DATA`, `GDBM_OPT_BADVAL`,
        /// `GDBM_BLOCK_SIZE_ERROR`, `GDBM_ERR_USAGE`), or the path names a directory.
        public static let invalidArgument = Code(.invalidArgument)

        /// Any other failure, such as running out of memory. ``GDBMError/gdbmError`` has the raw code.
        public static let other = Code(.other)
    }
}

extension GDBMError.Code {
    /// Matches an error against a code in a `catch` or `switch` pattern.
    ///
    /// ```swift
    /// do {
    ///     try db.delete(key)
    /// } catch GDBMError.Code.itemNotFound {
    ///     // already gone
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - pattern: The code to look for.
    ///   - error: The error thrown.
    /// - Returns: `true` if `error` is a `GDBMError` whose ``GDBMError/code`` is `pattern`.
    public static func ~= (pattern: GDBMError.Code, error: any Error) -> Bool {
        (error as? GDBMError)?.code == pattern
    }
}
