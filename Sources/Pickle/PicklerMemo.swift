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
/// inside `set(list)`, the latin-1 `str` of two or more characters of `bytes` at protocols 0 to 2)
/// take an anonymous memo slot that no later lookup finds, as their CPython counterparts are new
/// objects every time.
struct PicklerMemo: ~Copyable {
    /// The number of memo entries so far, which is the next memo index.
    private(set) var count = 0

    /// Reference objects, kept alive while memoized so that an identifier is never reused by a new
    /// object (CPython's memo holds a reference for the same reason).
    var references: IdentityMemoTable
    /// Everything else, by a key of bytes and a ``KeyKind``: `str` by UTF-8 (surrogatepass UTF-8 for
    /// one with lone surrogates), `bytes` by content, globals by `module + "\n" + name` (no valid name
    /// has a newline), and the composites by a key of 64-bit words that ends with a
    /// ``CompositeKind`` tag: tuples and frozensets by the identity of their elements (see
    /// ``PickleWriter/appendIdentity(of:to:)``), complex numbers by their bits, `cls.__new__`
    /// functions by class. One table, so that a small
    /// pickle allocates little.
    var keyed: KeyedMemoTable
    /// Tuples and frozensets already memoized, by the address of their element storage, which every
    /// copy of one value shares: a shared tuple is found again at once, without building its key from
    /// its elements, whose own keys would be built again for every reference to them (exponential work
    /// for a tuple of ten references to a tuple of ten references to ...).
    var composites = IdentityMemoTable(retainingKeys: false)
    /// The element storage of each entry of ``composites``, kept alive so that no address is reused
    /// by another array while it is a key, when the memo retains its objects (see
    /// ``init(retainingObjects:)``; otherwise every tuple it meets is part of the value being dumped).
    var compositeStorage: [[PickleValue]] = []
    /// How many tuples and frozensets have been given a key in ``keyed`` so far: a tuple whose
    /// elements added none cannot have been reached from them (see ``PickleWriter/memoizeComposite(_:_:keeping:since:)``).
    var compositeKeyCount = 0

    /// The kinds of keys in ``keyed``.
    enum KeyKind: UInt8 {
        case string = 1
        case surrogateString
        case bytes
        case global
        case composite
    }

    /// Creates an empty memo.
    ///
    /// - Parameters:
    ///   - retainingObjects: Whether to hold a strong reference to each memoized reference
    ///     object, as CPython does; unneeded only when the memo cannot outlive the value being dumped
    ///     and nothing can change that value meanwhile.
    ///   - scratch: Memory for the first entries of ``keyed``, which must outlive the memo.
    init(retainingObjects: Bool, scratch: KeyedMemoTable.Scratch? = nil) {
        references = IdentityMemoTable(retainingKeys: retainingObjects)
        keyed = KeyedMemoTable(initialCapacity: Self.keyedInitialCapacity, scratch: scratch)
    }

    /// The number of slots ``keyed`` starts with.
    static let keyedInitialCapacity = 128

    /// The tags that keep the kinds of ``composites`` apart.
    enum CompositeKind: UInt64 {
        case tuple = 1
        case frozenset
        case complex
        /// `cls.__new__`, written for `NEWOBJ_EX` objects at protocols 2 and 3.
        case newMethod

        /// Whether the elements are a value's own storage (a tuple's or a frozenset's), rather than an
        /// array made for the lookup.
        var hasStorageIdentity: Bool { self == .tuple || self == .frozenset }
    }

    /// The memo index of a reference object.
    @inline(__always)
    func index(of object: AnyObject) -> Int? {
        references.index(of: object)
    }

    /// Memoizes a reference object under the next index, and returns the index.
    @inline(__always)
    mutating func insert(reference object: AnyObject) -> Int {
        let index = allocate()
        references.insert(object, index: index)
        return index
    }

    /// The memo index of a `str`.
    func index(of string: String) -> Int? {
        if let found = string.utf8.withContiguousStorageIfAvailable({ keyed.find(.string, UnsafeRawBufferPointer($0)) })
        {
            return found.index
        }
        return keyed.find(.string, Array(string.utf8)).index
    }

    /// The memo index of the tuple or frozenset whose elements are `elements`, found by their storage.
    @inline(__always)
    func index(ofComposite elements: [PickleValue]) -> Int? {
        guard let address = elements.storageIdentity else { return nil }
        return composites.index(ofIdentifier: address)
    }

    /// Records that the tuple or frozenset whose elements are `elements` has memo index `index`.
    mutating func insert(composite elements: [PickleValue], index: Int) {
        guard let address = elements.storageIdentity, composites.index(ofIdentifier: address) == nil else { return }
        if references.retainsKeys { compositeStorage.append(elements) }
        composites.insert(identifier: address, index: index)
    }

    /// Takes the next memo index.
    mutating func allocate() -> Int {
        defer { count += 1 }
        return count
    }

    /// Forgets every entry; the next index is 0 again.
    @inline(__always)
    mutating func removeAll() {
        // Every entry took an index: with none taken, there is nothing to forget (and a pickler that
        // clears its memo after each small dump does not rebuild its tables each time).
        if count > 0 { reset() }
    }

    @inline(never)
    private mutating func reset() {
        self = PicklerMemo(retainingObjects: references.retainsKeys)
    }
}
