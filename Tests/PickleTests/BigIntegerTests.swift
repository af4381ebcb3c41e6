import Foundation
import Pickle
import Testing
import TestSupport

/// `BigInteger` conversions that `repr` and the disassembler rely on, against Python's `int`.
@Suite("BigInteger against Python's int")
struct BigIntegerTests {
    @Test("decimal text, two's-complement bytes (as LONG1 writes them) and bit length agree with Python")
    func conversions() throws {
        let output = try Python.script("""
            import pickle, random
            rng = random.Random(99)
            values = [0, 1, -1, 127, 128, -128, -129, 255, 256, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64 - 1,
                      2**64, -2**64, 2**127, -2**128, 10**19, 10**19 - 1, -10**38]
            for bits in range(1, 700, 7):
                values += [rng.getrandbits(bits), -rng.getrandbits(bits), 2**bits, -2**bits, 2**bits - 1, -2**bits + 1]
            for v in values:
                print(v, pickle.encode_long(v).hex() or '-', v.bit_length())
            """)
        let lines = output.text.split(separator: "\n")
        #expect(lines.count > 600)
        for line in lines {
            let fields = line.split(separator: " ").map(String.init)
            let value = try #require(BigInteger(fields[0]))
            #expect(value.description == fields[0])
            #expect(value.bitLength == Int(fields[2]))
            let bytes = fields[1] == "-" ? [] : hexBytes(fields[1])
            #expect(value.twosComplementLittleEndian == bytes, "\(fields[0])")
            #expect(BigInteger(twosComplementLittleEndian: bytes) == value)
            #expect(PickleValue.integer(value).description == fields[0])
        }
    }

    @Test("Double(BigInteger) rounds once, to nearest, as Python's float(int) does")
    func conversionToDouble() throws {
        let output = try Python.script("""
            import random
            rng = random.Random(7)
            # 2**64 + 2**63 + 2049: rounding the low limb first, then the sum, ends one ulp below float().
            values = [0, 1, -1, 2**53 + 1, 2**64 - 1, 2**64 + 2**63 + 2049, -(2**64 + 2**63 + 2049), 2**1023 * 3 // 2]
            for bits in range(60, 1024, 11):
                values += [rng.getrandbits(bits) | 1, -(rng.getrandbits(bits) | 1)]
            for v in values:
                print(v, float(v).hex())
            """)
        let lines = output.text.split(separator: "\n")
        #expect(lines.count > 150)
        for line in lines {
            let fields = line.split(separator: " ").map(String.init)
            let value = try #require(BigInteger(fields[0]))
            let expected = try #require(Double(fields[1]))
            #expect(Double(value) == expected, "\(fields[0])")
        }
        #expect(Double(BigInteger("1" + String(repeating: "0", count: 400))!) == .infinity)
        #expect(Double(BigInteger("-1" + String(repeating: "0", count: 400))!) == -.infinity)
    }

    private func hexBytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map {
            UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
        }
    }
}
