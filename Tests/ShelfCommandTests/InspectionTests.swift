import Foundation
import TestSupport
import Testing

/// `info` and `check`.
@Suite("Inspecting shelves")
struct InspectionTests {
    @Test("info: format, library, entry count, size and the protocols of the values")
    func infoDescribesTheShelf() throws {
        let scratch = try Scratch()
        try Python.script(
            """
            import dbm.gnu, pickle, sys
            db = dbm.gnu.open(sys.argv[1], 'n')
            for protocol in range(6):
                db[f'p{protocol}'] = pickle.dumps([1, 2.5, 'x'], protocol)
            db['p4b'] = pickle.dumps(1, 4)
            db['none1'] = pickle.dumps(None, 1)   # no binary opcode: reads as 0
            db['junk'] = b'not a pickle'
            db.close()
            """, [scratch.path])
        let python = try Python.script(
            "import os, sys, dbm.gnu\nprint(os.path.getsize(sys.argv[1]))", [scratch.path]
        ).text
        let output = try ShelfCLI.output(["info", scratch.path])
        let version = try ShelfCLI.run(["info", scratch.path]).text.split(separator: "\n")[2]
        #expect(version.hasPrefix("library: GDBM version "))
        #expect(
            output == """
                path: \(scratch.path)
                format: GDBM standard format, 64-bit offsets
                \(version)
                entries: 9
                size: \(python.dropLast()) bytes
                protocols: 0 (2 entries), 1 (1 entry), 2 (1 entry), 3 (1 entry), 4 (2 entries), 5 (1 entry), \
                unreadable (1 entry)

                """)
    }

    @Test("info on an empty shelf")
    func infoOnEmptyShelf() throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, "pass")
        let output = try ShelfCLI.output(["info", scratch.path])
        #expect(output.contains("\nentries: 0\n"))
        #expect(output.hasSuffix("\nprotocols: none\n"))
    }

    @Test("check: nothing on standard output and status 0 when every value decodes")
    func checkPasses() throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, PythonValues.builtins)
        let count = try PythonShelf.read(scratch.path, "print(len(s), end='')")
        let result = try ShelfCLI.run(["check", scratch.path])
        #expect(result.status == 0)
        #expect(result.text == "")
        #expect(result.stderr == "shelf: checked \(count) values in '\(scratch.path)': all decode\n")
    }

    @Test("check: one key<TAB>error line per value that does not decode, status 1")
    func checkReportsFailures() throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, "s['good'] = [1]\ns['also good'] = 2")
        try Python.script(
            """
            import dbm.gnu, sys
            db = dbm.gnu.open(sys.argv[1], 'w')
            db[b'truncated'] = b'\\x80\\x04K'
            db[b'unknown'] = b'\\xff.'
            db[b'empty'] = b''
            db.close()
            """, [scratch.path])
        let result = try ShelfCLI.run(["check", scratch.path])
        #expect(result.status == 1)
        let lines = result.text.split(separator: "\n")
        #expect(lines.map { $0.split(separator: "\t")[0] } == ["empty", "truncated", "unknown"])
        #expect(lines.allSatisfy { $0.split(separator: "\t").count == 2 })
        #expect(result.stderr == "shelf: error: 3 of 5 values in '\(scratch.path)' do not decode\n")

        let dump = try ShelfCLI.run(["dump", scratch.path])
        #expect(dump.status == 1)
        #expect(dump.text == "also good\t2\ngood\t[1]\n")
        #expect(dump.stderr.hasSuffix("shelf: error: 3 of 5 values of '\(scratch.path)' could not be printed\n"))
    }

    @Test("check and dump draw a progress bar only when asked (stderr is not a terminal here)")
    func progressOnlyWhenAsked() throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, "for i in range(20): s[str(i)] = i")
        for command in ["check", "dump"] {
            let quiet = try ShelfCLI.run([command, scratch.path], environment: ["SHELF_PROGRESS": "auto"])
            #expect(quiet.status == 0)
            #expect(!quiet.stderr.contains("["))
            let shown = try ShelfCLI.run([command, scratch.path], environment: ["SHELF_PROGRESS": "always"])
            #expect(shown.stderr.contains("\r\(command) [####################] 20/20 (100%)"))
            #expect(shown.text == quiet.text, "the bar never touches standard output")
        }
    }
}
