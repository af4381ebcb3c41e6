extension ShelfError {
    /// The kind of a ``ShelfError``: what went wrong, independent of the file and the key.
    ///
    /// `Code` is a struct with static members rather than an enum, so that new codes can be added without
    /// breaking code that switches over them. Compare with `==`, or match in a `catch` with `~=`:
    ///
    /// ```swift
    /// do {
    ///     try shelf.delete("apples")
    /// } catch ShelfError.Code.keyNotFound {
    ///     // there were no apples
    /// }
    /// ```
    public struct Code: Hashable, Sendable {
        internal enum Storage: Hashable, Sendable {
            case closed
            case readOnly
            case keyNotFound
            case invalidKey
            case locked
            case notAShelf
            case fileNotFound
            case permissionDenied
            case decodingFailed
            case encodingFailed
            case deferredFailures
            case invalidArgument
            case storage
        }

        internal let storage: Storage

        internal init(_ storage: Storage) {
            self.storage = storage
        }

        /// The shelf was closed; open a new ``Shelf`` to use the file again.
        ///
        /// Like Python's `ValueError: invalid operation on closed shelf`.
        public static let closed = Code(.closed)

        /// A change was attempted on a shelf opened with ``Shelf/OpenMode/readOnly``.
        public static let readOnly = Code(.readOnly)

        /// ``Shelf/delete(_:)`` was asked to remove a key the shelf does not have, like Python's `KeyError`
        /// from `del shelf[key]`.
        ///
        /// Reading a missing key is not an error: ``Shelf/value(forKey:)`` returns `nil`.
        public static let keyNotFound = Code(.keyNotFound)

        /// A key in the file is not valid UTF-8, so it has no `String` form.
        ///
        /// Thrown by ``Shelf/keys()`` and the other methods that list keys as strings. The error's
        /// ``ShelfError/rawKey`` holds the bytes; reach the record with ``Shelf/rawKeys()`` and
        /// ``Shelf/value(forRawKey:)``.
        public static let invalidKey = Code(.invalidKey)

        /// Another process, or another handle in this process, has the file open in a conflicting way.
        ///
        /// GDBM allows one writer or any number of readers. Pass a `lockTimeout` to
        /// ``Shelf/init(path:mode:protocol:writeback:permissions:lockTimeout:)`` to wait for the other side.
        public static let locked = Code(.locked)

        /// The file exists but is not a GDBM database, so it cannot be a shelf this package reads.
        ///
        /// Python's `shelve` on `dbm.sqlite3` (the default for new files from Python 3.13), `dbm.ndbm` or
        /// `dbm.dumb` writes other formats; a GDBM file from a machine with another byte order or word size
        /// is also refused.
        public static let notAShelf = Code(.notAShelf)

        /// The file does not exist and the open mode does not create it.
        public static let fileNotFound = Code(.fileNotFound)

        /// The operating system refused access to the file.
        public static let permissionDenied = Code(.permissionDenied)

        /// A stored value could not be unpickled; ``ShelfError/key`` names the record and
        /// ``ShelfError/underlying`` holds the codec's error (a `PickleError`, or a `DecodingError` for a
        /// typed read).
        public static let decodingFailed = Code(.decodingFailed)

        /// A value could not be pickled, so nothing was stored; ``ShelfError/key`` names the record and
        /// ``ShelfError/underlying`` holds the codec's error (a `PickleError`, or an `EncodingError` for a
        /// typed write).
        public static let encodingFailed = Code(.encodingFailed)

        /// Failures that could not be thrown when they happened, or several failures of one call.
        ///
        /// Subscripts cannot throw: a failed subscript read or write is recorded in ``Shelf/pendingErrors``,
        /// and the next ``Shelf/sync()`` or ``Shelf/close()`` throws this code with every recorded failure
        /// in ``ShelfError/failures``, oldest first, followed by the failures of that call itself.
        public static let deferredFailures = Code(.deferredFailures)

        /// An argument was rejected, like a pickle protocol outside 0...5.
        public static let invalidArgument = Code(.invalidArgument)

        /// The GDBM file failed: a damaged file, a failed read or write, a full disk.
        ///
        /// ``ShelfError/underlying`` holds the `GDBMError`, whose code tells more.
        public static let storage = Code(.storage)
    }
}

extension ShelfError.Code {
    /// Matches an error against a code in a `catch` or `switch` pattern.
    ///
    /// ```swift
    /// do {
    ///     let shelf = try Shelf(path: path, mode: .readWrite)
    /// } catch ShelfError.Code.fileNotFound {
    ///     print("no shelf yet")
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - pattern: The code to look for.
    ///   - error: The error thrown.
    /// - Returns: `true` if `error` is a `ShelfError` whose ``ShelfError/code`` is `pattern`.
    public static func ~= (pattern: ShelfError.Code, error: any Error) -> Bool {
        (error as? ShelfError)?.code == pattern
    }

    /// Matches a `ShelfError` against a code in a `catch` or `switch` pattern.
    ///
    /// The methods of ``Shelf`` throw `ShelfError` (typed throws), so a `catch` clause after them sees a
    /// `ShelfError`, and this overload matches it:
    ///
    /// ```swift
    /// do {
    ///     try shelf.delete("apples")
    /// } catch ShelfError.Code.keyNotFound {
    ///     // there were no apples
    /// } catch {
    ///     print(error.message)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - pattern: The code to look for.
    ///   - error: The error thrown.
    /// - Returns: `true` if the error's ``ShelfError/code`` is `pattern`.
    public static func ~= (pattern: ShelfError.Code, error: ShelfError) -> Bool {
        error.code == pattern
    }
}
