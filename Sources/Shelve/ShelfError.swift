import GDBM

/// An error from a ``Shelf`` or ``TypedShelf`` operation.
///
/// Every throwing member of the `Shelve` module throws `ShelfError`. Its ``code`` says what kind of failure it
/// is, its ``message`` says what happened to which key of which file and what to do about it, and
/// ``underlying`` keeps the error of the layer below: a `GDBMError` from the file, a `PickleError` from the
/// codec, or an `EncodingError`/`DecodingError` from a Codable type.
///
/// ```swift
/// do {
///     try shelf.delete("apples")
/// } catch let error as ShelfError where error.code == .keyNotFound {
///     // nothing to delete
/// } catch let error as ShelfError {
///     print(error.message)  // "cannot delete key 'apples' from 'shop.db': the shelf was closed; …"
/// }
/// ```
///
/// A missing key is not an error when reading: ``Shelf/value(forKey:)`` returns `nil`.
///
/// Failures inside a subscript, which cannot throw, are recorded and thrown later by ``Shelf/sync()`` or
/// ``Shelf/close()`` as one error with code ``Code-swift.struct/deferredFailures`` that lists them in
/// ``failures``.
public struct ShelfError: Error, Sendable {
    /// What kind of failure this is.
    public let code: Code

    /// A sentence a person can act on: the operation, the key, the file, the cause and what to do next.
    public let message: String

    /// The path of the shelf's file.
    public let path: String

    /// The key the operation was working on, when it has one that is valid UTF-8.
    public let key: String?

    /// The bytes of the key the operation was working on, when it has one; set even when ``key`` is `nil`
    /// because the bytes are not valid UTF-8.
    public let rawKey: [UInt8]?

    /// The error of the layer below: a `GDBMError`, a `PickleError`, an `EncodingError` or a
    /// `DecodingError`; `nil` for failures this module detects itself.
    public let underlying: (any Error)?

    /// For ``Code-swift.struct/deferredFailures``, the failures it reports, oldest first; empty otherwise.
    public let failures: [ShelfError]

    internal init(
        code: Code, message: String, path: String, rawKey: [UInt8]? = nil, underlying: (any Error)? = nil,
        failures: [ShelfError] = []
    ) {
        self.code = code
        self.message = message
        self.path = path
        self.rawKey = rawKey
        self.key = rawKey.flatMap { bytes in bytes.withUnsafeBytes { String(validUTF8: $0) } }
        self.underlying = underlying
        self.failures = failures
    }
}

// MARK: - Making errors

extension ShelfError {
    /// Any operation on a closed shelf.
    internal static func closed(_ operation: ShelfOperation, path: String) -> ShelfError {
        ShelfError(
            code: .closed,
            message: "cannot \(operation.phrase(path: path)): the shelf was closed; open a new Shelf to use the "
                + "file again",
            path: path, rawKey: operation.rawKey
        )
    }

    /// A change on a shelf opened read-only, refused before calling gdbm.
    internal static func readOnly(_ operation: ShelfOperation, path: String) -> ShelfError {
        ShelfError(
            code: .readOnly,
            message: "cannot \(operation.phrase(path: path)): the shelf is open read-only; open it with "
                + ".readWrite or .create to change it",
            path: path, rawKey: operation.rawKey
        )
    }

    /// A key in the file that is not valid UTF-8.
    internal static func invalidKey(_ rawKey: [UInt8], _ operation: ShelfOperation, path: String) -> ShelfError {
        ShelfError(
            code: .invalidKey,
            message: "cannot \(operation.phrase(path: path)): the file has the key \(describe(rawKey: rawKey)), "
                + "which is not valid UTF-8 and so has no String form; reach it with rawKeys() and "
                + "value(forRawKey:)",
            path: path, rawKey: rawKey
        )
    }

    /// A stored value the codec could not load.
    internal static func decodingFailed(
        _ operation: ShelfOperation, path: String, underlying: any Error, typeName: String? = nil
    ) -> ShelfError {
        let what =
            typeName.map { "the stored value does not decode as \($0)" }
            ?? "the stored value is not a pickle this package can load"
        return ShelfError(
            code: .decodingFailed,
            message: "cannot \(operation.phrase(path: path)): \(what): \(underlying)",
            path: path, rawKey: operation.rawKey, underlying: underlying
        )
    }

    /// A value the codec could not write.
    internal static func encodingFailed(
        _ operation: ShelfOperation, path: String, protocolVersion: Int, underlying: any Error
    ) -> ShelfError {
        ShelfError(
            code: .encodingFailed,
            message: "cannot \(operation.phrase(path: path)): the value cannot be pickled at protocol "
                + "\(protocolVersion), so nothing was stored: \(underlying)",
            path: path, rawKey: operation.rawKey, underlying: underlying
        )
    }

    /// Failures recorded earlier, or several failures of one call, reported together.
    internal static func deferred(_ failures: [ShelfError], path: String) -> ShelfError {
        let count = failures.count == 1 ? "1 operation" : "\(failures.count) operations"
        var message =
            "\(count) on '\(path)' failed without being reported when they happened (subscripts "
            + "cannot throw) or in one call; each is in `failures`:"
        for (index, failure) in failures.enumerated() {
            message += " (\(index + 1)) \(failure.message)"
            if index < failures.count - 1 { message += ";" }
        }
        return ShelfError(code: .deferredFailures, message: message, path: path, failures: failures)
    }

    /// An argument this module rejects.
    internal static func invalidArgument(_ reason: String, _ operation: ShelfOperation, path: String) -> ShelfError {
        ShelfError(
            code: .invalidArgument, message: "cannot \(operation.phrase(path: path)): \(reason)", path: path,
            rawKey: operation.rawKey
        )
    }

    /// A failure reported by the GDBM file, mapped to the shelf's codes.
    internal init(_ error: GDBMError, _ operation: ShelfOperation, path: String) {
        let code: Code
        let advice: String
        switch error.code {
        case .closed:
            self = .closed(operation, path: path)
            return
        case .readOnly:
            self = .readOnly(operation, path: path)
            return
        case .itemNotFound:
            code = .keyNotFound
            advice = "there is no such key"
        case .locked:
            code = .locked
            advice =
                "another process, or another handle in this process, has the file open (GDBM allows one "
                + "writer or any number of readers); close the other handle, open every reader with .readOnly, "
                + "or pass a lockTimeout to wait"
        case .fileNotFound:
            code = .fileNotFound
            advice = "there is no such file; open with .create to make a new shelf"
        case .notGDBMFile:
            code = .notAShelf
            advice =
                "the file is not a GDBM database this machine can read (a Python shelf on dbm.sqlite3, "
                + "dbm.ndbm or dbm.dumb is not; in Python, make a GDBM shelf with "
                + "shelve.Shelf(dbm.gnu.open(path, 'c')))"
        case .permissionDenied:
            code = .permissionDenied
            advice = "the operating system refused access to the file; check its permissions"
        default:
            code = .storage
            advice = error.message
        }
        self.init(
            code: code, message: "cannot \(operation.phrase(path: path)): \(advice)", path: path,
            rawKey: operation.rawKey, underlying: error
        )
    }

    /// A lock conflict, after waiting `waited` for it to go away.
    internal static func locked(_ error: GDBMError, _ operation: ShelfOperation, path: String, waited: Duration)
        -> ShelfError
    {
        let seconds = Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
        let rounded = (seconds * 100).rounded() / 100
        return ShelfError(
            code: .locked,
            message: "cannot \(operation.phrase(path: path)): another process, or another handle in this "
                + "process, still had the file open after waiting \(rounded) s (GDBM allows one writer or any "
                + "number of readers); close the other handle or wait longer",
            path: path, underlying: error
        )
    }

    /// A key's bytes as Python writes them: `'text'` for UTF-8, else a bytes literal like `b'\xff\xfe'`.
    internal static func describe(rawKey: [UInt8]) -> String {
        if let text = rawKey.withUnsafeBytes({ String(validUTF8: $0) }) {
            return "'\(text)'"
        }
        var literal = "b'"
        for byte in rawKey {
            switch byte {
            case UInt8(ascii: "\\"): literal += "\\\\"
            case UInt8(ascii: "'"): literal += "\\'"
            case 0x20..<0x7F: literal.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = String(byte, radix: 16)
                literal += byte < 0x10 ? "\\x0\(digits)" : "\\x\(digits)"
            }
        }
        return literal + "'"
    }
}
