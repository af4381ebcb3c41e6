import Foundation
import TestSupport
import Testing

/// `dis` and `load`, against `pickletools.dis` and `pickle.load` on the same bytes.
@Suite("Disassembling and loading pickles")
struct PickleFileTests {
    /// Python values for the pickle files: one per line, each a Python expression.
    static let expressions = [
        "None", "[1, 2.5, 'x', None, True, 2**100]", "{'a': (1, 2), 'b': {1, 2}, 'c': b'\\x00\\xff'}",
        "'é😀\\ud800'", "[[1, 2]] * 2", "datetime.date(2024, 2, 29)", "list(range(1500))", "-0.0",
        "{'k%d' % i: i for i in range(1200)}",
    ]

    @Test("dis PATH KEY: pickletools.dis of the stored pickle, at every protocol", arguments: 0...5)
    func disOfStoredValue(protocolVersion: Int) throws {
        let scratch = try Scratch()
        var body = "import datetime\n"
        for (index, expression) in Self.expressions.enumerated() { body += "s['v\(index)'] = \(expression)\n" }
        try PythonShelf.write(scratch.path, protocol: protocolVersion, body)
        for index in Self.expressions.indices {
            let expected = try PythonShelf.read(
                scratch.path, arguments: ["v\(index)"],
                "out = io.StringIO()\npickletools.dis(s.dict[sys.argv[2].encode()], out)\nprint(out.getvalue(), end='')"
            )
            #expect(try ShelfCLI.output(["dis", scratch.path, "v\(index)"]) == expected, "v\(index)")
        }
        let indented = try PythonShelf.read(
            scratch.path,
            "out = io.StringIO()\npickletools.dis(s.dict[b'v2'], out, indentlevel=2)\n"
                + "print(out.getvalue(), end='')")
        #expect(try ShelfCLI.output(["dis", scratch.path, "v2", "--indent-level", "2"]) == indented)
    }

    /// Writes a file of several pickles, `pickle.dump` after `pickle.dump` (each its own memo), or with one
    /// `Pickler` (`shared`), whose memo carries over from one pickle to the next.
    static func writeStream(_ path: String, shared: Bool, protocolVersion: Int) throws {
        let dump =
            shared
            ? "p = pickle.Pickler(f, \(protocolVersion))\n    for v in values: p.dump(v)"
            : "for v in values: pickle.dump(v, f, \(protocolVersion))"
        try Python.script(
            """
            import pickle, sys, datetime
            common = ['common']
            values = [\(Self.expressions.joined(separator: ", ")), common, [common, common]]
            with open(sys.argv[1], 'wb') as f:
                \(dump)
            """, [path])
    }

    @Test(
        "dis --file: every pickle in the file, as repeated pickletools.dis calls print them", arguments: [0, 2, 4, 5])
    func disOfFile(protocolVersion: Int) throws {
        let scratch = try Scratch()
        let separate = scratch.directory.path("separate.pickle")
        let shared = scratch.directory.path("shared.pickle")
        try Self.writeStream(separate, shared: false, protocolVersion: protocolVersion)
        try Self.writeStream(shared, shared: true, protocolVersion: protocolVersion)
        let disassemble = """
            import pickletools, sys, io, os
            memo = {} if sys.argv[2] == 'memo' else None
            out = io.StringIO()
            with open(sys.argv[1], 'rb') as f:
                while f.tell() < os.path.getsize(sys.argv[1]):
                    pickletools.dis(f, out, memo)
            print(out.getvalue(), end='')
            """
        let expectedSeparate = try Python.script(disassemble, [separate, "-"]).text
        #expect(try ShelfCLI.output(["dis", "--file", separate]) == expectedSeparate)
        let expectedShared = try Python.script(disassemble, [shared, "memo"]).text
        #expect(try ShelfCLI.output(["dis", "--file", shared, "--memo"]) == expectedShared)
        let fromStandardInput = try ShelfCLI.run(
            ["dis", "--file", "-"], input: try Data(contentsOf: URL(fileURLWithPath: separate)))
        #expect(fromStandardInput.text == expectedSeparate)
    }

    @Test("dis: a pickle that fails a check is listed up to the failure, which goes to standard error")
    func disOfBrokenPickle() throws {
        let scratch = try Scratch()
        let file = scratch.directory.path("broken.pickle")
        // A list, an APPEND with nothing to append, then STOP: pickletools prints two lines, then raises.
        try Data([0x80, 0x02, 0x5D, 0x61, 0x2E]).write(to: URL(fileURLWithPath: file))
        let result = try ShelfCLI.run(["dis", "--file", file])
        #expect(result.status == 1)
        let expected = try Python.script(
            """
            import pickletools, sys, io
            out = io.StringIO()
            try:
                pickletools.dis(open(sys.argv[1], 'rb').read(), out)
            except ValueError:
                pass
            print(out.getvalue(), end='')
            """, [file]
        ).text
        #expect(result.text == expected)
        #expect(result.stderr.hasPrefix("shelf: error: cannot disassemble '\(file)': "))
    }

    @Test("load: every pickle in the file, one repr per line", arguments: [0, 1, 2, 3, 4, 5])
    func loadMatchesPython(protocolVersion: Int) throws {
        let scratch = try Scratch()
        for shared in [false, true] {
            let file = scratch.directory.path("stream-\(shared).pickle")
            try Self.writeStream(file, shared: shared, protocolVersion: protocolVersion)
            let expected = try Python.script(
                """
                import pickle, sys
                with open(sys.argv[1], 'rb') as f:
                    u = pickle.Unpickler(f)
                    while f.peek(1):
                        v = u.load()
                        print(repr(v) if type(v).__module__ == 'builtins' else '-')
                """, [file]
            ).text.split(separator: "\n")
            let got = try ShelfCLI.output(["load", file]).split(separator: "\n")
            #expect(got.count == expected.count)
            for (line, python) in zip(got, expected) where python != "-" {
                #expect(line == python)
            }
        }
    }

    @Test("load --format json: json.dumps of each pickle; the first without a JSON form stops the command")
    func loadAsJSON() throws {
        let scratch = try Scratch()
        let file = scratch.directory.path("values.pickle")
        try Python.script(
            """
            import pickle, sys
            with open(sys.argv[1], 'wb') as f:
                for v in [[1, 'a'], {'b': None}, 2**80, (1.5,), b'bytes', 'never printed']:
                    pickle.dump(v, f)
            """, [file])
        let result = try ShelfCLI.run(["load", file, "--format", "json"])
        #expect(result.status == 1)
        let piped = try ShelfCLI.run(
            ["load", "-", "--format", "json"], input: try Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(piped.status == 1 && piped.text == result.text)
        #expect(piped.stderr.hasPrefix("shelf: error: pickle 5 of standard input has no JSON form"))
        #expect(result.text == "[1, \"a\"]\n{\"b\": null}\n1208925819614629174706176\n[1.5]\n")
        #expect(
            result.stderr
                == "shelf: error: pickle 5 of '\(file)' has no JSON form: type bytes has no JSON form (at value)\n")
    }

    @Test("load: a damaged pickle stops the command after the pickles before it")
    func loadStopsOnDamage() throws {
        let scratch = try Scratch()
        let file = scratch.directory.path("damaged.pickle")
        try Data([0x80, 0x04, 0x4B, 0x01, 0x2E, 0x80, 0x04, 0x4B]).write(to: URL(fileURLWithPath: file))
        let result = try ShelfCLI.run(["load", file])
        #expect(result.status == 1)
        #expect(result.text == "1\n")
        #expect(result.stderr.hasPrefix("shelf: error: cannot load pickle 2 of '\(file)' (at byte 5): "))
        let empty = scratch.directory.path("empty.pickle")
        try Data().write(to: URL(fileURLWithPath: empty))
        #expect(
            try ShelfCLI.failure(["load", empty], status: 1)
                == "shelf: error: '\(empty)' is empty: it holds no pickle\n")
    }
}
