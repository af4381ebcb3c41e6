/// A Python `datetime.date`: a day of the proleptic Gregorian calendar, years 1 to 9999.
///
/// It pickles as CPython pickles a `date`: `datetime.date(b'\x07\xbc\x05\x07')`, the 4-byte state
/// (year high byte, year low byte, month, day). Through other coders (like `JSONEncoder`) it is a
/// keyed value with `year`, `month` and `day`.
///
/// ```swift
/// let birthday = PythonDate(year: 1980, month: 5, day: 7)!
/// birthday.description    // "1980-05-07", as Python's isoformat()
/// PythonDate(year: 2023, month: 2, day: 29)   // nil
/// ```
public struct PythonDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The year, 1 to 9999.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int
    /// The day of the month, 1 to 31.
    public let day: Int

    /// Creates a date, or `nil` when Python's `datetime.date` would raise `ValueError`.
    ///
    /// - Parameters:
    ///   - year: 1 to 9999.
    ///   - month: 1 to 12.
    ///   - day: 1 to the number of days in the month.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...Self.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date in ISO 8601 form, as Python's `date.isoformat()`: `"1980-05-07"`.
    public var description: String {
        let digits = String(year)
        return String(repeating: "0", count: 4 - digits.count) + digits + "-" + PythonTimeDelta.twoDigits(month)
            + "-" + PythonTimeDelta.twoDigits(day)
    }

    /// Orders dates from the earliest.
    public static func < (lhs: PythonDate, rhs: PythonDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    // MARK: Calendar arithmetic

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to this date (negative before it).
    var daysSince1970: Int {
        // The proleptic Gregorian day count, counting years from March so that February is last.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` days after 1970-01-01, or `nil` beyond the years 1 to 9999.
    init?(daysSince1970 days: Int) {
        guard (-719_162...2_932_896).contains(days) else { return nil }
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }
}

// MARK: - Pickle form

extension PythonDate: PickleNativeEncodable, PickleNativeDecodable {
    static let pythonClass = PickleGlobal(module: "datetime", name: "date")

    /// The 4-byte state CPython pickles: year (big-endian), month, day.
    var payload: [UInt8] { [UInt8(year >> 8), UInt8(year & 0xFF), UInt8(month), UInt8(day)] }

    /// `datetime.date(payload)`, as CPython's `__reduce__` gives it.
    var pickleValue: PickleValue {
        .object(PickleObject(construction: .reduce, callable: .global(Self.pythonClass), arguments: [.bytes(payload)]))
    }

    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue { pickleValue }

    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        self = try Self(pickleValue: value, at: path)
    }

    /// Reads `datetime.date(payload)`, or `datetime.date(year, month, day)`.
    init(pickleValue value: PickleValue, at path: @autoclosure () -> PickleCodingPath) throws {
        guard case .object(let object) = value, object.construction == .reduce,
            PickleInstance.isDatetime(object.global, "date")
        else {
            throw PickleCodingErrors.mismatch(Self.self, expected: "datetime.date", found: value, at: path())
        }
        let date: PythonDate?
        if object.arguments.count == 1, let payload = PickleInstance.payload(object.arguments[0]) {
            guard payload.count == 4 else {
                throw PickleCodingErrors.corrupted("datetime.date state of \(payload.count) bytes", at: path())
            }
            date = PythonDate(
                year: Int(payload[0]) << 8 | Int(payload[1]), month: Int(payload[2]), day: Int(payload[3]))
        } else if object.arguments.count == 3 {
            let parts = try object.arguments.map { try PickleUnboxing.integer($0, as: Int.self, at: path()) }
            date = PythonDate(year: parts[0], month: parts[1], day: parts[2])
        } else {
            throw PickleCodingErrors.corrupted("datetime.date with \(object.arguments.count) arguments", at: path())
        }
        guard let date else { throw PickleCodingErrors.corrupted("datetime.date out of range", at: path()) }
        self = date
    }
}

// MARK: - Codable

extension PythonDate: Codable {
    private enum CodingKeys: String, CodingKey {
        case year, month, day
    }

    /// Encodes the date: a `datetime.date` through ``PickleEncoder``, else a keyed value with
    /// `year`, `month` and `day`.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: What the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? _PickleEncoder { return encoder.store(pickleValue) }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(year, forKey: .year)
        try container.encode(month, forKey: .month)
        try container.encode(day, forKey: .day)
    }

    /// Decodes a date: a `datetime.date` through ``PickleDecoder``, else a keyed value with `year`,
    /// `month` and `day`.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when the value is not a date Python could hold.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? _PickleDecoder {
            self = try Self(pickleValue: decoder.value, at: decoder.path)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard
            let date = PythonDate(
                year: try container.decode(Int.self, forKey: .year),
                month: try container.decode(Int.self, forKey: .month),
                day: try container.decode(Int.self, forKey: .day))
        else {
            throw DecodingError.dataCorruptedError(forKey: .day, in: container, debugDescription: "no such date")
        }
        self = date
    }
}
