import Foundation
import Testing
import TestSupport

@testable import Pickle

/// The formatting of Python's scalar reprs, compared with CPython 3.11 in bulk.
@Suite("Python repr of str, bytes, float and complex")
struct PythonReprTests {
    @Test("str.isprintable agrees with Python 3.11 for every code point")
    func printableEveryCodePoint() throws {
        let output = try Python.script("""
            import sys
            sys.stdout.buffer.write(bytes(chr(c).isprintable() for c in range(0x110000)))
            """)
        let expected = [UInt8](output.stdout)
        #expect(expected.count == 0x110000)
        var mismatches: [String] = []
        for point in 0..<UInt32(expected.count) where isPythonPrintable(point) != (expected[Int(point)] == 1) {
            mismatches.append(String(point, radix: 16))
        }
        #expect(mismatches.isEmpty, "differs at \(mismatches.prefix(20))")
    }

    @Test("repr of every code point, in runs of 64, matches Python")
    func strEveryCodePoint() throws {
        let runLength: UInt32 = 64
        let output = try Python.script("""
            import sys
            out = []
            for start in range(0, 0x110000, \(runLength)):
                out.append(repr(''.join(map(chr, range(start, start + \(runLength))))))
            sys.stdout.buffer.write('\\n'.join(out).encode('utf-8', 'surrogatepass'))
            """)
        let lines = output.stdout.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        #expect(lines.count == 0x110000 / Int(runLength))
        var failures = 0
        for (index, line) in lines.enumerated() {
            let start = UInt32(index) * runLength
            let points = Array(start..<start + runLength)
            let expected = String(decoding: line, as: UTF8.self)
            let actual = pythonRepr(codePoints: points)
            if actual != expected {
                failures += 1
                if failures < 5 { Issue.record("run at U+\(String(start, radix: 16)): \(actual) != \(expected)") }
            }
            // Runs without surrogates also go through Swift's String.
            if !(0xD800...0xDFFF).contains(start) {
                var scalars = String.UnicodeScalarView()
                for point in points { scalars.append(Unicode.Scalar(point)!) }
                #expect(pythonRepr(String(scalars)) == expected)
            }
        }
        #expect(failures == 0)
    }

    @Test("str quoting and escapes match Python")
    func strQuoting() throws {
        let samples = [
            "", "a", "'", "\"", "'\"", "\"'", "it's", "say \"hi\"", "both ' and \"", "\\", "\\'", "\\\"",
            "\t\n\r", "\0\u{7}\u{1b}\u{7f}", "\u{80}\u{9f}\u{a0}\u{ad}\u{ff}", "é", "e\u{301}", "日本語",
            "\u{2028}\u{2029}\u{200b}\u{feff}\u{3000}", "\u{e000}\u{f8ff}", "\u{10ffff}\u{1f600}\u{e0001}",
            "\u{1f6dc}", "a\r\nb", "''''", "\"\"'", "\r\n'", "\u{85}", "\u{fffe}\u{ffff}",
        ]
        let input = samples.map { Data($0.utf8).base64EncodedString() }.joined(separator: "\n")
        let output = try Python.script("""
            import sys, base64
            for line in sys.stdin.read().split('\\n'):
                print(repr(base64.b64decode(line).decode('utf-8')))
            """, input: Data(input.utf8))
        let expected = output.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(expected.count == samples.count)
        for (sample, line) in zip(samples, expected) {
            #expect(pythonRepr(sample) == line)
        }
    }

    @Test("surrogate strings print their lone surrogates as escapes")
    func surrogates() throws {
        let samples: [[UInt32]] = [
            [0xD800], [0xDFFF], [0x61, 0xD83D], [0xDC00, 0x27], [0xD83D, 0xDE00], [0x27, 0x22, 0xDABC],
        ]
        let script = """
            import sys, json
            for points in json.loads(sys.stdin.read()):
                print(repr(''.join(map(chr, points))))
            """
        let json = "[" + samples.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }
            .joined(separator: ",") + "]"
        let expected = try Python.script(script, input: Data(json.utf8)).text.split(separator: "\n")
        #expect(expected.count == samples.count)
        for (points, line) in zip(samples, expected) {
            #expect(pythonRepr(codePoints: points) == line)
            #expect(PickleValue.surrogateString(SurrogateString(codePoints: points)!).description == line)
        }
    }

    @Test("bytes and bytearray reprs match Python for every byte and the quote cases")
    func bytesReprs() throws {
        var samples: [[UInt8]] = [[], Array(0...255), [0x27], [0x22], [0x27, 0x22], [0x22, 0x27], [0x5C, 0x27],
                                  Array("it's".utf8), Array("say \"x\"".utf8), [0x0D, 0x0A, 0x09, 0x0B, 0x0C]]
        for byte in UInt8.min...UInt8.max { samples.append([byte]) }
        let input = samples.map { $0.map { String(format: "%02x", $0) }.joined() }.joined(separator: "\n")
        let output = try Python.script("""
            import sys
            for line in sys.stdin.read().split('\\n'):
                data = bytes.fromhex(line)
                print(repr(data))
                print(repr(bytearray(data)))
            """, input: Data(input.utf8))
        let lines = output.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == samples.count * 2)
        for (index, sample) in samples.enumerated() {
            #expect(pythonRepr(bytes: sample) == lines[lines.startIndex + 2 * index])
            #expect(PickleValue.bytes(sample).description == lines[lines.startIndex + 2 * index])
            let bytearray = PickleValue.bytearray(PickleByteArray(sample))
            #expect(bytearray.description == lines[lines.startIndex + 2 * index + 1])
        }
    }

    @Test("float repr matches Python for special values, boundaries and random doubles")
    func floats() throws {
        var values: [Double] = [
            0, -0.0, 1, -1, 0.1, 0.5, 100, 1e15, 1e16, 1e17, 9999999999999998, 1e16 - 2, 1.5e16, 0.0001, 0.00001,
            0.00012345, 1.2345e-5, 123456789012345680, 1e22, 1e23, .infinity, -.infinity, .nan, -.nan,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude,
            .ulpOfOne, 1 / 3, 2 / 3, .pi, 2.2250738585072014e-308, 0.3, 1.1, 2.675,
        ]
        for exponent in -330...310 {
            let power = Double("1e\(exponent)")!
            values += [power, power.nextUp, power.nextDown, power * 1.5, power * 9.999999999999]
        }
        for exponent in -1075...1024 { values.append(Double(sign: .plus, exponent: exponent, significand: 1)) }
        var random = SplitMix64(seed: 0x5eed)
        for _ in 0..<20_000 { values.append(Double(bitPattern: random.next())) }
        for _ in 0..<5_000 { values.append(Double(random.next() % 1_000_000) / Double(1 + random.next() % 10_000)) }
        for _ in 0..<5_000 { values.append(Double(Float(bitPattern: UInt32(truncatingIfNeeded: random.next())))) }

        let input = values.map { String($0.bitPattern, radix: 16) }.joined(separator: "\n")
        let output = try Python.script("""
            import sys, struct
            out = []
            for line in sys.stdin.read().split():
                out.append(repr(struct.unpack('<d', int(line, 16).to_bytes(8, 'little'))[0]))
            print('\\n'.join(out))
            """, input: Data(input.utf8))
        let expected = output.text.split(separator: "\n")
        #expect(expected.count == values.count)
        var failures = 0
        for (value, line) in zip(values, expected) where pythonRepr(value) != line {
            failures += 1
            if failures < 10 { Issue.record("\(value.bitPattern): \(pythonRepr(value)) != \(line)") }
        }
        #expect(failures == 0)
    }

    @Test("complex repr matches Python for every pair of special and ordinary parts")
    func complexes() throws {
        var parts: [Double] = [0, -0.0, 1, -1, 2.5, -2.5, 1e16, 1e-5, -1e-5, 1e300, 100, .infinity, -.infinity, .nan,
                               -.nan, .leastNonzeroMagnitude, 0.1]
        var random = SplitMix64(seed: 7)
        for _ in 0..<10 { parts.append(Double(bitPattern: random.next())) }
        var pairs: [(Double, Double)] = []
        for real in parts { for imaginary in parts { pairs.append((real, imaginary)) } }
        let input = pairs.map { "\(String($0.0.bitPattern, radix: 16)) \(String($0.1.bitPattern, radix: 16))" }
            .joined(separator: "\n")
        let output = try Python.script("""
            import sys, struct
            def f(h): return struct.unpack('<d', int(h, 16).to_bytes(8, 'little'))[0]
            for line in sys.stdin.read().split('\\n'):
                re, im = line.split()
                print(repr(complex(f(re), f(im))))
            """, input: Data(input.utf8))
        let expected = output.text.split(separator: "\n")
        #expect(expected.count == pairs.count)
        for ((real, imaginary), line) in zip(pairs, expected) {
            #expect(PickleValue.complex(real: real, imaginary: imaginary).description == line)
        }
    }
}

