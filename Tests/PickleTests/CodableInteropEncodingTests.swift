import Foundation
import TestSupport
import Testing

@testable import Pickle

/// Swift values encoded by `PickleEncoder` at protocols 0 to 5, loaded by real CPython and compared
/// with the Python objects they stand for; where CPython's own pickle of that object is fixed, the
/// bytes must be the same too.
@Suite("Codable: CPython loads what PickleEncoder writes")
struct CodableInteropEncodingTests {
    /// Python that every check runs after: a class `Item` in `__main__`, compared by class and
    /// `__dict__`, and `mk` to build one without `__init__`.
    static let setup = """
        import datetime, decimal, uuid, collections, zoneinfo
        class Item:
            def __eq__(self, other):
                return type(other) is Item and self.__dict__ == other.__dict__
        class Marker:
            def __eq__(self, other):
                return type(other) is Marker and self.__dict__ == other.__dict__
        def mk(cls, **attributes):
            obj = cls.__new__(cls)
            obj.__dict__.update(attributes)
            return obj
        def same(x, y):
            return type(x) is type(y) and x == y and (not hasattr(x, 'tzinfo') or x.tzinfo == y.tzinfo)
        """

    struct Item: Codable, PythonClass {
        static let pythonClass = PickleGlobal(module: "__main__", name: "Item")
        var name: String
        var price: Int
        var tags: [String]
    }

    struct Marker: Codable, PythonClass {
        static let pythonClass = PickleGlobal(module: "__main__", name: "Marker")
    }

    struct User: Codable {
        var name: String
        var age: Int
        var tags: [String]
        var avatar: Data?
        var ratio: Double
        var flags: Set<Int>
        var scores: [Int: String]
        var level: BigInteger
        var nested: [[UInt8]]
    }

    enum Shape: Codable {
        case circle(radius: Double)
        case pair(Int, Int)
    }

    /// A case: a Swift value, the Python expression it must load as, and whether CPython's own
    /// pickle of that expression must be byte-identical.
    struct Case {
        var name: String
        var encode: (PickleEncoder) throws -> [UInt8]
        var python: String
        var sameBytes: Bool
        var check: String? = nil

        init<T: Encodable>(_ name: String, _ value: T, _ python: String, sameBytes: Bool = true, check: String? = nil) {
            self.name = name
            self.encode = { try $0.encode(value) }
            self.python = python
            self.sameBytes = sameBytes
            self.check = check
        }
    }

    static let plusTwo = PythonTimeZone.fixed(offset: PythonTimeDelta(seconds: 7200)!, name: "CEST")

    static var cases: [Case] {
        [
            Case(
                "struct",
                User(
                    name: "Ada", age: 36, tags: ["a", "b"], avatar: nil, ratio: 0.5, flags: [3], scores: [1: "one"],
                    level: BigInteger("-123456789012345678901234567890")!, nested: [[0, 255]]),
                """
                {'name': 'Ada', 'age': 36, 'tags': ['a', 'b'], 'avatar': None, 'ratio': 0.5, 'flags': {3}, \
                'scores': {1: 'one'}, 'level': -123456789012345678901234567890, 'nested': [b'\\x00\\xff']}
                """, sameBytes: false,
                check: "x == expected and type(x['nested'][0]) is bytes and type(x['flags']) is set"),
            Case(
                "instance", Item(name: "pen", price: 3, tags: ["blue"]),
                "mk(Item, name='pen', price=3, tags=['blue'])"),
            Case("empty instance", Marker(), "mk(Marker)"),
            Case(
                "instances in a list", [Item(name: "a", price: 1, tags: []), Item(name: "b", price: 2, tags: [])],
                "[mk(Item, name='a', price=1, tags=[]), mk(Item, name='b', price=2, tags=[])]", sameBytes: false),
            Case(
                "enum", [Shape.circle(radius: 2), .pair(1, 2)],
                "[{'circle': {'radius': 2.0}}, {'pair': {'_0': 1, '_1': 2}}]",
                sameBytes: false),
            Case(
                "big ints",
                [BigInteger("340282366920938463463374607431768211456")!, -BigInteger("18446744073709551616")!],
                "[2**128, -2**64]"),
            Case("uint64", UInt64.max, "2**64 - 1"),
            Case(
                "datetime utc", Date(timeIntervalSince1970: 1_704_164_645.123456),
                "datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.timezone.utc)",
                check: "same(x, expected)"),
            Case(
                "datetime naive", PythonDateTime(year: 1, month: 1, day: 1, microsecond: 1)!,
                "datetime.datetime(1, 1, 1, 0, 0, 0, 1)", check: "same(x, expected)"),
            Case(
                "datetime fixed offset",
                PythonDateTime(year: 2024, month: 6, day: 30, hour: 23, minute: 59, timeZone: plusTwo)!,
                "datetime.datetime(2024, 6, 30, 23, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=2), 'CEST'))",
                check: "same(x, expected) and x.tzname() == 'CEST'"),
            Case(
                "datetime fold", PythonDateTime(year: 2024, month: 10, day: 27, hour: 2, minute: 30, fold: 1)!,
                "datetime.datetime(2024, 10, 27, 2, 30, fold=1)",
                check: "same(x, expected) and x.fold == (1 if p >= 4 else 0)"),
            Case(
                "datetime zoneinfo",
                PythonDateTime(year: 2024, month: 7, day: 1, hour: 12, timeZone: .zoneInfo(key: "Europe/Paris"))!,
                "datetime.datetime(2024, 7, 1, 12, tzinfo=zoneinfo.ZoneInfo('Europe/Paris'))",
                check: "same(x, expected) and x.utcoffset() == datetime.timedelta(hours=2)"),
            Case(
                "date", PythonDate(year: 1980, month: 5, day: 7)!, "datetime.date(1980, 5, 7)",
                check: "same(x, expected)"),
            Case(
                "time", PythonTime(hour: 23, minute: 59, second: 59, microsecond: 999_999)!,
                "datetime.time(23, 59, 59, 999999)",
                check: "same(x, expected)"),
            Case(
                "time utc", PythonTime(hour: 1, minute: 2, second: 3, timeZone: .utc)!,
                "datetime.time(1, 2, 3, tzinfo=datetime.timezone.utc)", check: "same(x, expected)"),
            Case(
                "timedelta", PythonTimeDelta(days: -1, seconds: 5, microseconds: 7)!,
                "datetime.timedelta(days=-1, seconds=5, microseconds=7)", check: "same(x, expected)"),
            Case("decimal", Decimal(string: "-12.5")!, "decimal.Decimal('-12.5')", check: "same(x, expected)"),
            Case("decimal nan", Decimal.nan, "decimal.Decimal('NaN')", check: "x.is_nan()"),
            Case(
                "uuid", UUID(uuidString: "12345678-9ABC-DEF0-1234-56789ABCDEF0")!,
                "uuid.UUID('12345678-9abc-def0-1234-56789abcdef0')", check: "same(x, expected)"),
            Case(
                "ordered dict",
                PythonOrderedDict(["b": 1, "a": 2].sorted { $0.key > $1.key }.map { ($0.key, $0.value) }),
                "collections.OrderedDict([('b', 1), ('a', 2)])", check: "same(x, expected) and list(x) == ['b', 'a']"),
            Case(
                "several dates", [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1)],
                "[datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc), "
                    + "datetime.datetime(1970, 1, 1, 0, 0, 1, tzinfo=datetime.timezone.utc)]"
            ),
        ]
    }

    @Test(arguments: 0...5)
    func cpythonLoadsWhatSwiftWrites(protocolVersion: Int) throws {
        var encoder = PickleEncoder()
        encoder.protocolVersion = protocolVersion
        var script = "import pickle, sys, json\n\(Self.setup)\np = \(protocolVersion)\nresults = {}\n"
        script += "data = json.load(sys.stdin)\n"
        var payload: [String: String] = [:]
        for (position, testCase) in Self.cases.enumerated() {
            payload[testCase.name] = hex(try testCase.encode(encoder))
            script += """
                def _check_\(position)(x, expected):
                    return \(testCase.check ?? "x == expected")
                try:
                    _expected = \(testCase.python)
                    _x = pickle.loads(bytes.fromhex(data[\(pythonLiteral(testCase.name))]))
                    _ok = _check_\(position)(_x, _expected)
                    _same = pickle.dumps(_expected, p).hex() == data[\(pythonLiteral(testCase.name))]
                    results[\(pythonLiteral(testCase.name))] = [_ok, _same, repr(_x)[:300]]
                except Exception as _e:
                    results[\(pythonLiteral(testCase.name))] = [False, False, repr(_e)]

                """
        }
        script += "json.dump(results, sys.stdout)\n"
        let output = try Python.script(script, input: try JSONEncoder().encode(payload))
        let results = try JSONDecoder().decode([String: [ResultPart]].self, from: output.stdout)
        for testCase in Self.cases {
            guard let result = results[testCase.name], result.count == 3 else {
                Issue.record("\(testCase.name): no result")
                continue
            }
            #expect(
                result[0].flag == true,
                "\(testCase.name) at protocol \(protocolVersion) loads as \(result[2].text ?? "")")
            guard testCase.sameBytes else { continue }
            #expect(
                result[1].flag == true,
                """
                \(testCase.name) at protocol \(protocolVersion) differs from CPython's pickle
                \(CPython.disassembly(bytes(fromHex: payload[testCase.name] ?? "")))
                """)
        }
    }

    /// A JSON array element that is a boolean or a string.
    enum ResultPart: Decodable {
        case flag(Bool)
        case text(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                self = .flag(flag)
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        var flag: Bool? {
            if case .flag(let flag) = self { return flag }
            return nil
        }

        var text: String? {
            if case .text(let text) = self { return text }
            return nil
        }
    }
}
