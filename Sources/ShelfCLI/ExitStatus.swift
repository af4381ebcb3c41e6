/// The exit statuses of the `shelf` command, one per kind of failure a script may want to tell apart.
///
/// The table is printed by `shelf --help` and in docs/CLI.md; the numbers are part of the interface.
package enum ExitStatus: Int32, CaseIterable, Sendable {
    /// The command did what it was asked.
    case success = 0
    /// A failure not listed below: a value that cannot be decoded, printed as JSON or stored; `check` found
    /// values that do not decode; an I/O error.
    case failure = 1
    /// A file named on the command line does not exist.
    case fileNotFound = 2
    /// The file is not a shelf: not a GDBM database this machine can read.
    case notAShelf = 3
    /// Another process has the shelf open in a conflicting way (GDBM allows one writer or any number of readers).
    case locked = 4
    /// The shelf has no such key.
    case keyNotFound = 5
    /// The operating system refused access to a file.
    case permissionDenied = 6
    /// `copy` was asked to write to a file that exists, without `--force`.
    case destinationExists = 7
    /// The VALUE given to `set` is not valid JSON or not a Python literal.
    case invalidValue = 8
    /// The command line itself is wrong: an unknown option, a missing argument (argument-parser's code).
    case usage = 64

    /// One line of the table in `--help`: the number, padded, then what it means.
    var helpLine: String {
        let number = String(rawValue)
        let padded = number + String(repeating: " ", count: max(1, 4 - number.count))
        return padded + meaning
    }

    /// What the status means, for `--help`.
    private var meaning: String {
        switch self {
        case .success: "success"
        case .failure: "other failure (value does not decode, no JSON form, I/O error, bad values)"
        case .fileNotFound: "no such file"
        case .notAShelf: "the file is not a shelf (not a GDBM database)"
        case .locked: "the shelf is locked by another process"
        case .keyNotFound: "no such key"
        case .permissionDenied: "permission denied"
        case .destinationExists: "`copy`: the destination exists (use --force)"
        case .invalidValue: "`set`: VALUE is not valid JSON / not a Python literal"
        case .usage: "usage error (unknown option, missing argument)"
        }
    }
}
