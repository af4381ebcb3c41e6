import GDBM
import Pickle
import Shelve

/// A failure of a `shelf` command: the message printed on standard error and the exit status.
///
/// Every failure the commands detect becomes one of these; `ShelfMain` prints `shelf: error: <message>` and
/// exits with ``status``.
struct CLIError: Error, CustomStringConvertible {
    /// The exit status for this failure.
    var status: ExitStatus
    /// One sentence saying what failed, naming the file and key when there is one.
    var message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }
}

extension CLIError {
    /// A failure to open `path` as a shelf, from the GDBM layer.
    static func opening(_ path: String, _ error: GDBMError, forWriting: Bool) -> CLIError {
        switch error.code {
        case .fileNotFound:
            return CLIError(.fileNotFound, "cannot open '\(path)': no such file")
        case .notGDBMFile:
            return notAShelf(path)
        case .locked:
            return locked(path, forWriting: forWriting)
        case .permissionDenied:
            return CLIError(.permissionDenied, "cannot open '\(path)': permission denied")
        default:
            return CLIError(.failure, error.message)
        }
    }

    /// A failure to open `path` as a shelf, from the Shelve layer.
    static func opening(_ path: String, _ error: ShelfError, forWriting: Bool) -> CLIError {
        if let underlying = error.underlying as? GDBMError {
            return opening(path, underlying, forWriting: forWriting)
        }
        switch error.code {
        case .fileNotFound: return CLIError(.fileNotFound, "cannot open '\(path)': no such file")
        case .notAShelf: return notAShelf(path)
        case .locked: return locked(path, forWriting: forWriting)
        case .permissionDenied: return CLIError(.permissionDenied, "cannot open '\(path)': permission denied")
        default: return CLIError(.failure, error.message)
        }
    }

    /// Another process holds a lock that conflicts with the one the command needs.
    static func locked(_ path: String, forWriting: Bool) -> CLIError {
        let holder =
            forWriting
            ? "another process has it open (GDBM allows one writer or any number of readers)"
            : "another process has it open for writing (GDBM allows one writer or any number of readers)"
        return CLIError(.locked, "cannot open '\(path)': the shelf is locked: \(holder); try again later")
    }

    /// The file exists but is not a GDBM database.
    static func notAShelf(_ path: String) -> CLIError {
        CLIError(
            .notAShelf,
            "'\(path)' is not a shelf: it is not a GDBM database this machine can read (Python's shelve on "
                + "dbm.sqlite3, dbm.ndbm or dbm.dumb writes other formats)"
        )
    }

    /// The shelf has no record under `key`.
    static func keyNotFound(_ key: [UInt8], path: String) -> CLIError {
        CLIError(.keyNotFound, "'\(path)' has no key \(describe(key: key))")
    }

    /// A record whose value does not unpickle.
    static func undecodable(_ key: [UInt8], path: String, _ error: PickleError) -> CLIError {
        CLIError(.failure, "cannot decode the value of key \(describe(key: key)) in '\(path)': \(error)")
    }

    /// A failure of the GDBM file after it was opened: a read, a write, a sync.
    static func storage(_ what: String, path: String, _ error: GDBMError) -> CLIError {
        switch error.code {
        case .permissionDenied: return CLIError(.permissionDenied, "cannot \(what) '\(path)': permission denied")
        default: return CLIError(.failure, "cannot \(what) '\(path)': \(error.message)")
        }
    }

    /// A key as Python prints it: `'text'` when it is UTF-8, else a bytes literal.
    static func describe(key: [UInt8]) -> String {
        if let text = String(validating: key, as: UTF8.self) { return PickleValue.string(text).description }
        return PickleValue.bytes(key).description
    }
}
