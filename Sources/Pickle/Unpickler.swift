/// Reads Python pickles, protocols 0 to 5, into ``PickleValue``s.
///
/// `Unpickler` is the pickle virtual machine of CPython's `pickle` module: it reads every one of the
/// 68 opcodes with the semantics of CPython's unpickler, legacy protocol-0 text opcodes and Python 2
/// pickles included. Shared references and cycles come back shared: a list, dict, set, bytearray or
/// instance stored once in the memo and fetched twice is the same object twice.
///
/// Nothing in a pickle is ever executed or imported. A global stays an inert
/// ``PickleValue/global(_:)``, and a call (`REDUCE`, `NEWOBJ`, `BUILD`…) builds an inert
/// ``PickleObject`` recording the callable, the arguments and the state, except for the calls
/// CPython itself writes for builtin types (`complex`, `set`, `frozenset`, `bytes`, `bytearray`, and
/// `copyreg._reconstructor` for instances), which load as native values. Hostile input ends in a
/// ``PickleError`` with the byte offset of the opcode at fault, never in a crash; see
/// ``UnpicklerOptions`` for the limits.
///
/// One pickle:
/// ```swift
/// let value = try Unpickler.load(bytes)
/// if case .dict(let record) = value { print(record["name"] ?? "none") }
/// ```
///
/// Several pickles in one stream share a memo, as when one Python `Pickler` dumped them all:
/// ```swift
/// let unpickler = Unpickler(bytes)
/// while !unpickler.isAtEnd {
///     let value = try unpickler.load()
///     print(value, "ends at byte", unpickler.position)
/// }
/// ```
///
/// ## What calls and state load as
/// - `REDUCE`, `NEWOBJ`, `NEWOBJ_EX`, `OBJ` and `INST` build a ``PickleObject`` with the matching
///   ``PickleObject/Construction``; `copyreg._reconstructor(cls, object, None)` (protocols 0-1),
///   `copyreg.__newobj__`, `copyreg.__newobj_ex__` and protocol 2-3's
///   `functools.partial(cls.__new__, cls, ...)()` load as the `NEWOBJ`/`NEWOBJ_EX` object Python
///   would pickle back at protocol 2 and later.
/// - `BUILD` sets the instance's ``PickleObject/state``. A second `BUILD` on the same instance
///   merges a dict state into a dict state already there, as Python's default `__setstate__`
///   updates `__dict__` (into a new dict, leaving the first one as the memo has it); any other
///   state replaces the previous one. On a value that is not an instance, `BUILD` accepts only a
///   state that sets nothing (`None`), like a Python object without `__dict__`.
/// - `APPEND`/`APPENDS` on an instance add to ``PickleObject/listItems``, `SETITEM`/`SETITEMS` to
///   ``PickleObject/dictItems``.
/// - As in CPython, a `MARK` left below the value at `STOP` is ignored, while a `MARK` inside the
///   values an opcode takes is an error (``PickleError/Code/stackUnderflow``).
///
/// ## Memory
/// A pickle can describe values that contain themselves (`L = []; L.append(L)`), which Swift's
/// reference counting never frees on its own: call ``PickleValue/breakReferenceCycles()`` on such a
/// value when done with it. What a load builds and does not return (a cycle left in the memo or dropped
/// by `POP`) is freed by the load, and so is everything a failed load built. An ``Unpickler`` reading a stream keeps its
/// memo for the next loads, so this applies to its loads only when they fail, and only when the memo
/// was empty when the failed load started (otherwise what it built may hang on values of the earlier
/// loads, which the caller has); ``load(_:options:)``, ``load(from:options:)`` and ``loadAll(_:options:)``
/// free everything. Values the hooks return (``UnpicklerOptions/persistentLoad``,
/// ``UnpicklerOptions/resolveGlobal``) are the caller's and are never emptied, except for what they reach
/// only through the persistent ID the pickle handed to the hook, which the load built.
///
/// An `Unpickler` is not thread-safe: use each one from one thread at a time.
public final class Unpickler {
    /// The options the unpickler applies.
    public let options: UnpicklerOptions

    /// The offset of the next byte to read: right after the `STOP` of the last pickle loaded.
    public private(set) var position: Int = 0

    /// The number of bytes of input.
    public var byteCount: Int { bytes.count }

    /// Whether every byte of the input has been read.
    public var isAtEnd: Bool { position >= bytes.count }

    private let bytes: [UInt8]
    private var memo = UnpicklerMemo()
    private var nextBuffer = 0

    /// Creates an unpickler that reads `bytes` from the start.
    ///
    /// - Parameters:
    ///   - bytes: One or more pickles, one after another.
    ///   - options: Limits, hooks and compatibility settings.
    public init(_ bytes: [UInt8], options: UnpicklerOptions = UnpicklerOptions()) {
        self.bytes = bytes
        self.options = options
    }

    /// Loads the next pickle and leaves ``position`` right after its `STOP`.
    ///
    /// The memo carries over from one call to the next, as in CPython, so a pickle may refer to
    /// values of the earlier pickles in the stream. Bytes after the last `STOP` are not read.
    ///
    /// ```swift
    /// let unpickler = Unpickler(stream)
    /// let header = try unpickler.load()
    /// let body = try unpickler.load()
    /// ```
    ///
    /// - Returns: The value the pickle describes.
    /// - Throws: ``PickleError`` with the offset of the opcode at fault; ``PickleError/Code/truncated``
    ///   when the input ends before a `STOP` (including when it is already at its end).
    public func load() throws(PickleError) -> PickleValue {
        if let limit = options.maxInputSize, bytes.count > limit {
            throw PickleError(.limitExceeded, "input of \(bytes.count) bytes exceeds maxInputSize (\(limit))")
        }
        return try bytes.withUnsafeBytesTyped { (buffer) throws(PickleError) in
            try UnpicklerMachine.withMachine(buffer, position: position, options: options) {
                (machine) throws(PickleError) in try load(with: &machine)
            }
        }
    }

    /// ``load()`` on `machine`, with this unpickler's memo, moving on to where the pickle ended.
    private func load(with machine: inout UnpicklerMachine) throws(PickleError) -> PickleValue {
        machine.nextBuffer = nextBuffer
        let memoWasEmpty = memo.count == 0
        swap(&machine.memo, &memo)
        defer {
            swap(&machine.memo, &memo)
            position = machine.reader.position
            nextBuffer = machine.nextBuffer
        }
        do throws(PickleError) {
            return try machine.load()
        } catch {
            // Values of earlier loads may be in the memo, and the caller has them: only a load that
            // started from an empty memo knows that everything in it is its own. (After a successful
            // load, the memo stays for the next loads.)
            if memoWasEmpty { machine.releaseUnreachable(keeping: []) }
            throw error
        }
    }

    /// Forgets every value in the memo, like Python's `unpickler.memo.clear()`.
    public func clearMemo() {
        memo.removeAll()
    }

    /// Loads the first pickle in `bytes`, ignoring any bytes after its `STOP`, like Python's
    /// `pickle.loads`.
    ///
    /// ```swift
    /// let value = try Unpickler.load([0x80, 0x04, 0x4b, 0x2a, 0x2e])   // 42
    /// ```
    ///
    /// - Parameters:
    ///   - bytes: The pickle.
    ///   - options: Limits, hooks and compatibility settings.
    /// - Returns: The value the pickle describes.
    /// - Throws: ``PickleError`` with the offset of the opcode at fault.
    public static func load(_ bytes: [UInt8], options: UnpicklerOptions = UnpicklerOptions()) throws(PickleError)
        -> PickleValue
    {
        try bytes.withUnsafeBytesTyped { (buffer) throws(PickleError) in try load(from: buffer, options: options) }
    }

    /// Loads the first pickle in `buffer` without copying it, ignoring any bytes after its `STOP`.
    ///
    /// The buffer is only read during the call; no value refers to it afterwards.
    ///
    /// ```swift
    /// let value = try data.withUnsafeBytes { try Unpickler.load(from: $0) }
    /// ```
    ///
    /// - Parameters:
    ///   - buffer: The pickle.
    ///   - options: Limits, hooks and compatibility settings.
    /// - Returns: The value the pickle describes.
    /// - Throws: ``PickleError`` with the offset of the opcode at fault.
    public static func load(
        from buffer: UnsafeRawBufferPointer, options: UnpicklerOptions = UnpicklerOptions()
    ) throws(PickleError) -> PickleValue {
        if let limit = options.maxInputSize, buffer.count > limit {
            throw PickleError(.limitExceeded, "input of \(buffer.count) bytes exceeds maxInputSize (\(limit))")
        }
        return try UnpicklerMachine.withMachine(buffer, position: 0, options: options) {
            (machine) throws(PickleError) in
            do throws(PickleError) {
                let value = try machine.load()
                // (Checked here too, to skip making the array when nothing was fetched twice.)
                if machine.fetched != nil { machine.releaseUnreachable(keeping: [value]) }
                return value
            } catch {
                machine.releaseUnreachable(keeping: [])
                throw error
            }
        }
    }

    /// Loads every pickle in `bytes`, one after another until the data ends, with one memo shared
    /// by all of them (as one Python `Unpickler` calling `load()` repeatedly).
    ///
    /// ```swift
    /// let values = try Unpickler.loadAll(log)
    /// ```
    ///
    /// - Parameters:
    ///   - bytes: Zero or more pickles, back to back.
    ///   - options: Limits, hooks and compatibility settings.
    /// - Returns: The values, in order; empty for empty input.
    /// - Throws: ``PickleError`` with the offset of the opcode at fault, including
    ///   ``PickleError/Code/truncated`` when bytes after the last `STOP` are not a whole pickle.
    public static func loadAll(_ bytes: [UInt8], options: UnpicklerOptions = UnpicklerOptions()) throws(PickleError)
        -> [PickleValue]
    {
        try bytes.withUnsafeBytesTyped { (buffer) throws(PickleError) in try loadAll(from: buffer, options: options) }
    }

    /// Loads every pickle in `buffer` without copying it, one after another until the data ends,
    /// with one memo shared by all of them.
    ///
    /// ```swift
    /// let values = try data.withUnsafeBytes { try Unpickler.loadAll(from: $0) }
    /// ```
    ///
    /// - Parameters:
    ///   - buffer: Zero or more pickles, back to back.
    ///   - options: Limits, hooks and compatibility settings.
    /// - Returns: The values, in order; empty for empty input.
    /// - Throws: ``PickleError`` with the offset of the opcode at fault.
    public static func loadAll(
        from buffer: UnsafeRawBufferPointer, options: UnpicklerOptions = UnpicklerOptions()
    ) throws(PickleError) -> [PickleValue] {
        if let limit = options.maxInputSize, buffer.count > limit {
            throw PickleError(.limitExceeded, "input of \(buffer.count) bytes exceeds maxInputSize (\(limit))")
        }
        return try UnpicklerMachine.withMachine(buffer, position: 0, options: options) {
            (machine) throws(PickleError) in
            var values: [PickleValue] = []
            do throws(PickleError) {
                while !machine.reader.isAtEnd {
                    values.append(try machine.load())
                }
            } catch {
                machine.releaseUnreachable(keeping: [])
                throw error
            }
            machine.releaseUnreachable(keeping: values)
            return values
        }
    }
}

@available(*, unavailable)
extension Unpickler: Sendable {}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` with a typed error.
    @inline(__always)
    func withUnsafeBytesTyped<Result>(
        _ body: (UnsafeRawBufferPointer) throws(PickleError) -> Result
    ) throws(PickleError) -> Result {
        let outcome: Swift.Result<Result, PickleError> = withUnsafeBytes { buffer in
            do throws(PickleError) {
                return .success(try body(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }
}
