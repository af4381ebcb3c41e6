import Foundation
import GDBM
import TestSupport
import Testing

@testable import Shelve

struct Item: Codable, Equatable {
    var name: String
    var price: Double
    var tags: [String] = []
}

/// A value whose encoding always fails.
struct Unencodable: Codable {
    func encode(to encoder: any Encoder) throws {
        throw EncodingError.invalidValue(
            self, EncodingError.Context(codingPath: encoder.codingPath, debugDescription: "never encodable")
        )
    }
}

@Suite("Codable values: TypedShelf and the generic methods")
struct ShelfCodableTests {
    let scratch: Scratch
    var path: String { scratch.path }

    init() throws {
        scratch = try Scratch()
    }

    @Test func aTypedShelfStoresValuesPythonReadsAsDicts() throws {
        let items = try TypedShelf<Item>(path: path)
        items["apple"] = Item(name: "apple", price: 0.5, tags: ["red"])
        items["apple"]?.price += 0.25
        items["apple"]?.tags.append("round")
        try items.setValue(Item(name: "pear", price: 0.7), forKey: "pear")
        #expect(items["apple"] == Item(name: "apple", price: 0.75, tags: ["red", "round"]))
        #expect(try items.value(forKey: "pear") == Item(name: "pear", price: 0.7))
        #expect(try items.value(forKey: "fig") == nil)
        #expect(try items.value(forKey: "fig", default: Item(name: "fig", price: 0)).name == "fig")
        #expect(try items.count == 2)
        #expect(try items.contains("pear"))
        #expect(try items.keys().sorted() == ["apple", "pear"])
        #expect(try items.values().map(\.name).sorted() == ["apple", "pear"])
        #expect(try items.items().count == 2)
        try items.close()
        #expect(items.isClosed)

        let output = try PythonShelf.read(path, "for k in sorted(s): print(k, s[k])")
        #expect(
            output == """
                apple {'name': 'apple', 'price': 0.75, 'tags': ['red', 'round']}
                pear {'name': 'pear', 'price': 0.7, 'tags': []}

                """)
    }

    /// Without writeback, setValue pickles the Swift value straight to bytes; with writeback, through the
    /// value model it caches. Both must store what the value model's pickle is, at every protocol.
    @Test(arguments: 0...5)
    func aCodableValueIsStoredAsItsValueModelsPickle(protocolVersion: Int) throws {
        let item = Item(name: "fig", price: 1.5, tags: ["sweet", "sweet", "brown"])
        let expected = try Pickler.dumps(try PickleEncoder().encodeValue(item), protocol: protocolVersion)
        for writeback in [false, true] {
            let shelf = try Shelf(path: path, mode: .newShelf, protocol: protocolVersion, writeback: writeback)
            try shelf.setValue(item, forKey: "fig")
            try shelf.close()
            let file = try GDBMFile(path: path, mode: .readOnly)
            #expect(try file.fetch(Array("fig".utf8)) == expected, "writeback: \(writeback)")
            try file.close()
        }
    }

    @Test func optionalChainingOnAMissingKeyChangesNothingAndRecordsNothing() throws {
        let items = try TypedShelf<Item>(path: path)
        items["missing"]?.price += 1
        items["missing"]?.tags.append("x")
        #expect(try !items.contains("missing"))
        #expect(items.pendingErrors.isEmpty)
        let shelf = items.shelf
        shelf["missing"] = shelf["missing"]
        #expect(shelf.pendingErrors.isEmpty)
        try items.close()
    }

    @Test func aTypedShelfReadsDictsWrittenByPython() throws {
        try PythonShelf.write(path, "s['fig'] = {'name': 'fig', 'price': 1.25, 'tags': ['sweet']}")
        let items = try TypedShelf<Item>(path: path, mode: .readOnly)
        #expect(items["fig"] == Item(name: "fig", price: 1.25, tags: ["sweet"]))
        try items.close()
    }

    @Test func removingAndDeletingTypedValues() throws {
        let items = try TypedShelf<Item>(path: path)
        try items.update(["a": Item(name: "a", price: 1), "b": Item(name: "b", price: 2)])
        #expect(try items.removeValue(forKey: "a")?.name == "a")
        #expect(try items.removeValue(forKey: "a") == nil)
        try items.delete("b")
        items["c"] = Item(name: "c", price: 3)
        items["c"] = nil
        items["c"] = nil
        #expect(try items.count == 0)
        try items.update(["d": Item(name: "d", price: 4)])
        try items.removeAll()
        #expect(try items.count == 0)
        try items.sync()
        try items.close()
    }

    @Test func aHeterogeneousShelfFromPythonReadsWithTheDynamicShelf() throws {
        try PythonShelf.write(
            path,
            """
            s['item'] = {'name': 'fig', 'price': 1.25, 'tags': []}
            s['count'] = 3
            s['names'] = ['a', 'b']
            """)
        let items = try TypedShelf<Item>(path: path)
        #expect(items["item"]?.name == "fig")
        #expect(items["count"] == nil)
        #expect(items.pendingErrors.map(\.code) == [.decodingFailed])
        #expect(items.pendingErrors.first?.underlying is DecodingError)
        #expect(items.pendingErrors.first?.message.contains("does not decode as Item") == true)
        items.removePendingErrors()
        let error = #expect(throws: ShelfError.self) { try items.values() }
        #expect(error?.code == .decodingFailed)
        #expect(throws: ShelfError.self) { try items.removeValue(forKey: "count") }
        #expect(try items.contains("count"))

        let shelf = items.shelf
        #expect(shelf["count"] == 3)
        #expect(try shelf.value(Int.self, forKey: "count") == 3)
        let names: [String]? = try shelf.value(forKey: "names")
        #expect(names == ["a", "b"])
        #expect(try shelf.value(Item.self, forKey: "item")?.price == 1.25)
        let mismatch = #expect(throws: ShelfError.self) { try shelf.value(String.self, forKey: "count") }
        #expect(mismatch?.code == .decodingFailed)
        #expect(mismatch?.key == "count")
        try items.close()
    }

    @Test func genericMethodsOnADynamicShelf() throws {
        let shelf = try Shelf(path: path, protocol: 3)
        try shelf.setValue(Item(name: "kiwi", price: 0.3), forKey: "kiwi")
        try shelf.setValue([1, 2, 3], forKey: "numbers")
        try shelf.setValue("text", forKey: "text")
        try shelf.setValue(PickleValue.list([1]), forKey: "value")
        #expect(shelf["kiwi"] == ["name": "kiwi", "price": 0.3, "tags": []])
        #expect(shelf["numbers"] == [1, 2, 3])
        #expect(try shelf.value([Int].self, forKey: "numbers") == [1, 2, 3])
        #expect(try shelf.value(PickleValue.self, forKey: "value") == [1])
        try shelf.close()
        let output = try PythonShelf.read(path, "print(s['kiwi'], s['numbers'], s['text'])")
        #expect(output == "{'name': 'kiwi', 'price': 0.3, 'tags': []} [1, 2, 3] text\n")
    }

    @Test func anEncodingFailureStoresNothingAndSubscriptsRecordIt() throws {
        let shelf = try Shelf(path: path)
        let error = #expect(throws: ShelfError.self) { try shelf.setValue(Unencodable(), forKey: "bad") }
        #expect(error?.code == .encodingFailed)
        #expect(error?.key == "bad")
        #expect(error?.underlying is EncodingError)
        #expect(try !shelf.contains("bad"))

        let typed = TypedShelf<Unencodable>(shelf)
        typed["bad"] = Unencodable()
        #expect(shelf.pendingErrors.map(\.code) == [.encodingFailed])
        let closeError = #expect(throws: ShelfError.self) { try typed.close() }
        #expect(closeError?.code == .deferredFailures)
    }

    @Test func typedValuesUnderWritebackAreDecodedFromTheCache() throws {
        let shelf = try Shelf(path: path, writeback: true)
        try shelf.setValue(Item(name: "plum", price: 1), forKey: "plum")
        var plum = try #require(try shelf.value(Item.self, forKey: "plum"))
        plum.price = 2  // a copy: the cache is unchanged
        #expect(try shelf.value(Item.self, forKey: "plum")?.price == 1)
        // Changing the cached object changes what typed reads decode, and what sync writes.
        if case .dict(let cached) = shelf["plum"] { cached["price"] = 3.0 }
        #expect(try shelf.value(Item.self, forKey: "plum")?.price == 3)
        try shelf.close()
        #expect(try PythonShelf.read(path, "print(s['plum']['price'])") == "3.0\n")
    }

    @Test func encoderOptionsApply() throws {
        let shelf = try Shelf(path: path)
        shelf.encoder.dateEncodingStrategy = .secondsSince1970
        try shelf.setValue(Date(timeIntervalSince1970: 86_400), forKey: "day")
        #expect(shelf["day"] == 86_400.0)
        try shelf.close()
    }

    @Test func withShelfForTypedShelves() throws {
        try TypedShelf<Item>.withShelf(path: path) { items in
            items["a"] = Item(name: "a", price: 1)
        }
        let count = try TypedShelf<Item>.withShelf(path: path, mode: .readOnly) { try $0.count }
        #expect(count == 1)
    }
}
