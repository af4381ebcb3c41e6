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

    /// The protocol values are written with, 0...5.
    let protocolVersion: Int

    init(protocolVersion: Int) {
        self.protocolVersion = protocolVersion
    }

    /// Pickles `value` and calls `body` with the pickle, which is valid only during the call.
    mutating func withPickle(
        of value: PickleValue, _ body: ([UInt8]) throws(GDBMError) -> Void
    ) throws(WriteFailure) {
        // TEMPORARY until the pickler branch is merged: the shelf has no codec of its own.
        throw .encoding(PickleError(.unpicklable, "the Pickler is not merged into this branch yet"))
    }

    /// Unpickles one value from `bytes`, a complete pickle.
    func decode(_ bytes: UnsafeRawBufferPointer) throws(PickleError) -> PickleValue {
        // TEMPORARY until the unpickler branch is merged: the shelf has no codec of its own.
        throw PickleError(.truncated, "the Unpickler is not merged into this branch yet")
    }
}
