import Foundation
import Testing

@testable import Pickle

/// `PickleDocument` reads a pickle into the arena and answers from it; what the arena does not hold, it
/// keeps as the unpickler's values. Every test here holds it to `Unpickler.load` of the same bytes:
/// the same values (read through the accessors and through `pickleValue`), the same sharing and cycles,
/// the same errors.
@Suite("PickleDocument: reading a pickle without building the tree")
struct PickleDocumentTests {
    static let golden = PickleArenaTests.golden

    static let corpus: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: golden.path)) ?? []
        return names.filter { $0.hasSuffix(".pickle") }.sorted()
    }()

    /// A rendering of `value` that shows every reference's identity: the first visit of a list, dict, set,
    /// bytearray or instance is numbered, and a later one (a shared reference, or a cycle) is shown as a
    /// reference to that number.
    static func identityRepr(_ value: PickleValue) -> String {
        var numbers: [ObjectIdentifier: Int] = [:]
        func render(_ value: PickleValue) -> String {
            if let identity = value.referenceIdentity {
                if let number = numbers[identity] { return "@\(number)" }
                numbers[identity] = numbers.count
            }
            let mark = value.referenceIdentity.map { "#\(numbers[$0]!)" } ?? ""
            switch value {
            case .list(let list): return mark + "[" + list.elements.map(render).joined(separator: ", ") + "]"
            case .tuple(let elements): return "(" + elements.map(render).joined(separator: ", ") + ")"
            case .dict(let dict):
                return mark + "{" + dict.map { render($0.key) + ": " + render($0.value) }.joined(separator: ", ") + "}"
            case .set(let set): return mark + "set(" + set.elements.map(render).joined(separator: ", ") + ")"
            case .object(let object):
                var text = mark + render(object.callable) + "(" + object.arguments.map(render).joined(separator: ", ") + ")"
                if let state = object.state { text += ".state(" + render(state) + ")" }
                text += object.listItems.map(render).joined(separator: ",")
                text += object.dictItems.map { render($0.key) + ":" + render($0.value) }.joined(separator: ",")
                return text
            default: return mark + codableRepr(value)
            }
        }
        return render(value)
    }

    /// `value` rendered from the document's accessors alone (never `pickleValue`, except for the types a
    /// `Value` has no accessors for), as ``treeRepr(_:)`` renders a tree: the two must agree.
    static func documentRepr(_ value: PickleDocument.Value, depth: Int = 0) -> String {
        precondition(depth < 200, "too deep: a cycle?")
        #expect(value.kind == PickleDocument.Value.Kind(of: value.pickleValue))
        switch value.pythonTypeName {
        case "NoneType":
            #expect(value.isNone)
            return "None"
        case "bool": return value.boolValue! ? "True" : "False"
        case "int" where value.intValue != nil: return "int \(value.intValue!)"
        case "float": return "float \(value.doubleValue!.bitPattern)"
        case "str" where value.stringValue != nil:
            let viaBytes = value.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            #expect(viaBytes == value.stringValue)
            return "str " + value.stringValue!.debugDescription
        case "bytes":
            #expect(value.withUnsafeBytes { Array($0) } == value.bytesValue)
            return "bytes \(value.bytesValue!)"
        case "list", "tuple":
            let elements = value.elements!
            #expect(value[elements.count] == nil)
            #expect(value[-1] == nil)
            return value.pythonTypeName + "[" + elements.map { documentRepr($0, depth: depth + 1) }.joined(separator: ", ") + "]"
        case "dict":
            let entries = value.entries!
            return "dict{"
                + entries.map { documentRepr($0.key, depth: depth + 1) + ": " + documentRepr($0.value, depth: depth + 1) }
                .joined(separator: ", ") + "}"
        default:
            #expect(value.elements == nil && value.entries == nil)
            return "other " + codableRepr(value.pickleValue)
        }
    }

    /// ``documentRepr(_:depth:)`` of a tree.
    static func treeRepr(_ value: PickleValue, depth: Int = 0) -> String {
        switch value {
        case .none: "None"
        case .bool(let flag): flag ? "True" : "False"
        case .int(let integer): "int \(integer)"
        case .float(let double): "float \(double.bitPattern)"
        case .string(let string): "str " + string.debugDescription
        case .bytes(let bytes): "bytes \(bytes)"
        case .list(let list): "list[" + list.elements.map { treeRepr($0, depth: depth + 1) }.joined(separator: ", ") + "]"
        case .tuple(let elements): "tuple[" + elements.map { treeRepr($0, depth: depth + 1) }.joined(separator: ", ") + "]"
        case .dict(let dict):
            "dict{" + dict.map { treeRepr($0.key, depth: depth + 1) + ": " + treeRepr($0.value, depth: depth + 1) }
                .joined(separator: ", ") + "}"
        default: "other " + codableRepr(value)
        }
    }

    @Test("every pickle of the golden corpus reads as the unpickler loads it, sharing and cycles included",
          arguments: corpus)
    func theCorpusReadsAsTheTree(_ name: String) throws {
        let bytes = try PickleArenaTests.golden(name)
        let tree = try Unpickler.load(bytes)
        defer { tree.breakReferenceCycles() }
        let document = try PickleDocument(bytes)
        let value = document.root.pickleValue
        defer { value.breakReferenceCycles() }
        #expect(Self.identityRepr(value) == Self.identityRepr(tree))
        // The same objects every time.
        #expect(document.root.pickleValue.referenceIdentity == value.referenceIdentity)
        if !name.hasPrefix("cycle_") {
            #expect(Self.documentRepr(document.root) == Self.treeRepr(tree))
        }
    }

    @Test("every input the unpickler rejects is rejected with the same error")
    func everyRejectedInputThrowsTheUnpicklersError() throws {
        let entries = try UnpicklerGoldenTests.manifest("fail/manifest.json")
        #expect(entries.count > 1000)
        var rejected = 0
        for entry in entries {
            guard let hex = entry["hex"] as? String else { continue }
            let bytes = try CPython.bytes(hex: hex)
            guard let expected = loadError(bytes) else { continue }
            rejected += 1
            #expect(throws: expected) { _ = try PickleDocument(bytes) }
        }
        #expect(rejected > 1000)
        #expect(throws: PickleError.self) { _ = try PickleDocument([]) }
        let truncated: [UInt8] = [0x80, 0x04, 0x4B]
        #expect(throws: loadError(truncated)!) {
            _ = try truncated.withUnsafeBytes { buffer in try PickleDocument(copying: buffer) }
        }
    }

    @Test("limits apply as they do to the unpickler, and hooks run once")
    func limitsAndHooks() throws {
        let bytes = try PickleArenaTests.golden("bm_dict.p4.pickle")
        var options = UnpicklerOptions()
        options.maxInputSize = 10
        #expect(throws: loadError(bytes, options: options)!) { _ = try PickleDocument(bytes, options: options) }
        options = UnpicklerOptions()
        options.maxOpcodes = 10
        #expect(throws: loadError(bytes, options: options)!) { _ = try PickleDocument(bytes, options: options) }
        options = UnpicklerOptions()
        nonisolated(unsafe) var calls = 0
        options.resolveGlobal = { _ in
            calls += 1
            return nil
        }
        let document = try PickleDocument(bytes, options: options)
        #expect(calls == 1)  // datetime.date, once
        #expect(document.root["age"]?.intValue == 18)
    }

    @Test("a record's fields by key, in a small dict and an indexed large one")
    func lookUpKeys() throws {
        let record = try PickleDocument(try PickleArenaTests.golden("bm_dict.p5.pickle")).root
        let tree = try Unpickler.load(try PickleArenaTests.golden("bm_dict.p5.pickle"))
        guard case .dict(let dict) = tree else { Issue.record("not a dict"); return }
        #expect(dict.count > PickleDocument.linearLookupLimit)
        for (key, value) in dict {
            let found = try #require(record[key.stringValue!])
            #expect(Self.documentRepr(found) == Self.treeRepr(value))
        }
        #expect(record["no such key"] == nil)
        #expect(record[key: 0] == nil)
        #expect(record["age"]?.stringValue == nil)
        #expect(record["age"]?["x"] == nil)
        #expect(record["age"]?[0] == nil)
        #expect(record["age"]?.elements == nil)
        #expect(record["age"]?.entries == nil)
        #expect(record[0] == nil)

        // MICRO_DICT: 100 int keys, each to a dict of 10 int keys (searched, not indexed).
        let micro = try PickleDocument(try PickleArenaTests.golden("bm_micro_dict.p4.pickle")).root
        for outer in [0, 42, 99] {
            let inner = try #require(micro[key: outer])
            #expect(inner.entries?.count == 10)
            #expect(inner[key: 3]?.isNone == true)
            #expect(inner[key: 10] == nil)
            #expect(inner["3"] == nil)
        }
        #expect(micro[key: 100] == nil)
        #expect(micro["0"] == nil)
    }

    /// A protocol 4 pickle of a dict whose entries are `pairs` (with repeated keys if any repeat).
    static func dictPickle(_ pairs: [(String, Int)]) -> [UInt8] {
        var bytes: [UInt8] = [0x80, 0x04, 0x7D, 0x28]  // PROTO 4, EMPTY_DICT, MARK
        for (key, value) in pairs {
            bytes += [0x8C, UInt8(key.utf8.count)] + Array(key.utf8)  // SHORT_BINUNICODE
            bytes += [0x4B, UInt8(value)]  // BININT1
        }
        return bytes + [0x75, 0x2E]  // SETITEMS, STOP
    }

    @Test("a dict with a repeated key reads as Python's: one entry, in the first one's place, with the last value")
    func repeatedKeys() throws {
        for count in [3, 20] {
            var pairs = (0..<count).map { ("k\($0)", $0) }
            pairs.append(("k1", 99))
            let bytes = Self.dictPickle(pairs)
            let root = try PickleDocument(bytes).root
            #expect(root.entries?.count == count)
            #expect(root["k1"]?.intValue == 99)
            #expect(root.entries?[1].key.stringValue == "k1")
            #expect(root.entries?[1].value.intValue == 99)
            #expect(Self.documentRepr(root) == Self.treeRepr(try Unpickler.load(bytes)))
        }
    }

    @Test("keys are matched by their code points, as Python matches them")
    func keysMatchByCodePoints() throws {
        // "café" precomposed, and "cafe" + U+0301: equal Swift strings, different Python keys.
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        let small = Self.dictPickle([(composed, 1), (decomposed, 2)])
        let large = Self.dictPickle([(composed, 1), (decomposed, 2)] + (0..<20).map { ("k\($0)", $0) })
        for bytes in [small, large] {
            let root = try PickleDocument(bytes).root
            #expect(root[composed]?.intValue == 1)
            #expect(root[decomposed]?.intValue == 2)
            #expect(root.entries?.count == (try Unpickler.load(bytes)).childCount / 2)
        }
    }

    @Test("shared references are the same objects, and a cycle is a cycle")
    func sharingAndCycles() throws {
        let shared = try PickleDocument(try PickleArenaTests.golden("shared_list.p4.pickle")).root
        // a = [1, 2]; [a, a, [a]]
        let first = try #require(shared[0]?.pickleValue.referenceIdentity)
        #expect(shared[1]?.pickleValue.referenceIdentity == first)
        #expect(shared[2]?[0]?.pickleValue.referenceIdentity == first)
        #expect(shared[2]?.pickleValue.referenceIdentity != first)

        // L = []; L.append(L): PROTO 4, EMPTY_LIST, MEMOIZE, MARK, BINGET 0, APPENDS, STOP.
        let document = try PickleDocument([0x80, 0x04, 0x5D, 0x94, 0x28, 0x68, 0x00, 0x65, 0x2E])
        let list = document.root.pickleValue
        defer { list.breakReferenceCycles() }
        guard case .list(let made) = list, case .list(let inner) = made.elements.first else {
            Issue.record("not a list in a list")
            return
        }
        #expect(made === inner)
        #expect(document.root[0]?[0]?[0]?.elements?.count == 1)
    }

    @Test("what the index does not hold is read from the unpickler's values")
    func valuesTheIndexDoesNotHold() throws {
        // Tuple keys: the whole pickle goes to the unpickler.
        let tupleKeys = try PickleArenaTests.golden("dict_tuple_keys.p4.pickle")
        let handedOver = try PickleDocument(tupleKeys)
        #expect(handedOver.arena == nil)
        #expect(handedOver.byteCount == tupleKeys.count)
        let root = handedOver.root
        #expect(Self.documentRepr(root) == Self.treeRepr(try Unpickler.load(tupleKeys)))
        #expect(root.entries!.allSatisfy { $0.key.pythonTypeName == "tuple" })
        #expect(root["a"] == nil)
        // A date in a record: an instance, kept as the unpickler's value inside the index's dict.
        let recordBytes = try PickleArenaTests.golden("bm_dict.p4.pickle")
        let recordDocument = try PickleDocument(recordBytes)
        #expect(recordDocument.arena != nil)
        #expect(recordDocument.byteCount == recordBytes.count)
        let record = recordDocument.root
        let dates = record.entries!.filter { $0.value.pythonTypeName == "date" }
        #expect(dates.count == 1)
        #expect(dates.first?.value.intValue == nil)
        #expect(dates.first?.value.elements == nil)
        // Big ints, sets, surrogates.
        let big = try PickleDocument(try PickleArenaTests.golden("int_2p1000.p4.pickle")).root
        #expect(big.intValue == nil)
        #expect(big.pythonTypeName == "int")
        #expect(big.pickleValue == (try Unpickler.load(try PickleArenaTests.golden("int_2p1000.p4.pickle"))))
        let surrogates = try PickleDocument(try PickleArenaTests.golden("str_surrogate.p4.pickle")).root
        #expect(surrogates.pythonTypeName == "str")
        #expect(surrogates.stringValue == nil)
        #expect(surrogates.withUnsafeBytes { _ in true } == nil)
    }

    struct Repository: Codable, Equatable {
        let name: String
        let stars: Int
        let tags: [String]
    }

    @Test("PickleDecoder decodes the root or any part of a document, as it decodes the pickle")
    func decoding() throws {
        let bytes = try PickleEncoder().encode([
            "repositories": [
                Repository(name: "a", stars: 1, tags: ["x"]), Repository(name: "b", stars: 2, tags: []),
            ]
        ])
        let document = try PickleDocument(bytes)
        let decoder = PickleDecoder()
        #expect(
            try decoder.decode([String: [Repository]].self, from: document.root)
                == (try decoder.decode([String: [Repository]].self, from: bytes)))
        let second = try #require(document.root["repositories"]?[1])
        #expect(try decoder.decode(Repository.self, from: second) == Repository(name: "b", stars: 2, tags: []))
        #expect(try decoder.decode(Repository.self, from: second) == Repository(name: "b", stars: 2, tags: []))
        #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: second) }
        // A value the unpickler made.
        let tupleKeys = try PickleDocument(try PickleArenaTests.golden("dict_tuple_keys.p4.pickle"))
        #expect(try decoder.decode(PickleValue.self, from: tupleKeys.root) == tupleKeys.root.pickleValue)
    }

    @Test("the document owns its bytes: values outlive the caller's buffer and the document's name")
    func valuesKeepTheDocument() throws {
        var value: PickleDocument.Value?
        do {
            var bytes = try PickleArenaTests.golden("bm_dict.p4.pickle")
            value = try PickleDocument(bytes).root["tags"]
            for index in bytes.indices { bytes[index] = 0 }
        }
        let artists = try #require(value?.elements)
        #expect(artists.count > 0)
        #expect(artists.allSatisfy { $0.stringValue?.isEmpty == false })
        #expect(value?.description.hasPrefix("[") == true)
        #expect(PickleDocument.Elements.empty.isEmpty && PickleDocument.Entries.empty.isEmpty)
    }
}

extension PickleDocumentTests {
    /// `[[[...[0]...]]]`, `depth` lists deep, at protocol 4.
    static func nestedLists(_ depth: Int) -> [UInt8] {
        [0x80, 0x04] + Array(repeating: [0x5D, 0x28], count: depth).flatMap { $0 } + [0x4B, 0x00]
            + Array(repeating: 0x65, count: depth) + [0x2E]  // EMPTY_LIST MARK ... BININT1 0, APPENDS ..., STOP
    }

    /// Runs `body` on a thread with `stackSize` bytes of stack and waits for it; returns what it threw.
    static func onSmallStack(_ stackSize: Int, _ body: @escaping @Sendable () throws -> Void) -> (any Error)? {
        nonisolated(unsafe) var failure: (any Error)?
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            do { try body() } catch { failure = error }
        }
        thread.stackSize = stackSize
        thread.start()
        done.wait()
        return failure
    }

    @Test("values nested as deeply as the limit allows are made without recursion, on a small stack")
    func deepValuesOnASmallStack() throws {
        let bytes = Self.nestedLists(20_000)
        nonisolated(unsafe) var depth = 0
        nonisolated(unsafe) var readByTheArena = false
        // 256 KiB of stack: a recursive maker would need several megabytes.
        let failure = Self.onSmallStack(256 << 10) {
            var options = UnpicklerOptions()
            options.maxDepth = 20_000
            let document = try PickleDocument(bytes, options: options)
            readByTheArena = document.arena != nil
            var value = document.root.pickleValue
            while case .list(let list) = value, let first = list.elements.first {
                depth += 1
                value = first
            }
        }
        #expect(failure == nil)
        #expect(readByTheArena)
        #expect(depth == 20_000)
    }

    @Test("a deep value handed to an opcode the arena does not mirror is made without recursion too")
    func deepOperandOnASmallStack() throws {
        // collections.OrderedDict(([[...[0]...]],)): REDUCE on lists nested 995 deep, under the default limit.
        let depth = 995
        let bytes: [UInt8] =
            [0x80, 0x04] + Array("ccollections\nOrderedDict\n".utf8)
            + Array(Self.nestedLists(depth).dropFirst(2).dropLast()) + [0x85, 0x52, 0x2E]  // TUPLE1 REDUCE STOP
        nonisolated(unsafe) var made: PickleValue?
        let failure = Self.onSmallStack(128 << 10) { made = try PickleDocument(bytes).root.pickleValue }
        #expect(failure == nil)
        // (Compared here, on the test's own stack: comparing recurses.)
        #expect(made == (try Unpickler.load(bytes)))
    }
}
