/// The `Decoder` that `PickleDecoder` hands to `init(from:)`: it reads a ``PickleValue``.
///
/// One decoder serves a whole decode: entering a nested value saves the current value and path,
/// and restores them after, so no decoder is allocated per value. A keyed container looks fields
/// up in the ``PickleDict`` itself, without building a Swift dictionary.
final class _PickleDecoder: Decoder {
    let context: PickleDecodingContext
    @exclusivity(unchecked) var value: PickleValue
    @exclusivity(unchecked) var path: PickleCodingPath

    init(context: PickleDecodingContext, value: PickleValue, path: PickleCodingPath) {
        self.context = context
        self.value = value
        self.path = path
    }

    /// Counts one more value decoded; throws once shared references have expanded too far.
    @inline(__always)
    func spend(at path: @autoclosure () -> PickleCodingPath) throws { try context.spend(at: path()) }

    var codingPath: [any CodingKey] { path.keys }

    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try keyedContainer(Key.self, for: value, at: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try unkeyedContainer(for: value, at: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func keyedContainer<Key: CodingKey>(
        _ type: Key.Type, for value: PickleValue, at path: PickleCodingPath
    ) throws -> PickleKeyedDecodingContainer<Key> {
        try spend(at: path)
        guard let dict = PickleInstance.mapping(value) else {
            throw PickleCodingErrors.mismatch([String: Any].self, expected: "dict", found: value, at: path)
        }
        return PickleKeyedDecodingContainer(decoder: self, dict: dict, path: path)
    }

    func unkeyedContainer(for value: PickleValue, at path: PickleCodingPath) throws -> PickleUnkeyedDecodingContainer {
        try spend(at: path)
        guard let elements = PickleInstance.sequence(value) else {
            throw PickleCodingErrors.mismatch([Any].self, expected: "list", found: value, at: path)
        }
        return PickleUnkeyedDecodingContainer(decoder: self, elements: elements, path: path)
    }

    /// Decodes a `T` from `value`, found at `path`.
    ///
    /// Types with a Python form of their own are read from it; a ``PythonClass`` is read from the
    /// state of an instance of its class (or a plain dict); anything else goes through its
    /// `init(from:)`. The path is only worked out when needed: a `String` or an `Int` read without
    /// error never needs it.
    @inline(__always)
    func unwrap<T: Decodable>(
        _ type: T.Type, from value: PickleValue, at path: @autoclosure () -> PickleCodingPath
    ) throws -> T {
        // The elements of arrays and dictionaries come here through the generic methods: the
        // common primitives skip the lookups below.
        if T.self == String.self { return unsafeBitCast(try PickleUnboxing.string(value, at: path()), to: T.self) }
        if T.self == Int.self {
            return unsafeBitCast(try PickleUnboxing.integer(value, as: Int.self, at: path()), to: T.self)
        }
        if T.self == Double.self { return unsafeBitCast(try PickleUnboxing.double(value, at: path()), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try PickleUnboxing.bool(value, at: path()), to: T.self) }
        if KnownType.optionalInt.matches(T.self) {
            let result = try unwrapOptional(value, at: path()) {
                try PickleUnboxing.integer($0, as: Int.self, at: path())
            }
            return unsafeBitCast(result, to: T.self)
        }
        if KnownType.optionalString.matches(T.self) {
            let result = try unwrapOptional(value, at: path()) { try PickleUnboxing.string($0, at: path()) }
            return unsafeBitCast(result, to: T.self)
        }
        if KnownType.optionalDouble.matches(T.self) {
            let result = try unwrapOptional(value, at: path()) { try PickleUnboxing.double($0, at: path()) }
            return unsafeBitCast(result, to: T.self)
        }
        if KnownType.optionalBool.matches(T.self) {
            let result = try unwrapOptional(value, at: path()) { try PickleUnboxing.bool($0, at: path()) }
            return unsafeBitCast(result, to: T.self)
        }
        return try unwrapComposite(type, from: value, at: path())
    }

    /// An optional primitive, read as `Optional`'s native form reads one (one value of the budget,
    /// one level of nesting), without the generic path.
    @inline(__always)
    private func unwrapOptional<Wrapped>(
        _ value: PickleValue, at path: @autoclosure () -> PickleCodingPath, _ unbox: (PickleValue) throws -> Wrapped
    ) throws -> Wrapped? {
        try spend(at: path())
        try enterNested(at: path())
        defer { context.depth -= 1 }
        return value.isNone ? nil : try unbox(value)
    }

    /// Decodes a value that is not a primitive: see ``unwrap(_:from:at:)``.
    func unwrapComposite<T: Decodable>(_ type: T.Type, from value: PickleValue, at path: PickleCodingPath) throws -> T {
        try unwrapComposite(type, from: value, at: path, form: PickleDecodingForm.of(T.self))
    }

    /// ``unwrapComposite(_:from:at:)`` with `T`'s form, for the elements of an array, which share it.
    func unwrapComposite<T: Decodable>(
        _ type: T.Type, from value: PickleValue, at path: PickleCodingPath, form: PickleDecodingForm
    ) throws -> T {
        try spend(at: path)
        if case .native(let native) = form {
            return try native.decode(type, from: value, in: self, at: path)
        }
        // Decoding recurses once per nested value: bound it, so deep or cyclic input (a dict that
        // contains itself, decoded into a recursive type) is an error rather than a stack overflow.
        try enterNested(at: path)
        defer { context.depth -= 1 }
        var value = value
        if case .pythonClass(let cls) = form {
            value = try PythonClassForm.state(of: value, expecting: cls.pythonClass, type: T.self, at: path)
        }
        let (savedValue, savedPath) = (self.value, self.path)
        self.value = value
        self.path = path
        defer {
            self.value = savedValue
            self.path = savedPath
        }
        return try T(from: self)
    }

    /// Counts one more level of nesting, throwing beyond ``PickleDecoder/maxDepth``; the caller
    /// takes the level back (`context.depth -= 1`) when it is done.
    @inline(__always)
    func enterNested(at path: @autoclosure () -> PickleCodingPath) throws { try context.enterNested(at: path()) }
}

// MARK: - Single value container

extension _PickleDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { value.isNone }
    func decode(_ type: Bool.Type) throws -> Bool { try PickleUnboxing.bool(value, at: path) }
    func decode(_ type: String.Type) throws -> String { try PickleUnboxing.string(value, at: path) }
    func decode(_ type: Double.Type) throws -> Double { try PickleUnboxing.double(value, at: path) }
    func decode(_ type: Float.Type) throws -> Float { try PickleUnboxing.float(value, at: path) }
    func decode(_ type: Int.Type) throws -> Int { try PickleUnboxing.integer(value, as: type, at: path) }
    func decode(_ type: Int8.Type) throws -> Int8 { try PickleUnboxing.integer(value, as: type, at: path) }
    func decode(_ type: Int16.Type) throws -> Int16 { try PickleUnboxing.integer(value, as: type, at: path) }
    func decode(_ type: Int32.Type) throws -> Int32 { try PickleUnboxing.integer(value, as: type, at: path) }
    func decode(_ type: Int64.Type) throws -> Int64 { try PickleUnboxing.integer(value, as: type, at: path) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decode(_ type: Int128.Type) throws -> Int128 { try PickleUnboxing.integer(value, as: type, at: path) }
    func decode(_ type: UInt.Type) throws -> UInt { try PickleUnboxing.integer(value, as: type, at: path) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try PickleUnboxing.integer(value, as: type, at: path) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try PickleUnboxing.integer(value, as: type, at: path) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try PickleUnboxing.integer(value, as: type, at: path) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try PickleUnboxing.integer(value, as: type, at: path) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decode(_ type: UInt128.Type) throws -> UInt128 { try PickleUnboxing.integer(value, as: type, at: path) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try unwrap(type, from: value, at: path) }
}

/// What every decoder of one top-level decode shares: the options, the nesting depth and the budget of
/// values decoded.
final class PickleDecodingContext {
    /// The decoder's `userInfo`, converted to `[CodingUserInfoKey: Any]` only when a type asks for it.
    private let sendableUserInfo: [CodingUserInfoKey: any Sendable]
    var userInfo: [CodingUserInfoKey: Any] { sendableUserInfo }
    let maxDepth: Int
    @exclusivity(unchecked) var depth = 0
    /// Bounds the values decoded: a shared value is decoded again wherever it is referenced.
    @exclusivity(unchecked) var budget: ExpansionBudget

    init(userInfo: [CodingUserInfoKey: any Sendable], maxDepth: Int, root: PickleValue) {
        self.sendableUserInfo = userInfo
        self.maxDepth = maxDepth
        budget = ExpansionBudget(root: root)
    }

    init(userInfo: [CodingUserInfoKey: any Sendable], maxDepth: Int, arena: PickleArena) {
        self.sendableUserInfo = userInfo
        self.maxDepth = maxDepth
        budget = ExpansionBudget(arena: arena)
    }

    /// Counts one more value decoded, at `path`; throws once shared references have expanded too far.
    @inline(__always)
    func spend(at path: @autoclosure () -> PickleCodingPath) throws {
        guard budget.spend(1) else {
            throw PickleCodingErrors.corrupted(
                "shared references expand to too many values (each is decoded every time it is referenced)", at: path())
        }
    }

    /// Counts one more level of nesting, at `path`, throwing beyond ``maxDepth``; the caller takes the level
    /// back (`depth -= 1`) when it is done.
    @inline(__always)
    func enterNested(at path: @autoclosure () -> PickleCodingPath) throws {
        depth += 1
        guard depth <= maxDepth else {
            depth -= 1
            throw PickleCodingErrors.corrupted(
                "values nested deeper than maxDepth (\(maxDepth)), or a value that contains itself,", at: path())
        }
    }
}
