import Foundation
import TestSupport
import Testing

/// Failures: a clear message on standard error and the documented exit status.
@Suite("Failures and exit statuses")
struct ErrorTests {
    /// Every command that reads a shelf, with the arguments after the path.
    static let readCommands: [[String]] = [
        ["keys"], ["get", "<path>", "k"], ["dump"], ["dis", "<path>", "k"], ["info"], ["check"],
        ["copy", "<path>", "<dest>"], ["delete", "<path>", "k"],
    ]

    static func arguments(_ command: [String], path: String, destination: String = "/nonexistent/x") -> [String] {
        let filled = command.map { $0 == "<path>" ? path : $0 == "<dest>" ? destination : $0 }
        return filled.count == 1 ? filled + [path] : filled
    }

    @Test("a missing file: status 2", arguments: readCommands)
    func missingFile(command: [String]) throws {
        let scratch = try Scratch()
        let stderr = try ShelfCLI.failure(Self.arguments(command, path: scratch.path), status: 2)
        #expect(stderr == "shelf: error: cannot open '\(scratch.path)': no such file\n")
    }

    @Test("a file that is not a shelf: status 3", arguments: readCommands + [["set", "<path>", "k", "1"]])
    func notAShelf(command: [String]) throws {
        let scratch = try Scratch()
        try Data("SQLite format 3\0 and then some".utf8).write(to: URL(fileURLWithPath: scratch.path))
        let stderr = try ShelfCLI.failure(Self.arguments(command, path: scratch.path), status: 3)
        #expect(stderr.hasPrefix("shelf: error: '\(scratch.path)' is not a shelf: it is not a GDBM database"))
    }

    @Test("a shelf another process is writing: status 4", arguments: readCommands + [["set", "<path>", "k", "1"]])
    func lockedForWriting(command: [String]) throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, "s['k'] = 1")
        let holder = try PythonDBMHolder(path: scratch.path, flag: "w")
        defer { try? holder.release() }
        let stderr = try ShelfCLI.failure(Self.arguments(command, path: scratch.path), status: 4)
        #expect(stderr.hasPrefix("shelf: error: cannot open '\(scratch.path)': the shelf is locked: "))
        try holder.release()
    }

    @Test("writing to a shelf another process is reading: status 4")
    func lockedForReading() throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, "s['k'] = 1")
        let holder = try PythonDBMHolder(path: scratch.path, flag: "r")
        defer { try? holder.release() }
        for command in [["set", scratch.path, "k", "2"], ["delete", scratch.path, "k"]] {
            let stderr = try ShelfCLI.failure(command, status: 4)
            #expect(stderr.contains("another process has it open (GDBM allows one writer or any number of readers)"))
        }
        try holder.release()
        #expect(try ShelfCLI.output(["get", scratch.path, "k"]) == "1\n")
    }

    @Test("a missing key: status 5", arguments: [["get"], ["dis"], ["delete"]])
    func missingKey(command: [String]) throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, "s['k'] = 1")
        let stderr = try ShelfCLI.failure(command + [scratch.path, "nope"], status: 5)
        #expect(stderr == "shelf: error: '\(scratch.path)' has no key 'nope'\n")
    }

    @Test("a value that does not decode: status 1, naming the key")
    func undecodableValue() throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, "s['k'] = 1")
        try Python.script(
            "import dbm.gnu, sys\ndb = dbm.gnu.open(sys.argv[1], 'w')\ndb[b'bad'] = b'\\x80\\x05\\x95'\ndb.close()",
            [scratch.path])
        let stderr = try ShelfCLI.failure(["get", scratch.path, "bad"], status: 1)
        #expect(stderr.hasPrefix("shelf: error: cannot decode the value of key 'bad' in '\(scratch.path)': "))
    }

    @Test("pickle files: a missing file is status 2, a directory status 1")
    func pickleFileErrors() throws {
        let scratch = try Scratch()
        let missing = scratch.directory.path("missing.pickle")
        #expect(
            try ShelfCLI.failure(["load", missing], status: 2)
                == "shelf: error: cannot open '\(missing)': no such file\n")
        try ShelfCLI.failure(["dis", "--file", missing], status: 2)
        try ShelfCLI.failure(["load", scratch.directory.root], status: 1)
    }

    @Test(
        "usage errors: status 64",
        arguments: [
            ["keys"], ["get", "only-path"], ["dis", "path"], ["dis", "--file", "f", "path", "key"], ["nope"],
            ["get", "p", "k", "--format", "xml"], ["copy", "a", "b", "--protocol", "9"], ["dis", "p", "k", "--memo"],
        ])
    func usageErrors(arguments: [String]) throws {
        let result = try ShelfCLI.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.text.isEmpty)
    }

    @Test("--help lists the subcommands, the examples and the exit statuses")
    func help() throws {
        let help = try ShelfCLI.output(["--help"])
        for needle in [
            "SUBCOMMANDS:", "EXAMPLES:", "EXIT STATUS:", "  4   the shelf is locked by another process",
            "sorted by their UTF-8 bytes",
        ] {
            #expect(help.contains(needle), "\(needle)")
        }
        for command in ["keys", "get", "set", "delete", "dump", "copy", "dis", "load", "info", "check"] {
            let sub = try ShelfCLI.output([command, "--help"])
            #expect(sub.contains("EXAMPLES:\n  shelf \(command)"), "\(command)")
        }
    }
}
