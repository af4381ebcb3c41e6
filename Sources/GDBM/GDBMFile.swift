import Synchronization

/// An open GDBM database file: a persistent map from byte-string keys to byte-string values.
///
/// `GDBMFile` is the single owner of one gdbm handle. It opens the file in its initializer, closes it in
/// ``close()`` (or, best-effort, when the last reference goes away), and turns every gdbm failure into a
/// ``GDBMError``. The files are ordinary GDBM files in gdbm's standard format: Python's `dbm.gnu` reads what
/// this type writes and the other way round, and `dbm.whichdb` recognises them.
///
/// ```swift
/// let db = try GDBMFile(path: "inventory.db")          // .create: opened for writing, created if missing
/// try db.store(Array("3".utf8), forKey: Array("apples".utf8))
/// if let bytes = try db.fetch(Array("apples".utf8)) {
///     print(String(decoding: bytes, as: UTF8.self))    // "3"
/// }
/// try db.close()
/// ```
///
/// ### Locking
///
/// GDBM allows one writer *or* any number of readers on a file. Opening for writing takes an exclusive lock,
/// opening with ``OpenMode/readOnly`` a shared one, and a conflicting open fails at once with
/// ``GDBMError/Code-swift.struct/locked``: gdbm never waits for a lock. The lock does not distinguish
/// processes from handles, so a second `GDBMFile` on a file this process already has open for writing is
/// refused exactly like another process would be. Keep one `GDBMFile` per file per process and share it.
///
/// ### Concurrency
///
/// `GDBMFile` is `Sendable`. gdbm handles are not thread-safe, so every operation takes a lock (a `Mutex`)
/// for the duration of its gdbm calls: operations from different threads or tasks run one at a time and
/// never interleave. Operations are synchronous and block the calling thread while gdbm does I/O.
///
/// ### Keys and values
///
/// Keys and values are arbitrary bytes, including empty ones, up to `Int32.max` bytes each. Every buffer gdbm
/// returns is copied into Swift memory and freed at once, except in ``withValue(forKey:_:)``, which lends it
/// to a closure without copying and frees it right after.
public final class GDBMFile: Sendable {
    /// The path the file was opened with, as given.
    public let path: String

    /// How the file was opened.
    public let mode: OpenMode

    /// The options the file was opened with.
    public let options: Options

    private struct State {
        var handle: GDBMHandle?
    }

    private let state: Mutex<State>

    /// Opens a GDBM database file, or creates one.
    ///
    /// ```swift
    /// let reader = try GDBMFile(path: "index.db", mode: .readOnly)
    /// let fresh = try GDBMFile(path: "scratch.db", mode: .newDatabase, options: [.closeOnExec])
    /// ```
    ///
    /// A file this initializer creates is in gdbm's standard format, never the extended "numsync" format,
    /// so Python's `dbm.whichdb` recognises it as `dbm.gnu`. If anything fails after gdbm opened the file,
    /// the file is closed again before the error is thrown.
    ///
    /// The corresponding C function is `gdbm_open`, called with a `NULL` fatal-error function: gdbm 1.23
    /// then reports every failure through its return values instead of exiting the process.
    ///
    /// - Parameters:
    ///   - path: The database file's path. GDBM adds no suffix.
    ///   - mode: Whether to open for reading or writing and whether to create the file; ``OpenMode/create``
    ///     by default, like Python's `dbm.gnu.open(path, 'c')`.
    ///   - options: Modifiers such as ``Options/synchronous`` or ``Options/noLocking``; none by default.
    ///   - permissions: The mode bits of a file this call creates, before the process's `umask` is applied.
    ///     The default `0o666` is Python's, so with the usual `umask` of `0o022` the file gets `0o644`.
    ///   - blockSize: The block size of a file this call creates, in bytes; `nil` (the default) or a value
    ///     below 512 means the file system's block size. gdbm may round it up.
    ///   - cacheSize: The number of index buckets to cache in memory; `nil` (the default) lets gdbm size the
    ///     cache automatically, which is fastest. gdbm rounds it up to a power of two. Set with `gdbm_setopt`
    ///     (`GDBM_SETCACHESIZE`).
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/fileNotFound``,
    ///   ``GDBMError/Code-swift.struct/notGDBMFile``, ``GDBMError/Code-swift.struct/locked``,
    ///   ``GDBMError/Code-swift.struct/permissionDenied``, ``GDBMError/Code-swift.struct/corrupt``,
    ///   ``GDBMError/Code-swift.struct/io`` or ``GDBMError/Code-swift.struct/invalidArgument``.
    public init(
        path: String, mode: OpenMode = .create, options: Options = [], permissions: UInt16 = 0o666,
        blockSize: Int? = nil, cacheSize: Int? = nil
    ) throws(GDBMError) {
        let handle = try GDBMHandle.open(
            path: path, mode: mode, options: options, permissions: permissions,
            blockSize: blockSize, cacheSize: cacheSize
        )
        self.path = path
        self.mode = mode
        self.options = options
        self.state = Mutex(State(handle: handle))
    }

    deinit {
        // Best effort: there is no one left to tell about a failure. Call close() to see errors.
        state.withLock { state in
            if let handle = state.handle {
                state.handle = nil
                try? handle.close()
            }
        }
    }

    /// Runs `body` with the open handle while holding the lock, or throws `.closed`.
    @inline(__always)
    private func withHandle<R: Sendable & ~Copyable>(
        _ operation: GDBMOperation, _ body: (GDBMHandle) throws(GDBMError) -> R
    ) throws(GDBMError) -> R {
        try state.withLock { (state) throws(GDBMError) -> R in
            guard let handle = state.handle else {
                throw .closed(operation, path: path)
            }
            return try body(handle)
        }
    }
}

// MARK: - Reading

extension GDBMFile {
    /// Returns a copy of the value stored under a key, or `nil` if the key is absent.
    ///
    /// ```swift
    /// if let value = try db.fetch(Array("apples".utf8)) {
    ///     print(value.count, "bytes")
    /// }
    /// ```
    ///
    /// An absent key is not an error. To read a value without copying it, use ``withValue(forKey:_:)``.
    ///
    /// The corresponding C function is `gdbm_fetch`.
    ///
    /// - Parameter key: The key's bytes; may be empty.
    /// - Returns: The value's bytes (possibly empty), or `nil` if the database has no such key.
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/closed``,
    ///   ``GDBMError/Code-swift.struct/tooLarge`` for a key over `Int32.max` bytes, or a code for a damaged
    ///   file or failed read such as ``GDBMError/Code-swift.struct/corrupt``,
    ///   ``GDBMError/Code-swift.struct/needsRecovery`` or ``GDBMError/Code-swift.struct/io``.
    public func fetch(_ key: [UInt8]) throws(GDBMError) -> [UInt8]? {
        try withHandle(.fetch) { handle throws(GDBMError) in try handle.fetch(key) }
    }

    /// Calls a closure with the bytes of the value stored under a key, without copying them.
    ///
    /// The buffer gdbm returns is lent to `body` and freed as soon as `body` returns or throws; it must not
    /// escape the closure. `body` runs after the file's lock is released, so it may call other methods of
    /// this `GDBMFile`. If the key is absent, `body` is not called.
    ///
    /// ```swift
    /// let count = try db.withValue(forKey: Array("apples".utf8)) { bytes in
    ///     bytes.count
    /// }
    /// ```
    ///
    /// This method throws untyped errors because `body` may throw any error; it throws nothing else.
    ///
    /// The corresponding C function is `gdbm_fetch`.
    ///
    /// - Parameters:
    ///   - key: The key's bytes; may be empty.
    ///   - body: A closure that reads the value's bytes, valid only during the call.
    /// - Returns: What `body` returns, or `nil` if the database has no such key.
    /// - Throws: ``GDBMError``, for the reasons ``fetch(_:)`` does, or the error `body` throws.
    public func withValue<R>(forKey key: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        let found = try withHandle(.fetch) { handle throws(GDBMError) in try handle.fetchBuffer(key) }
        guard let value = consume found else { return nil }
        return try value.withUnsafeBytes(body)
    }

    /// Calls a closure with the bytes of the value stored under a key given as a buffer, without copying
    /// either: the `[UInt8]` form of `withValue(forKey:_:)` for a key that is already in memory, such as a
    /// `String`'s UTF-8.
    ///
    /// ```swift
    /// let key = "apples"
    /// let count = try key.utf8.withContiguousStorageIfAvailable { utf8 in
    ///     try db.withValue(forKey: UnsafeRawBufferPointer(utf8)) { bytes in bytes.count }
    /// }
    /// ```
    ///
    /// The key's bytes are read only during the call to `gdbm_fetch`, before `body` runs.
    ///
    /// - Parameters:
    ///   - key: The key's bytes; may be empty.
    ///   - body: A closure that reads the value's bytes, valid only during the call.
    /// - Returns: What `body` returns, or `nil` if the database has no such key.
    /// - Throws: ``GDBMError``, for the reasons ``fetch(_:)`` does, or the error `body` throws.
    public func withValue<R>(
        forKey key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R? {
        let found = try withHandle(.fetch) { handle throws(GDBMError) in try handle.fetchBuffer(key) }
        guard let value = consume found else { return nil }
        return try value.withUnsafeBytes(body)
    }

    /// Returns whether the database has a record under a key.
    ///
    /// ```swift
    /// if try !db.contains(Array("apples".utf8)) { … }
    /// ```
    ///
    /// The corresponding C function is `gdbm_exists`.
    ///
    /// - Parameter key: The key's bytes; may be empty.
    /// - Returns: `true` if the key is present.
    /// - Throws: ``GDBMError``, for the reasons ``fetch(_:)`` does.
    public func contains(_ key: [UInt8]) throws(GDBMError) -> Bool {
        try withHandle(.contains) { handle throws(GDBMError) in try handle.contains(key) }
    }

    /// The number of records in the database.
    ///
    /// ```swift
    /// print(try db.count, "records")
    /// ```
    ///
    /// Counting reads the whole index, so it takes time proportional to the size of the database.
    ///
    /// The corresponding C function is `gdbm_count`.
    ///
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/closed``, or a code for a damaged
    ///   file or failed read.
    public var count: Int {
        get throws(GDBMError) {
            try withHandle(.count) { handle throws(GDBMError) in try handle.count() }
        }
    }

    /// Returns every key in the database, in gdbm's hash order.
    ///
    /// ```swift
    /// for key in try db.keys() {
    ///     print(String(decoding: key, as: UTF8.self))
    /// }
    /// ```
    ///
    /// The keys are collected into an array before this method returns, holding the file's lock for the
    /// whole walk: gdbm's key walk must not see the file change, so changing the database while looping
    /// over the returned keys is safe. The order is neither insertion nor sorted order.
    ///
    /// The corresponding C functions are `gdbm_firstkey` and `gdbm_nextkey`.
    ///
    /// - Returns: The keys, each a copy.
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/closed``, or a code for a damaged
    ///   file or failed read.
    public func keys() throws(GDBMError) -> [[UInt8]] {
        try withHandle(.keys) { handle throws(GDBMError) in try handle.keys() }
    }

    /// Walks the keys as ``keys()`` does, lending each key's bytes to `body` (valid only during the call)
    /// until it returns `false`, without copying them: for the modules of this package, which turn keys into
    /// something else as they go.
    ///
    /// The file's lock is held for the whole walk, so `body` must not use this file (that would deadlock).
    ///
    /// - Parameter body: A closure that reads one key and returns whether to go on.
    /// - Throws: ``GDBMError``, for the reasons ``keys()`` does.
    package func forEachKey(_ body: (UnsafeRawBufferPointer) -> Bool) throws(GDBMError) {
        try withHandle(.keys) { handle throws(GDBMError) in try handle.forEachKey(body) }
    }
}

// MARK: - Writing

extension GDBMFile {
    /// Stores a value under a key, replacing any value already there.
    ///
    /// ```swift
    /// try db.store(Array("3".utf8), forKey: Array("apples".utf8))
    /// ```
    ///
    /// The change reaches the disk at the next ``sync()`` or ``close()`` (or at once with
    /// ``Options/synchronous``).
    ///
    /// The corresponding C function is `gdbm_store` with `GDBM_REPLACE`.
    ///
    /// - Parameters:
    ///   - value: The value's bytes; may be empty.
    ///   - key: The key's bytes; may be empty.
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/readOnly`` on a handle opened with
    ///   ``OpenMode/readOnly``, ``GDBMError/Code-swift.struct/tooLarge`` for a key or value over
    ///   `Int32.max` bytes, ``GDBMError/Code-swift.struct/closed``, or a code for a damaged file or failed
    ///   write.
    public func store(_ value: [UInt8], forKey key: [UInt8]) throws(GDBMError) {
        _ = try withHandle(.store) { handle throws(GDBMError) in
            try handle.store(value, forKey: key, replace: true)
        }
    }

    /// Stores a value under a key, both given as buffers, replacing any value already there: the `[UInt8]`
    /// form of `store(_:forKey:)` for bytes that are already in memory, such as a `String`'s UTF-8.
    ///
    /// ```swift
    /// let key = "apples", value: [UInt8] = [0x33]
    /// try key.utf8.withContiguousStorageIfAvailable { utf8 in
    ///     try value.withUnsafeBytes { try db.store($0, forKey: UnsafeRawBufferPointer(utf8)) }
    /// }
    /// ```
    ///
    /// The bytes are read only during the call to `gdbm_store`.
    ///
    /// - Parameters:
    ///   - value: The value's bytes; may be empty.
    ///   - key: The key's bytes; may be empty.
    /// - Throws: ``GDBMError``, for the reasons the `[UInt8]` form does.
    public func store(_ value: UnsafeRawBufferPointer, forKey key: UnsafeRawBufferPointer) throws(GDBMError) {
        _ = try withHandle(.store) { handle throws(GDBMError) in
            try handle.store(value, forKey: key, replace: true)
        }
    }

    /// Stores a value under a key only if the key is absent.
    ///
    /// ```swift
    /// if try !db.insert(Array("1".utf8), forKey: Array("pears".utf8)) {
    ///     print("pears were already there")
    /// }
    /// ```
    ///
    /// The corresponding C function is `gdbm_store` with `GDBM_INSERT`.
    ///
    /// - Parameters:
    ///   - value: The value's bytes; may be empty.
    ///   - key: The key's bytes; may be empty.
    /// - Returns: `true` if the value was stored, `false` if the key was already present (its value is
    ///   unchanged).
    /// - Throws: ``GDBMError``, for the reasons ``store(_:forKey:)`` does.
    @discardableResult
    public func insert(_ value: [UInt8], forKey key: [UInt8]) throws(GDBMError) -> Bool {
        try withHandle(.insert) { handle throws(GDBMError) in
            try handle.store(value, forKey: key, replace: false)
        }
    }

    /// Removes the record under a key.
    ///
    /// ```swift
    /// do {
    ///     try db.delete(Array("apples".utf8))
    /// } catch GDBMError.Code.itemNotFound {
    ///     // there were no apples
    /// }
    /// ```
    ///
    /// The space the record used is reused by later stores; ``reorganize()`` gives it back to the file system.
    ///
    /// The corresponding C function is `gdbm_delete`.
    ///
    /// - Parameter key: The key's bytes; may be empty.
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/itemNotFound`` if the key is absent,
    ///   ``GDBMError/Code-swift.struct/readOnly`` on a read-only handle, or another code for the reasons
    ///   ``store(_:forKey:)`` gives.
    public func delete(_ key: [UInt8]) throws(GDBMError) {
        try withHandle(.delete) { handle throws(GDBMError) in try handle.delete(key) }
    }
}

// MARK: - Maintenance

extension GDBMFile {
    /// Writes all changes made so far to the disk.
    ///
    /// Call it at points where the data are consistent for your program: a crash loses at most the changes
    /// made since the last sync. ``close()`` syncs too. Syncing a read-only handle does nothing.
    ///
    /// ```swift
    /// try db.store(order, forKey: orderID)
    /// try db.store(updatedStock, forKey: itemID)
    /// try db.sync()
    /// ```
    ///
    /// The corresponding C function is `gdbm_sync`.
    ///
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/closed`` or
    ///   ``GDBMError/Code-swift.struct/io``.
    public func sync() throws(GDBMError) {
        try withHandle(.sync) { handle throws(GDBMError) in try handle.sync() }
    }

    /// Rebuilds the file to give the space of deleted records back to the file system.
    ///
    /// gdbm writes a new file beside the old one and renames it over the old one, so it needs free space for
    /// a second copy of the database. The handle stays open and keeps its lock.
    ///
    /// ```swift
    /// for key in try db.keys() where isStale(key) { try db.delete(key) }
    /// try db.reorganize()
    /// ```
    ///
    /// The corresponding C function is `gdbm_reorganize`.
    ///
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/readOnly`` on a read-only handle,
    ///   ``GDBMError/Code-swift.struct/closed``, or ``GDBMError/Code-swift.struct/io``.
    public func reorganize() throws(GDBMError) {
        try withHandle(.reorganize) { handle throws(GDBMError) in try handle.reorganize() }
    }

    /// Whether gdbm found the file structurally inconsistent, so that every operation but
    /// ``recover(force:keepingBackup:maxFailedKeys:maxFailedBuckets:maxFailures:)`` fails with
    /// ``GDBMError/Code-swift.struct/needsRecovery``.
    ///
    /// ```swift
    /// if try db.needsRecovery { try db.recover() }
    /// ```
    ///
    /// The corresponding C function is `gdbm_needs_recovery`.
    ///
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/closed``.
    public var needsRecovery: Bool {
        get throws(GDBMError) {
            try withHandle(.inspect) { handle throws(GDBMError) in handle.needsRecovery() }
        }
    }

    /// Checks the file's structure and rebuilds it, keeping every record that can still be read.
    ///
    /// Use it after an operation failed with ``GDBMError/Code-swift.struct/needsRecovery`` or
    /// ``GDBMError/Code-swift.struct/corrupt``. gdbm checks the file first and rebuilds it only if it finds
    /// damage, unless `force` is `true`. The rebuilt file replaces the old one, like ``reorganize()``; the
    /// handle stays open and usable.
    ///
    /// ```swift
    /// do {
    ///     _ = try db.fetch(key)
    /// } catch let error as GDBMError where error.code == .needsRecovery || error.code == .corrupt {
    ///     let report = try db.recover(keepingBackup: true)
    ///     print("lost \(report.failedKeys) records; old file kept at \(report.backupPath ?? "-")")
    /// }
    /// ```
    ///
    /// The corresponding C function is `gdbm_recover`.
    ///
    /// - Parameters:
    ///   - force: Rebuild even if the check finds nothing wrong (`GDBM_RCVR_FORCE`).
    ///   - keepingBackup: Keep a copy of the file as it was, named in the report (`GDBM_RCVR_BACKUP`).
    ///   - maxFailedKeys: Give up once this many records could not be read.
    ///   - maxFailedBuckets: Give up once this many index buckets could not be read.
    ///   - maxFailures: Give up once this many errors of any kind occurred.
    /// - Returns: What was recovered and lost.
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/readOnly`` on a read-only handle,
    ///   ``GDBMError/Code-swift.struct/closed``, ``GDBMError/Code-swift.struct/invalidArgument`` for a limit
    ///   below 1, or another code if recovery failed or reached a limit.
    @discardableResult
    public func recover(
        force: Bool = false, keepingBackup: Bool = false, maxFailedKeys: Int? = nil,
        maxFailedBuckets: Int? = nil, maxFailures: Int? = nil
    ) throws(GDBMError) -> RecoveryReport {
        try withHandle(.recover) { handle throws(GDBMError) in
            try handle.recover(
                force: force, keepingBackup: keepingBackup, maxFailedKeys: maxFailedKeys,
                maxFailedBuckets: maxFailedBuckets, maxFailures: maxFailures
            )
        }
    }

    /// Closes the file, writing all changes to disk and releasing its lock.
    ///
    /// Closing is idempotent: closing a closed file does nothing. Every other operation on a closed file
    /// throws ``GDBMError/Code-swift.struct/closed``. The handle is released even if this method throws;
    /// the error reports changes that may not have reached the disk.
    ///
    /// ```swift
    /// let db = try GDBMFile(path: "inventory.db")
    /// defer { try? db.close() }
    /// ```
    ///
    /// If a `GDBMFile` is never closed, it closes itself when its last reference goes away, ignoring errors.
    ///
    /// The corresponding C function is `gdbm_close`.
    ///
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/io`` if writing pending changes or
    ///   closing the file descriptor failed.
    public func close() throws(GDBMError) {
        try state.withLock { (state) throws(GDBMError) in
            guard let handle = state.handle else { return }
            state.handle = nil
            try handle.close()
        }
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool {
        state.withLock { $0.handle == nil }
    }
}

// MARK: - Settings

extension GDBMFile {
    /// The number of index buckets gdbm currently caches in memory.
    ///
    /// ```swift
    /// let db = try GDBMFile(path: path, cacheSize: 100)
    /// print(try db.cacheSize)  // 128: gdbm rounds up to a power of two
    /// ```
    ///
    /// The corresponding C function is `gdbm_setopt` with `GDBM_GETCACHESIZE`.
    ///
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/closed``.
    public var cacheSize: Int {
        get throws(GDBMError) {
            try withHandle(.inspect) { handle throws(GDBMError) in try handle.cacheSize() }
        }
    }

    /// The file's block size in bytes, the unit gdbm reads and writes.
    ///
    /// ```swift
    /// print(try db.blockSize)  // 4096 on most file systems
    /// ```
    ///
    /// The corresponding C function is `gdbm_setopt` with `GDBM_GETBLOCKSIZE`.
    ///
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/closed``.
    public var blockSize: Int {
        get throws(GDBMError) {
            try withHandle(.inspect) { handle throws(GDBMError) in try handle.blockSize() }
        }
    }

    /// The file descriptor gdbm uses, for your own locking with ``Options/noLocking``.
    ///
    /// The descriptor belongs to this `GDBMFile`: do not close it, and do not read or write through it.
    ///
    /// ```swift
    /// let db = try GDBMFile(path: path, options: .noLocking)
    /// let fd = try db.fileDescriptor
    /// // lock fd with flock(2) or fcntl(2) around your operations
    /// ```
    ///
    /// The corresponding C function is `gdbm_fdesc`.
    ///
    /// - Throws: ``GDBMError`` with code ``GDBMError/Code-swift.struct/closed``.
    public var fileDescriptor: Int32 {
        get throws(GDBMError) {
            try withHandle(.inspect) { handle throws(GDBMError) in handle.fileDescriptor() }
        }
    }

    /// Whether the file is in gdbm's extended "numsync" format, which this module never creates.
    internal var isExtendedFormat: Bool {
        get throws(GDBMError) {
            try withHandle(.inspect) { handle throws(GDBMError) in try handle.isExtendedFormat() }
        }
    }

    /// The version of the gdbm library in use, like `GDBM version 1.23. 04/02/2022`.
    ///
    /// ```swift
    /// print(GDBMFile.libraryVersion)
    /// ```
    ///
    /// The corresponding C variable is `gdbm_version`.
    public static var libraryVersion: String {
        GDBMHandle.libraryVersion
    }
}
