import Foundation
import Testing
import TestSupport
@testable import Pickle

/// Attacks: small pickles that claim or build something enormous, nest deeply, or name dangerous
/// globals. Each loads or fails with a typed error, and everything done with what loads (compare, hash,
/// print, dump, Codable) stays bounded.
///
/// Memory bounds are stated per test and checked with the process's peak resident size. Other tests
/// running at the same time raise it too, so on Linux the peak is reset before each measurement
/// (`/proc/self/clear_refs`) and a bound that is exceeded is measured again, up to three times, before it
/// counts: an attack that really takes too much memory exceeds it every time, while another suite's
/// allocation rarely overlaps three runs. The bounds are generous, yet far below what the attacks would
/// take unbounded (gigabytes or more). The suite's tests run one at a time, so that no attack's memory
/// counts against another's bound.
@Suite(.serialized) struct HostileInputTests {
    // MARK: - Helpers

    /// The peak resident size of the process since the last ``resetPeak()`` (or since it started), in bytes.
    static func peakResidentBytes() -> Int {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Int(line.dropFirst("VmHWM:".count).split(separator: " ").first ?? "")
        {
            return kilobytes * 1024
        }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024  // kilobytes on Linux
    }

    /// Sets the peak resident size back to the current size, where the system allows it (Linux); returns
    /// whether it did.
    static func resetPeak() -> Bool {
        guard let file = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? file.close() }
        return (try? file.write(contentsOf: Data("5".utf8))) != nil
    }

    /// Runs `body` and checks that the process's peak resident size grew by at most `megabytes` meanwhile;
    /// where the peak can be reset, an excess is measured again, up to three runs in all.
    static func withinMemory<Result>(
        _ megabytes: Int, _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Result
    ) rethrows -> Result {
        var growths: [Int] = []
        while true {
            let canRetry = resetPeak()
            let before = peakResidentBytes()
            let result = try body()
            let growth = peakResidentBytes() - before
            growths.append(growth)
            if growth <= megabytes << 20 || !canRetry || growths.count == 3 {
                #expect(
                    growth <= megabytes << 20,
                    "\(what): peak RSS grew by \(growths.map { "\($0 >> 20)" }.joined(separator: ", ")) MB",
                    sourceLocation: sourceLocation)
                return result
            }
        }
    }

    static func uint32(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(value).littleEndian) { Array($0) } }
    static func uint64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    /// A protocol-4 "billion laughs": memo 0 is `None`; level k is a container of ten references to level
    /// k - 1, fetched with LONG_BINGET; the pickle returns the last level. Python's `repr` of it would
    /// print 10^levels `None`s.
    static func laughs(_ levels: Int, kind: String) -> [UInt8] {
        var bytes: [UInt8] = [0x80, 0x04, 0x4E, 0x72] + uint32(0) + [0x30]
        func get(_ level: Int) -> [UInt8] { [0x6A] + uint32(level) }
        for level in 1...levels {
            switch kind {
            case "list":
                bytes += [0x5D, 0x28] + Array((0..<10).map { _ in get(level - 1) }.joined()) + [0x65]
            case "tuple":
                bytes += [0x28] + Array((0..<10).map { _ in get(level - 1) }.joined()) + [0x74]
            case "dict":
                bytes += [0x7D, 0x28] + Array((0..<10).map { [0x4B, UInt8($0)] + get(level - 1) }.joined()) + [0x75]
            default:  // "object": builtins.C.__new__(C, *ten references)
                bytes += latin1("\u{8C}\u{8}builtins\u{8C}\u{1}C\u{93}(")
                bytes += Array((0..<10).map { _ in get(level - 1) }.joined()) + [0x74, 0x81]
            }
            bytes += [0x72] + uint32(level) + [0x30]
        }
        return bytes + get(levels) + [0x2E]
    }

    /// A tree of lists, decoded through `Codable`: every list is read element by element.
    struct Tree: Decodable {
        var children: [Tree] = []

        init(from decoder: any Decoder) throws {
            if try decoder.singleValueContainer().decodeNil() { return }
            var container = try decoder.unkeyedContainer()
            while !container.isAtEnd { children.append(try container.decode(Tree.self)) }
        }
    }

    // MARK: - Billion laughs

    @Test(arguments: ["list", "tuple", "dict", "object"])
    func billionLaughsStayBounded(kind: String) throws {
        // 30 levels: 10^30 references if expanded, from a pickle of about 15 KB.
        let bytes = Self.laughs(30, kind: kind)
        #expect(bytes.count < 16_000)
        // Bound: loading keeps references shared, so it takes about as much as the input (< 64 MB, with
        // slack for the tests that run at the same time); so does everything below.
        let (value, twin) = try Self.withinMemory(64, "load") {
            (try Unpickler.load(bytes), try Unpickler.load(bytes))
        }
        Self.withinMemory(64, "compare and hash") {
            #expect(value == value)
            #expect(value == twin)  // two loads: each pair of containers is compared once
            var hasher = Hasher()
            value.hash(into: &hasher)
            _ = hasher.finalize()
        }
        // Dumping memoizes the shared containers: the output is linear, and CPython writes the same bytes
        // for the value it loads from the pickle.
        let dumps = try Self.withinMemory(64, "dump") {
            try (0...5).map { try Pickler.dumps(value, protocol: $0) }
        }
        for pickle in dumps {
            #expect(pickle.count < 2 * bytes.count)
            #expect(try Unpickler.load(pickle) == value)
        }
        if kind != "object" {
            let output = try CPython.run("""
                import pickle
                value = pickle.loads(bytes.fromhex('\(CPython.hex(bytes))'))
                for p in range(6): print(pickle.dumps(value, p).hex())
                """)
            #expect(output.split(separator: "\n").map(String.init) == dumps.map(CPython.hex))
        }
        // Printing stops where shared references would explode, after at most 16 times the value graph
        // (the first 65,536 values are free): a few megabytes of text.
        let text = Self.withinMemory(64, "print") { value.description }
        #expect(text.hasSuffix("..."))
        #expect(text.utf8.count < 4 << 20)
        // Codable and other coders refuse to expand it.
        let decoding = Self.withinMemory(64, "decode") {
            #expect(throws: DecodingError.self) { try PickleDecoder().decode(Tree.self, from: value) }
        }
        if case .dataCorrupted(let context)? = decoding, kind != "dict" {
            #expect(context.debugDescription.contains("shared references expand"))
        } else if kind == "list" || kind == "tuple" {
            Issue.record("expected dataCorrupted, got \(String(describing: decoding))")
        }
        if kind == "list" || kind == "tuple" {
            let encoding = Self.withinMemory(64, "JSON") {
                #expect(throws: EncodingError.self) { try JSONEncoder().encode(value) }
            }
            #expect("\(String(describing: encoding))".contains("expand too far"))
        }
    }

    @Test func sharedReferencesWithinTheBudgetPrintAndDecodeInFull() throws {
        // pyperformance-like sharing (serde-pickle's manyrefs: one list referenced 10,000 times) is not an
        // attack: it prints and decodes in full, as Python prints it.
        let bytes = try CPython.pickle("[[1, 2, 3, 4, 5]] * 10000", protocol: 4)
        let value = try Unpickler.load(bytes)
        let text = "[" + Array(repeating: "[1, 2, 3, 4, 5]", count: 10_000).joined(separator: ", ") + "]"
        #expect(value.description == text)
        #expect(try PickleDecoder().decode([[Int]].self, from: value).count == 10_000)
    }

    // MARK: - Huge length fields

    @Test func hugeLengthsInAFewBytesAllocateNothing() throws {
        // Each claims 2^62 (or 2^31, 2^32) bytes of data in a few bytes; CPython rejects each too.
        let huge = Self.uint64(1 << 62)
        let claims: [(String, [UInt8], PickleError.Code)] = [
            ("BINBYTES8", [0x80, 0x04, 0x8E] + huge + latin1("abc."), .truncated),
            ("BINUNICODE8", [0x80, 0x04, 0x8D] + huge + latin1("abc."), .truncated),
            ("BYTEARRAY8", [0x80, 0x05, 0x96] + huge + latin1("abc."), .truncated),
            ("FRAME", [0x80, 0x04, 0x95] + huge + latin1("N."), .truncated),
            ("FRAME of 2^64 - 1", [0x80, 0x04, 0x95] + Self.uint64(.max) + latin1("N."), .truncated),
            ("BINBYTES8 of 2^64 - 1", [0x80, 0x04, 0x8E] + Self.uint64(.max) + latin1("abc."), .truncated),
            ("LONG4 of 2^31 - 1", [0x80, 0x02, 0x8B, 0xFF, 0xFF, 0xFF, 0x7F] + latin1("abc."), .truncated),
            ("LONG4 negative", [0x80, 0x02, 0x8B, 0x00, 0x00, 0x00, 0x80] + latin1("abc."), .invalidArgument),
            ("BINUNICODE of 2^32 - 1", [0x80, 0x03, 0x58, 0xFF, 0xFF, 0xFF, 0xFF] + latin1("abc."), .truncated),
            ("BINBYTES of 2^32 - 1", [0x80, 0x03, 0x42, 0xFF, 0xFF, 0xFF, 0xFF] + latin1("abc."), .truncated),
            ("BINSTRING of 2^31 - 1", [0x80, 0x02, 0x54, 0xFF, 0xFF, 0xFF, 0x7F] + latin1("abc."), .truncated),
            ("LONG_BINPUT at 2^32 - 1", [0x4E, 0x72, 0xFF, 0xFF, 0xFF, 0xFF, 0x6A, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E], .truncated),
        ]
        // Bound: nothing is allocated from a length; the whole test stays under 16 MB of growth.
        try Self.withinMemory(16, "length claims") { () throws in
            for (name, bytes, code) in claims {
                if name.hasPrefix("LONG_BINPUT") {
                    #expect(try Unpickler.load(bytes) == .none, "\(name)")  // a sparse memo, not a 2^32 array
                    continue
                }
                let error = loadError(bytes)
                #expect(error?.code == code, "\(name): \(String(describing: error))")
                #expect(error?.offset == 2, "\(name)")
            }
        }
        let hex = claims.filter { !$0.0.hasPrefix("LONG_BINPUT") }.map { CPython.hex($0.1) }
        let refused = try CPython.run("""
            import pickle
            n = 0
            for h in \(hex):
                try:
                    pickle.loads(bytes.fromhex(h))
                except Exception:
                    n += 1
            print(n)
            """)
        #expect(refused == "\(hex.count)\n")
    }

    @Test func aGiantLong4LoadsAndDumpsInLinearTime() throws {
        // A 10 MB LONG4 (an int of 80 million bits). Loading and dumping it at protocol 2 and later is
        // linear; protocols 0 and 1 would write it in decimal, which CPython 3.11 refuses beyond 4,300
        // digits, and so does the pickler. Printing shows its size rather than spend hours in decimal
        // conversion. Bound: the input, the value and one dump, about 3 × 10 MB: under 128 MB.
        let length = 10 << 20
        var bytes: [UInt8] = [0x80, 0x02, 0x8B] + Self.uint32(length)
        bytes += [UInt8](repeating: 0x5A, count: length)
        bytes.append(0x2E)
        try Self.withinMemory(128, "giant LONG4") {
            let value = try Unpickler.load(bytes)
            guard case .bigInt(let big) = value else {
                Issue.record("expected a big int, got \(value.pythonTypeName)")
                return
            }
            #expect(big.bitLength == length * 8 - 1)
            #expect(try Pickler.dumps(value, protocol: 2) == bytes)
            #expect(value.description == "<int of \(length * 8 - 1) bits>")
            let error = #expect(throws: PickleError.self) { try Pickler.dumps(value, protocol: 0) }
            #expect(error?.code == .unpicklable)
            #expect(value == value)
        }
        // The decimal forms fail fast: CPython's limit of 4,300 digits applies to INT and LONG text.
        let digits = [0x80, 0x02, 0x4C] + [UInt8](repeating: 0x37, count: length) + latin1("L\n.")
        #expect(loadError(digits)?.code == .limitExceeded)
        // The same limit as CPython's own pickler, at both ends of it.
        let output = try CPython.run("""
            import pickle
            for n in (10**4300 - 1, 10**4300):
                try:
                    print(len(pickle.dumps(n, 0)))
                except ValueError:
                    print('ValueError')
            """)
        let fits = try Pickler.dumps(.integer(BigInteger("9" + String(repeating: "9", count: 4299))!), protocol: 0)
        #expect(output == "\(fits.count)\nValueError\n")
        let tooLong = #expect(throws: PickleError.self) {
            try Pickler.dumps(.integer(BigInteger("1" + String(repeating: "0", count: 4300))!), protocol: 1)
        }
        #expect(tooLong?.code == .unpicklable)
    }

    // MARK: - Deep nesting

    @Test func aHundredThousandMarks() throws {
        let bytes = [UInt8](repeating: 0x28, count: 100_000) + latin1("N.")
        let error = loadError(bytes)
        #expect(error?.code == .limitExceeded && error?.offset == 1000 && error?.opcode == .mark)
        var options = UnpicklerOptions()
        options.maxDepth = 1_000_000
        // Bound: one stack position per MARK, a few MB.
        try Self.withinMemory(32, "marks") { () throws in
            #expect(try Unpickler.load(bytes, options: options) == .none)
        }
        #expect(try CPython.run("import pickle; print(pickle.loads(b'(' * 100000 + b'N.'))") == "None\n")
    }

    @Test func aHundredThousandNestedLists() throws {
        // EMPTY_LIST 100,000 times, then APPEND 99,999 times: each list goes into the one below it.
        let depth = 100_000
        let bytes = [UInt8](repeating: 0x5D, count: depth) + [UInt8](repeating: 0x61, count: depth - 1) + [0x2E]
        let error = loadError(bytes)
        #expect(error?.code == .limitExceeded && error?.offset == depth + 999 && error?.opcode == .append)
        let python = "import pickle; print(len(pickle.loads(b']' * 100000 + b'a' * 99999 + b'.')))"
        #expect(try CPython.run(python) == "1\n")
        var options = UnpicklerOptions()
        options.maxDepth = 200_000
        // Bound: one list per level, a few MB; nothing below recurses without bound.
        try Self.withinMemory(64, "nested lists") {
            let value = try Unpickler.load(bytes, options: options)
            #expect(value == value)
            _ = value.hashValue
            #expect(value.description.utf8.count == 2 * depth)
            #expect(throws: PickleError.self) { try Pickler.dumps(value) }
            let decoding = #expect(throws: DecodingError.self) { try PickleDecoder().decode(Tree.self, from: value) }
            #expect("\(String(describing: decoding))".contains("deeper than maxDepth"))
            // (Caught here rather than by #expect(throws:), which would describe the error's 99,000-level value
            // by reflection.)
            do {
                _ = try JSONEncoder().encode(value)
                Issue.record("a value nested 100,000 levels deep encoded to JSON")
            } catch {
                #expect(error is EncodingError)
            }
            // Freeing it does not recurse either (the value is released at the end of this closure).
        }
    }

    @Test func nestedTuplesHashAndCompareInBoundedTime() throws {
        // Tuples cannot be built top-down, so maxDepth bounds them; at the default limit every operation
        // stays bounded: hashing visits at most 256 elements, comparing a value with itself takes the
        // identity shortcut.
        let bytes = latin1("N") + [UInt8](repeating: 0x85, count: 999) + [0x2E]
        let value = try Unpickler.load(bytes)
        #expect(value == value)
        #expect(value == (try Unpickler.load(bytes)))
        _ = value.hashValue
        let dict = PickleDict()
        dict[value] = 1
        #expect(dict[try Unpickler.load(bytes)] == 1)
    }

    // MARK: - Long chains

    @Test func longChainsOfGetAndExt() throws {
        // A million references pushed by BINGET into one list, then a million EXT1 globals.
        let count = 1_000_000
        var gets: [UInt8] = latin1("\u{80}\u{2}](K\u{1}K\u{2}eq\u{0}0(")
        for _ in 0..<count { gets += [0x68, 0x00] }
        gets += latin1("l.")
        // Bound: one stack entry and one list element per reference (about 64 bytes), under 128 MB.
        try Self.withinMemory(128, "GET chain") {
            let value = try Unpickler.load(gets)
            guard case .list(let list) = value, case .list(let first) = list.first else {
                Issue.record("expected a list of lists")
                return
            }
            #expect(list.count == count)
            #expect(list.allSatisfy { if case .list(let other) = $0 { other === first } else { false } })
            #expect(try Pickler.dumps(value).count < 3 * count)
        }
        var options = UnpicklerOptions()
        options.extensionRegistry = [1: PickleGlobal(module: "collections", name: "OrderedDict")]
        let exts = [0x80, 0x02, 0x28] + Array(repeatElement([0x82, 0x01] as [UInt8], count: count).joined()) + [0x74, 0x2E]
        try Self.withinMemory(128, "EXT chain") {
            let value = try Unpickler.load(exts, options: options)
            guard case .tuple(let globals) = value else {
                Issue.record("expected a tuple")
                return
            }
            #expect(globals.count == count)
            #expect(globals.last == .global(PickleGlobal(module: "collections", name: "OrderedDict")))
        }
        // A GET of an index never stored fails at once, whatever the index.
        let missing = latin1("\u{80}\u{2}N") + [0x6A, 0xFF, 0xFF, 0xFF, 0x7F] + latin1(".")
        #expect(loadError(missing)?.code == .memoKeyNotFound)
    }

    // MARK: - Reference cycles

    @Test func breakingCyclesFreesAValueThatContainsItself() throws {
        weak var freed: PickleList?
        do {
            let value = try Unpickler.load(latin1("]q\u{0}h\u{0}a."))  // L = []; L.append(L)
            guard case .list(let list) = value else {
                Issue.record("expected a list")
                return
            }
            freed = list
            #expect(list.count == 1)
            value.breakReferenceCycles()
            #expect(list.isEmpty)
        }
        #expect(freed == nil)
    }

    @Test func freeingAContainerLeavesCopiesOfItsElementsWhole() {
        // The deinits move nested containers out of the storage of the container being freed; storage a
        // caller still holds a copy of must keep its elements.
        let inner = PickleList([1, 2])
        weak var freedInner: PickleList?
        var elements: [PickleValue] = []
        var keys: [PickleValue] = []
        var values: [PickleValue] = []
        do {
            let nested = PickleList([.list(inner), "three"])
            let dict = PickleDict()
            dict[.tuple([.int(4)])] = .list(PickleList([.list(inner)]))
            let outer = PickleList([.list(nested), .dict(dict)])
            freedInner = nested
            if case .list(let list) = outer[0] { elements = list.elements }
            if case .dict(let dict) = outer[1] {
                keys = dict.keys
                values = dict.values
            }
        }
        #expect(freedInner == nil)
        #expect(elements == [.list(inner), "three"])
        #expect(keys == [.tuple([4])])
        guard case .list(let list) = values.first else {
            Issue.record("expected a list")
            return
        }
        #expect(list.elements == [.list(inner)])
        #expect(inner.elements == [1, 2])
    }

    // MARK: - Globals

    /// Pickles whose `__reduce__` names `os.system`, `builtins.eval` and `subprocess.Popen`, made by
    /// CPython at every protocol; each would create `marker` if unpickled by Python.
    static func dangerousPickles(marker: String) throws -> [(name: String, proto: Int, bytes: [UInt8])] {
        let output = try CPython.run("""
            import builtins, os, pickle, subprocess
            marker = \(pythonRepr(marker))
            class System:
                def __reduce__(self): return (os.system, ('touch ' + marker,))
            class Eval:
                def __reduce__(self): return (builtins.eval, ("open(" + repr(marker) + ", 'w').close()",))
            class Popen:
                def __reduce__(self): return (subprocess.Popen, (['touch', marker],))
            for name, cls in (('system', System), ('eval', Eval), ('Popen', Popen)):
                for p in range(6):
                    print(name, p, pickle.dumps(cls(), p).hex())
            """)
        return try output.split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return (String(parts[0]), Int(parts[1]) ?? -1, try CPython.bytes(hex: String(parts[2])))
        }
    }

    @Test func dangerousGlobalsStayInertByDefault() throws {
        let directory = try TemporaryDirectory()
        let marker = directory.path("pwned")
        let pickles = try Self.dangerousPickles(marker: marker)
        #expect(pickles.count == 18)
        let expected = [
            "system": PickleGlobal(module: "posix", name: "system"),
            "eval": PickleGlobal(module: "builtins", name: "eval"),
            "Popen": PickleGlobal(module: "subprocess", name: "Popen"),
        ]
        for (name, proto, bytes) in pickles {
            let value = try Unpickler.load(bytes)
            guard case .object(let object) = value else {
                Issue.record("\(name) p\(proto): expected an inert object, got \(value)")
                continue
            }
            #expect(object.construction == .reduce)
            #expect(object.callable == .global(expected[name]!), "\(name) p\(proto)")
            #expect(object.arguments.count == 1)
            // It pickles back out as it came in, still inert.
            #expect(try Unpickler.load(Pickler.dumps(value, protocol: proto)) == value)
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
        // The pickles are live: CPython's own loads runs them.
        let system = pickles.first { $0.name == "system" && $0.proto == 2 }?.bytes ?? []
        _ = try CPython.run("import pickle; pickle.loads(bytes.fromhex('\(CPython.hex(system))'))")
        #expect(FileManager.default.fileExists(atPath: marker))
    }

    @Test func aRestrictiveResolverRefusesThem() throws {
        let directory = try TemporaryDirectory()
        let pickles = try Self.dangerousPickles(marker: directory.path("pwned"))
        var options = UnpicklerOptions()
        let allowed: Set<String> = ["collections", "datetime", "decimal", "uuid"]
        options.resolveGlobal = { global in
            guard allowed.contains(global.module) else {
                throw PickleError(.refusedGlobal, "\(global.module).\(global.name) is not an allowed global")
            }
            return nil
        }
        for (name, proto, bytes) in pickles {
            let error = loadError(bytes, options: options)
            #expect(error?.code == .refusedGlobal, "\(name) p\(proto)")
            #expect(error?.message.hasSuffix("is not an allowed global") == true)
            // The offset is that of the opcode naming the global.
            let opcode = error?.offset.map { Opcode(rawValue: bytes[$0]) } ?? nil
            #expect(opcode == (proto >= 4 ? .stackGlobal : .global), "\(name) p\(proto)")
        }
        // Allowed globals still load, and a resolver can replace a global with a value of its own.
        let ordered = try CPython.pickle("__import__('collections').OrderedDict(a=1)", protocol: 2)
        #expect(loadError(ordered, options: options) == nil)
        let disabled = PickleGlobal(module: "sandbox", name: "disabled")
        options.resolveGlobal = { $0.name == "eval" ? .global(disabled) : nil }
        let eval = pickles.first { $0.name == "eval" && $0.proto == 5 }?.bytes ?? []
        guard case .object(let object) = try Unpickler.load(eval, options: options) else {
            Issue.record("expected an object")
            return
        }
        #expect(object.callable == .global(disabled))
    }
}
