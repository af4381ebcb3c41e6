import GDBM
import Pickle

// The operations every public reading and writing member goes through, by key bytes.

extension Shelf {
    /// The open file, or `.closed` for `operation`.
    internal func openFile(_ operation: @autoclosure () -> ShelfOperation) throws(ShelfError) -> GDBMFile {
        guard let file else { throw .closed(operation(), path: path) }
        return file
    }

    /// The open file if the shelf may be changed, or `.closed`/`.readOnly` for `operation`.
    internal func writableFile(_ operation: @autoclosure () -> ShelfOperation) throws(ShelfError) -> GDBMFile {
        guard let file else { throw .closed(operation(), path: path) }
        guard mode.isWritable else { throw .readOnly(operation(), path: path) }
        return file
    }

    /// The value under `rawKey`: from the cache with writeback, else unpickled straight from GDBM's buffer
    /// (and cached with writeback); `nil` if absent.
    internal func loadValue(rawKey: [UInt8]) throws(ShelfError) -> PickleValue? {
        if isWriteback, file != nil, let cached = cache[CacheKey(rawKey)] { return cached }
        let loaded = try rawKey.withUnsafeBytes { loadValue(keyBytes: $0) }.get()
        if isWriteback, let loaded { cache[CacheKey(rawKey)] = loaded }
        return loaded
    }

    /// ``loadValue(rawKey:)`` for a `String` key: without writeback, reads with the key's UTF-8 where it is.
    internal func loadValue(forKey key: String) throws(ShelfError) -> PickleValue? {
        if !isWriteback,
            let loaded = key.utf8.withContiguousStorageIfAvailable({ loadValue(keyBytes: UnsafeRawBufferPointer($0)) })
        {
            return try loaded.get()
        }
        return try loadValue(rawKey: Array(key.utf8))
    }

    /// Unpickles the value under the key `keyBytes` straight from GDBM's buffer, without the cache. (A
    /// `Result`, for the callers' closures, which cannot throw a typed error.)
    private func loadValue(keyBytes: UnsafeRawBufferPointer) -> Result<PickleValue?, ShelfError> {
        guard let file else { return .failure(.closed(.read(Array(keyBytes)), path: path)) }
        do {
            return .success(try file.withValue(forKey: keyBytes) { bytes in try codec.decode(bytes) })
        } catch let error as GDBMError {
            return .failure(ShelfError(error, .read(Array(keyBytes)), path: path))
        } catch {
            return .failure(.decodingFailed(.read(Array(keyBytes)), path: path, underlying: error))
        }
    }

    /// Pickles `value` and stores it under `rawKey` at once; with writeback, caches it once stored. A failure
    /// changes nothing, in the file or in the cache.
    internal func storeValue(_ value: PickleValue, rawKey: [UInt8]) throws(ShelfError) {
        _ = try writableFile(.store(rawKey))
        if let failure = rawKey.withUnsafeBytes({ codec.store(value, in: openedFile, forKey: $0) }) {
            throw rawKey.withUnsafeBytes { writeError(failure, keyBytes: $0) }
        }
        if isWriteback { cache[CacheKey(rawKey)] = value }
    }

    /// ``storeValue(_:rawKey:)`` for a `String` key, stored from the key's UTF-8 where it is: the subscript's
    /// and `setValue`'s path, kept to one call into the codec and one into the file.
    @inline(__always)
    internal func storeValue(_ value: PickleValue, forKey key: String) throws(ShelfError) {
        if closed || !mode.isWritable { _ = try writableFile(.store(Array(key.utf8))) }
        var key = key
        if let failure = key.withUTF8({ codec.store(value, in: openedFile, forKey: UnsafeRawBufferPointer($0)) }) {
            throw key.withUTF8 { writeError(failure, keyBytes: UnsafeRawBufferPointer($0)) }
        }
        if isWriteback { cache[CacheKey(Array(key.utf8))] = value }
    }

    /// Stores a pickle already made under `rawKey` at once, without the cache (for a shelf without writeback).
    internal func storePickle(_ pickle: [UInt8], rawKey: [UInt8]) throws(ShelfError) {
        let file = try writableFile(.store(rawKey))
        do {
            try file.store(pickle, forKey: rawKey)
        } catch {
            throw ShelfError(error, .store(rawKey), path: path)
        }
    }

    /// The shelf's error for a value that could not be pickled or stored under `keyBytes`.
    private func writeError(_ failure: ShelfCodec.WriteFailure, keyBytes: UnsafeRawBufferPointer) -> ShelfError {
        switch failure {
        case .encoding(let error):
            return .encodingFailed(
                .store(Array(keyBytes)), path: path, protocolVersion: protocolVersion, underlying: error)
        case .storage(let error):
            return ShelfError(error, .store(Array(keyBytes)), path: path)
        }
    }

    /// Deletes the record under `rawKey` without unpickling it, and drops it from the cache. Returns `false`
    /// if there was no such record, or throws `.keyNotFound` when `missingIsError`.
    @discardableResult
    internal func deleteRecord(rawKey: [UInt8], missingIsError: Bool) throws(ShelfError) -> Bool {
        let file = try writableFile(.delete(rawKey))
        do {
            try file.delete(rawKey)
        } catch  where error.code == .itemNotFound {
            if missingIsError { throw ShelfError(error, .delete(rawKey), path: path) }
            return false
        } catch {
            throw ShelfError(error, .delete(rawKey), path: path)
        }
        cache.removeValue(forKey: CacheKey(rawKey))
        return true
    }

    /// Unpickles the value under `rawKey`, then deletes the record; `nil` if absent. Nothing is deleted if the
    /// value cannot be unpickled.
    internal func removeRecord(rawKey: [UInt8]) throws(ShelfError) -> PickleValue? {
        _ = try writableFile(.delete(rawKey))
        guard let value = try loadValue(rawKey: rawKey) else { return nil }
        try deleteRecord(rawKey: rawKey, missingIsError: false)
        return value
    }

    /// Whether the file has a record under `rawKey`. Like Python's shelf, asks the file, not the cache.
    internal func containsRecord(rawKey: [UInt8]) throws(ShelfError) -> Bool {
        let file = try openFile(.contains(rawKey))
        do {
            return try file.contains(rawKey)
        } catch {
            throw ShelfError(error, .contains(rawKey), path: path)
        }
    }

    /// Every key's bytes, in GDBM's hash order.
    internal func allRawKeys(_ operation: ShelfOperation) throws(ShelfError) -> [[UInt8]] {
        let file = try openFile(operation)
        do {
            return try file.keys()
        } catch {
            throw ShelfError(error, operation, path: path)
        }
    }

    /// Records a failure of a subscript for the next `sync()` or `close()`.
    internal func record(_ error: ShelfError) {
        recorded.append(error)
    }
}
