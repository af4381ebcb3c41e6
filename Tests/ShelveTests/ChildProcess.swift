import Foundation
import TestSupport

/// A process the test talks to while it runs: lines from its standard output, its standard input to close,
/// a signal to kill it.
final class ChildProcess {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered: [UInt8] = []
    private var ended = false

    /// Starts `executable` with `arguments`; its standard error is discarded.
    init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// A `ShelfWorker` process (see `Tests/ShelfWorker/main.swift`).
    static func worker(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(try BuiltExecutable.path("ShelfWorker"), arguments)
    }

    /// A Python script run by the interpreter with `dbm.gnu`; `sys.argv[1:]` are `arguments`.
    static func python(_ script: String, _ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(try Python.requireGDBM(), ["-c", script] + arguments)
    }

    /// The next line of standard output, without its newline, or `nil` once the output has ended.
    func readLine() -> String? {
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeSubrange(...newline)
                return line
            }
            if ended {
                guard !buffered.isEmpty else { return nil }
                defer { buffered.removeAll() }
                return String(decoding: buffered, as: UTF8.self)
            }
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { ended = true } else { buffered += data }
        }
    }

    /// Reads lines until one satisfies `predicate`; returns it, or `nil` if the output ended first.
    func readLine(where predicate: (String) -> Bool) -> String? {
        while let line = readLine() {
            if predicate(line) { return line }
        }
        return nil
    }

    /// Every line until the output ends.
    func remainingLines() -> [String] {
        var lines: [String] = []
        while let line = readLine() { lines.append(line) }
        return lines
    }

    /// Closes the process's standard input.
    func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// Sends SIGKILL: the process dies at once, wherever it is, without running any cleanup.
    func kill() {
        _ = Foundation.kill(process.processIdentifier, SIGKILL)
    }

    /// Waits for the process to end and returns its exit status (or the signal that ended it).
    @discardableResult
    func wait() -> Int32 {
        closeInput()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
