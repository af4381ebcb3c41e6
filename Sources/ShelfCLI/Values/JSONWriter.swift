import Pickle

/// Writes a value as JSON text, the way Python's `json.dumps(value, allow_nan=False)` writes it.
///
/// The output is one line of ASCII: `", "` between items, `": "` after keys, every character outside
/// U+0020...U+007E escaped (`\n`, `\"`, `\\` and the other short escapes where JSON has them, else
/// `\u00e9`, and a surrogate pair for a character beyond U+FFFF), floats as Python's `repr()` prints them
/// (`1e+16`, `-0.0`), integers of any size in full.
///
/// | Python value | JSON |
/// | --- | --- |
/// | `None`, `True`, `False` | `null`, `true`, `false` |
/// | `int` (any size), finite `float` | a number |
/// | `str` | a string (lone surrogates as `\udXXX`, as Python writes them) |
/// | `list`, `tuple` | an array |
/// | `dict` whose keys are all `str` | an object, in the dict's order |
///
/// Everything else has no JSON form and is an error naming its type and where it is in the value: `nan`
/// and infinities, `complex`, `bytes`, `bytearray`, `set`, `frozenset`, a dict with a key that is not a
/// `str` (Python would turn `1` into `"1"`; this refuses, so that reading the JSON back gives the same
/// dict), a global, an instance of a class, and a container that contains itself.
enum JSONWriter {
    /// Why a value has no JSON form: what the offending part is and where it is.
    struct Failure: Error, CustomStringConvertible {
        /// What is wrong, like `bytes have no JSON form`.
        var reason: String
        /// Where, as Python subscripts from the top: `value[2]['data']`.
        var location: String

        var description: String { "\(reason) (at \(location))" }
    }

    /// The JSON text of `value`.
    static func text(of value: PickleValue) throws(Failure) -> String {
        var writer = Writer()
        try writer.write(value)
        return writer.output
    }

    private struct Writer {
        var output = ""
        /// The subscripts leading to the value being written, as Python would write them.
        var path: [String] = []
        /// The containers being written, from the outermost: one met again is a cycle.
        var active: Set<ObjectIdentifier> = []

        mutating func write(_ value: PickleValue) throws(Failure) {
            switch value {
            case .none: output += "null"
            case .bool(let flag): output += flag ? "true" : "false"
            case .int(let integer): output += String(integer)
            case .bigInt(let integer): output += integer.description
            case .float(let double):
                guard double.isFinite else {
                    throw fail("the float \(value) has no JSON form (JSON has no nan or infinity)")
                }
                output += value.description
            case .string(let string): writeString(string.unicodeScalars.lazy.map(\.value))
            case .surrogateString(let string): writeString(string.codePoints)
            case .tuple(let elements): try writeArray(elements)
            case .list(let list):
                try enter(ObjectIdentifier(list))
                try writeArray(list.elements)
                active.remove(ObjectIdentifier(list))
            case .dict(let dict):
                try enter(ObjectIdentifier(dict))
                try writeObject(dict)
                active.remove(ObjectIdentifier(dict))
            case .complex, .bytes, .bytearray, .set, .frozenset:
                throw fail("type \(value.pythonTypeName) has no JSON form")
            case .global(let global):
                throw fail("the global \(global.fullName) has no JSON form")
            case .object(let object):
                let name = object.global.map(\.fullName) ?? "an object built by \(object.callable)"
                throw fail("an instance of \(name) has no JSON form")
            }
        }

        private mutating func enter(_ identity: ObjectIdentifier) throws(Failure) {
            guard active.insert(identity).inserted else {
                throw fail("the value contains itself here, and a cycle has no JSON form")
            }
        }

        private mutating func writeArray(_ elements: [PickleValue]) throws(Failure) {
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += ", " }
                path.append("[\(index)]")
                try write(element)
                path.removeLast()
            }
            output += "]"
        }

        private mutating func writeObject(_ dict: PickleDict) throws(Failure) {
            output += "{"
            for (index, (key, value)) in dict.enumerated() {
                if index > 0 { output += ", " }
                switch key {
                case .string(let string): writeString(string.unicodeScalars.lazy.map(\.value))
                case .surrogateString(let string): writeString(string.codePoints)
                default:
                    throw fail(
                        "the dict key \(key) is of type \(key.pythonTypeName), not str, so the dict has no JSON form"
                    )
                }
                output += ": "
                path.append("[\(key)]")
                try write(value)
                path.removeLast()
            }
            output += "}"
        }

        private mutating func writeString(_ codePoints: some Sequence<UInt32>) {
            var scalars = String.UnicodeScalarView()
            scalars.append("\"")
            for point in codePoints {
                switch point {
                case 0x22: scalars.append(contentsOf: "\\\"".unicodeScalars)
                case 0x5C: scalars.append(contentsOf: "\\\\".unicodeScalars)
                case 0x0A: scalars.append(contentsOf: "\\n".unicodeScalars)
                case 0x0D: scalars.append(contentsOf: "\\r".unicodeScalars)
                case 0x09: scalars.append(contentsOf: "\\t".unicodeScalars)
                case 0x08: scalars.append(contentsOf: "\\b".unicodeScalars)
                case 0x0C: scalars.append(contentsOf: "\\f".unicodeScalars)
                case 0x20...0x7E: scalars.append(Unicode.Scalar(UInt8(point)))
                case 0x10000...:
                    let offset = point - 0x10000
                    appendEscape(0xD800 + (offset >> 10), to: &scalars)
                    appendEscape(0xDC00 + (offset & 0x3FF), to: &scalars)
                default: appendEscape(point, to: &scalars)
                }
            }
            scalars.append("\"")
            output.unicodeScalars.append(contentsOf: scalars)
        }

        private func appendEscape(_ unit: UInt32, to scalars: inout String.UnicodeScalarView) {
            let digits = String(unit, radix: 16)
            scalars.append(contentsOf: "\\u".unicodeScalars)
            scalars.append(contentsOf: String(repeating: "0", count: 4 - digits.count).unicodeScalars)
            scalars.append(contentsOf: digits.unicodeScalars)
        }

        private func fail(_ reason: String) -> Failure {
            Failure(reason: reason, location: "value" + path.joined())
        }
    }
}
