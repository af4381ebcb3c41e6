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
/// The memo of CPython is keyed by object identity. Mutable containers and instances have identity
/// here too (they are classes), so sharing and cycles are written exactly as CPython writes them.
/// Immutable values (`str`, `bytes`, `tuple`, `frozenset`, `complex`, globals) have no identity in
/// Swift; the pickler treats equal ones as one object (see ``PicklerOptions`` and the memo rules
/// below). The bytes differ from CPython's only where CPython holds two distinct but equal
/// immutable objects (it writes both; this pickler writes the second as a memo reference) or where
/// CPython would consult the class itself:
///
/// - `str`/`bytes`: memoized by value, so two equal but distinct strings (built at run time, not
///   interned) become one memo reference. Interned names, literals and dict keys are the common case
///   and come out identical.
/// - `tuple`/`frozenset`: memoized when their elements are identical (the same reference objects, the
///   same memoized values, equal atoms of the same type), so a tuple shared in Python comes out
///   identical, and two equal tuples built separately become one memo reference.
/// - Instances (``PickleObject``) are written as they were built. At protocols 0 and 1 a
///   ``PickleObject/Construction/newObject`` without arguments is written as CPython's default
///   `__reduce_ex__` writes an instance of a class derived from `object`:
///   `copyreg._reconstructor(cls, object, None)`; for a subclass of a builtin type CPython names that
///   base instead, which the value does not record (the object still loads the same). With
///   arguments, list or dict items it is `copyreg.__newobj__(cls, *args)`.
///   ``PickleObject/Construction/newObjectWithKeywords`` is `NEWOBJ_EX` at protocol 4 and later; at
///   protocols 2 and 3 it is CPython's `functools.partial(cls.__new__, cls, *args, **kwargs)()`,
///   with `cls.__new__` written as `getattr(cls, "__new__")` (CPython names the class that defines
///   `__new__`, often `object`); at protocols 0 and 1 it is
///   `copyreg.__newobj_ex__(cls, args, kwargs)`, where CPython would drop the arguments.
///   ``PickleObject/Construction/instantiate`` is `INST` (protocol 0) or `OBJ`, as Python 2 wrote
///   old-style instances.
/// - Extension codes (`EXT1`/`EXT2`/`EXT4`, `copyreg.add_extension`) are never written: globals are
///   always written by name, as CPython does with its default, empty extension registry.
///
/// A `Pickler` is not thread-safe; use one per task.
public final class Pickler {
    /// The options the pickler was created with.
    public let options: PicklerOptions

    /// The pickles written so far, one after another.
    public internal(set) var output: [UInt8] = []

    /// The data of the values sent out of band (see ``PicklerOptions/sendOutOfBand``), in the order in
    /// which the pickles refer to them; pass them to the loader in that order.
    public internal(set) var outOfBandBuffers: [[UInt8]] = []

    let proto: Int
    let fixImports: Bool
    let maxDepth: Int
    let persistentIDHook: ((PickleValue) -> PickleValue?)?
    let outOfBandHook: ((PickleValue) -> Bool)?

    var memo = PicklerMemo()
    var depth = 0
    /// Whether frames are being written: during a dump at protocol 4 or later.
    var framing = false
    /// Where the 9-byte header of the open frame starts in ``output``.
    var frameStart = 0

    /// CPython's target frame size: a frame is closed at the first value boundary past 64 KiB, and a
    /// `str` or `bytes` of 64 KiB or more is written outside any frame.
    static let frameSizeTarget = 64 * 1024
    static let frameHeaderSize = 9
    static let frameSizeMinimum = 4
    /// The number of items per `APPENDS`, `SETITEMS` or `ADDITEMS`, as in CPython.
    static let batchSize = 1000

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
        guard (0...PicklerOptions.highestProtocol).contains(options.protocolVersion) else {
            throw PickleError(
                .unsupportedProtocol,
                "pickle protocol must be 0 to \(PicklerOptions.highestProtocol), not \(options.protocolVersion)")
        }
        if options.sendOutOfBand != nil, options.protocolVersion < 5 {
            throw PickleError(
                .unsupportedProtocol,
                "out-of-band buffers need protocol 5, not \(options.protocolVersion)")
        }
        self.options = options
        proto = options.protocolVersion
        fixImports = options.fixPython2Imports && options.protocolVersion < 3
        maxDepth = options.maxDepth
        persistentIDHook = options.persistentID
        outOfBandHook = options.sendOutOfBand
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
        let pickler = try Pickler(options: options)
        try pickler.dump(value)
        return pickler.output
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
    ///   ``PickleError/Code/limitExceeded`` for nesting deeper than ``PicklerOptions/maxDepth``.
    public func dump(_ value: PickleValue) throws(PickleError) {
        let outputStart = output.count
        let buffersStart = outOfBandBuffers.count
        do {
            if proto >= 2 {
                output.append(Opcode.proto.rawValue)
                output.append(UInt8(truncatingIfNeeded: proto))
            }
            if proto >= 4 {
                framing = true
                openFrame()
            }
            try save(value)
            output.append(Opcode.stop.rawValue)
            if framing {
                commitFrame()
                framing = false
            }
        } catch {
            output.removeSubrange(outputStart...)
            outOfBandBuffers.removeSubrange(buffersStart...)
            memo.removeAll()
            framing = false
            depth = 0
            throw error
        }
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
        defer { output = [] }
        return output
    }

    /// Returns ``outOfBandBuffers`` and empties the list.
    ///
    /// - Returns: The out-of-band buffers collected since the last call, in order.
    public func takeOutOfBandBuffers() -> [[UInt8]] {
        defer { outOfBandBuffers = [] }
        return outOfBandBuffers
    }

    /// Forgets every object written so far, like CPython's `Pickler.clear_memo()`: the next dump writes
    /// them in full and numbers its memo entries from 0 again.
    public func clearMemo() {
        memo.removeAll()
    }
}

@available(*, unavailable)
extension Pickler: Sendable {}

// MARK: - Output, frames and the memo

extension Pickler {
    @inline(__always)
    func write(_ opcode: Opcode) {
        output.append(opcode.rawValue)
    }

    @inline(__always)
    func write(_ opcode: Opcode, _ byte: UInt8) {
        output.append(opcode.rawValue)
        output.append(byte)
    }

    @inline(__always)
    func writeLittleEndian(_ value: UInt16) {
        output.append(UInt8(truncatingIfNeeded: value))
        output.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    @inline(__always)
    func writeLittleEndian(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { output.append(contentsOf: $0) }
    }

    @inline(__always)
    func writeLittleEndian(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { output.append(contentsOf: $0) }
    }

    /// Writes `value` in decimal ASCII digits.
    func writeDecimal(_ value: Int) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for the 20 digits of a UInt64
        withUnsafeMutableBytes(of: &digits) { buffer in
            var position = buffer.count
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[position...]))
        }
    }

    /// Starts a frame: a placeholder for its header, filled in by ``commitFrame()``.
    func openFrame() {
        frameStart = output.count
        for _ in 0..<Self.frameHeaderSize { output.append(0) }
    }

    /// Ends the open frame: writes its `FRAME` header, or removes the header when the frame holds
    /// fewer than 4 bytes, as CPython does.
    func commitFrame() {
        let length = output.count - frameStart - Self.frameHeaderSize
        if length >= Self.frameSizeMinimum {
            output[frameStart] = Opcode.frame.rawValue
            var size = UInt64(length)
            for offset in 1...8 {
                output[frameStart + offset] = UInt8(truncatingIfNeeded: size)
                size >>= 8
            }
        } else {
            output.removeSubrange(frameStart..<(frameStart + Self.frameHeaderSize))
        }
    }

    /// CPython's check at the start of saving each object: a frame that reached the target size is
    /// closed, and the next one opens.
    @inline(__always)
    func frameBoundary() {
        if framing, output.count - frameStart >= Self.frameSizeTarget + Self.frameHeaderSize {
            commitFrame()
            openFrame()
        }
    }

    /// Writes a header and `count` bytes of payload; data of 64 KiB or more goes outside any frame,
    /// as CPython's `_Pickler_write_bytes` does.
    @inline(__always)
    func writeData(count: Int, header: () -> Void, payload: () -> Void) {
        if framing, count >= Self.frameSizeTarget {
            commitFrame()
            header()
            payload()
            openFrame()
        } else {
            header()
            payload()
        }
    }

    /// Writes a memo reference.
    func writeGet(_ index: Int) throws(PickleError) {
        if proto == 0 {
            output.append(Opcode.get.rawValue)
            writeDecimal(index)
            output.append(UInt8(ascii: "\n"))
        } else if index < 256 {
            write(.binget, UInt8(truncatingIfNeeded: index))
        } else if index <= Int(UInt32.max) {
            write(.longBinget)
            writeLittleEndian(UInt32(truncatingIfNeeded: index))
        } else {
            throw PickleError(.limitExceeded, "memo index \(index) is too large for LONG_BINGET")
        }
    }

    /// Writes the opcode that stores the top of the stack under memo index `index`.
    func writePut(_ index: Int) throws(PickleError) {
        if proto >= 4 {
            write(.memoize)
        } else if proto == 0 {
            output.append(Opcode.put.rawValue)
            writeDecimal(index)
            output.append(UInt8(ascii: "\n"))
        } else if index < 256 {
            write(.binput, UInt8(truncatingIfNeeded: index))
        } else if index <= Int(UInt32.max) {
            write(.longBinput)
            writeLittleEndian(UInt32(truncatingIfNeeded: index))
        } else {
            throw PickleError(.limitExceeded, "memo index \(index) is too large for LONG_BINPUT")
        }
    }

    /// Memoizes a value that no later lookup can find: one CPython creates afresh while pickling.
    func memoizeAnonymous() throws(PickleError) {
        try writePut(memo.allocate())
    }

    /// Memoizes a reference object by identity.
    func memoize(reference object: AnyObject) throws(PickleError) {
        let index = memo.allocate()
        memo.references[ObjectIdentifier(object)] = index
        memo.retained.append(object)
        try writePut(index)
    }

    /// Writes a memo reference to `object` if it is in the memo.
    @inline(__always)
    func writeGetIfMemoized(_ object: AnyObject) throws(PickleError) -> Bool {
        guard let index = memo.references[ObjectIdentifier(object)] else { return false }
        try writeGet(index)
        return true
    }

    /// Counts one more level of nesting.
    @inline(__always)
    func enterNesting() throws(PickleError) {
        depth += 1
        if depth > maxDepth {
            throw PickleError(.limitExceeded, "value nested deeper than the limit of \(maxDepth)")
        }
    }
}

// MARK: - Dispatch

extension Pickler {
    /// Saves one value, as CPython's `save()`: frame boundary, persistent ID, then the value.
    func save(_ value: PickleValue) throws(PickleError) {
        frameBoundary()
        if let persistentIDHook, let pid = persistentIDHook(value) {
            try savePersistentID(pid)
            return
        }
        try saveValue(value)
    }

    /// Starts saving a value the pickler makes up itself (a global, an argument tuple...): the frame
    /// boundary and the persistent-ID hook apply to it as in CPython, which saves such values with
    /// `save()` too. Returns `true` when the hook replaced the value with a persistent ID.
    @inline(__always)
    func beginSynthetic(_ value: () -> PickleValue) throws(PickleError) -> Bool {
        frameBoundary()
        guard let persistentIDHook, let pid = persistentIDHook(value()) else { return false }
        try savePersistentID(pid)
        return true
    }

    /// Saves a value without the persistent-ID hook.
    func saveValue(_ value: PickleValue) throws(PickleError) {
        switch value {
        case .none:
            write(.noneValue)
        case .bool(let flag):
            saveBool(flag)
        case .int(let integer):
            saveInt(integer)
        case .string(let string):
            try saveString(string)
        case .list(let list):
            try saveList(list)
        case .dict(let dict):
            try saveDict(dict)
        case .float(let double):
            saveFloat(double)
        case .tuple(let elements):
            try saveTuple(elements)
        case .bigInt(let big):
            try saveBigInt(big)
        case .bytes(let bytes):
            try saveBytes(bytes)
        case .object(let object):
            try saveObject(object)
        case .global(let global):
            try saveGlobal(global)
        case .set(let set):
            try saveSet(set)
        case .frozenset(let set):
            try saveFrozenSet(set)
        case .bytearray(let array):
            try saveByteArray(array)
        case .complex(let real, let imaginary):
            try saveComplex(real: real, imaginary: imaginary)
        case .surrogateString(let string):
            try saveSurrogateString(string)
        }
    }

    /// Writes a persistent ID instead of an object.
    func savePersistentID(_ pid: PickleValue) throws(PickleError) {
        if proto >= 1 {
            frameBoundary()
            try saveValue(pid)
            write(.binpersid)
            return
        }
        guard case .string(let text) = pid, text.utf8.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\n") }) else {
            throw PickleError(
                .unpicklable, "persistent IDs in protocol 0 must be ASCII strings without a newline")
        }
        write(.persid)
        output.append(contentsOf: text.utf8)
        output.append(UInt8(ascii: "\n"))
    }

    /// The memo key of a tuple's or frozenset's elements, or `nil` when an element is not in the memo
    /// (then neither is the tuple).
    func identityKey(_ elements: [PickleValue]) -> [MemoToken]? {
        var key: [MemoToken] = []
        key.reserveCapacity(elements.count)
        for element in elements {
            guard let token = identityToken(element) else { return nil }
            key.append(token)
        }
        return key
    }

    /// What makes `value` the same Python object as another, or `nil` when it is not in the memo.
    func identityToken(_ value: PickleValue) -> MemoToken? {
        let index: Int?
        switch value {
        case .none: return MemoToken.none
        case .bool(let flag): return .bool(flag)
        case .int(let integer): return .int(integer)
        case .bigInt(let big): return Int(exactly: big).map(MemoToken.int) ?? .bigInt(big)
        case .float(let double): return .float(double.bitPattern)
        case .string(let string): index = memo.strings[TextKey(string)]
        case .surrogateString(let string): index = memo.surrogateStrings[string.codePoints]
        case .bytes(let bytes): index = memo.bytes[bytes]
        case .tuple(let elements):
            if elements.isEmpty { return .emptyTuple }
            if let storage = elements.storageIdentity, let known = memo.tupleStorages[storage] { return .memo(known) }
            index = identityKey(elements).flatMap { memo.tuples[$0] }
        case .frozenset(let set):
            let elements = set.elements
            if let storage = elements.storageIdentity, let known = memo.frozensetStorages[storage] {
                return .memo(known)
            }
            index = identityKey(elements).flatMap { memo.frozensets[$0] }
        case .global(let global): index = memo.globals[GlobalKey(global)]
        case .complex(let real, let imaginary):
            index = memo.complexes[ComplexKey(real: real.bitPattern, imaginary: imaginary.bitPattern)]
        case .list, .dict, .set, .bytearray, .object:
            index = value.referenceIdentity.flatMap { memo.references[$0] }
        }
        return index.map(MemoToken.memo)
    }
}
