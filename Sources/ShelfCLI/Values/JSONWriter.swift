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
        return String(decoding: writer.output, as: UTF8.self)
    }

    private struct Writer {
        /// The JSON text so far: ASCII only.
        var output: [UInt8] = []
        /// The subscripts leading to the value being written: an index, or a dict key (printed only for an
        /// error, as Python would write it).
        var path: [PathComponent] = []

        enum PathComponent {
            case index(Int)
            case key(PickleValue)
        }
        /// The containers being written, from the outermost: one met again is a cycle.
        var active: Set<ObjectIdentifier> = []

        mutating func write(_ value: PickleValue) throws(Failure) {
            switch value {
            case .none: output.append(contentsOf: "null".utf8)
            case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
            case .int(let integer): output.append(contentsOf: String(integer).utf8)
            case .bigInt(let integer): output.append(contentsOf: integer.description.utf8)
            case .float(let double):
                guard double.isFinite else {
                    throw fail("the float \(value) has no JSON form (JSON has no nan or infinity)")
                }
                output.append(contentsOf: value.description.utf8)
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
            output.append(contentsOf: "[".utf8)
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(contentsOf: ", ".utf8) }
                path.append(.index(index))
                try write(element)
                path.removeLast()
            }
            output.append(contentsOf: "]".utf8)
        }

        private mutating func writeObject(_ dict: PickleDict) throws(Failure) {
            output.append(contentsOf: "{".utf8)
            for (index, (key, value)) in dict.enumerated() {
                if index > 0 { output.append(contentsOf: ", ".utf8) }
                switch key {
                case .string(let string): writeString(string.unicodeScalars.lazy.map(\.value))
                case .surrogateString(let string): writeString(string.codePoints)
                default:
                    throw fail(
                        "the dict key \(key) is of type \(key.pythonTypeName), not str, so the dict has no JSON form"
                    )
                }
                output.append(contentsOf: ": ".utf8)
                path.append(.key(key))
                try write(value)
                path.removeLast()
            }
            output.append(contentsOf: "}".utf8)
        }

        private mutating func writeString(_ codePoints: some Sequence<UInt32>) {
            output.append(UInt8(ascii: "\""))
            for point in codePoints {
                switch point {
                case 0x22: output.append(contentsOf: #"\""#.utf8)
                case 0x5C: output.append(contentsOf: #"\\"#.utf8)
                case 0x0A: output.append(contentsOf: #"\n"#.utf8)
                case 0x0D: output.append(contentsOf: #"\r"#.utf8)
                case 0x09: output.append(contentsOf: #"\t"#.utf8)
                case 0x08: output.append(contentsOf: #"\b"#.utf8)
                case 0x0C: output.append(contentsOf: #"\f"#.utf8)
                case 0x20...0x7E: output.append(UInt8(point))
                case 0x10000...:
                    let offset = point - 0x10000
                    appendEscape(0xD800 + (offset >> 10))
                    appendEscape(0xDC00 + (offset & 0x3FF))
                default: appendEscape(point)
                }
            }
            output.append(UInt8(ascii: "\""))
        }

        /// Appends `\uXXXX` with four lowercase hexadecimal digits, as Python writes them.
        private mutating func appendEscape(_ unit: UInt32) {
            output.append(contentsOf: #"\u"#.utf8)
            for shift in stride(from: 12, through: 0, by: -4) {
                let digit = UInt8((unit >> UInt32(shift)) & 0xF)
                output.append(digit < 10 ? 0x30 + digit : 0x61 + digit - 10)
            }
        }

        private func fail(_ reason: String) -> Failure {
            var location = "value"
            for component in path {
                switch component {
                case .index(let index): location += "[\(index)]"
                case .key(let key): location += "[\(key)]"
                }
            }
            return Failure(reason: reason, location: location)
        }
    }
}
