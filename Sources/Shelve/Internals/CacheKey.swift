/// A key of the writeback cache: a record key's bytes, hashed in one call.
///
/// `[UInt8]`'s own `hash(into:)` feeds the hasher one element at a time, which made hashing the cache's
/// keys a fifth of a writeback read-and-sync.
internal struct CacheKey: Hashable {
    /// The record key's bytes.
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
