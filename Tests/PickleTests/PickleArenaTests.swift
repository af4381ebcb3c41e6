import Foundation
import Testing

@testable import Pickle

/// `PickleDecoder.decode(_:from:)` reads pickles through ``PickleArena`` and hands what the arena does
/// not mirror to the tree path. These tests pin down which pickles the arena reads and which it hands
/// over, that what it reads is the tree's value, and the cases its design turns on (batches split by
/// nested containers, values handed to the machine and changed after, cycles, repeated keys);
/// PickleDecoderDifferentialTests compares the two paths over many more inputs.
@Suite("PickleDecoder: the arena, and when it hands over to the tree")
struct PickleArenaTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/golden")

    static func golden(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: golden.appendingPathComponent(name)))
    }

    /// Whether the arena reads `bytes` itself (rather than handing them to the tree path).
    static func arenaReads(_ bytes: [UInt8], options: UnpicklerOptions = UnpicklerOptions()) -> Bool {
        bytes.withUnsafeBytes { PickleArena.parse($0, options: options) != nil }
    }

    /// The value the arena makes of `bytes`, through the decoder (a `PickleValue` is read by the tree
    /// decoder from the root node, made into a value).
    static func arenaValue(_ bytes: [UInt8]) throws -> PickleValue {
        try PickleDecoder().decode(PickleValue.self, from: bytes)
    }

    static let acyclicCorpus: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: golden.path)) ?? []
        return names.filter { $0.hasSuffix(".pickle") && !$0.hasPrefix("cycle_") && !$0.hasPrefix("stream") }.sorted()
    }()

    @Test("every acyclic pickle of the golden corpus decodes to the tree's value", arguments: acyclicCorpus)
    func theCorpusDecodesAsTheTree(_ name: String) throws {
        let bytes = try Self.golden(name)
        let tree = try Unpickler.load(bytes)
        #expect(codableRepr(try Self.arenaValue(bytes)) == codableRepr(tree))
    }

    @Test("CPython's pickles of plain data, instances, dates and big ints are read by the arena, protocols 1 to 5")
    func theArenaReadsWhatCPythonWrites() throws {
        let names = [
            "bm_dict", "bm_dict_group", "bm_list", "bm_micro_dict", "bm_tuple", "dict_2500", "list_2500",
            "list_nested", "tuple_of_lists", "shared_list", "shared_dict", "date", "datetime_utc", "int_2p1000",
            "str_surrogate", "str_cafe", "set_small", "frozenset_small", "inst_plain", "ordereddict", "uuid",
            "bytes_70000", "bytearray_small", "global_builtin_types",
        ]
        let files = names.flatMap { name in (1...5).map { "\(name).p\($0).pickle" } }.filter {
            FileManager.default.fileExists(atPath: Self.golden.appendingPathComponent($0).path)
        }
        #expect(files.count > 100)
        let handedOver = try files.filter { !Self.arenaReads(try Self.golden($0)) }
        #expect(handedOver == [])
    }

    @Test("what the arena does not mirror goes to the tree path")
    func whatTheArenaHandsOver() throws {
        // Protocol 0 memo lines, keys that are not str or int, list item assignment, a sparse memo, errors.
        #expect(!Self.arenaReads(try Self.golden("bm_dict.p0.pickle")))
        #expect(!Self.arenaReads(try Self.golden("dict_tuple_keys.p4.pickle")))
        #expect(!Self.arenaReads(try Self.golden("dict_misc_keys.p4.pickle")))
        #expect(!Self.arenaReads(try Self.golden("dict_int_keys.p4.pickle")))  // an int beyond 64 bits
        // ]K\x00K\x01\x86 s : [] ; [ (0, 1) ] = ... — SETITEM on a list.
        #expect(!Self.arenaReads([0x80, 0x04, 0x5D, 0x4B, 0x00, 0x4B, 0x01, 0x73, 0x2E]))
        // BININT1 0, LONG_BINPUT 1000 (past the memo's end), STOP.
        #expect(!Self.arenaReads([0x80, 0x04, 0x4B, 0x00, 0x72, 0xE8, 0x03, 0x00, 0x00, 0x2E]))
        #expect(!Self.arenaReads([0x80, 0x04, 0x4B]))
        #expect(!Self.arenaReads([0x80, 0x04, 0xFF, 0x2E]))
        // Hooks would run twice.
        var hooked = UnpicklerOptions()
        hooked.resolveGlobal = { _ in nil }
        #expect(!Self.arenaReads(try Self.golden("bm_dict.p4.pickle"), options: hooked))
        // Limits are the tree's to report.
        var limited = UnpicklerOptions()
        limited.maxOpcodes = 10
        #expect(!Self.arenaReads(try Self.golden("bm_list.p4.pickle"), options: limited))
        limited = UnpicklerOptions()
        limited.maxDepth = 2
        #expect(!Self.arenaReads(try Self.golden("bm_list.p4.pickle"), options: limited))
    }

    @Test("a list appended to in batches with other containers between them reads as one list")
    func batchesSplitByNestedContainers() throws {
        // Lists of 2,500 lists of one int, each inner list a container of its own built between two APPENDS
        // batches of the outer list; in a dict of 1,500 entries, set in batches of 1,000 likewise.
        func outer() -> PickleValue { .list(PickleList((0..<2500).map { .list(PickleList([.int($0)])) })) }
        let nested = PickleValue.dict(PickleDict((0..<1500).map { (.string("k\($0)"), $0 < 1497 ? [] : outer()) }))
        for proto in 2...5 {
            let bytes = try Pickler.dumps(nested, protocol: proto)
            #expect(Self.arenaReads(bytes))
            #expect(codableRepr(try Self.arenaValue(bytes)) == codableRepr(try Unpickler.load(bytes)))
            let decoded = try PickleDecoder().decode([String: [[Int]]].self, from: bytes)
            #expect(decoded.count == 1500)
            #expect(decoded["k1499"] == (0..<2500).map { [$0] })
            #expect(decoded["k0"] == [])
        }
    }

    @Test("a container handed to the machine, then changed, goes to the tree path")
    func aFrozenContainerThatChangesHandsOver() throws {
        // x = []; obj = copyreg-free REDUCE(builtins.list? no: an inert global)(x); x.append(1)
        // PROTO 4, EMPTY_LIST, MEMOIZE 0, SHORT_BINUNICODE 'mod', SHORT_BINUNICODE 'f', STACK_GLOBAL,
        // BINGET 0, TUPLE1, REDUCE, POP, BINGET 0, BININT1 1, APPEND, STOP
        var bytes: [UInt8] = [0x80, 0x04, 0x5D, 0x94]
        bytes += [0x8C, 0x03] + Array("mod".utf8) + [0x8C, 0x01] + Array("f".utf8) + [0x93]
        bytes += [0x68, 0x00, 0x85, 0x52, 0x30, 0x68, 0x00, 0x4B, 0x01, 0x61, 0x2E]
        #expect(!Self.arenaReads(bytes))
        #expect(try PickleDecoder().decode([Int].self, from: bytes) == [1])
        // Without the late APPEND, the arena reads it.
        var unchanged: [UInt8] = [0x80, 0x04, 0x5D, 0x94]
        unchanged += [0x8C, 0x03] + Array("mod".utf8) + [0x8C, 0x01] + Array("f".utf8) + [0x93]
        unchanged += [0x68, 0x00, 0x85, 0x52, 0x30, 0x68, 0x00, 0x2E]
        #expect(Self.arenaReads(unchanged))
        #expect(try PickleDecoder().decode([Int].self, from: unchanged) == [])
    }

    @Test("an instance whose state reaches the instance itself goes to the tree path")
    func aCycleThroughBuildHandsOver() throws {
        let bytes = try Self.golden("cycle_instance.p4.pickle")
        #expect(!Self.arenaReads(bytes))
        // Lists that contain themselves are read by the arena (indices, nothing to free).
        #expect(Self.arenaReads(try Self.golden("cycle_list.p4.pickle")))
    }

    @Test("a dict with a repeated key decodes as the tree's dict, keeping the key's first place and last value")
    func repeatedKeys() throws {
        // {'a': 1, 'b': 2, 'a': 3} written by hand: EMPTY_DICT, MARK, 'a' 1 'b' 2 'a' 3, SETITEMS.
        func key(_ name: String) -> [UInt8] { [0x8C, UInt8(name.utf8.count)] + Array(name.utf8) }
        var bytes: [UInt8] = [0x80, 0x04, 0x7D, 0x28]
        bytes += key("a") + [0x4B, 0x01] + key("b") + [0x4B, 0x02] + key("a") + [0x4B, 0x03] + [0x75, 0x2E]
        #expect(Self.arenaReads(bytes))
        struct AB: Decodable, Equatable {
            var a: Int
            var b: Int
        }
        #expect(try PickleDecoder().decode(AB.self, from: bytes) == AB(a: 3, b: 2))
        #expect(try PickleDecoder().decode([String: Int].self, from: bytes) == ["a": 3, "b": 2])
        // A repeated key whose first value would not decode: the tree's dict only has the last.
        var mixed: [UInt8] = [0x80, 0x04, 0x7D, 0x28]
        mixed += key("a") + key("text") + key("a") + [0x4B, 0x03] + [0x75, 0x2E]
        #expect(try PickleDecoder().decode([String: Int].self, from: mixed) == ["a": 3])
        // Distinct keys that decode to the same Swift key are still an error.
        var equalSwiftKeys: [UInt8] = [0x80, 0x04, 0x7D, 0x28]
        equalSwiftKeys += [0x4B, 0x01, 0x4B, 0x01] + key("1") + [0x4B, 0x02] + [0x75, 0x2E]
        #expect(throws: DecodingError.self) { try PickleDecoder().decode([Int8: Int].self, from: equalSwiftKeys) }
    }

    @Test("a list referenced twice is one PickleList in the decoded values, as in the tree")
    func sharedReferencesStayShared() throws {
        struct Pair: Decodable {
            var first: PickleValue
            var second: PickleValue
        }
        let shared = PickleValue.list([1, 2, 3])
        let bytes = try Pickler.dumps(.dict(["first": shared, "second": shared]), protocol: 4)
        #expect(Self.arenaReads(bytes))
        let pair = try PickleDecoder().decode(Pair.self, from: bytes)
        guard case .list(let first) = pair.first, case .list(let second) = pair.second else {
            Issue.record("not lists: \(pair.first), \(pair.second)")
            return
        }
        #expect(first === second)
        #expect(first.elements == [1, 2, 3])
    }

    @Test("text is checked as the unpickler checks it: invalid UTF-8 goes to the tree path, which rejects it")
    func invalidText() throws {
        let bytes: [UInt8] = [0x80, 0x04, 0x8C, 0x02, 0xC3, 0x28, 0x2E]
        #expect(!Self.arenaReads(bytes))
        #expect(throws: PickleError.self) { try PickleDecoder().decode(String.self, from: bytes) }
        let valid: [UInt8] = [0x80, 0x04, 0x8C, 0x05] + Array("café".utf8) + [0x2E]
        #expect(Self.arenaReads(valid))
        #expect(try PickleDecoder().decode(String.self, from: valid) == "café")
    }
}
