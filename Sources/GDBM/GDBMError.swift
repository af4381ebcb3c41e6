/// An error from a ``GDBMFile`` operation.
///
/// Every throwing member of ``GDBMFile`` throws `GDBMError`. Its ``code`` says what kind of failure it is,
/// its ``message`` says what happened to which file and what to do about it, and ``gdbmError`` and
/// ``systemErrno`` keep the raw codes for logs and bug reports.
///
/// ```swift
/// do {
///     let db = try GDBMFile(path: "cache.db", mode: .readWrite)
///     try db.delete(Array("stale".utf8))
/// } catch let error as GDBMError where error.code == .itemNotFound {
///     // nothing to delete
/// } catch let error as GDBMError where error.code == .locked {
///     print(error.message)  // "cannot open 'cache.db' for writing: it is locked by another handle…"
/// }
/// ```
///
/// A missing key is not an error when reading: ``GDBMFile/fetch(_:)`` returns `nil`.
public struct GDBMError: Error, Sendable, Hashable {
    /// What kind of failure this is.
    public let code: Code

    /// A sentence a person can act on: the operation, the file, the cause and what to do next.
    public let message: String

    /// The raw gdbm error code (`gdbm_errno`, like `10` for `GDBM_CANT_BE_WRITER`), or `nil` for failures
    /// detected by this module before calling gdbm, like ``Code-swift.struct/closed`` and
    /// ``Code-swift.struct/tooLarge``.
    public let gdbmError: Int32?

    /// The operating system's `errno` at the time of the failure (like `11`, `EAGAIN`), or `nil` when
    /// the failure set none.
    public let systemErrno: Int32?

    /// The path of the database file the operation was working on, or `nil` if there is none.
    public let path: String?

    internal init(code: Code, message: String, gdbmError: Int32? = nil, systemErrno: Int32? = nil, path: String?) {
        self.code = code
        self.message = message
        self.gdbmError = gdbmError
        self.systemErrno = systemErrno
        self.path = path
    }
}

// Failures this module detects itself, before or instead of calling gdbm. Failures reported by gdbm are
// mapped in `GDBMCalls.swift`.
extension GDBMError {
    /// An operation on a handle after ``GDBMFile/close()``.
    internal static func closed(_ operation: GDBMOperation, path: String) -> GDBMError {
        GDBMError(
            code: .closed,
            message: "cannot \(operation.phrase(path: path)): the GDBMFile was closed; open a new GDBMFile to use "
                + "the file again",
            path: path
        )
    }

    /// A key or value whose size does not fit gdbm's `int` sizes.
    internal static func tooLarge(
        _ role: String, byteCount: Int, limit: Int, _ operation: GDBMOperation, path: String
    ) -> GDBMError {
        GDBMError(
            code: .tooLarge,
            message: "cannot \(operation.phrase(path: path)): the \(role) is \(byteCount) bytes, but GDBM limits "
                + "keys and values to \(limit) bytes; split it into smaller records",
            path: path
        )
    }

    /// An argument this module rejects before calling gdbm.
    internal static func invalidArgument(_ reason: String, _ operation: GDBMOperation, path: String) -> GDBMError {
        GDBMError(
            code: .invalidArgument,
            message: "cannot \(operation.phrase(path: path)): \(reason)",
            path: path
        )
    }
}
