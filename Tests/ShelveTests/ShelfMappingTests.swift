import Foundation
import TestSupport
import Testing

@testable import Shelve

/// The substance of CPython's `BasicTestMappingProtocol`, which `test_shelve` runs against shelves of every
/// protocol on every dbm backend: here against GDBM shelves written at protocols 0 to 5.
@Suite("The mapping protocol, at every pickle protocol")
struct ShelfMappingTests {
    let scratch: Scratch
    var path: String { scratch.path }

    init() throws {
        scratch = try Scratch()
    }

    /// Like the suite's reference mapping: three keys, a str, an int and a tuple.
    static var reference: [(String, PickleValue)] {
        [("key1", "value1"), ("key2", 2), ("key3", .tuple([1, 2, 3]))]
    }
    static var other: [(String, PickleValue)] {
        [("key4", "value4"), ("key5", .tuple(["x", 1.5]))]
    }

    func filled(protocol protocolVersion: Int) throws -> Shelf {
        let shelf = try Shelf(path: path, mode: .newShelf, protocol: protocolVersion)
        try shelf.update(Self.reference)
        return shelf
    }

    @Test(arguments: 0...5) func read(protocolVersion: Int) throws {
        let empty = try Shelf(path: path, mode: .newShelf, protocol: protocolVersion)
        #expect(try empty.isEmpty)
        #expect(try empty.keys().isEmpty)
        #expect(try empty.values().isEmpty)
        #expect(try empty.items().isEmpty)
        #expect(empty["key1"] == nil)
        try empty.close()

        let shelf = try filled(protocol: protocolVersion)
        #expect(try !shelf.isEmpty)
        #expect(try shelf.count == 3)
        #expect(try Set(shelf.keys()) == Set(Self.reference.map(\.0)))
        for (key, value) in Self.reference {
            #expect(try shelf.contains(key))
            #expect(shelf[key] == value)
            #expect(try shelf.value(forKey: key) == value)
            #expect(try shelf.value(forKey: key, default: "absent") == value)
        }
        #expect(try !shelf.contains("key4"))
        #expect(try shelf.value(forKey: "key4", default: "absent") == "absent")
        let items = try shelf.items()
        #expect(items.count == 3)
        for (key, value) in items {
            #expect(Self.reference.first { $0.0 == key }?.1 == value)
        }
        let values = try shelf.values()
        #expect(values.count == 3)
        #expect(values.allSatisfy { value in Self.reference.contains { $0.1 == value } })
        #expect(try shelf.entries().map(\.key) == shelf.keys())
        try shelf.close()
    }

    @Test(arguments: 0...5) func write(protocolVersion: Int) throws {
        let shelf = try filled(protocol: protocolVersion)
        // Overwrite, and add.
        for (key, _) in Self.reference {
            shelf[key] = .string(key + " again")
            #expect(shelf[key] == .string(key + " again"))
        }
        try shelf.update(Self.other)
        #expect(try shelf.count == 5)
        // Delete each key, then it is gone.
        for (key, _) in Self.reference {
            try shelf.delete(key)
            #expect(try !shelf.contains(key))
            let error = #expect(throws: ShelfError.self) { try shelf.delete(key) }
            #expect(error?.code == .keyNotFound)
        }
        #expect(try Set(shelf.keys()) == ["key4", "key5"])
        try shelf.close()
    }

    @Test(arguments: 0...5) func update(protocolVersion: Int) throws {
        let shelf = try Shelf(path: path, mode: .newShelf, protocol: protocolVersion)
        try shelf.update([:] as [String: PickleValue])
        #expect(try shelf.isEmpty)
        try shelf.update(["a": 1, "b": 2])
        try shelf.update([("b", 3), ("c", 4), ("b", 5)])  // the later pair wins
        #expect(shelf["a"] == 1)
        #expect(shelf["b"] == 5)
        #expect(shelf["c"] == 4)
        try shelf.close()
    }

    @Test(arguments: 0...5) func setDefault(protocolVersion: Int) throws {
        let shelf = try filled(protocol: protocolVersion)
        #expect(try shelf.value(forKey: "key1", storingDefault: "other") == "value1")
        #expect(try shelf.value(forKey: "new", storingDefault: .list([1])) == .list([1]))
        #expect(shelf["new"] == .list([1]))
        try shelf.close()
    }

    @Test(arguments: 0...5) func pop(protocolVersion: Int) throws {
        let shelf = try filled(protocol: protocolVersion)
        #expect(try shelf.removeValue(forKey: "key3") == .tuple([1, 2, 3]))
        #expect(try !shelf.contains("key3"))
        #expect(try shelf.removeValue(forKey: "key3") == nil)
        #expect(try shelf.count == 2)
        try shelf.close()
    }

    @Test(arguments: 0...5) func clear(protocolVersion: Int) throws {
        let shelf = try filled(protocol: protocolVersion)
        try shelf.removeAll()
        #expect(try shelf.isEmpty)
        shelf["again"] = 1
        #expect(try shelf.count == 1)
        try shelf.close()
    }

    @Test(arguments: 0...5) func valuesPersistAcrossReopening(protocolVersion: Int) throws {
        try filled(protocol: protocolVersion).close()
        let shelf = try Shelf(path: path, mode: .readOnly)
        for (key, value) in Self.reference {
            #expect(shelf[key] == value)
        }
        try shelf.close()
    }

    @Test func differentProtocolsWriteDifferentBytes() throws {
        var pickles: [[UInt8]] = []
        for protocolVersion in 0...5 {
            let shelf = try Shelf(path: path, mode: .newShelf, protocol: protocolVersion)
            shelf["tuple"] = .tuple([1, 2, 3])
            pickles.append(try #require(try shelf.file?.fetch(Array("tuple".utf8))))
            try shelf.close()
        }
        #expect(Set(pickles).count == 6)
        #expect(pickles[2].starts(with: [0x80, 2]))
        #expect(pickles[5].starts(with: [0x80, 5]))
    }

    @Test func recordsAreByteForByteWhatPythonShelveWrites() throws {
        // The same values written by Python's shelve and by Shelf, at every protocol, give the same pickles.
        let values: [(String, PickleValue, String)] = [
            ("text", "caf\u{e9} \u{2615}", "'caf\\u00e9 \\u2615'"),
            ("tuple", .tuple([1, 2, 3]), "(1, 2, 3)"),
            ("list", [1, "two", 3.5, nil, true], "[1, 'two', 3.5, None, True]"),
            ("dict", ["a": 1, "b": [2, 3]], "{'a': 1, 'b': [2, 3]}"),
            ("big", .integer(BigInteger("1267650600228229401496703205376")!), "2**100"),
        ]
        for protocolVersion in 0...5 {
            let pythonPath = scratch.directory.path("python-\(protocolVersion).db")
            try PythonShelf.write(
                pythonPath, protocol: protocolVersion,
                values.map { "s['\($0.0)'] = \($0.2)" }.joined(separator: "\n")
            )
            let shelf = try Shelf(path: path, mode: .newShelf, protocol: protocolVersion)
            for (key, value, _) in values { shelf[key] = value }
            try shelf.close()
            let ours = try Shelf(path: path, mode: .readOnly)
            let theirs = try Shelf(path: pythonPath, mode: .readOnly)
            for (key, _, _) in values {
                let rawKey = Array(key.utf8)
                #expect(try ours.file?.fetch(rawKey) == theirs.file?.fetch(rawKey), "\(key) at \(protocolVersion)")
            }
            try ours.close()
            try theirs.close()
        }
    }

    @Test func reorganizeShrinksTheFileAndKeepsEveryValue() throws {
        let shelf = try Shelf(path: path)
        let filler = PickleValue.bytes(Array(repeating: 7, count: 4_096))
        for index in 0..<500 { shelf["k\(index)"] = filler }
        for index in 0..<480 { try shelf.delete("k\(index)") }
        shelf["kept"] = [1, 2, 3]
        try shelf.sync()
        let before = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        try shelf.reorganize()
        let after = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(after < before)
        #expect(try shelf.count == 21)
        #expect(shelf["kept"] == [1, 2, 3])
        #expect(shelf["k499"] == filler)
        try shelf.close()
        #expect(try PythonShelf.read(path, "print(len(s), s['kept'])") == "21 [1, 2, 3]\n")
    }
}
