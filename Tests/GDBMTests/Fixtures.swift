import Foundation
import TestSupport

/// Byte strings shared by the tests, with Python expressions that build the same bytes.
enum Fixtures {
    /// Every byte value once, in order: `bytes(range(256))` in Python.
    static let allBytes: [UInt8] = Array(0...255)
    static let allBytesPython = "bytes(range(256))"

    /// A deterministic 1 MiB pattern that is not periodic in 256.
    static let megabyte: [UInt8] = pattern(count: 1 << 20, seed: 7)
    static let megabytePython = patternPython(count: 1 << 20, seed: 7)

    /// `count` bytes where byte `i` is `(i * 31 + seed + i / 256) % 256`.
    static func pattern(count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &+ $0 / 256) }
    }

    /// The Python expression for ``pattern(count:seed:)``.
    static func patternPython(count: Int, seed: Int) -> String {
        "bytes((i * 31 + \(seed) + i // 256) % 256 for i in range(\(count)))"
    }

    /// The UTF-8 bytes of `text`.
    static func bytes(_ text: String) -> [UInt8] {
        Array(text.utf8)
    }
}

/// A Python process that keeps a `dbm.gnu` database open, and its lock held, until ``release()``.
///
/// The process opens the file, prints `ready`, and waits for its standard input to close. Creating the
/// holder returns only once the file is open, so tests need no timing.
final class PythonHolder {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private var released = false

    private static let script = """
        import dbm.gnu, sys
        db = dbm.gnu.open(sys.argv[1], sys.argv[2])
        print('ready', len(db.keys()), flush=True)
        sys.stdin.read()
        db.close()
        """

    /// Starts Python and waits until it has opened `path` with `flag` (`"r"`, `"w"`, `"c"`).
    init(path: String, flag: String) throws {
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

    /// Lets Python close the database and exit; throws if it failed.
    func release() throws {
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
