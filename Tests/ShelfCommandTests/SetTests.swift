import Foundation
import TestSupport
import Testing

/// `set` with Python literals and JSON, checked by loading what Swift stored in Python and comparing it with
/// `ast.literal_eval` and `json.loads` of the same text.
@Suite("Storing values")
struct SetTests {
    /// Texts `ast.literal_eval` accepts.
    static let literals: [String] = [
        // int
        "0", "42", "-7", "+7", "1_000_000", "0x_FF", "0XfF", "0o17", "0O17", "0b1010", "0B1", "00", "0_0",
        "123456789012345678901234567890", "-123456789012345678901234567890", "0x" + String(repeating: "f", count: 40),
        "-0x8000000000000000", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        String(repeating: "9", count: 4300),
        // float
        "1.5", "-1.5", ".5", "1.", "1e10", "1E-5", "1_0.0_1e1_0", "1e999", "-1e999", "-0.0", "0.0", "2e-324",
        "1.7976931348623157e308", "09.5", "0e0", "1.e5", "0.1", "123456789.123456789e-3",
        // complex
        "2j", "1.5J", "-1j", "+1j", "0j", "-0j", "1+2j", "1-2j", "-1-2j", "-0.0+1j", "-0.0-1j", "1.5-0j", "(1+2j)",
        "(-1)+2j", "1e3j", "01j", "1 + 2j", "123456789012345678901234567890+1j",
        // str
        "'a'", "\"a\"", #"'it\'s'"#, #""it's""#, "'''tri\nple'''", #""""x""""#, #"r'\d\n'"#, #"R'\'x'"#, "u'é'",
        "U'x'", #"'\n\t\r\a\b\f\v\0\x41\101\777'"#, #"'\u00e9\U0001F600'"#, #"'\N{SNOWMAN}'"#,
        #"'\N{latin small letter a}'"#, #"'\N{CJK UNIFIED IDEOGRAPH-4E00}'"#, #"'\N{HANGUL SYLLABLE GA}'"#,
        #"'\q'"#, #"'\8'"#, "'a\\\nb'", #"'\ud800'"#, #"'\udc00\ud800'"#, "'😀'", "'a' 'b'", #"'a' "b" '''c'''"#,
        #"u'a' r'\b'"#, "''", "'''a\r\nb'''", "r'a\\\nb'", #"'\x00\xff'"#, "\"\"\"'''\"\"\"",
        // bytes
        "b'abc'", #"B'\x00\xff'"#, #"b'\777\400'"#, #"rb'\x'"#, "Rb'a'", "bR'a'", "BR'a'", #"br'\''"#,
        #"b'\u1234'"#, "b'a' rb'b'", "b''", #"b'\N{x}'"#,
        // constants
        "True", "False", "None", "...",
        // containers
        "()", "(1,)", "(1, 2)", "(1, 2,)", "1, 2", "1,", "((1,),)", "[]", "[1]", "[1, 2,]", "[[[]]]", "{}",
        "{1: 2}", "{'a': [1, {'b': (2,)}]}", "{1: 'a', 1.0: 'b', True: 'c'}", "{(1, 2): 3}", "{1, 2, 3}",
        "{1, 1.0, True}", "{'x', b'x', (1,), None, ...}", "set()", "set( )", "{1: 2,}", "{1,}",
        "[1, -2, +3, -4.5, -5j, 1-1j]", #"{'nested': [1, (2, {3: {4}})], 'bytes': b'\x00', 'f': -0.0}"#,
        "{(): (), '': []}",
        // layout
        "[1, # comment\n 2]", "(\n1,\n2\n)", " \t[1]", "\n[1]\n", "[1,\\\n2]", "1 # trailing", "[1,\r\n2]",
        String(repeating: "[", count: 199) + String(repeating: "]", count: 199),
    ]

    /// Texts `ast.literal_eval` refuses.
    static let invalidLiterals: [String] = [
        "", " ", "01", "1_", "1__0", "0x", "0b102", "0o8", "0xFFj", "1e", "1e+", "--1", "-(-1)", "1 + -2j",
        "1+2", "1j+1", "1j+1j", "True+1j", "1+2j+3j", "1 2", "[1 2]", "{1: 2, 3}", "{1, 2: 3}", "(,)", "{,}",
        "[,]", "f'a'", "'a' f'b'", "b'a' 'b'", "'a\nb'", "'unterminated", "'''x''", "b'é'", #"'\x4'"#,
        #"'\u12'"#, #"'\U00110000'"#, #"'\N{NO SUCH NAME}'"#, #"'\N{SNOWMAN'"#, "none", "x", "set(1)", "set([])",
        "frozenset()", "[1][0]", "1 .real", "~1", "not 1", "1 if 1 else 2", "1*2", "2**3", "[*()]", "{**{}}",
        "{[1]: 2}", "{[1]}", "{(1, [2]): 3}", "{{}}", "{set()}", "1\n2", "lambda: 1", "'a' + 'b'", "-'a'",
        "-True", "(1", "[1", "1)", "ur'x'", "bu'x'", String(repeating: "9", count: 4301), "\\",
        String(repeating: "[", count: 201) + String(repeating: "]", count: 201), "1;", "1 = 1", "@", "-[1]",
        "1 +", ",", "1,,", "(1,,)", "print", "1.__class__", "0_", "1._5", "0x_", "{1:}", "{:1}",
    ]

    @Test("set --literal: Python loads what ast.literal_eval makes of the text")
    func literalsMatchLiteralEval() throws {
        let scratch = try Scratch()
        for (index, literal) in Self.literals.enumerated() {
            let protocolVersion = index % 6
            try ShelfCLI.output(["set", scratch.path, "k\(index)", literal, "--protocol", String(protocolVersion)])
        }
        let mismatches = try PythonShelf.read(
            scratch.path, arguments: Self.literals,
            """
            for i, text in enumerate(sys.argv[2:]):
                expected, got = ast.literal_eval(text), s[f'k{i}']
                if repr(expected) != repr(got) or type(expected) != type(got):
                    print(f'{text!r}: expected {expected!r}, got {got!r}')
            print(len(s))
            """)
        #expect(mismatches == "\(Self.literals.count)\n")
    }

    @Test("set --literal refuses what ast.literal_eval refuses, with status 8")
    func invalidLiteralsAreRefused() throws {
        let accepted = try Python.script(
            """
            import ast, sys
            for text in sys.argv[1:]:
                try:
                    ast.literal_eval(text)
                    print(repr(text))
                except Exception:
                    pass
            """, Self.invalidLiterals
        ).text
        #expect(accepted == "", "Python accepts these, so the list is wrong")
        let scratch = try Scratch()
        for literal in Self.invalidLiterals {
            let stderr = try ShelfCLI.failure(["set", scratch.path, "k", literal], status: 8)
            #expect(stderr.contains("VALUE is not a Python literal: "), "\(literal): \(stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path), "nothing is created for a bad value")
    }

    /// Texts `json.loads` accepts.
    static let jsonTexts: [String] = [
        "null", "true", "false", "0", "-0", "-1", "123456789012345678901234567890", "1.5", "-0.0", "1e400",
        "-1E-2", "1E+2", "0.1", #""a""#, #""\u00e9\ud83d\ude00\ud800""#, #""\"\\\/\b\f\n\r\t""#, "\"é😀\"",
        #""\udc00\ud800""#, "[]", "[1, [2, [3]]]", "{}", #"{"a": 1, "a": 2, "b": [true, null]}"#, " \n\t\r[1] ",
        "NaN", "Infinity", "-Infinity", #"{"nested": {"x": [1.0, "y"]}, "": {}}"#, "[1.5e300, -2.5E-300]",
        String(repeating: "[", count: 500) + String(repeating: "]", count: 500),
    ]

    /// Texts `json.loads` refuses.
    static let invalidJSONTexts: [String] = [
        "", " ", "01", "[1,]", #"{"a" 1}"#, "{'a': 1}", #""\x""#, #""a\u00""#, "tru", "[1 2]", "\"a\tb\"", "1.",
        ".5", "-", "+1", "[", #"{"a": 1,}"#, "nan", "1 2", "[1]]", "{1: 2}", "\"unterminated", "--1", "1e", "0x1",
    ]

    @Test("set --json: Python loads what json.loads makes of the text")
    func jsonMatchesJSONLoads() throws {
        let scratch = try Scratch()
        for (index, text) in Self.jsonTexts.enumerated() {
            try ShelfCLI.output(["set", scratch.path, "k\(index)", text, "--json"])
        }
        let mismatches = try PythonShelf.read(
            scratch.path, arguments: Self.jsonTexts,
            """
            for i, text in enumerate(sys.argv[2:]):
                expected, got = json.loads(text), s[f'k{i}']
                if repr(expected) != repr(got) or type(expected) != type(got):
                    print(f'{text!r}: expected {expected!r}, got {got!r}')
            print(len(s))
            """)
        #expect(mismatches == "\(Self.jsonTexts.count)\n")
    }

    @Test("set --json refuses what json.loads refuses, with status 8")
    func invalidJSONIsRefused() throws {
        let accepted = try Python.script(
            """
            import json, sys
            for text in sys.argv[1:]:
                try:
                    json.loads(text)
                    print(repr(text))
                except Exception:
                    pass
            """, Self.invalidJSONTexts
        ).text
        #expect(accepted == "", "Python accepts these, so the list is wrong")
        let scratch = try Scratch()
        for text in Self.invalidJSONTexts {
            let stderr = try ShelfCLI.failure(["set", scratch.path, "k", text, "--json"], status: 8)
            #expect(stderr.contains("VALUE is not valid JSON: "), "\(text): \(stderr)")
        }
    }

    @Test("set --protocol N writes pickles of protocol N, which Python loads", arguments: 0...5)
    func protocolIsHonoured(protocolVersion: Int) throws {
        let scratch = try Scratch()
        try ShelfCLI.output(
            ["set", scratch.path, "k", "{'a': [1, 2.5, b'x', (None,)]}", "--protocol", String(protocolVersion)])
        let python = try PythonShelf.read(
            scratch.path,
            """
            raw = s.dict[b'k']
            ops = [op.name for op, arg, pos in pickletools.genops(raw)]
            print(raw[1] if ops[0] == 'PROTO' else 'no PROTO', s['k'])
            """)
        let proto = protocolVersion >= 2 ? String(protocolVersion) : "no PROTO"
        #expect(python == "\(proto) {'a': [1, 2.5, b'x', (None,)]}\n")
    }

    @Test("set creates the shelf, replaces values, reads VALUE from standard input for -, takes -7 with or without --")
    func setCreatesAndReplaces() throws {
        let scratch = try Scratch()
        try ShelfCLI.output(["set", scratch.path, "a", "1"])
        try ShelfCLI.output(["set", scratch.path, "b", "[1, 2]", "--literal"])
        try ShelfCLI.output(["set", scratch.path, "a", "'replaced'"])
        try ShelfCLI.output(["set", scratch.path, "c", "-", "--json"], input: Data(#"{"from": "stdin"}"#.utf8))
        try ShelfCLI.output(["set", scratch.path, "d", "-"], input: Data("(1, 'literal')\n".utf8))
        try ShelfCLI.output(["set", scratch.path, "e", "-7"])
        try ShelfCLI.output(["set", scratch.path, "f", "--", "-8"])
        try ShelfCLI.output(["set", "--json", scratch.path, "--", "-g", "-9"])
        let python = try PythonShelf.read(scratch.path, "print(sorted(s.items()))")
        #expect(
            python == "[('-g', -9), ('a', 'replaced'), ('b', [1, 2]), ('c', {'from': 'stdin'}), "
                + "('d', (1, 'literal')), ('e', -7), ('f', -8)]\n")
    }

    @Test("set refuses --json with --literal and a protocol outside 0...5")
    func setUsageErrors() throws {
        let scratch = try Scratch()
        try ShelfCLI.failure(["set", scratch.path, "k", "1", "--json", "--literal"], status: 64)
        try ShelfCLI.failure(["set", scratch.path, "k", "1", "--protocol", "6"], status: 64)
        try ShelfCLI.failure(["set", scratch.path, "k", "1", "--protocol", "-1"], status: 64)
    }

    @Test("delete removes the record, and fails with status 5 for a missing key")
    func deleteRemoves() throws {
        let scratch = try Scratch()
        try PythonShelf.write(scratch.path, "s['a'] = 1\ns['b'] = b'not a pickle'")
        try Python.script(
            "import dbm.gnu, sys\ndb = dbm.gnu.open(sys.argv[1], 'w')\ndb[b'bad'] = b'\\xff'\ndb.close()",
            [scratch.path])
        try ShelfCLI.output(["delete", scratch.path, "a"])
        try ShelfCLI.output(["delete", scratch.path, "bad"])  // removed without being read
        let stderr = try ShelfCLI.failure(["delete", scratch.path, "a"], status: 5)
        #expect(stderr == "shelf: error: '\(scratch.path)' has no key 'a'\n")
        #expect(try PythonShelf.read(scratch.path, "print(sorted(s.keys()))") == "['b']\n")
    }
}
