#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A Python `datetime.datetime`, field for field: naive or aware, with its zone and `fold` kept
/// exactly.
///
/// Decode a `PythonDateTime` rather than a `Date` to keep what a `Date` cannot hold: whether the
/// datetime was naive, its zone (a fixed offset with its name, or a `zoneInfo` key), its `fold`, and
/// microseconds far from 2001, where a `Date`'s `Double` loses them.
///
/// It pickles as CPython pickles a `datetime`: `datetime.datetime(payload)` or
/// `datetime.datetime(payload, tzinfo)`, the 10-byte payload being the year (big-endian), month,
/// day, hour, minute, second and the microseconds in three big-endian bytes; `fold` is the month
/// byte's high bit, written from protocol 4 on, as CPython does. Through other coders (like
/// `JSONEncoder`) it is a keyed value with the fields.
///
/// Equality compares the fields, `fold` and the zone included; Python compares aware datetimes by
/// their UTC value instead.
///
/// ```swift
/// let launch = PythonDateTime(year: 1969, month: 7, day: 16, hour: 13, minute: 32, timeZone: .utc)!
/// Date(launch)           // 1969-07-16 13:32:00 +0000
/// launch.description     // "1969-07-16 13:32:00+00:00", as Python's str()
/// ```
public struct PythonDateTime: Hashable, Sendable, CustomStringConvertible {
    /// The day.
    public let date: PythonDate
    /// The time of day, with the `fold` and the zone.
    public let time: PythonTime

    /// The year, 1 to 9999.
    public var year: Int { date.year }
    /// The month, 1 to 12.
    public var month: Int { date.month }
    /// The day of the month, 1 to 31.
    public var day: Int { date.day }
    /// The hour, 0 to 23.
    public var hour: Int { time.hour }
    /// The minute, 0 to 59.
    public var minute: Int { time.minute }
    /// The second, 0 to 59.
    public var second: Int { time.second }
    /// The microsecond, 0 to 999,999.
    public var microsecond: Int { time.microsecond }
    /// 0 or 1: which of two equal wall times this is when clocks go back (PEP 495).
    public var fold: Int { time.fold }
    /// The zone, or `nil` for a naive datetime.
    public var timeZone: PythonTimeZone? { time.timeZone }

    /// Creates a datetime from a date and a time of day (whose zone and fold it takes).
    ///
    /// - Parameters:
    ///   - date: The day.
    ///   - time: The time of day.
    public init(date: PythonDate, time: PythonTime) {
        self.date = date
        self.time = time
    }

    /// Creates a datetime, or `nil` when Python's `datetime.datetime` would raise `ValueError`.
    ///
    /// - Parameters:
    ///   - year: 1 to 9999.
    ///   - month: 1 to 12.
    ///   - day: 1 to the number of days in the month.
    ///   - hour: 0 to 23.
    ///   - minute: 0 to 59.
    ///   - second: 0 to 59.
    ///   - microsecond: 0 to 999,999.
    ///   - fold: 0 or 1.
    ///   - timeZone: The zone (a fixed offset must be strictly within a day), or `nil` for naive.
    public init?(
        year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0,
        fold: Int = 0, timeZone: PythonTimeZone? = nil
    ) {
        guard let date = PythonDate(year: year, month: month, day: day),
            let time = PythonTime(
                hour: hour, minute: minute, second: second, microsecond: microsecond, fold: fold, timeZone: timeZone)
        else { return nil }
        self.init(date: date, time: time)
    }

    /// Creates the datetime of `date` in a fixed-offset zone, or naive holding the UTC time.
    ///
    /// The date is rounded to the nearest microsecond, ties to even, as Python's
    /// `datetime.fromtimestamp` rounds.
    ///
    /// ```swift
    /// PythonDateTime(Date(timeIntervalSince1970: 0))    // 1970-01-01 00:00:00+00:00
    /// ```
    ///
    /// - Parameters:
    ///   - date: The moment.
    ///   - timeZone: A fixed-offset zone (``PythonTimeZone/utc`` by default), or `nil` for a naive
    ///     datetime of the UTC time.
    /// - Returns: `nil` when the wall time falls outside the years 1 to 9999, or `timeZone` is a
    ///   `ZoneInfo` zone, whose offset needs the time zone database.
    public init?(_ date: Date, timeZone: PythonTimeZone? = .utc) {
        guard let microseconds = Self.microsecondsSince1970(date) else { return nil }
        var offset = 0
        if let timeZone {
            guard let utcOffset = timeZone.utcOffset, timeZone.isValid else { return nil }
            offset = (utcOffset.days * 86_400 + utcOffset.seconds) * 1_000_000 + utcOffset.microseconds
        }
        self.init(microsecondsSince1970: microseconds + offset, fold: 0, timeZone: timeZone)
    }

    /// The datetime `microseconds` after 1970-01-01 00:00 of its own wall clock, or `nil` beyond
    /// the years 1 to 9999.
    init?(microsecondsSince1970 microseconds: Int, fold: Int, timeZone: PythonTimeZone?) {
        let (days, dayMicroseconds) = PythonTimeDelta.floorDivision(microseconds, 86_400_000_000)
        let (seconds, microsecond) = PythonTimeDelta.floorDivision(dayMicroseconds, 1_000_000)
        guard let date = PythonDate(daysSince1970: days),
            let time = PythonTime(
                hour: seconds / 3600, minute: seconds / 60 % 60, second: seconds % 60, microsecond: microsecond,
                fold: fold, timeZone: timeZone)
        else { return nil }
        self.init(date: date, time: time)
    }

    /// Microseconds from 1970-01-01 00:00 to this wall time, ignoring the zone.
    var wallMicrosecondsSince1970: Int {
        ((date.daysSince1970 * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000) + microsecond
    }

    /// Microseconds from 1970-01-01 00:00 UTC to this moment, a naive datetime being read as UTC;
    /// `nil` for a `ZoneInfo` zone.
    var utcMicrosecondsSince1970: Int? {
        guard let timeZone else { return wallMicrosecondsSince1970 }
        guard let offset = timeZone.utcOffset else { return nil }
        return wallMicrosecondsSince1970 - ((offset.days * 86_400 + offset.seconds) * 1_000_000 + offset.microseconds)
    }

    /// Microseconds from 1970 to `date`, rounded to nearest, ties to even; `nil` far beyond the
    /// years 1 to 9999.
    static func microsecondsSince1970(_ date: Date) -> Int? {
        let interval = date.timeIntervalSinceReferenceDate
        guard interval.isFinite, interval.magnitude < 1e13 else { return nil }
        let whole = interval.rounded(.down)
        let fraction = ((interval - whole) * 1_000_000).rounded(.toNearestOrEven)
        return (Int(whole) + referenceDateSince1970) * 1_000_000 + Int(fraction)
    }

    /// Seconds from 1970-01-01 to 2001-01-01, `Date`'s reference date.
    static let referenceDateSince1970 = 978_307_200

    /// The datetime as Python's `str()` prints it: `"2024-01-02 03:04:05.000006+02:00"`.
    public var description: String { date.description + " " + time.description }
}

extension Date {
    /// Creates the moment of a Python datetime; a naive datetime is read as UTC.
    ///
    /// ```swift
    /// Date(PythonDateTime(year: 2001, month: 1, day: 1)!)   // Date(timeIntervalSinceReferenceDate: 0)
    /// ```
    ///
    /// - Parameter dateTime: The datetime.
    /// - Returns: `nil` when the zone is a `ZoneInfo` zone, whose offset needs the time zone
    ///   database.
    public init?(_ dateTime: PythonDateTime) {
        guard let microseconds = dateTime.utcMicrosecondsSince1970 else { return nil }
        let (seconds, fraction) = PythonTimeDelta.floorDivision(microseconds, 1_000_000)
        self.init(
            timeIntervalSinceReferenceDate: Double(seconds - PythonDateTime.referenceDateSince1970)
                + Double(fraction) / 1_000_000)
    }
}

// MARK: - Pickle form

extension PythonDateTime: PickleNativeEncodable, PickleNativeDecodable {
    static let pythonClass = PickleGlobal(module: "datetime", name: "datetime")

    /// The 10-byte state CPython pickles; the month's high bit is the fold from protocol 4 on.
    func payload(protocolVersion: Int) -> [UInt8] {
        let foldBit: UInt8 = fold == 1 && protocolVersion > 3 ? 0x80 : 0
        return [
            UInt8(year >> 8), UInt8(year & 0xFF), UInt8(month) | foldBit, UInt8(day), UInt8(hour), UInt8(minute),
            UInt8(second),
        ] + PythonTime.microsecondBytes(microsecond)
    }

    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue {
        var arguments: [PickleValue] = [.bytes(payload(protocolVersion: encoder.context.protocolVersion))]
        if let timeZone { arguments.append(try timeZone.pickleValue(in: encoder, at: path)) }
        return .object(PickleObject(construction: .reduce, callable: .global(Self.pythonClass), arguments: arguments))
    }

    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        self = try Self(pickleValue: value, at: path)
    }

    /// Reads `datetime.datetime(payload[, tzinfo])`, or `datetime.datetime(year, month, day, hour,
    /// minute, second, microsecond[, tzinfo])`.
    init(pickleValue value: PickleValue, at path: @autoclosure () -> PickleCodingPath) throws {
        guard case .object(let object) = value, object.construction == .reduce,
            PickleInstance.isDatetime(object.global, "datetime"), let first = object.arguments.first
        else {
            throw PickleCodingErrors.mismatch(Self.self, expected: "datetime.datetime", found: value, at: path())
        }
        var dateTime: PythonDateTime?
        if let payload = PickleInstance.payload(first), object.arguments.count <= 2 {
            guard payload.count == 10 else {
                throw PickleCodingErrors.corrupted("datetime.datetime state of \(payload.count) bytes", at: path())
            }
            let zone =
                try object.arguments.count == 2 ? PythonTimeZone.decodeTZInfo(object.arguments[1], at: path()) : nil
            dateTime = PythonDateTime(
                year: Int(payload[0]) << 8 | Int(payload[1]), month: Int(payload[2] & 0x7F), day: Int(payload[3]),
                hour: Int(payload[4]), minute: Int(payload[5]), second: Int(payload[6]),
                microsecond: PythonTime.microsecond(payload[7...]), fold: Int(payload[2] >> 7), timeZone: zone)
        } else {
            var parts: [Int] = []
            var zone: PythonTimeZone?
            for argument in object.arguments {
                if parts.count < 7, case .int = argument {
                    parts.append(try PickleUnboxing.integer(argument, as: Int.self, at: path()))
                } else if zone == nil {
                    zone = try PythonTimeZone.decodeTZInfo(argument, at: path())
                } else {
                    throw PickleCodingErrors.corrupted("datetime.datetime with unexpected arguments", at: path())
                }
            }
            guard parts.count >= 3 else {
                throw PickleCodingErrors.corrupted("datetime.datetime without year, month and day", at: path())
            }
            parts += [0, 0, 0, 0].dropFirst(parts.count - 3)
            dateTime = PythonDateTime(
                year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts[5],
                microsecond: parts[6], timeZone: zone)
        }
        guard let dateTime else { throw PickleCodingErrors.corrupted("datetime.datetime out of range", at: path()) }
        self = dateTime
    }
}

// MARK: - Codable

extension PythonDateTime: Codable {
    private enum CodingKeys: String, CodingKey {
        case year, month, day, hour, minute, second, microsecond, fold, timeZone
    }

    /// Encodes the datetime: a `datetime.datetime` through ``PickleEncoder``, else a keyed value with
    /// the fields (`timeZone` only when aware).
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: What the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? _PickleEncoder {
            return encoder.store(try pickleValue(in: encoder, at: encoder.path))
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(year, forKey: .year)
        try container.encode(month, forKey: .month)
        try container.encode(day, forKey: .day)
        try container.encode(hour, forKey: .hour)
        try container.encode(minute, forKey: .minute)
        try container.encode(second, forKey: .second)
        try container.encode(microsecond, forKey: .microsecond)
        try container.encode(fold, forKey: .fold)
        try container.encodeIfPresent(timeZone, forKey: .timeZone)
    }

    /// Decodes a datetime: a `datetime.datetime` through ``PickleDecoder``, else the keyed value
    /// that ``encode(to:)`` writes (the time fields optional).
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when the value is not a datetime Python could hold.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? _PickleDecoder {
            self = try Self(pickleValue: decoder.value, at: decoder.path)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard
            let dateTime = PythonDateTime(
                year: try container.decode(Int.self, forKey: .year),
                month: try container.decode(Int.self, forKey: .month),
                day: try container.decode(Int.self, forKey: .day),
                hour: try container.decodeIfPresent(Int.self, forKey: .hour) ?? 0,
                minute: try container.decodeIfPresent(Int.self, forKey: .minute) ?? 0,
                second: try container.decodeIfPresent(Int.self, forKey: .second) ?? 0,
                microsecond: try container.decodeIfPresent(Int.self, forKey: .microsecond) ?? 0,
                fold: try container.decodeIfPresent(Int.self, forKey: .fold) ?? 0,
                timeZone: try container.decodeIfPresent(PythonTimeZone.self, forKey: .timeZone))
        else {
            throw DecodingError.dataCorruptedError(forKey: .day, in: container, debugDescription: "no such datetime")
        }
        self = dateTime
    }
}
