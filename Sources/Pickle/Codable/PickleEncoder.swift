#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Encodes `Encodable` Swift values as Python pickles, or as ``PickleValue`` trees.
///
/// `PickleEncoder` is to pickles what `JSONEncoder` is to JSON: it turns a value of your own type
/// into the objects a Python program expects, without any code of yours touching the value model.
///
/// ```swift
/// struct User: Codable {
///     var name: String
///     var tags: [String]
///     var avatar: Data?
/// }
/// let bytes = try PickleEncoder().encode(User(name: "Ada", tags: ["admin"], avatar: nil))
/// // In Python: pickle.loads(bytes) == {'name': 'Ada', 'tags': ['admin'], 'avatar': None}
/// ```
///
/// ## How Swift maps to Python
/// - A struct, class or enum with a keyed encoding becomes a `dict` with `str` keys, in the order the
///   keys are encoded. A `nil` optional is written as `None`, never left out, so a Python program
///   finds every field.
/// - A type that conforms to ``PythonClass`` becomes an instance of that Python class, written as
///   CPython's default `__reduce_ex__` writes one (a new object, then its `__dict__` as state).
/// - Arrays become `list`; `Set` becomes `set`; `Dictionary` becomes `dict` with keys of their own
///   type (`[Int: String]` has `int` keys). Lists inside a set element or a dict key become tuples,
///   and sets become frozensets, since Python can only hash those.
/// - Every integer type becomes `int` (any size: see ``BigInteger``), `Double` and `Float` become
///   `float`, `Bool` becomes `bool`, `String` becomes `str`, `Data` and `[UInt8]` become `bytes`.
/// - An enum with raw values becomes its raw value; an enum with associated values takes the form
///   Swift synthesizes: a dict with the case name as its only key, holding a dict of the associated
///   values (`{'circle': {'radius': 2.0}}`, with `_0`, `_1` for unlabelled values).
/// - `Date` becomes `datetime.datetime` (see ``dateEncodingStrategy-swift.property``), `Decimal`
///   becomes `decimal.Decimal`, `UUID` becomes `uuid.UUID`; ``PythonDate``, ``PythonTime``,
///   ``PythonDateTime``, ``PythonTimeDelta`` and ``PythonOrderedDict`` become `datetime.date`,
///   `datetime.time`, `datetime.datetime`, `datetime.timedelta` and `collections.OrderedDict`, all
///   exactly as CPython 3.11 pickles them; a ``PickleValue`` is written as it is.
///
/// These rules apply wherever the type appears: at the top level, as a field, or inside a
/// collection.
public struct PickleEncoder: Sendable {
    /// How a `Date` is written.
    public enum DateEncodingStrategy: Sendable, Hashable {
        /// A timezone-aware `datetime.datetime` in UTC (`tzinfo=datetime.timezone.utc`), the
        /// default. The date is rounded to the nearest microsecond, ties to even.
        case datetimeUTC
        /// A naive `datetime.datetime` holding the UTC time, as Python's `datetime.utcnow()` gives.
        case naiveDatetimeUTC
        /// A `float` of seconds since 1970-01-01 00:00 UTC, as Python's `time.time()` gives.
        case secondsSince1970
    }

    /// The pickle protocol to write, 0 to 5; 5 by default.
    ///
    /// The protocol also decides details of the values, as in CPython: a `datetime`'s `fold` is
    /// only written from protocol 4 on.
    public var protocolVersion: Int = 5

    /// How a `Date` is written; ``DateEncodingStrategy-swift.enum/datetimeUTC`` by default.
    public var dateEncodingStrategy: DateEncodingStrategy = .datetimeUTC

    /// Values for the `userInfo` of the `Encoder` that your types' `encode(to:)` receives.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Creates an encoder with the default options.
    public init() {}

    /// Encodes `value` as a pickle of ``protocolVersion``.
    ///
    /// ```swift
    /// let bytes = try PickleEncoder().encode(["answer": 42])
    /// ```
    ///
    /// The result is always the pickle of ``encodeValue(_:)``'s value, as `Pickler.dumps` writes it. Most
    /// values are pickled as they encode, without that value being built: structs, arrays, optionals,
    /// dictionaries with `String` or `Int` keys, and the primitives. An `encode(to:)` that uses the
    /// `Encoder` in a way a stream cannot write in order (a key encoded twice, a nested container written
    /// after its parent's later keys, a `superEncoder()`, a container kept and written after its
    /// `encode(to:)` returned) is redone through the value model, which gives the same bytes at the cost
    /// of encoding twice.
    ///
    /// - Parameter value: The value to encode.
    /// - Returns: The pickle's bytes, ending with `STOP`.
    /// - Throws: `EncodingError.invalidValue` when a value has no Python form (a `Date` beyond the
    ///   years 1 to 9999), with the coding path in its message; ``PickleError`` with code
    ///   ``PickleError/Code/unsupportedProtocol`` when ``protocolVersion`` is not 0 to 5.
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        // Straight to bytes when the value's encoding allows it; the same bytes through the tree otherwise.
        if (0...5).contains(protocolVersion), let bytes = try PickleStreamEncoding.encode(value, with: self) {
            return bytes
        }
        let tree = try encodeValue(value)
        return try Pickler.dumps(tree, protocol: protocolVersion)
    }

    /// Encodes `value` as a ``PickleValue`` tree, without writing a pickle.
    ///
    /// ```swift
    /// struct Point: Codable { var x = 1, y = 2 }
    /// let value = try PickleEncoder().encodeValue(Point())   // .dict(["x": 1, "y": 2])
    /// ```
    ///
    /// - Parameter value: The value to encode.
    /// - Returns: The Python object that ``encode(_:)`` would pickle.
    /// - Throws: `EncodingError.invalidValue` when a value has no Python form, with the coding path
    ///   in its message; ``PickleError`` with code ``PickleError/Code/unsupportedProtocol`` when
    ///   ``protocolVersion`` is not 0 to 5.
    public func encodeValue<T: Encodable>(_ value: T) throws -> PickleValue {
        guard (0...5).contains(protocolVersion) else {
            throw PickleError(.unsupportedProtocol, "pickle protocol \(protocolVersion) is not 0 to 5")
        }
        let context = PickleEncodingContext(
            protocolVersion: protocolVersion, dateEncodingStrategy: dateEncodingStrategy, userInfo: userInfo)
        return try _PickleEncoder(context: context, path: .root).wrap(value, at: .root)
    }
}
