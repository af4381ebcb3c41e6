import Foundation

/// A Python process that keeps a `dbm.gnu` database open, and so its lock held, until ``release()``.
///
/// The process opens the file, prints a line, and waits for its standard input to close. The initializer
/// returns only once the file is open, so tests that use it need no timing.
///
/// ```swift
/// let holder = try PythonDBMHolder(path: path, flag: "w")
/// // … the file is locked for writing by another process …
/// try holder.release()
/// ```
public final class PythonDBMHolder {
    /// A failure to start Python, to open the file, or a non-zero exit.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong, with Python's standard error.
        public var description: String
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private var released = false

    private static let script = """
        import dbm.gnu, sys
        db = dbm.gnu.open(sys.argv[1], sys.argv[2])
        print('ready', flush=True)
        sys.stdin.read()
        db.close()
        """

    /// Starts Python and waits until it has opened `path` with `flag` (`"r"`, `"w"`, `"c"` or `"n"`).
    public init(path: String, flag: String) throws {
        process.executableURL = URL(fileURLWithPath: try Python.requireGDBM())
        process.arguments = ["-c", Self.script, path, flag]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                released = true
                process.waitUntilExit()
                let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw Failure(description: "python could not open \(path) with '\(flag)':\n\(stderr)")
            }
            line.append(chunk)
        }
    }

    /// Lets Python close the database and exit, and waits for it; throws if it failed.
    public func release() throws {
        guard !released else { return }
        released = true
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw Failure(description: "python exited with \(process.terminationStatus):\n\(stderr)")
        }
    }

    deinit {
        try? release()
    }
}
