import Foundation
import Testing

@testable import Pickle

/// CPython's negative cases (`Lib/test/pickletester.py`) and more: each ends in the expected
/// ``PickleError`` code at the offset of the opcode at fault, and CPython rejects each as well.
@Suite struct UnpicklerErrorTests {
    struct Case: CustomStringConvertible {
        var bytes: [UInt8]
        var code: PickleError.Code
        var offset: Int
        var description: String { String(decoding: bytes, as: UTF8.self).debugDescription }

        init(_ text: String, _ code: PickleError.Code, at offset: Int) {
            bytes = latin1(text)
            self.code = code
            self.offset = offset
        }
    }

    /// Checks each case here, and that CPython's `pickle.loads` fails on each too.
    func check(_ cases: [Case], options: UnpicklerOptions = UnpicklerOptions()) throws {
        for testCase in cases {
            guard let error = loadError(testCase.bytes, options: options) else {
                Issue.record("\(testCase) loaded")
                continue
            }
            #expect(error.code == testCase.code, "\(testCase): \(error)")
            #expect(error.offset == testCase.offset, "\(testCase): \(error)")
            #expect(!error.message.isEmpty)
        }
        let script = """
            import pickle, sys
            for line in sys.stdin.read().split():
                try:
                    pickle.loads(bytes.fromhex(line))
                    print('loaded')
                except Exception:
                    print('failed')
            """
        let output = try TestSupportPython.run(
            script, input: cases.map { CPython.hex($0.bytes) }.joined(separator: "\n"))
        for (testCase, outcome) in zip(cases, output.split(separator: "\n")) {
            #expect(outcome == "failed", "CPython loads \(testCase)")
        }
    }

    @Test func badStack() throws {
        try check([
            Case(".", .stackUnderflow, at: 0), Case("0", .stackUnderflow, at: 0), Case("1", .markNotFound, at: 0),
            Case("2", .stackUnderflow, at: 0), Case("(2", .stackUnderflow, at: 1), Case("R", .stackUnderflow, at: 0),
            Case(")R", .stackUnderflow, at: 1), Case("a", .stackUnderflow, at: 0), Case("Na", .stackUnderflow, at: 1),
            Case("b", .stackUnderflow, at: 0), Case("Nb", .stackUnderflow, at: 1), Case("d", .markNotFound, at: 0),
            Case("e", .markNotFound, at: 0), Case("(e", .stackUnderflow, at: 1),
            Case("ibuiltins\nlist\n", .markNotFound, at: 0), Case("l", .markNotFound, at: 0),
            Case("o", .markNotFound, at: 0), Case("(o", .stackUnderflow, at: 1), Case("p1\n", .stackUnderflow, at: 0),
            Case("q\u{0}", .stackUnderflow, at: 0), Case("r\u{0}\u{0}\u{0}\u{0}", .stackUnderflow, at: 0),
            Case("s", .stackUnderflow, at: 0), Case("Ns", .stackUnderflow, at: 1), Case("NNs", .stackUnderflow, at: 2),
            Case("t", .markNotFound, at: 0), Case("u", .markNotFound, at: 0), Case("(u", .stackUnderflow, at: 1),
            Case("}(Nu", .invalidStack, at: 3), Case("\u{81}", .stackUnderflow, at: 0),
            Case(")\u{81}", .stackUnderflow, at: 1), Case("\u{85}", .stackUnderflow, at: 0),
            Case("\u{86}", .stackUnderflow, at: 0), Case("N\u{86}", .stackUnderflow, at: 1),
            Case("\u{87}", .stackUnderflow, at: 0), Case("N\u{87}", .stackUnderflow, at: 1),
            Case("NN\u{87}", .stackUnderflow, at: 2), Case("\u{90}", .markNotFound, at: 0),
            Case("(\u{90}", .stackUnderflow, at: 1), Case("\u{91}", .markNotFound, at: 0),
            Case("\u{92}", .stackUnderflow, at: 0), Case(")}\u{92}", .stackUnderflow, at: 2),
            Case("\u{93}", .stackUnderflow, at: 0), Case("Vlist\n\u{93}", .stackUnderflow, at: 6),
            Case("\u{94}", .stackUnderflow, at: 0),
        ])
    }

    @Test func markInsideOperands() throws {
        try check([
            Case("N(.", .stackUnderflow, at: 2), Case("N(2", .stackUnderflow, at: 2),
            Case("cbuiltins\nlist\n)(R", .stackUnderflow, at: 17),
            Case("cbuiltins\nlist\n()R", .stackUnderflow, at: 17),
            Case("]N(a", .stackUnderflow, at: 3), Case("cbuiltins\nValueError\n)R}(b", .stackUnderflow, at: 25),
            Case("cbuiltins\nValueError\n)R(}b", .stackUnderflow, at: 25), Case("(Nd", .invalidStack, at: 2),
            Case("N(p1\n", .stackUnderflow, at: 2), Case("N(q\u{0}", .stackUnderflow, at: 2),
            Case("N(r\u{0}\u{0}\u{0}\u{0}", .stackUnderflow, at: 2), Case("}NN(s", .stackUnderflow, at: 4),
            Case("}N(Ns", .stackUnderflow, at: 4), Case("}(NNs", .stackUnderflow, at: 4),
            Case("}((u", .stackUnderflow, at: 3), Case("cbuiltins\nlist\n)(\u{81}", .stackUnderflow, at: 17),
            Case("cbuiltins\nlist\n()\u{81}", .stackUnderflow, at: 17), Case("N(\u{85}", .stackUnderflow, at: 2),
            Case("NN(\u{86}", .stackUnderflow, at: 3), Case("N(N\u{86}", .stackUnderflow, at: 3),
            Case("NNN(\u{87}", .stackUnderflow, at: 4), Case("NN(N\u{87}", .stackUnderflow, at: 4),
            Case("N(NN\u{87}", .stackUnderflow, at: 4), Case("]((\u{90}", .stackUnderflow, at: 3),
            Case("cbuiltins\nlist\n)}(\u{92}", .stackUnderflow, at: 18),
            Case("cbuiltins\nlist\n)(}\u{92}", .stackUnderflow, at: 18),
            Case("cbuiltins\nlist\n()}\u{92}", .stackUnderflow, at: 18),
            Case("Vbuiltins\n(Vlist\n\u{93}", .stackUnderflow, at: 17),
            Case("Vbuiltins\nVlist\n(\u{93}", .stackUnderflow, at: 17), Case("N(\u{94}", .stackUnderflow, at: 2),
        ])
    }

    @Test func truncatedData() throws {
        let cases: [(String, Int)] = [
            ("", 0), ("N", 1), ("B", 0), ("B\u{3}\u{0}\u{0}", 0), ("B\u{3}\u{0}\u{0}\u{0}", 0),
            ("B\u{3}\u{0}\u{0}\u{0}ab", 0), ("C", 0), ("C\u{3}", 0), ("C\u{3}ab", 0), ("F", 0), ("F0.0", 0),
            ("F0.00", 0), ("G", 0), ("G\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}", 0), ("I", 0), ("I0", 0), ("J", 0),
            ("J\u{0}\u{0}\u{0}", 0), ("K", 0), ("L", 0), ("L0", 0), ("L10", 0), ("L0L", 0), ("L10L", 0), ("M", 0),
            ("M\u{0}", 0), ("S", 0), ("S'abc'", 0), ("T", 0), ("T\u{3}\u{0}\u{0}", 0), ("T\u{3}\u{0}\u{0}\u{0}", 0),
            ("T\u{3}\u{0}\u{0}\u{0}ab", 0), ("U", 0), ("U\u{3}", 0), ("U\u{3}ab", 0), ("V", 0), ("Vabc", 0),
            ("X", 0), ("X\u{3}\u{0}\u{0}", 0), ("X\u{3}\u{0}\u{0}\u{0}", 0), ("X\u{3}\u{0}\u{0}\u{0}ab", 0),
            ("(c", 1), ("(cbuiltins", 1), ("(cbuiltins\n", 1), ("(cbuiltins\nlist", 1), ("Ng", 1), ("Ng0", 1),
            ("(i", 1), ("(ibuiltins", 1), ("(ibuiltins\n", 1), ("(ibuiltins\nlist", 1), ("Nh", 1), ("Nj", 1),
            ("Nj\u{0}\u{0}\u{0}", 1), ("Np", 1), ("Np0", 1), ("Nq", 1), ("Nr", 1), ("Nr\u{0}\u{0}\u{0}", 1),
            ("\u{80}", 0), ("\u{82}", 0), ("\u{83}", 0), ("\u{84}\u{1}", 0), ("\u{84}", 0),
            ("\u{84}\u{1}\u{0}\u{0}", 0), ("\u{8a}", 0), ("\u{8b}", 0), ("\u{8b}\u{0}\u{0}\u{0}", 0), ("\u{8c}", 0),
            ("\u{8c}\u{3}", 0), ("\u{8c}\u{3}ab", 0), ("\u{8d}", 0), ("\u{8d}\u{3}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}", 0),
            ("\u{8d}\u{3}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}", 0),
            ("\u{8d}\u{3}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}ab", 0),
            ("\u{8e}", 0), ("\u{8e}\u{3}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}", 0),
            ("\u{8e}\u{3}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}", 0),
            ("\u{8e}\u{3}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}ab", 0),
            ("\u{96}", 0), ("\u{96}\u{3}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}", 0),
            ("\u{96}\u{3}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}", 0),
            ("\u{96}\u{3}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}ab", 0),
            ("\u{95}", 0), ("\u{95}\u{2}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}", 0),
            ("\u{95}\u{2}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}", 0),
            ("\u{95}\u{2}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}N", 0),
            // Lengths far beyond the data, including ones that do not fit in Int.
            ("B\u{ff}\u{ff}\u{ff}\u{ff}abc", 0), ("X\u{ff}\u{ff}\u{ff}\u{7f}abc", 0),
            ("\u{8e}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}abc", 0),
            ("\u{8d}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{80}abc", 0),
            ("\u{96}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{7f}abc", 0),
            ("\u{95}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}N.", 0), ("\u{8b}\u{ff}\u{ff}\u{ff}\u{7f}\u{1}", 0),
            ("T\u{ff}\u{ff}\u{ff}\u{ff}abc", 0), ("N\u{95}\u{3}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}N.", 1),
        ]
        try check(cases.map { Case($0.0, .truncated, at: $0.1) })
    }

    @Test func badlyQuotedAndEscapedStrings() throws {
        let quoted = [
            "S'\n.", "S\"\n.", "S' \n.", "S\" \n.", "S'\"\n.", "S\"'\n.", "S' ' \n.", "S\" \" \n.", "S ''\n.",
            "S \"\"\n.", "S \n.", "S\n.",
        ]
        try check(
            quoted.map { Case($0, .invalidString, at: 0) } + [
                Case("S.", .truncated, at: 0), Case("S'\\'\n.", .invalidString, at: 0),
                Case("S'\\x4'\n.", .invalidString, at: 0), Case("V\\u12\n.", .invalidString, at: 0),
                Case("V\\U00110000\n.", .invalidString, at: 0),
            ])
        for (text, expected) in [("S''\n.", ""), ("S\"\"\n.", ""), ("S\"\\n\"\n.", "\n"), ("S'\\n'\n.", "\n")] {
            #expect(try Unpickler.load(latin1(text)) == .string(expected))
        }
    }

    @Test func badGlobals() throws {
        try check([
            Case("c\u{ff}\nlog\n.", .invalidString, at: 0), Case("cmath\n\u{ff}\n.", .invalidString, at: 0),
            Case("c\nlog\n.", .truncated, at: 0), Case("cmath\n\n.", .truncated, at: 0),
            Case("\u{80}\u{4}cmath\n\n.", .truncated, at: 2),
            Case("\u{8c}\u{1}\u{ff}\u{8c}\u{3}log\u{93}.", .invalidString, at: 0),
            Case("\u{8c}\u{4}math\u{8c}\u{1}\u{ff}\u{93}.", .invalidString, at: 6),
            Case("\u{8c}\u{0}\u{8c}\u{3}log\u{93}.", .invalidArgument, at: 7),
            Case("\u{8c}\u{4}math\u{8c}\u{0}\u{93}.", .invalidArgument, at: 8),
            Case("\u{80}\u{4}\u{8c}\u{4}math\u{8c}\u{0}\u{93}.", .invalidArgument, at: 10),
            Case("N\u{8c}\u{3}log\u{93}.", .invalidStack, at: 6), Case("\u{8c}\u{4}mathN\u{93}.", .invalidStack, at: 7),
            Case("\u{80}\u{4}\u{8c}\u{4}mathN\u{93}.", .invalidStack, at: 9),
            Case("(i\u{e9}\nx\n.", .invalidString, at: 1),
        ])
        // The good ones from CPython's test_load_global stay inert globals.
        #expect(
            try Unpickler.load(latin1("cbuiltins\nstr\n.")) == .global(PickleGlobal(module: "builtins", name: "str")))
        #expect(
            try Unpickler.load(latin1("\u{80}\u{4}cbuiltins\nstr.upper\n."))
                == .global(PickleGlobal(module: "builtins", name: "str.upper")))
        #expect(
            try Unpickler.load(latin1("\u{80}\u{4}cm\u{c3}\u{b6}dule\ngl\u{c3}\u{b6}bal\n."))
                == .global(PickleGlobal(module: "m\u{f6}dule", name: "gl\u{f6}bal")))
        #expect(
            try Unpickler.load(latin1("\u{8c}\u{7}os.path\u{8c}\u{4}join\u{93}."))
                == .global(PickleGlobal(module: "os.path", name: "join")))
    }

    @Test func badCallsAndState() throws {
        try check([
            Case("N)R.", .invalidStack, at: 2), Case("cbuiltins\nint\nNR.", .invalidStack, at: 15),
            Case("cbuiltins\nlen\n)\u{81}.", .invalidStack, at: 15),
            Case("cbuiltins\nint\nN\u{81}.", .invalidStack, at: 15),
            Case("cbuiltins\nlen\n)}\u{92}.", .invalidStack, at: 16),
            Case("cbuiltins\nint\nN}\u{92}.", .invalidStack, at: 16),
            Case("cbuiltins\nint\n)N\u{92}.", .invalidStack, at: 16), Case("(N)o.", .invalidStack, at: 3),
            Case("]}b.", .invalidStack, at: 2), Case("]NN\u{86}b.", .invalidStack, at: 4),
            Case("N\u{98}.", .invalidStack, at: 1), Case("}]]s.", .invalidStack, at: 3),
            Case("}(]I1\nu.", .invalidStack, at: 6), Case("\u{8f}(]\u{90}.", .invalidStack, at: 3),
            Case("(]\u{91}.", .invalidStack, at: 2), Case("(]]d.", .invalidStack, at: 3),
            Case("]I5\nI5\ns.", .invalidStack, at: 7), Case("}(I1\nI2\nI3\nu.", .invalidStack, at: 11),
            Case("NN]a.", .invalidStack, at: 3), Case("}(Ne.", .invalidStack, at: 3),
            Case("](N\u{90}.", .invalidStack, at: 3), Case("cbuiltins\nset\n(]]t\u{85}R.", .invalidStack, at: 19),
        ])
        // Python accepts these: BUILD of nothing on non-instances, and list item assignment.
        #expect(try Unpickler.load(latin1("]Nb.")) == .list([]))
        #expect(try Unpickler.load(latin1("]N}\u{86}b.")) == .list([]))
        #expect(
            try Unpickler.load(latin1("cbuiltins\nint\n}b.")) == .global(PickleGlobal(module: "builtins", name: "int")))
        #expect(try Unpickler.load(latin1("]I7\na(I0\nI5\nu.")) == .list([5]))
        // CPython ignores a MARK left under the value at STOP.
        #expect(try Unpickler.load(latin1("(N.")) == .none)
    }

    @Test func memoErrors() throws {
        try check([
            Case("Va\np-1\n.", .memoKeyNotFound, at: 3), Case("g0\np0", .memoKeyNotFound, at: 0),
            Case("jens:", .memoKeyNotFound, at: 0), Case("hens:", .memoKeyNotFound, at: 0),
            Case("Np99999999999999999999\n.", .invalidArgument, at: 1), Case("Npx\n.", .invalidArgument, at: 1),
            Case("N\u{94}h\u{1}.", .memoKeyNotFound, at: 2), Case("g-1\n.", .memoKeyNotFound, at: 0),
        ])
    }

    @Test func extensionCodes() throws {
        try check([
            Case("\u{82}\u{1}.", .extensionNotRegistered, at: 0), Case("\u{82}\u{ff}.", .extensionNotRegistered, at: 0),
            Case("\u{83}\u{1}\u{0}.", .extensionNotRegistered, at: 0),
            Case("\u{83}\u{ff}\u{ff}.", .extensionNotRegistered, at: 0),
            Case("\u{84}\u{1}\u{0}\u{0}\u{0}.", .extensionNotRegistered, at: 0),
            Case("\u{84}\u{ff}\u{ff}\u{ff}\u{7f}.", .extensionNotRegistered, at: 0),
            Case("\u{82}\u{0}.", .extensionNotRegistered, at: 0),
            Case("\u{83}\u{0}\u{0}.", .extensionNotRegistered, at: 0),
            Case("\u{84}\u{0}\u{0}\u{0}\u{0}.", .extensionNotRegistered, at: 0),
            Case("\u{84}\u{0}\u{0}\u{0}\u{80}.", .extensionNotRegistered, at: 0),
            Case("\u{84}\u{ff}\u{ff}\u{ff}\u{ff}.", .extensionNotRegistered, at: 0),
        ])
    }

    @Test func otherFailures() throws {
        try check([
            Case("I9223372036854775807JUNK\n.", .invalidArgument, at: 0), Case("\u{ff}", .unknownOpcode, at: 0),
            Case("N\u{0}", .unknownOpcode, at: 1), Case("\u{80}\u{6}N.", .unsupportedProtocol, at: 0),
            Case("Pabc\n.", .persistentIDUnsupported, at: 0), Case("NQ.", .persistentIDUnsupported, at: 1),
            Case("\u{80}\u{5}\u{97}.", .missingBuffer, at: 2),
            Case("\u{8b}\u{ff}\u{ff}\u{ff}\u{ff}.", .invalidArgument, at: 0),
            Case("F1e500\n.", .invalidArgument, at: 0),
            Case("I" + String(repeating: "1", count: 4301) + "\n.", .limitExceeded, at: 0),
            Case("L" + String(repeating: "1", count: 5000) + "L\n.", .limitExceeded, at: 0),
            Case("X\u{2}\u{0}\u{0}\u{0}\u{c3}\u{28}.", .invalidString, at: 0),
            Case("\u{8c}\u{3}\u{ed}\u{a0}\u{28}.", .invalidString, at: 0), Case("U\u{1}\u{e9}.", .invalidString, at: 0),
        ])
        #expect(try Unpickler.load(latin1("I9223372036854775807\n.")) == .int(Int.max))
        #expect(try Unpickler.load(latin1("I" + String(repeating: "1", count: 4300) + "\n.")).pythonTypeName == "int")
    }

    @Test func unknownOpcodeMessagesMatchCPython() {
        #expect(loadError(latin1("\u{ff}"))?.message == "invalid load key, '\\xff'")
        #expect(loadError(latin1("N}z"))?.message == "invalid load key, 'z'")
        #expect(loadError(latin1("'"))?.message == "invalid load key, '\\x27'")
        #expect(loadError([])?.code == .truncated)
    }
}
