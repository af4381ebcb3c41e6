import GDBM
import Pickle

/// Pickles values into one reusable buffer and unpickles them straight from GDBM's buffers.
///
/// One per shelf. Not thread-safe, like the shelf that owns it.
internal struct ShelfCodec {
    /// Why writing a value failed: pickling it, or storing the pickle.
    enum WriteFailure: Error {
        case encoding(PickleError)
        case storage(GDBMError)
    }

    /// The limits values are read with: the defaults, which CPython's own limits match or exceed.
    let unpicklerOptions = UnpicklerOptions()

    /// One pickler for every value: its memo is cleared after each dump, as each record is a pickle of its own.
    private let pickler: Pickler

    /// Makes a codec writing `protocolVersion`, which must be 0...5.
    init(protocolVersion: Int) throws(PickleError) {
        pickler = try Pickler(options: PicklerOptions(protocolVersion: protocolVersion))
    }

    /// The protocol values are written with.
    var protocolVersion: Int {
        pickler.options.protocolVersion
    }

    /// Pickles `value` and stores the pickle in `file` under `key`, straight from the pickler's buffer; returns
    /// the failure, if any. The pickler is left empty, with a cleared memo, for the next value.
    @inline(__always)
    func store(_ value: PickleValue, in file: GDBMFile, forKey key: UnsafeRawBufferPointer) -> WriteFailure? {
        let bytes: UnsafeRawBufferPointer
        do {
            bytes = try pickler.dumpLending(value)
        } catch {
            return .encoding(error)  // the pickler is left empty, with a cleared memo
        }
        defer { pickler.discardPickle() }
        do {
            try file.store(bytes, forKey: key)
        } catch {
            return .storage(error)
        }
        return nil
    }

    /// Unpickles the value in `bytes`, GDBM's buffer, without copying it. Like Python's shelf, reads the first
    /// pickle and ignores anything after its `STOP`.
    func decode(_ bytes: UnsafeRawBufferPointer) throws(PickleError) -> PickleValue {
        try Unpickler.load(from: bytes, options: unpicklerOptions)
    }
}
