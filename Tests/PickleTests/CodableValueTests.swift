import Foundation
import Testing

@testable import Pickle

/// The Swift ⇄ Python mapping of `PickleEncoder` and `PickleDecoder` at the value level.
@Suite("Codable: value mapping")
struct CodableValueTests {
    struct Everything: Codable, Equatable {
        var flag = true
        var text = "héllo"
        var double = 1.5
        var float: Float = 0.25
        var int = -7
        var int8: Int8 = -8
        var int16: Int16 = 16
        var int32: Int32 = -32
        var int64: Int64 = .min
        var uint = UInt.max
        var uint8: UInt8 = 255
        var uint16: UInt16 = 16
        var uint32: UInt32 = .max
        var uint64 = UInt64.max
        var missing: String? = nil
        var present: Int? = 3
    }

    @Test func structBecomesDictInFieldOrder() throws {
        let value = try PickleEncoder().encodeValue(Everything())
        #expect(
            codableRepr(value) == """
                {'flag': True, 'text': 'héllo', 'double': 1.5, 'float': 0.25, 'int': -7, 'int8': -8, \
                'int16': 16, 'int32': -32, 'int64': -9223372036854775808, 'uint': 18446744073709551615, \
                'uint8': 255, 'uint16': 16, 'uint32': 4294967295, 'uint64': 18446744073709551615, \
                'missing': None, 'present': 3}
                """)
        guard case .bigInt = value.dictValue?["uint64"] else {
            Issue.record("UInt64.max must be a big int")
            return
        }
        #expect(try PickleDecoder().decode(Everything.self, from: value) == Everything())
    }

    @Test func int128RoundTrips() throws {
        struct Wide: Codable, Equatable {
            var low = Int128.min
            var high = UInt128.max
        }
        let value = try PickleEncoder().encodeValue(Wide())
        #expect(
            codableRepr(value) == """
                {'low': -170141183460469231731687303715884105728, 'high': 340282366920938463463374607431768211455}
                """)
        #expect(try PickleDecoder().decode(Wide.self, from: value) == Wide())
    }

    struct Team: Codable, Equatable {
        struct Member: Codable, Equatable {
            var name: String
            var scores: [Int]
            var nickname: String?
        }
        var title: String
        var members: [Member]
        var lead: Member?
        var grid: [[Double]]
    }

    @Test func nestedTypesRoundTrip() throws {
        let team = Team(
            title: "core",
            members: [
                .init(name: "Ada", scores: [1, 2], nickname: nil), .init(name: "Bo", scores: [], nickname: "b"),
            ],
            lead: nil, grid: [[1], [2.5, 3]])
        let value = try PickleEncoder().encodeValue(team)
        #expect(
            codableRepr(value) == """
                {'title': 'core', 'members': [{'name': 'Ada', 'scores': [1, 2], 'nickname': None}, \
                {'name': 'Bo', 'scores': [], 'nickname': 'b'}], 'lead': None, 'grid': [[1.0], [2.5, 3.0]]}
                """)
        #expect(try PickleDecoder().decode(Team.self, from: value) == team)
    }

    @Test func missingOptionalKeysDecodeAsNil() throws {
        let value: PickleValue = ["name": "Ada", "scores": [1]]
        let member = try PickleDecoder().decode(Team.Member.self, from: value)
        #expect(member == .init(name: "Ada", scores: [1], nickname: nil))
    }

    @Test func pythonNumericTowerOnDecode() throws {
        // bool is an int subclass; int is acceptable for float.
        #expect(try PickleDecoder().decode(Int.self, from: true) == 1)
        #expect(try PickleDecoder().decode(UInt8.self, from: false) == 0)
        #expect(try PickleDecoder().decode(Double.self, from: 1) == 1.0)
        #expect(try PickleDecoder().decode(Float.self, from: 3) == 3.0)
        #expect(try PickleDecoder().decode(Double.self, from: .integer(BigInteger("100000000000000000000")!)) == 1e20)
        // Nothing else converts.
        #expect(decodingFailure(Int.self, from: 1.0) == "expected int at the top level, found float")
        #expect(decodingFailure(Bool.self, from: 1) == "expected bool at the top level, found int")
        #expect(decodingFailure(String.self, from: .bytes([0x61])) == "expected str at the top level, found bytes")
    }

    @Test func integerOverflowIsAnErrorNotAWrap() throws {
        #expect(decodingFailure(UInt8.self, from: 256) == "int 256 does not fit in UInt8 at the top level")
        #expect(decodingFailure(UInt.self, from: -1) == "int -1 does not fit in UInt at the top level")
        #expect(decodingFailure(Int8.self, from: -129) == "int -129 does not fit in Int8 at the top level")
        let big = PickleValue.integer(BigInteger("18446744073709551616")!)
        #expect(
            decodingFailure(UInt64.self, from: big)
                == "int 18446744073709551616 does not fit in UInt64 at the top level")
        #expect(
            decodingFailure(Int64.self, from: .integer(BigInteger("-9223372036854775809")!))
                == "int -9223372036854775809 does not fit in Int64 at the top level")
        #expect(try PickleDecoder().decode(Int64.self, from: .integer(BigInteger("-9223372036854775808")!)) == .min)
        #expect(try PickleDecoder().decode(UInt64.self, from: .integer(BigInteger("18446744073709551615")!)) == .max)
        #expect(decodingFailure(Float.self, from: 1e300) == "float 1e+300 does not fit in Float at the top level")
        #expect(try PickleDecoder().decode(Float.self, from: .float(.infinity)) == .infinity)
    }

    @Test func surrogateStringIsAnError() throws {
        let value = PickleValue.surrogateString(SurrogateString(codePoints: [0x61, 0xDC80])!)
        #expect(
            decodingFailure([String: String].self, from: ["name": value])
                == "str with the lone surrogate U+DC80, which a Swift String cannot hold, at name")
    }

    @Test func bytesAndByteArrays() throws {
        struct Blob: Codable, Equatable {
            var data: Data
            var raw: [UInt8]
            var numbers: [Int8]
        }
        let blob = Blob(data: Data([0, 0xFF]), raw: [1, 2], numbers: [1, -1])
        let value = try PickleEncoder().encodeValue(blob)
        #expect(codableRepr(value) == "{'data': b'\\x00\\xff', 'raw': b'\\x01\\x02', 'numbers': [1, -1]}")
        #expect(try PickleDecoder().decode(Blob.self, from: value) == blob)
        // bytearray, and bytes the way CPython writes them before protocol 3.
        let legacy: PickleValue = [
            "data": .bytearray(PickleByteArray([0, 0xFF])),
            "raw": reduced("_codecs", "encode", [.string("\u{01}\u{02}"), "latin1"]),
            "numbers": .tuple([1, -1]),
        ]
        #expect(try PickleDecoder().decode(Blob.self, from: legacy) == blob)
        #expect(try PickleDecoder().decode(Data.self, from: reduced("__builtin__", "bytes", [])) == Data())
        #expect(try PickleDecoder().decode([UInt8].self, from: [1, 2] as PickleValue) == [1, 2])
    }

    @Test func setsBecomeSetsAndHashableForms() throws {
        let value = try PickleEncoder().encodeValue(Set([7]))
        #expect(codableRepr(value) == "{7}")
        #expect(try PickleDecoder().decode(Set<Int>.self, from: value) == [7])
        #expect(try PickleDecoder().decode(Set<Int>.self, from: .frozenset([1, 2])) == [1, 2])
        #expect(try PickleDecoder().decode(Set<Int>.self, from: reduced("builtins", "set", [[3, 4]])) == [3, 4])
        // Lists inside a set become tuples, which Python can hash; they decode back.
        let nested = try PickleEncoder().encodeValue(Set([[1, 2]]))
        #expect(codableRepr(nested) == "{(1, 2)}")
        #expect(try PickleDecoder().decode(Set<[Int]>.self, from: nested) == [[1, 2]])
    }

    @Test func dictionariesKeepTheirKeyTypes() throws {
        let byInt = try PickleEncoder().encodeValue([3: "three"])
        #expect(codableRepr(byInt) == "{3: 'three'}")
        #expect(try PickleDecoder().decode([Int: String].self, from: byInt) == [3: "three"])

        let byString = try PickleEncoder().encodeValue(["a": [1.5]])
        #expect(codableRepr(byString) == "{'a': [1.5]}")

        let id = UUID(uuidString: "00000000-0000-0000-0000-000000003039")!
        let byUUID = try PickleEncoder().encodeValue([id: true])
        #expect(codableRepr(byUUID) == "{uuid.UUID.__new__().__setstate__({'int': 12345}): True}")
        #expect(try PickleDecoder().decode([UUID: Bool].self, from: byUUID) == [id: true])

        let byList = try PickleEncoder().encodeValue([[1, 2]: "pair"])
        #expect(codableRepr(byList) == "{(1, 2): 'pair'}")
        #expect(try PickleDecoder().decode([[Int]: String].self, from: byList) == [[1, 2]: "pair"])

        enum Color: String, Codable { case red }
        #expect(codableRepr(try PickleEncoder().encodeValue([Color.red: 1])) == "{'red': 1}")

        // Keys Python keeps apart but Swift merges are an error, not a silent loss.
        let clash: PickleValue = .dict(PickleDict([(.string("e\u{301}"), 1), (.string("\u{e9}"), 2)]))
        #expect(
            decodingFailure([String: Int].self, from: clash)?.hasPrefix("dict has two keys that are the same") == true)
    }

    enum Shape: Codable, Equatable {
        case circle(radius: Double)
        case pair(Int, Int)
        case empty
    }

    enum Level: Int, Codable {
        case low = 1
        case high = 2
    }

    @Test func enumsUseRawValuesOrTheSynthesizedForm() throws {
        #expect(codableRepr(try PickleEncoder().encodeValue(Level.high)) == "2")
        #expect(try PickleDecoder().decode(Level.self, from: 1) == .low)
        let shapes: [Shape] = [.circle(radius: 2), .pair(1, 2), .empty]
        let value = try PickleEncoder().encodeValue(shapes)
        #expect(codableRepr(value) == "[{'circle': {'radius': 2.0}}, {'pair': {'_0': 1, '_1': 2}}, {'empty': {}}]")
        #expect(try PickleDecoder().decode([Shape].self, from: value) == shapes)
    }

    @Test func bigIntegerIsAPythonInt() throws {
        struct Ledger: Codable, Equatable {
            var total: BigInteger
            var small: BigInteger
        }
        let ledger = Ledger(total: BigInteger("-123456789012345678901234567890")!, small: 5)
        let value = try PickleEncoder().encodeValue(ledger)
        #expect(codableRepr(value) == "{'total': -123456789012345678901234567890, 'small': 5}")
        guard case .int = value.dictValue?["small"] else {
            Issue.record("a small BigInteger must be an int")
            return
        }
        #expect(try PickleDecoder().decode(Ledger.self, from: value) == ledger)
        // Through JSON, a decimal string.
        let json = try sortedJSONEncoder().encode(ledger)
        #expect(String(decoding: json, as: UTF8.self) == #"{"small":"5","total":"-123456789012345678901234567890"}"#)
        #expect(try JSONDecoder().decode(Ledger.self, from: json) == ledger)
    }

    @Test func containersAcceptPythonVariants() throws {
        struct Point: Codable, Equatable {
            var x: Int
            var y: Int
        }
        // A tuple for a list; an instance's attributes for a struct; an OrderedDict for a dict.
        #expect(try PickleDecoder().decode([Int].self, from: .tuple([1, 2])) == [1, 2])
        let instance = PickleObject(newInstanceOf: PickleGlobal(module: "geo", name: "Point"), state: ["x": 1, "y": 2])
        #expect(try PickleDecoder().decode(Point.self, from: .object(instance)) == Point(x: 1, y: 2))
        let reconstructed = PickleObject(
            construction: .reduce, callable: .global(PickleGlobal(module: "copy_reg", name: "_reconstructor")),
            arguments: [
                .global(PickleGlobal(module: "geo", name: "Point")),
                .global(PickleGlobal(module: "__builtin__", name: "object")), .none,
            ],
            state: ["x": 3, "y": 4])
        #expect(try PickleDecoder().decode(Point.self, from: .object(reconstructed)) == Point(x: 3, y: 4))
        let ordered = PickleObject(
            construction: .reduce, callable: .global(PickleGlobal(module: "collections", name: "OrderedDict")),
            dictItems: [("x", 5), ("y", 6)])
        #expect(try PickleDecoder().decode(Point.self, from: .object(ordered)) == Point(x: 5, y: 6))
        #expect(try PickleDecoder().decode([String: Int].self, from: .object(ordered)) == ["x": 5, "y": 6])
    }

    @Test func fieldsAreFoundInAnyOrder() throws {
        struct Pair: Codable, Equatable {
            var first: String
            var second: String
        }
        let reversed: PickleValue = .dict(PickleDict([("second", "b"), ("extra", 0), ("first", "a")]))
        #expect(try PickleDecoder().decode(Pair.self, from: reversed) == Pair(first: "a", second: "b"))
    }

    @Test func integerCodingKeysFindIntKeys() throws {
        struct Row: Codable, Equatable {
            var a: String
            enum CodingKeys: Int, CodingKey { case a = 7 }
        }
        let value: PickleValue = .dict(PickleDict([(.int(7), "seven")]))
        #expect(try PickleDecoder().decode(Row.self, from: value) == Row(a: "seven"))
    }

    @Test func pickleValueFieldsPassThrough() throws {
        struct Envelope: Codable {
            var kind: String
            var payload: PickleValue
        }
        let shared = PickleList([1])
        let payload: PickleValue = .tuple([.list(shared), .list(shared), .complex(real: 1, imaginary: 2)])
        let value = try PickleEncoder().encodeValue(Envelope(kind: "k", payload: payload))
        let back = try PickleDecoder().decode(Envelope.self, from: value)
        guard case .tuple(let parts) = back.payload, case .list(let a) = parts[0], case .list(let b) = parts[1] else {
            Issue.record("payload lost its shape")
            return
        }
        #expect(a === shared && b === shared)
        // Through JSON, the JSON-like part.
        let json = try JSONEncoder().encode(PickleValue.dict(["a": [1, 2.5, "x", nil, true]]))
        #expect(String(decoding: json, as: UTF8.self) == #"{"a":[1,2.5,"x",null,true]}"#)
        let decoded = try JSONDecoder().decode(PickleValue.self, from: json)
        #expect(codableRepr(decoded) == "{'a': [1, 2.5, 'x', None, True]}")
        let cycle = PickleList()
        cycle.append(.list(cycle))
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(PickleValue.list(cycle)) }
    }

    class Animal: Codable {
        var name: String
        init(name: String) { self.name = name }
    }

    final class Dog: Animal {
        var tricks: [String]
        init(name: String, tricks: [String]) {
            self.tricks = tricks
            super.init(name: name)
        }
        enum CodingKeys: String, CodingKey { case tricks }
        required init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            tricks = try container.decode([String].self, forKey: .tricks)
            try super.init(from: container.superDecoder())
        }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tricks, forKey: .tricks)
            try super.encode(to: container.superEncoder())
        }
    }

    @Test func superEncoderAndDecoder() throws {
        let value = try PickleEncoder().encodeValue(Dog(name: "Rex", tricks: ["sit"]))
        #expect(codableRepr(value) == "{'tricks': ['sit'], 'super': {'name': 'Rex'}}")
        let dog = try PickleDecoder().decode(Dog.self, from: value)
        #expect(dog.name == "Rex" && dog.tricks == ["sit"])
    }

    @Test func userInfoReachesTheCoders() throws {
        struct Probe: Codable {
            static let key = CodingUserInfoKey(rawValue: "probe")!
            var seen: String
            init(seen: String) { self.seen = seen }
            init(from decoder: any Decoder) throws { seen = decoder.userInfo[Self.key] as? String ?? "none" }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(encoder.userInfo[Self.key] as? String ?? "none")
            }
        }
        var encoder = PickleEncoder()
        encoder.userInfo[Probe.key] = "enc"
        #expect(codableRepr(try encoder.encodeValue(Probe(seen: ""))) == "'enc'")
        var decoder = PickleDecoder()
        decoder.userInfo[Probe.key] = "dec"
        #expect(try decoder.decode(Probe.self, from: 0).seen == "dec")
    }

    @Test func protocolOutOfRange() throws {
        var encoder = PickleEncoder()
        encoder.protocolVersion = 6
        let error = #expect(throws: PickleError.self) { try encoder.encodeValue(1) }
        #expect(error?.code == .unsupportedProtocol)
    }
}

func sortedJSONEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return encoder
}

extension PickleValue {
    var dictValue: PickleDict? {
        if case .dict(let dict) = self { return dict }
        return nil
    }
}
