import Foundation
import TestSupport
import Testing

/// A failure to find or run an example.
struct ExampleFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs the example executables, built by `swift build` (and `swift test`) next to the test bundle.
@Suite("Examples")
struct ExampleTests {
    let scratch: Scratch

    init() throws {
        scratch = try Scratch()
    }

    /// The built executable of an example target.
    static func executable(_ name: String) throws -> String {
        try BuiltExecutable.path(name)
    }

    static func run(_ name: String, _ arguments: [String]) throws -> Python.Output {
        let output = try Python.run(try executable(name), arguments)
        guard output.status == 0 else {
            throw ExampleFailure(
                description: "\(name) exited with \(output.status):\n\(output.text)\(output.stderr)"
            )
        }
        return output
    }

    @Test func quickstartStoresAndReadsBackBooks() throws {
        let path = scratch.directory.path("books.db")
        let output = try Self.run("Quickstart", [path])
        #expect(
            output.text == """
                3 books in \(path):
                  dune: Dune by Frank Herbert, 1965 ["sf", "desert"]
                  emma: Emma by Jane Austen, 1815 ["classic"]
                  neuromancer: Neuromancer by William Gibson, 1984 ["sf", "cyberpunk"]
                as a Python object: dict

                """)
        let python = try PythonShelf.read(path, "print(s['emma'])")
        #expect(python == "{'title': 'Emma', 'author': 'Jane Austen', 'year': 1815, 'tags': ['classic']}\n")
    }

    @Test func writebackPersistsChangesToCachedObjects() throws {
        let path = scratch.directory.path("writeback.db")
        let output = try Self.run("Writeback", [path])
        #expect(
            output.text == """
                without writeback: ["apples"]
                same object on each read: true
                cached after sync: reloaded
                basket on disk: ["apples", "pears", "figs"]
                prices on disk: ["apples", "pears", "figs"]

                """)
        let python = try PythonShelf.read(path, "print(s['basket'], s['prices'])")
        #expect(python == "['apples', 'pears', 'figs'] {'apples': 0.5, 'pears': 0.7, 'figs': 1.2}\n")
    }

    @Test func pythonInteropGoesBothWays() throws {
        let output = try Self.run("PythonInterop", [scratch.directory.root])
        #expect(
            output.text == """
                Swift wrote, Python read:
                python sees a dbm.gnu file
                  apple = {'price': 0.5, 'tags': ['red', 'round'], 'again': ['red', 'round']}
                  blob = b'\\x00\\x01\\x02\\xff'
                  count = 3
                  shared list kept: True
                Python wrote, Swift read:
                  greeting = "hello from Python"
                  numbers = [1, 2, 3, 1180591620717411303424]
                  point = {"x": 1.5, "y": -2.0}

                """)
    }
}
