/// The `tzinfo` of an aware ``PythonDateTime`` or ``PythonTime``: a fixed offset
/// (`datetime.timezone`) or a named zone of the time zone database (`zoneinfo.ZoneInfo`).
///
/// Both pickle exactly as CPython 3.11 pickles them. A fixed offset converts to and from `Date`;
/// a `ZoneInfo` zone keeps its name, but its offset needs the time zone database, which this
/// package does not read.
///
/// ```swift
/// let paris = PythonTimeZone.zoneInfo(key: "Europe/Paris")
/// let est = PythonTimeZone.fixed(offset: PythonTimeDelta(seconds: -5 * 3600)!, name: "EST")
/// PythonTimeZone.utc.utcOffset    // PythonTimeDelta.zero
/// ```
public enum PythonTimeZone: Hashable, Sendable, CustomStringConvertible {
    /// `datetime.timezone(offset)` or `datetime.timezone(offset, name)`: a fixed offset from UTC,
    /// strictly between -24 and +24 hours.
    case fixed(offset: PythonTimeDelta, name: String?)
    /// `zoneinfo.ZoneInfo(key)`, a zone of the IANA time zone database, like `"Europe/Paris"`.
    case zoneInfo(key: String)

    /// `datetime.timezone.utc`.
    public static let utc = PythonTimeZone.fixed(offset: .zero, name: nil)

    /// The fixed offset from UTC, or `nil` for a `ZoneInfo` zone, whose offset depends on the date.
    public var utcOffset: PythonTimeDelta? {
        if case .fixed(let offset, _) = self { return offset }
        return nil
    }

    /// The zone as Python's `str()` prints it: `"UTC"`, `"UTC+02:00"`, the name given to the
    /// `timezone`, or the `ZoneInfo` key.
    public var description: String {
        switch self {
        case .zoneInfo(let key):
            return key
        case .fixed(_, let name?):
            return name
        case .fixed(let offset, nil):
            if offset == .zero { return "UTC" }
            let negative = offset.days < 0
            let magnitude = negative ? (offset.negated ?? offset) : offset
            let total = magnitude.seconds
            var text =
                "UTC" + (negative ? "-" : "+") + PythonTimeDelta.twoDigits(total / 3600) + ":"
                + PythonTimeDelta.twoDigits(total / 60 % 60)
            if total % 60 != 0 || magnitude.microseconds != 0 { text += ":" + PythonTimeDelta.twoDigits(total % 60) }
            if magnitude.microseconds != 0 {
                let digits = String(magnitude.microseconds)
                text += "." + String(repeating: "0", count: 6 - digits.count) + digits
            }
            return text
        }
    }

    /// Whether Python accepts the zone: a fixed offset must be strictly within a day.
    var isValid: Bool {
        guard case .fixed(let offset, _) = self else { return true }
        return offset.days == 0 || (offset.days == -1 && (offset.seconds > 0 || offset.microseconds > 0))
    }
}

// MARK: - Pickle form

extension PythonTimeZone: PickleNativeEncodable, PickleNativeDecodable {
    static let timezoneClass = PickleGlobal(module: "datetime", name: "timezone")
    static let zoneInfoClass = PickleGlobal(module: "zoneinfo", name: "ZoneInfo")
    static let getattr = PickleGlobal(module: "builtins", name: "getattr")

    /// The zone as CPython pickles it: `timezone(timedelta(...))` with the name when there is one;
    /// `getattr(ZoneInfo, '_unpickle')(key, 1)` for a `ZoneInfo`.
    var pickleValue: PickleValue {
        switch self {
        case .fixed(let offset, let name):
            var arguments = [offset.pickleValue]
            if let name { arguments.append(.string(name)) }
            return .object(
                PickleObject(
                    construction: .reduce, callable: .global(Self.timezoneClass), arguments: arguments))
        case .zoneInfo(let key):
            let unpickle = PickleObject(
                construction: .reduce, callable: .global(Self.getattr),
                arguments: [.global(Self.zoneInfoClass), .string("_unpickle")])
            return .object(
                PickleObject(
                    construction: .reduce, callable: .object(unpickle), arguments: [.string(key), .int(1)]))
        }
    }

    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue {
        guard isValid else {
            throw PickleCodingErrors.invalidValue(
                self, "timezone offset \(utcOffset ?? .zero) is not strictly between -24 and 24 hours", at: path)
        }
        if self == .utc { return encoder.context.utc }
        return pickleValue
    }

    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        self = try Self(pickleValue: value, at: path)
    }

    /// Reads `datetime.timezone(offset[, name])` or a pickled `zoneinfo.ZoneInfo`.
    init(pickleValue value: PickleValue, at path: @autoclosure () -> PickleCodingPath) throws {
        guard case .object(let object) = value, object.construction == .reduce else {
            throw PickleCodingErrors.mismatch(Self.self, expected: "datetime.timezone", found: value, at: path())
        }
        if object.global == Self.timezoneClass, (1...2).contains(object.arguments.count) {
            let offset = try PythonTimeDelta(pickleValue: object.arguments[0], at: path())
            var name: String?
            if object.arguments.count == 2 { name = try PickleUnboxing.string(object.arguments[1], at: path()) }
            self = .fixed(offset: offset, name: name)
            guard isValid else {
                throw PickleCodingErrors.corrupted(
                    "timezone offset \(offset) is not strictly between -24 and 24 hours", at: path())
            }
            return
        }
        if Self.isZoneInfoUnpickle(object.callable), let first = object.arguments.first,
            case .string(let key) = first
        {
            self = .zoneInfo(key: key)
            return
        }
        throw PickleCodingErrors.mismatch(
            Self.self, expected: "datetime.timezone or zoneinfo.ZoneInfo", found: value, at: path())
    }

    /// Whether `callable` is `ZoneInfo._unpickle`: `getattr(zoneinfo.ZoneInfo, '_unpickle')`, or
    /// the dotted global that protocol 4 allows.
    private static func isZoneInfoUnpickle(_ callable: PickleValue) -> Bool {
        switch callable {
        case .global(let global):
            return global.module == "zoneinfo" && global.name == "ZoneInfo._unpickle"
        case .object(let getter):
            guard getter.construction == .reduce, let function = getter.global, function.name == "getattr",
                PickleInstance.isBuiltin(function), getter.arguments.count == 2,
                case .global(let cls) = getter.arguments[0], cls == zoneInfoClass,
                case .string(let name) = getter.arguments[1], name == "_unpickle"
            else { return false }
            return true
        default:
            return false
        }
    }
}

// MARK: - Codable

extension PythonTimeZone: Codable {
    private enum CodingKeys: String, CodingKey {
        case offset, name, zoneInfo
    }

    /// Encodes the zone: its pickle form through ``PickleEncoder``, else a keyed value with
    /// `offset` and `name`, or `zoneInfo`.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: `EncodingError.invalidValue` for an offset of a day or more.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? _PickleEncoder {
            return encoder.store(try pickleValue(in: encoder, at: encoder.path))
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .fixed(let offset, let name):
            try container.encode(offset, forKey: .offset)
            try container.encodeIfPresent(name, forKey: .name)
        case .zoneInfo(let key):
            try container.encode(key, forKey: .zoneInfo)
        }
    }

    /// Decodes a zone: its pickle form through ``PickleDecoder``, else the keyed value that
    /// ``encode(to:)`` writes.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when the value is not a zone Python could hold.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? _PickleDecoder {
            self = try Self(pickleValue: decoder.value, at: decoder.path)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let key = try container.decodeIfPresent(String.self, forKey: .zoneInfo) {
            self = .zoneInfo(key: key)
            return
        }
        self = .fixed(
            offset: try container.decode(PythonTimeDelta.self, forKey: .offset),
            name: try container.decodeIfPresent(String.self, forKey: .name))
        guard isValid else {
            throw DecodingError.dataCorruptedError(
                forKey: .offset, in: container, debugDescription: "offset is not strictly within a day")
        }
    }
}
