/// A Python object, as a pickle describes it.
///
/// `PickleValue` mirrors Python's object model. Immutable Python objects are Swift values:
/// `None`, `bool`, `int` (``int(_:)`` when it fits in `Int`, ``bigInt(_:)`` beyond), `float`,
/// `complex`, `str`, `bytes`, `tuple`, `frozenset` and a reference to a global (a class or a
/// function, by module and qualified name). Mutable Python objects are reference types, because in
/// Python they have identity: a `list`, `dict`, `set`, `bytearray` or an instance of a class can be
/// shared by several containers, or contain itself. ``PickleList``, ``PickleDict``, ``PickleSet``,
/// ``PickleByteArray`` and ``PickleObject`` keep that identity through a load and a dump, so shared
/// references and cycles survive both ways.
///
/// ```swift
/// let tags = PickleList(["a", "b"])
/// let record: PickleValue = .dict(["name": "Ada", "tags": .list(tags), "again": .list(tags)])
/// ```
///
/// ## Python's `str` and lone surrogates
/// A Python `str` is a sequence of code points and may hold lone surrogates (U+D800 to U+DFFF),
/// which a Swift `String` cannot. Every `str` without one is a ``string(_:)``; a `str` with at least
/// one lone surrogate is a ``surrogateString(_:)`` that keeps every code point, so nothing is lost
/// and it pickles back out unchanged.
///
/// ## Equality and hashing
/// `==` is Python's `==` for the builtin types: `1`, `1.0`, `True` and `1+0j` are equal, and so are
/// `b"a"` and `bytearray(b"a")`, or a `set` and a `frozenset` with the same elements; dicts compare
/// without regard to order; containers compare element by element, and cycles compare equal when
/// their structure is the same. Instances of Python classes compare by class, constructor arguments
/// and state, since their `__eq__` is never run. Hashing agrees with `==`, so a ``PickleDict`` uses
/// Python's key equality: `1`, `1.0` and `True` are one key. Mutable containers hash by their kind
/// and size only (Python refuses to hash them at all); do not mutate a value used as a key.
///
/// ## Concurrency
/// `PickleValue` is not `Sendable`: like the Python objects it models, its mutable containers are
/// shared, unsynchronized references. To hand a value to another isolation domain, send its pickled
/// bytes, or decode it into a `Sendable` Codable type.
public enum PickleValue {
    /// Python's `None`.
    case none
    /// A Python `bool`.
    case bool(Bool)
    /// A Python `int` that fits in `Int`.
    case int(Int)
    /// A Python `int` that does not fit in `Int`.
    ///
    /// Build integers with ``integer(_:)`` to keep the invariant that a value which fits is an
    /// ``int(_:)``; the equality and hashing here compare by numeric value either way.
    case bigInt(BigInteger)
    /// A Python `float`.
    case float(Double)
    /// A Python `complex`.
    case complex(real: Double, imaginary: Double)
    /// A Python `str` without lone surrogates.
    case string(String)
    /// A Python `str` that holds at least one lone surrogate, which a Swift `String` cannot.
    case surrogateString(SurrogateString)
    /// A Python `bytes`.
    case bytes([UInt8])
    /// A Python `tuple`.
    case tuple([PickleValue])
    /// A Python `frozenset`.
    case frozenset(PickleFrozenSet)
    /// A reference to a module-level global, usually a class or a function, by name.
    ///
    /// Boxed (`indirect`): its two strings would otherwise make every `PickleValue` twice as large.
    indirect case global(PickleGlobal)
    /// A Python `list`, a shared mutable reference.
    case list(PickleList)
    /// A Python `dict`, a shared mutable reference that keeps insertion order.
    case dict(PickleDict)
    /// A Python `set`, a shared mutable reference.
    case set(PickleSet)
    /// A Python `bytearray`, a shared mutable reference.
    case bytearray(PickleByteArray)
    /// An instance of a Python class, or the result of a reduction, kept as inert data.
    case object(PickleObject)
}

extension PickleValue {
    /// An integer value: ``int(_:)`` when it fits in `Int`, else ``bigInt(_:)``.
    public static func integer(_ value: BigInteger) -> PickleValue {
        if let small = Int(exactly: value) { return .int(small) }
        return .bigInt(value)
    }

    /// A `str` value from Python code points: ``string(_:)`` unless it holds a lone surrogate.
    ///
    /// - Returns: `nil` when a code point is beyond U+10FFFF.
    public static func pythonString(codePoints: some Sequence<UInt32>) -> PickleValue? {
        let points = Array(codePoints)
        if let surrogates = SurrogateString(codePoints: points) { return .surrogateString(surrogates) }
        var scalars = String.UnicodeScalarView()
        for point in points {
            guard let scalar = Unicode.Scalar(point) else { return nil }
            scalars.append(scalar)
        }
        return .string(String(scalars))
    }

    /// Python's name for the value's type, like `"int"`, `"dict"` or, for an instance,
    /// its class's qualified name.
    public var pythonTypeName: String {
        switch self {
        case .none: "NoneType"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .complex: "complex"
        case .string, .surrogateString: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .frozenset: "frozenset"
        case .global: "type"
        case .list: "list"
        case .dict: "dict"
        case .set: "set"
        case .bytearray: "bytearray"
        case .object(let object): object.className ?? "object"
        }
    }

    /// Whether the value is a mutable reference type, which has identity.
    public var isReference: Bool {
        switch self {
        case .list, .dict, .set, .bytearray, .object: true
        default: false
        }
    }

    /// The identity of a mutable reference value, or `nil` for an immutable value.
    public var referenceIdentity: ObjectIdentifier? {
        switch self {
        case .list(let list): ObjectIdentifier(list)
        case .dict(let dict): ObjectIdentifier(dict)
        case .set(let set): ObjectIdentifier(set)
        case .bytearray(let array): ObjectIdentifier(array)
        case .object(let object): ObjectIdentifier(object)
        default: nil
        }
    }
}

// MARK: - Accessors

extension PickleValue {
    /// The value as a Swift `String` when it is a `str` without lone surrogates.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The value as an `Int` when it is an `int` (or a `bool`, as in Python) that fits.
    public var intValue: Int? {
        switch self {
        case .int(let value): value
        case .bool(let value): value ? 1 : 0
        case .bigInt(let value): Int(exactly: value)
        default: nil
        }
    }

    /// The value as a `Double` when it is a `float`.
    public var doubleValue: Double? {
        if case .float(let value) = self { return value }
        return nil
    }

    /// The value as a `Bool` when it is a `bool`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The bytes of a `bytes` or `bytearray` value.
    public var bytesValue: [UInt8]? {
        switch self {
        case .bytes(let bytes): bytes
        case .bytearray(let array): array.bytes
        default: nil
        }
    }

    /// Whether the value is Python's `None`.
    public var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}

// MARK: - Literals

extension PickleValue: ExpressibleByNilLiteral {
    /// Creates Python's `None`.
    public init(nilLiteral: ()) { self = .none }
}

extension PickleValue: ExpressibleByBooleanLiteral {
    /// Creates a Python `bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension PickleValue: ExpressibleByIntegerLiteral {
    /// Creates a Python `int`.
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension PickleValue: ExpressibleByFloatLiteral {
    /// Creates a Python `float`.
    public init(floatLiteral value: Double) { self = .float(value) }
}

extension PickleValue: ExpressibleByStringLiteral {
    /// Creates a Python `str`.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension PickleValue: ExpressibleByArrayLiteral {
    /// Creates a new Python `list`.
    public init(arrayLiteral elements: PickleValue...) { self = .list(PickleList(elements)) }
}

extension PickleValue: ExpressibleByDictionaryLiteral {
    /// Creates a new Python `dict`, in the literal's order.
    public init(dictionaryLiteral elements: (PickleValue, PickleValue)...) {
        self = .dict(PickleDict(elements))
    }
}
