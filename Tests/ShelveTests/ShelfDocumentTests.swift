import Foundation
import TestSupport
import Testing

@testable import Shelve

/// `Shelf.document(forKey:)`: a record read as a `PickleDocument`, from Python's shelves and Swift's, with
/// and without writeback, and the errors of a record that is not a pickle.
@Suite("Shelf: records as PickleDocuments")
struct ShelfDocumentTests {
    let scratch: Scratch
    var path: String { scratch.path }

    init() throws {
        scratch = try Scratch()
    }

    @Test(arguments: 0...5) func recordsPythonWroteReadAsTheirValues(protocolVersion: Int) throws {
        try PythonShelf.write(
            path, protocol: protocolVersion,
            """
            shared = [1, 2]
            s['user'] = {'name': 'Ada', 'age': 36, 'tags': ['math', 'engines'], 'ratio': 0.5, 'blob': b'\\x00\\xff'}
            s['shared'] = [shared, shared, {'again': shared}]
            s['big'] = {n: str(n) for n in range(100)}
            s['odd'] = {(1, 2): {1, 2}, 'x': 2**100}
            """)
        let shelf = try Shelf(path: path, mode: .readOnly)
        for key in try shelf.keys() {
            let document = try #require(try shelf.document(forKey: key))
            #expect(document.root.pickleValue == (try shelf.value(forKey: key)), "\(key)")
        }
        let user = try #require(try shelf.document(forKey: "user")).root
        #expect(user["name"]?.stringValue == "Ada")
        #expect(user["age"]?.intValue == 36)
        #expect(user["tags"]?.elements?.compactMap(\.stringValue) == ["math", "engines"])
        #expect(user["ratio"]?.doubleValue == 0.5)
        #expect(user["blob"]?.bytesValue == [0x00, 0xFF])
        let big = try #require(try shelf.document(forKey: "big")).root
        #expect(big[key: 42]?.stringValue == "42")
        #expect(big.entries?.count == 100)
        let shared = try #require(try shelf.document(forKey: "shared")).root
        #expect(shared[0]?.pickleValue.referenceIdentity == shared[2]?["again"]?.pickleValue.referenceIdentity)
        #expect(try shelf.document(forKey: "missing") == nil)
    }

    struct User: Codable, Equatable {
        var name: String
        var age: Int
    }

    @Test func writebackShowsTheCachedValue() throws {
        let shelf = try Shelf(path: path, mode: .newShelf, writeback: true)
        try shelf.setValue(User(name: "Ada", age: 36), forKey: "ada")
        guard case .dict(let cached) = try #require(try shelf.value(forKey: "ada")) else {
            Issue.record("not a dict")
            return
        }
        cached["age"] = 37  // changed in the cache, not yet in the file
        let document = try #require(try shelf.document(forKey: "ada"))
        #expect(document.root["age"]?.intValue == 37)
        #expect(try PickleDecoder().decode(User.self, from: document.root) == User(name: "Ada", age: 37))
        // The document is a snapshot, and its objects are not the shelf's.
        cached["age"] = 38
        #expect(document.root["age"]?.intValue == 37)
        #expect(document.root.pickleValue.referenceIdentity != ObjectIdentifier(cached))
        try shelf.close()
        #expect(throws: ShelfError.self) { try shelf.document(forKey: "ada") }
    }

    @Test func aRecordThatIsNotAPickleFailsToDecode() throws {
        try Python.script(
            """
            import dbm.gnu, pickle, sys
            with dbm.gnu.open(sys.argv[1], 'n') as db:
                db[b'bad'] = b'not a pickle'
                db[b'good'] = pickle.dumps(1)
            """, [path])
        let shelf = try Shelf(path: path, mode: .readOnly)
        #expect(try shelf.document(forKey: "good")?.root.intValue == 1)
        let error = try #require(throws: ShelfError.self) { try shelf.document(forKey: "bad") }
        #expect(error.code == .decodingFailed)
        #expect(error.underlying is PickleError)
        #expect(error.key == "bad")
    }
}
