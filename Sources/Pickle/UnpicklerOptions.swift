/// What an ``Unpickler`` accepts and how it resolves what a pickle refers to.
///
/// The defaults load every pickle CPython 3.11 writes and every Python 2 pickle of ASCII strings, and
/// guard against hostile input: nothing in a pickle is ever executed or imported, a global stays an
/// inert ``PickleValue/global(_:)`` unless ``resolveGlobal`` says otherwise, every length is checked
/// against the data before anything is allocated, and the limits below bound what the data can make
/// the unpickler do.
///
/// ## Limits and their defaults
/// - ``maxDepth`` (1,000) bounds how deeply containers nest. Loading never recurses, but code that
///   walks the result does (comparing, hashing, printing or pickling it again), and needs stack for
///   each level, several kilobytes in unoptimized builds. 1,000 is also Python's own recursion
///   limit, so Python code cannot walk deeper values either, and CPython 3.11's pickler cannot even
///   write lists nested 1,000 deep. Raise it for data from newer Pythons that is nested deeper
///   (3.13's pickler writes up to a few thousand levels).
/// - ``maxIntegerDigits`` (4,300) is CPython's own limit on decimal integer text (`INT`, `LONG`),
///   which takes quadratic time to convert.
/// - ``maxInputSize``, ``maxMemoSize`` and ``maxOpcodes`` are off (`nil`) by default, as in CPython:
///   every byte of the pickle is already in memory, and what the unpickler allocates is linear in
///   it (at most a few dozen bytes per input byte, like CPython). Set them when the input is
///   untrusted and its size is not bounded elsewhere.
///
/// ```swift
/// var options = UnpicklerOptions()
/// options.maxInputSize = 1 << 20
/// options.resolveGlobal = { global in
///     guard ["datetime", "collections"].contains(global.module) else {
///         throw PickleError(.refusedGlobal, "\(global.fullName) is not allowed")
///     }
///     return nil  // keep it as an inert global
/// }
/// let value = try Unpickler.load(bytes, options: options)
/// ```
public struct UnpicklerOptions: Sendable {
    /// The deepest nesting of containers (lists, tuples, dicts, sets, instances) and of `MARK`s
    /// accepted; beyond it loading fails with ``PickleError/Code/limitExceeded``.
    ///
    /// Depth is counted as the pickle builds values bottom-up, which is how every pickler writes
    /// them; a crafted pickle that fills containers after nesting them can build deeper values.
    public var maxDepth: Int {
        get { storage.maxDepth }
        set { uniqueStorage().maxDepth = newValue }
    }

    /// The most entries the memo may hold, or `nil` for no limit (the default).
    public var maxMemoSize: Int? {
        get { storage.maxMemoSize }
        set { uniqueStorage().maxMemoSize = newValue }
    }

    /// The most opcodes one ``Unpickler/load()`` may execute, or `nil` for no limit (the default).
    public var maxOpcodes: Int? {
        get { storage.maxOpcodes }
        set { uniqueStorage().maxOpcodes = newValue }
    }

    /// The largest input, in bytes, an ``Unpickler`` accepts, or `nil` for no limit (the default).
    public var maxInputSize: Int? {
        get { storage.maxInputSize }
        set { uniqueStorage().maxInputSize = newValue }
    }

    /// The most decimal digits in the text of an `INT` or `LONG` argument (default 4,300, like
    /// CPython 3.11's `sys.get_int_max_str_digits()`).
    public var maxIntegerDigits: Int {
        get { storage.maxIntegerDigits }
        set { uniqueStorage().maxIntegerDigits = newValue }
    }

    /// How to read Python 2 `str` values (`STRING`, `BINSTRING`, `SHORT_BINSTRING`); ASCII by default.
    public var python2Strings: Python2StringDecoding {
        get { storage.python2Strings }
        set { uniqueStorage().python2Strings = newValue }
    }

    /// Whether to map the Python 2 names of modules and globals to their Python 3 names (for
    /// example `__builtin__` to `builtins`, `copy_reg` to `copyreg`, `exceptions.StandardError` to
    /// `builtins.Exception`) in pickles of protocol 0, 1 or 2, like CPython's `fix_imports`.
    public var fixPython2Imports: Bool {
        get { storage.fixPython2Imports }
        set { uniqueStorage().fixPython2Imports = newValue }
    }

    /// Decides what each global the pickle names (`GLOBAL`, `STACK_GLOBAL`, `INST`, `EXT1/2/4`)
    /// loads as, like overriding `find_class` in Python; `nil` (the default) keeps every global inert.
    ///
    /// The closure receives the global after the Python 2 names are mapped. It returns a value to
    /// load in its place, returns `nil` to keep the inert ``PickleValue/global(_:)``, or throws to
    /// refuse it: loading then fails with ``PickleError/Code/refusedGlobal`` (a thrown
    /// ``PickleError`` keeps its message). The globals CPython uses to pickle builtin types
    /// (`builtins.complex`, `set`, `frozenset`, `bytes`, `bytearray`, `object`, `_codecs.encode`,
    /// `copyreg._reconstructor`, `copyreg.__newobj__`, `copyreg.__newobj_ex__`) load as native
    /// values and are not passed to it.
    public var resolveGlobal: (@Sendable (PickleGlobal) throws -> PickleValue?)? {
        get { storage.resolveGlobal }
        set { uniqueStorage().resolveGlobal = newValue }
    }

    /// Resolves a persistent ID (`PERSID`, `BINPERSID`) to a value, like Python's
    /// `Unpickler.persistent_load`; without it, a persistent ID fails with
    /// ``PickleError/Code/persistentIDUnsupported``, as in CPython.
    ///
    /// The ID of `PERSID` is a ``PickleValue/string(_:)``; that of `BINPERSID` is any value. A thrown
    /// ``PickleError`` keeps its code; any other error becomes
    /// ``PickleError/Code/persistentIDUnsupported``.
    public var persistentLoad: (@Sendable (PickleValue) throws -> PickleValue)? {
        get { storage.persistentLoad }
        set { uniqueStorage().persistentLoad = newValue }
    }

    /// The extension registry for `EXT1`, `EXT2` and `EXT4`: code to global, like `copyreg.add_extension`.
    /// An unregistered code, or one that is not positive, fails with
    /// ``PickleError/Code/extensionNotRegistered``.
    public var extensionRegistry: [Int: PickleGlobal] {
        get { storage.extensionRegistry }
        set { uniqueStorage().extensionRegistry = newValue }
    }

    /// The out-of-band buffers of a protocol-5 pickle, in the order its pickler handed them to its
    /// `buffer_callback`, like the `buffers` argument of `pickle.loads`.
    ///
    /// Each `NEXT_BUFFER` takes the next one and loads it as a ``PickleValue/bytearray(_:)``; a
    /// following `READONLY_BUFFER` turns it into ``PickleValue/bytes(_:)``. An ``Unpickler`` consumes
    /// them across its loads. Running out fails with ``PickleError/Code/missingBuffer``.
    public var buffers: [[UInt8]] {
        get { storage.buffers }
        set { uniqueStorage().buffers = newValue }
    }

    /// Creates the default options.
    public init() {}

    // The options live in one shared object, copied when a copy of the options is changed: an unpickler
    // copies its options for every load, and copying eleven fields (two closures, a dictionary, an array)
    // costs a few hundred instructions, more than loading a small pickle.

    private var storage = Storage.defaults

    private mutating func uniqueStorage() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// The fields of ``UnpicklerOptions``; shared between copies and never changed while shared, which
    /// makes it safe to send.
    private final class Storage: @unchecked Sendable {
        static let defaults = Storage()

        @exclusivity(unchecked) var maxDepth: Int = 1000
        @exclusivity(unchecked) var maxMemoSize: Int? = nil
        @exclusivity(unchecked) var maxOpcodes: Int? = nil
        @exclusivity(unchecked) var maxInputSize: Int? = nil
        @exclusivity(unchecked) var maxIntegerDigits: Int = 4300
        @exclusivity(unchecked) var python2Strings: Python2StringDecoding = .ascii
        @exclusivity(unchecked) var fixPython2Imports: Bool = true
        @exclusivity(unchecked) var resolveGlobal: (@Sendable (PickleGlobal) throws -> PickleValue?)? = nil
        @exclusivity(unchecked) var persistentLoad: (@Sendable (PickleValue) throws -> PickleValue)? = nil
        @exclusivity(unchecked) var extensionRegistry: [Int: PickleGlobal] = [:]
        @exclusivity(unchecked) var buffers: [[UInt8]] = []

        func copy() -> Storage {
            let copy = Storage()
            copy.maxDepth = maxDepth
            copy.maxMemoSize = maxMemoSize
            copy.maxOpcodes = maxOpcodes
            copy.maxInputSize = maxInputSize
            copy.maxIntegerDigits = maxIntegerDigits
            copy.python2Strings = python2Strings
            copy.fixPython2Imports = fixPython2Imports
            copy.resolveGlobal = resolveGlobal
            copy.persistentLoad = persistentLoad
            copy.extensionRegistry = extensionRegistry
            copy.buffers = buffers
            return copy
        }
    }
}
