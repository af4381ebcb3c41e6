import Foundation
import Testing

@testable import Pickle

/// Errors of the Codable bridge carry the whole coding path, rendered the way Python code reaches
/// the value, and the Python type found.
@Suite("Codable: errors and paths")
struct CodableErrorTests {
    struct User: Codable {
        var name: String
        var age: UInt8
        var email: String?
    }

    struct Directory: Codable {
        var users: [User]
        var groups: [String: [Int]]
        var byID: [Int: User]
    }

    func directory(_ mutate: (PickleList) -> Void = { _ in }) -> PickleValue {
        let users = PickleList((0..<5).map { index in ["name": .string("u\(index)"), "age": .int(20 + index)] })
        mutate(users)
        return ["users": .list(users), "groups": ["admins": [1, 2]], "byID": .dict(PickleDict())]
    }

    @Test func wellFormedInputDecodes() throws {
        let decoded = try PickleDecoder().decode(Directory.self, from: directory())
        #expect(decoded.users.map(\.name) == ["u0", "u1", "u2", "u3", "u4"])
    }

    @Test func typeMismatchNamesPathAndTypes() throws {
        let value = directory { users in users[3] = ["name": 42, "age": 1] }
        let error = #expect(throws: DecodingError.self) { try PickleDecoder().decode(Directory.self, from: value) }
        #expect(codingMessage(error!) == "expected str at users[3].name, found int")
        guard case .typeMismatch(let type, let context) = error! else {
            Issue.record("expected typeMismatch, got \(error!)")
            return
        }
        #expect(ObjectIdentifier(type) == ObjectIdentifier(String.self))
        #expect(context.codingPath.map(\.stringValue) == ["users", "Index 3", "name"])
        #expect(context.codingPath.map(\.intValue) == [nil, 3, nil])
    }

    @Test func noneWhereAValueIsRequired() throws {
        let value = directory { users in users[1] = ["name": nil, "age": 1] }
        let error = #expect(throws: DecodingError.self) { try PickleDecoder().decode(Directory.self, from: value) }
        #expect(codingMessage(error!) == "expected str at users[1].name, found NoneType")
        guard case .valueNotFound = error! else {
            Issue.record("expected valueNotFound, got \(error!)")
            return
        }
    }

    @Test func missingKey() throws {
        let value = directory { users in users[2] = ["age": 1] }
        let error = #expect(throws: DecodingError.self) { try PickleDecoder().decode(Directory.self, from: value) }
        #expect(codingMessage(error!) == "missing key 'name' at users[2]")
        guard case .keyNotFound(let key, _) = error! else {
            Issue.record("expected keyNotFound, got \(error!)")
            return
        }
        #expect(key.stringValue == "name")
    }

    @Test func overflowInsideNestedValues() throws {
        let value = directory { users in users[4] = ["name": "x", "age": 300] }
        #expect(decodingFailure(Directory.self, from: value) == "int 300 does not fit in UInt8 at users[4].age")
    }

    @Test func dictKeysInThePath() throws {
        let value: PickleValue = [
            "users": [], "groups": ["admins": [1, "two"]],
            "byID": .dict(PickleDict([(PickleValue.int(7), ["name": "x", "age": -1] as PickleValue)])),
        ]
        #expect(decodingFailure(Directory.self, from: value) == "expected int at groups.admins[1], found str")
        value.dictValue?["groups"] = ["admins": []]
        #expect(decodingFailure(Directory.self, from: value) == "int -1 does not fit in UInt8 at byID[7].age")
    }

    @Test func wrongContainerKinds() throws {
        #expect(decodingFailure(User.self, from: [1, 2]) == "expected dict at the top level, found list")
        #expect(decodingFailure([User].self, from: ["a": 1]) == "expected list at the top level, found dict")
        #expect(
            decodingFailure(Directory.self, from: ["users": "nope", "groups": [:], "byID": [:]])
                == "expected list at users, found str")
        let date = reduced("datetime", "date", [.bytes([7, 188, 5, 7])])
        #expect(decodingFailure(User.self, from: date) == "expected dict at the top level, found datetime.date")
    }

    @Test func unkeyedContainerRunsOut() throws {
        struct Triple: Decodable {
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                for _ in 0..<3 { _ = try container.decode(Int.self) }
            }
        }
        #expect(decodingFailure(Triple.self, from: [1, 2]) == "no item left at [2]: the sequence has 2 items")
    }

    @Test func encodingErrorsCarryThePath() throws {
        struct Event: Codable {
            var when: Date
        }
        let far = Date(timeIntervalSince1970: 1e12)
        let error = #expect(throws: EncodingError.self) {
            try PickleEncoder().encodeValue(["events": [Event(when: far)]])
        }
        #expect(codingMessage(error!)?.hasSuffix("is outside datetime's years 1 to 9999 at events[0].when") == true)
        #expect(error.map { codingPathStrings($0) } == ["events", "Index 0", "when"])

        let dictKey = #expect(throws: EncodingError.self) { try PickleEncoder().encodeValue(Set([["a": 1]])) }
        #expect(
            codingMessage(dictKey!) == "a dict key or set element encodes to a dict, which Python cannot hash, at [0]")
    }

    final class Node: Decodable {
        var name: String
        var children: [Node]
    }

    @Test func cyclesAndDeepNestingAreErrorsNotCrashes() throws {
        // d = {'name': 'root', 'children': []}; d['children'].append(d)
        let children = PickleList()
        let root: PickleValue = ["name": "root", "children": .list(children)]
        children.append(root)
        let message = decodingFailure(Node.self, from: root)
        #expect(
            message?.hasPrefix(
                "values nested deeper than maxDepth (512), or a value that contains itself, at children[0]")
                == true)

        var deep: PickleValue = ["name": "leaf", "children": []]
        for _ in 0..<20 { deep = ["name": "n", "children": [deep]] }
        var decoder = PickleDecoder()
        #expect(try decoder.decode(Node.self, from: deep).children.count == 1)
        decoder.maxDepth = 10
        #expect(throws: DecodingError.self) { try decoder.decode(Node.self, from: deep) }
    }

    @Test func hugeIntegersAreDescribedBySize() throws {
        let huge = PickleValue.bigInt(BigInteger(isNegative: false, magnitude: [UInt64](repeating: 1, count: 100)))
        #expect(decodingFailure(Int.self, from: huge) == "int of 6337 bits does not fit in Int at the top level")
    }

    @Test func pathRendering() {
        #expect(PickleCodingPath.root.pythonDescription == "the top level")
        let path = PickleCodingPath.root.appending(PickleCodingKey(stringValue: "a")).appending(index: 2)
            .appending(PickleCodingKey(intValue: -5)).appending(PickleCodingKey(stringValue: "b"))
        #expect(path.pythonDescription == "a[2][-5].b")
    }

    @Test func codingKeysKeepTheirValuesAndFitAnExistentialInline() {
        let name = PickleCodingKey(stringValue: "a long key name, longer than fifteen bytes")
        #expect(name.stringValue == "a long key name, longer than fifteen bytes" && name.intValue == nil)
        #expect(name.kind == .name)
        let key = PickleCodingKey(intValue: -5)
        #expect(key.stringValue == "-5" && key.intValue == -5 && key.kind == .integerKey)
        let index = PickleCodingKey(index: 7)
        #expect(index.stringValue == "Index 7" && index.intValue == 7 && index.kind == .index)
        // A path stores its keys as `any CodingKey`: a key of more than three words would be boxed, an
        // allocation for every nested value encoded or decoded.
        #expect(MemoryLayout<PickleCodingKey>.size <= 3 * MemoryLayout<Int>.size)
    }

    func codingPathStrings(_ error: EncodingError) -> [String] {
        guard case .invalidValue(_, let context) = error else { return [] }
        return context.codingPath.map(\.stringValue)
    }
}
