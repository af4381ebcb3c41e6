import GDBM
import Pickle

// Codable values on a dynamic shelf: encoded to and decoded from the value model with PickleEncoder and
// PickleDecoder, so they are stored as the same pickles Python reads.

extension Shelf {
    /// Returns the value stored under a key, decoded as a `Decodable` type, or `nil` if there is none.
    ///
    /// ```swift
    /// struct Item: Codable { var name: String; var price: Double }
    ///
    /// if let apple = try shelf.value(Item.self, forKey: "apple") {
    ///     print(apple.price)
    /// }
    /// let count: Int? = try shelf.value(forKey: "visits")   // the type can be inferred
    /// ```
    ///
    /// The stored pickle is decoded with ``decoder``: a Python `dict` with `str` keys decodes as a struct, a
    /// `list` as an array, and so on (see `PickleDecoder`). With writeback, the pickle is loaded into a
    /// ``PickleValue`` first, kept in the cache, and decoded from it; without, it is decoded straight from
    /// the bytes GDBM returns. Each call decodes a new Swift value; with writeback, changing it does
    /// not change the cached object: assign it back with ``setValue(_:forKey:)-(T,_)``.
    ///
    /// - Parameters:
    ///   - type: The type to decode; inferred from the context when omitted.
    ///   - key: The key.
    /// - Returns: The decoded value, or `nil` if the shelf has no such key.
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/decodingFailed`` if the stored value
    ///   is not a pickle this package loads or does not decode as `T` (``ShelfError/underlying`` is the
    ///   `DecodingError`, with its coding path), ``ShelfError/Code-swift.struct/closed`` or
    ///   ``ShelfError/Code-swift.struct/storage``.
    public func value<T: Decodable>(_ type: T.Type = T.self, forKey key: String) throws(ShelfError) -> T? {
        // Without writeback nothing keeps the value model: the pickle is decoded where GDBM left it.
        if !isWriteback,
            let decoded = key.utf8.withContiguousStorageIfAvailable({
                decodeStored(T.self, keyBytes: UnsafeRawBufferPointer($0))
            })
        {
            return try decoded.get()
        }
        guard let value = try loadValue(forKey: key) else { return nil }
        return try decode(T.self, from: value, rawKey: Array(key.utf8))
    }

    /// Decodes the pickle stored under the key `keyBytes` as `T` straight from GDBM's buffer, without the
    /// value model: what ``loadValue(forKey:)`` and ``decode(_:from:rawKey:)`` give, errors included. (A
    /// `Result`, for the caller's closure, which cannot throw a typed error.)
    private func decodeStored<T: Decodable>(_ type: T.Type, keyBytes: UnsafeRawBufferPointer) -> Result<T?, ShelfError> {
        guard let file else { return .failure(.closed(.read(Array(keyBytes)), path: path)) }
        do {
            return .success(
                try file.withValue(forKey: keyBytes) { bytes in
                    try decoder.decode(T.self, fromPickle: bytes, options: codec.unpicklerOptions)
                })
        } catch let error as GDBMError {
            return .failure(ShelfError(error, .read(Array(keyBytes)), path: path))
        } catch let error as PickleError {
            // The pickle does not load: as loadValue reports it.
            return .failure(.decodingFailed(.read(Array(keyBytes)), path: path, underlying: error))
        } catch {
            return .failure(.decodingFailed(.read(Array(keyBytes)), path: path, underlying: error, typeName: "\(T.self)"))
        }
    }

    /// Stores an `Encodable` value under a key, replacing any value there.
    ///
    /// ```swift
    /// try shelf.setValue(Item(name: "apple", price: 0.5), forKey: "apple")
    /// ```
    ///
    /// The value is encoded with ``encoder`` into a ``PickleValue`` (a struct becomes a Python `dict` with
    /// `str` keys, an array a `list`…; see `PickleEncoder`), pickled at ``protocolVersion`` and stored at
    /// once, as ``setValue(_:forKey:)-(PickleValue,_)`` does. Without writeback, where no cache keeps the
    /// ``PickleValue``, the pickle is written straight from the Swift value (`PickleEncoder.encode`): the
    /// same bytes, without building the value first. A failure changes nothing.
    ///
    /// - Parameters:
    ///   - value: The value to store.
    ///   - key: The key.
    /// - Throws: ``ShelfError`` with code ``ShelfError/Code-swift.struct/encodingFailed`` if the value cannot
    ///   be encoded (``ShelfError/underlying`` is the `EncodingError`) or pickled,
    ///   ``ShelfError/Code-swift.struct/readOnly``, ``ShelfError/Code-swift.struct/closed`` or
    ///   ``ShelfError/Code-swift.struct/storage``.
    public func setValue<T: Encodable>(_ value: T, forKey key: String) throws(ShelfError) {
        guard !isWriteback, !(value is PickleValue) else {
            return try storeValue(try encode(value, rawKey: Array(key.utf8)), forKey: key)
        }
        // Without writeback nothing keeps the value model, so the pickle is written straight from the Swift
        // value (PickleEncoder.encode): the same bytes, without building the PickleValue first.
        try storePickle(try pickle(value, rawKey: Array(key.utf8)), rawKey: Array(key.utf8))
    }

    /// Decodes `value`, read under `rawKey`, as `T` with the shelf's decoder.
    internal func decode<T: Decodable>(
        _ type: T.Type, from value: PickleValue, rawKey: @autoclosure () -> [UInt8]
    ) throws(ShelfError)
        -> T
    {
        do {
            return try decoder.decode(T.self, from: value)
        } catch {
            throw .decodingFailed(.read(rawKey()), path: path, underlying: error, typeName: "\(T.self)")
        }
    }

    /// The pickle of `value`, to be stored under `rawKey`, written by the shelf's encoder at the shelf's
    /// protocol: what ``encode(_:rawKey:)`` and the shelf's pickler give.
    internal func pickle<T: Encodable>(_ value: T, rawKey: @autoclosure () -> [UInt8]) throws(ShelfError) -> [UInt8] {
        var encoder = self.encoder
        encoder.protocolVersion = protocolVersion
        do {
            return try encoder.encode(value)
        } catch {
            throw .encodingFailed(.store(rawKey()), path: path, protocolVersion: protocolVersion, underlying: error)
        }
    }

    /// Encodes `value`, to be stored under `rawKey`, with the shelf's encoder at the shelf's protocol.
    internal func encode<T: Encodable>(_ value: T, rawKey: @autoclosure () -> [UInt8]) throws(ShelfError) -> PickleValue {
        if let value = value as? PickleValue { return value }
        var encoder = self.encoder
        encoder.protocolVersion = protocolVersion
        do {
            return try encoder.encodeValue(value)
        } catch {
            throw .encodingFailed(.store(rawKey()), path: path, protocolVersion: protocolVersion, underlying: error)
        }
    }
}
