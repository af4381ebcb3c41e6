/// Writes values as Python pickles, byte for byte as CPython 3.11's `pickle` module does.
///
/// A `Pickler` appends one complete pickle to ``output`` per ``dump(_:)``: the `PROTO` header at
/// protocol 2 and later, the value, and `STOP`, in `FRAME`s at protocol 4 and later. It chooses
/// opcodes, memoizes, batches and frames the way CPython's C pickler (`_pickle.Pickler`) does, so
/// that for the same object the bytes are the same; see "Fidelity" below for the few places where
/// a Swift value cannot say what CPython would know.
///
/// Like CPython's, the memo persists across `dump(_:)` calls until ``clearMemo()``: an object written
/// by an earlier dump is written again as a memo reference (`GET`), so the pickles must be loaded in
/// order by one unpickler, as `pickle.Unpickler.load()` called repeatedly on one stream does.
///
/// ```swift
/// let pickler = try Pickler(options: PicklerOptions(protocolVersion: 4))
/// let numbers: PickleValue = [1, 2, 3]
/// try pickler.dump(numbers)
/// try pickler.dump(numbers)         // just a BINGET of the list written by the first dump
/// let stream = pickler.takeOutput()
///
/// let bytes = try Pickler.dumps(["name": "Ada"])   // one pickle, protocol 5
/// ```
///
/// ## Fidelity
/// CPython keys its memo by object identity. Mutable containers and instances have identity here too
/// (they are classes), so sharing and cycles come out exactly as CPython writes them. Immutable
/// values have none in Swift, so the pickler treats equal ones as one object; its bytes differ from
/// CPython's only where CPython holds two distinct but equal immutable objects (it writes both, this
/// pickler writes the second as a memo reference), or where CPython would ask the class itself:
///
/// - `str` and `bytes` are memoized by value (code points, not Swift's canonical equivalence): two
///   equal strings built separately at run time become one memo reference. Interned names, literals
///   and dict keys, the usual case, come out identical. The one-character `str` that CPython decodes
///   from `bytes` below protocol 3 is memoized as any `str`; CPython shares it with the program's `str`
///   of that character or not, depending on interning.
/// - A `tuple` or `frozenset` is memoized when its elements are identical (the same reference
///   objects, the same memoized values, equal atoms of the same type: `1`, `True` and `1.0` differ),
///   so one shared in Python comes out identical, and two equal ones built separately become one memo
///   reference. `complex` by its bits, globals by module and name.
/// - The values CPython makes while pickling (the arguments tuple of a reduction, the list of
///   `set(list)`, `bytes` in `bytearray(bytes)`, the latin-1 `str` of `bytes` below protocol 3) are
///   memoized but never found again, as CPython makes new ones each time.
/// - Instances (``PickleObject``) are written as they were built. Below protocol 2, a
///   ``PickleObject/Construction/newObject`` without arguments or items is written as CPython's
///   default `__reduce_ex__` writes an instance of a class derived from `object`,
///   `copyreg._reconstructor(cls, object, None)`; for a subclass of a builtin type CPython names that
///   base instead, which the value does not record (the object loads the same). With arguments or
///   items it is `copyreg.__newobj__(cls, *args)` and the items.
///   ``PickleObject/Construction/newObjectWithKeywords`` is `NEWOBJ_EX` at protocol 4 and later; at
///   2 and 3, CPython's `functools.partial(cls.__new__, cls, *args, **kwargs)()`, with `cls.__new__`
///   written as `getattr(cls, "__new__")` (CPython names the class that defines `__new__`, often
///   `object`); below 2, `copyreg.__newobj_ex__(cls, args, kwargs)` (CPython's default would drop the
///   arguments). ``PickleObject/Construction/instantiate`` is `INST` (protocol 0) or `OBJ`, as
///   Python 2's `pickle.py` wrote old-style instances. At protocol 2 and later, a
///   ``PickleObject/Construction/reduce`` whose callable is named `__newobj__` or `__newobj_ex__`
///   becomes `NEWOBJ` or `NEWOBJ_EX`, as CPython's `save_reduce` does.
/// - Extension codes (`EXT1`, `EXT2`, `EXT4`) are never written: globals are always written by name,
///   as CPython does with its default, empty extension registry.
///
/// A `Pickler` is not thread-safe; use one per task.
public final class Pickler {
    /// The options the pickler was created with.
    ///
    /// ```swift
    /// pickler.options.protocolVersion   // 5
    /// ```
    public let options: PicklerOptions

    // No dynamic exclusivity checks: four of them cost more than pickling a small value. The class is not
    // Sendable, so the one way to overlap two accesses is a call from inside a hook during a dump, which
    // `busy` catches instead.
    @exclusivity(unchecked) var writer: PickleWriter
    /// Whether a ``dump(_:)`` or a ``withOutput(_:)`` is running (and a hook or the closure of it may be
    /// calling back into the pickler).
    @exclusivity(unchecked) private var busy = false

    /// Traps when a hook of a running dump, or the closure of ``withOutput(_:)``, calls `member`, which
    /// would touch the writer that is in use.
    @inline(__always)
    private func requireIdle(_ member: StaticString) {
        precondition(!busy, "Pickler.\(member) was called from inside a dump's hook or withOutput's closure")
    }

    /// The pickles written so far, one after another (a copy: ``takeOutput()`` hands them over and
    /// empties the pickler's buffer).
    ///
    /// ```swift
    /// try pickler.dump(1)
    /// pickler.output      // [0x80, 0x05, 0x4B, 0x01, 0x2E]
    /// ```
    public var output: [UInt8] {
        requireIdle("output")
        return writer.output
    }

    /// The data of the values sent out of band (see ``PicklerOptions/sendOutOfBand``), in the order in
    /// which the pickles refer to them; pass them to the loader in that order.
    ///
    /// ```swift
    /// let buffers = pickler.outOfBandBuffers   // for pickle.loads(data, buffers=buffers)
    /// ```
    public var outOfBandBuffers: [[UInt8]] {
        requireIdle("outOfBandBuffers")
        return writer.outOfBandBuffers
    }

    /// Creates a pickler.
    ///
    /// ```swift
    /// let pickler = try Pickler(options: PicklerOptions(protocolVersion: 2))
    /// ```
    ///
    /// - Parameter options: The protocol and the other choices; the defaults write protocol 5.
    /// - Throws: ``PickleError`` with ``PickleError/Code/unsupportedProtocol`` when
    ///   ``PicklerOptions/protocolVersion`` is not 0 to 5, or when ``PicklerOptions/sendOutOfBand`` is
    ///   set with a protocol below 5.
    public init(options: PicklerOptions = PicklerOptions()) throws(PickleError) {
        try PickleWriter.validate(options)
        self.options = options
        writer = PickleWriter(validated: options)
    }

    /// Pickles one value with the given protocol, as CPython's `pickle.dumps(value, protocol)` does.
    ///
    /// ```swift
    /// let bytes = try Pickler.dumps(["a", 1, 2.5], protocol: 2)
    /// ```
    ///
    /// - Parameters:
    ///   - value: The value to write.
    ///   - version: The protocol, 0 to 5.
    /// - Returns: One complete pickle.
    /// - Throws: ``PickleError``: ``PickleError/Code/unsupportedProtocol`` for a protocol outside 0 to 5,
    ///   ``PickleError/Code/unpicklable`` for a value the protocol cannot express, and
    ///   ``PickleError/Code/limitExceeded`` for a value nested deeper than
    ///   ``PicklerOptions/maxDepth``.
    public static func dumps(
        _ value: PickleValue, protocol version: Int = PicklerOptions.defaultProtocol
    ) throws(PickleError) -> [UInt8] {
        try dumps(value, options: PicklerOptions(protocolVersion: version))
    }

    /// Pickles one value with the given options.
    ///
    /// ```swift
    /// let bytes = try Pickler.dumps(value, options: PicklerOptions(protocolVersion: 2, fixPython2Imports: false))
    /// ```
    ///
    /// - Parameters:
    ///   - value: The value to write.
    ///   - options: The protocol and the other choices.
    /// - Returns: One complete pickle. Out-of-band buffers, if ``PicklerOptions/sendOutOfBand`` sent
    ///   any, are lost here: use a ``Pickler`` and read ``outOfBandBuffers`` for them.
    /// - Throws: ``PickleError``, as ``dump(_:)`` and ``init(options:)`` do.
    public static func dumps(_ value: PickleValue, options: PicklerOptions) throws(PickleError) -> [UInt8] {
        try PickleWriter.validate(options)
        // The scratch is too large for `withUnsafeTemporaryAllocation` to put on the stack, and its heap
        // block comes from `posix_memalign`, about 190 instructions a dump more than `malloc`'s.
        let scratch = PickleWriter.Scratch.allocate()
        defer { PickleWriter.Scratch.free(scratch) }
        var writer = PickleWriter(validated: options, singleDump: true, scratch: scratch)
        writer.rootIsLast = true
        try writer.dump(value)
        return writer.output
    }

    /// Appends one complete pickle of `value` to ``output``.
    ///
    /// Objects already in the memo, from this dump or an earlier one, are written as memo references.
    /// If the dump fails, ``output`` and ``outOfBandBuffers`` are left as they were before it, and the
    /// memo is cleared (the failed pickle's memo entries were never written), so the pickler can go on.
    ///
    /// ```swift
    /// try pickler.dump(["tags": ["a", "b"]])
    /// ```
    ///
    /// - Parameter value: The value to write.
    /// - Throws: ``PickleError``: ``PickleError/Code/unpicklable`` when the protocol cannot express a
    ///   value (a non-ASCII global name at protocols 0 to 2, a persistent ID that is not an ASCII `str`
    ///   at protocol 0, a `str` or `bytes` over 4 GiB below protocol 4, a name with a newline),
    ///   ``PickleError/Code/limitExceeded`` for nesting deeper than ``PicklerOptions/maxDepth``,
    ///   ``PickleError/Code/invalidArgument`` when called from a hook (``PicklerOptions/persistentID``,
    ///   ``PicklerOptions/sendOutOfBand``) of a dump of the same pickler, or from the closure of its
    ///   ``withOutput(_:)``.
    public func dump(_ value: PickleValue) throws(PickleError) {
        guard !busy else { throw Self.busyError }
        busy = true
        defer { busy = false }
        try writer.dump(value)
    }

    /// The error of a dump started from inside a hook of a dump, or from ``withOutput(_:)``'s closure.
    private static var busyError: PickleError {
        PickleError(
            .invalidArgument,
            "Pickler.dump was called from inside a hook of its own dump or from withOutput's closure; use another Pickler there")
    }

    /// Pickles `value` as a pickle of its own and lends its bytes, in the pickler's buffer, to the caller:
    /// ``dump(_:)`` and ``withOutput(_:)`` in one call without a closure, for a caller that writes one
    /// record per value (a shelf). The bytes are valid only until ``discardPickle()``, which the caller
    /// must call before using the pickler again; it empties the output and clears the memo. A failed dump
    /// leaves the pickler as ``dump(_:)`` does, and needs no ``discardPickle()``.
    ///
    /// The output must be empty: only the bytes of this dump are lent.
    package func dumpLending(_ value: PickleValue) throws(PickleError) -> UnsafeRawBufferPointer {
        guard !busy else { throw Self.busyError }
        busy = true
        defer { busy = false }
        try writer.dump(value)
        return UnsafeRawBufferPointer(start: writer.base, count: writer.written)
    }

    /// Ends the loan of ``dumpLending(_:)``: empties the output and clears the memo.
    package func discardPickle() {
        writer.removeOutput()
        writer.memo.removeAll()
    }

    /// Returns ``output`` and empties it; the memo is kept, as the next dump may refer to it.
    ///
    /// ```swift
    /// try pickler.dump(value)
    /// socket.send(pickler.takeOutput())
    /// ```
    ///
    /// - Returns: The bytes written since the last call.
    public func takeOutput() -> [UInt8] {
        requireIdle("takeOutput()")
        defer { writer.removeOutput() }
        return writer.output
    }

    /// Lends the bytes written since the last take to `body` without copying them, then empties the
    /// output, as ``takeOutput()`` does; the memo is kept.
    ///
    /// ```swift
    /// try pickler.dump(value)
    /// try pickler.withOutput { bytes in try file.write(contentsOf: bytes) }
    /// ```
    ///
    /// The buffer is valid only during the call and must not escape it. `body` must not use the pickler: a
    /// ``dump(_:)`` from it throws, and the other members trap. The output is emptied even when `body`
    /// throws.
    ///
    /// - Parameter body: A closure that reads the pickled bytes.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    public func withOutput<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        requireIdle("withOutput(_:)")
        busy = true
        defer {
            busy = false
            writer.removeOutput()
        }
        return try body(UnsafeRawBufferPointer(start: writer.base, count: writer.written))
    }

    /// Returns ``outOfBandBuffers`` and empties the list.
    ///
    /// ```swift
    /// try pickler.dump(value)
    /// send(pickler.takeOutput(), buffers: pickler.takeOutOfBandBuffers())
    /// ```
    ///
    /// - Returns: The out-of-band buffers collected since the last call, in order.
    public func takeOutOfBandBuffers() -> [[UInt8]] {
        requireIdle("takeOutOfBandBuffers()")
        defer { writer.outOfBandBuffers = [] }
        return writer.outOfBandBuffers
    }

    /// Forgets every object written so far, like CPython's `Pickler.clear_memo()`: the next dump writes
    /// them in full and numbers its memo entries from 0 again.
    ///
    /// ```swift
    /// try pickler.dump(record)
    /// pickler.clearMemo()
    /// try pickler.dump(record)     // written in full again: loads without the first pickle
    /// ```
    public func clearMemo() {
        requireIdle("clearMemo()")
        writer.memo.removeAll()
    }
}

@available(*, unavailable)
extension Pickler: Sendable {}
