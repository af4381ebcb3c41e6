import Foundation
import Testing

@testable import Pickle

/// Python standard-library types ⇄ Swift types, in the forms CPython 3.11 pickles them.
@Suite("Codable: standard-library types")
struct CodableStandardLibraryTests {
    let utcRepr = "datetime.timezone(datetime.timedelta(0, 0, 0))"

    // MARK: Date ⇄ datetime.datetime

    @Test func dateIsAnAwareUTCDatetimeByDefault() throws {
        let date = Date(timeIntervalSince1970: 1_704_164_645.123456)
        let value = try PickleEncoder().encodeValue(date)
        #expect(
            codableRepr(value) == "datetime.datetime(b'\\x07\\xe8\\x01\\x02\\x03\\x04\\x05\\x01\\xe2@', \(utcRepr))")
        let back = try PickleDecoder().decode(Date.self, from: value)
        #expect(abs(back.timeIntervalSince1970 - date.timeIntervalSince1970) < 1e-6)
    }

    @Test func dateStrategies() throws {
        var encoder = PickleEncoder()
        encoder.dateEncodingStrategy = .naiveDatetimeUTC
        let date = Date(timeIntervalSince1970: 0)
        #expect(
            codableRepr(try encoder.encodeValue(date))
                == "datetime.datetime(b'\\x07\\xb2\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00')")
        encoder.dateEncodingStrategy = .secondsSince1970
        #expect(codableRepr(try encoder.encodeValue(Date(timeIntervalSince1970: 1.25))) == "1.25")
        #expect(try PickleDecoder().decode(Date.self, from: 1.25) == Date(timeIntervalSince1970: 1.25))
        #expect(try PickleDecoder().decode(Date.self, from: 7) == Date(timeIntervalSince1970: 7))
    }

    @Test func utcTimeZoneIsSharedWithinOneEncode() throws {
        let value = try PickleEncoder().encodeValue([Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1)])
        guard case .list(let list) = value, case .object(let first) = list[0], case .object(let second) = list[1],
            case .object(let zone1) = first.arguments[1], case .object(let zone2) = second.arguments[1]
        else {
            Issue.record("unexpected shape \(codableRepr(value))")
            return
        }
        #expect(zone1 === zone2)
    }

    @Test func dateRoundsToTheNearestMicrosecond() throws {
        func microsecondField(_ interval: Double) throws -> Int {
            let value = try PickleEncoder().encodeValue(Date(timeIntervalSinceReferenceDate: interval))
            return try PickleDecoder().decode(PythonDateTime.self, from: value).microsecond
        }
        #expect(try microsecondField(0.0000017) == 2)
        #expect(try microsecondField(0.0000014) == 1)
        #expect(try microsecondField(-0.0000014) == 999_999)
        // Rounding up to a whole second carries into the seconds.
        let carried = try PickleDecoder().decode(
            PythonDateTime.self, from: try PickleEncoder().encodeValue(Date(timeIntervalSinceReferenceDate: 59.9999996))
        )
        #expect(carried.description == "2001-01-01 00:01:00+00:00")
    }

    @Test func naiveDatetimesAreReadAsUTCAndOffsetsApplied() throws {
        let naive = PythonDateTime(year: 1970, month: 1, day: 2)!
        #expect(
            try PickleDecoder().decode(Date.self, from: try PickleEncoder().encodeValue(naive))
                == Date(timeIntervalSince1970: 86_400))
        let plusTwo = PythonTimeZone.fixed(offset: PythonTimeDelta(seconds: 7200)!, name: nil)
        let aware = PythonDateTime(year: 1970, month: 1, day: 2, hour: 2, timeZone: plusTwo)!
        #expect(
            try PickleDecoder().decode(Date.self, from: try PickleEncoder().encodeValue(aware))
                == Date(timeIntervalSince1970: 86_400))
        #expect(PythonDateTime(Date(timeIntervalSince1970: 86_400), timeZone: plusTwo) == aware)
        #expect(PythonDateTime(Date(timeIntervalSince1970: 86_400), timeZone: nil) == naive)
    }

    @Test func zoneInfoDatetimesKeepTheirZoneButAreNoDate() throws {
        let paris = PythonDateTime(year: 2024, month: 7, day: 1, hour: 12, timeZone: .zoneInfo(key: "Europe/Paris"))!
        let value = try PickleEncoder().encodeValue(paris)
        #expect(
            codableRepr(value) == """
                datetime.datetime(b'\\x07\\xe8\\x07\\x01\\x0c\\x00\\x00\\x00\\x00\\x00', \
                builtins.getattr(zoneinfo.ZoneInfo, '_unpickle')('Europe/Paris', 1))
                """)
        #expect(try PickleDecoder().decode(PythonDateTime.self, from: value) == paris)
        #expect(
            decodingFailure(Date.self, from: value)?.hasPrefix(
                "datetime in the zone Europe/Paris needs the time zone database") == true)
    }

    @Test func datetimeFoldIsWrittenFromProtocolFour() throws {
        let folded = PythonDateTime(year: 2024, month: 1, day: 2, hour: 3, minute: 4, second: 5, fold: 1)!
        var encoder = PickleEncoder()
        #expect(
            codableRepr(try encoder.encodeValue(folded))
                == "datetime.datetime(b'\\x07\\xe8\\x81\\x02\\x03\\x04\\x05\\x00\\x00\\x00')")
        #expect(try PickleDecoder().decode(PythonDateTime.self, from: try encoder.encodeValue(folded)) == folded)
        encoder.protocolVersion = 3
        #expect(
            codableRepr(try encoder.encodeValue(folded))
                == "datetime.datetime(b'\\x07\\xe8\\x01\\x02\\x03\\x04\\x05\\x00\\x00\\x00')")
    }

    @Test func datetimeFromOtherForms() throws {
        // Python 2 wrote the payload as a str, read as Latin-1; CPython before protocol 3 as
        // _codecs.encode(str, 'latin1'); hand-written pickles may call the constructor with ints.
        let payload: [UInt8] = [0x07, 0xE8, 0x01, 0x02, 0x03, 0x04, 0x05, 0x01, 0xE2, 0x40]
        let latin1 = String(String.UnicodeScalarView(payload.map { Unicode.Scalar($0) }))
        let expected = PythonDateTime(
            year: 2024, month: 1, day: 2, hour: 3, minute: 4, second: 5, microsecond: 123_456)!
        #expect(
            try PickleDecoder().decode(PythonDateTime.self, from: reduced("datetime", "datetime", [.string(latin1)]))
                == expected)
        let codecs = reduced("_codecs", "encode", [.string(latin1), "latin1"])
        #expect(
            try PickleDecoder().decode(PythonDateTime.self, from: reduced("datetime", "datetime", [codecs])) == expected
        )
        let ints = reduced("datetime", "datetime", [2024, 1, 2, 3, 4, 5, 123_456])
        #expect(try PickleDecoder().decode(PythonDateTime.self, from: ints) == expected)
        #expect(
            decodingFailure(
                PythonDateTime.self, from: reduced("datetime", "datetime", [.bytes([7, 232, 13, 1, 0, 0, 0, 0, 0, 0])]))
                == "datetime.datetime out of range at the top level")
        #expect(
            decodingFailure(PythonDateTime.self, from: reduced("datetime", "datetime", [.bytes([1, 2, 3])]))
                == "datetime.datetime state of 3 bytes at the top level")
    }

    // MARK: date, time, timedelta, timezone

    @Test func pythonDate() throws {
        let birthday = PythonDate(year: 1980, month: 5, day: 7)!
        let value = try PickleEncoder().encodeValue(birthday)
        #expect(codableRepr(value) == "datetime.date(b'\\x07\\xbc\\x05\\x07')")
        #expect(try PickleDecoder().decode(PythonDate.self, from: value) == birthday)
        #expect(birthday.description == "1980-05-07")
        #expect(PythonDate(year: 2023, month: 2, day: 29) == nil)
        #expect(PythonDate(year: 2024, month: 2, day: 29) != nil)
        #expect(PythonDate(year: 10_000, month: 1, day: 1) == nil)
        #expect(PythonDate(daysSince1970: 0) == PythonDate(year: 1970, month: 1, day: 1))
        #expect(PythonDate(daysSince1970: -719_162) == PythonDate(year: 1, month: 1, day: 1))
        #expect(PythonDate(year: 9999, month: 12, day: 31)?.daysSince1970 == 2_932_896)
        #expect(
            decodingFailure(PythonDate.self, from: reduced("datetime", "date", [.bytes([7, 231, 2, 29])]))
                == "datetime.date out of range at the top level")
    }

    @Test func pythonTime() throws {
        let time = PythonTime(hour: 1, minute: 2, second: 3, microsecond: 4)!
        #expect(
            codableRepr(try PickleEncoder().encodeValue(time)) == "datetime.time(b'\\x01\\x02\\x03\\x00\\x00\\x04')")
        let aware = PythonTime(hour: 23, microsecond: 999_999, fold: 1, timeZone: .utc)!
        let value = try PickleEncoder().encodeValue(aware)
        #expect(codableRepr(value) == "datetime.time(b'\\x97\\x00\\x00\\x0fB?', \(utcRepr))")
        #expect(try PickleDecoder().decode(PythonTime.self, from: value) == aware)
        #expect(aware.description == "23:00:00.999999+00:00")
        #expect(PythonTime(hour: 24) == nil)
    }

    @Test func pythonTimeDelta() throws {
        let minusOne = PythonTimeDelta(microseconds: -1)!
        #expect((minusOne.days, minusOne.seconds, minusOne.microseconds) == (-1, 86_399, 999_999))
        #expect(minusOne.description == "-1 day, 23:59:59.999999")
        let value = try PickleEncoder().encodeValue(minusOne)
        #expect(codableRepr(value) == "datetime.timedelta(-1, 86399, 999999)")
        #expect(try PickleDecoder().decode(PythonTimeDelta.self, from: value) == minusOne)
        #expect(PythonTimeDelta(days: 1_000_000_000) == nil)
        #expect(PythonTimeDelta(days: 999_999_999, seconds: 86_399, microseconds: 999_999) != nil)
        #expect(PythonTimeDelta(timeInterval: 1.5)?.description == "0:00:01.500000")
        #expect(PythonTimeDelta(days: 2, seconds: 3)?.timeInterval == 172_803)
        // Python normalises the arguments it is given.
        #expect(
            try PickleDecoder().decode(PythonTimeDelta.self, from: reduced("datetime", "timedelta", [0, 90_000]))
                == PythonTimeDelta(days: 1, seconds: 3600))
    }

    @Test func pythonTimeZones() throws {
        let est = PythonTimeZone.fixed(offset: PythonTimeDelta(seconds: -18_000)!, name: "EST")
        let value = try PickleEncoder().encodeValue(est)
        #expect(codableRepr(value) == "datetime.timezone(datetime.timedelta(-1, 68400, 0), 'EST')")
        #expect(try PickleDecoder().decode(PythonTimeZone.self, from: value) == est)
        #expect(PythonTimeZone.fixed(offset: PythonTimeDelta(seconds: -18_000)!, name: nil).description == "UTC-05:00")
        let day = PythonTimeZone.fixed(offset: PythonTimeDelta(days: 1)!, name: nil)
        #expect(throws: EncodingError.self) { try PickleEncoder().encodeValue(day) }
        #expect(PythonDateTime(year: 2000, month: 1, day: 1, timeZone: day) == nil)
    }

    // MARK: Decimal, UUID, OrderedDict

    @Test func decimals() throws {
        let value = try PickleEncoder().encodeValue(Decimal(string: "-12.50")!)
        #expect(codableRepr(value) == "decimal.Decimal('-12.5')")
        func decimal(_ text: String) throws -> Decimal {
            try PickleDecoder().decode(Decimal.self, from: reduced("decimal", "Decimal", [.string(text)]))
        }
        #expect(try decimal("1.50") == Decimal(string: "1.5"))
        #expect(try decimal("-0") == 0)
        #expect(try decimal("1E+130") == Decimal(string: "1000E127"))
        #expect(
            try decimal("12345678901234567890123456789012345678")
                == Decimal(string: "12345678901234567890123456789012345678"))
        #expect(try decimal("0.000001000") == Decimal(string: "0.000001"))
        #expect(try decimal("NaN").isNaN)
        #expect(try PickleDecoder().decode(Decimal.self, from: 42) == 42)
        func failure(_ text: String) -> String? {
            decodingFailure(Decimal.self, from: reduced("decimal", "Decimal", [.string(text)]))
        }
        #expect(
            failure("-Infinity") == """
                Decimal('-Infinity') cannot be represented by Foundation.Decimal, \
                which has no infinities or signaling NaNs \
                at the top level
                """)
        #expect(failure("sNaN")?.hasPrefix("Decimal('sNaN') cannot be represented") == true)
        #expect(
            failure("1234567890123456789012345678901234567890")?.hasSuffix(
                "has more than 38 significant digits, more than Foundation.Decimal holds at the top level") == true)
        #expect(failure("1E-200") == "Decimal('1E-200') is beyond the range of Foundation.Decimal at the top level")
        #expect(failure("1.2.3") == "Decimal('1.2.3') is not a decimal number at the top level")
        #expect(try PickleDecoder().decode(Decimal.self, from: try PickleEncoder().encodeValue(Decimal.nan)).isNaN)
    }

    @Test func uuids() throws {
        let id = UUID(uuidString: "12345678-9ABC-DEF0-1234-56789ABCDEF0")!
        let value = try PickleEncoder().encodeValue(id)
        #expect(
            codableRepr(value) == "uuid.UUID.__new__().__setstate__({'int': 24197857203266734864793317670504947440})")
        #expect(try PickleDecoder().decode(UUID.self, from: value) == id)
        #expect(try PickleDecoder().decode(UUID.self, from: .string(id.uuidString.lowercased())) == id)
        let zero = PickleObject(
            newInstanceOf: PickleGlobal(module: "uuid", name: "UUID"), state: ["int": 0, "is_safe": 0])
        #expect(
            try PickleDecoder().decode(UUID.self, from: .object(zero))
                == UUID(uuidString: "00000000-0000-0000-0000-000000000000"))
    }

    @Test func orderedDicts() throws {
        var steps: PythonOrderedDict = ["wash": 1, "rinse": 2]
        steps["dry"] = 3
        steps["wash"] = 0
        #expect(steps.keys == ["wash", "rinse", "dry"])
        let value = try PickleEncoder().encodeValue(steps)
        #expect(codableRepr(value) == "collections.OrderedDict().update({'wash': 0, 'rinse': 2, 'dry': 3})")
        #expect(try PickleDecoder().decode(PythonOrderedDict<String, Int>.self, from: value) == steps)
        #expect(
            try PickleDecoder().decode(PythonOrderedDict<String, Int>.self, from: ["wash": 0, "rinse": 2, "dry": 3])
                == steps)
        #expect(
            try PickleDecoder().decode(PythonOrderedDict<String, Int>.self, from: ["rinse": 2, "wash": 0, "dry": 3])
                != steps)
        steps["rinse"] = nil
        #expect(Array(steps.map(\.key)) == ["wash", "dry"])
        // Through JSON: alternating keys and values.
        let json = try JSONEncoder().encode(steps)
        #expect(String(decoding: json, as: UTF8.self) == #"["wash",0,"dry",3]"#)
        #expect(try JSONDecoder().decode(PythonOrderedDict<String, Int>.self, from: json) == steps)
    }

    struct Record: Codable, Equatable {
        var when: Date
        var day: PythonDate
        var at: PythonTime
        var stamp: PythonDateTime
        var span: PythonTimeDelta
        var price: Decimal
        var id: UUID
        var order: PythonOrderedDict<Int, String>
        var big: BigInteger
        var optionalDay: PythonDate?
    }

    @Test func asFieldsOfACodableStruct() throws {
        let record = Record(
            when: Date(timeIntervalSince1970: 1_000_000), day: PythonDate(year: 2000, month: 2, day: 29)!,
            at: PythonTime(hour: 8)!, stamp: PythonDateTime(year: 1, month: 1, day: 1)!,
            span: PythonTimeDelta(days: -3)!, price: Decimal(string: "9.99")!, id: UUID(),
            order: [2: "b", 1: "a"], big: BigInteger("99999999999999999999999")!, optionalDay: nil)
        let value = try PickleEncoder().encodeValue(record)
        #expect(try PickleDecoder().decode(Record.self, from: value) == record)
        // Through JSON too, with the keyed forms.
        let json = try JSONEncoder().encode(record)
        #expect(try JSONDecoder().decode(Record.self, from: json) == record)
    }
}
