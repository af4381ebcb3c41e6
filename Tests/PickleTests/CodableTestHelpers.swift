import Foundation
import Testing

@testable import Pickle

/// A Python-like rendering of a value that shows every type distinction `==` hides (`True` vs `1`,
/// `bytes` vs `bytearray`, how an object is built), so tests can compare whole trees exactly.
func codableRepr(_ value: PickleValue) -> String {
    switch value {
    case .none: return "None"
    case .bool(let flag): return flag ? "True" : "False"
    case .int(let integer): return String(integer)
    case .bigInt(let big): return big.description
    case .float(let double): return "\(double)"
    case .complex(let real, let imaginary): return "complex(\(real), \(imaginary))"
    case .string(let string): return "'" + string.replacingOccurrences(of: "'", with: "\\'") + "'"
    case .surrogateString(let string): return "surrogates(\(string.codePoints))"
    case .bytes(let bytes): return "b'" + bytes.map(codableByte).joined() + "'"
    case .bytearray(let array): return "bytearray(b'" + array.bytes.map(codableByte).joined() + "')"
    case .tuple(let elements):
        return "(" + elements.map(codableRepr).joined(separator: ", ") + (elements.count == 1 ? ",)" : ")")
    case .list(let list): return "[" + list.elements.map(codableRepr).joined(separator: ", ") + "]"
    case .dict(let dict): return codableDictRepr(dict.map { ($0.key, $0.value) })
    case .set(let set):
        return set.isEmpty ? "set()" : "{" + set.elements.map(codableRepr).joined(separator: ", ") + "}"
    case .frozenset(let set): return "frozenset({" + set.elements.map(codableRepr).joined(separator: ", ") + "})"
    case .global(let global): return global.fullName
    case .object(let object):
        var text = codableRepr(object.callable)
        if object.construction == .newObject { text += ".__new__" }
        text += "(" + object.arguments.map(codableRepr).joined(separator: ", ") + ")"
        if let state = object.state { text += ".__setstate__(" + codableRepr(state) + ")" }
        if !object.dictItems.isEmpty {
            text += ".update(" + codableDictRepr(object.dictItems.map { ($0.key, $0.value) }) + ")"
        }
        return text
    }
}

private func codableDictRepr(_ entries: [(PickleValue, PickleValue)]) -> String {
    "{" + entries.map { codableRepr($0.0) + ": " + codableRepr($0.1) }.joined(separator: ", ") + "}"
}

private func codableByte(_ byte: UInt8) -> String {
    switch byte {
    case 0x20..<0x7F where byte != 0x27 && byte != 0x5C: String(UnicodeScalar(byte))
    default: "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
    }
}

/// The message of a `DecodingError` or `EncodingError`.
func codingMessage(_ error: any Error) -> String? {
    switch error {
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
        DecodingError.keyNotFound(_, let context), DecodingError.dataCorrupted(let context):
        return context.debugDescription
    case EncodingError.invalidValue(_, let context):
        return context.debugDescription
    default:
        return nil
    }
}

/// Decodes `type` from `value` and returns the error's message, or `nil` if it decoded.
func decodingFailure<T: Decodable>(_ type: T.Type, from value: PickleValue) -> String? {
    do {
        _ = try PickleDecoder().decode(type, from: value)
        return nil
    } catch {
        return codingMessage(error) ?? "\(error)"
    }
}

/// An object as a reduction `module.name(arguments)`.
func reduced(_ module: String, _ name: String, _ arguments: [PickleValue]) -> PickleValue {
    .object(
        PickleObject(
            construction: .reduce, callable: .global(PickleGlobal(module: module, name: name)), arguments: arguments))
}
