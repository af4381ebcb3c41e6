import Foundation
import TestSupport
import Testing

/// `copy`: every value decoded and encoded again, checked by Python loading both shelves.
@Suite("Copying shelves")
struct CopyTests {
    /// A module with a class, for instances that Python can load from either shelf.
    static let module = """
        class Point:
            def __init__(self, x, y):
                self.x, self.y = x, y

        class Slotted:
            __slots__ = ('a', 'b')
        """

    /// Python code that writes the source shelf, each value at its own protocol, with `dbm.gnu` directly.
    /// `sys.argv[2]` is the directory of `shapes.py`.
    static let source = """
        import dbm.gnu, pickle, sys, datetime, collections, fractions
        sys.path.insert(0, sys.argv[2])
        import shapes
        shared = ['shared']
        cycle = [1]
        cycle.append(cycle)
        selfdict = {}
        selfdict['me'] = selfdict
        point = shapes.Point(1, [2])
        point.me = point
        slotted = shapes.Slotted()
        slotted.a = shared
        values = {
            'scalars': [None, True, False, 0, -1, 2**70, -(2**70), 0.5, -0.0, complex(1, 2), 'é😀\\ud800', b'\\x00'],
            'containers': ((), (1,), [], {}, set(), frozenset({'a', 'b'}), {'x', 'y', 'z'}, bytearray(b'ba')),
            'slotted': slotted,
            'shared': [shared, shared, {'again': shared}, (shared,)],
            'cycle': cycle,
            'selfdict': selfdict,
            'point': point,
            'date': datetime.datetime(2024, 2, 29, 12, 30, 15, 500),
            'ordered': collections.OrderedDict([('b', 1), ('a', [shared])]),
            'fraction': fractions.Fraction(3, 4),
            'deque': collections.deque([1, 2]),
            'type': shapes.Point,
        }
        # Each value at its own protocol; slotted's (2) is the first that can pickle __slots__ without
        # __getstate__.
        db = dbm.gnu.open(sys.argv[1], 'n')
        for index, (key, value) in enumerate(values.items()):
            db[key] = pickle.dumps(value, index % 6)
        db[b'\\xff\\xfe'] = pickle.dumps('a key that is not UTF-8', 2)
        db.close()
        """

    /// Python code that compares two shelves (`sys.argv[1]` and `sys.argv[3]`, module directory `sys.argv[2]`):
    /// prints, for each key, the protocols of the two records and whether the values pickle to the same bytes
    /// (so equal structure, shared references and cycles included).
    static let compare = """
        import dbm.gnu, pickle, pickletools, sys
        sys.path.insert(0, sys.argv[2])
        def protocol(data):
            ops = list(pickletools.genops(data))
            return ops[0][1] if ops[0][0].name == 'PROTO' else max(op.proto for op, _, _ in ops)
        source, copy = dbm.gnu.open(sys.argv[1], 'r'), dbm.gnu.open(sys.argv[3], 'r')
        assert sorted(source.keys()) == sorted(copy.keys()), (source.keys(), copy.keys())
        for key in sorted(source.keys()):
            a, b = pickle.loads(source[key]), pickle.loads(copy[key])
            same = pickle.dumps(a, 4) == pickle.dumps(b, 4)
            print(key, protocol(source[key]), protocol(copy[key]), same)
        """

    struct Setup {
        let scratch: Scratch
        let source: String
        let directory: String

        init() throws {
            scratch = try Scratch()
            directory = scratch.directory.root
            try Data(CopyTests.module.utf8).write(to: URL(fileURLWithPath: scratch.directory.path("shapes.py")))
            source = scratch.directory.path("source.db")
            try Python.script(CopyTests.source, [source, directory])
        }

        /// Lines of `key source-protocol copy-protocol same`.
        func compare(with copy: String) throws -> [String] {
            try Python.script(CopyTests.compare, [source, directory, copy]).text.split(separator: "\n")
                .map(String.init)
        }
    }

    @Test("copy keeps each value's protocol, and Python loads equal values with sharing and cycles intact")
    func copyKeepsProtocols() throws {
        let setup = try Setup()
        let copy = setup.scratch.directory.path("copy.db")
        let result = try ShelfCLI.run(["copy", setup.source, copy])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "stdout and stderr stay clean")
        let lines = try setup.compare(with: copy)
        #expect(lines.count == 13)
        for line in lines {
            let fields = line.split(separator: " ")
            #expect(fields.count == 4 && fields[1] == fields[2] && fields[3] == "True", "\(line)")
        }
    }

    @Test("copy --protocol N writes every value at N", arguments: 0...5)
    func copyConvertsProtocols(protocolVersion: Int) throws {
        let setup = try Setup()
        let copy = setup.scratch.directory.path("copy.db")
        try ShelfCLI.output(["copy", setup.source, copy, "--protocol", String(protocolVersion)])
        let lines = try setup.compare(with: copy)
        #expect(lines.count == 13)
        for line in lines {
            let fields = line.split(separator: " ")
            // A protocol-1 pickle may need no binary opcode, and then reads as protocol 0.
            let written = fields.count == 4 ? Int(fields[2]) : nil
            let expected = protocolVersion == 1 ? [0, 1] : [protocolVersion]
            #expect(written.map(expected.contains) == true && fields[3] == "True", "\(line)")
        }
    }

    @Test("copy refuses an existing destination without --force, and replaces it with --force")
    func copyAndExistingDestination() throws {
        let setup = try Setup()
        let copy = setup.scratch.directory.path("copy.db")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: copy))
        let stderr = try ShelfCLI.failure(["copy", setup.source, copy], status: 7)
        #expect(stderr == "shelf: error: '\(copy)' exists; use --force to replace it\n")
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == "keep me")
        try ShelfCLI.output(["copy", setup.source, copy, "--force"])
        #expect(try setup.compare(with: copy).allSatisfy { $0.hasSuffix(" True") })
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: setup.directory)
            .filter { $0.contains("shelf-copy") }
        #expect(leftovers.isEmpty)
    }

    @Test("copy --force onto the source converts it in place")
    func copyInPlace() throws {
        let setup = try Setup()
        let before = setup.scratch.directory.path("before.db")
        try ShelfCLI.output(["copy", setup.source, before])
        try ShelfCLI.output(["copy", setup.source, setup.source, "--protocol", "5", "--force"])
        let lines = try Python.script(CopyTests.compare, [before, setup.directory, setup.source]).text
            .split(separator: "\n")
        #expect(lines.count == 13)
        #expect(lines.allSatisfy { $0.hasSuffix(" 5 True") }, "\(lines)")
    }

    @Test("copy writes nothing when a value does not decode")
    func copyStopsOnBadValue() throws {
        let setup = try Setup()
        try Python.script(
            "import dbm.gnu, sys\ndb = dbm.gnu.open(sys.argv[1], 'w')\ndb[b'bad'] = b'\\x80\\x04K'\ndb.close()",
            [setup.source])
        let copy = setup.scratch.directory.path("copy.db")
        let stderr = try ShelfCLI.failure(["copy", setup.source, copy], status: 1)
        #expect(stderr.contains("cannot decode the value of key 'bad'"), "\(stderr)")
        #expect(stderr.hasSuffix("nothing was copied\n"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: setup.directory).sorted() == ["shapes.py", "source.db"])
    }

    @Test("copy shows a progress bar on standard error when asked, and nothing otherwise")
    func copyProgress() throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, "for i in range(50): s[str(i)] = i")
        let quiet = try ShelfCLI.run(["copy", scratch.path, scratch.directory.path("quiet.db")])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty)
        let shown = try ShelfCLI.run(
            ["copy", scratch.path, scratch.directory.path("shown.db")], environment: ["SHELF_PROGRESS": "always"])
        #expect(shown.status == 0 && shown.stdout.isEmpty)
        #expect(shown.stderr.contains("\rcopy [##########..........] 25/50 (50%)"))
        #expect(shown.stderr.contains("\rcopy [####################] 50/50 (100%)"))
        #expect(shown.stderr.hasSuffix("\r\u{1B}[2K"), "the bar is erased at the end")
    }
}
