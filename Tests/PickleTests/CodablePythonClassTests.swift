import Foundation
import Testing

@testable import Pickle

/// Types that name a Python class encode as instances of it.
@Suite("Codable: Python classes")
struct CodablePythonClassTests {
    struct Item: Codable, Equatable, PythonClass {
        static let pythonClass = PickleGlobal(module: "shop", name: "Item")
        var name: String
        var price: Int
        var tags: [String] = []
    }

    struct Marker: Codable, Equatable, PythonClass {
        static let pythonClass = PickleGlobal(module: "shop", name: "Marker")
    }

    struct Cart: Codable, Equatable {
        var items: [Item]
        var marker: Marker?
    }

    @Test func encodesAsANewInstanceWithState() throws {
        let value = try PickleEncoder().encodeValue(Item(name: "pen", price: 3))
        guard case .object(let object) = value else {
            Issue.record("expected an object, got \(codableRepr(value))")
            return
        }
        #expect(object.construction == .newObject)
        #expect(object.global == Item.pythonClass)
        #expect(object.arguments.isEmpty)
        #expect(codableRepr(value) == "shop.Item.__new__().__setstate__({'name': 'pen', 'price': 3, 'tags': []})")
    }

    @Test func anInstanceWithoutFieldsHasNoState() throws {
        #expect(codableRepr(try PickleEncoder().encodeValue(Marker())) == "shop.Marker.__new__()")
        #expect(try PickleDecoder().decode(Marker.self, from: try PickleEncoder().encodeValue(Marker())) == Marker())
    }

    @Test func nestedInstancesRoundTrip() throws {
        let cart = Cart(items: [Item(name: "a", price: 1, tags: ["x"]), Item(name: "b", price: 2)], marker: Marker())
        let value = try PickleEncoder().encodeValue(cart)
        #expect(
            codableRepr(value) == """
                {'items': [shop.Item.__new__().__setstate__({'name': 'a', 'price': 1, 'tags': ['x']}), \
                shop.Item.__new__().__setstate__({'name': 'b', 'price': 2, 'tags': []})], \
                'marker': shop.Marker.__new__()}
                """)
        #expect(try PickleDecoder().decode(Cart.self, from: value) == cart)
    }

    @Test func optionalInstancesInACollectionAreOneInstanceEach() throws {
        // An optional reaches the encoder's generic path inside a collection; the instance it holds
        // must be written once, not wrapped again as the state of a second instance.
        let items: [Item?] = [Item(name: "a", price: 1), nil]
        let value = try PickleEncoder().encodeValue(items)
        #expect(codableRepr(value) == "[shop.Item.__new__().__setstate__({'name': 'a', 'price': 1, 'tags': []}), None]")
        #expect(try PickleDecoder().decode([Item?].self, from: value) == items)
    }

    @Test func decodesFromAPlainDictToo() throws {
        let value: PickleValue = ["name": "pen", "price": 3, "tags": ["blue"]]
        #expect(try PickleDecoder().decode(Item.self, from: value) == Item(name: "pen", price: 3, tags: ["blue"]))
    }

    @Test func decodesTheProtocolZeroForm() throws {
        // copyreg._reconstructor(cls, object, None), then the state: what protocols 0 and 1 carry.
        let object = PickleObject(
            construction: .reduce, callable: .global(PickleGlobal(module: "copyreg", name: "_reconstructor")),
            arguments: [.global(Item.pythonClass), .global(PickleGlobal(module: "builtins", name: "object")), .none],
            state: ["name": "pen", "price": 3, "tags": []])
        #expect(try PickleDecoder().decode(Item.self, from: .object(object)) == Item(name: "pen", price: 3))
    }

    @Test func slotsStateIsMerged() throws {
        let object = PickleObject(
            newInstanceOf: Item.pythonClass, state: .tuple([["name": "pen"], ["price": 3, "tags": []]]))
        #expect(try PickleDecoder().decode(Item.self, from: .object(object)) == Item(name: "pen", price: 3))
    }

    @Test func anotherClassIsAMismatch() throws {
        let other = PickleObject(newInstanceOf: PickleGlobal(module: "shop", name: "Other"), state: ["name": "x"])
        #expect(
            decodingFailure(Cart.self, from: ["items": [.object(other)]])
                == "expected shop.Item at items[0], found shop.Other")
        #expect(decodingFailure(Item.self, from: 5) == "expected shop.Item at the top level, found int")
    }

    struct Celsius: Codable, Equatable, PythonClass {
        static let pythonClass = PickleGlobal(module: "units", name: "Celsius")
        var degrees: Double
        init(degrees: Double) { self.degrees = degrees }
        init(from decoder: any Decoder) throws { degrees = try decoder.singleValueContainer().decode(Double.self) }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(degrees)
        }
    }

    @Test func aSingleValueEncodingIsTheState() throws {
        let value = try PickleEncoder().encodeValue(Celsius(degrees: 21.5))
        #expect(codableRepr(value) == "units.Celsius.__new__().__setstate__(21.5)")
        #expect(try PickleDecoder().decode(Celsius.self, from: value) == Celsius(degrees: 21.5))
    }
}
