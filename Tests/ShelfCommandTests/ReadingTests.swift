import Foundation
import TestSupport
import Testing

/// `keys`, `get` and `dump` on shelves Python wrote, against Python's own `sorted`, `repr` and `json.dumps`.
@Suite("Reading shelves")
struct ReadingTests {
    @Test("keys: sorted by code point, like Python's sorted()", arguments: [0, 2, 5])
    func keysAreSortedLikePython(protocolVersion: Int) throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, protocol: protocolVersion, PythonValues.builtins)
        let expected = try PythonShelf.read(scratch.path, "for k in sorted(s.keys()): print(k)")
        #expect(try ShelfCLI.output(["keys", scratch.path]) == expected)
    }

    @Test("keys --null: each key ends with a NUL byte, so keys may hold newlines")
    func keysWithNull() throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, "s['a\\nb'] = 1\ns['c'] = 2")
        let result = try ShelfCLI.run(["keys", "--null", scratch.path])
        #expect(result.status == 0)
        #expect(result.stdout == Data("a\nb\0c\0".utf8))
    }

    @Test("dump: key<TAB>repr(value) per line, as Python prints them, at every protocol", arguments: 0...5)
    func dumpMatchesPythonRepr(protocolVersion: Int) throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, protocol: protocolVersion, PythonValues.builtins)
        let expected = try PythonShelf.read(scratch.path, "for k in sorted(s.keys()): print(f'{k}\\t{s[k]!r}')")
        #expect(try ShelfCLI.output(["dump", scratch.path]) == expected)
    }

    @Test("get: repr(value), for each key")
    func getMatchesPythonRepr() throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, protocol: 4, PythonValues.builtins)
        let keys = try ShelfCLI.output(["keys", scratch.path]).split(separator: "\n").map(String.init)
        #expect(keys.count > 30)
        for key in keys {
            let expected = try PythonShelf.read(scratch.path, arguments: [key], "print(repr(s[sys.argv[2]]))")
            #expect(try ShelfCLI.output(["get", scratch.path, key]) == expected, "key \(key)")
        }
    }

    @Test("get and dump --format json: json.dumps(value, allow_nan=False)", arguments: [2, 5])
    func jsonMatchesPython(protocolVersion: Int) throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, protocol: protocolVersion, PythonValues.builtins)
        let keys = PythonValues.jsonKeys
        let expected = try PythonShelf.read(
            scratch.path, arguments: keys,
            "for k in sys.argv[2:]: print(json.dumps(s[k], allow_nan=False))")
        var lines: [String] = []
        for key in keys {
            lines.append(try ShelfCLI.output(["get", scratch.path, key, "--format", "json"]))
        }
        #expect(lines.joined() == expected)

        // dump --format json: the same text after each key, for the shelf holding only those values.
        let jsonOnly = try Scratch()
        try PythonShelf.write(
            jsonOnly.path, protocol: protocolVersion, arguments: keys,
            PythonValues.builtins + "\nfor k in list(s.keys()):\n    if k not in sys.argv[2:]: del s[k]")
        let dumped = try PythonShelf.read(
            jsonOnly.path, "for k in sorted(s.keys()): print(k + '\\t' + json.dumps(s[k], allow_nan=False))")
        #expect(try ShelfCLI.output(["dump", jsonOnly.path, "--format", "json"]) == dumped)
    }

    @Test(
        "get --format json: values without a JSON form fail, naming the type and the place",
        arguments: [
            ("bytes", "type bytes has no JSON form (at value)"),
            ("bytearray", "type bytearray has no JSON form (at value)"),
            ("set", "type set has no JSON form (at value)"),
            ("frozenset", "type frozenset has no JSON form (at value)"),
            ("complex", "type complex has no JSON form (at value)"),
            ("nan", "the float nan has no JSON form"),
            ("infinity", "the float -inf has no JSON form"),
            ("dict", "the dict key 2 is of type int, not str, so the dict has no JSON form (at value)"),
            ("cycle_list", "a cycle has no JSON form (at value[1])"),
            ("cycle_dict", "a cycle has no JSON form (at value['self'])"),
            ("deep", "type bytes has no JSON form (at value['a'][1][0])"),
            ("date", "an instance of datetime.date has no JSON form (at value)"),
        ])
    func jsonRefusesValuesWithoutJSONForm(key: String, message: String) throws {
        let scratch = try Scratch()
        try PythonShelf.write(
            scratch.path,
            PythonValues.builtins + "\ns['deep'] = {'a': [1, [b'x']]}\ns['date'] = datetime.date(2024, 2, 29)")
        let stderr = try ShelfCLI.failure(["get", scratch.path, key, "--format", "json"], status: 1)
        #expect(stderr.contains(message), "\(stderr)")
        #expect(stderr.contains("key '\(key)'"))
    }

    @Test("get: instances of classes print as the expression the pickle evaluates")
    func instancesPrintAsConstruction() throws {
        let scratch = try Scratch()
        try PythonShelf.write(
            scratch.path, protocol: 4,
            """
            s['date'] = datetime.date(2024, 2, 29)
            s['ordered'] = collections.OrderedDict(a=1)
            s['type'] = collections.OrderedDict
            """)
        #expect(try ShelfCLI.output(["get", scratch.path, "date"]) == "datetime.date(b'\\x07\\xe8\\x02\\x1d')\n")
        #expect(
            try ShelfCLI.output(["get", scratch.path, "ordered"])
                == "collections.OrderedDict().update({'a': 1})\n")
        #expect(try ShelfCLI.output(["get", scratch.path, "type"]) == "<global collections.OrderedDict>\n")
    }

    @Test("read commands work while Python has the shelf open for reading")
    func readsShareTheLock() throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, "s['a'] = [1, 2]")
        let holder = try PythonDBMHolder(path: scratch.path, flag: "r")
        defer { try? holder.release() }
        #expect(try ShelfCLI.output(["keys", scratch.path]) == "a\n")
        #expect(try ShelfCLI.output(["get", scratch.path, "a"]) == "[1, 2]\n")
        #expect(try ShelfCLI.output(["dump", scratch.path]) == "a\t[1, 2]\n")
        #expect(try ShelfCLI.output(["info", scratch.path]).contains("entries: 1\n"))
        try ShelfCLI.output(["check", scratch.path])
        try holder.release()
    }
}
