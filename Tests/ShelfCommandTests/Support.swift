import Foundation
import TestSupport
import Testing

/// Runs the built `shelf` executable.
enum ShelfCLI {
    /// Runs `shelf` with `arguments`, feeding `input` to its standard input; returns whatever it did.
    static func run(_ arguments: [String], input: Data = Data(), environment: [String: String] = [:]) throws
        -> Python.Output
    {
        try Python.run(try BuiltExecutable.path("shelf"), arguments, input: input, environment: environment)
    }

    /// Runs `shelf` and returns its standard output, failing the test (with its standard error) unless it
    /// exits with 0.
    @discardableResult
    static func output(_ arguments: [String], input: Data = Data(), sourceLocation: SourceLocation = #_sourceLocation)
        throws -> String
    {
        let result = try run(arguments, input: input)
        #expect(
            result.status == 0, "shelf \(arguments) exited with \(result.status): \(result.stderr)",
            sourceLocation: sourceLocation)
        return result.text
    }

    /// Runs `shelf`, expects it to fail with `status`, and returns its standard error.
    @discardableResult
    static func failure(
        _ arguments: [String], status: Int32, input: Data = Data(), sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let result = try run(arguments, input: input)
        #expect(
            result.status == status,
            "shelf \(arguments) exited with \(result.status), not \(status): \(result.stderr)",
            sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("shelf: error: ") || status == 64, sourceLocation: sourceLocation)
        return result.stderr
    }
}

/// Python snippets that make and read shelves with CPython's own `shelve` on `dbm.gnu`.
enum PythonShelf {
    /// Writes a new shelf at `path` (`sys.argv[1]`) with Python's `shelve`: runs `body`, which fills the shelf
    /// `s`, with `protocol` (Python's default when `nil`). `sys.argv[2:]` are `arguments`.
    static func write(_ path: String, protocol protocolVersion: Int? = nil, arguments: [String] = [], _ body: String)
        throws
    {
        let proto = protocolVersion.map(String.init) ?? "None"
        try Python.script(
            """
            import dbm.gnu, shelve, sys, pickle, datetime, collections
            with shelve.Shelf(dbm.gnu.open(sys.argv[1], 'n'), protocol=\(proto)) as s:
            \(indent(body))
            """, [path] + arguments)
    }

    /// Runs `body` with the shelf at `path` (`sys.argv[1]`) open read-only as `s` in Python's `shelve`, after
    /// checking that `dbm.whichdb` calls it `dbm.gnu`; returns what it prints. `sys.argv[2:]` are `arguments`.
    static func read(_ path: String, arguments: [String] = [], _ body: String) throws -> String {
        try Python.script(
            """
            import dbm, shelve, sys, pickle, pickletools, json, ast, io
            assert dbm.whichdb(sys.argv[1]) == 'dbm.gnu', dbm.whichdb(sys.argv[1])
            with shelve.open(sys.argv[1], 'r') as s:
            \(indent(body))
            """, [path] + arguments
        ).text
    }

    private static func indent(_ body: String) -> String {
        body.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    }
}

/// A fresh directory and a shelf path in it, for one test.
struct Scratch {
    let directory: TemporaryDirectory
    let path: String

    init(_ name: String = "shelf.db") throws {
        directory = try TemporaryDirectory(prefix: "shelf-cli")
        path = directory.path(name)
    }
}
