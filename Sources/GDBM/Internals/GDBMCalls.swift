// Every call into libgdbm, as thin wrappers that turn return codes into `GDBMError`s.
//
// This is the one place to audit the C boundary:
// - each call on an open file reads, only when it failed, the error gdbm recorded in that file
//   (`gdbm_last_errno`, and `gdbm_last_syserr` for the system error, which gdbm saves with the error codes that
//   have one: `capturingFileErrors`); opening and the calls whose result does not show failure clear
//   `gdbm_errno` and `errno` (both thread-local) right before the call and read both right after it, in the
//   same synchronous function (`capturingErrors`);
// - every buffer gdbm returns is copied and freed here, or handed out as a `FetchedValue` that frees it
//   in its `deinit`;
// - every size is checked against gdbm's `int` before the call, and no datum passed to gdbm has a NULL
//   pointer (gdbm rejects those even with size 0);
// - every gdbm error code maps to a `GDBMError.Code` in `GDBMHandle.error(_:_:_:)`.
//
// `GDBMHandle` is not thread-safe; `GDBMFile` serializes all use of it.

internal import CGDBM

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// One open `GDBM_FILE` and the path it was opened with. Owned by exactly one ``GDBMFile``.
internal struct GDBMHandle {
    let raw: OpaquePointer
    let path: String

    /// The largest key or value gdbm can take: its `datum.dsize` is a C `int`.
    static let maximumDatumSize = Int(Int32.max)

    /// The gdbm release this module was linked against, like `GDBM version 1.23. 04/02/2022`.
    static var libraryVersion: String {
        String(cString: cgdbm_version())
    }
}

// MARK: - Opening and closing

extension GDBMHandle {
    /// Opens `path` with `gdbm_open`, then applies the cache size; closes the handle again if that fails.
    static func open(
        path: String, mode: GDBMFile.OpenMode, options: GDBMFile.Options, permissions: UInt16,
        blockSize: Int?, cacheSize: Int?
    ) throws(GDBMError) -> GDBMHandle {
        let operation = GDBMOperation.open(mode)
        if path.utf8.contains(0) {
            throw .invalidArgument("the path contains a NUL character", operation, path: path)
        }
        var requestedBlockSize: Int32 = 0  // gdbm: anything below 512 means "the file system's block size"
        if let blockSize {
            guard blockSize > 0, blockSize <= Int(Int32.max) else {
                throw .invalidArgument("the block size \(blockSize) is not between 1 and \(Int32.max)", operation,
                                       path: path)
            }
            requestedBlockSize = Int32(blockSize)
        }
        if let cacheSize, cacheSize < 1 {
            throw .invalidArgument("the cache size \(cacheSize) is not a positive number of buckets", operation,
                                   path: path)
        }
        guard permissions <= 0o7777 else {
            throw .invalidArgument("the permissions 0o\(String(permissions, radix: 8)) are not a file mode",
                                   operation, path: path)
        }
        let flags = mode.gdbmFlags | options.gdbmFlags

        // NULL fatal function: gdbm 1.23 then reports every failure through its return value and gdbm_errno
        // instead of calling it and exiting.
        let (opened, gdbmCode, systemCode) = capturingErrors {
            gdbm_open(path, requestedBlockSize, flags, Int32(permissions), nil)
        }
        guard let raw = opened else {
            throw error(gdbmCode, systemCode, operation, path: path)
        }
        let handle = GDBMHandle(raw: raw, path: path)
        if let cacheSize {
            do {
                try handle.setCacheSize(cacheSize)
            } catch {
                _ = capturingErrors { gdbm_close(raw) }
                throw error
            }
        }
        return handle
    }

    /// Closes the handle with `gdbm_close`, which syncs first. The handle is freed even when this throws.
    func close() throws(GDBMError) {
        let (status, gdbmCode, systemCode) = capturingErrors { gdbm_close(raw) }
        if status != 0 {
            throw Self.error(gdbmCode, systemCode, .close, path: path)
        }
    }
}

// MARK: - Records

extension GDBMHandle {
    /// Looks up `key` with `gdbm_fetch`; `nil` if absent. The value's buffer is owned by the result.
    func fetchBuffer(_ key: [UInt8], _ operation: GDBMOperation = .fetch) throws(GDBMError) -> FetchedValue? {
        try checkSize(key.count, "key", operation)
        return try fetched(key.withUnsafeBytes { rawFetch($0) }, operation)
    }

    /// ``fetchBuffer(_:_:)`` for a key in memory the caller owns.
    func fetchBuffer(
        _ key: UnsafeRawBufferPointer, _ operation: GDBMOperation = .fetch
    ) throws(GDBMError) -> FetchedValue? {
        try checkSize(key.count, "key", operation)
        return try fetched(rawFetch(key), operation)
    }

    /// `gdbm_fetch` with the error codes right after it.
    private func rawFetch(_ key: UnsafeRawBufferPointer) -> (datum, gdbmCode: Int32, systemCode: Int32) {
        withDatum(key) { keyDatum in capturingFileErrors(raw, { gdbm_fetch(raw, keyDatum) }, succeeded: { $0.dptr != nil }) }
    }

    /// The value `gdbm_fetch` returned, `nil` for a missing key, or its error.
    private func fetched(
        _ result: (datum, gdbmCode: Int32, systemCode: Int32), _ operation: GDBMOperation
    ) throws(GDBMError) -> FetchedValue? {
        let (found, gdbmCode, systemCode) = result
        guard let pointer = found.dptr else {
            if Int(gdbmCode) == GDBM_ITEM_NOT_FOUND { return nil }
            throw error(gdbmCode, systemCode, operation)
        }
        return FetchedValue(owning: UnsafeMutableRawPointer(pointer), count: Int(found.dsize))
    }

    /// Looks up `key` with `gdbm_fetch` and returns a copy of its value, freeing gdbm's buffer at once.
    func fetch(_ key: [UInt8]) throws(GDBMError) -> [UInt8]? {
        guard let value = try fetchBuffer(key) else { return nil }
        return value.withUnsafeBytes { Array($0) }
    }

    /// Checks for `key` with `gdbm_exists`.
    func contains(_ key: [UInt8]) throws(GDBMError) -> Bool {
        try checkSize(key.count, "key", .contains)
        let (found, gdbmCode, systemCode) = key.withUnsafeBytes { keyBytes in
            withDatum(keyBytes) { keyDatum in
                capturingFileErrors(raw, { gdbm_exists(raw, keyDatum) }, succeeded: { $0 != 0 })
            }
        }
        if found != 0 { return true }
        if Int(gdbmCode) == GDBM_NO_ERROR || Int(gdbmCode) == GDBM_ITEM_NOT_FOUND { return false }
        throw error(gdbmCode, systemCode, .contains)
    }

    /// Stores `value` under `key` with `gdbm_store`. With `replace` false (`GDBM_INSERT`), returns `false`
    /// and changes nothing if the key exists.
    func store(_ value: [UInt8], forKey key: [UInt8], replace: Bool) throws(GDBMError) -> Bool {
        let operation: GDBMOperation = replace ? .store : .insert
        try checkSize(key.count, "key", operation)
        try checkSize(value.count, "value", operation)
        let result = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in rawStore(valueBytes, forKey: keyBytes, replace: replace) }
        }
        return try stored(result, replace: replace)
    }

    /// ``store(_:forKey:replace:)`` for a key and a value in memory the caller owns. Inlined into the file's
    /// one lock-holding call: a shelf stores every record through it.
    @inline(__always)
    func store(
        _ value: UnsafeRawBufferPointer, forKey key: UnsafeRawBufferPointer, replace: Bool
    ) throws(GDBMError) -> Bool {
        let operation: GDBMOperation = replace ? .store : .insert
        try checkSize(key.count, "key", operation)
        try checkSize(value.count, "value", operation)
        return try stored(rawStore(value, forKey: key, replace: replace), replace: replace)
    }

    /// `gdbm_store` with the error codes right after it.
    @inline(__always)
    private func rawStore(
        _ value: UnsafeRawBufferPointer, forKey key: UnsafeRawBufferPointer, replace: Bool
    ) -> (Int32, gdbmCode: Int32, systemCode: Int32) {
        let flag = replace ? GDBM_REPLACE : GDBM_INSERT
        return withDatum(key) { keyDatum in
            withDatum(value) { valueDatum in
                capturingFileErrors(raw, { gdbm_store(raw, keyDatum, valueDatum, flag) }, succeeded: { $0 == 0 })
            }
        }
    }

    /// Whether `gdbm_store` stored the value, or its error.
    @inline(__always)
    private func stored(_ result: (Int32, gdbmCode: Int32, systemCode: Int32), replace: Bool) throws(GDBMError) -> Bool {
        let (status, gdbmCode, systemCode) = result
        switch status {
        case 0: return true
        case 1 where !replace: return false  // the key exists; gdbm_errno is GDBM_CANNOT_REPLACE
        default: throw error(gdbmCode, systemCode, replace ? .store : .insert)
        }
    }

    /// Removes `key` with `gdbm_delete`; a missing key throws `.itemNotFound`.
    func delete(_ key: [UInt8]) throws(GDBMError) {
        try checkSize(key.count, "key", .delete)
        let (status, gdbmCode, systemCode) = key.withUnsafeBytes { keyBytes in
            withDatum(keyBytes) { keyDatum in
                capturingErrors { gdbm_delete(raw, keyDatum) }
            }
        }
        if status != 0 {
            throw error(gdbmCode, systemCode, .delete)
        }
    }

    /// Copies every key with `gdbm_firstkey`/`gdbm_nextkey`.
    func keys() throws(GDBMError) -> [[UInt8]] {
        var keys: [[UInt8]] = []
        try forEachKey { key in
            keys.append(Array(key))
            return true
        }
        return keys
    }

    /// Walks the keys with `gdbm_firstkey`/`gdbm_nextkey`, lending each key's bytes to `body` until it returns
    /// `false`; each key is freed once the next one is read (or the walk stops). Nothing may change the file
    /// during the walk; the caller holds the lock that guarantees it.
    func forEachKey(_ body: (UnsafeRawBufferPointer) -> Bool) throws(GDBMError) {
        var (current, gdbmCode, systemCode) = capturingFileErrors(raw, { gdbm_firstkey(raw) }, succeeded: { $0.dptr != nil })
        while let pointer = current.dptr {
            guard body(UnsafeRawBufferPointer(start: pointer, count: Int(current.dsize))) else {
                free(pointer)
                return
            }
            let previous = current
            (current, gdbmCode, systemCode) = capturingFileErrors(raw, { gdbm_nextkey(raw, previous) }, succeeded: { $0.dptr != nil })
            free(pointer)
        }
        guard Int(gdbmCode) == GDBM_ITEM_NOT_FOUND else {
            throw error(gdbmCode, systemCode, .keys)
        }
    }

    /// Counts the records with `gdbm_count`.
    func count() throws(GDBMError) -> Int {
        var records: gdbm_count_t = 0
        let (status, gdbmCode, systemCode) = capturingErrors { gdbm_count(raw, &records) }
        if status != 0 {
            throw error(gdbmCode, systemCode, .count)
        }
        return Int(clamping: records)
    }
}

// MARK: - Maintenance

extension GDBMHandle {
    /// Flushes changes to disk with `gdbm_sync`.
    func sync() throws(GDBMError) {
        let (status, gdbmCode, systemCode) = capturingErrors { gdbm_sync(raw) }
        if status != 0 {
            throw error(gdbmCode, systemCode, .sync)
        }
    }

    /// Rebuilds the file without the space of deleted records, with `gdbm_reorganize`.
    func reorganize() throws(GDBMError) {
        let (status, gdbmCode, systemCode) = capturingErrors { gdbm_reorganize(raw) }
        if status != 0 {
            throw error(gdbmCode, systemCode, .reorganize)
        }
    }

    /// Whether gdbm marked the handle as needing recovery, with `gdbm_needs_recovery`.
    func needsRecovery() -> Bool {
        gdbm_needs_recovery(raw) != 0
    }

    /// Rebuilds a damaged file with `gdbm_recover`, freeing the backup name gdbm allocates.
    func recover(
        force: Bool, keepingBackup: Bool, maxFailedKeys: Int?, maxFailedBuckets: Int?, maxFailures: Int?
    ) throws(GDBMError) -> GDBMFile.RecoveryReport {
        var request = gdbm_recovery()
        var flags = GDBM_RCVR_DEFAULT
        if force { flags |= GDBM_RCVR_FORCE }
        if keepingBackup { flags |= GDBM_RCVR_BACKUP }
        for (limit, name) in [(maxFailedKeys, "maxFailedKeys"), (maxFailedBuckets, "maxFailedBuckets"),
                              (maxFailures, "maxFailures")] {
            if let limit, limit < 1 {
                throw .invalidArgument("\(name) is \(limit), not a positive number", .recover, path: path)
            }
        }
        if let maxFailedKeys {
            request.max_failed_keys = maxFailedKeys
            flags |= GDBM_RCVR_MAX_FAILED_KEYS
        }
        if let maxFailedBuckets {
            request.max_failed_buckets = maxFailedBuckets
            flags |= GDBM_RCVR_MAX_FAILED_BUCKETS
        }
        if let maxFailures {
            request.max_failures = maxFailures
            flags |= GDBM_RCVR_MAX_FAILURES
        }
        let (status, gdbmCode, systemCode) = capturingErrors { gdbm_recover(raw, &request, flags) }
        let backupPath = request.backup_name.map { String(cString: $0) }
        free(request.backup_name)
        if status != 0 {
            throw error(gdbmCode, systemCode, .recover)
        }
        return GDBMFile.RecoveryReport(
            recoveredKeys: request.recovered_keys, recoveredBuckets: request.recovered_buckets,
            failedKeys: request.failed_keys, failedBuckets: request.failed_buckets,
            duplicateKeys: request.duplicate_keys, backupPath: backupPath
        )
    }
}

// MARK: - Options and properties

extension GDBMHandle {
    /// Sets the bucket cache size with `gdbm_setopt(GDBM_SETCACHESIZE)`.
    func setCacheSize(_ buckets: Int) throws(GDBMError) {
        var value: Int = buckets  // size_t
        let (status, gdbmCode, systemCode) = capturingErrors {
            gdbm_setopt(raw, GDBM_SETCACHESIZE, &value, Int32(MemoryLayout<Int>.size))
        }
        if status != 0 {
            throw error(gdbmCode, systemCode, .configure)
        }
    }

    /// The bucket cache size, from `gdbm_setopt(GDBM_GETCACHESIZE)`.
    func cacheSize() throws(GDBMError) -> Int {
        var value: Int = 0  // size_t
        let (status, gdbmCode, systemCode) = capturingErrors {
            gdbm_setopt(raw, GDBM_GETCACHESIZE, &value, Int32(MemoryLayout<Int>.size))
        }
        if status != 0 {
            throw error(gdbmCode, systemCode, .inspect)
        }
        return value
    }

    /// The file's block size, from `gdbm_setopt(GDBM_GETBLOCKSIZE)`.
    func blockSize() throws(GDBMError) -> Int {
        var value: Int32 = 0  // int
        let (status, gdbmCode, systemCode) = capturingErrors {
            gdbm_setopt(raw, GDBM_GETBLOCKSIZE, &value, Int32(MemoryLayout<Int32>.size))
        }
        if status != 0 {
            throw error(gdbmCode, systemCode, .inspect)
        }
        return Int(value)
    }

    /// The database format, from `gdbm_setopt(GDBM_GETDBFORMAT)`: `0` standard, `GDBM_NUMSYNC` extended.
    func isExtendedFormat() throws(GDBMError) -> Bool {
        var value: Int32 = 0  // int
        let (status, gdbmCode, systemCode) = capturingErrors {
            gdbm_setopt(raw, GDBM_GETDBFORMAT, &value, Int32(MemoryLayout<Int32>.size))
        }
        if status != 0 {
            throw error(gdbmCode, systemCode, .inspect)
        }
        return value & GDBM_NUMSYNC != 0
    }

    /// The file descriptor, from `gdbm_fdesc`.
    func fileDescriptor() -> Int32 {
        gdbm_fdesc(raw)
    }
}

// MARK: - Open flags

extension GDBMFile.OpenMode {
    /// The `GDBM_OPENMASK` part of `gdbm_open`'s flags.
    fileprivate var gdbmFlags: Int32 {
        switch self {
        case .readOnly: GDBM_READER
        case .readWrite: GDBM_WRITER
        case .create: GDBM_WRCREAT
        case .newDatabase: GDBM_NEWDB
        }
    }
}

extension GDBMFile.Options {
    /// The modifier part of `gdbm_open`'s flags. Never includes `GDBM_NUMSYNC`.
    fileprivate var gdbmFlags: Int32 {
        var flags: Int32 = 0
        if contains(.synchronous) { flags |= GDBM_SYNC }
        if contains(.noLocking) { flags |= GDBM_NOLOCK }
        if contains(.noMemoryMapping) { flags |= GDBM_NOMMAP }
        if contains(.closeOnExec) { flags |= GDBM_CLOEXEC }
        if contains(.verifyOnOpen) { flags |= GDBM_XVERIFY }
        if contains(.preread) { flags |= GDBM_PREREAD }
        return flags
    }
}

// MARK: - Memory

/// A value buffer returned by `gdbm_fetch`, freed when this owner is destroyed.
///
/// It is `@unchecked Sendable` because it is the only reference to memory that belongs to no handle:
/// gdbm allocates it with `malloc` for the caller, and being `~Copyable`, it cannot be shared.
internal struct FetchedValue: ~Copyable, @unchecked Sendable {
    private let base: UnsafeMutableRawPointer
    private let count: Int

    fileprivate init(owning base: UnsafeMutableRawPointer, count: Int) {
        self.base = base
        self.count = count
    }

    /// Calls `body` with the value's bytes, valid only during the call.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    deinit {
        free(base)
    }
}

/// Calls `body` with a datum over `bytes`. An empty buffer may have no base address, and gdbm rejects a
/// NULL `dptr` even with size 0, so it then points at a placeholder byte. Sizes are checked beforehand.
private func withDatum<R>(_ bytes: UnsafeRawBufferPointer, _ body: (datum) -> R) -> R {
    if let base = bytes.baseAddress {
        // gdbm does not write through the pointer; `datum` just lacks `const`.
        let pointer = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: CChar.self))
        return body(datum(dptr: pointer, dsize: Int32(bytes.count)))
    }
    var placeholder: CChar = 0
    return withUnsafeMutablePointer(to: &placeholder) { body(datum(dptr: $0, dsize: 0)) }
}

// MARK: - Errors

/// Runs one gdbm call with `gdbm_errno` and `errno` cleared before it, and returns both as they are right
/// after it. Both are thread-local, so they must be read here, in the same synchronous call.
private func capturingErrors<T>(_ call: () -> T) -> (T, gdbmCode: Int32, systemCode: Int32) {
    cgdbm_clear_errno()
    cgdbm_clear_os_errno()
    let result = call()
    return (result, cgdbm_errno(), cgdbm_os_errno())
}

/// Runs `call`, one of gdbm's calls on the open file `raw`, and when `succeeded` says it failed, reads the error
/// gdbm recorded in the file for it: `gdbm_last_errno`, and `gdbm_last_syserr`, the `errno` gdbm saved with
/// it (0 for an error that has none). gdbm records every failure of a call on an open file there, so
/// nothing is cleared before the call, and a successful call (every record read and write, nearly always)
/// touches no thread-local storage.
@inline(__always)
private func capturingFileErrors<T>(
    _ raw: OpaquePointer, _ call: () -> T, succeeded: (T) -> Bool
) -> (T, gdbmCode: Int32, systemCode: Int32) {
    let result = call()
    if succeeded(result) { return (result, Int32(GDBM_NO_ERROR), 0) }
    return (result, gdbm_last_errno(raw), gdbm_last_syserr(raw))
}

extension GDBMHandle {
    /// Checks that a key or value size fits gdbm's `int` `dsize`.
    @inline(__always)
    static func checkSize(
        _ byteCount: Int, _ role: StaticString, _ operation: GDBMOperation, path: String
    ) throws(GDBMError) {
        if byteCount > maximumDatumSize {
            throw tooLarge(byteCount, role, operation, path: path)
        }
    }

    /// ``checkSize(_:_:_:path:)``'s error, out of line: every read and write checks, none is expected to fail.
    @inline(never)
    static func tooLarge(
        _ byteCount: Int, _ role: StaticString, _ operation: GDBMOperation, path: String
    ) -> GDBMError {
        .tooLarge("\(role)", byteCount: byteCount, limit: maximumDatumSize, operation, path: path)
    }

    @inline(__always)
    fileprivate func checkSize(_ byteCount: Int, _ role: StaticString, _ operation: GDBMOperation) throws(GDBMError) {
        try Self.checkSize(byteCount, role, operation, path: path)
    }

    fileprivate func error(_ gdbmCode: Int32, _ systemCode: Int32, _ operation: GDBMOperation) -> GDBMError {
        Self.error(gdbmCode, systemCode, operation, path: path)
    }

    /// Maps a gdbm error code and `errno` from a failed call to a `GDBMError` with an actionable message.
    static func error(
        _ gdbmCode: Int32, _ systemCode: Int32, _ operation: GDBMOperation, path: String
    ) -> GDBMError {
        let code: GDBMError.Code
        let reason: String
        let advice: String
        let errnoMeaning = systemCode != 0 ? String(cString: strerror(systemCode)) : nil
        let systemReason = errnoMeaning.map { $0.prefix(1).lowercased() + $0.dropFirst() } ?? "unknown cause"
        let ioAdvice = "check the disk, free space and permissions"

        switch Int(gdbmCode) {
        case GDBM_FILE_OPEN_ERROR where systemCode == ENOENT || systemCode == ENOTDIR:
            code = .fileNotFound
            reason = "no such file"
            advice = "check the path, or open with mode .create to make a new database"
        case GDBM_FILE_OPEN_ERROR, GDBM_FILE_READ_ERROR, GDBM_FILE_WRITE_ERROR, GDBM_FILE_SEEK_ERROR,
             GDBM_FILE_STAT_ERROR, GDBM_FILE_SYNC_ERROR, GDBM_FILE_TRUNCATE_ERROR, GDBM_FILE_CLOSE_ERROR,
             GDBM_BACKUP_FAILED, GDBM_REORGANIZE_FAILED, GDBM_ERR_SNAPSHOT_CLONE, GDBM_ERR_REALPATH:
            switch systemCode {
            case EACCES, EPERM:
                code = .permissionDenied
                reason = "permission denied"
                advice = operation.writes || isWritableOpen(operation)
                    ? "check the permissions of the file and its directory, or open it with mode .readOnly"
                    : "check the permissions of the file and its directory"
            case EROFS:
                code = .permissionDenied
                reason = "the file system is read-only"
                advice = "open it with mode .readOnly, or copy the file to a writable place"
            case EISDIR:
                code = .invalidArgument
                reason = "it is a directory"
                advice = "give the path of a database file"
            default:
                code = .io
                reason = "an I/O error occurred (\(systemReason))"
                advice = ioAdvice
            }
        case GDBM_BAD_MAGIC_NUMBER:
            code = .notGDBMFile
            reason = "it is not a GDBM database (wrong magic number)"
            advice = "check the path, or open it with mode .newDatabase to replace its contents"
        case GDBM_FILE_EOF where isOpen(operation):
            // gdbm 1.23 reads a fixed-size header first: a shorter file ends before the magic number is checked.
            code = .notGDBMFile
            reason = "it is too short to be a GDBM database"
            advice = "check the path, or open it with mode .newDatabase to replace its contents"
        case GDBM_EMPTY_DATABASE:
            code = .notGDBMFile
            reason = "it is an empty file, not a GDBM database"
            advice = "open it with mode .create or .readWrite to make it a database, or check the path"
        case GDBM_BYTE_SWAPPED, GDBM_BAD_FILE_OFFSET:
            code = .notGDBMFile
            reason = "it is a GDBM database from a machine with a different byte order or word size"
            advice = "convert it on that machine with gdbm_dump, and load the dump here with gdbm_load"
        case GDBM_CANT_BE_READER, GDBM_CANT_BE_WRITER:
            if systemCode == 0 || systemCode == EAGAIN || systemCode == EWOULDBLOCK || systemCode == EACCES {
                code = .locked
                if Int(gdbmCode) == GDBM_CANT_BE_READER {
                    reason = "it is locked by a writer (in another process, or another handle in this process)"
                    advice = "close the writer first; GDBM allows one writer or many readers"
                } else {
                    reason = "it is locked by another handle (in another process, or in this process)"
                    advice = "close it there, or open with mode .readOnly if every other handle only reads"
                }
            } else {
                code = .io
                reason = "the file could not be locked (\(systemReason))"
                advice = "use a file system that supports locks, or open with option .noLocking and lock it "
                    + "yourself"
            }
        case GDBM_READER_CANT_STORE, GDBM_READER_CANT_DELETE, GDBM_READER_CANT_REORGANIZE:
            code = .readOnly
            reason = "it was opened with mode .readOnly"
            advice = "open it with mode .readWrite or .create to change it"
        case GDBM_ITEM_NOT_FOUND:
            code = .itemNotFound
            reason = "the key is not in the database"
            advice = "check with contains(_:) first, or ignore this error if the key may be absent"
        case GDBM_NEED_RECOVERY:
            code = .needsRecovery
            reason = "GDBM found it structurally inconsistent and refuses to use it until it is recovered"
            advice = "call recover() on a handle opened for writing, or restore a backup"
        case GDBM_BAD_HEADER, GDBM_BAD_BUCKET, GDBM_BAD_AVAIL, GDBM_BAD_HASH_TABLE, GDBM_BAD_DIR_ENTRY,
             GDBM_BUCKET_CACHE_CORRUPTED, GDBM_BAD_HASH_ENTRY, GDBM_FILE_EOF:
            code = .corrupt
            reason = "the file is damaged (\(gdbmText(gdbmCode).lowercased()))"
            advice = "call recover() on a handle opened for writing, or restore a backup"
        case GDBM_MALFORMED_DATA, GDBM_OPT_BADVAL, GDBM_BLOCK_SIZE_ERROR, GDBM_BAD_OPEN_FLAGS, GDBM_ERR_USAGE,
             GDBM_NO_DBNAME:
            code = .invalidArgument
            reason = "gdbm rejected an argument (\(gdbmText(gdbmCode).lowercased()))"
            advice = "check the arguments"
        case GDBM_MALLOC_ERROR:
            code = .other
            reason = "gdbm ran out of memory"
            advice = "free memory, or open with a smaller cacheSize"
        case GDBM_NO_ERROR:
            code = .other
            reason = "gdbm reported a failure without an error code" + (errnoMeaning.map { " (\($0))" } ?? "")
            advice = "try again, and report a bug if it persists"
        default:
            code = .other
            reason = "gdbm failed (\(gdbmText(gdbmCode).lowercased()))"
            advice = "see gdbm's manual for error \(gdbmCode)"
        }

        var details = "gdbm error \(gdbmCode): \(gdbmText(gdbmCode))"
        if let errnoMeaning {
            details += "; errno \(systemCode): \(errnoMeaning)"
        }
        return GDBMError(
            code: code,
            message: "cannot \(operation.phrase(path: path)): \(reason); \(advice) [\(details)]",
            gdbmError: Int(gdbmCode) == GDBM_NO_ERROR ? nil : gdbmCode,
            systemErrno: systemCode == 0 ? nil : systemCode,
            path: path
        )
    }

    private static func isOpen(_ operation: GDBMOperation) -> Bool {
        if case .open = operation { return true }
        return false
    }

    private static func isWritableOpen(_ operation: GDBMOperation) -> Bool {
        if case .open(let mode) = operation { return mode.isWritable }
        return false
    }

    /// gdbm's own description of an error code, from `gdbm_strerror` (a static string).
    private static func gdbmText(_ gdbmCode: Int32) -> String {
        String(cString: gdbm_strerror(gdbmCode))
    }
}
