import Foundation
import TestSupport
import Testing

@testable import Pickle

/// Python objects pickled by real CPython at protocols 0 to 5, decoded by `PickleDecoder` into
/// Swift types.
@Suite("Codable: PickleDecoder reads what CPython writes")
struct CodableInteropDecodingTests {
    static let setup = """
        import datetime, decimal, uuid, collections, zoneinfo
        class Item:
            def __init__(self, name, price, tags):
                self.name = name
                self.price = price
                self.tags = tags
        class Slotted:
            __slots__ = ('name', 'price')
            def __init__(self, name, price):
                self.name = name
                self.price = price
        """

    /// Pickles each named Python expression at protocols 0 to 5 with `interpreter`.
    static func pickles(
        _ expressions: KeyValuePairs<String, String>, interpreter: String? = nil, protocols: ClosedRange<Int> = 0...5
    ) throws -> [String: [Int: [UInt8]]] {
        var script = "import pickle, sys, json, binascii\n\(setup)\nout = {}\n"
        if interpreter != nil {
            script = "import pickle, sys, json, binascii, datetime\nout = {}\n"
        }
        for (name, expression) in expressions {
            script +=
                "out[\(pythonLiteral(name))] = dict((str(p), "
                + "binascii.hexlify(pickle.dumps(\(expression), p)).decode('ascii')) "
                + "for p in range(\(protocols.lowerBound), \(protocols.upperBound + 1)))\n"
        }
        script += "sys.stdout.write(json.dumps(out))\n"
        let output = try Python.script(script, interpreter: interpreter)
        let decoded = try JSONDecoder().decode([String: [String: String]].self, from: output.stdout)
        return decoded.mapValues { byProtocol in
            Dictionary(uniqueKeysWithValues: byProtocol.map { (Int($0.key) ?? -1, bytes(fromHex: $0.value)) })
        }
    }

    struct User: Codable, Equatable {
        var name: String
        var age: Int
        var tags: [String]
        var avatar: Data?
        var ratio: Double
        var flags: Set<Int>
        var scores: [Int: String]
        var level: BigInteger
        var blob: [UInt8]
        var count: Int
        var pair: [Int]
        var missing: String?
    }

    struct Item: Codable, Equatable, PythonClass {
        static let pythonClass = PickleGlobal(module: "__main__", name: "Item")
        var name: String
        var price: Int
        var tags: [String]
    }

    struct PlainItem: Codable, Equatable {
        var name: String
        var price: Int
    }

    enum Shape: Codable, Equatable {
        case circle(radius: Double)
    }

    struct Stamps: Codable, Equatable {
        var naive: Date
        var utc: Date
        var offset: Date
    }

    @Test func everythingAtEveryProtocol() throws {
        let pickles = try Self.pickles([
            "user": """
            {'name': 'Ada', 'age': 36, 'tags': ('a', 'b'), 'avatar': None, 'ratio': 1, 'flags': frozenset([3]), \
            'scores': {1: 'one'}, 'level': -2**100, 'blob': bytearray(b'\\x00\\xff'), 'count': True, 'pair': [1, 2]}
            """,
            "instance": "Item('pen', 3, ['blue'])",
            "shape": "{'circle': {'radius': 2}}",
            "stamps": """
            {'naive': datetime.datetime(1970, 1, 2), \
            'utc': datetime.datetime(1970, 1, 2, tzinfo=datetime.timezone.utc), \
            'offset': datetime.datetime(1970, 1, 2, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))}
            """,
            "named offset":
                "datetime.datetime(2024, 6, 30, 23, 59, 1, 5, "
                + "tzinfo=datetime.timezone(datetime.timedelta(hours=-5), 'EST'))",
            "fold": "datetime.datetime(2024, 10, 27, 2, 30, fold=1)",
            "zoneinfo": "datetime.datetime(2024, 7, 1, 12, tzinfo=zoneinfo.ZoneInfo('Europe/Paris'))",
            "date": "datetime.date(1980, 5, 7)",
            "time": "datetime.time(23, 59, 59, 999999, tzinfo=datetime.timezone.utc)",
            "timedelta": "datetime.timedelta(microseconds=-1)",
            "decimal": "decimal.Decimal('-12.50')",
            "infinity": "decimal.Decimal('Infinity')",
            "uuid": "uuid.UUID('12345678-9abc-def0-1234-56789abcdef0')",
            "ordered": "collections.OrderedDict([('b', 1), ('a', 2)])",
            "defaultdict": "collections.defaultdict(list, {1: [2, 3]})",
            "uint64 max": "2**64 - 1",
            "too big": "2**64",
            "sets": "[{1, 2}, frozenset(), set()]",
        ])
        // CPython pickles instances with __slots__ from protocol 2 only.
        let slotted = try Self.pickles(["slotted": "Slotted('pen', 3)"], protocols: 2...5)["slotted"] ?? [:]
        let decoder = PickleDecoder()
        for version in 0...5 {
            func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
                try decoder.decode(type, from: pickles[name]?[version] ?? [])
            }
            func failure<T: Decodable>(_ name: String, as type: T.Type) -> String? {
                do {
                    _ = try load(name, as: type)
                    return nil
                } catch {
                    return codingMessage(error) ?? "\(error)"
                }
            }
            let context = "protocol \(version)"
            #expect(
                try load("user", as: User.self)
                    == User(
                        name: "Ada", age: 36, tags: ["a", "b"], avatar: nil, ratio: 1, flags: [3], scores: [1: "one"],
                        level: -BigInteger("1267650600228229401496703205376")!, blob: [0, 0xFF], count: 1,
                        pair: [1, 2],
                        missing: nil), "\(context)")
            #expect(try load("instance", as: Item.self) == Item(name: "pen", price: 3, tags: ["blue"]), "\(context)")
            #expect(try load("instance", as: PlainItem.self) == PlainItem(name: "pen", price: 3), "\(context)")
            if let pickle = slotted[version] {
                #expect(
                    try decoder.decode(PlainItem.self, from: pickle) == PlainItem(name: "pen", price: 3), "\(context)")
                #expect(throws: DecodingError.self) { try decoder.decode(Item.self, from: pickle) }
            }
            #expect(try load("shape", as: Shape.self) == .circle(radius: 2), "\(context)")
            let day = Date(timeIntervalSince1970: 86_400)
            #expect(try load("stamps", as: Stamps.self) == Stamps(naive: day, utc: day, offset: day), "\(context)")
            #expect(
                try load("named offset", as: PythonDateTime.self)
                    == PythonDateTime(
                        year: 2024, month: 6, day: 30, hour: 23, minute: 59, second: 1, microsecond: 5,
                        timeZone: .fixed(offset: PythonTimeDelta(seconds: -18_000)!, name: "EST")), "\(context)")
            // CPython writes the fold from protocol 4 on.
            #expect(try load("fold", as: PythonDateTime.self).fold == (version >= 4 ? 1 : 0), "\(context)")
            #expect(
                try load("zoneinfo", as: PythonDateTime.self)
                    == PythonDateTime(
                        year: 2024, month: 7, day: 1, hour: 12, timeZone: .zoneInfo(key: "Europe/Paris")), "\(context)")
            #expect(try load("date", as: PythonDate.self) == PythonDate(year: 1980, month: 5, day: 7), "\(context)")
            #expect(
                try load("time", as: PythonTime.self)
                    == PythonTime(
                        hour: 23, minute: 59, second: 59, microsecond: 999_999, timeZone: .utc), "\(context)")
            #expect(try load("timedelta", as: PythonTimeDelta.self) == PythonTimeDelta(microseconds: -1), "\(context)")
            #expect(try load("decimal", as: Decimal.self) == Decimal(string: "-12.5"), "\(context)")
            #expect(
                failure("infinity", as: Decimal.self)?.hasPrefix("Decimal('Infinity') cannot be represented") == true)
            #expect(
                try load("uuid", as: UUID.self) == UUID(uuidString: "12345678-9ABC-DEF0-1234-56789ABCDEF0"),
                "\(context)")
            let ordered = try load("ordered", as: PythonOrderedDict<String, Int>.self)
            #expect(ordered.keys == ["b", "a"] && ordered.values == [1, 2], "\(context)")
            #expect(try load("ordered", as: [String: Int].self) == ["a": 2, "b": 1], "\(context)")
            #expect(try load("defaultdict", as: [Int: [Int]].self) == [1: [2, 3]], "\(context)")
            #expect(try load("uint64 max", as: UInt64.self) == .max, "\(context)")
            #expect(
                failure("too big", as: UInt64.self)
                    == "int 18446744073709551616 does not fit in UInt64 at the top level")
            #expect(try load("too big", as: BigInteger.self) == BigInteger("18446744073709551616"), "\(context)")
            #expect(try load("sets", as: [Set<Int>].self) == [[1, 2], [], []], "\(context)")
        }
    }

    @Test func pickleBytesRoundTripThroughSwift() throws {
        // Python -> Swift type -> Python: what comes back equals what went in.
        struct Record: Codable {
            var when: PythonDateTime
            var price: Decimal
            var id: UUID
            var items: [Item]
        }
        let pickles = try Self.pickles([
            "record": """
            {'when': datetime.datetime(2020, 2, 29, 12, 0, tzinfo=datetime.timezone.utc), \
            'price': decimal.Decimal('9.99'), 'id': uuid.UUID(int=7), 'items': [Item('a', 1, [])]}
            """
        ])
        for version in 0...5 {
            let record = try PickleDecoder().decode(Record.self, from: pickles["record"]?[version] ?? [])
            var encoder = PickleEncoder()
            encoder.protocolVersion = version
            let again = try encoder.encode(record)
            let script = """
                import pickle, sys
                \(Self.setup)
                Item.__eq__ = lambda self, other: type(other) is Item and self.__dict__ == other.__dict__
                x = pickle.loads(bytes.fromhex(sys.argv[1]))
                expected = {'when': datetime.datetime(2020, 2, 29, 12, 0, tzinfo=datetime.timezone.utc), \
                'price': decimal.Decimal('9.99'), 'id': uuid.UUID(int=7), 'items': [Item('a', 1, [])]}
                print(x == expected and x['when'].tzinfo is datetime.timezone.utc)
                """
            let output = try Python.script(script, [hex(again)])
            #expect(output.text.trimmingCharacters(in: .whitespacesAndNewlines) == "True", "protocol \(version)")
        }
    }

    @Test func python2Pickles() throws {
        guard let python2 = Python.pyenv("2.7") else { return }
        struct Old: Codable, Equatable {
            var day: PythonDate
            var stamp: PythonDateTime
            var name: String
            var count: Int
        }
        let pickles = try Self.pickles(
            [
                "old": """
                {u'day': datetime.date(1980, 5, 7), u'stamp': datetime.datetime(2001, 2, 3, 4, 5, 6, 7), \
                u'name': u'caf\\xe9', u'count': 10**20 // 10**19}
                """
            ], interpreter: python2, protocols: 0...2)
        var decoder = PickleDecoder()
        decoder.unpicklerOptions.python2Strings = .latin1
        for version in 0...2 {
            let old = try decoder.decode(Old.self, from: pickles["old"]?[version] ?? [])
            #expect(
                old
                    == Old(
                        day: PythonDate(year: 1980, month: 5, day: 7)!,
                        stamp: PythonDateTime(
                            year: 2001, month: 2, day: 3, hour: 4, minute: 5, second: 6, microsecond: 7)!,
                        name: "café", count: 10), "protocol \(version)")
        }
    }

    @Test func malformedPickleIsAPickleError() throws {
        let error = #expect(throws: PickleError.self) {
            try PickleDecoder().decode(Int.self, from: [0x80, 0x05, 0x4B])
        }
        #expect(error?.code == .truncated)
    }
}
