/// Decodes `Decodable` Swift values from Python pickles, or from ``PickleValue`` trees.
///
/// `PickleDecoder` is to pickles what `JSONDecoder` is to JSON. It reads what ``PickleEncoder``
/// writes, and what Python programs write: a struct decodes from a `dict` with `str` keys or from
/// an instance of any class (its attributes), a `Date` from a `datetime.datetime`, and so on; see
/// ``PickleEncoder`` for the mapping.
///
/// ```swift
/// struct User: Codable {
///     var name: String
///     var age: Int
/// }
/// // Python: pickle.dumps({'name': 'Ada', 'age': 36})
/// let user = try PickleDecoder().decode(User.self, from: bytes)
/// ```
///
/// ## What is accepted
/// - Numbers follow Python's numeric tower: a `bool` is accepted where an integer is expected
///   (Python's `bool` is a subclass of `int`), and an `int` where a `Double` or `Float` is expected
///   (Python code often stores `1` for `1.0`). An integer that does not fit the Swift type is an
///   error, never a wrap; so is a `float` for an integer, or an `int` for a `Bool`.
/// - A `str` holding a lone surrogate cannot be a Swift `String`: an error.
/// - Arrays decode from a `list`, `tuple`, `set` or `frozenset`; `Set` likewise; `Dictionary` and
///   keyed types from a `dict`, an `OrderedDict`, a `defaultdict`, or the attributes of an instance.
/// - `Data` and `[UInt8]` decode from `bytes` or `bytearray`.
/// - A missing key or `None` decodes as `nil` for an optional.
/// - A `Date` decodes from a `datetime.datetime`: an aware one at its UTC offset, a naive one read
///   as UTC (decode a ``PythonDateTime`` to tell them apart), or from a number of seconds since
///   1970. A datetime in a `zoneinfo` zone is an error for a `Date` (its offset needs the time zone
///   database) but decodes as a ``PythonDateTime``.
/// - Whatever CPython wrote at protocols 0 to 5, from Python 2 or 3: a set pickled as
///   `builtins.set([...])`, bytes as `_codecs.encode(...)`, an instance made by
///   `copyreg._reconstructor`.
///
/// Errors are `DecodingError`s whose message gives the Python types and the coding path the way
/// Python code would reach the value: `expected str at users[3].name, found int`.
///
/// ## Shared references
/// Swift values cannot share, so a list, dict or instance referenced several times in the pickle is
/// decoded again for each reference. A small hostile pickle can nest such references to expand
/// exponentially (a list referring ten times to a list referring ten times to…): past the first
/// 65,536 values, decoding fails with `DecodingError.dataCorrupted` once it has decoded more than 16
/// times as many values as the pickle's value graph holds, which decoding a value without shared
/// references never does. Deep nesting is bounded by ``maxDepth``.
public struct PickleDecoder: Sendable {
    /// Values for the `userInfo` of the `Decoder` that your types' `init(from:)` receives.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// How decoding from bytes reads the pickle: limits, global resolution, how Python 2
    /// `str` values are read (set ``UnpicklerOptions/python2Strings`` to Latin-1 to read the
    /// `datetime` values of Python 2 pickles).
    public var unpicklerOptions = UnpicklerOptions()

    /// How deeply values may nest, 512 by default.
    ///
    /// Decoding recurses once for each nested value, so this bounds the stack it uses; beyond it, or
    /// for a value that contains itself (a dict holding itself, decoded into a recursive type),
    /// decoding fails with `DecodingError.dataCorrupted` instead of overflowing the stack.
    public var maxDepth = 512

    /// Creates a decoder with the default options.
    public init() {}

    /// Decodes a `T` from a pickle.
    ///
    /// Reads the first pickle in `bytes`, ignoring anything after its `STOP` as Python's
    /// `pickle.loads` does, and decodes the value exactly as unpickling it with ``unpicklerOptions``
    /// and decoding the ``PickleValue`` would, errors included. It is faster: most pickles are read
    /// into a flat table of the values they hold and decoded from it, without making the Python
    /// objects of the value model (an object is made only where a `PickleValue`, an instance or a
    /// type with a Python form of its own such as a date or a set is read). A pickle with a dict that
    /// repeats a key may have that dict decoded twice, so a type's `init(from:)` can then run twice.
    ///
    /// ```swift
    /// struct Point: Codable { var x: Int; var y: Int }
    /// let point = try PickleDecoder().decode(Point.self, from: bytes)
    /// ```
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - bytes: The pickle.
    /// - Returns: The decoded value.
    /// - Throws: ``PickleError`` with the byte offset when the pickle is malformed;
    ///   `DecodingError` when the value does not have the form `T` expects, with the Python types
    ///   and the coding path in its message.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { buffer in try decode(type, fromPickle: buffer, options: unpicklerOptions) }
    }

    /// Decodes a `T` from the first pickle in `buffer`, which is only read during the call, unpickled with
    /// `options` (not ``unpicklerOptions``, for the shelf, which has its own).
    ///
    /// The pickle is read into a ``PickleArena`` and decoded from it; a pickle the arena hands over is
    /// unpickled to a ``PickleValue`` and decoded from that, with the same result.
    package func decode<T: Decodable>(
        _ type: T.Type, fromPickle buffer: UnsafeRawBufferPointer, options: UnpicklerOptions
    ) throws -> T {
        guard let arena = PickleArena.parse(buffer, options: options) else {
            return try decode(type, from: try Unpickler.load(from: buffer, options: options))
        }
        let context = PickleDecodingContext(userInfo: userInfo, maxDepth: maxDepth, arena: arena)
        let decoder = _PickleArenaDecoder(context: context, arena: arena, node: arena.root, path: .root)
        return try decoder.unwrap(type, node: arena.root, at: .root)
    }

    /// Decodes a `T` from a ``PickleValue`` tree.
    ///
    /// ```swift
    /// let point = try PickleDecoder().decode([String: Int].self, from: ["x": 1, "y": 2])
    /// ```
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - value: The Python object to read.
    /// - Returns: The decoded value.
    /// - Throws: `DecodingError` when the object does not have the form `T` expects, with the Python
    ///   types and the coding path in its message.
    public func decode<T: Decodable>(_ type: T.Type, from value: PickleValue) throws -> T {
        let context = PickleDecodingContext(userInfo: userInfo, maxDepth: maxDepth, root: value)
        let decoder = _PickleDecoder(context: context, value: value, path: .root)
        return try decoder.unwrap(type, from: value, at: .root)
    }
}
