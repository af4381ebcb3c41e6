import Foundation
import Testing

@testable import Pickle

/// Limits, and inputs meant to crash, exhaust or confuse the unpickler: it must answer each with a
/// value or a ``PickleError`` carrying an offset inside the input, never crash.
@Suite struct UnpicklerHostileInputTests {
    /// A small deterministic generator (SplitMix64), so that every run tries the same inputs.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Loads `bytes` as a stream and checks that any error points inside the input.
    static func survive(_ bytes: [UInt8], options: UnpicklerOptions = UnpicklerOptions()) -> PickleError? {
        let unpickler = Unpickler(bytes, options: options)
        do {
            while !unpickler.isAtEnd { _ = try unpickler.load() }
            return nil
        } catch {
            #expect(error.offset.map { (0...bytes.count).contains($0) } == true, "\(error)")
            return error
        }
    }

    static func corpus() throws -> [[UInt8]] {
        let fixtures = UnpicklerGoldenTests.fixtures.appendingPathComponent("golden")
        var pickles: [[UInt8]] = []
        for name in ["rich", "create_data", "bm_dict", "inst_slots", "cycle_instance", "stream", "ordereddict"] {
            for proto in 0...5 {
                let url = fixtures.appendingPathComponent("\(name).p\(proto).pickle")
                if let data = try? Data(contentsOf: url) { pickles.append([UInt8](data)) }
            }
        }
        #expect(pickles.count >= 36)
        return pickles
    }

    @Test func everyTruncationFails() throws {
        for pickle in try Self.corpus() {
            for length in 0..<pickle.count {
                let prefix = Array(pickle[..<length])
                // A prefix may end right after a STOP of a stream: then it loads.
                _ = Self.survive(prefix)
                #expect(loadError(prefix) != nil || length > 0)
            }
        }
    }

    @Test func randomByteFlipsNeverCrash() throws {
        var generator = SeededGenerator(state: 20_261_122)
        var options = UnpicklerOptions()
        options.maxOpcodes = 100_000
        options.persistentLoad = { $0 }
        options.extensionRegistry = [1: PickleGlobal(module: "m", name: "n")]
        options.buffers = [[1, 2, 3]]
        var failures = 0
        var loads = 0
        for pickle in try Self.corpus() {
            for _ in 0..<300 {
                var bytes = pickle
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let index = Int.random(in: 0..<bytes.count, using: &generator)
                    switch Int.random(in: 0..<4, using: &generator) {
                    case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                    case 1: bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &generator)
                    case 2: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                    default: bytes.remove(at: index)
                    }
                    if bytes.isEmpty { bytes = [0x2E] }
                }
                if Self.survive(bytes, options: options) == nil { loads += 1 } else { failures += 1 }
            }
        }
        #expect(failures > 0 && loads > 0)
    }

    @Test func randomOpcodeSoupNeverCrashes() {
        var generator = SeededGenerator(state: 42)
        let opcodes = Opcode.allCases.map(\.rawValue)
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...40, using: &generator) {
                bytes.append(opcodes.randomElement(using: &generator) ?? 0x2E)
                for _ in 0..<Int.random(in: 0...3, using: &generator) {
                    bytes.append([0, 1, 2, 0x0A, 0x30, 0x31, 0xFF, 0x80].randomElement(using: &generator) ?? 0)
                }
            }
            _ = Self.survive(bytes)
        }
    }

    @Test func lengthsBeyondTheDataAllocateNothing() throws {
        // Each claims gigabytes or more in a handful of bytes.
        let claims: [[UInt8]] = [
            [0x42, 0xFF, 0xFF, 0xFF, 0xFF], [0x58, 0xFF, 0xFF, 0xFF, 0xFF], [0x54, 0xFF, 0xFF, 0xFF, 0x7F],
            [0x8E] + [UInt8](repeating: 0xFF, count: 8), [0x8D] + [UInt8](repeating: 0xFF, count: 8),
            [0x96] + [UInt8](repeating: 0x7F, count: 8), [0x95] + [UInt8](repeating: 0xFF, count: 8),
            [0x8B, 0xFF, 0xFF, 0xFF, 0x7F], [0x5D, 0x72, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E],
            [0x5D, 0x70] + Array("9223372036854775807\n.".utf8),
        ]
        for bytes in claims {
            _ = Self.survive(bytes)
        }
        // The memo stays proportional to what is stored, whatever the indices.
        var bytes: [UInt8] = [0x4E]
        for index in stride(from: UInt32.max, to: UInt32.max - 20_000, by: -7) {
            bytes.append(0x72)
            withUnsafeBytes(of: index.littleEndian) { bytes.append(contentsOf: $0) }
        }
        bytes.append(0x2E)
        #expect(try Unpickler.load(bytes) == .none)
    }

    @Test func depthLimit() throws {
        func nested(_ depth: Int) -> [UInt8] {
            [UInt8](repeating: 0x5D, count: depth) + [UInt8](repeating: 0x61, count: depth - 1) + [0x2E]
        }
        #expect(try Unpickler.load(nested(1000)).pythonTypeName == "list")
        let error = loadError(nested(1001))
        #expect(error?.code == .limitExceeded && error?.opcode == .append)
        var options = UnpicklerOptions()
        options.maxDepth = 5000
        #expect(try Unpickler.load(nested(5000), options: options).pythonTypeName == "list")
        // Tuples, dicts, sets and instances count too, and so do MARKs.
        let tuples = [UInt8](repeating: 0x4E, count: 1) + [UInt8](repeating: 0x85, count: 1001) + [0x2E]
        #expect(loadError(tuples)?.code == .limitExceeded)
        let marks = [UInt8](repeating: 0x28, count: 1001) + [0x4E, 0x2E]
        #expect(loadError(marks)?.code == .limitExceeded)
        // dict[None] = dict[None] = ... built bottom-up: 1,001 dicts.
        let nestedDicts =
            Array([[UInt8]](repeating: [0x7D, 0x4E], count: 1000).joined()) + [0x7D]
            + [UInt8](repeating: 0x73, count: 1000) + [0x2E]
        #expect(loadError(nestedDicts)?.code == .limitExceeded)
    }

    @Test func valuesNestedTopDownLoadAndFreeWithoutCrashing() throws {
        // Fills containers after nesting them, through the memo, so depth counting cannot see it:
        // a list 200,000 levels deep. Loading, comparing, hashing and freeing it must not recurse
        // without bound.
        let depth = 200_000
        var bytes: [UInt8] = []
        func index(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(value).littleEndian) { Array($0) } }
        for level in 0..<depth { bytes += [0x5D, 0x72] + index(level) + [0x30] }  // EMPTY_LIST LONG_BINPUT POP
        for level in 0..<depth - 1 {
            bytes += [0x6A] + index(level) + [0x6A] + index(level + 1) + [0x61, 0x30]  // GET GET APPEND POP
        }
        bytes += [0x6A] + index(0) + [0x2E]
        let value = try Unpickler.load(bytes)
        #expect(value == value)
        var hasher = Hasher()
        value.hash(into: &hasher)
        let copy = try Unpickler.load(bytes)
        #expect(value != copy || value == copy)  // bounded: never crashes, whatever it answers
        // Instances and dicts nested the same way.
        var objects: [UInt8] = latin1("\u{80}\u{2}c__main__\nC\nq\u{0}0")
        for level in 1...depth { objects += [0x68, 0x00, 0x29, 0x81, 0x72] + index(level) + [0x30] }
        for level in 1..<depth {
            objects += [0x6A] + index(level) + [0x7D, 0x4B, 0x01, 0x6A] + index(level + 1) + [0x73, 0x62, 0x30]
        }
        objects += [0x6A] + index(1) + [0x2E]
        let instance = try Unpickler.load(objects)
        #expect(instance.pythonTypeName == "C")
    }

    @Test func otherLimits() throws {
        var options = UnpicklerOptions()
        options.maxMemoSize = 3
        #expect(try Unpickler.load(latin1("N\u{94}\u{94}\u{94}."), options: options) == .none)
        let memo = loadError(latin1("N\u{94}\u{94}\u{94}\u{94}."), options: options)
        #expect(memo?.code == .limitExceeded && memo?.offset == 4)
        options = UnpicklerOptions()
        options.maxOpcodes = 3
        #expect(try Unpickler.load(latin1("NN."), options: options) == .none)
        #expect(loadError(latin1("NNN."), options: options)?.code == .limitExceeded)
        options = UnpicklerOptions()
        options.maxInputSize = 4
        #expect(try Unpickler.load(latin1("K\u{1}."), options: options) == 1)
        #expect(loadError(latin1("K\u{1}.NN"), options: options)?.code == .limitExceeded)
        #expect(throws: PickleError.self) { try Unpickler(latin1("K\u{1}.NN"), options: options).load() }
        options = UnpicklerOptions()
        options.maxIntegerDigits = 10
        #expect(try Unpickler.load(latin1("I1234567890\n."), options: options) == 1_234_567_890)
        #expect(loadError(latin1("L12345678901\n."), options: options)?.code == .limitExceeded)
        #expect(
            try Unpickler.load(latin1("L0x" + String(repeating: "f", count: 40) + "\n."), options: options)
                .pythonTypeName == "int")
    }
}
