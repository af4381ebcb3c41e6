/// A pickle read for reading only: its values are looked at where they lie, without building
/// Python objects for them.
///
/// ``Unpickler`` makes a ``PickleValue`` tree: an object with a reference count for every list and
/// dict, an allocation for every long string, all of it freed again when the tree goes away. A program
/// that only reads a pickle (looks up a few fields of a record, walks a list of numbers, decodes part
/// of it into Swift types) pays for much of that without using it. `PickleDocument` reads the pickle
/// once, with every check ``Unpickler`` makes, into a compact index of its values: numbers where they
/// are, text and bytes as ranges of its own copy of the pickle, containers as ranges of child
/// indices. A ``Value`` reads from that index when asked: a `str` becomes a `String` when you read
/// ``Value/stringValue``, a list's elements are read one by one.
///
/// ```swift
/// let document = try PickleDocument(bytes)
/// let name = document.root["name"]?.stringValue          // a dict's "name" entry, if it is a str
/// for score in document.root["scores"]?.elements ?? .empty {
///     total += score.intValue ?? 0
/// }
/// let user = try PickleDecoder().decode(User.self, from: document.root)   // no PickleValue tree either
/// ```
///
/// ## What it reads and how
/// Every pickle ``Unpickler/load(_:options:)`` accepts makes a document, and every pickle it rejects
/// throws the same ``PickleError``. The values read through a document are the values the unpickler
/// builds: ``Value/pickleValue`` gives that tree, equal to the unpickler's, with its shared references
/// and cycles. What the index does not hold as such (instances of Python classes and other results of
/// calls, sets, big integers, `str` with lone surrogates, dicts with keys other than `str` and `int`,
/// pickles loaded with ``UnpicklerOptions/resolveGlobal`` or ``UnpicklerOptions/persistentLoad``) the
/// document keeps as ``PickleValue``s made by the unpickler, and a ``Value`` reads those the same way;
/// a pickle of such values is no faster to read this way than to load.
///
/// Only the first pickle of the bytes is read; bytes after its `STOP` are ignored, as by
/// ``Unpickler/load(_:options:)``.
///
/// ## Identity and mutation
/// A document never changes. ``Value/pickleValue`` makes each list and dict once per document and
/// returns the same objects every time it is asked (so that shared references stay shared), and the
/// values the document keeps as ``PickleValue``s are shared in the same way: changing one of those
/// objects changes what later calls return through ``Value/pickleValue``. Take a copy of what you
/// mean to change, or load the pickle with ``Unpickler``.
///
/// A document is not thread-safe (it makes values and key indexes on first use): use each one, and
/// its values, from one thread at a time.
public final class PickleDocument {
    /// The index of the pickle's values, or `nil` when the unpickler made them (see ``loaded``).
    let arena: PickleArena?
    /// ``arena``, for reading without a retain and release on every access (the document keeps it).
    let unretainedArena: Unmanaged<PickleArena>?
    /// The unpickler's value of a pickle the arena handed over.
    private let loaded: PickleValue
    /// Key indexes of the large dicts looked up by key so far, by node.
    private var keyIndexes: [Int32: KeyIndex] = [:]

    /// Reads the first pickle in `bytes`.
    ///
    /// ```swift
    /// let document = try PickleDocument([0x80, 0x04, 0x4b, 0x2a, 0x2e])
    /// document.root.intValue   // 42
    /// ```
    ///
    /// - Parameters:
    ///   - bytes: The pickle; the document keeps a copy of it.
    ///   - options: Limits, hooks and compatibility settings, as for ``Unpickler``.
    /// - Throws: ``PickleError``, as ``Unpickler/load(_:options:)`` throws it for the same bytes.
    public convenience init(_ bytes: [UInt8], options: UnpicklerOptions = UnpicklerOptions()) throws(PickleError) {
        try self.init(owning: bytes.withUnsafeBytes { Self.copy($0) }, options: options)
    }

    /// Reads the first pickle in `buffer`, which is copied: the document does not refer to it afterwards.
    ///
    /// ```swift
    /// let document = try data.withUnsafeBytes { try PickleDocument(copying: $0) }
    /// ```
    ///
    /// - Parameters:
    ///   - buffer: The pickle.
    ///   - options: Limits, hooks and compatibility settings, as for ``Unpickler``.
    /// - Throws: ``PickleError``, as ``Unpickler/load(from:options:)`` throws it for the same bytes.
    public convenience init(
        copying buffer: UnsafeRawBufferPointer, options: UnpicklerOptions = UnpicklerOptions()
    ) throws(PickleError) {
        try self.init(owning: Self.copy(buffer), options: options)
    }

    /// A block holding a copy of `buffer` and, for a small pickle, room after it for the first nodes and
    /// children of its arena: one allocation for the document's memory, unless the pickle holds more
    /// values than the arena first makes room for.
    private static func copy(_ buffer: UnsafeRawBufferPointer) -> UnsafeMutableRawBufferPointer {
        var size = arenaOffset(forPickleOf: buffer.count)
        if buffer.count <= sharedBlockLimit { size += PickleArena.storageBytes(forPickleOf: buffer.count) }
        let block = MallocBuffer.allocate(byteCount: max(size, 1))
        if let source = buffer.baseAddress, buffer.count > 0 { block.copyMemory(from: source, byteCount: buffer.count) }
        return UnsafeMutableRawBufferPointer(start: block, count: buffer.count)
    }

    /// The largest pickle whose arena starts in the document's block. A larger one's arena has blocks of
    /// its own, which `realloc` can often grow in place: growing out of the document's block copies the
    /// nodes, and the larger the pickle, the likelier its arena grows.
    private static let sharedBlockLimit = 2048

    /// Where the arena's storage starts in a block from ``copy(_:)``: after the pickle, 16-aligned.
    private static func arenaOffset(forPickleOf byteCount: Int) -> Int { (byteCount + 15) & ~15 }

    /// Reads the pickle in `copy`, a block from ``copy(_:)``: the arena takes it, and keeps it while anything
    /// reads its nodes; without an arena (a pickle the unpickler loads or rejects), it is freed at once.
    private init(owning copy: UnsafeMutableRawBufferPointer, options: UnpicklerOptions) throws(PickleError) {
        byteCount = copy.count
        let readable = UnsafeRawBufferPointer(copy)
        let storage =
            copy.count <= Self.sharedBlockLimit
            ? copy.baseAddress.unsafelyUnwrapped + Self.arenaOffset(forPickleOf: copy.count) : nil
        if let arena = PickleArena.parse(readable, options: options, storage: storage) {
            arena.ownedBlock = copy.baseAddress
            self.arena = arena
            unretainedArena = Unmanaged.passUnretained(arena)
            loaded = .none
        } else {
            // (No value of the unpickler's refers to the bytes it read.)
            defer { MallocBuffer.free(copy.baseAddress.unsafelyUnwrapped) }
            loaded = try Unpickler.load(from: readable, options: options)
            arena = nil
            unretainedArena = nil
        }
    }

    /// The value the pickle describes: what its `STOP` returns.
    public var root: Value {
        guard let arena else { return Value(document: self, value: loaded) }
        return Value(document: self, node: arena.root)
    }

    /// The size of the pickle in bytes.
    public let byteCount: Int

    /// `body` with the arena, which the document must have, read without a retain and a release.
    @inline(__always)
    func withArena<Result>(_ body: (PickleArena) throws -> Result) rethrows -> Result {
        try unretainedArena.unsafelyUnwrapped._withUnsafeGuaranteedRef(body)
    }
}

@available(*, unavailable)
extension PickleDocument: Sendable {}

// MARK: - Values

extension PickleDocument {
    /// One value of a ``PickleDocument``: a number, a `str`, a container of more values, or anything else
    /// a pickle can hold. It keeps its document alive.
    ///
    /// The accessors mirror ``PickleValue``'s: each returns `nil` when the value is of another type.
    ///
    /// ```swift
    /// let tags = document.root["tags"]?.elements?.compactMap(\.stringValue) ?? []
    /// ```
    public struct Value {
        /// The document the value is read from.
        public let document: PickleDocument
        let reference: Reference

        /// Where a value is: a node of the document's index, or a value the unpickler made.
        enum Reference {
            case node(Int32)
            case value(PickleValue)
        }

        init(document: PickleDocument, value: PickleValue) {
            self.document = document
            reference = .value(value)
        }

        /// The value of node `index`: the node, or the boxed ``PickleValue`` it stands for.
        init(document: PickleDocument, node index: Int32) {
            reference = document.withArena { arena in
                let node = arena.nodes[Int(index)]
                switch node.kind {
                case .boxed: return .value(arena.boxed[Int(node.payload)])
                default: return .node(index)
                }
            }
            self.document = document
        }

        /// `body` with the document's arena, read without a retain (the value keeps the document, which
        /// keeps the arena).
        @inline(__always)
        private func withArena<Result>(_ body: (PickleArena) throws -> Result) rethrows -> Result {
            try document.withArena(body)
        }

        /// Node `index` of the document's arena.
        @inline(__always)
        private func node(_ index: Int32) -> PickleArena.Node { withArena { $0.nodes[Int(index)] } }

        /// The value as the unpickler builds it: a ``PickleValue`` tree, made on first use (see
        /// ``PickleDocument``, "Identity and mutation").
        public var pickleValue: PickleValue {
            switch reference {
            case .value(let value): value
            case .node(let index): withArena { $0.materialize(index, parsing: false).unsafelyUnwrapped }
            }
        }

        /// The kind of value, named as ``PickleValue``'s cases are: a switch over it tells which of the
        /// accessors give the value.
        public var kind: Kind {
            switch reference {
            case .node(let index):
                switch node(index).kind {
                case .none: return .none
                case .bool: return .bool
                case .int: return .int
                case .float: return .float
                case .string: return .string
                case .bytes: return .bytes
                case .list: return .list
                case .tuple: return .tuple
                case .dict: return .dict
                case .boxed: return Kind(of: pickleValue)
                }
            case .value(let value):
                return Kind(of: value)
            }
        }

        /// Python's name for the value's type, like `"int"`, `"dict"` or, for an instance, its class's
        /// qualified name.
        public var pythonTypeName: String {
            guard case .node(let index) = reference else { return pickleValue.pythonTypeName }
            switch node(index).kind {
            case .none: return "NoneType"
            case .bool: return "bool"
            case .int: return "int"
            case .float: return "float"
            case .string: return "str"
            case .bytes: return "bytes"
            case .list: return "list"
            case .tuple: return "tuple"
            case .dict: return "dict"
            case .boxed: return pickleValue.pythonTypeName
            }
        }

        /// Whether the value is Python's `None`.
        public var isNone: Bool {
            switch reference {
            case .node(let index): node(index).kind == .none
            case .value(let value): value.isNone
            }
        }

        /// The value as a `Bool` when it is a `bool`.
        public var boolValue: Bool? {
            switch reference {
            case .node(let index):
                let node = node(index)
                return node.kind == .bool ? node.payload != 0 : nil
            case .value(let value):
                return value.boolValue
            }
        }

        /// The value as an `Int` when it is an `int` (or a `bool`, as in Python) that fits.
        public var intValue: Int? {
            switch reference {
            case .node(let index):
                let node = node(index)
                switch node.kind {
                case .int: return Int(Int64(bitPattern: node.payload))
                case .bool: return node.payload != 0 ? 1 : 0
                default: return nil
                }
            case .value(let value):
                return value.intValue
            }
        }

        /// The value as a `Double` when it is a `float`.
        public var doubleValue: Double? {
            switch reference {
            case .node(let index):
                let node = node(index)
                return node.kind == .float ? Double(bitPattern: node.payload) : nil
            case .value(let value):
                return value.doubleValue
            }
        }

        /// The value as a Swift `String` when it is a `str` without lone surrogates.
        public var stringValue: String? {
            switch reference {
            case .node(let index):
                return withArena { arena in
                    let node = arena.nodes[Int(index)]
                    return node.kind == .string ? arena.string(of: node) : nil
                }
            case .value(let value):
                return value.stringValue
            }
        }

        /// The bytes of a `bytes` or `bytearray` value.
        public var bytesValue: [UInt8]? {
            switch reference {
            case .node(let index):
                return withArena { arena in
                    let node = arena.nodes[Int(index)]
                    return node.kind == .bytes ? Array(arena.bytes(of: node)) : nil
                }
            case .value(let value):
                return value.bytesValue
            }
        }

        /// Calls `body` with the UTF-8 of a `str` (without lone surrogates) or the bytes of a `bytes` or
        /// `bytearray`, read in place where the document holds them; `nil` for other values.
        ///
        /// ```swift
        /// let isPNG = value.withUnsafeBytes { $0.starts(with: [0x89, 0x50, 0x4E, 0x47]) } ?? false
        /// ```
        public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result? {
            switch reference {
            case .node(let index):
                return try withArena { arena in
                    let node = arena.nodes[Int(index)]
                    guard node.kind == .string || node.kind == .bytes else { return nil }
                    return try body(arena.bytes(of: node))
                }
            case .value(.string(var string)):
                return try string.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
            case .value(.bytes(let bytes)):
                return try bytes.withUnsafeBytes(body)
            case .value(.bytearray(let array)):
                return try array.bytes.withUnsafeBytes(body)
            case .value:
                return nil
            }
        }

        /// The elements of a `list` or `tuple`, in order; `nil` for other values.
        ///
        /// A list's elements are those the pickle gave it. (A `list` is a snapshot when the document holds
        /// it as a ``PickleList``: see ``PickleDocument``, "Identity and mutation".)
        public var elements: Elements? {
            switch reference {
            case .node(let index):
                let node = node(index)
                guard node.kind == .list || node.kind == .tuple else { return nil }
                return Elements(document, first: Int(node.payload), count: Int(node.count))
            case .value(.list(let list)):
                return Elements(document, values: list.elements)
            case .value(.tuple(let elements)):
                return Elements(document, values: elements)
            case .value:
                return nil
            }
        }

        /// The entries of a `dict`, in insertion order; `nil` for other values.
        public var entries: Entries? {
            switch reference {
            case .node(let index):
                let node = node(index)
                guard node.kind == .dict else { return nil }
                if let dict = dictWithRepeatedKeys(index) {
                    return Entries(document, dict: dict)
                }
                return Entries(document, first: Int(node.payload), count: Int(node.count))
            case .value(.dict(let dict)):
                return Entries(document, dict: dict)
            case .value:
                return nil
            }
        }

        /// For dict node `index` whose keys repeat, the dict the unpickler makes of it: the node has an
        /// entry for each `SETITEM`, where Python's dict keeps one per key, in the place of the first, with
        /// the value of the last. `nil` when the keys are distinct (worked out once per dict).
        private func dictWithRepeatedKeys(_ index: Int32) -> PickleDict? {
            withArena { arena in
                guard !arena.hasDistinctKeys(index),
                    case .dict(let dict) = arena.materialize(index, parsing: false).unsafelyUnwrapped
                else { return nil }
                return dict
            }
        }

        /// The element at `position` of a `list` or `tuple`; `nil` for other values, or when `position` is
        /// out of range.
        public subscript(position: Int) -> Value? {
            guard let elements, elements.indices.contains(position) else { return nil }
            return elements[position]
        }

        /// The value for the `str` key `key` of a `dict` (Python's equality: the same code points); `nil`
        /// for other values, or when there is no such key.
        ///
        /// A dict of more than a few entries is indexed by its keys on the first lookup, so that later
        /// ones take constant time on average.
        public subscript(key: String) -> Value? {
            var utf8 = key
            return utf8.withUTF8 { utf8 in
                let bytes = UnsafeRawBufferPointer(utf8)
                return value(forKey: .string(key)) { arena, candidate in
                    candidate.kind == .string && arena.string(candidate, equals: bytes)
                } indexed: { keys in
                    keys.strings[KeyIndex.Bytes(bytes)]
                }
            }
        }

        /// The value for the `int` key `key` of a `dict` (Python's equality: `True` is the key `1`); `nil`
        /// for other values, or when there is no such key.
        public subscript(key key: Int) -> Value? {
            let payload = UInt64(bitPattern: Int64(key))
            return value(forKey: .int(key)) { _, candidate in
                candidate.kind == .int && candidate.payload == payload
            } indexed: { keys in
                keys.ints[key]
            }
        }

        /// The value for `key` in a dict: in a dict node, the entry whose key node `matches` (or, in a large
        /// dict, that `indexed` finds in its key index); in a dict the unpickler made (or one whose keys
        /// repeat), by the dict's own lookup of `key`.
        private func value(
            forKey key: PickleValue, matching matches: (PickleArena, PickleArena.Node) -> Bool,
            indexed: (KeyIndex) -> Int?
        ) -> Value? {
            guard case .node(let index) = reference else {
                guard case .value(.dict(let dict)) = reference, let found = dict[key] else { return nil }
                return Value(document: document, value: found)
            }
            return withArena { arena in
                let node = arena.nodes[Int(index)]
                guard node.kind == .dict else { return nil }
                if let dict = dictWithRepeatedKeys(index) { return dict[key].map { Value(document: document, value: $0) } }
                let entry = document.entry(
                    ofDict: index, node: node, in: arena, matching: { matches(arena, $0) }, indexed: indexed)
                return entry.map { document.value(ofEntry: $0, node: node, in: arena) }
            }
        }
    }
}

extension PickleDocument.Value {
    /// The kinds of ``PickleDocument/Value``, one for each case of ``PickleValue``.
    ///
    /// ```swift
    /// switch value.kind {
    /// case .int: total += value.intValue!
    /// case .string: names.append(value.stringValue!)
    /// case .list, .tuple: pending.append(contentsOf: value.elements!)
    /// default: others.append(value.pickleValue)
    /// }
    /// ```
    public enum Kind: Sendable, Hashable {
        /// `None`.
        case none
        /// A `bool`: ``PickleDocument/Value/boolValue`` gives it.
        case bool
        /// An `int` that fits in `Int`: ``PickleDocument/Value/intValue`` gives it.
        case int
        /// An `int` beyond `Int`: ``PickleDocument/Value/pickleValue`` gives it as ``PickleValue/bigInt(_:)``.
        case bigInt
        /// A `float`: ``PickleDocument/Value/doubleValue`` gives it.
        case float
        /// A `complex`, as ``PickleValue/complex(real:imaginary:)``.
        case complex
        /// A `str` without lone surrogates: ``PickleDocument/Value/stringValue`` gives it.
        case string
        /// A `str` with lone surrogates, as ``PickleValue/surrogateString(_:)``.
        case surrogateString
        /// A `bytes`: ``PickleDocument/Value/bytesValue`` gives it.
        case bytes
        /// A `bytearray`: ``PickleDocument/Value/bytesValue`` gives its bytes.
        case bytearray
        /// A `list`: ``PickleDocument/Value/elements`` gives its elements.
        case list
        /// A `tuple`: ``PickleDocument/Value/elements`` gives its elements.
        case tuple
        /// A `dict`: ``PickleDocument/Value/entries`` gives its entries.
        case dict
        /// A `set`, as ``PickleValue/set(_:)``.
        case set
        /// A `frozenset`, as ``PickleValue/frozenset(_:)``.
        case frozenset
        /// A reference to a global, as ``PickleValue/global(_:)``.
        case global
        /// An instance of a Python class, as ``PickleValue/object(_:)``.
        case object

        init(of value: PickleValue) {
            self =
                switch value {
                case .none: .none
                case .bool: .bool
                case .int: .int
                case .bigInt: .bigInt
                case .float: .float
                case .complex: .complex
                case .string: .string
                case .surrogateString: .surrogateString
                case .bytes: .bytes
                case .bytearray: .bytearray
                case .list: .list
                case .tuple: .tuple
                case .dict: .dict
                case .set: .set
                case .frozenset: .frozenset
                case .global: .global
                case .object: .object
                }
        }
    }
}

extension PickleDocument.Value: CustomStringConvertible {
    /// The value as Python's `repr` would show it (see ``PickleValue``'s `description`).
    public var description: String { pickleValue.description }
}

// MARK: - Collections of values

extension PickleDocument {
    /// The elements of a `list` or `tuple` of a ``PickleDocument``, read one by one when asked for.
    public struct Elements: RandomAccessCollection {
        let document: PickleDocument?
        let storage: Storage
        /// The number of elements.
        public let endIndex: Int

        enum Storage {
            /// Node indices in the arena's children, from `first`.
            case nodes(first: Int)
            case values([PickleValue])
        }

        init(document: PickleDocument?, storage: Storage, count: Int) {
            self.document = document
            self.storage = storage
            endIndex = count
        }

        /// The elements of a node. (Not inlined, and borrowing `document`: otherwise the caller retains it
        /// before its check of the node's kind, and releases it again for every value that is not a list.)
        @inline(never)
        init(_ document: borrowing PickleDocument, first: Int, count: Int) {
            self.init(document: copy document, storage: .nodes(first: first), count: count)
        }

        /// The elements of a ``PickleList`` or a tuple.
        init(_ document: PickleDocument, values: [PickleValue]) {
            self.init(document: document, storage: .values(values), count: values.count)
        }

        /// No elements, for `?? .empty` after ``Value/elements``.
        public static var empty: Elements { Elements(document: nil, storage: .values([]), count: 0) }

        /// The position of the first element: 0.
        public var startIndex: Int { 0 }

        /// The element at `position`, which must be in range.
        public subscript(position: Int) -> Value {
            precondition(position >= 0 && position < endIndex, "index \(position) out of range 0..<\(endIndex)")
            return element(position)
        }

        /// The element at `position`, in range.
        @inline(__always)
        func element(_ position: Int) -> Value {
            let document = document.unsafelyUnwrapped
            switch storage {
            case .nodes(let first):
                return Value(document: document, node: document.withArena { $0.children[first + position] })
            case .values(let values):
                return Value(document: document, value: values[position])
            }
        }

        /// Returns an iterator over the elements.
        public func makeIterator() -> Iterator { Iterator(elements: self) }

        /// An iterator over ``Elements``.
        public struct Iterator: IteratorProtocol {
            let elements: Elements
            var position = 0

            /// The next element, or `nil` after the last.
            public mutating func next() -> Value? {
                guard position < elements.endIndex else { return nil }
                defer { position += 1 }
                return elements.element(position)
            }
        }
    }

    /// The entries of a `dict` of a ``PickleDocument``, in insertion order, read one by one when asked for.
    public struct Entries: RandomAccessCollection {
        let document: PickleDocument?
        let storage: Storage
        /// The number of entries.
        public let endIndex: Int

        enum Storage {
            /// Key and value node indices, alternating, in the arena's children from `first`.
            case nodes(first: Int)
            case values(keys: [PickleValue], values: [PickleValue])
        }

        init(document: PickleDocument?, storage: Storage, count: Int) {
            self.document = document
            self.storage = storage
            endIndex = count
        }

        /// The entries of a node (not inlined, as ``Elements/init(_:first:count:)``).
        @inline(never)
        init(_ document: borrowing PickleDocument, first: Int, count: Int) {
            self.init(document: copy document, storage: .nodes(first: first), count: count)
        }

        /// The entries of a ``PickleDict``.
        init(_ document: PickleDocument, dict: PickleDict) {
            self.init(document: document, storage: .values(keys: dict.keys, values: dict.values), count: dict.count)
        }

        /// No entries.
        public static var empty: Entries { Entries(document: nil, storage: .values(keys: [], values: []), count: 0) }

        /// The position of the first entry: 0.
        public var startIndex: Int { 0 }

        /// The entry at `position`, which must be in range.
        public subscript(position: Int) -> (key: Value, value: Value) {
            precondition(position >= 0 && position < endIndex, "index \(position) out of range 0..<\(endIndex)")
            return entry(position)
        }

        /// The entry at `position`, in range.
        @inline(__always)
        func entry(_ position: Int) -> (key: Value, value: Value) {
            let document = document.unsafelyUnwrapped
            switch storage {
            case .nodes(let first):
                let (key, value) = document.withArena { ($0.children[first + 2 * position], $0.children[first + 2 * position + 1]) }
                return (Value(document: document, node: key), Value(document: document, node: value))
            case .values(let keys, let values):
                return (Value(document: document, value: keys[position]), Value(document: document, value: values[position]))
            }
        }

        /// Returns an iterator over the entries.
        public func makeIterator() -> Iterator { Iterator(entries: self) }

        /// An iterator over ``Entries``.
        public struct Iterator: IteratorProtocol {
            let entries: Entries
            var position = 0

            /// The next entry, or `nil` after the last.
            public mutating func next() -> (key: Value, value: Value)? {
                guard position < entries.endIndex else { return nil }
                defer { position += 1 }
                return entries.entry(position)
            }
        }
    }
}

// MARK: - Looking up keys

extension PickleDocument {
    /// The positions of a large dict's keys: `str` keys by their UTF-8, `int` keys by value.
    struct KeyIndex {
        /// UTF-8 in the document's copy of the pickle (or, to look one up, the caller's).
        struct Bytes: Hashable {
            let buffer: UnsafeRawBufferPointer
            init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }
            static func == (a: Bytes, b: Bytes) -> Bool {
                a.buffer.count == b.buffer.count
                    && (a.buffer.count == 0 || memcmp(a.buffer.baseAddress!, b.buffer.baseAddress!, a.buffer.count) == 0)
            }
            func hash(into hasher: inout Hasher) { hasher.combine(bytes: buffer) }
        }

        var strings: [Bytes: Int] = [:]
        var ints: [Int: Int] = [:]
    }

    /// Dicts of up to this many entries are searched from the start: faster than hashing a key.
    static let linearLookupLimit = 8

    /// The position of the entry of dict node `index` whose key `matches`, by a search of the keys or, in a
    /// large dict, by a lookup in its key index through `indexed`. The dict's keys are distinct.
    fileprivate func entry(
        ofDict index: Int32, node: PickleArena.Node, in arena: PickleArena,
        matching matches: (PickleArena.Node) -> Bool, indexed: (KeyIndex) -> Int?
    ) -> Int? {
        let first = arena.firstChild(of: node)
        let count = Int(node.count)
        if count <= Self.linearLookupLimit {
            for entry in 0..<count where matches(arena.nodes[Int(arena.children[first + 2 * entry])]) { return entry }
            return nil
        }
        if let keys = keyIndexes[index] { return indexed(keys) }
        var keys = KeyIndex()
        for entry in 0..<count {
            let key = arena.nodes[Int(arena.children[first + 2 * entry])]
            switch key.kind {
            case .string: keys.strings[KeyIndex.Bytes(arena.bytes(of: key))] = entry
            case .int: keys.ints[Int(Int64(bitPattern: key.payload))] = entry
            default: break
            }
        }
        keyIndexes[index] = keys
        return indexed(keys)
    }

    /// The value of entry `entry` of dict node `node`.
    fileprivate func value(ofEntry entry: Int, node: PickleArena.Node, in arena: PickleArena) -> Value {
        Value(document: self, node: arena.children[arena.firstChild(of: node) + 2 * entry + 1])
    }
}

// MARK: - Decoding

extension PickleDecoder {
    /// Decodes a `T` from a value of a ``PickleDocument``, reading the document's index as a decode of
    /// the pickle's bytes reads it, without making a ``PickleValue`` tree.
    ///
    /// A document read once can be decoded from several times, part by part:
    /// ```swift
    /// let document = try PickleDocument(bytes)
    /// let header = try PickleDecoder().decode(Header.self, from: document.root["header"]!)
    /// ```
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - value: The value to read.
    /// - Returns: The decoded value.
    /// - Throws: `DecodingError` when the value does not have the form `T` expects, with the Python
    ///   types and the coding path (from `value`) in its message.
    public func decode<T: Decodable>(_ type: T.Type, from value: PickleDocument.Value) throws -> T {
        switch value.reference {
        case .value(let tree):
            return try decode(type, from: tree)
        case .node(let index):
            let arena = value.document.arena.unsafelyUnwrapped
            let context = PickleDecodingContext(userInfo: userInfo, maxDepth: maxDepth, arena: arena)
            let decoder = _PickleArenaDecoder(context: context, arena: arena, node: index, path: .root)
            return try withExtendedLifetime(value.document) { try decoder.unwrap(type, node: index, at: .root) }
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#elseif canImport(ucrt)
    import ucrt
#endif
