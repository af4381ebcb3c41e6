import GDBM
import Pickle

/// A persistent dictionary of Python objects in one file: Python's `shelve`, for Swift.
///
/// A shelf maps `String` keys to values: any ``PickleValue``, or with ``value(_:forKey:)`` and
/// ``setValue(_:forKey:)-(T,_)`` any `Codable` type. The file is a GDBM database whose keys are the keys' UTF-8
/// bytes and whose values are pickles, exactly what Python's `shelve` writes on `dbm.gnu`: a shelf written
/// here opens with `shelve.open(path)` in Python, and the other way round.
///
/// ```swift
/// import Shelve
///
/// let shelf = try Shelf(path: "shop.db")            // created if missing
/// shelf["apples"] = 3
/// shelf["basket"] = ["apples", "pears"]             // a Python list
/// print(shelf["apples"] ?? "none")                  // 3
/// try shelf.close()                                 // throws any failure the subscripts recorded
/// ```
///
/// ## Subscripts never fail silently
///
/// Swift subscripts cannot throw, but writing can fail (a read-only shelf, a value that cannot be pickled,
/// a full disk) and so can reading (a stored value that is not a pickle this package can load). The
/// subscripts therefore follow one rule:
///
/// - A **failed write** through the subscript changes nothing and is **recorded**.
/// - A **read of a value that exists but cannot be decoded** returns `nil` *and* is **recorded**, so it never
///   passes for a missing key without a trace. A missing key returns `nil` and records nothing.
/// - Recorded failures are in ``pendingErrors``, and the next ``sync()`` or ``close()`` throws them as one
///   ``ShelfError`` with code ``ShelfError/Code-swift.struct/deferredFailures``, listing each in
///   ``ShelfError/failures``. Throwing them clears them.
///
/// Where you need to handle a failure at the spot, use the throwing methods: ``value(forKey:)``,
/// ``setValue(_:forKey:)-(PickleValue,_)``, ``removeValue(forKey:)`` and ``delete(_:)``.
///
/// ## Caching with writeback
///
/// A shelf returns a new copy of a stored value each time it is read: changing that copy (appending to a
/// ``PickleList``, say) changes nothing on disk until it is assigned back. With `writeback: true`, the shelf
/// behaves like Python's `shelve.open(path, writeback=True)`: every value read or written is kept in a cache,
/// reads return the *same* object each time, and ``sync()`` and ``close()`` write every cached value back in
/// one batch, so changes made to cached objects persist. Writes through a writeback shelf still go to the
/// file at once. See <doc:Writeback> for the details and the two CPython bugs this type does not have.
///
/// ## Concurrency
///
/// `Shelf` is not `Sendable`: its cache holds ``PickleValue``s, whose containers are shared, unsynchronized
/// references. Confine a shelf to one task, thread or actor; to share it, put it in an actor (see
/// <doc:Concurrency>). Across processes, GDBM's lock allows one writer or any number of readers; a conflicting
/// open throws ``ShelfError/Code-swift.struct/locked`` unless a `lockTimeout` lets it wait.
///
/// ## Closing
///
/// ``close()`` writes the cache back, closes the file and throws anything still unreported. Close every shelf
/// you open, or use ``withShelf(path:mode:protocol:writeback:permissions:lockTimeout:_:)``, which always
/// closes. A shelf that is never closed closes itself when its last reference goes away, but any failure
/// then, of writing back or of a subscript, is lost.
public final class Shelf {
    /// The path of the shelf's file, as given when opening.
    public let path: String

    /// How the shelf was opened.
    public let mode: OpenMode

    /// The pickle protocol values are written with, 0 to 5.
    public let protocolVersion: Int

    /// Whether the shelf caches every value read or written and writes the cache back at ``sync()`` and
    /// ``close()``, like Python's `writeback=True`.
    public let isWriteback: Bool

    /// The file, open until ``close()``: a constant, so that reading it costs no retain (see ``file``). Use it
    /// only after checking ``closed``.
    internal let openedFile: GDBMFile

    /// Whether ``close()`` has been called.
    internal private(set) var closed = false

    /// The open file, or `nil` once closed.
    internal var file: GDBMFile? {
        @inline(__always) get { closed ? nil : openedFile }
    }

    /// The writeback cache, by key bytes; always empty without writeback.
    internal var cache: [CacheKey: PickleValue] = [:]

    /// Failures of subscripts, waiting for the next `sync()` or `close()`.
    internal var recorded: [ShelfError] = []

    /// The pickler and unpickler.
    internal let codec: ShelfCodec

    /// The encoder that turns `Encodable` values into ``PickleValue``s, for
    /// ``setValue(_:forKey:)-(T,_)`` and ``TypedShelf``.
    ///
    /// Change its options, like the date strategy or `userInfo`, before writing:
    ///
    /// ```swift
    /// shelf.encoder.dateEncodingStrategy = .secondsSince1970
    /// ```
    ///
    /// Its `protocolVersion` is ignored: values are always encoded for the shelf's ``protocolVersion``.
    public var encoder = PickleEncoder()

    /// The decoder that turns stored ``PickleValue``s into `Decodable` values, for ``value(_:forKey:)`` and
    /// ``TypedShelf``.
    ///
    /// ```swift
    /// shelf.decoder.userInfo[schemaVersionKey] = 2
    /// ```
    public var decoder = PickleDecoder()

    /// The protocol a shelf writes when none is given: 5, which every Python from 3.8 reads.
    ///
    /// Python 3.8 to 3.13 write protocol 4 by default, 3.14 and later 5. Pass `protocol: 4` to share a shelf
    /// with Python 3.4 to 3.7, `protocol: 2` for Python 2.
    public static let defaultProtocol = 5

    /// Opens a shelf, or creates one.
    ///
    /// ```swift
    /// let shelf = try Shelf(path: "shop.db")                                 // read-write, created if missing
    /// let reader = try Shelf(path: "shop.db", mode: .readOnly)              // shared with other readers
    /// let cached = try Shelf(path: "shop.db", writeback: true)              // Python's writeback=True
    /// let patient = try Shelf(path: "shop.db", lockTimeout: .seconds(5))   // waits for another writer
    /// ```
    ///
    /// The file is a standard GDBM file; no suffix is added to `path`. Python opens it with
    /// `shelve.open(path)` (its `dbm.whichdb` says `dbm.gnu`).
    ///
    /// GDBM never waits for a lock: if another process, or another handle in this process, has the file open
    /// in a conflicting way, the open fails at once with ``ShelfError/Code-swift.struct/locked``. With a
    /// `lockTimeout`, the initializer instead tries again, waiting a little longer each time (from 1 ms up
    /// to 100 ms between attempts), until it succeeds or the timeout has passed.
    ///
    /// - Parameters:
    ///   - path: The shelf's file.
    ///   - mode: ``OpenMode/create`` (the default) to read and write, creating the file if needed;
    ///     ``OpenMode/readWrite`` for an existing file; ``OpenMode/readOnly`` to only read, sharing the file
    ///     with other readers; ``OpenMode/newShelf`` to start empty.
    ///   - protocolVersion: The pickle protocol to write values with, 0 to 5; ``defaultProtocol`` (5) unless
    ///     given. Values of any protocol are read.
    ///   - writeback: Whether to cache every value read or written and write the cache back at ``sync()`` and
    ///     ``close()``, like Python's `writeback=True`.
    ///   - permissions: The mode bits of a file this call creates, before the `umask` is applied; `0o666` is
    ///     Python's default.
    ///   - lockTimeout: How long to keep trying while the file is locked; `nil` (the default) fails at once.
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/fileNotFound``,
    ///   ``ShelfError/Code-swift.struct/notAShelf`` (not a GDBM file), ``ShelfError/Code-swift.struct/locked``,
    ///   ``ShelfError/Code-swift.struct/permissionDenied``, ``ShelfError/Code-swift.struct/invalidArgument``
    ///   (a protocol outside 0...5 or a negative timeout) or ``ShelfError/Code-swift.struct/storage``.
    public convenience init(
        path: String, mode: OpenMode = .create, protocol protocolVersion: Int = Shelf.defaultProtocol,
        writeback: Bool = false, permissions: UInt16 = 0o666, lockTimeout: Duration? = nil
    ) throws(ShelfError) {
        try self.init(
            path: path, mode: mode, protocolVersion: protocolVersion, writeback: writeback,
            permissions: permissions, lockTimeout: lockTimeout, onLockConflict: nil
        )
    }

    /// Opens a shelf; `onLockConflict` runs after each attempt that found the file locked and will be retried.
    internal init(
        path: String, mode: OpenMode, protocolVersion: Int, writeback: Bool, permissions: UInt16,
        lockTimeout: Duration?, onLockConflict: (() -> Void)?
    ) throws(ShelfError) {
        guard (0...5).contains(protocolVersion) else {
            throw .invalidArgument(
                "pickle protocol \(protocolVersion) does not exist; use 0 to 5", .open(mode), path: path
            )
        }
        if let lockTimeout, lockTimeout < .zero {
            throw .invalidArgument("the lock timeout \(lockTimeout) is negative", .open(mode), path: path)
        }
        do {
            self.codec = try ShelfCodec(protocolVersion: protocolVersion)
        } catch {
            throw .invalidArgument("\(error)", .open(mode), path: path)
        }
        self.openedFile = try Self.openFile(
            path: path, mode: mode, permissions: permissions, lockTimeout: lockTimeout,
            onLockConflict: onLockConflict
        )
        self.path = path
        self.mode = mode
        self.protocolVersion = protocolVersion
        self.isWriteback = writeback
    }

    /// Opens the GDBM file, retrying lock conflicts with a doubling pause until `lockTimeout` has passed.
    private static func openFile(
        path: String, mode: OpenMode, permissions: UInt16, lockTimeout: Duration?, onLockConflict: (() -> Void)?
    ) throws(ShelfError) -> GDBMFile {
        let clock = ContinuousClock()
        let start = clock.now
        var pauseLength = Duration.milliseconds(1)
        while true {
            do {
                return try GDBMFile(path: path, mode: mode.gdbmMode, permissions: permissions)
            } catch  where error.code == .locked {
                guard let lockTimeout else { throw ShelfError(error, .open(mode), path: path) }
                let waited = start.duration(to: clock.now)
                guard waited < lockTimeout else {
                    throw .locked(error, .open(mode), path: path, waited: waited)
                }
                onLockConflict?()
                pause(for: min(pauseLength, lockTimeout - waited))
                pauseLength = min(pauseLength * 2, .milliseconds(100))
            } catch {
                throw ShelfError(error, .open(mode), path: path)
            }
        }
    }

    deinit {
        // Best effort: there is no one left to tell about a failure. Call close() to see errors.
        guard let file else { return }
        var lost: [ShelfError] = []
        writeBackCache(to: file, failures: &lost)
        try? file.close()
    }
}

// MARK: - Scoped use

extension Shelf {
    /// Opens a shelf, runs `body` with it, and closes it, even when `body` throws: Python's
    /// `with shelve.open(path) as shelf:`.
    ///
    /// ```swift
    /// let total = try Shelf.withShelf(path: "shop.db") { shelf in
    ///     shelf["visits"] = .int((shelf["visits"]?.intValue ?? 0) + 1)
    ///     return try shelf.count
    /// }
    /// ```
    ///
    /// Closing writes back the cache and throws what the subscripts recorded (see ``close()``). If `body`
    /// returns, a failure to close is thrown; if `body` throws, its error is thrown and a failure to close is
    /// lost.
    ///
    /// - Parameters:
    ///   - path: The shelf's file.
    ///   - mode: How to open it; see ``init(path:mode:protocol:writeback:permissions:lockTimeout:)``.
    ///   - protocolVersion: The pickle protocol to write values with, 0 to 5.
    ///   - writeback: Whether to cache every value read or written, like Python's `writeback=True`.
    ///   - permissions: The mode bits of a file this call creates, before the `umask` is applied.
    ///   - lockTimeout: How long to keep trying while the file is locked; `nil` fails at once.
    ///   - body: The work to do with the open shelf. The shelf must not be used after `body` returns.
    /// - Returns: What `body` returns.
    /// - Throws: ``ShelfError`` from opening or closing, or the error `body` throws.
    public static func withShelf<R>(
        path: String, mode: OpenMode = .create, protocol protocolVersion: Int = Shelf.defaultProtocol,
        writeback: Bool = false, permissions: UInt16 = 0o666, lockTimeout: Duration? = nil,
        _ body: (Shelf) throws -> R
    ) throws -> R {
        let shelf = try Shelf(
            path: path, mode: mode, protocol: protocolVersion, writeback: writeback, permissions: permissions,
            lockTimeout: lockTimeout
        )
        let result: R
        do {
            result = try body(shelf)
        } catch {
            try? shelf.close()
            throw error
        }
        try shelf.close()
        return result
    }
}

// MARK: - Syncing and closing

extension Shelf {
    /// Whether ``close()`` has been called. Every operation on a closed shelf throws
    /// ``ShelfError/Code-swift.struct/closed``.
    public var isClosed: Bool {
        file == nil
    }

    /// Writes the writeback cache back, writes all changes to disk, and throws any failure the subscripts
    /// recorded.
    ///
    /// With writeback, every cached value is pickled and stored again, changed or not, and the cache is
    /// emptied, as in Python. A cached value that can no longer be pickled (it was changed to hold something
    /// that cannot be) is dropped from the cache, so later syncs do not fail on it again; the file keeps the
    /// value last stored for that key. A value that could not be stored for another reason (a full disk)
    /// stays cached for the next sync. Writeback stays on either way. On a read-only shelf the cache is
    /// emptied without writing: nothing can be stored there.
    ///
    /// Once `sync()` returns, everything written so far is on the disk and survives a crash of the program;
    /// see <doc:Durability> for what survives a crash of the machine.
    ///
    /// ```swift
    /// let shelf = try Shelf(path: "shop.db", writeback: true)
    /// shelf["basket"] = ["apples"]
    /// if case .list(let basket) = shelf["basket"] { basket.append("pears") }
    /// try shelf.sync()     // the basket now holds pears on disk too
    /// ```
    ///
    /// - Throws: ``ShelfError``: ``ShelfError/Code-swift.struct/closed`` on a closed shelf; the failure of
    ///   this sync itself when it is the only one; or ``ShelfError/Code-swift.struct/deferredFailures`` with
    ///   every failure the subscripts recorded since the last sync, then those of this sync, in
    ///   ``ShelfError/failures``. Even when it throws, everything that could be written was written.
    public func sync() throws(ShelfError) {
        guard let file else { throw .closed(.sync, path: path) }
        var failures: [ShelfError] = []
        writeBackCache(to: file, failures: &failures)
        do {
            try file.sync()
        } catch {
            failures.append(ShelfError(error, .sync, path: path))
        }
        try throwFailures(failures)
    }

    /// Writes the writeback cache back, closes the file, and throws any failure not yet reported.
    ///
    /// Closing releases the file's lock, even when it throws. It is idempotent: closing a closed shelf does
    /// nothing, except throw what subscripts used after the first close recorded.
    ///
    /// ```swift
    /// let shelf = try Shelf(path: "shop.db")
    /// defer { try? shelf.close() }   // or, to see the errors, call close() and handle them
    /// ```
    ///
    /// - Throws: ``ShelfError``, like ``sync()``: the failure of writing back or closing when it is the only
    ///   one, or ``ShelfError/Code-swift.struct/deferredFailures`` with every recorded failure.
    public func close() throws(ShelfError) {
        guard let file else {
            try throwFailures([])
            return
        }
        var failures: [ShelfError] = []
        writeBackCache(to: file, failures: &failures)
        closed = true
        cache.removeAll()
        do {
            try file.close()
        } catch {
            failures.append(ShelfError(error, .close, path: path))
        }
        try throwFailures(failures)
    }

    /// Syncs, then rebuilds the file to give the space of deleted and overwritten records back to the file
    /// system.
    ///
    /// GDBM reuses freed space for later writes but never shrinks the file by itself. Reorganizing writes a
    /// new copy of the database beside the old one, so it needs free space for a second copy. Like Python's
    /// `Shelf.reorganize()` (3.15).
    ///
    /// ```swift
    /// for key in try shelf.keys() where key.hasPrefix("tmp-") { try shelf.delete(key) }
    /// try shelf.reorganize()
    /// ```
    ///
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/readOnly`` on a read-only shelf,
    ///   ``ShelfError/Code-swift.struct/closed``, whatever ``sync()`` throws (then nothing is reorganized),
    ///   or ``ShelfError/Code-swift.struct/storage``.
    public func reorganize() throws(ShelfError) {
        guard let file else { throw .closed(.reorganize, path: path) }
        guard mode.isWritable else { throw .readOnly(.reorganize, path: path) }
        try sync()
        do {
            try file.reorganize()
        } catch {
            throw ShelfError(error, .reorganize, path: path)
        }
    }

    /// Stores every cached value again and empties the cache, keeping only values that could not be stored
    /// for a reason other than pickling; appends each failure to `failures`.
    internal func writeBackCache(to file: GDBMFile, failures: inout [ShelfError]) {
        guard !cache.isEmpty else { return }
        guard mode.isWritable else {
            cache.removeAll()
            return
        }
        let entries = cache
        cache.removeAll()
        for (key, value) in entries {
            let rawKey = key.bytes
            let failure = rawKey.withUnsafeBytes { codec.store(value, in: file, forKey: $0) }
            if let failure {
                switch failure {
                case .encoding(let error):
                    failures.append(
                        .encodingFailed(
                            .writeBack(rawKey), path: path, protocolVersion: protocolVersion, underlying: error
                        )
                    )
                case .storage(let error):
                    failures.append(ShelfError(error, .writeBack(rawKey), path: path))
                    cache[key] = value
                }
            }
        }
    }

    /// Throws nothing if there are no failures; else the single failure of this call, or every recorded
    /// failure and those of this call as one `deferredFailures` error. Clears the recorded failures.
    internal func throwFailures(_ failures: [ShelfError]) throws(ShelfError) {
        if recorded.isEmpty {
            if failures.isEmpty { return }
            if failures.count == 1 { throw failures[0] }
        }
        let all = recorded + failures
        recorded.removeAll()
        throw .deferred(all, path: path)
    }
}
