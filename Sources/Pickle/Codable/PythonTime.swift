/// A Python `datetime.time`: a time of day to the microsecond, naive or with a ``PythonTimeZone``.
///
/// It pickles as CPython pickles a `time`: `datetime.time(payload)` or
/// `datetime.time(payload, tzinfo)`, the 6-byte payload being hour, minute, second and the
/// microseconds in three big-endian bytes; `fold` is the hour byte's high bit, written from protocol
/// 4 on, as CPython does. Through other coders (like `JSONEncoder`) it is a keyed value with the
/// fields.
///
/// Equality compares the fields, `fold` and the zone included; Python compares aware times by
/// their UTC value instead.
///
/// ```swift
/// let noon = PythonTime(hour: 12)!
/// noon.description    // "12:00:00", as Python's isoformat()
/// ```
public struct PythonTime: Hashable, Sendable, CustomStringConvertible {
    /// The hour, 0 to 23.
    public let hour: Int
    /// The minute, 0 to 59.
    public let minute: Int
    /// The second, 0 to 59.
    public let second: Int
    /// The microsecond, 0 to 999,999.
    public let microsecond: Int
    /// 0 or 1: which of two equal wall times this is when clocks go back (PEP 495).
    public let fold: Int
    /// The zone, or `nil` for a naive time.
    public let timeZone: PythonTimeZone?

    /// Creates a time, or `nil` when Python's `datetime.time` would raise `ValueError`.
    ///
    /// - Parameters:
    ///   - hour: 0 to 23.
    ///   - minute: 0 to 59.
    ///   - second: 0 to 59.
    ///   - microsecond: 0 to 999,999.
    ///   - fold: 0 or 1.
    ///   - timeZone: The zone (a fixed offset must be strictly within a day), or `nil` for naive.
    public init?(
        hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0, fold: Int = 0,
        timeZone: PythonTimeZone? = nil
    ) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
            (0...999_999).contains(microsecond), (0...1).contains(fold), timeZone?.isValid ?? true
        else { return nil }
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microsecond = microsecond
        self.fold = fold
        self.timeZone = timeZone
    }

    /// The time in ISO 8601 form, as Python's `time.isoformat()`: `"12:30:00.000001+02:00"`.
    public var description: String {
        var text =
            PythonTimeDelta.twoDigits(hour) + ":" + PythonTimeDelta.twoDigits(minute) + ":"
            + PythonTimeDelta.twoDigits(second)
        if microsecond != 0 {
            let digits = String(microsecond)
            text += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        if let offset = timeZone?.utcOffset {
            let zone = PythonTimeZone.fixed(offset: offset, name: nil).description
            text += zone == "UTC" ? "+00:00" : String(zone.dropFirst(3))
        }
        return text
    }

    /// The 6-byte state CPython pickles; the hour's high bit is the fold from protocol 4 on.
    func payload(protocolVersion: Int) -> [UInt8] {
        let foldBit: UInt8 = fold == 1 && protocolVersion > 3 ? 0x80 : 0
        return [UInt8(hour) | foldBit, UInt8(minute), UInt8(second)] + Self.microsecondBytes(microsecond)
    }

    static func microsecondBytes(_ microsecond: Int) -> [UInt8] {
        [UInt8(microsecond >> 16), UInt8((microsecond >> 8) & 0xFF), UInt8(microsecond & 0xFF)]
    }

    static func microsecond(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.reduce(0) { $0 << 8 | Int($1) }
    }
}

// MARK: - Pickle form

extension PythonTime: PickleNativeEncodable, PickleNativeDecodable {
    static let pythonClass = PickleGlobal(module: "datetime", name: "time")

    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue {
        var arguments: [PickleValue] = [.bytes(payload(protocolVersion: encoder.context.protocolVersion))]
        if let timeZone { arguments.append(try timeZone.pickleValue(in: encoder, at: path)) }
        return .object(PickleObject(construction: .reduce, callable: .global(Self.pythonClass), arguments: arguments))
    }

    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        self = try Self(pickleValue: value, at: path)
    }

    /// Reads `datetime.time(payload[, tzinfo])`, or `datetime.time(hour, minute, second,
    /// microsecond[, tzinfo])`.
    init(pickleValue value: PickleValue, at path: @autoclosure () -> PickleCodingPath) throws {
        guard case .object(let object) = value, object.construction == .reduce,
            PickleInstance.isDatetime(object.global, "time"), let first = object.arguments.first
        else {
            throw PickleCodingErrors.mismatch(Self.self, expected: "datetime.time", found: value, at: path())
        }
        var time: PythonTime?
        if let payload = PickleInstance.payload(first), object.arguments.count <= 2 {
            guard payload.count == 6 else {
                throw PickleCodingErrors.corrupted("datetime.time state of \(payload.count) bytes", at: path())
            }
            let zone =
                try object.arguments.count == 2 ? PythonTimeZone.decodeTZInfo(object.arguments[1], at: path()) : nil
            time = PythonTime(
                hour: Int(payload[0] & 0x7F), minute: Int(payload[1]), second: Int(payload[2]),
                microsecond: Self.microsecond(payload[3...]), fold: Int(payload[0] >> 7), timeZone: zone)
        } else {
            var parts: [Int] = []
            var zone: PythonTimeZone?
            for argument in object.arguments {
                if parts.count < 4, case .int = argument {
                    parts.append(try PickleUnboxing.integer(argument, as: Int.self, at: path()))
                } else if zone == nil {
                    zone = try PythonTimeZone.decodeTZInfo(argument, at: path())
                } else {
                    throw PickleCodingErrors.corrupted("datetime.time with unexpected arguments", at: path())
                }
            }
            parts += [0, 0, 0, 0].dropFirst(parts.count)
            time = PythonTime(hour: parts[0], minute: parts[1], second: parts[2], microsecond: parts[3], timeZone: zone)
        }
        guard let time else { throw PickleCodingErrors.corrupted("datetime.time out of range", at: path()) }
        self = time
    }
}

extension PythonTimeZone {
    /// Reads a `tzinfo` argument: a zone, or `None` for naive.
    static func decodeTZInfo(
        _ value: PickleValue, at path: @autoclosure () -> PickleCodingPath
    ) throws -> PythonTimeZone? {
        if case .none = value { return nil }
        return try PythonTimeZone(pickleValue: value, at: path())
    }
}

// MARK: - Codable

extension PythonTime: Codable {
    private enum CodingKeys: String, CodingKey {
        case hour, minute, second, microsecond, fold, timeZone
    }

    /// Encodes the time: a `datetime.time` through ``PickleEncoder``, else a keyed value with the
    /// fields (`timeZone` only when aware).
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: What the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? _PickleEncoder {
            return encoder.store(try pickleValue(in: encoder, at: encoder.path))
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hour, forKey: .hour)
        try container.encode(minute, forKey: .minute)
        try container.encode(second, forKey: .second)
        try container.encode(microsecond, forKey: .microsecond)
        try container.encode(fold, forKey: .fold)
        try container.encodeIfPresent(timeZone, forKey: .timeZone)
    }

    /// Decodes a time: a `datetime.time` through ``PickleDecoder``, else the keyed value that
    /// ``encode(to:)`` writes (fields other than `hour` optional).
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when the value is not a time Python could hold.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? _PickleDecoder {
            self = try Self(pickleValue: decoder.value, at: decoder.path)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard
            let time = PythonTime(
                hour: try container.decode(Int.self, forKey: .hour),
                minute: try container.decodeIfPresent(Int.self, forKey: .minute) ?? 0,
                second: try container.decodeIfPresent(Int.self, forKey: .second) ?? 0,
                microsecond: try container.decodeIfPresent(Int.self, forKey: .microsecond) ?? 0,
                fold: try container.decodeIfPresent(Int.self, forKey: .fold) ?? 0,
                timeZone: try container.decodeIfPresent(PythonTimeZone.self, forKey: .timeZone))
        else {
            throw DecodingError.dataCorruptedError(forKey: .hour, in: container, debugDescription: "no such time")
        }
        self = time
    }
}
