import Foundation
import TestSupport
import Testing

@testable import Shelve

/// Shelves shared with real CPython: Debian's python3 with dbm.gnu, through Python's own `shelve`.
@Suite("Interoperability with Python's shelve")
struct ShelfPythonInteropTests {
    let scratch: Scratch
    var path: String { scratch.path }

    init() throws {
        scratch = try Scratch()
        // A module with classes, importable by the Python side of each test.
        try """
        class Item:
            def __init__(self, name, price):
                self.name = name
                self.price = price
            def __eq__(self, other):
                return type(other) is Item and vars(self) == vars(other)
            def __repr__(self):
                return f'Item({self.name!r}, {self.price!r})'

        class Slotted:
            __slots__ = ('x', 'y')
            def __init__(self, x, y):
                self.x = x
                self.y = y
            def __eq__(self, other):
                return type(other) is Slotted and (self.x, self.y) == (other.x, other.y)
        """.write(toFile: scratch.directory.path("shop.py"), atomically: true, encoding: .utf8)
    }

    /// Python code that builds `values`, a dict of everything the tests exchange at a protocol, with `shop`
    /// imported. (CPython cannot pickle a class with `__slots__` at protocols 0 and 1.)
    static func pythonValues(_ protocolVersion: Int) -> String {
        pythonValueSource + (protocolVersion >= 2 ? "\nvalues['slotted'] = shop.Slotted(1, [2])" : "")
    }

    /// How many values ``pythonValues(_:)`` makes.
    static func valueCount(_ protocolVersion: Int) -> Int {
        protocolVersion >= 2 ? 20 : 19
    }

    static let pythonValueSource = """
        import shop
        shared = [1, 2]
        cycle = []
        cycle.append(cycle)
        loop = {}
        loop['self'] = loop
        values = {
            'none': None, 'bools': [True, False], 'ints': [0, -1, 255, 65536, -2**31, 2**62],
            'big': [2**64, -2**100, 10**40], 'floats': [0.0, -1.5, 1e300, float('inf')],
            'text': ['', 'ascii', 'caf\\u00e9', '\\u2615', '\\U0001F600'],
            'bytes': [b'', b'\\x00\\xff', bytes(range(256))], 'bytearray': bytearray(b'abc'),
            'tuple': (1, (2, 3), ()), 'list': [1, [2, [3, []]]],
            'dict': {'a': 1, 2: 'b', (3, 4): [5], None: {}}, 'set': {1, 'two', (3,)},
            'frozenset': frozenset({1, 2}), 'complex': 3 + 4j,
            'shared': {'a': shared, 'b': shared, 'c': (shared,)}, 'cycle': cycle, 'loop': loop,
            'item': shop.Item('apple', 0.5), 'items': [shop.Item('pear', 0.7)] * 2,
        }
        """

    @Test(arguments: 0...5) func swiftReadsWhatPythonShelveWrites(protocolVersion: Int) throws {
        try Python.script(
            """
            import dbm.gnu, shelve, sys
            sys.path.insert(0, sys.argv[2])
            \(Self.pythonValues(protocolVersion))
            with shelve.Shelf(dbm.gnu.open(sys.argv[1], 'n'), protocol=\(protocolVersion)) as s:
                s.update(values)
            """, [path, scratch.directory.root])

        let shelf = try Shelf(path: path, mode: .readOnly)
        #expect(try shelf.count == Self.valueCount(protocolVersion))
        #expect(shelf["none"] == PickleValue.none)
        #expect(shelf["bools"] == [true, false])
        #expect(shelf["ints"] == [0, -1, 255, 65536, -2_147_483_648, 4_611_686_018_427_387_904])
        #expect(
            shelf["big"]
                == .list([
                    .integer(BigInteger("18446744073709551616")!),
                    .integer(BigInteger("-1267650600228229401496703205376")!),
                    .integer(BigInteger("10000000000000000000000000000000000000000")!),
                ]))
        #expect(shelf["floats"] == [0.0, -1.5, 1e300, .float(.infinity)])
        #expect(shelf["text"] == ["", "ascii", "caf\u{e9}", "\u{2615}", "\u{1F600}"])
        #expect(shelf["tuple"] == .tuple([1, .tuple([2, 3]), .tuple([])]))
        #expect(shelf["list"] == [1, [2, [3, []]]])
        let expectedDict: PickleValue = ["a": 1, 2: "b", .tuple([3, 4]): [5], .none: .dict(PickleDict())]
        #expect(shelf["dict"] == expectedDict)
        if protocolVersion >= 3 {
            #expect(shelf["bytes"] == .list([.bytes([]), .bytes([0, 255]), .bytes(Array(0...255))]))
        }

        // Shared references stay shared, and cycles close on themselves.
        guard case .dict(let shared) = shelf["shared"], case .list(let a) = shared["a"],
            case .list(let b) = shared["b"], case .tuple(let c) = shared["c"], case .list(let inTuple) = c.first
        else {
            Issue.record("shared: unexpected shape")
            return
        }
        #expect(a === b)
        #expect(a === inTuple)
        guard case .list(let cycle) = shelf["cycle"], case .list(let inner) = cycle.first else {
            Issue.record("cycle: unexpected shape")
            return
        }
        #expect(cycle === inner)
        guard case .dict(let loop) = shelf["loop"], case .dict(let innerLoop) = loop["self"] else {
            Issue.record("loop: unexpected shape")
            return
        }
        #expect(loop === innerLoop)

        // An instance of a Python class is kept as inert data: its class and its attributes.
        guard case .object(let item) = shelf["item"] else {
            Issue.record("item: not an object")
            return
        }
        let itemClass = PickleValue.global(PickleGlobal(module: "shop", name: "Item"))
        #expect(item.callable == itemClass || item.arguments.first == itemClass)
        #expect(item.attributes?["name"] == "apple")
        #expect(item.attributes?["price"] == 0.5)
        guard case .list(let items) = shelf["items"], case .object(let first) = items.first,
            case .object(let second) = items.last
        else {
            Issue.record("items: unexpected shape")
            return
        }
        #expect(first === second)
        try shelf.close()
    }

    @Test(arguments: 0...5) func valuesFromPythonSurviveARoundTripThroughSwift(protocolVersion: Int) throws {
        let pythonPath = scratch.directory.path("python.db")
        try Python.script(
            """
            import dbm.gnu, shelve, sys
            sys.path.insert(0, sys.argv[2])
            \(Self.pythonValues(protocolVersion))
            with shelve.Shelf(dbm.gnu.open(sys.argv[1], 'n'), protocol=\(protocolVersion)) as s:
                s.update(values)
            """, [pythonPath, scratch.directory.root])

        // Swift copies every value to a shelf of its own, at the same protocol.
        let source = try Shelf(path: pythonPath, mode: .readOnly)
        let copy = try Shelf(path: path, mode: .newShelf, protocol: protocolVersion)
        for (key, value) in try source.items() {
            try copy.setValue(value, forKey: key)
        }
        try source.close()
        try copy.close()

        // Python's plain shelve.open reads Swift's file, and finds every value equal, sharing included.
        let output = try PythonShelf.read(
            path,
            """
            sys.path.insert(0, sys.argv[2])
            \(Self.pythonValues(protocolVersion))
            assert sorted(s) == sorted(values), sorted(s)
            for key, value in values.items():
                if key in ('cycle', 'loop'):
                    continue
                assert s[key] == value, (key, s[key], value)
                assert type(s[key]) is type(value), key
            c = s['cycle']
            assert type(c) is list and len(c) == 1 and c[0] is c
            l = s['loop']
            assert list(l) == ['self'] and l['self'] is l
            sh = s['shared']
            assert sh['a'] is sh['b'] and sh['c'][0] is sh['a']
            items = s['items']
            assert items[0] is items[1]
            print('ok', len(s))
            """, arguments: [scratch.directory.root])
        #expect(output == "ok \(Self.valueCount(protocolVersion))\n")
    }

    @Test(arguments: 0...5) func pythonShelveReadsWhatSwiftWrites(protocolVersion: Int) throws {
        let shelf = try Shelf(path: path, mode: .newShelf, protocol: protocolVersion)
        let shared = PickleList([1, 2])
        shelf["shared"] = ["a": .list(shared), "b": .list(shared)]
        let cycle = PickleList()
        cycle.append(.list(cycle))
        shelf["cycle"] = .list(cycle)
        shelf["mixed"] = .dict(
            PickleDict([
                ("text", "caf\u{e9}"), (1, .tuple([1.5, .none, true])), (.tuple(["k", 2]), .set(PickleSet([1, 2]))),
                ("frozen", .frozenset(PickleFrozenSet([3]))), ("bytes", .bytes([0, 255])),
                ("big", .integer(BigInteger("-1267650600228229401496703205376")!)),
            ]))
        shelf["item"] = .object(
            PickleObject(
                newInstanceOf: PickleGlobal(module: "shop", name: "Item"), state: ["name": "fig", "price": 1.25]
            ))
        try shelf.close()

        let output = try PythonShelf.read(
            path,
            """
            sys.path.insert(0, sys.argv[2])
            import shop
            sh = s['shared']
            assert sh == {'a': [1, 2], 'b': [1, 2]} and sh['a'] is sh['b']
            c = s['cycle']
            assert len(c) == 1 and c[0] is c
            assert s['mixed'] == {'text': 'caf\\u00e9', 1: (1.5, None, True), ('k', 2): {1, 2},
                                  'frozen': frozenset({3}), 'bytes': b'\\x00\\xff', 'big': -2**100}, s['mixed']
            assert type(s['mixed']['bytes']) is bytes
            assert s['item'] == shop.Item('fig', 1.25), s['item']
            print(sorted(s))
            """, arguments: [scratch.directory.root])
        #expect(output == "['cycle', 'item', 'mixed', 'shared']\n")
    }

    @Test func pythonWritesToASwiftShelfWithItsDefaultFlag() throws {
        let shelf = try Shelf(path: path)
        shelf["count"] = 1
        try shelf.close()
        try Python.script(
            """
            import shelve, sys
            with shelve.open(sys.argv[1]) as s:
                s['count'] += 1
                s['note'] = 'from python'
            """, [path])
        let again = try Shelf(path: path, mode: .readOnly)
        #expect(again["count"] == 2)
        #expect(again["note"] == "from python")
        try again.close()
    }

    @Test func aKeyThatIsNotUTF8IsReachableByItsBytes() throws {
        try Python.script(
            """
            import dbm.gnu, pickle, sys
            with dbm.gnu.open(sys.argv[1], 'n') as db:
                db[b'\\xff\\xfe'] = pickle.dumps(1)
            """, [path])
        let shelf = try Shelf(path: path)
        #expect(throws: ShelfError.self) { try shelf.keys() }
        #expect(try shelf.rawKeys() == [[0xFF, 0xFE]])
        #expect(try shelf.value(forRawKey: [0xFF, 0xFE]) == 1)
        try shelf.setValue(2, forRawKey: [0xFF, 0xFE])
        #expect(try shelf.removeValue(forRawKey: [0xFF, 0xFE]) == 2)
        try shelf.setValue(3, forRawKey: [0xFF, 0xFE])
        try shelf.close()
        let output = try Python.script(
            """
            import dbm.gnu, pickle, sys
            with dbm.gnu.open(sys.argv[1], 'r') as db:
                print(pickle.loads(db[b'\\xff\\xfe']))
            """, [path])
        #expect(output.text == "3\n")
    }
}
