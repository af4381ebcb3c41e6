import Testing

@testable import Pickle

/// The decoder's bound on shared references, through each way it reads a nested sequence: the
/// unkeyed container of a type's own `init(from:)`, and the native forms of `Array`, `Optional` and
/// `Dictionary`. (`HostileInputTests.billionLaughsStayBounded` checks the first too, among the other
/// walks of the value.)
@Suite("Codable: shared references stay bounded")
struct CodableExpansionTests {
    /// A tree read through its arrays, which decode in `Array`'s native form.
    struct ArrayTree: Decodable {
        var children: [ArrayTree?]

        init(from decoder: any Decoder) throws {
            children = try decoder.singleValueContainer().decode([ArrayTree?].self)
        }
    }

    /// A tree read through a dictionary of `Int` keys, in `Dictionary`'s native form.
    struct DictTree: Decodable {
        var children: [Int: DictTree?]

        init(from decoder: any Decoder) throws {
            children = try decoder.singleValueContainer().decode([Int: DictTree?].self)
        }
    }

    @Test(arguments: ["list", "tuple"])
    func arraysRefuseToExpand(kind: String) throws {
        let value = try Unpickler.load(HostileInputTests.laughs(30, kind: kind))
        let decoding = HostileInputTests.withinMemory(64, "decode") {
            #expect(throws: DecodingError.self) { try PickleDecoder().decode(ArrayTree.self, from: value) }
        }
        guard case .dataCorrupted(let context)? = decoding else {
            Issue.record("expected dataCorrupted, got \(String(describing: decoding))")
            return
        }
        #expect(context.debugDescription.contains("shared references expand"))
    }

    @Test func dictionariesRefuseToExpand() throws {
        let value = try Unpickler.load(HostileInputTests.laughs(30, kind: "dict"))
        let decoding = HostileInputTests.withinMemory(64, "decode") {
            #expect(throws: DecodingError.self) { try PickleDecoder().decode(DictTree.self, from: value) }
        }
        guard case .dataCorrupted(let context)? = decoding else {
            Issue.record("expected dataCorrupted, got \(String(describing: decoding))")
            return
        }
        #expect(context.debugDescription.contains("shared references expand"))
    }

    @Test func withinTheBudgetArraysDecodeInFull() throws {
        // One list referenced 10,000 times is not an attack.
        let inner: PickleValue = [1, 2, 3, 4, 5]
        let value = PickleValue.list(PickleList(Array(repeating: inner, count: 10_000)))
        let decoded = try PickleDecoder().decode([[Int?]].self, from: value)
        #expect(decoded.count == 10_000 && decoded.allSatisfy { $0 == [1, 2, 3, 4, 5] })
    }
}
