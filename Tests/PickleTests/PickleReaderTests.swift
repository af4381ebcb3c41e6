import Foundation
import TestSupport
import Testing

@testable import Pickle

/// The reader's parsing of every argument format, compared with what CPython's unpickler makes of the
/// same bytes.
@Suite struct PickleReaderTests {
    /// A description of a loaded value that Python and Swift print alike.
    static func describe(_ value: PickleValue) -> String {
        switch value {
        case .bool(let flag): "bool:\(flag ? "True" : "False")"
        case .int(let integer): "int:\(integer)"
        case .bigInt(let integer): "int:\(integer)"
        case .float(let double): "float:" + String(double.bitPattern, radix: 16)
        case .bytes(let bytes): "bytes:" + CPython.hex(bytes)
        case .string(let text): "str:" + text.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: ",")
        case .surrogateString(let text): "str:" + text.codePoints.map { String($0, radix: 16) }.joined(separator: ",")
        case .none: "other:None"
        default: "other:\(value)"
        }
    }

    /// Loads every case with CPython (`encoding='bytes'`) and with the unpickler, and compares.
    static func compareWithCPython(_ cases: [[UInt8]]) throws {
        let script = """
            import pickle, sys, struct
            def d(v):
                if isinstance(v, bool): return 'bool:%s' % v
                if isinstance(v, int): return 'int:%d' % v
                if isinstance(v, float): return 'float:%x' % struct.unpack('>Q', struct.pack('>d', v))[0]
                if isinstance(v, bytes): return 'bytes:' + v.hex()
                if isinstance(v, str): return 'str:' + ','.join('%x' % ord(c) for c in v)
                if v is None: return 'other:None'
                return 'other:' + repr(v)
            for line in sys.stdin.read().split():
                try:
                    print('ok:' + d(pickle.loads(bytes.fromhex(line), encoding='bytes')))
                except Exception as e:
                    print('err:' + type(e).__name__)
            """
        let input = cases.map(CPython.hex).joined(separator: "\n")
        let output = try TestSupportPython.run(script, input: input)
        let expected = output.split(separator: "\n").map(String.init)
        #expect(expected.count == cases.count)
        var options = UnpicklerOptions()
        options.python2Strings = .bytes
        for (bytes, python) in zip(cases, expected) {
            let swift: String
            do {
                swift = "ok:" + describe(try Unpickler.load(bytes, options: options))
            } catch {
                #expect(error.offset != nil, "no offset for \(bytes)")
                swift = "err"
            }
            let pythonOutcome = python.hasPrefix("err:") ? "err" : python
            #expect(swift == pythonOutcome, "\(String(decoding: bytes, as: UTF8.self).debugDescription): \(python)")
        }
    }

    @Test func intLines() throws {
        let lines = [
            "0", "1", "00", "01", "-1", "+0", "-0", " 1", " 01", "\t1", "1 ", "010", "0x10", "0X1f", "0x", "0xg",
            "0b101", "0o17", "1_000", "1__0", "_1", "1_", "0_0", "0x_1f", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "9223372036854775807JUNK",
            "99999999999999999999999999999", "1\u{0}junk", "", " ", "a", "--1", "+-1", "- 1", "1e3", "1.0",
            "0777", "08", "0000", "0009", "2L", String(repeating: "9", count: 50),
        ]
        try Self.compareWithCPython(lines.map { latin1("I" + $0 + "\n.") })
    }

    @Test func longLines() throws {
        let lines = [
            "0", "0L", "123L", "-123L", "010", "010L", "00L", "0x10L", "0b11L", "0o7L", "1_0L", "L", "LL", " 5L",
            "5 L", "18446744073709551616L", "-18446744073709551617L", "1\u{0}2L", "12\u{0}", "abc", "",
            String(repeating: "7", count: 100) + "L", "1 ", "\t-3\t",
        ]
        try Self.compareWithCPython(lines.map { latin1("L" + $0 + "\n.") })
    }

    @Test func floatLines() throws {
        let lines = [
            "0.0", "-0.0", "1.5", "1e5", "1E+05", ".5", "5.", "1e", "e5", ".", "", "inf", "-inf", "INF", "Infinity",
            "-infinity", "infinit", "nan", "-nan", "+nan", "NaN", "nan(1)", "1e500", "-1e500", "1e-500",
            "1.7976931348623157e308", "4.9e-324", "2.5e-324", "1.5\u{0}xx", "00012", " 1", "1 ", "1_0", "0x10",
            "0.1000000000000000055511151231257827021181583404541015625", "123456789012345678901234567890",
            "3.141592653589793", "1e-7", "+1.0", "--1",
        ]
        try Self.compareWithCPython(lines.map { latin1("F" + $0 + "\n.") })
    }

    @Test func quotedStringLines() throws {
        let lines = [
            "''", "\"\"", "'abc'", "\"abc\"", "'\\n'", "\"\\n\"", "'\\x41\\x4a'", "'\\x4'", "'\\x4g'", "'\\777'",
            "'\\400'", "'\\0'", "'\\08'", "'\\12345'", "'a\\\nb'", "'\\a\\b\\f\\v\\t\\n\\r\\'\\\"\\\\'", "'\\q'",
            "'\\u1234'", "'\\'", "'", "\"", "' ", "\" ", "'\"", "\"'", "' ' ", " ''", "", "'\u{ff}\u{80}'",
            "'a'b'", "'\\N{DASH}'",
        ]
        try Self.compareWithCPython(lines.map { latin1("S" + $0 + "\n.") })
    }

    @Test func rawUnicodeLines() throws {
        let lines = [
            "", "abc", "\\u0041", "\\\\u0041", "\\\\\\u0041", "\\u004", "\\U00110000", "\\U0001F600", "\\ud800",
            "a\\", "\\x41", "\\u00e9\\", "\\uD83D\\uDE00", "\u{ff}\u{e9}", "\\u12G4", "\\U0010FFFF", "\\U0010ffff",
            "\\", "\\\\", "\\u", "\\U", "caf\u{e9}\\u20ac",
        ]
        try Self.compareWithCPython(lines.map { latin1("V" + $0 + "\n.") })
    }

    @Test func memoIndexLines() throws {
        let lines = ["0", "00", "010", " 1", "1 ", "+1", "-1", "1_0", "0x1", "a", "", "99999999999999999999"]
        // PUT the index, then GET it back.
        try Self.compareWithCPython(lines.map { latin1("Np" + $0 + "\n0g" + $0 + "\n.") })
    }

    @Test func countedAndFixedArguments() throws {
        let cases: [[UInt8]] = [
            [0x4B, 0xFF, 0x2E], [0x4D, 0xFF, 0xFF, 0x2E], [0x4A, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E],
            [0x4A, 0x00, 0x00, 0x00, 0x80, 0x2E], [0x8A, 0x00, 0x2E], [0x8A, 0x01, 0xFF, 0x2E],
            [0x8A, 0x02, 0x00, 0x80, 0x2E], [0x8A, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x2E],
            [0x8A, 0x09, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x00, 0x2E], [0x8A, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0xFF, 0x2E],
            [0x8B, 0x00, 0x00, 0x00, 0x00, 0x2E], [0x8B, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E],
            [0x8B, 0x03, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x2E],
            [0x47, 0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18, 0x2E],
            [0x43, 0x02, 0x61, 0x62, 0x2E], [0x42, 0x01, 0, 0, 0, 0x61, 0x2E],
            [0x8E, 1, 0, 0, 0, 0, 0, 0, 0, 0x61, 0x2E],
            [0x8E, 1, 0, 0, 0, 0, 0, 0, 0x80, 0x61, 0x2E], [0x8E] + [UInt8](repeating: 0xFF, count: 8) + [0x2E],
            [0x55, 0x02, 0x61, 0xFF, 0x2E], [0x54, 0x01, 0, 0, 0, 0x61, 0x2E], [0x54, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E],
            [0x8C, 0x02, 0xC3, 0xA9, 0x2E], [0x8C, 0x03, 0xED, 0xA0, 0x80, 0x2E], [0x8C, 0x02, 0xC3, 0x28, 0x2E],
            [0x8C, 0x02, 0xC0, 0x80, 0x2E], [0x8C, 0x04, 0xF4, 0x90, 0x80, 0x80, 0x2E],
            [0x8C, 0x06, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80, 0x2E], [0x58, 0x01, 0, 0, 0, 0x80, 0x2E],
            [0x8D, 1, 0, 0, 0, 0, 0, 0, 0, 0x7A, 0x2E], [0x58, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E],
            [0x95, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x4E, 0x2E],
            [0x95, 0x02, 0, 0, 0, 0, 0, 0, 0, 0x4E, 0x2E], [0x95, 0x03, 0, 0, 0, 0, 0, 0, 0, 0x4E, 0x2E],
            [0x80, 0x05, 0x4E, 0x2E], [0x80, 0x06, 0x4E, 0x2E], [0x80, 0xFF, 0x4E, 0x2E],
        ]
        try Self.compareWithCPython(cases)
    }

    @Test func instructionsDecodeWithoutRunning() throws {
        let bytes = latin1("\u{80}\u{02}cos\nsystem\nq\u{00}X\u{02}\u{00}\u{00}\u{00}hiI01\nF1.5\n\u{85}R.")
        var instructions: [PickleReader.Instruction] = []
        try bytes.withUnsafeBytes { buffer in
            var reader = PickleReader(buffer)
            while !reader.isAtEnd { instructions.append(try reader.readInstruction()) }
        }
        #expect(
            instructions.map(\.opcode) == [
                .proto, .global, .binput, .binunicode, .int, .float, .tuple1, .reduce, .stop,
            ])
        #expect(instructions.map(\.offset) == [0, 2, 13, 15, 22, 26, 31, 32, 33])
        guard case .twoLines(let module, let name) = instructions[1].argument,
            case .bytes(let text) = instructions[3].argument,
            case .value(.bool(true)) = instructions[4].argument, case .float(1.5) = instructions[5].argument
        else {
            Issue.record("unexpected arguments \(instructions.map(\.argument))")
            return
        }
        #expect(Array(bytes[module]) == Array("os".utf8) && Array(bytes[name]) == Array("system".utf8))
        #expect(Array(bytes[text]) == Array("hi".utf8))
        #expect(instructions[3].range == 15..<22)
    }

    @Test func instructionErrorsCarryTheOffset() {
        let bytes = latin1("NNI12")
        bytes.withUnsafeBytes { buffer in
            var reader = PickleReader(buffer)
            #expect(throws: PickleError.self) {
                while true { _ = try reader.readInstruction() }
            }
            do throws(PickleError) {
                var again = PickleReader(buffer)
                while true { _ = try again.readInstruction() }
            } catch {
                #expect(error.code == .truncated)
                #expect(error.offset == 2)
                #expect(error.opcode == .int)
            }
        }
    }

    @Test func bigIntegersFromDigitsInEveryRadix() throws {
        let cases = [
            ("ff", 16), ("10000000000000000", 16), ("123456789abcdef0123456789abcdef", 16), ("777", 8),
            ("1" + String(repeating: "0", count: 100), 2), ("12345678901234567890123456789", 10),
        ]
        let output = try CPython.run(
            "print(" + cases.map { "int('\($0.0)', \($0.1))" }.map { "str(\($0))" }.joined(separator: ", ") + ")")
        let expected = output.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        for ((digits, radix), python) in zip(cases, expected) {
            let values = digits.utf8.map { UInt8(PickleReader.digitValue($0) ?? 0) }
            #expect(BigInteger(digits: values, radix: radix, isNegative: false).description == python)
            #expect(BigInteger(digits: values, radix: radix, isNegative: true).description == "-" + python)
        }
    }
}

/// Runs Python with standard input.
enum TestSupportPython {
    static func run(_ source: String, input: String) throws -> String {
        try Python.script(source, input: Data(input.utf8)).text
    }
}
