import Foundation
import Pickle
import Synchronization

// How FuzzDecoder compares the two decodes: the same as Tests/PickleTests/PickleDecoderDifferentialTests.swift
// (`DecodeFailure`, `ExactRenderer`, `exactlyEqual`), copied here because the Fuzz package cannot import the tests.

/// What one way of decoding gave: the value's exact rendering, or the error; and the `PickleValue`s the value
/// holds, whose cycles the target breaks afterwards.
struct Outcome {
    var rendering: String?
    var failure: Failure?
    /// Whether the value is `==` to itself (`false` when it holds a NaN), and to the other outcome's value.
    var equal: (Any) -> Bool = { _ in true }
    var value: Any?

    init<T: Equatable>(_ body: () throws -> T) {
        do {
            let value = try body()
            rendering = Rendering.of(value)
            self.value = value
            equal = { other in (other as? T).map { $0 == value } ?? false }
        } catch {
            failure = Failure(error)
        }
    }

    var summary: String {
        if let failure { return failure.description }
        return "value " + (rendering ?? "").prefix(4000)
    }

    /// Why two outcomes are not the same, or `nil` when they are.
    static func difference(_ direct: Outcome, _ viaTree: Outcome) -> String? {
        switch (direct.rendering, viaTree.rendering) {
        case (let a?, let b?):
            if !exactlyEqual(a, b) { return "the exact renderings differ" }
            // A NaN makes `==` false (though arrays that share storage compare equal without looking).
            if let value = viaTree.value, !direct.equal(value), !a.contains("nan") { return "the values are not ==" }
            return nil
        case (nil, nil):
            guard let a = direct.failure, let b = viaTree.failure else { return "no outcome" }
            if a.type != b.type { return "errors of different types" }
            return a == b ? nil : "different errors"
        default:
            return "one gave a value, the other an error"
        }
    }

    /// Every `PickleValue` the value holds, found through `Mirror`.
    var pickleValues: [PickleValue] {
        var found: [PickleValue] = []
        func visit(_ value: Any, depth: Int) {
            if let pickle = value as? PickleValue {
                found.append(pickle)
                return
            }
            guard depth < 600 else { return }
            for child in Mirror(reflecting: value).children { visit(child.value, depth: depth + 1) }
        }
        if let value { visit(value, depth: 0) }
        return found
    }
}

/// The address of a non-empty array's storage: the identity of a tuple or frozenset.
func storage(of elements: [PickleValue]) -> UInt? {
    elements.isEmpty ? nil : elements.withUnsafeBufferPointer { $0.baseAddress.map { UInt(bitPattern: $0) } }
}

struct Failure: Equatable, CustomStringConvertible {
    static func == (a: Failure, b: Failure) -> Bool {
        a.kind == b.kind && a.type == b.type && exactlyEqual(a.detail, b.detail)
    }

    /// The error's dynamic type, like `Swift.DecodingError`.
    var type: String
    /// What is compared: for a `DecodingError`, its case, type or key, coding path and debug description;
    /// for a `PickleError`, its code, offset, opcode and description; otherwise its description.
    var detail: String
    /// The kind of error, for the expectations of a test.
    var kind: Kind

    enum Kind: Equatable {
        case decoding, pickle, other
    }

    init(_ error: any Error) {
        type = typeName(Swift.type(of: error))
        switch error {
        case let error as DecodingError:
            kind = .decoding
            detail = Self.describe(error)
        case let error as PickleError:
            kind = .pickle
            detail =
                "PickleError.\(error.code) at \(error.offset.map(String.init) ?? "nil") "
                + "(opcode \(error.opcode.map { "\($0)" } ?? "nil")): \(error.description)"
        default:
            kind = .other
            detail = String(describing: error)
        }
    }

    var description: String { "\(type): \(detail.prefix(1200))" }

    /// A coding path as each key's `stringValue` and `intValue`, which is what a type's code can see of it.
    static func describe(_ path: [any CodingKey]) -> String {
        "["
            + path.map { key in "\(key.stringValue)/\(key.intValue.map(String.init) ?? "-")" }
            .joined(separator: ", ") + "]"
    }

    private static func describe(_ error: DecodingError) -> String {
        func context(_ context: DecodingError.Context) -> String {
            let underlying = context.underlyingError.map { " underlying \(String(reflecting: $0))" } ?? ""
            return "at \(describe(context.codingPath)): \(context.debugDescription)\(underlying)"
        }
        switch error {
        case .typeMismatch(let type, let details):
            return "typeMismatch(\(typeName(type))) \(context(details))"
        case .valueNotFound(let type, let details):
            return "valueNotFound(\(typeName(type))) \(context(details))"
        case .keyNotFound(let key, let details):
            return "keyNotFound(\(describe([key]))) \(context(details))"
        case .dataCorrupted(let details):
            return "dataCorrupted \(context(details))"
        @unknown default:
            return "unknown DecodingError \(String(reflecting: error))"
        }
    }
}

/// Whether two strings hold the same code points, byte for byte: Swift's `String ==` treats canonically
/// equivalent strings (`"é"` and `"e\u{301}"`) as equal; Python does not, and neither may the decoders.
func exactlyEqual(_ a: String, _ b: String) -> Bool {
    guard a == b, a.utf8.count == b.utf8.count else { return false }
    func hash(_ text: String) -> Int {
        var text = text
        var hasher = Hasher()
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        return hasher.finalize()
    }
    return hash(a) == hash(b)
}

/// `String(reflecting: type)`, worked out once per type (demangling a type's name is slow).
func typeName(_ type: Any.Type) -> String {
    let id = ObjectIdentifier(type)
    if let name = typeNames.withLock({ $0[id] }) { return name }
    let name = String(reflecting: type)
    typeNames.withLock { $0[id] = name }
    return name
}

let typeNames = Mutex<[ObjectIdentifier: String]>([:])

/// Bytes in hex; more than 4 KiB by their count, their hash (the same within the process) and their start.
func fastHex(_ bytes: [UInt8]) -> String {
    if bytes.count > 4096 {
        var hasher = Hasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        return "\(bytes.count) bytes hashing to \(hasher.finalize()), from " + fastHex(Array(bytes.prefix(64)))
    }
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8](repeating: 0, count: bytes.count * 2)
    for (index, byte) in bytes.enumerated() {
        text[2 * index] = digits[Int(byte >> 4)]
        text[2 * index + 1] = digits[Int(byte & 15)]
    }
    return String(decoding: text, as: UTF8.self)
}

struct Rendering {
    /// The number of each object (a `PickleValue` container or a Swift class instance) already rendered.
    private var numbers: [ObjectIdentifier: Int] = [:]
    /// The number of each tuple and frozenset already rendered, by its storage: a tuple shared in the tree is
    /// rendered once (a pickle of a few hundred bytes can share tuples ten times over, thirty levels deep).
    private var storages: [UInt: Int] = [:]

    /// The rendering of `value`.
    static func of(_ value: Any) -> String {
        var renderer = Rendering()
        return renderer.render(value)
    }

    mutating func render(_ value: Any) -> String {
        switch value {
        case let value as PickleValue: return render(pickle: value)
        case let value as String: return "\"" + value + "\""
        case let value as Double: return value.isNaN ? "nan(\(String(value.bitPattern, radix: 16)))" : "\(value)"
        case let value as Float: return value.isNaN ? "nanf(\(String(value.bitPattern, radix: 16)))" : "\(value)f"
        case let value as Bool: return value ? "true" : "false"
        case let value as Int: return "\(value)"
        case let value as [Int]: return "[Int]\(value)"
        case let value as [String]: return "[\"" + value.joined(separator: "\", \"") + "\"]"
        case let value as [UInt8]: return "[UInt8]" + fastHex(value)
        case let value as Data: return "Data(" + fastHex([UInt8](value)) + ")"
        case let value as Date:
            let seconds = value.timeIntervalSince1970
            return "Date(\(seconds.isNaN ? "nan " : "")\(String(seconds.bitPattern, radix: 16)))"
        case let value as UUID: return "UUID(\(value.uuidString))"
        case let value as BigInteger: return "BigInteger(\(value))"
        case let value as Decimal: return "Decimal(\(value))" + renderMirror(value)
        case let value as any BinaryInteger: return "\(type(of: value))(\(value))"
        default: return renderMirror(value)
        }
    }

    private mutating func renderMirror(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        let name = typeName(type(of: value))
        switch mirror.displayStyle {
        case .optional:
            guard let wrapped = mirror.children.first?.value else { return "nil" }
            return "some(" + render(wrapped) + ")"
        case .collection:
            return "[" + mirror.children.map { render($0.value) }.joined(separator: ", ") + "]"
        case .set:
            // Sorted by rendering; each element rendered on its own, so that the order does not change the numbers.
            let elements = mirror.children.map { child -> String in
                var scratch = self
                return scratch.render(child.value)
            }
            return "Set{" + elements.sorted().joined(separator: ", ") + "}"
        case .dictionary:
            var entries: [(key: String, value: Any)] = []
            for child in mirror.children {
                let pair = Array(Mirror(reflecting: child.value).children)
                guard pair.count == 2 else { continue }
                var scratch = self
                entries.append((scratch.render(pair[0].value), pair[1].value))
            }
            entries.sort { $0.key < $1.key }
            return "Dict{" + entries.map { "\($0.key): \(render($0.value))" }.joined(separator: ", ") + "}"
        case .enum:
            guard let child = mirror.children.first else { return "\(name).\(value)" }
            return "\(name).\(child.label ?? "?")(" + render(child.value) + ")"
        case .class:
            let identity = ObjectIdentifier(value as AnyObject)
            if let number = numbers[identity] { return "#\(number)" }
            numbers[identity] = numbers.count
            var parts: [String] = []
            var current: Mirror? = mirror
            while let level = current {
                parts += level.children.map { "\($0.label ?? "_"): \(render($0.value))" }
                current = level.superclassMirror
            }
            return "#\(numbers[identity]!) \(name)(" + parts.joined(separator: ", ") + ")"
        default:
            if mirror.children.isEmpty { return "\(name)(\(String(describing: value)))" }
            return "\(name)("
                + mirror.children.map { "\($0.label ?? "_"): \(render($0.value))" }
                .joined(separator: ", ") + ")"
        }
    }

    private mutating func number(_ object: AnyObject) -> (Int, isNew: Bool) {
        let identity = ObjectIdentifier(object)
        if let number = numbers[identity] { return (number, false) }
        numbers[identity] = numbers.count
        return (numbers.count - 1, true)
    }

    private mutating func render(pickle value: PickleValue) -> String {
        func all(_ values: [PickleValue]) -> String { values.map { render(pickle: $0) }.joined(separator: ", ") }
        func bits(_ double: Double) -> String { String(double.bitPattern, radix: 16) }
        switch value {
        case .none: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .int(let integer): return "int(\(integer))"
        case .bigInt(let big): return "bigint(\(big))"
        case .float(let double): return double.isNaN ? "float(nan \(bits(double)))" : "float(\(bits(double)))"
        case .complex(let real, let imaginary):
            // (A NaN part is marked, as a float's is, so that `==`'s false on it is not taken for a difference.)
            let nan = real.isNaN || imaginary.isNaN ? "nan " : ""
            return "complex(\(nan)\(bits(real)), \(bits(imaginary)))"
        case .string(let string): return "str(\"\(string)\")"
        case .surrogateString(let string): return "surrogates(\(string.codePoints))"
        case .bytes(let bytes): return "bytes(\(fastHex(bytes)))"
        case .tuple(let elements):
            guard let storage = storage(of: elements) else { return "tuple()" }
            if let number = storages[storage] { return "#t\(number)" }
            storages[storage] = storages.count
            return "#t\(storages.count - 1) tuple(\(all(elements)))"
        case .frozenset(let set):
            guard let storage = storage(of: set.elements) else { return "frozenset()" }
            if let number = storages[storage] { return "#t\(number)" }
            storages[storage] = storages.count
            return "#t\(storages.count - 1) frozenset(\(all(set.elements)))"
        case .global(let global): return "global(\(global.module) \(global.name))"
        case .list(let list):
            let (number, isNew) = number(list)
            return isNew ? "#\(number) list(\(all(list.elements)))" : "#\(number)"
        case .set(let set):
            let (number, isNew) = number(set)
            return isNew ? "#\(number) set(\(all(set.elements)))" : "#\(number)"
        case .bytearray(let array):
            let (number, isNew) = number(array)
            return isNew ? "#\(number) bytearray(\(fastHex(array.bytes)))" : "#\(number)"
        case .dict(let dict):
            let (number, isNew) = number(dict)
            guard isNew else { return "#\(number)" }
            let entries = dict.map { "\(render(pickle: $0.key)): \(render(pickle: $0.value))" }
            return "#\(number) dict(\(entries.joined(separator: ", ")))"
        case .object(let object):
            let (number, isNew) = number(object)
            guard isNew else { return "#\(number)" }
            var text =
                "#\(number) object(\(object.construction) \(render(pickle: object.callable)) (\(all(object.arguments)))"
            if let keywords = object.keywordArguments { text += " kw \(render(pickle: .dict(keywords)))" }
            if let state = object.state { text += " state \(render(pickle: state))" }
            if !object.listItems.isEmpty { text += " list \(all(object.listItems))" }
            if !object.dictItems.isEmpty {
                text +=
                    " dict "
                    + object.dictItems.map { "\(render(pickle: $0.key)): \(render(pickle: $0.value))" }
                    .joined(separator: ", ")
            }
            return text + ")"
        }
    }
}
