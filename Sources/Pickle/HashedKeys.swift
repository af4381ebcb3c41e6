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
    static let linearSearchLimit = 8

    private(set) var keys: [PickleValue] = []
    private var index: KeyIndex?

    init() {}

    init(minimumCapacity: Int) {
        keys.reserveCapacity(minimumCapacity)
    }

    var count: Int { keys.count }

    func firstIndex(of key: PickleValue) -> Int? {
        if let index { return index.find(key, hash: KeyHash.hash(key, seed: index.seed), in: keys) }
        for position in keys.indices where Self.sameKey(keys[position], key) { return position }
        return nil
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
        if index != nil {
            uniqueIndex().reserve(capacity, keys: keys)
        } else if capacity > Self.linearSearchLimit {
            rebuildIndex(capacity: capacity)
        }
    }

    /// Appends `key`, which the caller has checked is not present.
    mutating func appendNew(_ key: PickleValue) {
        if index != nil {
            let table = uniqueIndex()
            table.reserve(keys.count + 1, keys: keys)
            table.add(hash: KeyHash.hash(key, seed: table.seed), position: keys.count)
            keys.append(key)
        } else {
            keys.append(key)
            if keys.count > Self.linearSearchLimit { rebuildIndex(capacity: keys.count) }
        }
    }

    /// Appends `key` unless an equal key is present; returns the position of the key.
    @discardableResult
    @inline(__always)
    mutating func insert(_ key: PickleValue) -> (inserted: Bool, position: Int) {
        if index != nil { return insertHashed(key) }
        // A `str` key among `str` keys, the common case, compared without the general `==`.
        if case .string(let string) = key {
            // Only a `str` equals a `str`.
            for position in keys.indices {
                if case .string(let other) = keys[position], sameCodePoints(other, string) { return (false, position) }
            }
        } else if let existing = firstIndex(of: key) {
            return (false, existing)
        }
        keys.append(key)
        if keys.count > Self.linearSearchLimit { rebuildIndex(capacity: keys.count) }
        return (true, keys.count - 1)
    }

    /// ``insert(_:)`` with the index: one probe finds the key or the free slot it goes to.
    private mutating func insertHashed(_ key: PickleValue) -> (inserted: Bool, position: Int) {
        let table = uniqueIndex()
        let newPosition = keys.count
        let position = table.findOrAdd(key, hash: KeyHash.hash(key, seed: table.seed), newPosition: newPosition, in: keys)
        guard position == newPosition else { return (false, position) }
        keys.append(key)
        if table.needsGrowth(count: keys.count) { table.grow(to: keys.count) }
        return (true, newPosition)
    }

    mutating func remove(at position: Int) {
        keys.remove(at: position)
        if index != nil { rebuildIndex(capacity: keys.count) }
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
        let table = KeyIndex(capacity: max(capacity, keys.count))
        for position in keys.indices {
            let key = keys[position]
            // A key mutated since it was added (a list, by its size) may now equal another: keep the first.
            _ = table.findOrAdd(key, hash: KeyHash.hash(key, seed: table.seed), newPosition: position, in: keys)
        }
        index = table
    }
}

/// The hash index of ``HashedKeys``: an open-addressing table with linear probing, at most half full.
///
/// A slot is 0 when empty, else the low 32 bits of the key's hash above the key's position plus one.
final class KeyIndex {
    /// The number of slots minus one; the number of slots is a power of two.
    private(set) var mask: Int
    private(set) var slots: UnsafeMutablePointer<UInt64>
    /// The seed of ``KeyHash`` for this table.
    let seed: UInt64

    /// A table with room for `capacity` keys.
    init(capacity: Int) {
        mask = Self.slotCount(for: capacity) - 1
        slots = .allocate(capacity: mask + 1)
        slots.initialize(repeating: 0, count: mask + 1)
        seed = KeyHash.processSeed
    }

    private init(copying other: KeyIndex) {
        mask = other.mask
        slots = .allocate(capacity: mask + 1)
        slots.initialize(from: other.slots, count: mask + 1)
        seed = other.seed
    }

    deinit { slots.deallocate() }

    func copy() -> KeyIndex { KeyIndex(copying: self) }

    /// The number of slots for `capacity` keys: at least twice as many, and at least 16.
    private static func slotCount(for capacity: Int) -> Int {
        var count = 16
        while count < 2 * capacity { count *= 2 }
        return count
    }

    @inline(__always)
    func needsGrowth(count: Int) -> Bool { 2 * count > mask + 1 }

    /// Makes room for `capacity` keys.
    func reserve(_ capacity: Int, keys: [PickleValue]) {
        if 2 * capacity > mask + 1 { grow(to: capacity) }
    }

    /// Moves the slots to a table with room for `capacity` keys, from their stored hashes.
    func grow(to capacity: Int) {
        let newCount = Self.slotCount(for: capacity)
        guard newCount > mask + 1 else { return }
        let oldSlots = slots
        let oldCount = mask + 1
        mask = newCount - 1
        slots = .allocate(capacity: newCount)
        slots.initialize(repeating: 0, count: newCount)
        for index in 0..<oldCount where oldSlots[index] != 0 {
            var bucket = Int(truncatingIfNeeded: oldSlots[index] >> 32) & mask
            while slots[bucket] != 0 { bucket = (bucket + 1) & mask }
            slots[bucket] = oldSlots[index]
        }
        oldSlots.deallocate()
    }

    /// Adds a key known to be absent.
    @inline(__always)
    func add(hash: UInt64, position: Int) {
        let hash32 = hash & 0xFFFF_FFFF
        var bucket = Int(truncatingIfNeeded: hash32) & mask
        while slots[bucket] != 0 { bucket = (bucket + 1) & mask }
        slots[bucket] = hash32 << 32 | UInt64(position + 1)
    }

    /// The position of `key` in `keys`, or `nil`.
    @inline(__always)
    func find(_ key: PickleValue, hash: UInt64, in keys: [PickleValue]) -> Int? {
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

    /// The position of `key` in `keys`; when it is absent, records it at `newPosition` and returns that.
    /// The table must have a free slot.
    @inline(__always)
    func findOrAdd(_ key: PickleValue, hash: UInt64, newPosition: Int, in keys: [PickleValue]) -> Int {
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

    /// Hashes bytes eight at a time.
    @inline(__always)
    static func hash(utf8 bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let count = bytes.count
        var state = mix(seed ^ multiplier2, UInt64(truncatingIfNeeded: count) ^ multiplier)
        var offset = 0
        while offset + 8 <= count {
            state = mix(state ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self), multiplier2)
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(bytes[offset]) << shift
                shift += 8
                offset += 1
            }
            state = mix(state ^ tail, multiplier2)
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
