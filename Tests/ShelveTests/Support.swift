import Foundation
import Shelve
import TestSupport

/// Python snippets shared by the shelf tests.
enum PythonShelf {
    /// Writes a shelf with Python's `shelve` on `dbm.gnu` (flag `'n'`): runs `body`, Python code that fills
    /// the shelf `s`, then closes it. `sys.argv[1]` is the path.
    static func write(_ path: String, protocol protocolVersion: Int? = nil, _ body: String) throws {
        let indented = body.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "    " + $0 }.joined(separator: "\n")
        let proto = protocolVersion.map(String.init) ?? "None"
        try Python.script(
            """
            import dbm.gnu, shelve, sys
            with shelve.Shelf(dbm.gnu.open(sys.argv[1], 'n'), protocol=\(proto)) as s:
            \(indented)
            """, [path])
    }

    /// Runs `body` with Python's plain `shelve.open(path)` as `s` (read-only), after checking that
    /// `dbm.whichdb` calls the file `dbm.gnu`; returns what it prints.
    static func read(_ path: String, _ body: String, arguments: [String] = []) throws -> String {
        let indented = body.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "    " + $0 }.joined(separator: "\n")
        return try Python.script(
            """
            import dbm, shelve, sys
            assert dbm.whichdb(sys.argv[1]) == 'dbm.gnu', dbm.whichdb(sys.argv[1])
            with shelve.open(sys.argv[1], 'r') as s:
            \(indented)
            """, [path] + arguments
        ).text
    }
}

/// A fresh directory and a shelf path in it, for one test.
struct Scratch {
    let directory: TemporaryDirectory
    let path: String

    init(_ name: String = "shelf.db") throws {
        directory = try TemporaryDirectory(prefix: "shelve")
        path = directory.path(name)
    }
}
