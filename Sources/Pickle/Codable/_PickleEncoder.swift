/// What every encoder of one top-level encode shares: the options, and objects written once and
/// referenced from many places, as CPython's memo would share them.
final class PickleEncodingContext {
    let protocolVersion: Int
    let dateEncodingStrategy: PickleEncoder.DateEncodingStrategy
    /// The encoder's `userInfo`, converted to `[CodingUserInfoKey: Any]` only when a type asks for it (the
    /// conversion is a call into the runtime on every encode).
    private let sendableUserInfo: [CodingUserInfoKey: any Sendable]
    var userInfo: [CodingUserInfoKey: Any] { sendableUserInfo }
    /// `datetime.timezone.utc`, one object for the whole encode, so that the pickle holds it once.
    private var utcTimeZone: PickleValue?

    /// For the streaming encoder, which writes a value this encoder built as soon as it is built: one more
    /// for each value written. A container or encoder made before the last one was written and used after
    /// it would change a value already in the pickle, which the tree path would see (``lateWrite``).
    var epoch = 0
    /// Whether a container or encoder of an earlier ``epoch`` was written to: the stream hands over.
    var lateWrite = false

    /// Records a write by a container or encoder made in `epoch`.
    @inline(__always)
    func noteWrite(madeIn epoch: Int) {
        if epoch != self.epoch { lateWrite = true }
    }

    init(
        protocolVersion: Int, dateEncodingStrategy: PickleEncoder.DateEncodingStrategy,
        userInfo: [CodingUserInfoKey: any Sendable]
    ) {
        self.protocolVersion = protocolVersion
        self.dateEncodingStrategy = dateEncodingStrategy
        self.sendableUserInfo = userInfo
    }

    /// The shared `datetime.timezone.utc` object.
    var utc: PickleValue {
        if let utcTimeZone { return utcTimeZone }
        let value = PythonTimeZone.utc.pickleValue
        utcTimeZone = value
        return value
    }
}

/// Where the value of a `superEncoder()` goes: a slot of the container that made it.
enum PickleEncodingSink {
    case dict(PickleDict, key: PickleValue)
    case list(PickleList, index: Int)

    func store(_ value: PickleValue) {
        switch self {
        case .dict(let dict, let key): dict.updateValue(value, forKey: key)
        case .list(let list, let index): list[index] = value
        }
    }
}

/// The `Encoder` that `PickleEncoder` hands to `encode(to:)`: it builds a ``PickleValue``.
///
/// A keyed container writes straight into a ``PickleDict`` and an unkeyed one into a
/// ``PickleList``, so no intermediate tree is built. Encoding a nested value borrows a child
/// encoder, which is kept for reuse when no container of it escaped.
final class _PickleEncoder: Encoder {
    enum Storage {
        case empty
        case value(PickleValue)
        case dict(PickleDict)
        case list(PickleList)
    }

    let context: PickleEncodingContext
    @exclusivity(unchecked) var path: PickleCodingPath
    /// The context's ``PickleEncodingContext/epoch`` when this encoder was made or last reused.
    @exclusivity(unchecked) var epoch: Int
    @exclusivity(unchecked) var storage: Storage = .empty
    @exclusivity(unchecked) var sink: PickleEncodingSink?
    @exclusivity(unchecked) private var spare: _PickleEncoder?

    init(context: PickleEncodingContext, path: PickleCodingPath, sink: PickleEncodingSink? = nil) {
        self.context = context
        self.path = path
        self.epoch = context.epoch
        self.sink = sink
    }

    var codingPath: [any CodingKey] { path.keys }

    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let dict: PickleDict
        if case .dict(let existing) = storage {
            dict = existing
        } else {
            dict = PickleDict()
            store(.dict(dict))
        }
        return KeyedEncodingContainer(PickleKeyedEncodingContainer(encoder: self, dict: dict, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let list: PickleList
        if case .list(let existing) = storage {
            list = existing
        } else {
            list = PickleList()
            store(.list(list))
        }
        return PickleUnkeyedEncodingContainer(encoder: self, list: list, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    /// Records the value encoded here, and hands it to the sink of a `superEncoder()`.
    func store(_ value: PickleValue) {
        context.noteWrite(madeIn: epoch)
        switch value {
        case .dict(let dict): storage = .dict(dict)
        case .list(let list): storage = .list(list)
        default: storage = .value(value)
        }
        sink?.store(value)
    }

    /// The value encoded here, or `nil` when nothing was; resets the encoder.
    func takeValue() -> PickleValue? {
        defer { storage = .empty }
        switch storage {
        case .empty: return nil
        case .value(let value): return value
        case .dict(let dict): return .dict(dict)
        case .list(let list): return .list(list)
        }
    }

    /// Encodes `value`, found at `path`, to a Python object.
    ///
    /// Types with a Python form of their own (`Date`, `Data`, `[UInt8]`, `Set`, `Dictionary`,
    /// ``PythonDate``…) are written in that form; a ``PythonClass`` becomes an instance of its class;
    /// anything else goes through its `encode(to:)`. The path is only worked out when needed: an
    /// `Int` or a `String` never needs it.
    @inline(__always)
    func wrap<T: Encodable>(_ value: T, at path: @autoclosure () -> PickleCodingPath) throws -> PickleValue {
        if let primitive = Self.primitive(value) { return primitive }
        return try wrapComposite(value, at: path())
    }

    /// The Python object for a `String`, `Int`, `Double` or `Bool`, or an optional one; `nil` for
    /// any other type.
    ///
    /// The elements of arrays and dictionaries come here through the generic methods: the common
    /// primitives skip the lookups of ``wrapComposite(_:at:)``.
    @inline(__always)
    static func primitive<T>(_ value: T) -> PickleValue? {
        if let string = exactCast(value, to: String.self) { return .string(string) }
        if let integer = exactCast(value, to: Int.self) { return .int(integer) }
        if let double = exactCast(value, to: Double.self) { return .float(double) }
        if let flag = exactCast(value, to: Bool.self) { return .bool(flag) }
        if let integer = exactCast(value, to: Int?.self, .optionalInt) {
            return integer.map { .int($0) } ?? PickleValue.none
        }
        if let string = exactCast(value, to: String?.self, .optionalString) {
            return string.map { .string($0) } ?? PickleValue.none
        }
        if let double = exactCast(value, to: Double?.self, .optionalDouble) {
            return double.map { .float($0) } ?? PickleValue.none
        }
        if let flag = exactCast(value, to: Bool?.self, .optionalBool) { return flag.map { .bool($0) } ?? PickleValue.none }
        return nil
    }

    /// Whether ``primitive(_:)`` gives the Python object of every value of `type`.
    static func isPrimitive<T>(_ type: T.Type) -> Bool {
        T.self == String.self || T.self == Int.self || T.self == Double.self || T.self == Bool.self
            || KnownType.optionalInt.matches(T.self) || KnownType.optionalString.matches(T.self)
            || KnownType.optionalDouble.matches(T.self) || KnownType.optionalBool.matches(T.self)
    }

    /// Encodes a value that is not a primitive: see ``wrap(_:at:)``.
    func wrapComposite<T: Encodable>(_ value: T, at path: PickleCodingPath) throws -> PickleValue {
        let info = PickleEncodingInfo.of(T.self)
        let form = info.form
        switch form {
        case .native(let native):
            return try native.pickleValue(of: value, in: self, at: path)
        case .dynamic:
            if let native = value as? any PickleNativeEncodable {
                return try native.pickleValue(in: self, at: path)
            }
        case .plain, .pythonClass:
            break
        }
        var encoder: _PickleEncoder
        if let spare {
            self.spare = nil
            encoder = spare
            encoder.path = path
            encoder.epoch = context.epoch
        } else {
            encoder = _PickleEncoder(context: context, path: path)
        }
        let capacity = info.dictCapacity.load(ordering: .relaxed)
        if capacity > 0 {
            // The dict that `container(keyedBy:)` will write into, made with room for the entries
            // of the last value of the type.
            let dict = PickleDict()
            dict.reserveCapacity(capacity)
            encoder.storage = .dict(dict)
        }
        try value.encode(to: encoder)
        // A value that encoded nothing is an empty dict, as in JSONEncoder.
        let result = encoder.takeValue() ?? .dict(PickleDict())
        if case .dict(let dict) = result, dict.count > HashedKeys.linearSearchLimit, dict.count != capacity {
            info.dictCapacity.store(dict.count, ordering: .relaxed)
        }
        if isKnownUniquelyReferenced(&encoder) { spare = encoder }
        switch form {
        case .pythonClass(let cls):
            return PythonClassForm.instance(of: cls.pythonClass, state: result)
        case .dynamic:
            if let instance = value as? any PythonClass {
                return PythonClassForm.instance(of: type(of: instance).pythonClass, state: result)
            }
            return result
        case .plain, .native:
            return result
        }
    }
}

// MARK: - Single value container

extension _PickleEncoder: SingleValueEncodingContainer {
    func encodeNil() throws { store(.none) }
    func encode(_ value: Bool) throws { store(.bool(value)) }
    func encode(_ value: String) throws { store(.string(value)) }
    func encode(_ value: Double) throws { store(.float(value)) }
    func encode(_ value: Float) throws { store(.float(Double(value))) }
    func encode(_ value: Int) throws { store(.int(value)) }
    func encode(_ value: Int8) throws { store(.int(Int(value))) }
    func encode(_ value: Int16) throws { store(.int(Int(value))) }
    func encode(_ value: Int32) throws { store(.int(Int(value))) }
    func encode(_ value: Int64) throws { store(.integer(exactly: value)) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func encode(_ value: Int128) throws { store(.integer(exactly: value)) }
    func encode(_ value: UInt) throws { store(.integer(exactly: value)) }
    func encode(_ value: UInt8) throws { store(.int(Int(value))) }
    func encode(_ value: UInt16) throws { store(.int(Int(value))) }
    func encode(_ value: UInt32) throws { store(.integer(exactly: value)) }
    func encode(_ value: UInt64) throws { store(.integer(exactly: value)) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func encode(_ value: UInt128) throws { store(.integer(exactly: value)) }
    func encode<T: Encodable>(_ value: T) throws { store(try wrap(value, at: path)) }
}

/// `value` as a `U` when `T` is exactly `U`, without a dynamic cast. For a `U` that is not a generic
/// type's instance; for `Int?`, `[UInt8]` and the like, see ``KnownType``.
@inline(__always)
func exactCast<T, U>(_ value: T, to type: U.Type) -> U? {
    guard T.self == U.self else { return nil }
    return unsafeBitCast(value, to: U.self)
}

/// ``exactCast(_:to:)`` for a type the coders compare generic types with often, by its identifier.
@inline(__always)
func exactCast<T, U>(_ value: T, to type: U.Type, _ known: KnownType) -> U? {
    guard known.matches(T.self) else { return nil }
    return unsafeBitCast(value, to: U.self)
}

extension Array {
    /// The array as a `[U]` when its elements are `U`s, without a dynamic cast.
    ///
    /// It compares the element types: generic code has `Element`'s metadata at hand, where comparing the
    /// array types (`exactCast(self, to: [U].self)`) has the runtime look up `[Element]`'s metadata on
    /// every call, through a hash map for the standard library's prespecialized arrays.
    @inline(__always)
    func ofElements<U>(_ type: U.Type) -> [U]? {
        guard Element.self == U.self else { return nil }
        return unsafeBitCast(self, to: [U].self)
    }
}

/// Instances of generic types that the coders compare generic parameters with, looked up once.
///
/// In generic code, `T.self == Int?.self` asks the runtime for `Optional<Int>`'s metadata on every
/// evaluation, and for the standard library's prespecialized instances (`Int?`, `[UInt8]`, `[Int]`…)
/// that lookup goes through a hash map each time: a few hundred instructions, paid per field and per
/// array element. These are looked up once, when first used.
enum KnownType {
    case optionalInt, optionalString, optionalDouble, optionalBool
    /// `[Int]`, for an array's elements (an array compares its own type by element, see `Array.ofElements`).
    case integers

    private static let identifiers: [ObjectIdentifier] = [
        ObjectIdentifier(Int?.self), ObjectIdentifier(String?.self), ObjectIdentifier(Double?.self),
        ObjectIdentifier(Bool?.self), ObjectIdentifier([Int].self),
    ]

    /// Whether `type` is this type.
    @inline(__always)
    func matches(_ type: Any.Type) -> Bool {
        Self.identifiers.withUnsafeBufferPointer { $0[index] } == ObjectIdentifier(type)
    }

    private var index: Int {
        switch self {
        case .optionalInt: 0
        case .optionalString: 1
        case .optionalDouble: 2
        case .optionalBool: 3
        case .integers: 4
        }
    }
}

extension PickleValue {
    /// The Python `int` equal to `value`.
    static func integer(exactly value: some BinaryInteger) -> PickleValue {
        if let small = Int(exactly: value) { return .int(small) }
        return .bigInt(BigInteger(exactly: value))
    }
}
