import Pickle
import TestSupport
import Testing

@Suite("Pickler: atoms, numbers, text and bytes, byte-exact with CPython")
struct PicklerScalarTests {
    @Test("None, True and False")
    func constants() throws {
        try expectSameAsCPython([
            PicklerCase("none", .none, "None"),
            PicklerCase("true", true, "True"),
            PicklerCase("false", false, "False"),
            PicklerCase("bools in a list", [true, false, true], "[True, False, True]"),
        ])
    }

    @Test("Integers at every opcode boundary")
    func integerBoundaries() throws {
        let small: [Int] = [
            0, 1, -1, 127, 128, 255, 256, -255, -256, -257, 65535, 65536, -65535, -65536, 1 << 31 - 1, 1 << 31,
            -(1 << 31), -(1 << 31) - 1, 1 << 32, 1 << 47, 1 << 62, Int.max, Int.min, Int.min + 1, -128, -129,
            -32768, -32769, 412_317_970_704,
        ]
        var cases = small.map { PicklerCase("int \($0)", .int($0), String($0)) }
        let big: [String] = [
            "9223372036854775808", "-9223372036854775809", "18446744073709551616", "-18446744073709551616",
            "18446744073709551615", "-18446744073709551615", "340282366920938463463374607431768211456",
        ]
        cases += big.map { PicklerCase("big \($0)", .integer(BigInteger($0)!), $0) }
        // 2**1000 and the LONG1/LONG4 boundary: 8*254 to 8*257 bits, positive and negative, and the
        // values whose top byte is only sign (-(2**(8k-1))).
        let powers: [(String, Int)] = [("2**1000", 1000), ("2**63", 63), ("2**64", 64)]
        for (name, exponent) in powers {
            cases.append(PicklerCase(name, .integer(powerOfTwo(exponent)), name))
            cases.append(PicklerCase("-" + name, .integer(-powerOfTwo(exponent)), "-" + name))
        }
        for bits in [8 * 254 - 1, 8 * 254, 8 * 255 - 1, 8 * 255, 8 * 256, 8 * 257] {
            let value = powerOfTwo(bits)
            cases.append(PicklerCase("2**\(bits)", .integer(value), "2**\(bits)"))
            cases.append(PicklerCase("-2**\(bits)", .integer(-value), "-2**\(bits)"))
            let nearly = BigInteger(isNegative: false, magnitude: ones(bits))
            cases.append(PicklerCase("2**\(bits)-1", .integer(nearly), "2**\(bits)-1"))
            cases.append(PicklerCase("-(2**\(bits)-1)", .integer(-nearly), "-(2**\(bits)-1)"))
        }
        try expectSameAsCPython(cases)
    }

    @Test("A bigInt that fits in Int is written as the small int it is")
    func unnormalizedBigInt() throws {
        for version in 0...5 {
            #expect(
                try Pickler.dumps(.bigInt(BigInteger(300)), protocol: version)
                    == Pickler.dumps(.int(300), protocol: version))
        }
    }

    @Test("Floats, including inf, nan, -0.0 and the repr switch to exponents")
    func floats() throws {
        let values: [(String, Double, String)] = [
            ("0.0", 0.0, "0.0"), ("-0.0", -0.0, "-0.0"), ("0.1", 0.1, "0.1"), ("1e16", 1e16, "1e16"),
            ("1e15", 1e15, "1e15"), ("9.5e15", 9.5e15, "9.5e15"), ("1e-5", 1e-5, "1e-5"), ("1e-4", 1e-4, "1e-4"),
            ("inf", .infinity, "float('inf')"), ("-inf", -.infinity, "float('-inf')"),
            ("max", .greatestFiniteMagnitude, "1.7976931348623157e308"), ("min", .leastNonzeroMagnitude, "5e-324"),
            ("1.5", 1.5, "1.5"), ("-2.5e-7", -2.5e-7, "-2.5e-7"), ("123456789.125", 123456789.125, "123456789.125"),
            ("2**53", 9007199254740992.0, "2.0**53"), ("1/3", 1.0 / 3.0, "1/3"), ("1e22", 1e22, "1e22"),
            ("1e300", 1e300, "1e300"), ("12345678901234567.0", 12345678901234567.0, "12345678901234567.0"),
        ]
        try expectSameAsCPython(values.map { PicklerCase("float \($0.0)", .float($0.1), $0.2) })
        // NaN never compares equal, so CPython's load is checked with isnan.
        try expectSameAsCPython([PicklerCase("nan", .float(.nan), "float('nan')", loadCheck: "math.isnan(x)")])
    }

    @Test("Random floats print as Python's repr at protocol 0")
    func randomFloatReprs() throws {
        var generator = SplitMix64(seed: 42)
        var values: [Double] = []
        for _ in 0..<400 {
            let bits = generator.next()
            let value = Double(bitPattern: bits)
            if value.isFinite { values.append(value) }
            values.append(Double(generator.next() % 1_000_000) / 1000)
            values.append(Double(Int64(bitPattern: generator.next())) * 1e-300)
        }
        let list = PickleValue.list(PickleList(values.map { .float($0) }))
        let python = "[" + values.map { "float.fromhex('\(hexFloat($0))')" }.joined(separator: ", ") + "]"
        try expectSameAsCPython([PicklerCase("random floats", list, python)], protocols: 0...1)
    }

    @Test("Strings: empty, escapes, non-ASCII, astral, lengths around 255/256, 70000 characters")
    func strings() throws {
        let texts: [(String, String, String)] = [
            ("empty", "", "''"),
            ("ascii", "hello", "'hello'"),
            ("escapes", "a\\b\nc\rd\0e\u{1A}f\tg'h\"i", "'a\\\\b\\nc\\rd\\x00e\\x1af\\tg\\'h\"i'"),
            ("latin-1", "café ÿ", "'café ÿ'"),
            ("bmp", "Ελληνικά 中文 \u{FFFD}\u{FFFF}", "'Ελληνικά 中文 \\ufffd\\uffff'"),
            ("astral", "😀 \u{10FFFF} 𝄞", "'😀 \\U0010ffff 𝄞'"),
            ("combining", "e\u{301} é", "'e\\u0301 \\u00e9'"),
            ("255 bytes", String(repeating: "x", count: 255), "'x' * 255"),
            ("256 bytes", String(repeating: "x", count: 256), "'x' * 256"),
            ("255 bytes of é", String(repeating: "é", count: 127) + "x", "'é' * 127 + 'x'"),
            ("256 bytes of é", String(repeating: "é", count: 128), "'é' * 128"),
            ("70000", String(repeating: "abcdefg", count: 10000), "'abcdefg' * 10000"),
            ("70000 astral", String(repeating: "😀", count: 17500), "'😀' * 17500"),
        ]
        try expectSameAsCPython(texts.map { PicklerCase("str \($0.0)", .string($0.1), $0.2) })
    }

    @Test("Strings with lone surrogates are written with surrogatepass")
    func loneSurrogates() throws {
        let cases: [(String, [UInt32], String)] = [
            ("high", [0x61, 0xD800, 0x62], "'a\\ud800b'"),
            ("low", [0xDC80], "'\\udc80'"),
            ("pair-like", [0xD83D, 0xDE00], "'\\ud83d\\ude00'"),
            ("mixed", [0x1F600, 0xDFFF, 0x0A, 0x5C], "'\\U0001f600\\udfff\\n\\\\'"),
        ]
        try expectSameAsCPython(
            cases.map {
                PicklerCase("surrogates \($0.0)", PickleValue.pythonString(codePoints: $0.1)!, $0.2)
            })
    }

    @Test("Equal strings are memoized as one object, by code points")
    func stringMemo() throws {
        // Composed and decomposed é are equal Swift Strings but different Python strs.
        let composed = PickleValue.string("\u{E9}")
        let decomposed = PickleValue.string("e\u{301}")
        try expectSameAsCPython([
            PicklerCase(
                "repeated", ["abc", "abc", "", "", "abc"], "['abc', 'abc', '', '', 'abc']",
                loadCheck: "x == expected and x[0] is x[1]"),
            PicklerCase("canonically equal", [composed, decomposed, composed], "['\\u00e9', 'e\\u0301', '\\u00e9']"),
        ])
    }

    @Test("bytes and bytearray at every protocol, with CPython's reductions below 3 and 5")
    func bytesAndByteArrays() throws {
        let cases: [PicklerCase] = [
            PicklerCase("empty bytes", .bytes([]), "b''"),
            PicklerCase("bytes", .bytes(Array("abc".utf8)), "b'abc'"),
            PicklerCase(
                "high bytes", .bytes([0, 0x7F, 0x80, 0xE9, 0xFF, 0x0A, 0x5C]), "b'\\x00\\x7f\\x80\\xe9\\xff\\n\\\\'"),
            PicklerCase("255 bytes", .bytes([UInt8](repeating: 0xAB, count: 255)), "b'\\xab' * 255"),
            PicklerCase("256 bytes", .bytes([UInt8](repeating: 0xAB, count: 256)), "b'\\xab' * 256"),
            PicklerCase("empty bytearray", .bytearray(PickleByteArray()), "bytearray()"),
            PicklerCase("bytearray", .bytearray(PickleByteArray(Array("xyz".utf8))), "bytearray(b'xyz')"),
            // CPython decodes bytes as latin-1 below protocol 3: 'ab' from b'ab' is a new str, '1' and 'é'
            // are its cached one-character strs, the same objects as the program's '1' and 'é'.
            PicklerCase(
                "mixed",
                [
                    .bytes([0x31]), .bytearray(PickleByteArray([0x31])), .bytes(Array("ab".utf8)), "ab",
                    .bytearray(PickleByteArray(Array("ab".utf8))), .bytes([]), .bytearray(PickleByteArray()),
                    "latin1", "1", .bytes([0x31]), .bytes([0xE9]), .bytes([0xE9, 0xE9]), "é", "", .bytes([]),
                ],
                "[b'1', bytearray(b'1'), b'ab', 'ab', bytearray(b'ab'), b'', bytearray(), 'latin1', '1', b'1', "
                    + "b'\\xe9', b'\\xe9\\xe9', 'é', '', b'']"),
        ]
        try expectSameAsCPython(cases)
    }

    @Test("complex numbers as builtins.complex(real, imag)")
    func complexNumbers() throws {
        try expectSameAsCPython([
            PicklerCase("complex", .complex(real: 1, imaginary: 2), "1+2j"),
            PicklerCase("negative zero", .complex(real: -0.0, imaginary: 0), "complex(-0.0, 0.0)"),
            PicklerCase(
                "shared", [.complex(real: 3, imaginary: -4), .complex(real: 3, imaginary: -4)],
                "[3-4j] * 2"),
        ])
    }
}

fileprivate func powerOfTwo(_ exponent: Int) -> BigInteger {
    var limbs = [UInt64](repeating: 0, count: exponent / 64 + 1)
    limbs[exponent / 64] = 1 << UInt64(exponent % 64)
    return BigInteger(isNegative: false, magnitude: limbs)
}

/// 2**bits - 1.
fileprivate func ones(_ bits: Int) -> [UInt64] {
    var limbs = [UInt64](repeating: .max, count: bits / 64)
    if bits % 64 != 0 { limbs.append((1 << UInt64(bits % 64)) - 1) }
    return limbs
}

/// Python's float.hex form, exact.
fileprivate func hexFloat(_ value: Double) -> String {
    if value == 0 { return value.sign == .minus ? "-0x0p+0" : "0x0p+0" }
    let sign = value.sign == .minus ? "-" : ""
    let magnitude = value.magnitude
    if magnitude.isSubnormal {
        return "\(sign)0x0.\(String(magnitude.significandBitPattern, radix: 16).leftPadded(13))p-1022"
    }
    let exponent = Int(magnitude.exponent)
    let fraction = String(magnitude.significandBitPattern, radix: 16).leftPadded(13)
    return "\(sign)0x1.\(fraction)p\(exponent >= 0 ? "+" : "")\(exponent)"
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}

