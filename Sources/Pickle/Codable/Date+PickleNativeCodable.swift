#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `Date` ⇄ `datetime.datetime`, as ``PickleEncoder/dateEncodingStrategy-swift.property`` says; a
/// naive datetime is read as UTC, and a `float` or `int` as seconds since 1970.
extension Date: PickleNativeEncodable, PickleNativeDecodable {
    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue {
        let strategy = encoder.context.dateEncodingStrategy
        if strategy == .secondsSince1970 { return .float(timeIntervalSince1970) }
        guard let microseconds = PythonDateTime.microsecondsSince1970(self),
            let dateTime = PythonDateTime(
                microsecondsSince1970: microseconds, fold: 0, timeZone: strategy == .datetimeUTC ? .utc : nil)
        else {
            // The error holds and describes the date's seconds, not the `Date`: Foundation traps describing a
            // date that is not a number (printing the error would crash the program).
            throw PickleCodingErrors.invalidValue(
                timeIntervalSince1970,
                "the date \(timeIntervalSince1970) seconds from 1970 is outside datetime's years 1 to 9999", at: path)
        }
        return try dateTime.pickleValue(in: encoder, at: path)
    }

    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        switch value {
        case .float, .int, .bigInt:
            self.init(timeIntervalSince1970: try PickleUnboxing.double(value, at: path))
        default:
            let dateTime = try PythonDateTime(pickleValue: value, at: path)
            guard let date = Date(dateTime) else {
                throw PickleCodingErrors.corrupted(
                    "datetime in the zone \(dateTime.timeZone?.description ?? "") needs the time zone database "
                        + "to become a Date (decode a PythonDateTime instead)", at: path)
            }
            self = date
        }
    }
}
