/// A Python `datetime.timedelta`: a duration of days, seconds and microseconds.
///
/// The fields are normalised as Python normalises them: `0 <= seconds < 86400`,
/// `0 <= microseconds < 1_000_000`, and `days` carries the sign, between -999,999,999 and
/// 999,999,999. So minus one microsecond is `days: -1, seconds: 86399, microseconds: 999999`, as in
/// Python.
///
/// It pickles as CPython pickles a `timedelta`: `datetime.timedelta(days, seconds, microseconds)`.
/// Through other coders (like `JSONEncoder`) it is a keyed value with those three fields.
///
/// ```swift
/// let delta = PythonTimeDelta(days: 1, seconds: -1)!   // timedelta(seconds=86399)
/// delta.days          // 0
/// delta.seconds       // 86399
/// delta.timeInterval  // 86399.0
/// ```
public struct PythonTimeDelta: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Whole days, negative for a negative duration.
    public let days: Int
    /// Seconds beyond the days, `0..<86400`.
    public let seconds: Int
    /// Microseconds beyond the seconds, `0..<1_000_000`.
    public let microseconds: Int

    /// The largest number of days Python allows, 999,999,999.
    public static let maximumDays = 999_999_999

    /// No time at all.
    public static let zero = PythonTimeDelta(normalizedDays: 0, seconds: 0, microseconds: 0)

    /// Creates a duration from any amounts, normalised the way Python's `timedelta` normalises them.
    ///
    /// ```swift
    /// PythonTimeDelta(seconds: 90, microseconds: 1_500_000)   // 91.5 seconds
    /// ```
    ///
    /// - Parameters:
    ///   - days: Days; may be negative.
    ///   - seconds: Seconds; may be negative or beyond a day.
    ///   - microseconds: Microseconds; may be negative or beyond a second.
    /// - Returns: `nil` when the normalised days are beyond ±999,999,999, where Python raises
    ///   `OverflowError`.
    public init?(days: Int = 0, seconds: Int = 0, microseconds: Int = 0) {
        let (carrySeconds, micros) = Self.floorDivision(microseconds, 1_000_000)
        let (totalSeconds, secondsOverflow) = seconds.addingReportingOverflow(carrySeconds)
        guard !secondsOverflow else { return nil }
        let (carryDays, secs) = Self.floorDivision(totalSeconds, 86_400)
        let (totalDays, daysOverflow) = days.addingReportingOverflow(carryDays)
        guard !daysOverflow, (-Self.maximumDays...Self.maximumDays).contains(totalDays) else { return nil }
        self.init(normalizedDays: totalDays, seconds: secs, microseconds: micros)
    }

    /// Creates a duration of `timeInterval` seconds, rounded to the nearest microsecond (ties to
    /// even), as Python's `timedelta(seconds=x)` rounds a float.
    ///
    /// - Parameter timeInterval: Seconds, like Python's `timedelta.total_seconds()`.
    /// - Returns: `nil` when the value is not finite or beyond Python's range.
    public init?(timeInterval: Double) {
        guard timeInterval.isFinite, timeInterval.magnitude < 1e14 else { return nil }
        let whole = timeInterval.rounded(.down)
        let micros = ((timeInterval - whole) * 1_000_000).rounded(.toNearestOrEven)
        self.init(seconds: Int(whole), microseconds: Int(micros))
    }

    init(normalizedDays days: Int, seconds: Int, microseconds: Int) {
        self.days = days
        self.seconds = seconds
        self.microseconds = microseconds
    }

    /// The duration in seconds, like Python's `timedelta.total_seconds()`.
    public var timeInterval: Double {
        Double(days * 86_400 + seconds) + Double(microseconds) / 1_000_000
    }

    /// The opposite duration, or `nil` for the one value whose opposite Python cannot hold.
    public var negated: PythonTimeDelta? {
        PythonTimeDelta(days: -days, seconds: -seconds, microseconds: -microseconds)
    }

    /// The duration as Python prints it: `"1 day, 0:00:01.000001"`, `"-1 day, 23:59:59"`.
    public var description: String {
        let hours = seconds / 3600
        let minutes = seconds / 60 % 60
        let secs = seconds % 60
        var text = "\(hours):" + Self.twoDigits(minutes) + ":" + Self.twoDigits(secs)
        if microseconds != 0 {
            let digits = String(microseconds)
            text += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        if days != 0 { text = "\(days) day\(days.magnitude == 1 ? "" : "s"), " + text }
        return text
    }

    /// Orders durations from the most negative to the most positive.
    public static func < (lhs: PythonTimeDelta, rhs: PythonTimeDelta) -> Bool {
        (lhs.days, lhs.seconds, lhs.microseconds) < (rhs.days, rhs.seconds, rhs.microseconds)
    }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Python's `divmod` for a positive divisor: the remainder is never negative.
    static func floorDivision(_ value: Int, _ divisor: Int) -> (quotient: Int, remainder: Int) {
        let quotient = value / divisor
        let remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}

// MARK: - Pickle form

extension PythonTimeDelta: PickleNativeEncodable, PickleNativeDecodable {
    static let pythonClass = PickleGlobal(module: "datetime", name: "timedelta")

    /// `datetime.timedelta(days, seconds, microseconds)`, as CPython's `__reduce__` gives it.
    var pickleValue: PickleValue {
        .object(
            PickleObject(
                construction: .reduce, callable: .global(Self.pythonClass),
                arguments: [.int(days), .int(seconds), .int(microseconds)]))
    }

    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue { pickleValue }

    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        self = try Self(pickleValue: value, at: path)
    }

    /// Reads `datetime.timedelta(days, seconds, microseconds)`, any of the arguments omitted.
    init(pickleValue value: PickleValue, at path: @autoclosure () -> PickleCodingPath) throws {
        guard case .object(let object) = value, object.construction == .reduce, object.global == Self.pythonClass,
            object.arguments.count <= 3
        else {
            throw PickleCodingErrors.mismatch(Self.self, expected: "datetime.timedelta", found: value, at: path())
        }
        var parts = [0, 0, 0]
        for (position, argument) in object.arguments.enumerated() {
            parts[position] = try PickleUnboxing.integer(argument, as: Int.self, at: path())
        }
        guard let delta = PythonTimeDelta(days: parts[0], seconds: parts[1], microseconds: parts[2]) else {
            throw PickleCodingErrors.corrupted("timedelta beyond ±999999999 days", at: path())
        }
        self = delta
    }
}

// MARK: - Codable

extension PythonTimeDelta: Codable {
    private enum CodingKeys: String, CodingKey {
        case days, seconds, microseconds
    }

    /// Encodes the duration: a `datetime.timedelta` through ``PickleEncoder``, else a keyed value
    /// with `days`, `seconds` and `microseconds`.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: What the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? _PickleEncoder { return encoder.store(pickleValue) }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(days, forKey: .days)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(microseconds, forKey: .microseconds)
    }

    /// Decodes a duration: a `datetime.timedelta` through ``PickleDecoder``, else a keyed value with
    /// `days`, `seconds` and `microseconds` (each optional, normalised as Python does).
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when the value is not a duration Python could hold.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? _PickleDecoder {
            self = try Self(pickleValue: decoder.value, at: decoder.path)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard
            let delta = PythonTimeDelta(
                days: try container.decodeIfPresent(Int.self, forKey: .days) ?? 0,
                seconds: try container.decodeIfPresent(Int.self, forKey: .seconds) ?? 0,
                microseconds: try container.decodeIfPresent(Int.self, forKey: .microseconds) ?? 0)
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .days, in: container, debugDescription: "timedelta beyond ±999999999 days")
        }
        self = delta
    }
}
