/// Open-addressing hash tables for the pickler's memo: a reference object by identity, a `str` by its
/// UTF-8 bytes, other values by an array key. `Dictionary` with `Hasher` (SipHash) costs more than
/// writing the value itself; these use a multiply-fold hash with a per-process random seed, so that
/// colliding keys cannot be chosen in advance.

/// A random seed, the same for the whole process.
let memoHashSeed: UInt64 = {
    var hasher = Hasher()
    hasher.combine(0x5EED as UInt16)
    return UInt64(UInt(bitPattern: hasher.finalize())) | 1
}()

/// Multiplies to 128 bits and folds the halves: one multiplication mixes two words.
@inline(__always)
private func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let product = a.multipliedFullWidth(by: b)
    return product.high ^ product.low
}

private let foldKey0: UInt64 = 0xA076_1D64_78BD_642F
private let foldKey1: UInt64 = 0xE703_7ED1_A0B4_28DB
private let foldKey2: UInt64 = 0x8EBC_6AF0_9C88_C6E3

/// Hashes bytes sixteen at a time, from `seed` (``memoHashSeed``, which a table reads once), with a
/// short chain of dependent multiplications, as the lookup waits for it.
@inline(__always)
func memoHash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
    let count = bytes.count
    guard let base = bytes.baseAddress, count > 0 else { return fold(seed ^ foldKey0, foldKey1) }
    var state = seed
    let first: UInt64
    let second: UInt64
    if count <= 16 {
        if count >= 8 {
            first = base.loadUnaligned(as: UInt64.self)
            second = base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else if count >= 4 {
            first = UInt64(base.loadUnaligned(as: UInt32.self))
            second = UInt64(base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
        } else {
            first =
                UInt64(base.load(as: UInt8.self)) << 16
                | UInt64(base.load(fromByteOffset: count / 2, as: UInt8.self)) << 8
                | UInt64(base.load(fromByteOffset: count - 1, as: UInt8.self))
            second = 0
        }
    } else {
        var offset = 0
        while offset + 16 < count {
            state = fold(
                base.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ foldKey1,
                base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self) ^ state)
            offset += 16
        }
        // The last 16 bytes, which may overlap the ones before.
        first = base.loadUnaligned(fromByteOffset: count - 16, as: UInt64.self)
        second = base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
    let mixed = fold(first ^ foldKey1, second ^ state)
    return fold(mixed ^ foldKey2, UInt64(count) ^ foldKey0)
}

/// Reference objects by identity → memo index. Holds a strong reference to every key, as CPython's
/// memo does, so an address is never reused while it is a key; unless told it need not, when the
/// objects are known to outlive the table (one dump of a value that no hook can change).
struct IdentityMemoTable: ~Copyable {
    private struct Slot {
        /// The object's address, retained by the table, or 0 for an empty slot.
        var key: UInt
        var index: Int
    }

    /// The first ``smallCapacity`` entries, searched in order, so that a pickle with few objects
    /// allocates no table.
    private var small: (Slot, Slot, Slot, Slot, Slot, Slot, Slot, Slot) = (
        Slot(key: 0, index: 0), Slot(key: 0, index: 0), Slot(key: 0, index: 0), Slot(key: 0, index: 0),
        Slot(key: 0, index: 0), Slot(key: 0, index: 0), Slot(key: 0, index: 0), Slot(key: 0, index: 0)
    )
    private static let smallCapacity = 8
    /// The hash table, once there are more entries.
    private var slots: UnsafeMutablePointer<Slot>?
    private var mask = -1
    private(set) var count = 0
    let retainsKeys: Bool
    private let seed = memoHashSeed

    init(retainingKeys: Bool) {
        retainsKeys = retainingKeys
    }

    deinit {
        if retainsKeys { forEachKey { Unmanaged<AnyObject>.fromOpaque($0).release() } }
        if let slots { MallocBuffer.free(slots) }
    }

    private func forEachKey(_ body: (UnsafeRawPointer) -> Void) {
        if let slots {
            for position in 0...mask {
                if let pointer = UnsafeRawPointer(bitPattern: slots[position].key) { body(pointer) }
            }
        } else {
            withUnsafeBytes(of: small) { entries in
                for position in 0..<count {
                    let slot = entries.load(fromByteOffset: position * MemoryLayout<Slot>.stride, as: Slot.self)
                    if let pointer = UnsafeRawPointer(bitPattern: slot.key) { body(pointer) }
                }
            }
        }
    }

    /// Fibonacci hashing of the address: the top bits of one product.
    @inline(__always)
    private func position(_ key: UInt) -> Int {
        Int(truncatingIfNeeded: ((UInt64(key) ^ seed) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }

    @inline(__always)
    func index(of object: AnyObject) -> Int? {
        index(ofIdentifier: UInt(bitPattern: ObjectIdentifier(object)))
    }

    /// The memo index of the object with this address.
    @inline(__always)
    func index(ofIdentifier key: UInt) -> Int? {
        guard let slots else {
            return withUnsafeBytes(of: small) { entries in
                for position in 0..<count {
                    let slot = entries.load(fromByteOffset: position * MemoryLayout<Slot>.stride, as: Slot.self)
                    if slot.key == key { return slot.index }
                }
                return nil
            }
        }
        var position = position(key)
        while true {
            let slot = slots[position]
            if slot.key == key { return slot.index }
            if slot.key == 0 { return nil }
            position = (position + 1) & mask
        }
    }

    /// Adds `object`, which must not be present, with memo index `index`, and retains it.
    mutating func insert(_ object: AnyObject, index: Int) {
        if retainsKeys { _ = Unmanaged.passRetained(object) }
        insert(identifier: UInt(bitPattern: ObjectIdentifier(object)), index: index)
    }

    /// Adds the object with this address, which must not be present, without retaining it: for a
    /// table that does not retain its keys, or after retaining the object.
    mutating func insert(identifier key: UInt, index: Int) {
        let slot = Slot(key: key, index: index)
        if slots == nil, count < Self.smallCapacity {
            let position = count
            withUnsafeMutableBytes(of: &small) {
                $0.storeBytes(of: slot, toByteOffset: position * MemoryLayout<Slot>.stride, as: Slot.self)
            }
            count += 1
            return
        }
        if (count + 1) * 4 > (mask + 1) * 3 { grow() }
        place(slot)
        count += 1
    }

    @inline(__always)
    private mutating func place(_ slot: Slot) {
        guard let slots else { return }
        var position = position(slot.key)
        while slots[position].key != 0 { position = (position + 1) & mask }
        slots[position] = slot
    }

    private mutating func grow() {
        let old = slots
        let oldCapacity = mask + 1
        let capacity = oldCapacity == 0 ? 64 : oldCapacity * 4
        let new = MallocBuffer.allocate(Slot.self, capacity: capacity)
        // An empty slot is all zero bytes.
        UnsafeMutableRawPointer(new).initializeMemory(
            as: UInt8.self, repeating: 0, count: capacity * MemoryLayout<Slot>.stride)
        slots = new
        mask = capacity - 1
        if let old {
            for position in 0..<oldCapacity where old[position].key != 0 { place(old[position]) }
            MallocBuffer.free(old)
        } else {
            // Move the small entries in.
            let entries = small
            withUnsafeBytes(of: entries) { bytes in
                for position in 0..<count {
                    place(bytes.load(fromByteOffset: position * MemoryLayout<Slot>.stride, as: Slot.self))
                }
            }
        }
    }
}

/// Values by a key of bytes → memo index: `str` by UTF-8, `bytes` by content, and the other kinds by
/// an encoding of their identity. The keys are copied into one arena, so lookups compare memory and
/// the table retains nothing.
struct KeyedMemoTable: ~Copyable {
    /// 16 bytes, so that a table of a small pickle's keys is small to clear and to search.
    private struct Slot {
        /// The high half of the key's hash, which also chooses the slot.
        var hash: UInt32
        /// The key's length, times 256, plus its kind.
        var lengthAndKind: UInt32
        /// The memo index plus one; 0 for an empty slot.
        var indexPlusOne: UInt32
        /// Where the key's bytes are in the arena.
        var offset: UInt32
    }

    /// The longest key the table holds (2^24 - 1 bytes), and the most it holds in all, so that the
    /// fields of a slot fit; a value with a longer key, or after that much, is memoized but never
    /// found again, so a second `str` or `bytes` of 16 MiB or more equal to an earlier one is written
    /// again instead of as a memo reference.
    static let maximumKeyLength = (1 << 24) - 1
    static let maximumArena = Int(UInt32.max)

    private var slots: UnsafeMutablePointer<Slot>?
    private var mask = -1
    private(set) var count = 0
    private var arena: UnsafeMutableRawPointer?
    private var arenaUsed = 0
    private var arenaCapacity = 0
    private let seed = memoHashSeed
    private let initialCapacity: Int
    /// Whether ``slots`` and ``arena`` are blocks of the table's own, to free (not the caller's scratch).
    private var ownsSlots = true
    private var ownsArena = true
    /// Memory the caller lends for the first slots and the first arena, until the table outgrows them.
    private var scratch: Scratch?

    /// Memory lent to a table for its first slots and keys (see ``init(initialCapacity:scratch:)``).
    struct Scratch {
        /// Room for `slotCount` slots (16 bytes each), aligned to 8 bytes.
        var slots: UnsafeMutableRawPointer
        var slotCount: Int
        /// Room for `arenaCapacity` bytes of keys.
        var arena: UnsafeMutableRawPointer
        var arenaCapacity: Int

        /// The bytes a slot takes in ``slots``.
        static var slotSize: Int { MemoryLayout<Slot>.stride }
    }

    /// Creates an empty table that allocates room for `initialCapacity` slots (a power of two) at the
    /// first insertion, or takes them from `scratch`, which must outlive the table, when it has room.
    init(initialCapacity: Int = 16, scratch: Scratch? = nil) {
        self.initialCapacity = initialCapacity
        self.scratch = scratch
    }

    deinit {
        if ownsSlots, let slots { MallocBuffer.free(slots) }
        if ownsArena, let arena { MallocBuffer.free(arena) }
    }

    /// Looks a key of a kind up; returns its memo index, if any, and its hash for a following
    /// ``insert(_:_:hash:index:)``.
    @_transparent
    func find(_ kind: PicklerMemo.KeyKind, _ key: UnsafeRawBufferPointer) -> (index: Int?, hash: UInt64) {
        // A key too long to be held is never found: no need to hash all of it.
        guard key.count <= Self.maximumKeyLength else { return (nil, 0) }
        let hash = memoHash(key, seed: seed ^ UInt64(kind.rawValue))
        guard let slots, let arena else { return (nil, hash) }
        let lengthAndKind = UInt32(truncatingIfNeeded: key.count << 8 | Int(kind.rawValue))
        let high = UInt32(truncatingIfNeeded: hash >> 32)
        var position = Int(high) & mask
        while true {
            let slot = slots[position]
            if slot.indexPlusOne == 0 { return (nil, hash) }
            if slot.hash == high, slot.lengthAndKind == lengthAndKind,
                memoryEqual(UnsafeRawBufferPointer(start: arena + Int(slot.offset), count: key.count), key)
            {
                return (Int(slot.indexPlusOne) - 1, hash)
            }
            position = (position + 1) & mask
        }
    }

    /// Looks up a key given as an array.
    @inline(__always)
    func find<Element>(_ kind: PicklerMemo.KeyKind, _ key: [Element]) -> (index: Int?, hash: UInt64) {
        key.withUnsafeBytes { find(kind, $0) }
    }

    /// Adds a key of a kind, which must not be present, with the hash ``find(_:_:)`` returned.
    mutating func insert(_ kind: PicklerMemo.KeyKind, _ key: UnsafeRawBufferPointer, hash: UInt64, index: Int) {
        reserve(keyBytes: key.count)
        insertReserved(kind, key, hash: hash, index: index)
    }

    /// Makes room for one more key of `keyBytes` bytes, so that ``insertReserved(_:_:hash:index:)``
    /// makes no call.
    mutating func reserve(keyBytes: Int) {
        // A key too long to be held is not inserted (see insertReserved): no room for it.
        guard keyBytes <= Self.maximumKeyLength else { return }
        if (count + 1) * 4 > (mask + 1) * 3 { grow() }
        if arena == nil || arenaCapacity - arenaUsed < keyBytes { growArena(keyBytes) }
    }

    /// Adds a key after ``reserve(keyBytes:)`` made room for it.
    @inline(__always)
    mutating func insertReserved(
        _ kind: PicklerMemo.KeyKind, _ key: UnsafeRawBufferPointer, hash: UInt64, index: Int
    ) {
        let offset = arenaUsed
        guard key.count <= Self.maximumKeyLength, offset + key.count <= Self.maximumArena,
            index < Int(UInt32.max), let arena
        else { return }
        if let source = key.baseAddress {
            copyBytes(from: source, to: arena + offset, count: key.count)
        }
        arenaUsed += key.count
        place(
            Slot(
                hash: UInt32(truncatingIfNeeded: hash >> 32),
                lengthAndKind: UInt32(truncatingIfNeeded: key.count << 8 | Int(kind.rawValue)),
                indexPlusOne: UInt32(truncatingIfNeeded: index + 1), offset: UInt32(truncatingIfNeeded: offset)))
        count += 1
    }

    /// Adds a key given as an array.
    mutating func insert<Element>(_ kind: PicklerMemo.KeyKind, _ key: [Element], hash: UInt64, index: Int) {
        key.withUnsafeBytes { insert(kind, $0, hash: hash, index: index) }
    }

    @inline(__always)
    private mutating func place(_ slot: Slot) {
        guard let slots else { return }
        var position = Int(slot.hash) & mask
        while slots[position].indexPlusOne != 0 { position = (position + 1) & mask }
        slots[position] = slot
    }

    private mutating func grow() {
        let old = slots
        let oldCapacity = mask + 1
        let capacity = oldCapacity == 0 ? initialCapacity : oldCapacity * 2
        let new: UnsafeMutablePointer<Slot>
        let owned: Bool
        if old == nil, let scratch, scratch.slotCount >= capacity {
            new = scratch.slots.bindMemory(to: Slot.self, capacity: capacity)
            owned = false
        } else {
            new = MallocBuffer.allocate(Slot.self, capacity: capacity)
            owned = true
        }
        // An empty slot is all zero bytes: one memset, rather than a loop of stores.
        UnsafeMutableRawPointer(new).initializeMemory(
            as: UInt8.self, repeating: 0, count: capacity * MemoryLayout<Slot>.stride)
        slots = new
        mask = capacity - 1
        if let old {
            for position in 0..<oldCapacity where old[position].indexPlusOne != 0 { place(old[position]) }
            if ownsSlots { MallocBuffer.free(old) }
        }
        ownsSlots = owned
    }

    /// The first arena's size.
    static let initialArenaCapacity = 2048

    private mutating func growArena(_ needed: Int) {
        if arena == nil, let scratch = scratch.take(), needed <= scratch.arenaCapacity {
            arena = scratch.arena
            arenaCapacity = scratch.arenaCapacity
            ownsArena = false
            return
        }
        let capacity = max(Self.initialArenaCapacity, arenaCapacity * 4, arenaUsed + needed)
        let new = MallocBuffer.allocate(byteCount: capacity)
        if let arena {
            new.copyMemory(from: arena, byteCount: arenaUsed)
            if ownsArena { MallocBuffer.free(arena) }
        }
        arena = new
        arenaCapacity = capacity
        ownsArena = true
    }
}

/// Whether two buffers of the same length hold the same bytes.
@inline(__always)
private func memoryEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    let count = a.count
    guard count > 0, let left = a.baseAddress, let right = b.baseAddress else { return true }
    if count >= 8 {
        var offset = 0
        while offset + 8 < count {
            if left.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != right.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            {
                return false
            }
            offset += 8
        }
        // The last word, which may overlap the one before.
        return left.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            == right.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
    if count >= 4 {
        return left.loadUnaligned(as: UInt32.self) == right.loadUnaligned(as: UInt32.self)
            && left.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
                == right.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
    }
    for offset in 0..<count
    where left.load(fromByteOffset: offset, as: UInt8.self)
        != right.load(fromByteOffset: offset, as: UInt8.self)
    {
        return false
    }
    return true
}
