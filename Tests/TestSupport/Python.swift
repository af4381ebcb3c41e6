import Foundation

/// Finds and runs the real CPython interpreters that the interop tests compare against.
///
/// The behavioural specification of this package is CPython itself, so tests run it rather than
/// assert Python's behaviour from memory. `PATH` may start with a pyenv shim whose interpreter
/// has no `dbm.gnu`, so ``gdbm`` looks for an interpreter that can import it, Debian's
/// `/usr/bin/python3` first.
public enum Python {
    /// The result of running an interpreter.
    public struct Output: Sendable {
        /// What the process wrote to standard output.
        public var stdout: Data
        /// What the process wrote to standard error, as text.
        public var stderr: String
        /// The exit status.
        public var status: Int32

        /// Standard output as UTF-8 text.
        public var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// A failure to run Python, or a script that exited non-zero.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong, with the script's standard error.
        public var description: String
    }

    /// A `python3` that can import `dbm.gnu` (install Debian's `python3-gdbm`), or `nil`.
    public static let gdbm: String? = {
        var candidates = ["/usr/bin/python3", "/bin/python3"]
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":") { candidates.append("\(dir)/python3") }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if let out = try? run(candidate, ["-c", "import dbm.gnu, pickle"]), out.status == 0 {
                return candidate
            }
        }
        return nil
    }()

    /// The interpreter the tests use, or a failure that says how to get one.
    public static func requireGDBM() throws -> String {
        guard let python = gdbm else {
            throw Failure(description: """
                no python3 that can import dbm.gnu was found; install it with \
                `apt-get install -y python3-gdbm` (the README's test command does this)
                """)
        }
        return python
    }

    /// The newest pyenv interpreter whose version starts with `prefix` (like `"2.7"`), or `nil`.
    public static func pyenv(_ prefix: String) -> String? {
        let root = ProcessInfo.processInfo.environment["PYENV_ROOT"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".pyenv")
        let versions = (root as NSString).appendingPathComponent("versions")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: versions) else { return nil }
        let matching = names.filter { $0 == prefix || $0.hasPrefix(prefix + ".") }.sorted {
            $0.compare($1, options: .numeric) == .orderedAscending
        }
        for name in matching.reversed() {
            let bin = "\(versions)/\(name)/bin/python"
            if FileManager.default.isExecutableFile(atPath: bin) { return bin }
        }
        return nil
    }

    /// Runs `executable` with `arguments`, feeding `input` to its standard input.
    ///
    /// - Parameters:
    ///   - executable: The program's path.
    ///   - arguments: Its arguments, without its name.
    ///   - input: Bytes for its standard input.
    ///   - environment: Variables to set (or override) in its environment, which is otherwise this
    ///     process's, with `PYTHONHASHSEED=0` and `PYTHONIOENCODING=utf-8`.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], input: Data = Data(), environment extra: [String: String] = [:]
    ) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONHASHSEED"] = "0"
        environment["PYTHONIOENCODING"] = "utf-8"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Drain both pipes concurrently so a chatty child never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = stderr.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        if !input.isEmpty { stdin.fileHandleForWriting.write(input) }
        try? stdin.fileHandleForWriting.close()
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(stdout: outData, stderr: String(decoding: errData, as: UTF8.self),
                      status: process.terminationStatus)
    }

    /// Runs a Python `script` with the `dbm.gnu`-capable interpreter and returns its standard
    /// output, throwing if it exits non-zero.
    ///
    /// - Parameters:
    ///   - script: Python source, run with `-c`.
    ///   - arguments: Available to the script as `sys.argv[1:]`.
    ///   - input: Bytes for the script's standard input.
    ///   - interpreter: Another interpreter to use instead, like one from ``pyenv(_:)``.
    @discardableResult
    public static func script(
        _ script: String, _ arguments: [String] = [], input: Data = Data(), interpreter: String? = nil
    ) throws -> Output {
        let python = try interpreter ?? requireGDBM()
        let out = try run(python, ["-c", script] + arguments, input: input)
        guard out.status == 0 else {
            throw Failure(description: "python exited with \(out.status):\n\(out.stderr)")
        }
        return out
    }
}
