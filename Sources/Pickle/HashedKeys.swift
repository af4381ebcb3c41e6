/// An insertion-ordered array of distinct values with a hash index, under Python's key equality.
///
/// The storage of ``PickleDict``, ``PickleSet`` and ``PickleFrozenSet``. Small collections are
/// searched linearly; the index is built once a collection outgrows ``linearSearchLimit``.
///
/// The index is an open-addressing table of its own (``KeyIndex``) rather than a `[PickleValue: Int]`:
/// it stores each key's hash next to its position, so that growing never hashes a key again and a
/// probe compares keys only when their hashes agree, and it hashes the common keys (`str`, `int`)
/// with ``KeyHash`` instead of going through `Hashable`.
struct HashedKeys {
    /// The most keys searched one by one. Up to 16, comparing an `int` or a `str` key with each key costs less
    /// than allocating, filling and freeing an index (a dict of 10 `int` keys: about 800 instructions less).
    static let linearSearchLimit = 16

    private(set) var keys: [PickleValue] = []
    private var index: KeyIndex?

    init() {}

    init(minimumCapacity: Int) {
        keys.reserveCapacity(minimumCapacity)
    }

    var count: Int { keys.count }

    func firstIndex(of key: PickleValue) -> Int? {
        if let index { return index.find(key, hash: KeyHash.hash(key, seed: index.seed), in: keys) }
        if case .int(let integer) = key { return linearPosition(of: integer, key) }
        for position in keys.indices where Self.sameKey(keys[position], key) { return position }
        return nil
    }

    /// The position of the `int` key `integer` (`key`) without the index: compares `int`s inline, and every
    /// other number (a `bool`, a `float`, an `int` stored as a big integer) with Python's equality.
    @inline(__always)
    private func linearPosition(of integer: Int, _ key: PickleValue) -> Int? {
        keys.withUnsafeBufferPointer { buffer in
            for position in buffer.indices {
                switch buffer[position] {
                case .int(let other):
                    if other == integer { return position }
                case .bool, .bigInt, .float, .complex:
                    if buffer[position] == key { return position }
                default:
                    continue
                }
            }
            return nil
        }
    }

    /// Python's key equality, with the common cases (two `int`s, two `str`s) decided inline.
    @inline(__always)
    static func sameKey(_ a: PickleValue, _ b: PickleValue) -> Bool {
        if case .int(let x) = a, case .int(let y) = b { return x == y }
        if case .string(let x) = a, case .string(let y) = b { return sameCodePoints(x, y) }
        return a == b
    }

    /// Makes room for `capacity` keys, building the hash index now when they will need one.
    mutating func reserveCapacity(_ capacity: Int) {
        guard capacity > keys.count else { return }
        keys.reserveCapacity(capacity)
        if let table = index {
            if table.needsGrowth(count: capacity) { index = table.grown(to: capacity) }
        } else if capacity > Self.linearSearchLimit {
            rebuildIndex(capacity: capacity)
        }
    }

    /// Appends `key`, which the caller has checked is not present.
    mutating func appendNew(_ key: consuming PickleValue) {
        if index != nil {
            var table = uniqueIndex()
            if table.needsGrowth(count: keys.count + 1) {
                table = table.grown(to: keys.count + 1)
                index = table
            }
            table.add(hash: KeyHash.hash(key, seed: table.seed), position: keys.count)
            keys.append(consume key)
        } else {
            keys.append(consume key)
            if keys.count > Self.linearSearchLimit { rebuildIndex(capacity: keys.count) }
        }
    }

    /// Appends `key` unless an equal key is present; returns the position of the key.
    @discardableResult
    @inline(__always)
    mutating func insert(_ key: consuming PickleValue) -> (inserted: Bool, position: Int) {
        if index != nil { return insertHashed(consume key) }
        // A `str` key among `str` keys, the common case, compared without the general `==`.
        if case .string(let string) = key {
            // Only a `str` equals a `str`.
            let existing: Int? = keys.withUnsafeBufferPointer { buffer in
                for position in buffer.indices {
                    if case .string(let other) = buffer[position], sameCodePoints(other, string) { return position }
                }
                return nil
            }
            if let existing { return (false, existing) }
        } else if case .int(let integer) = key {
            if let existing = linearPosition(of: integer, key) { return (false, existing) }
        } else if let existing = firstIndex(of: key) {
            return (false, existing)
        }
        keys.append(consume key)
        if keys.count > Self.linearSearchLimit { rebuildIndex(capacity: keys.count) }
        return (true, keys.count - 1)
    }

    /// ``insert(_:)`` with the index: one probe finds the key or the free slot it goes to.
    private mutating func insertHashed(_ key: consuming PickleValue) -> (inserted: Bool, position: Int) {
        if !isKnownUniquelyReferenced(&index!) { index = index!.copy() }
        let newPosition = keys.count
        // The table is reached without a strong reference of its own: `index` holds it for the whole call,
        // and a method called on the stored reference would otherwise retain and release it on every insert
        // (two atomic operations, a third of the time of loading a dict of 100 dicts of 10 int keys).
        let position = Unmanaged.passUnretained(index.unsafelyUnwrapped)._withUnsafeGuaranteedRef { table in
            table.findOrAdd(key, hash: KeyHash.hash(key, seed: table.seed), newPosition: newPosition, in: keys)
        }
        guard position == newPosition else { return (false, position) }
        keys.append(consume key)
        if index.unsafelyUnwrapped.needsGrowth(count: keys.count) {
            index = index.unsafelyUnwrapped.grown(to: keys.count)
        }
        return (true, newPosition)
    }

    mutating func remove(at position: Int) {
        keys.remove(at: position)
        if index != nil { rebuildIndex(capacity: keys.count) }
    }

    /// Calls `body` with the keys, read in place (see ``PickleDict/withStorageInPlace(_:)``).
    mutating func withKeysInPlace<R>(_ body: (UnsafeBufferPointer<PickleValue>) throws -> R) rethrows -> R {
        try keys.withUnsafeMutableBufferPointer { try body(UnsafeBufferPointer($0)) }
    }

    /// Moves the keys out, leaving the collection empty.
    mutating func takeKeys() -> [PickleValue] {
        index = nil
        var taken: [PickleValue] = []
        swap(&taken, &keys)
        return taken
    }

    mutating func removeAll() {
        keys.removeAll()
        index = nil
    }

    /// The index, copied first when another `HashedKeys` shares it.
    @inline(__always)
    private mutating func uniqueIndex() -> KeyIndex {
        if !isKnownUniquelyReferenced(&index!) { index = index!.copy() }
        return index!
    }

    private mutating func rebuildIndex(capacity: Int) {
        let table = KeyIndex.make(capacity: max(capacity, keys.count))
        for position in keys.indices {
            let key = keys[position]
            // A key mutated since it was added (a list, by its size) may now equal another: keep the first.
            _ = table.findOrAdd(key, hash: KeyHash.hash(key, seed: table.seed), newPosition: position, in: keys)
        }
        index = table
    }
}

/// The header of a ``KeyIndex``.
struct KeyIndexHeader {
    /// The number of slots minus one; the number of slots is a power of two.
    var mask: Int
    /// The seed of ``KeyHash`` for this table.
    var seed: UInt64
}

/// The hash index of ``HashedKeys``: an open-addressing table with linear probing, at most half full,
/// in one allocation with its header.
///
/// A slot is 0 when empty, else the low 32 bits of the key's hash above the key's position plus one.
final class KeyIndex: ManagedBuffer<KeyIndexHeader, UInt64> {
    /// A table with room for `capacity` keys.
    static func make(capacity: Int, seed: UInt64 = KeyHash.processSeed) -> KeyIndex {
        let count = slotCount(for: capacity)
        let buffer = KeyIndex.create(minimumCapacity: count) { _ in KeyIndexHeader(mask: count - 1, seed: seed) }
        let table = unsafeDowncast(buffer, to: KeyIndex.self)
        table.withUnsafeMutablePointerToElements { $0.initialize(repeating: 0, count: count) }
        return table
    }

    /// The seed of ``KeyHash`` for this table.
    @inline(__always)
    var seed: UInt64 { withUnsafeMutablePointerToHeader { $0.pointee.seed } }

    func copy() -> KeyIndex {
        let header = withUnsafeMutablePointerToHeader { $0.pointee }
        let count = header.mask + 1
        let buffer = KeyIndex.create(minimumCapacity: count) { _ in header }
        let table = unsafeDowncast(buffer, to: KeyIndex.self)
        table.withUnsafeMutablePointerToElements { target in
            withUnsafeMutablePointerToElements { target.initialize(from: $0, count: count) }
        }
        return table
    }

    /// The number of slots for `capacity` keys: at least twice as many, and at least 16.
    private static func slotCount(for capacity: Int) -> Int {
        var count = 16
        while count < 2 * capacity { count *= 2 }
        return count
    }

    /// Whether `count` keys need a larger table.
    @inline(__always)
    func needsGrowth(count: Int) -> Bool { 2 * count > withUnsafeMutablePointerToHeader { $0.pointee.mask } + 1 }

    /// A table with room for `capacity` keys holding these slots, moved by their stored hashes.
    func grown(to capacity: Int) -> KeyIndex {
        let table = KeyIndex.make(capacity: capacity, seed: seed)
        withUnsafeMutablePointers { header, slots in
            table.withUnsafeMutablePointers { newHeader, newSlots in
                let mask = newHeader.pointee.mask
                for index in 0...header.pointee.mask where slots[index] != 0 {
                    var bucket = Int(truncatingIfNeeded: slots[index] >> 32) & mask
                    while newSlots[bucket] != 0 { bucket = (bucket + 1) & mask }
                    newSlots[bucket] = slots[index]
                }
            }
        }
        return table
    }

    /// Adds a key known to be absent; the table must have a free slot.
    @inline(__always)
    func add(hash: UInt64, position: Int) {
        withUnsafeMutablePointers { header, slots in
            let mask = header.pointee.mask
            let hash32 = hash & 0xFFFF_FFFF
            var bucket = Int(truncatingIfNeeded: hash32) & mask
            while slots[bucket] != 0 { bucket = (bucket + 1) & mask }
            slots[bucket] = hash32 << 32 | UInt64(position + 1)
        }
    }

    /// The position of `key` in `keys`, or `nil`.
    @inline(__always)
    func find(_ key: PickleValue, hash: UInt64, in keys: [PickleValue]) -> Int? {
        withUnsafeMutablePointers { header, slots in
            let mask = header.pointee.mask
            let hash32 = hash & 0xFFFF_FFFF
            var bucket = Int(truncatingIfNeeded: hash32) & mask
            while true {
                let slot = slots[bucket]
                if slot == 0 { return nil }
                if slot >> 32 == hash32 {
                    let position = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                    if HashedKeys.sameKey(keys[position], key) { return position }
                }
                bucket = (bucket + 1) & mask
            }
        }
    }

    /// The position of `key` in `keys`; when it is absent, records it at `newPosition` and returns that.
    /// The table must have a free slot.
    @inline(__always)
    func findOrAdd(_ key: PickleValue, hash: UInt64, newPosition: Int, in keys: [PickleValue]) -> Int {
        withUnsafeMutablePointers { header, slots in
            let mask = header.pointee.mask
            let hash32 = hash & 0xFFFF_FFFF
            var bucket = Int(truncatingIfNeeded: hash32) & mask
            while true {
                let slot = slots[bucket]
                if slot == 0 {
                    slots[bucket] = hash32 << 32 | UInt64(newPosition + 1)
                    return newPosition
                }
                if slot >> 32 == hash32 {
                    let position = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                    if HashedKeys.sameKey(keys[position], key) { return position }
                }
                bucket = (bucket + 1) & mask
            }
        }
    }
}

/// The hash of a key for ``KeyIndex``, consistent with Python's key equality (``PickleValue/==``).
///
/// A `str` hashes its UTF-8 and every number equal to an `Int` (`True`, `1.0`, `1+0j`) hashes as that
/// `Int`, both with a fast multiply-mix keyed by a seed chosen at random per process, so that a pickle
/// cannot be made to collide on purpose; every other key hashes through `Hashable` (also seeded).
enum KeyHash {
    /// A random seed for the process.
    static let processSeed: UInt64 = UInt64.random(in: .min ... .max) | 1

    private static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
    private static let multiplier2: UInt64 = 0xA076_1D64_78BD_642F

    /// Mixes the bits of `a` and `b` (wyhash's "mum": the two halves of the full product, xored).
    @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    @inline(__always)
    static func hash(_ key: PickleValue, seed: UInt64) -> UInt64 {
        switch key {
        case .string(let string): return hash(string: string, seed: seed)
        case .int(let integer): return hash(integer: integer, seed: seed)
        default: return hashOther(key, seed: seed)
        }
    }

    @inline(__always)
    static func hash(integer: Int, seed: UInt64) -> UInt64 {
        mix(UInt64(bitPattern: Int64(integer)) ^ seed, multiplier)
    }

    @inline(__always)
    static func hash(string: String, seed: UInt64) -> UInt64 {
        if let hash = string.utf8.withContiguousStorageIfAvailable({ hash(utf8: UnsafeRawBufferPointer($0), seed: seed) }) {
            return hash
        }
        return hash(utf8: Array(string.utf8), seed: seed)
    }

    private static func hash(utf8 bytes: [UInt8], seed: UInt64) -> UInt64 {
        bytes.withUnsafeBytes { hash(utf8: $0, seed: seed) }
    }

    /// Hashes bytes eight at a time; the last word overlaps the one before it when the count is not a
    /// multiple of eight, and fewer than eight bytes are read in two or three loads (the count is mixed in
    /// first, so strings of different lengths do not collide through the overlap).
    @inline(__always)
    static func hash(utf8 bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let count = bytes.count
        var state = mix(seed ^ multiplier2, UInt64(truncatingIfNeeded: count) ^ multiplier)
        if count >= 8 {
            var offset = 0
            while offset + 8 < count {
                state = mix(state ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self), multiplier2)
                offset += 8
            }
            state = mix(state ^ bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self), multiplier2)
        } else if count >= 4 {
            let head = UInt64(bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            let tail = UInt64(bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            state = mix(state ^ (head << 32 | tail), multiplier2)
        } else if count > 0 {
            let word = UInt64(bytes[0]) << 16 | UInt64(bytes[count >> 1]) << 8 | UInt64(bytes[count - 1])
            state = mix(state ^ word, multiplier2)
        }
        return mix(state, seed ^ multiplier)
    }

    /// Every key but an `int` or a `str`: numbers equal to an `Int` hash as the `Int`, the rest through
    /// `Hashable`.
    private static func hashOther(_ key: PickleValue, seed: UInt64) -> UInt64 {
        if let integer = integralValue(key) { return hash(integer: integer, seed: seed) }
        var hasher = Hasher()
        hasher.combine(seed)
        key.hash(into: &hasher)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    /// The `Int` equal to a number under Python's `==`, or `nil`.
    private static func integralValue(_ key: PickleValue) -> Int? {
        switch key {
        case .bool(let flag): flag ? 1 : 0
        case .int(let integer): integer
        case .bigInt(let big): Int(exactly: big)
        case .float(let double): Int(exactly: double)
        case .complex(let real, let imaginary) where imaginary == 0: Int(exactly: real)
        default: nil
        }
    }
}
