import Foundation
import Testing

@testable import Pickle

/// `PickleEncoder.encode(_:)` writes most values straight to bytes (``PickleStreamEncoding``) and hands
/// the rest to the tree path. These tests pin down which values take which path, and that both give
/// the tree's bytes; PickleEncoderDifferentialTests covers the bytes over many more shapes.
@Suite("PickleEncoder: the streaming path and when it hands over to the tree")
struct PickleStreamEncoderTests {
    struct Address: Codable {
        var street: String
        var city: String
    }

    struct Person: Codable {
        var name: String
        var age: Int
        var height: Double
        var admin: Bool
        var nickname: String?
        var manager: String?
        var addresses: [Address]
        var scores: [Int]
        var tags: [String]
        var ratings: [Double]
        var counts: [String: Int]
        var matrix: [[Int]]
        var grouped: [Int: [Int: Int?]]
        var avatar: [UInt8]
        var birthday: Date
        var item: Item
        var missing: Item?
    }

    struct Item: Codable, PythonClass {
        static let pythonClass = PickleGlobal(module: "__main__", name: "Item")
        var name: String
    }

    static let person = Person(
        name: "Ada", age: 36, height: 1.65, admin: true, nickname: nil, manager: "Charles",
        addresses: [Address(street: "1 Main St", city: "London"), Address(street: "2 Side St", city: "London")],
        scores: [1, 2, 300, -4, 1 << 40], tags: ["a", "b", "a"], ratings: [0.5, -0.0], counts: ["x": 1, "y": 2],
        matrix: [[1, 2], [], [3]], grouped: [1: [2: nil, 3: 4]], avatar: [0, 255],
        birthday: Date(timeIntervalSince1970: 1_000_000_000), item: Item(name: "pen"), missing: nil)

    /// The streaming path's bytes, `nil` when it handed over; and the tree path's.
    func encodings<T: Encodable>(_ value: T, protocol version: Int = 5) throws -> (streamed: [UInt8]?, tree: [UInt8]) {
        var encoder = PickleEncoder()
        encoder.protocolVersion = version
        let streamed = try PickleStreamEncoding.encode(value, with: encoder)
        let tree = try Pickler.dumps(try encoder.encodeValue(value), protocol: version)
        return (streamed, tree)
    }

    @Test("Structs, arrays, dictionaries with String and Int keys, optionals and native types stream", arguments: 0...5)
    func commonShapesStream(version: Int) throws {
        let (streamed, tree) = try encodings(Self.person, protocol: version)
        #expect(streamed != nil)
        #expect(streamed == tree)
        // Twice: the second encode follows the key layout the first one learned.
        let (again, _) = try encodings(Self.person, protocol: version)
        #expect(again == tree)
        #expect(try PickleEncoder().encode(Self.person) == encodings(Self.person).tree)
    }

    @Test("A type learns its key order once its keys proved distinct")
    func keyLayoutIsLearned() throws {
        struct Fresh: Codable {
            var first = 1
            var second = "two"
            var third: Int?
        }
        _ = try encodings(Fresh())
        let layout = PickleEncodingInfo.of(Fresh.self).keyLayout.load()
        #expect(layout?.keys == ["first", "second", "third"])
    }

    @Test("Containers of any size stream, with CPython's batches", arguments: [0, 1, 2, 999, 1000, 1001, 2000, 2001])
    func batches(count: Int) throws {
        for version in [0, 2, 5] {
            let list = try encodings(Array(0..<count), protocol: version)
            #expect(list.streamed != nil && list.streamed == list.tree)
            let dict = try encodings(
                Dictionary(uniqueKeysWithValues: (0..<count).map { ("k\($0)", $0) }), protocol: version)
            #expect(dict.streamed != nil && dict.streamed == dict.tree)
            let keyed = try encodings(ManyKeys(count: count), protocol: version)
            #expect(keyed.streamed != nil && keyed.streamed == keyed.tree)
            let unkeyed = try encodings(ManyElements(count: count), protocol: version)
            #expect(unkeyed.streamed != nil && unkeyed.streamed == unkeyed.tree)
        }
    }

    @Test("A dictionary's common form is the same found by its type or by its key and value types")
    func commonDictionaryByKeyAndValue() {
        func check<K: Hashable, V>(_: K.Type, _: V.Type) {
            #expect(CommonDictionary(key: K.self, value: V.self) == CommonDictionary([K: V].self), "\(K.self): \(V.self)")
        }
        func values<K: Hashable>(keyedBy key: K.Type) {
            check(K.self, String.self)
            check(K.self, Int.self)
            check(K.self, Double.self)
            check(K.self, Bool.self)
            check(K.self, String?.self)
            check(K.self, Int?.self)
            check(K.self, Double?.self)
            check(K.self, Bool?.self)
            check(K.self, Int8.self)
            check(K.self, Int??.self)
            check(K.self, [Int].self)
            check(K.self, Person.self)
        }
        values(keyedBy: String.self)
        values(keyedBy: Int.self)
        values(keyedBy: Int8.self)
        values(keyedBy: String?.self)
        #expect(CommonDictionary(key: String.self, value: Int.self) == .stringToInt)
        #expect(CommonDictionary(key: Int.self, value: Bool?.self) == .intToOptionalBool)
        #expect(CommonDictionary(key: Int.self, value: Int16.self) == nil)
    }

    @Test("Keys that come in another order from one instance to the next still stream")
    func changingKeyOrderStreams() throws {
        let values = (0..<20).map { Conditional(index: $0) }
        let (streamed, tree) = try encodings(values)
        #expect(streamed != nil)
        #expect(streamed == tree)
    }

    @Test("Uses of the Encoder that a stream cannot write as it goes hand over to the tree path")
    func unusualEncodingsHandOver() throws {
        let cases: [(String, any Encodable)] = [
            ("a key encoded twice", RepeatedKey()),
            ("a super encoder", SuperEncoded()),
            ("a single value encoded twice", TwoSingleValues()),
            ("a nested container written after its parent's next key", Interleaved()),
            ("keys Swift thinks equal and Python does not", CanonicallyEqualKeys()),
            ("a PickleValue list of the caller's", ["shared": PickleValue.list(["a"])]),
            ("a huge first item, so that a MARK cannot move in front of it", BigFirstItem()),
            ("an encoder kept by a value that encoded nothing, used afterwards", KeepsEncoder()),
            ("a container of a class value, kept and written after the value", KeepsClassContainer()),
            ("a container of a dictionary key's value, kept and written after it", KeepsKeyContainer()),
            ("a value whose encoding failed partway, the error swallowed with try?", SwallowsPartialValue()),
        ]
        for (label, value) in cases {
            let (streamed, tree) = try encodings(value)
            #expect(streamed == nil, "\(label) streamed")
            #expect(try PickleEncoder().encode(value) == tree, "\(label)")
        }
    }

    @Test("Values with a Python form of their own the stream does not know are built, then written")
    func builtValuesStream() throws {
        let values: [(String, any Encodable)] = [
            ("a dictionary whose keys are not String or Int", [[1, 2]: "pair"] as [[Int]: String]),
            ("a set", Set([1, 2, 3])),
            ("dates", [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1)]),
            ("a PickleValue without lists or dicts", ["atom": PickleValue.tuple([1, "a"])]),
        ]
        for (label, value) in values {
            let (streamed, tree) = try encodings(value)
            #expect(streamed != nil, "\(label) handed over")
            #expect(streamed == tree, "\(label)")
        }
    }

    @Test("An encode keeps nothing alive once it returns")
    func nothingOutlivesAnEncode() throws {
        let probe = EncoderProbe()
        _ = try PickleEncoder().encode([Watched(probe: probe), Watched(probe: probe)])
        #expect(probe.encoders.count == 2)
        #expect(probe.encoders.allSatisfy { $0.object == nil })
    }

    @Test("A date that is not a number of seconds is an error, not a crash")
    func nanDate() throws {
        for seconds in [Double.nan, .infinity, -.infinity, 1e300] {
            let error = #expect(throws: EncodingError.self) {
                try PickleEncoder().encode(Date(timeIntervalSince1970: seconds))
            }
            #expect(error != nil)
            #expect(error.map { "\($0)" }?.contains("seconds from 1970") == true)
        }
    }

    @Test("Errors come from the tree path, in its order")
    func errorsAreTheTreePaths() throws {
        struct Late: Encodable {
            struct Failure: Error {}
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(1, forKey: Key("a"))
                throw Failure()
            }
        }
        #expect(throws: Late.Failure.self) { try PickleEncoder().encode(Late()) }
        var encoder = PickleEncoder()
        encoder.protocolVersion = 6
        let error = #expect(throws: PickleError.self) { try encoder.encode(1) }
        #expect(error?.code == .unsupportedProtocol)
    }
}

// MARK: - Shapes

private struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private struct ManyKeys: Encodable {
    var count: Int
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for index in 0..<count { try container.encode(index, forKey: Key("k\(index)")) }
    }
}

private struct ManyElements: Encodable {
    var count: Int
    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for index in 0..<count { try container.encode("e\(index % 7)") }
    }
}

private struct Conditional: Encodable {
    var index: Int
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        if index % 2 == 0 { try container.encode(index, forKey: Key("even")) }
        try container.encode(index, forKey: Key("index"))
        if index % 3 == 0 { try container.encode("three", forKey: Key("three")) }
    }
}

private struct RepeatedKey: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(1, forKey: Key("a"))
        try container.encode(2, forKey: Key("b"))
        try container.encode(3, forKey: Key("a"))
    }
}

private struct SuperEncoded: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(1, forKey: Key("a"))
        var parent = container.superEncoder().singleValueContainer()
        try parent.encode("super")
    }
}

private struct TwoSingleValues: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(1)
        try container.encode(2)
    }
}

private struct Interleaved: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        var nested = container.nestedContainer(keyedBy: Key.self, forKey: Key("nested"))
        try nested.encode(1, forKey: Key("one"))
        try container.encode(2, forKey: Key("after"))
        try nested.encode(3, forKey: Key("late"))
    }
}

private struct CanonicallyEqualKeys: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(1, forKey: Key("\u{E9}"))
        try container.encode(2, forKey: Key("e\u{301}"))
    }
}

private struct BigFirstItem: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(Array(repeating: "x", count: 70_000).map { $0 + "\($0.count)" }, forKey: Key("big"))
        try container.encode(1, forKey: Key("small"))
    }
}

/// Weak references to the encoders `Watched` values were given.
private final class EncoderProbe {
    struct Weak { weak var object: AnyObject? }
    var encoders: [Weak] = []
}

private struct Watched: Encodable {
    let probe: EncoderProbe
    func encode(to encoder: any Encoder) throws {
        probe.encoders.append(EncoderProbe.Weak(object: encoder as AnyObject))
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(1, forKey: Key("watched"))
    }
}

/// What a type's code kept of the encoders and containers it was given.
private final class Kept {
    var encoder: (any Encoder)?
    var keyed: KeyedEncodingContainer<Key>?
}

/// Keeps its encoder and encodes nothing; its parent then uses the kept encoder.
private struct KeepsEncoder: Encodable {
    struct Quiet: Encodable {
        let kept: Kept
        func encode(to encoder: any Encoder) throws { kept.encoder = encoder }
    }
    func encode(to encoder: any Encoder) throws {
        let kept = Kept()
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(Quiet(kept: kept), forKey: Key("a"))
        var late = kept.encoder!.container(keyedBy: Key.self)
        try late.encode(1, forKey: Key("late"))
    }
}

/// A class (written through the value model inside the stream) whose container its parent writes to later.
private final class Node: Encodable {
    let kept: Kept
    init(kept: Kept) { self.kept = kept }
    func encode(to encoder: any Encoder) throws { kept.keyed = encoder.container(keyedBy: Key.self) }
}

private struct KeepsClassContainer: Encodable {
    func encode(to encoder: any Encoder) throws {
        let kept = Kept()
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(Node(kept: kept), forKey: Key("a"))
        try kept.keyed!.encode(1, forKey: Key("b"))
    }
}

/// The same through a dictionary whose keys are not `String` or `Int` (also built through the value model).
private struct KeepsKeyContainer: Encodable {
    func encode(to encoder: any Encoder) throws {
        let kept = Kept()
        var container = encoder.container(keyedBy: Key.self)
        try container.encode([Int8(1): Node(kept: kept)], forKey: Key("a"))
        try kept.keyed!.encode(2, forKey: Key("b"))
    }
}

/// A value that fails after writing part of itself, inside a `try?`: the tree path drops the whole value.
private struct SwallowsPartialValue: Encodable {
    struct Failure: Error {}
    struct Fails: Encodable {
        var fails: Bool
        func encode(to encoder: any Encoder) throws {
            if fails { throw Failure() }
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(1, forKey: Key("written"))
        }
    }
    func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        try? single.encode(["a": [Fails(fails: false), Fails(fails: true)]] as [String: [Fails]])
    }
}
