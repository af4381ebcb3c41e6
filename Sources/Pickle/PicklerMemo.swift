/// The pickler's memo: which objects were already written, and under which memo index.
///
/// CPython keys its memo by object identity (`id()`), which Swift has only for the reference types
/// (`list`, `dict`, `set`, `bytearray`, instances). Immutable values have no identity here, so the memo
/// treats equal ones as one object: `str` and `bytes` by content (code points, not Swift's canonical
/// equivalence), globals by module and name, `complex` by bit pattern, and `tuple`/`frozenset` by
/// "identical contents", element by element: the same reference objects, memo entries or atoms of
/// the same type and bits (`1`, `True` and `1.0` are different elements here, as they are different
/// objects in Python). That is exactly CPython's output whenever equal immutable values are the same
/// Python object, as interned names, literals and shared tuples are.
///
/// Values that CPython creates afresh while pickling (the argument tuple of a reduction, the list
/// inside `set(list)`, the latin-1 `str` of `bytes` at protocols 0 to 2) take an anonymous memo
/// slot that no later lookup finds, as their CPython counterparts are new objects every time.
struct PicklerMemo {
    /// The number of memo entries so far, which is the next memo index.
    private(set) var count = 0

    var references: [ObjectIdentifier: Int] = [:]
    /// Keeps every memoized reference alive, so that an identifier is never reused by a new object
    /// while the memo holds it (CPython's memo holds a reference for the same reason).
    var retained: [AnyObject] = []
    var strings: [TextKey: Int] = [:]
    var surrogateStrings: [[UInt32]: Int] = [:]
    /// The one-character strings CPython makes when it decodes `bytes` as latin-1 (protocols 0 to 2):
    /// cached singletons in CPython, distinct from the program's own `str` objects.
    var latin1Characters: [UInt32: Int] = [:]
    var bytes: [[UInt8]: Int] = [:]
    var tuples: [[MemoToken]: Int] = [:]
    var frozensets: [[MemoToken]: Int] = [:]
    /// Memoized tuples and frozensets by the address of their storage, which copies of one value share,
    /// so that their key is computed once: a tuple referenced ten times by a tuple referenced ten
    /// times… (a small pickle can hold thirty such levels) would make computing keys exponential.
    var tupleStorages: [UInt: Int] = [:]
    var frozensetStorages: [UInt: Int] = [:]
    /// Keeps the storages above alive, so that an address is never reused while the memo holds it.
    var retainedStorages: [[PickleValue]] = []
    var globals: [GlobalKey: Int] = [:]
    var complexes: [ComplexKey: Int] = [:]
    /// `cls.__new__` functions, written for `NEWOBJ_EX` objects at protocols 2 and 3, by their class.
    var newMethods: [MemoToken: Int] = [:]

    /// Takes the next memo index.
    mutating func allocate() -> Int {
        defer { count += 1 }
        return count
    }

    /// Records the memo index of a tuple's or frozenset's storage.
    mutating func remember(storageOf elements: [PickleValue], as index: Int, frozenset: Bool) {
        guard let storage = elements.storageIdentity else { return }
        if frozenset { frozensetStorages[storage] = index } else { tupleStorages[storage] = index }
        retainedStorages.append(elements)
    }

    /// Forgets every entry; the next index is 0 again.
    mutating func removeAll() {
        count = 0
        references.removeAll()
        retained.removeAll()
        strings.removeAll()
        surrogateStrings.removeAll()
        latin1Characters.removeAll()
        bytes.removeAll()
        tuples.removeAll()
        frozensets.removeAll()
        tupleStorages.removeAll()
        frozensetStorages.removeAll()
        retainedStorages.removeAll()
        globals.removeAll()
        complexes.removeAll()
        newMethods.removeAll()
    }
}

/// A `str` as a memo key: equal when the code points are equal.
struct TextKey: Hashable {
    let string: String

    init(_ string: String) { self.string = string }

    static func == (lhs: TextKey, rhs: TextKey) -> Bool { sameCodePoints(lhs.string, rhs.string) }

    func hash(into hasher: inout Hasher) { hashUTF8(string, into: &hasher) }
}

/// A global as a memo key, by the code points of its module and name.
struct GlobalKey: Hashable {
    let module: TextKey
    let name: TextKey

    init(_ global: PickleGlobal) {
        module = TextKey(global.module)
        name = TextKey(global.name)
    }
}

/// A `complex` as a memo key, by the bits of its parts.
struct ComplexKey: Hashable {
    let real: UInt64
    let imaginary: UInt64
}

/// One element of a tuple or frozenset memo key: what makes two elements the same Python object.
enum MemoToken: Hashable {
    /// `None`, a singleton.
    case none
    /// `True` or `False`, singletons.
    case bool(Bool)
    /// An `int` that fits in `Int`; ints are never memoized, equal ones count as the same.
    case int(Int)
    /// An `int` beyond `Int`.
    case bigInt(BigInteger)
    /// A `float`, by its bits.
    case float(UInt64)
    /// The empty tuple, a singleton that is never memoized.
    case emptyTuple
    /// Anything memoized, by its memo index.
    case memo(Int)
}
