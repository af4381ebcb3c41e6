/// The `Decoder` that `PickleDecoder.decode(_:from:)` hands to `init(from:)` when it reads a pickle: it
/// reads the nodes of a ``PickleArena``.
///
/// It is ``_PickleDecoder`` over nodes instead of ``PickleValue``s, and gives what that decoder gives
/// over the tree of the same pickle, error for error: the same checks, the same budget spent at the
/// same points, the same paths. What the arena holds as a boxed value (instances, sets, dates…) and what
/// a type reads in a form of its own other than arrays, optionals and dictionaries, it hands to a
/// ``_PickleDecoder`` sharing its context, with the node made into a value.
final class _PickleArenaDecoder: Decoder {
    let context: PickleDecodingContext
    let arena: PickleArena
    @exclusivity(unchecked) var node: Int32
    @exclusivity(unchecked) var path: PickleCodingPath
    /// The decoder for values read from the tree, made when first needed.
    @exclusivity(unchecked) private var treeDecoder: _PickleDecoder?

    init(context: PickleDecodingContext, arena: PickleArena, node: Int32, path: PickleCodingPath) {
        self.context = context
        self.arena = arena
        self.node = node
        self.path = path
    }

    /// The decoder for the values the arena hands over (see the type's documentation).
    var tree: _PickleDecoder {
        if let treeDecoder { return treeDecoder }
        let decoder = _PickleDecoder(context: context, value: .none, path: .root)
        treeDecoder = decoder
        return decoder
    }

    /// The value of node `index`, for the tree's decoder or an error message.
    @inline(__always)
    func value(of index: Int32) -> PickleValue {
        arena.materialize(index, parsing: false).unsafelyUnwrapped
    }

    @inline(__always)
    func kind(of index: Int32) -> PickleArena.Kind { arena.nodes[Int(index)].kind }

    /// Counts one more value decoded, as ``_PickleDecoder/spend(at:)`` does.
    @inline(__always)
    func spend(at path: @autoclosure () -> PickleCodingPath) throws { try context.spend(at: path()) }

    /// One more level of nesting, as ``_PickleDecoder/enterNested(at:)`` counts it.
    @inline(__always)
    func enterNested(at path: @autoclosure () -> PickleCodingPath) throws { try context.enterNested(at: path()) }

    var codingPath: [any CodingKey] { path.keys }

    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try keyedContainer(Key.self, for: node, at: path)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try unkeyedContainer(for: node, at: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// The keyed container for node `index`: the arena's for a dict whose keys are all different, the tree's
    /// for anything else (a dict with a repeated key, an instance, an `OrderedDict`), which also reports
    /// what is not a mapping.
    func keyedContainer<Key: CodingKey>(
        _ type: Key.Type, for index: Int32, at path: PickleCodingPath
    ) throws -> KeyedDecodingContainer<Key> {
        guard kind(of: index) == .dict, arena.hasDistinctKeys(index) else {
            return KeyedDecodingContainer(try tree.keyedContainer(type, for: value(of: index), at: path))
        }
        try spend(at: path)
        return KeyedDecodingContainer(PickleArenaKeyedDecodingContainer<Key>(decoder: self, dict: index, path: path))
    }

    /// The unkeyed container for node `index`: the arena's for a list or tuple, the tree's for anything else.
    func unkeyedContainer(for index: Int32, at path: PickleCodingPath) throws -> any UnkeyedDecodingContainer {
        let node = arena.nodes[Int(index)]
        guard node.kind == .list || node.kind == .tuple else {
            return try tree.unkeyedContainer(for: value(of: index), at: path)
        }
        try spend(at: path)
        return PickleArenaUnkeyedDecodingContainer(
            decoder: self, first: arena.firstChild(of: node), count: Int(node.count), path: path)
    }

    // MARK: - Primitives

    @inline(__always)
    func string(_ index: Int32, at path: @autoclosure () -> PickleCodingPath) throws -> String {
        let node = arena.nodes[Int(index)]
        if node.kind == .string { return arena.string(of: node) }
        return try PickleUnboxing.string(value(of: index), at: path())
    }

    @inline(__always)
    func integer<T: FixedWidthInteger>(
        _ index: Int32, as type: T.Type, at path: @autoclosure () -> PickleCodingPath
    ) throws -> T {
        let node = arena.nodes[Int(index)]
        if T.self == Int.self, node.kind == .int {
            return unsafeBitCast(Int(Int64(bitPattern: node.payload)), to: T.self)
        }
        return try PickleUnboxing.integer(value(of: index), as: type, at: path())
    }

    @inline(__always)
    func double(_ index: Int32, at path: @autoclosure () -> PickleCodingPath) throws -> Double {
        let node = arena.nodes[Int(index)]
        if node.kind == .float { return Double(bitPattern: node.payload) }
        return try PickleUnboxing.double(value(of: index), at: path())
    }

    @inline(__always)
    func float(_ index: Int32, at path: @autoclosure () -> PickleCodingPath) throws -> Float {
        try PickleUnboxing.float(value(of: index), at: path())
    }

    @inline(__always)
    func bool(_ index: Int32, at path: @autoclosure () -> PickleCodingPath) throws -> Bool {
        let node = arena.nodes[Int(index)]
        if node.kind == .bool { return node.payload != 0 }
        return try PickleUnboxing.bool(value(of: index), at: path())
    }

    // MARK: - Values

    /// Decodes a `T` from node `index`, found at `path`, as ``_PickleDecoder/unwrap(_:from:at:)`` does.
    @inline(__always)
    func unwrap<T: Decodable>(_ type: T.Type, node index: Int32, at path: @autoclosure () -> PickleCodingPath) throws
        -> T
    {
        if T.self == String.self { return unsafeBitCast(try string(index, at: path()), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(index, as: Int.self, at: path()), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try double(index, at: path()), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(index, at: path()), to: T.self) }
        if KnownType.optionalInt.matches(T.self) {
            let result = try unwrapOptional(index, at: path()) { try integer($0, as: Int.self, at: path()) }
            return unsafeBitCast(result, to: T.self)
        }
        if KnownType.optionalString.matches(T.self) {
            let result = try unwrapOptional(index, at: path()) { try string($0, at: path()) }
            return unsafeBitCast(result, to: T.self)
        }
        if KnownType.optionalDouble.matches(T.self) {
            let result = try unwrapOptional(index, at: path()) { try double($0, at: path()) }
            return unsafeBitCast(result, to: T.self)
        }
        if KnownType.optionalBool.matches(T.self) {
            let result = try unwrapOptional(index, at: path()) { try bool($0, at: path()) }
            return unsafeBitCast(result, to: T.self)
        }
        return try unwrapComposite(type, node: index, at: path())
    }

    @inline(__always)
    private func unwrapOptional<Wrapped>(
        _ index: Int32, at path: @autoclosure () -> PickleCodingPath, _ unbox: (Int32) throws -> Wrapped
    ) throws -> Wrapped? {
        try spend(at: path())
        try enterNested(at: path())
        defer { context.depth -= 1 }
        return kind(of: index) == .none ? nil : try unbox(index)
    }

    /// Decodes a value that is not a primitive.
    func unwrapComposite<T: Decodable>(_ type: T.Type, node index: Int32, at path: PickleCodingPath) throws -> T {
        try unwrapComposite(type, node: index, at: path, form: PickleArenaDecodingForm.of(T.self))
    }

    /// ``unwrapComposite(_:node:at:)`` with `T`'s form, for the elements of an array, which share it.
    func unwrapComposite<T: Decodable>(
        _ type: T.Type, node index: Int32, at path: @autoclosure () -> PickleCodingPath, form: PickleArenaDecodingForm
    ) throws -> T {
        switch form {
        case .arena(let native):
            try spend(at: path())
            return try native.decode(type, node: index, in: self, at: path())
        case .commonDictionary(let native, let kind):
            return try commonDictionary(type, kind, node: index, at: path(), native: native)
        case .tree(let form):
            return try tree.unwrapComposite(type, from: value(of: index), at: path(), form: form)
        case .plain:
            if kind(of: index) == .boxed {
                return try tree.unwrapComposite(type, from: value(of: index), at: path(), form: .plain)
            }
            try spend(at: path())
            try enterNested(at: path())
            defer { context.depth -= 1 }
            let (savedNode, savedPath) = (self.node, self.path)
            self.node = index
            self.path = path()
            defer {
                self.node = savedNode
                self.path = savedPath
            }
            return try T(from: self)
        }
    }
}

extension _PickleArenaDecoder {
    /// `Dictionary.init(arenaNode:in:at:)` for `T`, the dictionary of common types that `common` names, with `T`
    /// known here without asking the runtime for the metadata of `Self` (which costs a lookup of its
    /// prespecializations every time). Out of ``unwrapComposite(_:node:at:form:)``, which would otherwise
    /// ask for `T?`'s on every call.
    @inline(never)
    func commonDictionary<T: Decodable>(
        _ type: T.Type, _ common: CommonDictionary, node index: Int32, at path: PickleCodingPath,
        native: any PickleArenaDecodable.Type
    ) throws -> T {
        let checkpoint = context.budget.checkpoint
        try spend(at: path)
        guard kind(of: index) == .dict else { return try native.decode(type, node: index, in: self, at: path) }
        do {
            let reader = PickleArenaDictionaryReader(dict: index, decoder: self, path: path)
            return try PickleNative.commonDictionary(common, as: T.self, reading: .node(reader))
        } catch {
            guard !arena.hasDistinctKeys(index) else { throw error }
            context.budget.rewind(to: checkpoint)
            return try tree.unwrapComposite(type, from: value(of: index), at: path, form: PickleDecodingForm.of(T.self))
        }
    }
}

// MARK: - Single value container

extension _PickleArenaDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { kind(of: node) == .none }
    func decode(_ type: Bool.Type) throws -> Bool { try bool(node, at: path) }
    func decode(_ type: String.Type) throws -> String { try string(node, at: path) }
    func decode(_ type: Double.Type) throws -> Double { try double(node, at: path) }
    func decode(_ type: Float.Type) throws -> Float { try float(node, at: path) }
    func decode(_ type: Int.Type) throws -> Int { try integer(node, as: type, at: path) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(node, as: type, at: path) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(node, as: type, at: path) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(node, as: type, at: path) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(node, as: type, at: path) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decode(_ type: Int128.Type) throws -> Int128 { try integer(node, as: type, at: path) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(node, as: type, at: path) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(node, as: type, at: path) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(node, as: type, at: path) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(node, as: type, at: path) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(node, as: type, at: path) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decode(_ type: UInt128.Type) throws -> UInt128 { try integer(node, as: type, at: path) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try unwrap(type, node: node, at: path) }
}

// MARK: - Forms

/// How ``_PickleArenaDecoder`` reads values of one Swift type: ``PickleDecodingForm``, with the types
/// that read arena nodes themselves picked out. Worked out once per type.
enum PickleArenaDecodingForm {
    /// Through `init(from:)`.
    case plain
    /// From nodes, by the type's own code: arrays, optionals, dictionaries.
    case arena(any PickleArenaDecodable.Type)
    /// A dictionary of common types (see ``CommonDictionary``), read from nodes.
    case commonDictionary(any PickleArenaDecodable.Type, CommonDictionary)
    /// From the node made into a value, by the tree's decoder.
    case tree(PickleDecodingForm)

    static func of(_ type: Any.Type) -> PickleArenaDecodingForm {
        let id = ObjectIdentifier(type)
        if let form = cache.withLock({ $0[id] }) { return form }
        let form: PickleArenaDecodingForm
        if let native = type as? any PickleArenaDecodable.Type {
            form = CommonDictionary(type).map { .commonDictionary(native, $0) } ?? .arena(native)
        } else {
            switch PickleDecodingForm.of(type) {
            case .plain: form = .plain
            case let other: form = .tree(other)
            }
        }
        cache.withLock { $0[id] = form }
        return form
    }

    private static let cache = Mutex<[ObjectIdentifier: PickleArenaDecodingForm]>([:])
}

// A form holds nothing but metatypes, which are immutable and may be used from any thread.
extension PickleArenaDecodingForm: @unchecked Sendable {}

/// A type that reads arena nodes itself, as its ``PickleNativeDecodable`` form reads values.
protocol PickleArenaDecodable {
    init(arenaNode index: Int32, in decoder: _PickleArenaDecoder, at path: @autoclosure () -> PickleCodingPath) throws
}

extension PickleArenaDecodable {
    /// Reads a `T`, which is `Self`, from node `index`, without a dynamic cast.
    static func decode<T>(
        _ type: T.Type, node index: Int32, in decoder: _PickleArenaDecoder, at path: @autoclosure () -> PickleCodingPath
    ) throws -> T {
        assert(T.self == Self.self, "\(T.self) is not \(Self.self)")
        let result = try Self(arenaNode: index, in: decoder, at: path())
        return withUnsafePointer(to: result) { pointer in
            UnsafeRawPointer(pointer).assumingMemoryBound(to: T.self).pointee
        }
    }
}

import Synchronization
