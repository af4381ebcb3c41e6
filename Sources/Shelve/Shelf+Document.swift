import GDBM
import Pickle

// Reading a record without building its Python objects: the stored pickle as a PickleDocument.

extension Shelf {
    /// Returns the record stored under a key as a ``PickleDocument``, read without building its Python
    /// objects, or `nil` if there is none.
    ///
    /// ```swift
    /// if let record = try shelf.document(forKey: "ada") {
    ///     let name = record.root["name"]?.stringValue
    ///     let user = try PickleDecoder().decode(User.self, from: record.root)
    /// }
    /// ```
    ///
    /// Where ``value(forKey:)`` unpickles the whole record into a ``PickleValue`` tree, a document keeps the
    /// pickle and an index of its values, and makes only what is read from it: a record of which a few
    /// fields are wanted costs a fraction of a load. The document is a snapshot: it does not change with the
    /// shelf, and the objects it makes are not the shelf's. With writeback, a record in the cache is read
    /// from the cached value, pickled as ``sync()`` would store it, so the document shows what the shelf
    /// holds, changes not yet written back included.
    ///
    /// - Parameter key: The key.
    /// - Returns: The record as a document, or `nil` if the shelf has no such key.
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/decodingFailed`` if the stored
    ///   bytes are not a pickle this package can load (or, with writeback, the cached value cannot be
    ///   pickled), ``ShelfError/Code-swift.struct/closed``, or ``ShelfError/Code-swift.struct/storage``.
    public func document(forKey key: String) throws(ShelfError) -> PickleDocument? {
        let rawKey = Array(key.utf8)
        let file = try openFile(.read(rawKey))
        if isWriteback, let cached = cache[CacheKey(rawKey)] {
            do {
                return try PickleDocument(try Pickler.dumps(cached, protocol: codec.protocolVersion))
            } catch {
                throw .decodingFailed(.read(rawKey), path: path, underlying: error)
            }
        }
        let options = codec.unpicklerOptions
        do {
            return try file.withValue(forKey: rawKey) { bytes in try PickleDocument(copying: bytes, options: options) }
        } catch let error as GDBMError {
            throw ShelfError(error, .read(rawKey), path: path)
        } catch {
            throw .decodingFailed(.read(rawKey), path: path, underlying: error)
        }
    }
}
