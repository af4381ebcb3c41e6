/// How a ``Pickler`` writes: the protocol, Python 2 names, persistent IDs, out-of-band buffers and a
/// nesting limit.
///
/// The defaults write what CPython's `pickle.dumps(value, 5)` writes.
///
/// ```swift
/// var options = PicklerOptions()
/// options.protocolVersion = 2            // readable by Python 2.3 and later
/// let pickler = try Pickler(options: options)
/// try pickler.dump(["answer": 42])
/// let bytes = pickler.takeOutput()
/// ```
///
/// The options hold closures, so they are not `Sendable`; make a new value where it is needed.
public struct PicklerOptions {
    /// The highest protocol this package writes: 5, as in CPython 3.8 and later.
    ///
    /// ```swift
    /// PicklerOptions(protocolVersion: PicklerOptions.highestProtocol)
    /// ```
    public static let highestProtocol = 5

    /// The protocol written when none is given: 5, the highest. CPython 3.8 to 3.13 default to 4,
    /// 3.14 to 5; every Python 3.8 or later reads protocol 5.
    ///
    /// ```swift
    /// PicklerOptions().protocolVersion == PicklerOptions.defaultProtocol   // true
    /// ```
    public static let defaultProtocol = 5

    /// The pickle protocol, 0 to 5.
    ///
    /// Protocols 0 and 1 are Python 2's text and binary formats; 2 adds new-style classes (Python 2.3);
    /// 3 adds `bytes` (Python 3.0); 4 adds framing, large objects and `STACK_GLOBAL` (Python 3.4);
    /// 5 adds `bytearray` and out-of-band buffers (Python 3.8). A value outside 0...5 makes
    /// ``Pickler/init(options:)`` throw ``PickleError/Code/unsupportedProtocol``.
    ///
    /// ```swift
    /// var options = PicklerOptions()
    /// options.protocolVersion = 4     // what CPython 3.8 to 3.13 write by default
    /// ```
    public var protocolVersion: Int

    /// Whether to write Python 3 module and class names as their Python 2 spellings at protocols 0 to 2,
    /// like CPython's `fix_imports`, so that Python 2 can load the pickle: `builtins` becomes
    /// `__builtin__`, `copyreg` becomes `copy_reg`, `builtins.range` becomes `__builtin__.xrange`, and
    /// so on, with the tables of CPython's `_compat_pickle`. Python 3 maps the names back on load.
    /// No effect at protocol 3 and later.
    ///
    /// ```swift
    /// let options = PicklerOptions(protocolVersion: 2, fixPython2Imports: false)   // keep `builtins`
    /// ```
    public var fixPython2Imports: Bool

    /// Returns a persistent ID for a value that should be stored outside the pickle, or `nil` to pickle
    /// the value itself, like CPython's `Pickler.persistent_id`.
    ///
    /// The closure sees every value before it is written, containers and their elements alike, but
    /// not the persistent ID it returned (the ID's own elements are seen). A non-nil ID is written with
    /// `BINPERSID` (protocol 1 and later) or `PERSID` (protocol 0, where the ID must be an ASCII `str`
    /// without a newline, else the dump throws ``PickleError/Code/unpicklable``). The loading side
    /// resolves IDs with its `persistent_load`.
    ///
    /// ```swift
    /// options.persistentID = { value in
    ///     if case .object(let object) = value, object.className == "User" {
    ///         return object.attributes?["id"]        // store the user by its key
    ///     }
    ///     return nil
    /// }
    /// ```
    public var persistentID: ((PickleValue) -> PickleValue?)?

    /// Decides which `bytes` and `bytearray` values are written out of band, at protocol 5.
    ///
    /// CPython writes a buffer out of band only when it is wrapped in a `pickle.PickleBuffer` and the
    /// pickler's `buffer_callback` returns a false value for it. The value model has no `PickleBuffer`,
    /// so this closure plays both parts: it is called with each `bytes` and `bytearray` value that is
    /// about to be written in full (not one already in the memo), and returning `true` sends the value
    /// out of band. The pickle then holds only `NEXT_BUFFER`, followed by `READONLY_BUFFER` for
    /// `bytes`, as CPython writes them for a read-only or a writable `PickleBuffer`; the data is
    /// appended to ``Pickler/outOfBandBuffers``, in order, and the loader must be given those buffers
    /// (CPython: `pickle.loads(data, buffers=buffers)`). A value sent out of band is not memoized, as in
    /// CPython, so each occurrence is a buffer of its own. Returning `false` writes the value in band,
    /// exactly as without the closure.
    ///
    /// Setting this closure with a protocol below 5 makes ``Pickler/init(options:)`` throw
    /// ``PickleError/Code/unsupportedProtocol``, as CPython raises for `buffer_callback`.
    ///
    /// ```swift
    /// options.sendOutOfBand = { value in (value.bytesValue?.count ?? 0) >= 1 << 20 }
    /// ```
    public var sendOutOfBand: ((PickleValue) -> Bool)?

    /// The deepest nesting of containers and objects the pickler follows before it throws
    /// ``PickleError/Code/limitExceeded``, instead of exhausting the stack.
    ///
    /// The default, 1000, is Python's default recursion limit; CPython's pickler fails with
    /// `RecursionError` a little before that depth.
    ///
    /// ```swift
    /// var options = PicklerOptions()
    /// options.maxDepth = 10_000      // deep linked structures; needs a large enough thread stack
    /// ```
    public var maxDepth: Int

    /// Creates options; every parameter defaults to what `pickle.dumps(value, 5)` does.
    ///
    /// ```swift
    /// let options = PicklerOptions(protocolVersion: 2, persistentID: { _ in nil })
    /// ```
    ///
    /// - Parameters:
    ///   - protocolVersion: The protocol, 0 to 5.
    ///   - fixPython2Imports: Whether to write Python 2 names at protocols 0 to 2.
    ///   - persistentID: The persistent-ID hook, or `nil`.
    ///   - sendOutOfBand: Which `bytes`/`bytearray` values go out of band at protocol 5, or `nil`.
    ///   - maxDepth: The nesting limit.
    public init(
        protocolVersion: Int = PicklerOptions.defaultProtocol,
        fixPython2Imports: Bool = true,
        persistentID: ((PickleValue) -> PickleValue?)? = nil,
        sendOutOfBand: ((PickleValue) -> Bool)? = nil,
        maxDepth: Int = 1000
    ) {
        self.protocolVersion = protocolVersion
        self.fixPython2Imports = fixPython2Imports
        self.persistentID = persistentID
        self.sendOutOfBand = sendOutOfBand
        self.maxDepth = maxDepth
    }
}
