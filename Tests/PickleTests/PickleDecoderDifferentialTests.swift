import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Pickle

// `PickleDecoder().decode(T.self, from: bytes)` must give exactly what
// `decode(T.self, from: try Unpickler.load(bytes, options: decoder.unpicklerOptions))` gives, for every input:
// the same value, or an error of the same type and description. These tests decode each input both ways and
// compare: values with `==` and with an exact rendering that also sees what `==` hides (`-0.0` against `0.0`,
// `True` against `1` inside a `PickleValue`, Unicode normalization, which objects a `PickleValue` shares);
// a `DecodingError` by its case, its type or key, its coding path (each key's `stringValue` and `intValue`)
// and its `debugDescription`; a `PickleError` by its code, offset, opcode and description; any other error by
// its type and description.
//
// Each group also checks that it is not vacuous: the tree path must give the outcome the group expects (a
// value, a `DecodingError`, a `PickleError`), or, in the sweeps, some values and some errors.

// MARK: - The differential check

/// What a `PickleDecoder` threw, in a form that two decodes can be compared by.
struct DecodeFailure: Equatable, CustomStringConvertible {
    static func == (a: DecodeFailure, b: DecodeFailure) -> Bool {
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

/// What one way of decoding gave: the value with its exact rendering, or the error.
enum DecodeOutcome<T> {
    case value(T, rendering: String)
    case failure(DecodeFailure)

    init(_ body: () throws -> T) {
        do {
            let value = try body()
            self = .value(value, rendering: ExactRenderer.render(value))
        } catch {
            self = .failure(DecodeFailure(error))
        }
    }

    var failure: DecodeFailure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }

    var value: T? {
        if case .value(let value, _) = self { return value }
        return nil
    }

    var summary: String {
        switch self {
        case .value(_, let rendering): "value \(rendering.prefix(1200))"
        case .failure(let failure): failure.description
        }
    }
}

/// The outcome a test expects of the tree path, so that a mistake in writing an input (a pickle that no
/// longer loads, a value of the wrong shape) cannot pass unnoticed as two equal errors.
enum DecodeExpectation {
    /// A decoded value.
    case value
    /// A `DecodingError`.
    case decodingError
    /// A `PickleError`.
    case pickleError
    /// An error of the test's own types.
    case otherError
    /// Any error.
    case anyError
    /// Anything: the sweeps count their values and errors instead.
    case either

    func admits<T>(_ outcome: DecodeOutcome<T>) -> Bool {
        switch (self, outcome.failure?.kind) {
        case (.either, _), (.value, nil), (.decodingError, .decoding?), (.pickleError, .pickle?),
            (.otherError, .other?):
            return true
        case (.anyError, let kind): return kind != nil
        default: return false
        }
    }
}

/// How many decodes of a group gave a value and how many an error, to show that the group is not vacuous.
final class DecodeTally: @unchecked Sendable {
    private(set) var values = 0
    private(set) var decodingErrors = 0
    private(set) var pickleErrors = 0
    private(set) var otherErrors = 0

    func count<T>(_ outcome: DecodeOutcome<T>) {
        switch outcome.failure?.kind {
        case nil: values += 1
        case .decoding?: decodingErrors += 1
        case .pickle?: pickleErrors += 1
        case .other?: otherErrors += 1
        }
    }

    var errors: Int { decodingErrors + pickleErrors + otherErrors }

    var summary: String {
        "\(values) values, \(decodingErrors) DecodingErrors, \(pickleErrors) PickleErrors, \(otherErrors) other errors"
    }

    /// Records an issue unless at least `values` decodes gave a value and `errors` an error.
    func expectMixed(
        values minimumValues: Int = 1, errors minimumErrors: Int = 1, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            values >= minimumValues && errors >= minimumErrors, "\(label): \(summary)", sourceLocation: sourceLocation)
    }
}

/// Decodes `type` from `bytes` with `decoder` both ways, through `decode(_:from: [UInt8])` and through
/// `decode(_:from: Unpickler.load(bytes, options: decoder.unpicklerOptions))`, and records an issue when the
/// outcomes differ (see the top of this file for what is compared), when the tree path's outcome is not the
/// expected kind, or when it is not `expected`.
///
/// - Parameters:
///   - type: The type to decode.
///   - bytes: The pickle.
///   - decoder: The decoder, with its options and `userInfo`.
///   - expecting: What the tree path must give.
///   - expected: The value the tree path must give, when the test knows it.
///   - label: Said in the issue, to tell the cases of a loop apart.
///   - tally: Counts the outcome.
///   - largeStack: Whether to decode on a thread with a large stack, for values nested hundreds deep.
///   - tree: What `Unpickler.load(bytes, options: decoder.unpicklerOptions)` gave, when the caller decodes one
///     pickle into many types: the load is deterministic without hooks, and decoding never changes the tree,
///     so one load serves them all. (The bytes path is run afresh each time.)
/// - Returns: The tree path's outcome.
@discardableResult
func expectSameDecode<T: Decodable & Equatable>(
    _ type: T.Type, _ bytes: [UInt8], decoder: PickleDecoder = PickleDecoder(),
    expecting expectation: DecodeExpectation = .either, expected: T? = nil, _ label: String = "",
    tally: DecodeTally? = nil, largeStack: Bool = false, tree: Result<PickleValue, PickleError>? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> DecodeOutcome<T> {
    nonisolated(unsafe) let tree = tree
    let decodeBoth = {
        let direct = DecodeOutcome { try decoder.decode(type, from: bytes) }
        let viaTree = DecodeOutcome {
            let value = try tree?.get() ?? Unpickler.load(bytes, options: decoder.unpicklerOptions)
            return try decoder.decode(type, from: value)
        }
        return (direct, viaTree)
    }
    let (direct, viaTree) =
        largeStack || T.self is any RecursiveDecodable.Type ? onLargeDecodingStack(decodeBoth) : decodeBoth()
    let context = "\(T.self)" + (label.isEmpty ? "" : ", \(label)")
    if let difference = differenceOf(direct, viaTree) {
        Issue.record(
            """
            \(context): decode(from: bytes) and decode(from: Unpickler.load(bytes)) differ (\(difference))
              bytes: \(direct.summary)
              tree:  \(viaTree.summary)
              pickle (\(bytes.count) bytes): \(pickleExcerpt(bytes))
            """, sourceLocation: sourceLocation)
    }
    if !expectation.admits(viaTree) {
        Issue.record(
            "\(context): expected \(expectation), the tree path gave \(viaTree.summary)", sourceLocation: sourceLocation
        )
    }
    if let expected, let value = viaTree.value, !sameValue(value, expected) {
        Issue.record(
            "\(context): expected \(ExactRenderer.render(expected).prefix(600)), got \(viaTree.summary)",
            sourceLocation: sourceLocation)
    }
    tally?.count(viaTree)
    return viaTree
}

/// Why two outcomes are not the same, or `nil` when they are.
private func differenceOf<T: Equatable>(_ left: DecodeOutcome<T>, _ right: DecodeOutcome<T>) -> String? {
    switch (left, right) {
    case (.value(let a, let renderingA), .value(let b, let renderingB)):
        if !exactlyEqual(renderingA, renderingB) { return "the exact renderings differ" }
        // A NaN makes `==` false (though arrays that share storage compare equal without looking).
        if !(a == b) && !renderingA.contains("nan") { return "the values are not ==" }
        return nil
    case (.failure(let a), .failure(let b)):
        if a.type != b.type { return "errors of different types" }
        return a == b ? nil : "different errors"
    default:
        return "one gave a value, the other an error"
    }
}

/// Whether two values are `==` (or, when they hold a NaN, which is never `==`, exactly alike).
private func sameValue<T: Equatable>(_ a: T, _ b: T) -> Bool {
    if a == b { return true }
    let rendering = ExactRenderer.render(a)
    return rendering.contains("nan") && exactlyEqual(rendering, ExactRenderer.render(b))
}

/// The first bytes of a pickle in hex, and its disassembly when short, for an issue.
private func pickleExcerpt(_ bytes: [UInt8]) -> String {
    let hex = bytes.prefix(160).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    guard bytes.count <= 400 else { return hex + "…" }
    let listing = PickleDisassembler.disassembly(of: bytes)
    return hex + "\n" + listing.text.split(separator: "\n").prefix(60).map { "    " + $0 }.joined(separator: "\n")
        + (listing.error.map { "\n    (disassembly stops: \($0))" } ?? "")
}

/// Bytes in hex; more than 4 KiB by their count, their hash (the same within the process) and their start.
private func fastHex(_ bytes: [UInt8]) -> String {
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
private func typeName(_ type: Any.Type) -> String {
    let id = ObjectIdentifier(type)
    if let name = typeNames.withLock({ $0[id] }) { return name }
    let name = String(reflecting: type)
    typeNames.withLock { $0[id] = name }
    return name
}

private let typeNames = Mutex<[ObjectIdentifier: String]>([:])

// MARK: - Exact renderings

/// Renders any value exactly and canonically: every stored property by `Mirror`, floating-point numbers by
/// their bits when `description` would not tell them apart, strings as they are (renderings are compared byte
/// for byte, ``exactlyEqual(_:_:)``), `Date`s by their seconds' bits, dictionaries and sets sorted (their
/// iteration order depends on how they were built), and `PickleValue`s by their Python structure, with a number
/// for each list, dict, set, bytearray, instance, tuple and frozenset, so that two renderings agree only when the
/// same objects are shared in the same places (and cycles end).
private struct ExactRenderer {
    /// The number of each object (a `PickleValue` container or a Swift class instance) already rendered.
    private var numbers: [ObjectIdentifier: Int] = [:]
    /// The number of each tuple and frozenset already rendered, by its storage: a tuple shared in the tree is
    /// rendered once (a pickle of a few hundred bytes can share tuples ten times over, thirty levels deep).
    private var storages: [UInt: Int] = [:]

    /// The rendering of `value`.
    static func render(_ value: Any) -> String {
        var renderer = ExactRenderer()
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
            guard let storage = elements.storageIdentity else { return "tuple()" }
            if let number = storages[storage] { return "#t\(number)" }
            storages[storage] = storages.count
            return "#t\(storages.count - 1) tuple(\(all(elements)))"
        case .frozenset(let set):
            guard let storage = set.elements.storageIdentity else { return "frozenset()" }
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

// MARK: - Writing pickles by hand

/// The opcodes of hand-written pickles, each as its bytes; ``pickle(_:)`` joins them, so a sequence reads like
/// `pickletools.dis` output.
private enum Op {
    static func proto(_ version: UInt8) -> [UInt8] { [0x80, version] }
    static let stop: [UInt8] = [0x2E]
    static let mark: [UInt8] = [0x28]
    static let none: [UInt8] = [0x4E]
    static let newTrue: [UInt8] = [0x88]
    static let newFalse: [UInt8] = [0x89]
    static func binint1(_ value: UInt8) -> [UInt8] { [0x4B, value] }
    static func binint2(_ value: UInt16) -> [UInt8] { [0x4D] + littleEndian(value) }
    static func binint(_ value: Int32) -> [UInt8] { [0x4A] + littleEndian(value) }
    /// LONG1 with the given two's-complement little-endian bytes.
    static func long1(_ bytes: [UInt8]) -> [UInt8] { [0x8A, UInt8(bytes.count)] + bytes }
    static func long4(_ bytes: [UInt8]) -> [UInt8] { [0x8B] + littleEndian(UInt32(bytes.count)) + bytes }
    static func binfloat(_ value: Double) -> [UInt8] { [0x47] + littleEndian(value.bitPattern).reversed() }
    /// SHORT_BINUNICODE, or BINUNICODE for 256 bytes and more.
    static func str(_ text: String) -> [UInt8] { utf8(Array(text.utf8)) }
    /// A str of the given bytes, which need not be valid UTF-8.
    static func utf8(_ bytes: [UInt8]) -> [UInt8] {
        bytes.count < 256 ? [0x8C, UInt8(bytes.count)] + bytes : [0x58] + littleEndian(UInt32(bytes.count)) + bytes
    }
    static func binunicode8(_ text: String) -> [UInt8] {
        [0x8D] + littleEndian(UInt64(text.utf8.count)) + Array(text.utf8)
    }
    static func shortBinbytes(_ bytes: [UInt8]) -> [UInt8] { [0x43, UInt8(bytes.count)] + bytes }
    static func binbytes(_ bytes: [UInt8]) -> [UInt8] { [0x42] + littleEndian(UInt32(bytes.count)) + bytes }
    static func binbytes8(_ bytes: [UInt8]) -> [UInt8] { [0x8E] + littleEndian(UInt64(bytes.count)) + bytes }
    static func bytearray8(_ bytes: [UInt8]) -> [UInt8] { [0x96] + littleEndian(UInt64(bytes.count)) + bytes }
    /// SHORT_BINSTRING: a Python 2 str.
    static func shortBinstring(_ bytes: [UInt8]) -> [UInt8] { [0x55, UInt8(bytes.count)] + bytes }
    static func binstring(_ bytes: [UInt8]) -> [UInt8] { [0x54] + littleEndian(UInt32(bytes.count)) + bytes }
    static let emptyList: [UInt8] = [0x5D]
    static let append: [UInt8] = [0x61]
    static let appends: [UInt8] = [0x65]
    static let list: [UInt8] = [0x6C]
    static let emptyTuple: [UInt8] = [0x29]
    static let tuple: [UInt8] = [0x74]
    static let tuple1: [UInt8] = [0x85]
    static let tuple2: [UInt8] = [0x86]
    static let tuple3: [UInt8] = [0x87]
    static let emptyDict: [UInt8] = [0x7D]
    static let dict: [UInt8] = [0x64]
    static let setitem: [UInt8] = [0x73]
    static let setitems: [UInt8] = [0x75]
    static let emptySet: [UInt8] = [0x8F]
    static let additems: [UInt8] = [0x90]
    static let frozenset: [UInt8] = [0x91]
    static let pop: [UInt8] = [0x30]
    static let popMark: [UInt8] = [0x31]
    static let dup: [UInt8] = [0x32]
    static let memoize: [UInt8] = [0x94]
    static func binput(_ index: UInt8) -> [UInt8] { [0x71, index] }
    static func binget(_ index: UInt8) -> [UInt8] { [0x68, index] }
    static func longBinput(_ index: UInt32) -> [UInt8] { [0x72] + littleEndian(index) }
    static func longBinget(_ index: UInt32) -> [UInt8] { [0x6A] + littleEndian(index) }
    static let reduce: [UInt8] = [0x52]
    static let build: [UInt8] = [0x62]
    static let newobj: [UInt8] = [0x81]
    static let newobjEx: [UInt8] = [0x92]
    static let obj: [UInt8] = [0x6F]
    static let stackGlobal: [UInt8] = [0x93]
    static let binpersid: [UInt8] = [0x51]
    static let nextBuffer: [UInt8] = [0x97]
    static let readonlyBuffer: [UInt8] = [0x98]
    static func ext1(_ code: UInt8) -> [UInt8] { [0x82, code] }
    static func frame(_ length: Int) -> [UInt8] { [0x95] + littleEndian(UInt64(length)) }
    /// GLOBAL: `c<module>\n<name>\n`.
    static func global(_ module: String, _ name: String) -> [UInt8] { latin1("c\(module)\n\(name)\n") }
    /// INST: `i<module>\n<name>\n`, the class called with the items since the MARK.
    static func inst(_ module: String, _ name: String) -> [UInt8] { latin1("i\(module)\n\(name)\n") }
    // The text opcodes of protocol 0.
    static func int(_ text: String) -> [UInt8] { latin1("I\(text)\n") }
    static func long(_ text: String) -> [UInt8] { latin1("L\(text)\n") }
    static func float(_ text: String) -> [UInt8] { latin1("F\(text)\n") }
    static func unicode(_ text: String) -> [UInt8] { latin1("V\(text)\n") }
    /// STRING: a quoted Python 2 str, like `'abc'`.
    static func string(_ quoted: String) -> [UInt8] { latin1("S\(quoted)\n") }
    static func put(_ index: Int) -> [UInt8] { latin1("p\(index)\n") }
    static func get(_ index: Int) -> [UInt8] { latin1("g\(index)\n") }
    static func persid(_ text: String) -> [UInt8] { latin1("P\(text)\n") }

    static func littleEndian<I: FixedWidthInteger>(_ value: I) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}

/// The opcodes joined into one pickle.
private func pickle(_ parts: [UInt8]...) -> [UInt8] { Array(parts.joined()) }

/// A protocol-2 pickle of a dict with `str` keys, each value given as its opcodes.
private func dictPickle(_ entries: [(String, [UInt8])], protocol version: UInt8 = 2) -> [UInt8] {
    var bytes = Op.proto(version) + Op.emptyDict + Op.mark
    for (key, value) in entries { bytes += Op.str(key) + value }
    return bytes + Op.setitems + Op.stop
}

/// `value` pickled by `Pickler.dumps` at `version`; an issue, and an empty pickle, if it cannot be.
private func dumps(_ value: PickleValue, _ version: Int, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
    do {
        return try Pickler.dumps(value, protocol: version)
    } catch {
        Issue.record("Pickler.dumps at protocol \(version): \(error)", sourceLocation: sourceLocation)
        return []
    }
}

/// The work of ``onLargeDecodingStack(_:)`` and its result, handed to the thread and back.
private final class LargeStackBox<T>: @unchecked Sendable {
    let work: () -> T
    var result: T?
    init(_ work: @escaping () -> T) { self.work = work }
}

/// Runs `work` on a thread with a large stack and returns its result: decoding values nested hundreds of levels
/// deep recurses through `init(from:)` for each level, which an unoptimized build's default stack may not hold.
private func onLargeDecodingStack<T>(_ work: @escaping () -> T) -> T {
    let box = LargeStackBox(work)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.result = box.work()
        done.signal()
    }
    thread.stackSize = 256 << 20
    thread.start()
    done.wait()
    return box.result!
}

// MARK: - Types

/// A coding key with any name, and an `intValue` when it is made from a number.
private struct AnyKey: CodingKey, Hashable, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int?

    init(_ name: String) {
        stringValue = name
        intValue = nil
    }

    init(stringLiteral name: String) { self.init(name) }
    init?(stringValue: String) { self.init(stringValue) }

    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// An error of the tests' own types, thrown by `init(from:)`.
private struct ProbeError: Error, CustomStringConvertible {
    var reason: String
    var description: String { "ProbeError(\(reason))" }
}

/// The outcome of one call in a probe's log: what it returned, or its error (as the differential check
/// compares errors), so that a probe's log differs wherever the two paths differ.
private func attempt<R>(_ label: String, _ body: () throws -> R) -> String {
    do {
        return "\(label) = \(ExactRenderer.render(try body()))"
    } catch {
        return "\(label) threw \(DecodeFailure(error).detail)"
    }
}

private struct Primitives: Codable, Equatable {
    var bool: Bool
    var string: String
    var int: Int
    var int8: Int8
    var int16: Int16
    var int32: Int32
    var int64: Int64
    var uint: UInt
    var uint8: UInt8
    var uint16: UInt16
    var uint32: UInt32
    var uint64: UInt64
    var double: Double
    var float: Float
}

/// Synthesized: every field read with `decodeIfPresent`.
private struct Optionals: Codable, Equatable {
    var int: Int?
    var string: String?
    var double: Double?
    var bool: Bool?
    var int8: Int8?
    var uint64: UInt64?
    var float: Float?
    var inner: Inner?
    var list: [Int]?
    var twice: Int??
}

private struct Inner: Codable, Hashable {
    var name: String
    var values: [Int]
}

private struct Nested: Codable, Equatable {
    var id: Int
    var inner: Inner
    var inners: [Inner]
    var grid: [[Inner]]
    var maybe: Inner?
}

private struct Arrays: Codable, Equatable {
    var ints: [Int]
    var strings: [String]
    var doubles: [Double]
    var bools: [Bool]
    var grid: [[Int]]
    var cube: [[[Int]]]
    var optionals: [Int?]
    var bytes: [UInt8]
    var data: Data
}

private struct Sets: Codable, Equatable {
    var ints: Set<Int>
    var strings: Set<String>
}

private struct Dictionaries: Codable, Equatable {
    var counts: [String: Int]
    var names: [String: String]
    var micro: [Int: [Int: Int?]]
    var groups: [String: [String]]
    var byUUID: [UUID: Int]
    var byInt8: [Int8: String]
}

/// Synthesized `Codable` of an enum with associated values: `{'circle': {'radius': 2.0}}`.
private indirect enum Shape: Codable, Equatable, RecursiveDecodable {
    case circle(radius: Double)
    case rect(width: Int, height: Int)
    case pair(Int, String)
    case empty
    case nested(Shape?, [Shape])
}

private enum Level: Int, Codable, Equatable {
    case low = 1
    case high = 2
}

private enum Color: String, Codable, Equatable {
    case red, green
}

private struct Enums: Codable, Equatable {
    var shape: Shape
    var level: Level
    var color: Color?
    var byColor: [Color: Int]?
}

private struct Dates: Codable, Equatable {
    var date: Date
    var day: PythonDate
    var moment: PythonDateTime
    var delta: PythonTimeDelta?
    var time: PythonTime?
}

private struct FoundationValues: Codable, Equatable {
    var uuid: UUID
    var decimal: Decimal
    var big: BigInteger
}

/// Fields that hold whatever Python stored.
private struct Holder: Decodable, Equatable {
    var kind: String
    var payload: PickleValue
    var again: PickleValue?
    var list: [PickleValue]?
    var byName: [String: PickleValue]?
}

private struct Item: Codable, Equatable, PythonClass {
    static let pythonClass = PickleGlobal(module: "shop", name: "Item")
    var name: String
    var price: Int
    var tags: [String]?
}

private struct Marker: Codable, Equatable, PythonClass {
    static let pythonClass = PickleGlobal(module: "shop", name: "Marker")
}

/// A class whose state is a single value, which Python passes to `__setstate__`.
private struct Celsius: Decodable, Equatable, PythonClass {
    static let pythonClass = PickleGlobal(module: "shop", name: "Celsius")
    var degrees: Double

    init(degrees: Double) { self.degrees = degrees }

    init(from decoder: any Decoder) throws {
        degrees = try decoder.singleValueContainer().decode(Double.self)
    }
}

private struct Basket: Decodable, Equatable {
    var owner: Item
    var items: [Item]
    var marker: Marker?
    var temperature: Celsius?
}

/// `golden_classes.Plain` of the golden corpus: `a` and `b` are any values.
private struct GoldenPlain: Decodable, Equatable, PythonClass {
    static let pythonClass = PickleGlobal(module: "golden_classes", name: "Plain")
    var a: PickleValue?
    var b: PickleValue?
}

/// Any instance's attributes `a` and `b`, whatever its class.
private struct AnyAB: Decodable, Equatable {
    var a: PickleValue?
    var b: PickleValue?
}

/// A type whose values may nest as deeply as the data: decoded on a large stack (a value that contains itself
/// recurses to the decoder's `maxDepth`).
private protocol RecursiveDecodable {}

/// A linked list as a class: a dict that contains itself never ends.
private final class Node: Decodable, Equatable, RecursiveDecodable {
    let value: Int?
    let next: Node?

    static func == (lhs: Node, rhs: Node) -> Bool { lhs.value == rhs.value && lhs.next == rhs.next }
}

/// A tree read through `try?` and a single-value container: an int is a leaf, a sequence a node.
private indirect enum Tree: Decodable, Equatable, RecursiveDecodable {
    case leaf(Int)
    case node([Tree])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let leaf = try? container.decode(Int.self) {
            self = .leaf(leaf)
        } else {
            self = .node(try container.decode([Tree].self))
        }
    }
}

/// A tree read through arrays of optionals, in `Array`'s native form: a billion laughs of lists or tuples.
private struct ArrayTree: Decodable, Equatable, RecursiveDecodable {
    var children: [ArrayTree?]

    init(from decoder: any Decoder) throws {
        children = try decoder.singleValueContainer().decode([ArrayTree?].self)
    }
}

/// A tree read through dictionaries of `Int` keys, in `Dictionary`'s native form: a billion laughs of dicts.
private struct DictTree: Decodable, Equatable, RecursiveDecodable {
    var children: [Int: DictTree?]

    init(from decoder: any Decoder) throws {
        children = try decoder.singleValueContainer().decode([Int: DictTree?].self)
    }
}

/// Reads an unkeyed container with every method in turn, logging each result or error, the index after it,
/// and reading past the end.
private struct UnkeyedProbe: Decodable, Equatable {
    var log: [String] = []

    init(from decoder: any Decoder) throws {
        log.append("decoder at \(DecodeFailure.describe(decoder.codingPath))")
        var container = try decoder.unkeyedContainer()
        let path = DecodeFailure.describe(container.codingPath)
        log.append("count \(container.count ?? -1), at end \(container.isAtEnd), at \(path)")
        var step = 0
        while !container.isAtEnd && step < 14 {
            let before = container.currentIndex
            switch step % 7 {
            case 0: log.append(attempt("decodeNil") { try container.decodeNil() })
            case 1: log.append(attempt("Int") { try container.decode(Int.self) })
            case 2: log.append(attempt("String?") { try container.decodeIfPresent(String.self) })
            case 3:
                log.append(
                    attempt("nested keyed") {
                        let nested = try container.nestedContainer(keyedBy: AnyKey.self)
                        return DecodeFailure.describe(nested.allKeys) + " at "
                            + DecodeFailure.describe(nested.codingPath)
                    })
            case 4:
                log.append(
                    attempt("nested unkeyed") {
                        var nested = try container.nestedUnkeyedContainer()
                        let first = attempt("first") { try nested.decode(Double.self) }
                        return "\(nested.count ?? -1) \(first) at \(DecodeFailure.describe(nested.codingPath))"
                    })
            case 5:
                log.append(
                    attempt("super") {
                        let decoder = try container.superDecoder()
                        let single = try decoder.singleValueContainer()
                        return "\(single.decodeNil()) \(attempt("Bool") { try single.decode(Bool.self) }) at "
                            + DecodeFailure.describe(decoder.codingPath)
                    })
            default: log.append(attempt("[UInt8]") { try container.decode([UInt8].self) })
            }
            log.append("index \(before) -> \(container.currentIndex)")
            if container.currentIndex == before {
                log.append(attempt("PickleValue") { try container.decode(PickleValue.self) })
            }
            step += 1
        }
        log.append(attempt("past the end: Int") { try container.decode(Int.self) })
        log.append(attempt("past the end: decodeNil") { try container.decodeNil() })
        log.append(attempt("past the end: nested") { try container.nestedUnkeyedContainer().count })
    }
}

/// Reads a keyed container every way for a fixed set of keys (some `str`, some with an `intValue`, one never
/// present), logging each result or error.
private struct KeyedProbe: Decodable, Equatable {
    var log: [String] = []

    static let keys: [AnyKey] = ["name", "a", AnyKey(intValue: 1), "1", AnyKey(intValue: 7), "missing", "super"]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        log.append(
            "allKeys \(DecodeFailure.describe(container.allKeys)) at \(DecodeFailure.describe(container.codingPath))")
        for key in Self.keys {
            let name = DecodeFailure.describe([key])
            log.append("\(name) contains \(container.contains(key))")
            log.append(attempt("\(name) decodeNil") { try container.decodeNil(forKey: key) })
            log.append(attempt("\(name) Int?") { try container.decodeIfPresent(Int.self, forKey: key) })
            log.append(attempt("\(name) String") { try container.decode(String.self, forKey: key) })
            log.append(attempt("\(name) Bool") { try container.decode(Bool.self, forKey: key) })
            log.append(attempt("\(name) Double?") { try container.decodeIfPresent(Double.self, forKey: key) })
            log.append(attempt("\(name) Int8") { try container.decode(Int8.self, forKey: key) })
            log.append(attempt("\(name) UInt64?") { try container.decodeIfPresent(UInt64.self, forKey: key) })
            log.append(attempt("\(name) Float") { try container.decode(Float.self, forKey: key) })
            log.append(attempt("\(name) [Int]") { try container.decode([Int].self, forKey: key) })
            log.append(attempt("\(name) Inner?") { try container.decodeIfPresent(Inner.self, forKey: key) })
            log.append(
                attempt("\(name) nested keyed") {
                    DecodeFailure.describe(try container.nestedContainer(keyedBy: AnyKey.self, forKey: key).allKeys)
                })
            log.append(attempt("\(name) nested unkeyed") { try container.nestedUnkeyedContainer(forKey: key).count })
            log.append(
                attempt("\(name) super") {
                    let inner = try container.superDecoder(forKey: key)
                    let single = try inner.singleValueContainer()
                    return "\(single.decodeNil()) \(attempt("String") { try single.decode(String.self) }) at "
                        + DecodeFailure.describe(inner.codingPath)
                })
        }
        log.append(
            attempt("super()") {
                let inner = try container.superDecoder()
                return "\(try inner.singleValueContainer().decodeNil()) at \(DecodeFailure.describe(inner.codingPath)) "
                    + attempt("Int") { try inner.singleValueContainer().decode(Int.self) }
            })
        for key in container.allKeys.prefix(8) {
            log.append(
                attempt("\(DecodeFailure.describe([key])) value") {
                    try container.decode(PickleValue.self, forKey: key)
                })
        }
    }
}

/// Reads a single value every way, then tries the other containers.
private struct SingleProbe: Decodable, Equatable {
    var log: [String] = []

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        log.append("decodeNil \(single.decodeNil()) at \(DecodeFailure.describe(single.codingPath))")
        log.append(attempt("Bool") { try single.decode(Bool.self) })
        log.append(attempt("String") { try single.decode(String.self) })
        log.append(attempt("Double") { try single.decode(Double.self) })
        log.append(attempt("Float") { try single.decode(Float.self) })
        log.append(attempt("Int") { try single.decode(Int.self) })
        log.append(attempt("Int8") { try single.decode(Int8.self) })
        log.append(attempt("Int16") { try single.decode(Int16.self) })
        log.append(attempt("Int32") { try single.decode(Int32.self) })
        log.append(attempt("Int64") { try single.decode(Int64.self) })
        log.append(attempt("UInt") { try single.decode(UInt.self) })
        log.append(attempt("UInt8") { try single.decode(UInt8.self) })
        log.append(attempt("UInt16") { try single.decode(UInt16.self) })
        log.append(attempt("UInt32") { try single.decode(UInt32.self) })
        log.append(attempt("UInt64") { try single.decode(UInt64.self) })
        log.append(attempt("BigInteger") { try single.decode(BigInteger.self) })
        log.append(attempt("[Int]") { try single.decode([Int].self) })
        log.append(attempt("[String: Int]") { try single.decode([String: Int].self) })
        log.append(attempt("Set<String>") { try single.decode(Set<String>.self) })
        log.append(attempt("Data") { try single.decode(Data.self) })
        log.append(attempt("Date") { try single.decode(Date.self) })
        log.append(attempt("PickleValue") { try single.decode(PickleValue.self) })
        log.append(attempt("unkeyed") { try decoder.unkeyedContainer().count })
        log.append(attempt("keyed") { DecodeFailure.describe(try decoder.container(keyedBy: AnyKey.self).allKeys) })
    }
}

/// Reads values from the decoder's `userInfo`.
private struct UserInfoProbe: Decodable, Equatable {
    static let key = CodingUserInfoKey(rawValue: "probe")!
    static let limitKey = CodingUserInfoKey(rawValue: "limit")!
    var seen: String
    var values: [Int]

    init(seen: String, values: [Int]) {
        self.seen = seen
        self.values = values
    }

    init(from decoder: any Decoder) throws {
        seen = decoder.userInfo[Self.key] as? String ?? "nothing"
        let limit = decoder.userInfo[Self.limitKey] as? Int ?? Int.max
        values = try decoder.singleValueContainer().decode([Int].self)
        guard values.count <= limit else { throw ProbeError(reason: "\(values.count) values, limit \(limit)") }
    }
}

/// Throws its own error for an odd number, after reading part of the value.
private struct Picky: Decodable, Equatable {
    var numbers: [Int]

    init(numbers: [Int]) { self.numbers = numbers }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        numbers = []
        while !container.isAtEnd {
            let number = try container.decode(Int.self)
            guard number % 2 == 0 else {
                throw ProbeError(reason: "odd \(number) at \(DecodeFailure.describe(container.codingPath))")
            }
            numbers.append(number)
        }
    }
}

/// Swallows many failed decodes (`try?`) before reading deeply: whatever a failure leaves behind (a depth not
/// given back, a value or path not restored) shows in what follows.
private struct Swallower: Decodable, Equatable, RecursiveDecodable {
    var found: [String]
    var tree: Tree?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        found = []
        for key in container.allKeys {
            for _ in 0..<40 {
                if (try? container.decode([[String]].self, forKey: key)) != nil {
                    found.append("strings \(key.stringValue)")
                }
                if (try? container.decode(Node.self, forKey: key)) != nil { found.append("node \(key.stringValue)") }
            }
            found.append(attempt("path after") { try container.superDecoder(forKey: key).codingPath.count })
        }
        tree = try container.decodeIfPresent(Tree.self, forKey: "tree")
    }
}

/// An ordered dict of the fields.
private typealias OrderedFields = PythonOrderedDict<String, Int>

// The shapes of the bm_pickle objects, as Benchmarks/Sources/Workloads/CodableShapes.swift has them.

/// pyperformance's `DICT`: a user record of 33 fields, one a `datetime.date`, one a list of tags.
private struct UserRecord: Codable, Equatable {
    var adsFlags: Int
    var age: Int
    var birthday: PythonDate
    var bulletinCount: Int
    var commentCount: Int
    var country: String
    var encryptedID: String
    var favoriteCount: Int
    var firstName: String
    var flags: Int
    var friendCount: Int
    var gender: String
    var genderForDisplay: String
    var id: Int
    var isCustomProfileIcon: Int
    var lastName: String
    var localePreference: String
    var member: Int
    var tags: [String]
    var profileFooID: Int
    var secureEncryptedID: String
    var sessionNumber: Int
    var signupID: String
    var status: String
    var theme: Int
    var timeCreated: Int
    var timeUpdated: Int
    var unreadMessageCount: Int
    var userGroup: String
    var username: String
    var playCount: Int
    var viewCount: Int
    var zip: String

    enum CodingKeys: String, CodingKey {
        case adsFlags = "ads_flags"
        case age, birthday
        case bulletinCount = "bulletin_count"
        case commentCount = "comment_count"
        case country
        case encryptedID = "encrypted_id"
        case favoriteCount = "favorite_count"
        case firstName = "first_name"
        case flags
        case friendCount = "friend_count"
        case gender
        case genderForDisplay = "gender_for_display"
        case id
        case isCustomProfileIcon = "is_custom_profile_icon"
        case lastName = "last_name"
        case localePreference = "locale_preference"
        case member, tags
        case profileFooID = "profile_foo_id"
        case secureEncryptedID = "secure_encrypted_id"
        case sessionNumber = "session_number"
        case signupID = "signup_id"
        case status, theme
        case timeCreated = "time_created"
        case timeUpdated = "time_updated"
        case unreadMessageCount = "unread_message_count"
        case userGroup = "user_group"
        case username
        case playCount = "play_count"
        case viewCount = "view_count"
        case zip
    }
}

/// One of the three records of pyperformance's `DICT_GROUP`: `DICT`'s keys, every value a `str`.
private struct UserRecordStrings: Codable, Equatable {
    var adsFlags: String
    var age: String
    var birthday: String
    var bulletinCount: String
    var commentCount: String
    var country: String
    var encryptedID: String
    var favoriteCount: String
    var firstName: String
    var flags: String
    var friendCount: String
    var gender: String
    var genderForDisplay: String
    var id: String
    var isCustomProfileIcon: String
    var lastName: String
    var localePreference: String
    var member: String
    var tags: String
    var profileFooID: String
    var secureEncryptedID: String
    var sessionNumber: String
    var signupID: String
    var status: String
    var theme: String
    var timeCreated: String
    var timeUpdated: String
    var unreadMessageCount: String
    var userGroup: String
    var username: String
    var playCount: String
    var viewCount: String
    var zip: String

    typealias CodingKeys = UserRecord.CodingKeys
}

/// pyperformance's `TUPLE`: a list of 20 ids and a count, as a two-element sequence.
private struct IDTuple: Decodable, Equatable {
    var ids: [Int]
    var count: Int

    init(ids: [Int], count: Int) {
        self.ids = ids
        self.count = count
    }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        ids = try container.decode([Int].self)
        count = try container.decode(Int.self)
    }
}

// MARK: - FuzzDecoder's candidate types

/// The types that FuzzDecoder (`Fuzz/Sources/FuzzDecoder`) decodes its input into, chosen by the input's first
/// byte modulo their count, in the same order as its `Candidate` enum, and its four decoders, so that a
/// `decoder-…` input of `Fixtures/regressions` replays here as the fuzzer ran it. (The Fuzz package cannot import
/// the tests: `Fuzz/Sources/FuzzDecoder/Candidates.swift` keeps a copy of these types; change both together.)
enum FuzzDecoderCandidates {
    static let names = [
        "Optionals", "[Int]", "[String: Int]", "[[Int]]", "[String]", "[Int: [Int: Int?]]", "Shape", "PickleValue",
        "Date", "Item", "Nested", "UnkeyedProbe", "KeyedProbe", "Holder", "Tree", "SingleProbe",
    ]

    /// The decoder an input's first byte chooses with its bits 4 and 5 (its value divided by the count of types,
    /// modulo 4), as FuzzDecoder's `Candidate.decoder(variant:)`: the default; a shallow `maxDepth`; tight
    /// unpickler limits; Python 2 strings as Latin-1 with persistent IDs, extensions and out-of-band buffers.
    static func decoder(variant: Int) -> PickleDecoder {
        var decoder = PickleDecoder()
        switch variant {
        case 1:
            decoder.maxDepth = 8
        case 2:
            decoder.unpicklerOptions.maxOpcodes = 300
            decoder.unpicklerOptions.maxMemoSize = 16
            decoder.unpicklerOptions.maxDepth = 12
        case 3:
            decoder.unpicklerOptions.python2Strings = .latin1
            decoder.unpicklerOptions.fixPython2Imports = false
            decoder.unpicklerOptions.buffers = [[1, 2, 3], []]
            decoder.unpicklerOptions.persistentLoad = { id in .tuple(["persistent", id]) }
            decoder.unpicklerOptions.extensionRegistry = [
                1: PickleGlobal(module: "copyreg", name: "_reconstructor"),
                2: PickleGlobal(module: "builtins", name: "set"),
            ]
        default:
            break
        }
        return decoder
    }

    /// Replays one FuzzDecoder input: its first byte chooses the type (modulo 16) and the decoder (see
    /// ``decoder(variant:)``), the rest is the pickle, decoded both ways.
    ///
    /// - Returns: The tree path's outcome, for a test of the replay itself.
    @discardableResult
    static func replay(_ input: [UInt8], _ label: String, sourceLocation: SourceLocation = #_sourceLocation)
        -> DecodeTally
    {
        let tally = DecodeTally()
        guard let selector = input.first else { return tally }
        expectSameDecode(
            Int(selector) % names.count, Array(input.dropFirst()),
            decoder: decoder(variant: Int(selector) / names.count % 4), label, tally: tally,
            sourceLocation: sourceLocation)
        return tally
    }

    /// Decodes candidate `index` from `bytes` both ways, with
    /// ``expectSameDecode(_:_:decoder:expecting:expected:_:tally:largeStack:tree:sourceLocation:)``.
    static func expectSameDecode(
        _ index: Int, _ bytes: [UInt8], decoder: PickleDecoder = PickleDecoder(), _ label: String = "",
        tally: DecodeTally? = nil, tree: Result<PickleValue, PickleError>? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        func check<T: Decodable & Equatable>(_ type: T.Type) {
            PickleTests.expectSameDecode(
                type, bytes, decoder: decoder, "\(names[index % names.count]), \(label)", tally: tally, tree: tree,
                sourceLocation: sourceLocation)
        }
        switch index % names.count {
        case 0: check(Optionals.self)
        case 1: check([Int].self)
        case 2: check([String: Int].self)
        case 3: check([[Int]].self)
        case 4: check([String].self)
        case 5: check([Int: [Int: Int?]].self)
        case 6: check(Shape.self)
        case 7: check(PickleValue.self)
        case 8: check(Date.self)
        case 9: check(Item.self)
        case 10: check(Nested.self)
        case 11: check(UnkeyedProbe.self)
        case 12: check(KeyedProbe.self)
        case 13: check(Holder.self)
        case 14: check(Tree.self)
        default: check(SingleProbe.self)
        }
    }
}

// MARK: - Random values

/// Random Python values shaped like the candidate types, with some parts of another shape, some containers
/// shared (so that their pickles hold memo references) and every kind of number and string.
private struct RandomPickles {
    var generator: SplitMix64
    /// Containers already made, which a later part of the value may refer to again.
    private var made: [PickleValue] = []

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func below(_ bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    /// A value shaped for candidate `index` of ``FuzzDecoderCandidates``.
    mutating func value(for index: Int, depth: Int = 0) -> PickleValue {
        // Now and then, a value of any shape instead, or a container made before.
        if depth > 0 && chance(6) { return anything(depth: depth + 1) }
        if depth > 0 && !made.isEmpty && chance(5) { return made[below(made.count)] }
        let result: PickleValue
        switch index % FuzzDecoderCandidates.names.count {
        case 0:
            result = record([
                ("int", int()), ("string", string()), ("double", double()), ("bool", bool()), ("int8", int()),
                ("uint64", int()), ("float", double()), ("inner", inner(depth)), ("list", sequence(depth) { $0.int() }),
                ("twice", chance(50) ? .none : int()),
            ])
        case 1: result = sequence(depth) { $0.int() }
        case 2: result = dict(depth, key: { $0.key() }) { $0.int() }
        case 3: result = sequence(depth) { $0.sequence(depth + 1) { $0.int() } }
        case 4: result = sequence(depth) { $0.string() }
        case 5:
            result = dict(depth, key: { $0.intKey() }) {
                $0.dict(depth + 1, key: { $0.intKey() }) { $0.chance(30) ? .none : $0.int() }
            }
        case 6: result = shape(depth)
        case 7: result = anything(depth: depth)
        case 8: result = date()
        case 9: result = item(depth)
        case 10:
            result = record([
                ("id", int()), ("inner", inner(depth)), ("inners", sequence(depth) { $0.inner(depth + 1) }),
                ("grid", sequence(depth) { $0.sequence(depth + 1) { $0.inner(depth + 2) } }),
                ("maybe", chance(50) ? .none : inner(depth)),
            ])
        case 11, 15: result = sequence(depth) { $0.anything(depth: depth + 1) }
        case 12:
            let keys: [PickleValue] = ["name", "a", 1, "1", 7, "super", true, 1.0, "other", .tuple([1])]
            result = dict(depth, key: { keys[$0.below(keys.count)] }) { $0.anything(depth: depth + 1) }
        case 13:
            let payload = anything(depth: depth + 1)
            result = record([
                ("kind", string()), ("payload", payload), ("again", chance(50) ? payload : anything(depth: depth + 1)),
                ("list", sequence(depth) { _ in payload }),
                ("byName", dict(depth, key: { $0.key() }) { $0.anything(depth: depth + 2) }),
            ])
        default: result = tree(depth)
        }
        if result.isReference { made.append(result) }
        return result
    }

    /// A dict with these fields, some left out, some `None`, sometimes an extra one, sometimes as the
    /// attributes of an instance or an OrderedDict.
    mutating func record(_ fields: [(String, PickleValue)]) -> PickleValue {
        let dict = PickleDict()
        for (key, value) in fields where !chance(12) { dict[.string(key)] = chance(5) ? .none : value }
        if chance(10) { dict[.string("extra")] = scalar() }
        switch below(10) {
        case 0:
            return .object(
                PickleObject(newInstanceOf: PickleGlobal(module: "shop", name: "Record"), state: .dict(dict)))
        case 1:
            return .object(
                PickleObject(
                    construction: .reduce, callable: .global(PickleGlobal(module: "collections", name: "OrderedDict")),
                    dictItems: dict.map { ($0.key, $0.value) }))
        default: return .dict(dict)
        }
    }

    mutating func inner(_ depth: Int) -> PickleValue {
        record([("name", string()), ("values", sequence(depth + 1) { $0.int() })])
    }

    mutating func item(_ depth: Int) -> PickleValue {
        let state = PickleDict()
        state["name"] = string()
        if !chance(10) { state["price"] = int() }
        if chance(60) { state["tags"] = sequence(depth + 1) { $0.string() } }
        switch below(6) {
        case 0: return .dict(state)
        case 1:
            // Protocol 0 and 1's form: copyreg._reconstructor(cls, object, None), then the state.
            return .object(
                PickleObject(
                    construction: .reduce, callable: .global(PickleGlobal(module: "copyreg", name: "_reconstructor")),
                    arguments: [
                        .global(Item.pythonClass), .global(PickleGlobal(module: "builtins", name: "object")), .none,
                    ],
                    state: .dict(state)))
        case 2:
            return .object(
                PickleObject(newInstanceOf: PickleGlobal(module: "shop", name: "Other"), state: .dict(state)))
        case 3: return .object(PickleObject(newInstanceOf: Item.pythonClass, state: .tuple([.none, .dict(state)])))
        default: return .object(PickleObject(newInstanceOf: Item.pythonClass, state: .dict(state)))
        }
    }

    mutating func shape(_ depth: Int) -> PickleValue {
        let shape: PickleValue
        switch depth > 3 ? below(4) : below(5) {
        case 0: shape = record([("radius", double())])
        case 1: shape = record([("width", int()), ("height", int())])
        case 2: shape = record([("_0", int()), ("_1", string())])
        case 3: shape = .dict(PickleDict())
        default:
            shape = record([
                ("_0", chance(30) ? .none : self.shape(depth + 1)), ("_1", sequence(depth + 1) { $0.shape(depth + 2) }),
            ])
        }
        let names = ["circle", "rect", "pair", "empty", "nested"]
        let name = names[below(names.count)]
        return chance(5)
            ? .dict(PickleDict([(.string(name), shape), (.string("circle"), shape)])) : .dict([.string(name): shape])
    }

    mutating func tree(_ depth: Int) -> PickleValue {
        if depth > 4 || chance(40) { return int() }
        return sequence(depth) { $0.tree(depth + 1) }
    }

    mutating func date() -> PickleValue {
        let seconds = Double(Int64(bitPattern: generator.next()) % 100_000_000_000) / 1000
        switch below(6) {
        case 0: return .float(seconds)
        case 1: return .int(Int(seconds))
        case 2: return scalar()
        default:
            var encoder = PickleEncoder()
            encoder.dateEncodingStrategy = chance(50) ? .datetimeUTC : .naiveDatetimeUTC
            return (try? encoder.encodeValue(Date(timeIntervalSince1970: seconds))) ?? .none
        }
    }

    /// A list, tuple, set or frozenset of a few elements (a set only of numbers and strings, which hash).
    mutating func sequence(_ depth: Int, _ element: (inout RandomPickles) -> PickleValue) -> PickleValue {
        let count = depth > 4 ? below(2) : (chance(10) ? below(30) : below(5))
        var elements: [PickleValue] = []
        for _ in 0..<count { elements.append(element(&self)) }
        let hashable = elements.allSatisfy { value in
            switch value {
            case .int, .bool, .string, .float, .none, .bigInt, .bytes: true
            default: false
            }
        }
        switch below(10) {
        case 0: return .tuple(elements)
        case 1 where hashable: return .set(PickleSet(elements))
        case 2 where hashable: return .frozenset(PickleFrozenSet(elements))
        default: return .list(PickleList(elements))
        }
    }

    mutating func dict(
        _ depth: Int, key: (inout RandomPickles) -> PickleValue, _ value: (inout RandomPickles) -> PickleValue
    ) -> PickleValue {
        let count = depth > 4 ? below(2) : below(6)
        let dict = PickleDict()
        for _ in 0..<count { dict[key(&self)] = value(&self) }
        return .dict(dict)
    }

    mutating func key() -> PickleValue {
        chance(90) ? .string(["a", "b", "name", "é", "e\u{301}", ""][below(6)]) : scalar()
    }

    mutating func intKey() -> PickleValue { chance(90) ? .int(below(20) - 5) : scalar() }

    mutating func bool() -> PickleValue { chance(85) ? .bool(chance(50)) : scalar() }

    mutating func int() -> PickleValue {
        switch below(20) {
        case 0: return .bool(chance(50))
        case 1: return .integer(BigInteger(isNegative: false, magnitude: [UInt64.max - UInt64(below(3))]))
        case 2: return .integer(BigInteger(isNegative: true, magnitude: [UInt64(Int64.max) + 2 + UInt64(below(1000))]))
        case 3:
            return [.int(Int.max), .int(Int.min), .int(128), .int(-129), .int(255), .int(256), .int(65_536)][below(7)]
        case 4: return scalar()
        default: return .int(below(2000) - 1000)
        }
    }

    mutating func double() -> PickleValue {
        switch below(12) {
        case 0: return .int(below(100))
        case 1: return [.float(.nan), .float(-0.0), .float(.infinity), .float(3.5e38), .float(1e300)][below(5)]
        case 2: return scalar()
        case 3: return .integer(BigInteger(isNegative: false, magnitude: [UInt64.max]))
        default: return .float(Double(below(100_000)) / 64 - 500)
        }
    }

    mutating func string() -> PickleValue {
        switch below(14) {
        case 0: return .surrogateString(SurrogateString(codePoints: [0x61, 0xD800 + UInt32(below(0x800))])!)
        case 1: return scalar()
        case 2: return .bytes(Array("bytes".utf8))
        default:
            return .string(
                ["", "a", "name", "é", "e\u{301}", "🦆", "line\nbreak", "long " + String(repeating: "x", count: 300)][
                    below(8)])
        }
    }

    mutating func scalar() -> PickleValue {
        switch below(11) {
        case 0: return .none
        case 1: return .bool(chance(50))
        case 2: return .int(below(600) - 300)
        case 3:
            return .integer(BigInteger(isNegative: chance(50), magnitude: [UInt64(below(1000)), 3 + UInt64(below(5))]))
        case 4: return .float(Double(below(1000)) / 8)
        case 5: return .string(["x", "1", "True", "ü"][below(4)])
        case 6: return .bytes([UInt8(below(256)), 0])
        case 7: return .bytearray(PickleByteArray([1, UInt8(below(256))]))
        case 8: return .complex(real: 1, imaginary: Double(below(3)))
        case 9: return .global(PickleGlobal(module: "builtins", name: "len"))
        default: return .tuple([.int(below(3))])
        }
    }

    /// A value of any shape.
    mutating func anything(depth: Int) -> PickleValue {
        if depth > 4 { return scalar() }
        switch below(16) {
        case 0, 1: return sequence(depth) { $0.anything(depth: depth + 1) }
        case 2: return dict(depth, key: { $0.key() }) { $0.anything(depth: depth + 1) }
        case 3: return value(for: below(FuzzDecoderCandidates.names.count), depth: depth + 1)
        case 4: return item(depth)
        case 5: return date()
        default: return scalar()
        }
    }
}

// MARK: - Values for the tests

/// 2**1100: beyond `Double`.
private let hugeInteger = BigInteger(isNegative: false, magnitude: Array(repeating: 0, count: 17) + [1 << 12])
/// 2**64: one beyond `UInt64`.
private let twoToThe64 = BigInteger(isNegative: false, magnitude: [0, 1])

/// A str with a lone surrogate, which a Swift `String` cannot hold.
private var loneSurrogate: PickleValue { .surrogateString(SurrogateString(codePoints: [0x61, 0xDC80])!) }

/// What `PickleEncoder` writes for a Swift value (a `uuid.UUID`, a `datetime.datetime`…).
private func encoded<T: Encodable>(_ value: T, _ strategy: PickleEncoder.DateEncodingStrategy = .datetimeUTC)
    -> PickleValue
{
    var encoder = PickleEncoder()
    encoder.dateEncodingStrategy = strategy
    do {
        return try encoder.encodeValue(value)
    } catch {
        Issue.record("encodeValue(\(value)): \(error)")
        return .none
    }
}

private let someUUID = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!

/// An instance of `module.name` built as protocol 2 builds one (`NEWOBJ`, then `BUILD` with `state`).
private func instance(_ module: String, _ name: String, state: PickleValue?) -> PickleValue {
    .object(PickleObject(newInstanceOf: PickleGlobal(module: module, name: name), state: state))
}

/// A dict subclass of `collections` (`OrderedDict`, `defaultdict`) with these items.
private func dictSubclass(_ name: String, _ items: [(PickleValue, PickleValue)], arguments: [PickleValue] = [])
    -> PickleValue
{
    .object(
        PickleObject(
            construction: .reduce, callable: .global(PickleGlobal(module: "collections", name: name)),
            arguments: arguments, dictItems: items.map { (key: $0.0, value: $0.1) }))
}

/// `base` with some fields replaced (`nil` removes one).
private func replacing(_ base: [(String, PickleValue)], _ changes: [String: PickleValue?]) -> PickleValue {
    let dict = PickleDict()
    for (key, value) in base {
        if let change = changes[key] {
            if let change { dict[.string(key)] = change }
        } else {
            dict[.string(key)] = value
        }
    }
    return .dict(dict)
}

/// Decodes `type` both ways from `value` pickled at `version`.
@discardableResult
private func check<T: Decodable & Equatable>(
    _ type: T.Type, _ value: PickleValue, _ version: Int, _ expectation: DecodeExpectation = .value, expected: T? = nil,
    _ label: String = "", decoder: PickleDecoder = PickleDecoder(), tally: DecodeTally? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> DecodeOutcome<T> {
    expectSameDecode(
        type, dumps(value, version, sourceLocation: sourceLocation), decoder: decoder, expecting: expectation,
        expected: expected, "protocol \(version)" + (label.isEmpty ? "" : ", \(label)"), tally: tally,
        sourceLocation: sourceLocation)
}

/// One pickle decoded both ways into many types, loaded once for the tree path (see the `tree` parameter of
/// ``expectSameDecode(_:_:decoder:expecting:expected:_:tally:largeStack:tree:sourceLocation:)``), into every
/// type or into the share `part` of `parts` of them, the types taken in turn.
private struct Sweep {
    let bytes: [UInt8]
    let decoder: PickleDecoder
    let tree: Result<PickleValue, PickleError>
    let label: String
    let tally: DecodeTally?
    let part: Int
    let parts: Int
    private var index = 0

    init(
        _ bytes: [UInt8], decoder: PickleDecoder = PickleDecoder(), _ label: String, tally: DecodeTally?, part: Int = 0,
        of parts: Int = 1
    ) {
        self.bytes = bytes
        self.decoder = decoder
        tree = Result { () throws(PickleError) in try Unpickler.load(bytes, options: decoder.unpicklerOptions) }
        self.label = label
        self.tally = tally
        self.part = part
        self.parts = parts
    }

    /// `value` pickled at `version`.
    init(
        _ value: PickleValue, _ version: Int, _ label: String, tally: DecodeTally?, part: Int = 0, of parts: Int = 1,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        self.init(
            dumps(value, version, sourceLocation: sourceLocation), "protocol \(version), \(label)", tally: tally,
            part: part, of: parts)
    }

    /// Decodes `type` both ways, when it is this sweep's turn for it.
    mutating func callAsFunction<T: Decodable & Equatable>(
        _ type: T.Type, _ expectation: DecodeExpectation = .either, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        defer { index += 1 }
        guard index % parts == part else { return }
        expectSameDecode(
            type, bytes, decoder: decoder, expecting: expectation, label, tally: tally, tree: tree,
            sourceLocation: sourceLocation)
    }
}

// MARK: - The tests

@Suite("PickleDecoder: decoding bytes gives what decoding the tree of Unpickler.load gives")
struct PickleDecoderDifferentialTests {
    // MARK: Values written by Pickler.dumps

    static var primitiveFields: [(String, PickleValue)] {
        [
            ("bool", true), ("string", "é🦆"), ("int", .int(Int.max)), ("int8", -128), ("int16", 32_767),
            ("int32", .int(Int(Int32.min))), ("int64", .int(Int.min)),
            ("uint", .integer(BigInteger(isNegative: false, magnitude: [UInt64(UInt.max)]))),
            ("uint8", 255), ("uint16", 65_535), ("uint32", .int(Int(UInt32.max))),
            ("uint64", .integer(BigInteger(isNegative: false, magnitude: [UInt64.max]))), ("double", -0.0),
            ("float", 3.25),
        ]
    }

    @Test("Structs of every primitive: each field at its limits, and every mismatch", arguments: 0...5)
    func primitives(version: Int) {
        let fields = Self.primitiveFields
        check(
            Primitives.self, replacing(fields, [:]), version,
            expected: Primitives(
                bool: true, string: "é🦆", int: .max, int8: -128, int16: 32_767, int32: .min, int64: .min, uint: .max,
                uint8: 255, uint16: 65_535, uint32: .max, uint64: .max, double: -0.0, float: 3.25))
        // Python's numeric tower: a bool is an int, an int or a bool a float.
        check(
            Primitives.self, replacing(fields, ["int": true, "uint8": false, "double": 3, "float": .bool(true)]),
            version)
        check(
            Primitives.self, replacing(fields, ["double": .integer(twoToThe64), "float": .float(.infinity)]), version)
        let mismatches: [(String, PickleValue)] = [
            ("bool", 1), ("bool", "True"), ("bool", .none), ("string", 1), ("string", .bytes([0x61])),
            ("string", loneSurrogate),
            ("int", 2.0), ("int", "1"), ("int", .integer(twoToThe64)), ("int", .none), ("int8", 128), ("int8", -129),
            ("int16", 32_768), ("int32", .int(1 << 31)), ("int64", .integer(twoToThe64)), ("uint", -1), ("uint8", 256),
            ("uint16", 65_536), ("uint32", .int(1 << 32)), ("uint64", .integer(twoToThe64)), ("uint64", -1),
            ("double", "1.5"), ("double", .none), ("double", .integer(hugeInteger)),
            ("double", .complex(real: 1, imaginary: 0)),
            ("float", 1e300), ("float", .integer(hugeInteger)), ("float", [1.5]),
        ]
        for (field, value) in mismatches {
            check(
                Primitives.self, replacing(fields, [field: value]), version, .decodingError,
                "\(field) = \(codableRepr(value))")
        }
        for field in ["bool", "string", "uint64", "float"] {
            check(Primitives.self, replacing(fields, [field: .some(nil)]), version, .decodingError, "without \(field)")
        }
        // The same values at the top level, into each type.
        let tally = DecodeTally()
        let scalars: [PickleValue] = [
            0, -1, 255, 256, .int(Int.min), .integer(twoToThe64), .integer(-twoToThe64), .integer(hugeInteger), true,
            false,
            .none, 0.5, -0.0, .float(.nan), .float(-.infinity), 1e39, "", "text", "e\u{301}", loneSurrogate,
            .bytes([1]),
            .complex(real: 0, imaginary: 1),
        ]
        for (index, value) in scalars.enumerated() {
            var sweep = Sweep(value, version, codableRepr(value), tally: tally, part: (index + version) % 2, of: 2)
            sweep(Bool.self)
            sweep(String.self)
            sweep(Int.self)
            sweep(Int8.self)
            sweep(Int16.self)
            sweep(Int32.self)
            sweep(Int64.self)
            sweep(UInt.self)
            sweep(UInt8.self)
            sweep(UInt16.self)
            sweep(UInt32.self)
            sweep(UInt64.self)
            sweep(Double.self)
            sweep(Float.self)
            sweep(Int?.self)
            sweep(String?.self)
            sweep(Double?.self)
            sweep(Bool?.self)
            sweep(Float?.self)
            sweep(BigInteger.self)
            sweep(SingleProbe.self, .value)
        }
        tally.expectMixed(values: 50, errors: 90, "scalars")
    }

    @Test("Optionals (a missing key, None), decodeIfPresent and nested structs", arguments: 0...5)
    func optionalsAndNesting(version: Int) {
        check(Optionals.self, [:], version, expected: Optionals())
        let nones: PickleValue = [
            "int": .none, "string": .none, "double": .none, "bool": .none, "int8": .none, "uint64": .none,
            "float": .none,
            "inner": .none, "list": .none, "twice": .none,
        ]
        check(Optionals.self, nones, version, expected: Optionals())
        check(
            Optionals.self,
            [
                "int": 1, "string": "s", "double": 2, "bool": false, "int8": -1,
                "uint64": .integer(BigInteger(isNegative: false, magnitude: [UInt64.max])),
                "float": 0.5, "inner": ["name": "n", "values": .tuple([1])], "list": [], "twice": 5,
            ], version,
            expected: Optionals(
                int: 1, string: "s", double: 2, bool: false, int8: -1, uint64: .max, float: 0.5,
                inner: Inner(name: "n", values: [1]), list: [], twice: 5))
        for (field, value) in [
            ("int", "x"), ("string", 1), ("double", "2"), ("bool", 0), ("int8", 300), ("uint64", -1), ("float", 1e100),
            ("inner", ["name": "n"]), ("inner", 1), ("list", [1, .none]), ("list", ["a"]), ("twice", "x"),
        ] as [(String, PickleValue)] {
            check(
                Optionals.self, .dict([.string(field): value]), version, .decodingError,
                "\(field) = \(codableRepr(value))")
        }
        // Keys that are not str are not the fields, whatever their value.
        check(Optionals.self, [1: 1, .bytes(Array("int".utf8)): 2, "int": 3], version, expected: Optionals(int: 3))

        let inner: PickleValue = ["name": "i", "values": [1, 2]]
        let nested: PickleValue = [
            "id": 7, "inner": inner, "inners": [inner, ["name": "j", "values": []], inner],
            "grid": [[inner], [], .tuple([inner])],
            "maybe": .none,
        ]
        let innerValue = Inner(name: "i", values: [1, 2])
        check(
            Nested.self, nested, version,
            expected: Nested(
                id: 7, inner: innerValue, inners: [innerValue, Inner(name: "j", values: []), innerValue],
                grid: [[innerValue], [], [innerValue]], maybe: nil))
        check(Nested.self, ["id": 1, "inner": inner, "inners": [], "grid": [], "maybe": inner], version)
        // The inner struct as the attributes of an instance of any class, and as an OrderedDict.
        let object = instance("shop", "Other", state: ["name": "o", "values": .tuple([])])
        let ordered = dictSubclass("OrderedDict", [("values", [3]), ("name", "od")])
        check(
            Nested.self,
            ["id": 1, "inner": object, "inners": [ordered, object], "grid": [[ordered]], "maybe": object], version)
        let failures: [PickleValue] = [
            ["id": 1, "inner": inner, "inners": [inner, 1], "grid": [], "maybe": .none],
            [
                "id": 1, "inner": inner, "inners": [], "grid": [[inner, ["name": "x", "values": ["v"]]]],
                "maybe": .none,
            ],
            ["id": 1, "inner": inner, "inners": ["name": "x"], "grid": [], "maybe": .none],
            ["id": 1, "inner": .none, "inners": [], "grid": [], "maybe": .none],
            ["id": 1, "inners": [], "grid": [], "maybe": .none],
            ["id": 1, "inner": ["values": [1]], "inners": [], "grid": [], "maybe": .none],
            [
                "id": 1, "inner": instance("shop", "Other", state: .tuple([.none, ["name": "x"]])), "inners": [],
                "grid": [],
            ],
            [inner, inner],
        ]
        for (index, value) in failures.enumerated() {
            check(Nested.self, value, version, .decodingError, "failure \(index)")
        }
    }

    @Test(
        "Arrays, sets, [UInt8] and Data: from lists, tuples, sets, frozensets, bytes and bytearrays", arguments: 0...5)
    func arraysSetsAndBytes(version: Int) {
        let fields: [(String, PickleValue)] = [
            ("ints", [1, 2, true]), ("strings", ["a", "é", "e\u{301}"]), ("doubles", [1.5, 2, false, .float(.nan)]),
            ("bools", [true, false]), ("grid", [[1], [], .tuple([2, 3])]), ("cube", [[[1, 2]], [[]], []]),
            ("optionals", [1, .none, .none]), ("bytes", .bytes([0, 255])), ("data", .bytes([1, 2])),
        ]
        check(Arrays.self, replacing(fields, [:]), version)
        let successes: [String: PickleValue] = [
            "ints": .tuple([1, 2]), "strings": .frozenset(["a"]), "bools": .set([true]),
            "bytes": .bytearray(PickleByteArray([7])),
            "data": .bytearray(PickleByteArray([])), "grid": .tuple([.set([1, 2]), .frozenset([])]), "cube": .tuple([]),
            "optionals": .tuple([.none]), "doubles": .set([1, 2.5]),
        ]
        for (field, value) in successes.sorted(by: { $0.key < $1.key }) {
            check(Arrays.self, replacing(fields, [field: value]), version, .value, "\(field) = \(codableRepr(value))")
        }
        check(Arrays.self, replacing(fields, ["bytes": [0, 1, 255]]), version, .value, "bytes from a list of ints")
        check(Arrays.self, replacing(fields, ["bytes": .tuple([])]), version, .value, "bytes from a tuple")
        let mismatches: [(String, PickleValue)] = [
            ("ints", ["a": 1]), ("ints", [1, 2.5]), ("ints", "123"), ("ints", .bytes([1])), ("strings", ["a", 1]),
            ("doubles", ["x"]), ("bools", [1]), ("grid", [[1], ["a": 1]]), ("grid", [1]), ("cube", [[[1, "x"]]]),
            ("optionals", [1, "x"]), ("bytes", [0, 256]), ("bytes", [-1]), ("bytes", "abc"), ("bytes", [true, 1.0]),
            ("data", [1, 2]), ("data", "ab"), ("data", .none),
        ]
        for (field, value) in mismatches {
            check(
                Arrays.self, replacing(fields, [field: value]), version, .decodingError,
                "\(field) = \(codableRepr(value))")
        }
        // Sets: duplicates and elements equal in Python or in Swift.
        check(
            Sets.self, ["ints": .set([3, 1, 2]), "strings": .frozenset(["a", "b"])], version,
            expected: Sets(ints: [1, 2, 3], strings: ["a", "b"]))
        check(Sets.self, ["ints": [1, 1, true, 2], "strings": ["é", "e\u{301}", "x"]], version)
        check(Sets.self, ["ints": .tuple([]), "strings": .set([])], version, expected: Sets(ints: [], strings: []))
        check(Sets.self, ["ints": .set([1, "a"]), "strings": []], version, .decodingError)
        check(Sets.self, ["ints": ["a": 1], "strings": []], version, .decodingError)
        check(Sets.self, ["ints": [], "strings": [loneSurrogate]], version, .decodingError)
        // The same values at the top level.
        let tally = DecodeTally()
        let values: [PickleValue] = [
            [1, 2, 3], .tuple(["a", "b"]), .set([1.5]), .frozenset([true]), [[1], [2, 3]], [[[1]], [[2], []]],
            [1, .none],
            .bytes([1, 2]), .bytearray(PickleByteArray([3])), [0, 255], [256], [], ["a": 1], "abc", .none, [["x"]],
        ]
        for (index, value) in values.enumerated() {
            var sweep = Sweep(value, version, codableRepr(value), tally: tally, part: (index + version) % 2, of: 2)
            sweep([Int].self)
            sweep([String].self)
            sweep([Double].self)
            sweep([Bool].self)
            sweep([[Int]].self)
            sweep([[[Int]]].self)
            sweep([Int?].self)
            sweep([UInt8].self)
            sweep([[UInt8]].self)
            sweep(Data.self)
            sweep(Set<Int>.self)
            sweep(Set<String>.self)
            sweep([PickleValue].self)
            sweep([Int]?.self)
            sweep(UnkeyedProbe.self)
        }
        tally.expectMixed(values: 20, errors: 50, "arrays")
    }

    @Test(
        "Dictionaries: String, Int, UUID, Int8 and enum keys; OrderedDict and defaultdict; keys equal in Swift",
        arguments: 0...5)
    func dictionaries(version: Int) {
        let uuid = encoded(someUUID)
        let fields: [(String, PickleValue)] = [
            ("counts", ["a": 1, "b": true, "": -1]), ("names", ["x": "y"]), ("micro", [1: [2: 3, 4: .none], 5: [:]]),
            ("groups", ["g": ["a", "b"], "h": .tuple([])]),
            ("byUUID", [uuid: 1, "00000000-0000-0000-0000-000000000001": 2]),
            ("byInt8", [-1: "m", 127: "x"]),
        ]
        check(Dictionaries.self, replacing(fields, [:]), version)
        let successes: [(String, PickleValue)] = [
            ("counts", dictSubclass("OrderedDict", [("b", 2), ("a", 1)])),
            (
                "counts",
                dictSubclass(
                    "defaultdict", [("a", 1)], arguments: [.global(PickleGlobal(module: "builtins", name: "int"))])
            ),
            ("counts", instance("shop", "Counts", state: ["a": 1])), ("micro", [true: [false: 1]]),
            ("names", dictSubclass("Counter", [])), ("byInt8", [:]),
        ]
        for (field, value) in successes {
            check(
                Dictionaries.self, replacing(fields, [field: value]), version, .value,
                "\(field) = \(codableRepr(value))")
        }
        let mismatches: [(String, PickleValue)] = [
            ("counts", [1: 1]), ("counts", ["a": "1"]), ("counts", ["é": 1, "e\u{301}": 2]), ("counts", [["a", 1]]),
            ("counts", .surrogateString(SurrogateString(codePoints: [0xD800])!)), ("names", [loneSurrogate: "x"]),
            ("micro", ["1": [:]]), ("micro", [1: [2: "x"]]), ("micro", [1: [2.5: 1]]), ("micro", [1: [2: 3], 2: 1]),
            ("groups", ["g": "ab"]), ("byUUID", ["not a uuid": 1]), ("byUUID", [1: 1]),
            (
                "byUUID",
                [
                    instance(
                        "uuid", "UUID", state: ["int": .integer(BigInteger(isNegative: false, magnitude: [0, 0, 1]))]):
                        1
                ]
            ),
            ("byUUID", [instance("uuid", "UUID", state: ["hex": "x"]): 1]), ("byInt8", [128: "x"]),
            ("byInt8", [-129: "x"]),
            ("byInt8", ["1": "x"]),
        ]
        for (field, value) in mismatches {
            check(
                Dictionaries.self, replacing(fields, [field: value]), version, .decodingError,
                "\(field) = \(codableRepr(value))")
        }
        // Python's equal keys are one key; Swift's equal keys (canonically equivalent strings) are an error.
        let tally = DecodeTally()
        let values: [PickleValue] = [
            ["a": 1, "b": 2], [1: 1, 2: .none], [true: 1, 2: 2], ["é": "1", "e\u{301}": "2"], ["k": ["a", "b"]],
            [1: [2: 3, 4: .none]], [-128: "a", 127: "b"], [uuid: 5], [encoded(Level.high): 1], ["low": 1, "high": 2],
            dictSubclass("OrderedDict", [("z", 1), ("a", 2)]), [:], [1, 2], .none, [.tuple([1]): 1],
            [1.0: "f", 2: "i"],
            [.none: 1],
        ]
        for (index, value) in values.enumerated() {
            var sweep = Sweep(value, version, codableRepr(value), tally: tally, part: (index + version) % 2, of: 2)
            sweep([String: Int].self)
            sweep([String: String].self)
            sweep([Int: [Int: Int?]].self)
            sweep([String: [String]].self)
            sweep([UUID: Int].self)
            sweep([Int8: String].self)
            sweep([Int: Int?].self)
            sweep([Color: Int].self)
            sweep([Level: Int].self)
            sweep([Double: String].self)
            sweep([String: PickleValue].self)
            sweep(OrderedFields.self)
            sweep(KeyedProbe.self)
        }
        tally.expectMixed(values: 15, errors: 50, "dictionaries")
    }

    @Test(
        "Enums with associated values and raw values; Date, PythonDate, PythonDateTime, UUID, Decimal, BigInteger",
        arguments: 0...5)
    func enumsDatesAndFoundationValues(version: Int) {
        let shapes: [PickleValue] = [
            ["circle": ["radius": 2]], ["rect": ["width": 3, "height": true]], ["pair": ["_0": 1, "_1": "one"]],
            ["empty": [:]],
            [
                "nested": [
                    "_0": ["empty": [:]], "_1": [["circle": ["radius": 0.5]], ["nested": ["_0": .none, "_1": []]]],
                ]
            ],
            ["nested": ["_1": []]],
        ]
        for shape in shapes {
            check(Shape.self, shape, version, .value, codableRepr(shape))
            check(
                Enums.self, ["shape": shape, "level": 2, "color": "red", "byColor": ["green": 1]], version, .value,
                codableRepr(shape))
        }
        let badShapes: [PickleValue] = [
            ["circle": ["radius": "2"]], ["square": ["side": 1]], ["circle": ["radius": 1], "empty": [:]], [:],
            ["rect": ["width": 1]],
            ["pair": ["_0": 1]], ["nested": ["_0": ["x": [:]], "_1": []]], ["circle"], "circle", ["empty": .none],
        ]
        for shape in badShapes {
            check(Shape.self, shape, version, .decodingError, codableRepr(shape))
        }
        for (level, color) in [(3, "red"), (1, "blue"), (1, "RED")] as [(PickleValue, PickleValue)] {
            check(Enums.self, ["shape": ["empty": [:]], "level": level, "color": color], version, .decodingError)
        }
        check(
            Enums.self, ["shape": ["empty": [:]], "level": true, "color": .none, "byColor": ["blue": 1]], version,
            .decodingError)

        let moment = Date(timeIntervalSince1970: 1_700_000_000.123456)
        let day = PythonDate(year: 1999, month: 12, day: 31)!
        let dateTime = PythonDateTime(
            year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59, microsecond: 999_999,
            timeZone: .fixed(offset: PythonTimeDelta(seconds: -3600)!, name: "X"))!
        let dates: PickleValue = [
            "date": encoded(moment), "day": encoded(day), "moment": encoded(dateTime),
            "delta": encoded(PythonTimeDelta(days: -1, seconds: 5)!),
            "time": encoded(PythonTime(hour: 1, minute: 2, second: 3)!),
        ]
        check(Dates.self, dates, version)
        for value in [
            encoded(moment, .naiveDatetimeUTC), 1_700_000_000.5, 86_400, .integer(twoToThe64), true, "2024-01-01",
            .none, encoded(day),
        ] as [PickleValue] {
            check(
                Dates.self, ["date": value, "day": encoded(day), "moment": encoded(dateTime)], version, .either,
                codableRepr(value))
            check(Date.self, value, version, .either, codableRepr(value))
        }
        check(
            Dates.self, ["date": encoded(moment), "day": encoded(moment), "moment": encoded(dateTime)], version,
            .decodingError)
        check(
            Dates.self, ["date": encoded(moment), "day": encoded(day), "moment": encoded(day)], version, .decodingError)
        check(PythonDateTime.self, encoded(moment, .naiveDatetimeUTC), version)
        check(PythonDate.self, encoded(dateTime), version, .decodingError)

        check(
            FoundationValues.self,
            ["uuid": encoded(someUUID), "decimal": encoded(Decimal(string: "-12.50")!), "big": .integer(hugeInteger)],
            version)
        check(
            FoundationValues.self,
            ["uuid": .string(someUUID.uuidString), "decimal": encoded(Decimal.nan), "big": true], version)
        for (field, value) in [
            ("uuid", "E621E1F8"), ("uuid", .integer(twoToThe64)),
            ("uuid", instance("uuid", "UUID", state: ["int": -1])),
            ("uuid", instance("shop", "UUID", state: ["int": 1])), ("decimal", 1.5), ("decimal", "1.5"), ("big", 1.0),
            ("big", "1"),
        ] as [(String, PickleValue)] {
            let value = replacing(
                [("uuid", encoded(someUUID)), ("decimal", encoded(Decimal(1))), ("big", 1)], [field: value])
            check(FoundationValues.self, value, version, .decodingError, "\(field) = \(codableRepr(value))")
        }
    }

    @Test("Python classes (PythonClass), instances decoded as structs, fields of type PickleValue", arguments: 0...5)
    func pythonClassesAndInstances(version: Int) {
        let pen = instance("shop", "Item", state: ["name": "pen", "price": 3, "tags": ["blue"]])
        let cup: PickleValue = ["name": "cup", "price": 2]
        let marker = PickleValue.object(PickleObject(newInstanceOf: Marker.pythonClass))
        let celsius = instance("shop", "Celsius", state: 21.5)
        check(Item.self, pen, version, expected: Item(name: "pen", price: 3, tags: ["blue"]))
        check(Item.self, cup, version, expected: Item(name: "cup", price: 2, tags: nil))
        check(
            Basket.self, ["owner": pen, "items": [pen, cup, pen], "marker": marker, "temperature": celsius], version,
            expected: Basket(
                owner: Item(name: "pen", price: 3, tags: ["blue"]),
                items: [
                    Item(name: "pen", price: 3, tags: ["blue"]), Item(name: "cup", price: 2),
                    Item(name: "pen", price: 3, tags: ["blue"]),
                ],
                marker: Marker(), temperature: Celsius(degrees: 21.5)))
        let mismatches: [PickleValue] = [
            ["owner": instance("shop", "Other", state: ["name": "x", "price": 1]), "items": []],
            ["owner": pen, "items": [pen, instance("shop", "Marker", state: ["name": "x", "price": 1])]],
            ["owner": pen, "items": [], "marker": instance("shop", "Item", state: PickleValue.none)],
            ["owner": pen, "items": [], "temperature": ["degrees": 1.0]],
            ["owner": pen, "items": [], "temperature": instance("shop", "Celsius", state: "hot")],
            ["owner": reduced("shop", "Item", ["pen", 3]), "items": []],
            ["owner": [pen], "items": []],
            ["owner": instance("shop", "Item", state: ["name": "x"]), "items": []],
        ]
        for (index, value) in mismatches.enumerated() {
            check(Basket.self, value, version, .decodingError, "mismatch \(index)")
        }
        // Instances of any class as structs and dictionaries: their attributes, merged with their slots.
        let forms: [PickleValue] = [
            instance("shop", "Other", state: ["name": "o", "values": [1]]),
            instance("shop", "Slotted", state: .tuple([.none, ["name": "s", "values": []]])),
            instance("shop", "Both", state: .tuple([["name": "d"], ["values": [2]]])),
            instance("shop", "Empty", state: nil),
            instance("shop", "Weird", state: .tuple([1, 2, 3])),
            .object(
                PickleObject(
                    construction: .instantiate, callable: .global(PickleGlobal(module: "old", name: "Style")),
                    state: ["name": "i", "values": []])),
            reduced(
                "copyreg", "_reconstructor",
                [
                    .global(PickleGlobal(module: "shop", name: "Old")),
                    .global(PickleGlobal(module: "builtins", name: "object")), .none,
                ]),
            dictSubclass("OrderedDict", [("name", "od"), ("values", .tuple([]))]),
            reduced("shop", "make", [1, 2]),
        ]
        let tally = DecodeTally()
        for (index, form) in forms.enumerated() {
            var sweep = Sweep(form, version, "form \(index)", tally: tally)
            sweep(Inner.self)
            sweep([String: PickleValue].self)
            sweep(AnyAB.self)
            sweep(GoldenPlain.self)
            sweep(KeyedProbe.self)
            sweep(Item.self)
            sweep(Marker.self)
            sweep(PickleValue.self, .value)
        }
        tally.expectMixed(values: 20, errors: 20, "instances")

        // PickleValue fields: the value as loaded, shared objects and cycles included.
        let shared = PickleList([1, "s"])
        let cycle = PickleList(["cycle"])
        cycle.append(.list(cycle))
        let object = PickleObject(newInstanceOf: PickleGlobal(module: "m", name: "C"))
        object.state = ["me": .object(object), "shared": .list(shared)]
        let everything: PickleValue = .tuple([
            .none, true, 1, .integer(-twoToThe64), 1.5, .complex(real: 1, imaginary: -0.0), "s", loneSurrogate,
            .bytes([1]),
            .frozenset([1, 2]), .global(PickleGlobal(module: "builtins", name: "len")), .list(shared), .set(["a"]),
            .bytearray(PickleByteArray([1])), .object(object), .list(cycle),
        ])
        let holders: [PickleValue] = [
            ["kind": "k", "payload": .list(shared), "again": .list(shared), "list": [.list(shared), .list(cycle)]],
            [
                "kind": "k", "payload": everything, "again": everything,
                "byName": ["x": .list(cycle), "y": .object(object)],
            ],
            ["kind": "k", "payload": .none, "again": .none, "list": .tuple([1, 1.0, true]), "byName": [:]],
        ]
        for (index, holder) in holders.enumerated() {
            check(Holder.self, holder, version, .value, "holder \(index)")
        }
        check(Holder.self, ["kind": "k"], version, .decodingError)
        check(Holder.self, ["kind": 1, "payload": 1], version, .decodingError)
        check(Holder.self, ["kind": "k", "payload": 1, "byName": [1: 1]], version, .decodingError)
        check(PickleValue.self, everything, version)
        check([PickleValue].self, everything, version)
        check(PickleValue?.self, .none, version, expected: nil)
    }

    @Test(
        "Custom init(from:): unkeyed, keyed and single-value containers used every way; errors of the type's own",
        arguments: 0...5)
    func customContainers(version: Int) {
        let tally = DecodeTally()
        let values: [PickleValue] = [
            [
                .none, 1, "s", ["a": 1, 2: "b"], [1.5, "x"], true, .bytes([1]), .none, 5, .none, [:], [], .none, "t", 9,
            ],
            .tuple([1, "a", .none]), .set([1, 2, 3]), [], ["x", ["k": [1]], .list(PickleList([.none]))],
            ["name": "n", "a": .none, 1: 5, "1": "one", 7: [1, 2], "super": ["x": 1], true: "bool key"],
            ["name": ["name": "x", "values": [1]], "a": [3, 4], 1.0: "float key", "super": .none],
            instance("shop", "Item", state: ["name": "pen", "a": 1]), dictSubclass("OrderedDict", [(1, 1), ("a", 2)]),
            ["missing": 1], 5, "text", .none, .bytes([1, 2]), 2.5, .integer(twoToThe64),
        ]
        for (index, value) in values.enumerated() {
            var sweep = Sweep(value, version, "value \(index)", tally: tally, part: (index + version) % 2, of: 2)
            sweep(UnkeyedProbe.self)
            sweep(KeyedProbe.self)
            sweep(SingleProbe.self, .value)
            sweep([SingleProbe].self)
            sweep([String: UnkeyedProbe].self)
            sweep([KeyedProbe?].self)
            sweep(Picky.self)
            sweep(Swallower.self)
            sweep(IDTuple.self)
        }
        tally.expectMixed(values: 10, errors: 30, "custom containers")
        check(Picky.self, [2, 4, 5], version, .otherError)
        check(Picky.self, [2, 4, 6], version, expected: Picky(numbers: [2, 4, 6]))
        check(IDTuple.self, .tuple([[1, 2], 2]), version, expected: IDTuple(ids: [1, 2], count: 2))
        check(IDTuple.self, .tuple([[1, 2]]), version, .decodingError)
        check(
            Swallower.self, ["a": [["x"]], "b": ["value": 1, "next": ["value": 2]], "tree": [1, [2, [3]]]], version)
    }

    // MARK: Pickles written by CPython

    /// Decodes `bytes` both ways into a broad set of types: a `PickleValue` and a `[String: PickleValue]` always,
    /// and of the thirty-one others the share `part` of `parts` (a sweep over the protocols of one object, each
    /// with its own part, meets most of them); a pickle that does not load into three types, one over 4 KiB into a
    /// `PickleValue` only, and one over 64 KiB into an `[Int]` only (rendering a `PickleValue` of 100,000 elements,
    /// twice, takes long in a debug build).
    static func decodeIntoManyTypes(
        _ bytes: [UInt8], decoder: PickleDecoder = PickleDecoder(), _ label: String, tally: DecodeTally,
        part: Int = 0, of parts: Int = 1, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let tree = Result { () throws(PickleError) in try Unpickler.load(bytes, options: decoder.unpicklerOptions) }
        var index = 0
        func check<T: Decodable & Equatable>(_ type: T.Type, always: Bool = false) {
            defer { if !always { index += 1 } }
            guard always || index % parts == part else { return }
            expectSameDecode(
                type, bytes, decoder: decoder, label, tally: tally, tree: tree, sourceLocation: sourceLocation)
        }
        guard bytes.count <= 65_536 else {
            check([Int].self, always: true)
            return
        }
        check(PickleValue.self, always: true)
        guard case .success = tree else {
            // The same load error whatever the type, unless a decoder reads the pickle by the type.
            check(Inner.self)
            check([Int].self)
            return
        }
        guard bytes.count <= 4096 else { return }
        check([String: PickleValue].self, always: true)
        check(Int.self)
        check(String.self)
        check([Int].self)
        check(Inner.self)
        check(KeyedProbe.self)
        check(Int8.self)
        check(UInt64.self)
        check(Double.self)
        check(Float.self)
        check(Bool.self)
        check(Int?.self)
        check([String].self)
        check([Double?].self)
        check([[Int]].self)
        check([UInt8].self)
        check(Data.self)
        check(Set<String>.self)
        check([String: Int].self)
        check([Int: PickleValue].self)
        check([PickleValue].self)
        check(Date.self)
        check(PythonDate.self)
        check(PythonDateTime.self)
        check(PythonTimeDelta.self)
        check(UUID.self)
        check(Decimal.self)
        check(BigInteger.self)
        check(GoldenPlain.self)
        check(Optionals.self)
        check(Shape.self)
        check(Tree.self)
    }

    @Test("Every pickle of the golden corpus (CPython 3.11, protocols 0 to 5), into up to thirty-three types")
    func goldenCorpus() throws {
        let entries = try UnpicklerGoldenTests.manifest("golden/manifest.json")
        #expect(entries.count > 1000)
        let tally = DecodeTally()
        for entry in entries {
            guard let name = entry["file"] as? String else { continue }
            let bytes = try UnpicklerGoldenTests.bytes("golden/" + name)
            // Each protocol of an object gets another share of the types.
            let part = (entry["protocol"] as? Int ?? 0) + name.utf8.reduce(0) { $0 &+ Int($1) }
            Self.decodeIntoManyTypes(bytes, name, tally: tally, part: part % 12, of: 12)
        }
        tally.expectMixed(values: 800, errors: 2000, "golden corpus")
    }

    @Test("The bm_pickle objects of the golden corpus, into their Codable shapes, at every protocol", arguments: 0...5)
    func benchmarkObjects(version: Int) throws {
        func bytes(_ name: String) throws -> [UInt8] {
            try UnpicklerGoldenTests.bytes("golden/\(name).p\(version).pickle")
        }
        expectSameDecode(UserRecord.self, try bytes("bm_dict"), expecting: .value)
        expectSameDecode([UserRecordStrings].self, try bytes("bm_dict_group"), expecting: .value)
        expectSameDecode([[[Int]]].self, try bytes("bm_list"), expecting: .value)
        expectSameDecode([Int: [Int: Int?]].self, try bytes("bm_micro_dict"), expecting: .value)
        expectSameDecode(IDTuple.self, try bytes("bm_tuple"), expecting: .value)
        // Other objects of the corpus into the types made for them.
        expectSameDecode(GoldenPlain.self, try bytes("inst_plain"), expecting: .value)
        expectSameDecode(AnyAB.self, try bytes("inst_plain"), expecting: .value)
        expectSameDecode(PythonDateTime.self, try bytes("datetime_utc"), expecting: .value)
        expectSameDecode(Date.self, try bytes("datetime_utc"), expecting: .value)
        expectSameDecode(Decimal.self, try bytes("decimal"), expecting: .value)
        expectSameDecode(UUID.self, try bytes("uuid"), expecting: .value)
        expectSameDecode([String: PickleValue].self, try bytes("ordereddict"), expecting: .value)
        expectSameDecode([String: PickleValue].self, try bytes("cycle_dict"), expecting: .value)
        expectSameDecode(Node.self, try bytes("cycle_dict"), expecting: .value)
        // And each into the others' shapes, which fail.
        expectSameDecode(UserRecord.self, try bytes("bm_dict_group"), expecting: .decodingError)
        expectSameDecode(UserRecordStrings.self, try bytes("bm_dict"), expecting: .decodingError)
        expectSameDecode([[[Int]]].self, try bytes("bm_micro_dict"), expecting: .decodingError)
        expectSameDecode([Int: [Int: Int?]].self, try bytes("bm_list"), expecting: .decodingError)
        expectSameDecode(IDTuple.self, try bytes("bm_dict"), expecting: .decodingError)
        expectSameDecode([UserRecord].self, try bytes("bm_dict_group"), expecting: .decodingError)
        // The records with one field of the wrong type, as a Python program might have stored them.
        let record = try bytes("bm_dict")
        var options = UnpicklerOptions()
        options.maxDepth = 3
        var shallow = PickleDecoder()
        shallow.unpicklerOptions = options
        expectSameDecode(UserRecord.self, record, decoder: shallow, expecting: .either)
        var shallowDecoder = PickleDecoder()
        shallowDecoder.maxDepth = 1
        expectSameDecode(UserRecord.self, record, decoder: shallowDecoder, expecting: .decodingError)
    }

    @Test(
        "Every Python 2.7 pickle of the golden corpus, with each reading of Python 2 str",
        arguments: [Python2StringDecoding.ascii, .latin1, .utf8, .bytes])
    func python2Corpus(strings: Python2StringDecoding) throws {
        let entries = try UnpicklerGoldenTests.manifest("golden_py2/manifest.json")
        #expect(entries.count > 80)
        var decoder = PickleDecoder()
        decoder.unpicklerOptions.python2Strings = strings
        let tally = DecodeTally()
        for fix in [true, false] {
            decoder.unpicklerOptions.fixPython2Imports = fix
            for (index, entry) in entries.enumerated() {
                guard let name = entry["file"] as? String else { continue }
                let bytes = try UnpicklerGoldenTests.bytes("golden_py2/" + name)
                Self.decodeIntoManyTypes(
                    bytes, decoder: decoder, "\(name), \(strings), fixPython2Imports \(fix)", tally: tally,
                    part: index % 9, of: 9)
            }
        }
        tally.expectMixed(values: 200, errors: 500, "Python 2 corpus with \(strings)")
    }

    @Test("The tricky inputs CPython accepts and those it rejects (Fixtures/pass and fail)")
    func passAndFailManifests() throws {
        let tally = DecodeTally()
        for folder in ["pass", "fail"] {
            for (index, entry) in try UnpicklerGoldenTests.manifest("\(folder)/manifest.json").enumerated() {
                guard let hex = entry["hex"] as? String else { continue }
                var decoder = PickleDecoder()
                if entry["encoding"] as? String == "latin1" { decoder.unpicklerOptions.python2Strings = .latin1 }
                Self.decodeIntoManyTypes(
                    try CPython.bytes(hex: hex), decoder: decoder, "\(folder) \(index)", tally: tally, part: index % 4,
                    of: 4)
            }
        }
        tally.expectMixed(values: 100, errors: 2000, "pass and fail")
        #expect(tally.pickleErrors > 300, "\(tally.summary)")
    }

    @Test("Values CPython pickles for each type, at protocols 0 to 5")
    func cpythonPickles() throws {
        let setup = """
            import datetime, decimal, uuid, collections, sys, types
            shop = types.ModuleType('shop')
            sys.modules['shop'] = shop
            class Item:
                def __init__(self, name, price, tags=None):
                    self.name, self.price = name, price
                    if tags is not None: self.tags = tags
            class Marker: pass
            class Slotted:
                __slots__ = ('name', 'price')
                def __init__(self, name, price): self.name, self.price = name, price
            for _c in (Item, Marker, Slotted):
                _c.__module__ = 'shop'
                setattr(shop, _c.__name__, _c)
            """
        let pickles = try CPython.cases(
            [
                (
                    "primitives",
                    "dict(bool=True, string='é', int=-2**63, int8=-128, int16=-1, int32=2**31-1, int64=0, uint=2**64-1, uint8=255, uint16=0, uint32=2**32-1, uint64=2**64-1, double=1e-310, float=0.1)"
                ),
                ("optionals", "dict(int=None, string='s', inner=dict(name='n', values=(1, 2)), list=[], twice=None)"),
                (
                    "nested",
                    "(lambda i: dict(id=1, inner=i, inners=[i, i], grid=[[i], []], maybe=None))(dict(name='x', values=[1]))"
                ),
                (
                    "arrays",
                    "dict(ints=[1, True], strings=('a',), doubles=[1, 2.5], bools=[False], grid=[[1], []], cube=[[[1]]], optionals=[None, 1], bytes=bytearray(b'\\x00\\xff'), data=b'\\x01')"
                ),
                ("sets", "dict(ints={1, 2, 3}, strings=frozenset({'a', 'b'}))"),
                (
                    "dictionaries",
                    "dict(counts=collections.OrderedDict(a=1), names=collections.defaultdict(str, x='y'), micro={1: {2: None}}, groups={'g': ['a']}, byUUID={uuid.UUID(int=5): 1}, byInt8={-1: 'x'})"
                ),
                ("shape", "{'nested': {'_0': {'circle': {'radius': 1.5}}, '_1': [{'empty': {}}]}}"),
                (
                    "dates",
                    "dict(date=datetime.datetime(2020, 5, 17, 1, 2, 3, 456789, tzinfo=datetime.timezone.utc), day=datetime.date(2000, 2, 29), moment=datetime.datetime(1, 1, 1), delta=datetime.timedelta(days=-3, microseconds=7), time=datetime.time(12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30))))"
                ),
                (
                    "foundation",
                    "dict(uuid=uuid.UUID('12345678-9abc-def0-1234-56789abcdef0'), decimal=decimal.Decimal('-1.50E+10'), big=-2**200)"
                ),
                (
                    "basket",
                    "(lambda p: dict(owner=p, items=[p, shop.Item('cup', 2)], marker=shop.Marker()))(shop.Item('pen', 3, ['blue']))"
                ),
                ("slotted", "shop.Slotted('s', 1)"),
                (
                    "holder",
                    "(lambda l: dict(kind='k', payload=l, again=l, list=[l, (l,)], byName={'x': l}))([1, 'two'])"
                ),
                ("cycle", "(lambda d: (d.__setitem__('next', d), d.__setitem__('value', 1), d)[-1])({})"),
                ("list cycle", "(lambda l: (l.append(l), l)[-1])([1])"),
                ("mixed", "[None, 1, 's', {'a': 1, 2: 'b'}, [1.5, 'x'], True, b'\\x01', None, 5]"),
                ("keys", "{'name': 'n', 'a': None, 1: 5, '1': 'one', 7: [1, 2], 'super': {'x': 1}, True: 'bool key'}"),
                ("ids", "([1, 2, 3], 3)"),
            ], setup: setup)
        #expect(pickles.count == 17)
        let tally = DecodeTally()
        for pythonCase in pickles {
            for (version, bytes) in pythonCase.pickles.sorted(by: { $0.key < $1.key }) {
                let label = "\(pythonCase.name) at protocol \(version)"
                var check = Sweep(bytes, label, tally: tally, part: version % 2, of: 2)
                check(Primitives.self)
                check(Optionals.self)
                check(Nested.self)
                check(Arrays.self)
                check(Sets.self)
                check(Dictionaries.self)
                check(Shape.self)
                check(Dates.self)
                check(FoundationValues.self)
                check(Basket.self)
                check(Item.self)
                check(Inner.self)
                check(Holder.self)
                check(Node.self)
                check(UnkeyedProbe.self)
                check(KeyedProbe.self)
                check(IDTuple.self)
                check(PickleValue.self)
            }
        }
        tally.expectMixed(values: 100, errors: 300, "CPython's pickles")
        // Each shape decodes into its own type at every protocol.
        let byName = Dictionary(uniqueKeysWithValues: pickles.map { ($0.name, $0.pickles) })
        for version in 0...5 {
            func own<T: Decodable & Equatable>(_ type: T.Type, _ name: String) {
                guard let bytes = byName[name]?[version] else { return }
                expectSameDecode(type, bytes, expecting: .value, "\(name) at protocol \(version)")
            }
            own(Primitives.self, "primitives")
            own(Optionals.self, "optionals")
            own(Nested.self, "nested")
            own(Arrays.self, "arrays")
            own(Sets.self, "sets")
            own(Dictionaries.self, "dictionaries")
            own(Shape.self, "shape")
            own(Dates.self, "dates")
            own(FoundationValues.self, "foundation")
            own(Basket.self, "basket")
            own(Holder.self, "holder")
            own(IDTuple.self, "ids")
        }
    }

    // MARK: Hand-written opcode sequences

    struct Person: Decodable, Equatable {
        var name: String
        var age: Int
        var tags: [String]
    }

    @Test("Protocol 0: the text opcodes INT, LONG, FLOAT, UNICODE, STRING, GET and PUT")
    func protocolZeroText() {
        // (dp0 Vname p1 VAda p2 s Vage p3 I36 s Vtags p4 (lp5 Va p6 a g6 a s .
        //   {'name': 'Ada', 'age': 36, 'tags': ['a', 'a']}, the second 'a' a GET of the first.
        let person = latin1("(dp0\nVname\np1\nVAda\np2\nsVage\np3\nI36\nsVtags\np4\n(lp5\nVa\np6\nag6\nas.")
        expectSameDecode(
            Person.self, person, expecting: .value, expected: Person(name: "Ada", age: 36, tags: ["a", "a"]))
        expectSameDecode([String: PickleValue].self, person, expecting: .value)
        expectSameDecode(KeyedProbe.self, person, expecting: .value)
        expectSameDecode([String: String].self, person, expecting: .decodingError)
        let tally = DecodeTally()
        // Each text argument, alone, into the scalar types.
        let arguments: [[UInt8]] = [
            Op.int("36"), Op.int("01"), Op.int("00"), Op.int("-5"), Op.int("+7"), Op.int(" 8"),
            Op.int("99999999999999999999"),
            Op.int("-9223372036854775808"), Op.int("9223372036854775808"), Op.int("0x10"), Op.int(""), Op.int("1_000"),
            Op.long("123L"), Op.long("-5"), Op.long("18446744073709551616L"), Op.long("0L"), Op.long("L"),
            Op.float("1.5"), Op.float("nan"), Op.float("-inf"), Op.float("1e400"), Op.float("1_0.5"), Op.float("0x1p3"),
            Op.float("3"), Op.float("-0.0"), Op.float("abc"),
            Op.unicode("caf\\u00e9"), Op.unicode("\\U0001f986"), Op.unicode("\\ud800"), Op.unicode("a\\x41"),
            Op.unicode(""),
            Op.string("'abc'"), Op.string("\"x\\ny\""), Op.string("'\\xe9'"), Op.string("'unterminated"),
            Op.string("abc"),
            latin1("N"), latin1("I01\np0\n0g0\n"), latin1("g0\n"), latin1("p-1\n"),
        ]
        for argument in arguments {
            let bytes = argument + Op.stop
            let label = String(decoding: argument, as: UTF8.self).debugDescription
            var sweep = Sweep(bytes, label, tally: tally)
            sweep(Int.self)
            sweep(Bool.self)
            sweep(Double.self)
            sweep(Float.self)
            sweep(String.self)
            sweep(UInt64.self)
            sweep(BigInteger.self)
            sweep(PickleValue.self)
            sweep([UInt8].self)
            sweep(SingleProbe.self)
        }
        tally.expectMixed(values: 80, errors: 150, "text opcodes")
        #expect(tally.pickleErrors >= 40, "\(tally.summary)")
        // MARK, then LIST, TUPLE and DICT of the items since it.
        expectSameDecode([Int].self, latin1("(I1\nI2\nl."), expecting: .value, expected: [1, 2])
        expectSameDecode([Int].self, latin1("(I1\nI2\nt."), expecting: .value, expected: [1, 2])
        expectSameDecode(
            [String: Int].self, latin1("(S'a'\nI1\nVb\nI01\nd."), expecting: .value, expected: ["a": 1, "b": 1])
        expectSameDecode([String: Int].self, latin1("(S'a'\nI1\nVb\nd."), expecting: .pickleError)
        expectSameDecode([Int].self, latin1("(lp0\nI1\naI2\na."), expecting: .value, expected: [1, 2])
    }

    @Test("Python 2 str (STRING, BINSTRING, SHORT_BINSTRING) with each python2Strings option")
    func python2Strings() {
        let tally = DecodeTally()
        let strings: [[UInt8]] = [
            Op.shortBinstring(Array("abc".utf8)), Op.shortBinstring([0xE9]), Op.shortBinstring([0xC3, 0xA9]),
            Op.binstring(Array("long".utf8)), Op.binstring([0xFF, 0x00]), Op.string("'caf\\xc3\\xa9'"),
            Op.string("'\\xe9'"),
            Op.shortBinstring([]),
        ]
        for strings2 in [Python2StringDecoding.ascii, .latin1, .utf8, .bytes] {
            var decoder = PickleDecoder()
            decoder.unpicklerOptions.python2Strings = strings2
            for string in strings {
                let label = "\(strings2) \(fastHex(string))"
                for bytes in [
                    Op.proto(2) + string + Op.stop, string + Op.stop,
                    dictPickle([("name", string), ("values", Op.emptyList)]),
                ] {
                    var sweep = Sweep(bytes, decoder: decoder, label, tally: tally)
                    sweep(String.self)
                    sweep([UInt8].self)
                    sweep(Data.self)
                    sweep(Inner.self)
                    sweep(PythonDate.self)
                    sweep(PickleValue.self)
                }
            }
        }
        tally.expectMixed(values: 100, errors: 100, "Python 2 strings")
        #expect(tally.pickleErrors > 0, "\(tally.summary)")
        // A Python 2 datetime: its payload is a str, which needs latin1.
        let datetime = latin1("cdatetime\ndate\np0\n(S'\\x07\\xd0\\x02\\x1d'\np1\ntp2\nRp3\n.")
        var latin = PickleDecoder()
        latin.unpicklerOptions.python2Strings = .latin1
        expectSameDecode(
            PythonDate.self, datetime, decoder: latin, expecting: .value,
            expected: PythonDate(year: 2000, month: 2, day: 29))
        expectSameDecode(PythonDate.self, datetime, expecting: .either)
        var bytesDecoder = PickleDecoder()
        bytesDecoder.unpicklerOptions.python2Strings = .bytes
        expectSameDecode(PythonDate.self, datetime, decoder: bytesDecoder, expecting: .value)
    }

    @Test("Integers: LONG1 and LONG4 of every size into Int, the fixed-width types, Double, Float and BigInteger")
    func bigIntegers() {
        let tally = DecodeTally()
        var encodings: [[UInt8]] = [
            Op.long1([]), Op.long1([0xFF]), Op.long1([0x7F]), Op.long1([0x80]), Op.long1([0x00, 0x00]),
            Op.long1([0xFF, 0xFF]),
            Op.long1([0xFF, 0x00]), Op.long1([0, 0, 0, 0, 0, 0, 0, 0x80]),
            Op.long1([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
            Op.long1([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]), Op.long1([0, 0, 0, 0, 0, 0, 0, 0, 1]),
            Op.long1([0, 0, 0, 0, 0, 0, 0, 0x80, 0xFF]), Op.long1(Array(repeating: 0xFF, count: 200)),
            Op.long1(Array(repeating: 0, count: 16) + [0x01]), Op.long4([0x01]), Op.long4([]),
            Op.long4(Array(repeating: 0x55, count: 300)), Op.long4(Array(repeating: 0xAA, count: 300)),
            Op.binint(-1), Op.binint(.min), Op.binint2(65_535), Op.binint1(255),
        ]
        encodings.append(Op.long1([0x01, 0x02]).dropLast())  // truncated
        encodings.append([0x8B, 0xFF, 0xFF, 0xFF, 0x7F])  // LONG4 longer than the pickle
        encodings.append([0x8B, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])  // LONG4 with a negative length
        for encoding in encodings {
            let label = fastHex(Array(encoding.prefix(20)))
            let bytes = Op.proto(2) + encoding + Op.stop
            var sweep = Sweep(bytes, label, tally: tally)
            sweep(Int.self)
            sweep(Int8.self)
            sweep(Int64.self)
            sweep(UInt.self)
            sweep(UInt8.self)
            sweep(UInt64.self)
            sweep(Double.self)
            sweep(Float.self)
            sweep(BigInteger.self)
            sweep(Date.self)
            sweep(Bool.self)
            sweep(PickleValue.self)
            expectSameDecode([String: Int].self, dictPickle([("n", encoding)]), label, tally: tally)
        }
        tally.expectMixed(values: 80, errors: 80, "integers")
        expectSameDecode(
            UInt64.self, Op.proto(2) + Op.long1([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]) + Op.stop,
            expecting: .value, expected: .max)
        expectSameDecode(
            Int64.self, Op.proto(2) + Op.long1([0, 0, 0, 0, 0, 0, 0, 0x80]) + Op.stop, expecting: .value, expected: .min
        )
        expectSameDecode(Int8.self, Op.proto(2) + Op.long1([0x80, 0xFF]) + Op.stop, expecting: .value, expected: -128)
        expectSameDecode(
            Int.self, Op.proto(2) + Op.long1([0, 0, 0, 0, 0, 0, 0, 0, 1]) + Op.stop, expecting: .decodingError)
        expectSameDecode(
            Double.self, Op.proto(2) + Op.long1(Array(repeating: 0xFF, count: 200) + [0x7F]) + Op.stop,
            expecting: .decodingError)
    }

    @Test("Strings and bytes: every opcode, invalid UTF-8, surrogates, out-of-band buffers")
    func stringsAndBytes() {
        let tally = DecodeTally()
        var buffers = PickleDecoder()
        buffers.unpicklerOptions.buffers = [[1, 2, 3], Array("text".utf8)]
        let values: [[UInt8]] = [
            Op.str("ascii"), Op.str("é🦆"), Op.str(String(repeating: "y", count: 300)), Op.binunicode8("eight"),
            Op.utf8([0xED, 0xA0, 0x80]), Op.utf8([0x61, 0xED, 0xB2, 0x80]),
            Op.utf8([0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]),
            Op.utf8([0xC3, 0x28]), Op.utf8([0xFF]), Op.utf8([0xF4, 0x90, 0x80, 0x80]), Op.utf8([0x65, 0xCC, 0x81]),
            Op.shortBinbytes([1, 2]), Op.binbytes([]), Op.binbytes8([0xFF]), Op.bytearray8([9, 8]), Op.bytearray8([]),
            Op.nextBuffer, Op.nextBuffer + Op.readonlyBuffer, Op.nextBuffer + Op.nextBuffer + Op.tuple2,
            Op.nextBuffer + Op.nextBuffer + Op.nextBuffer + Op.tuple3,
            Op.global("_codecs", "encode") + Op.str("é\u{1}") + Op.str("latin1") + Op.tuple2 + Op.reduce,
            Op.global("_codecs", "encode") + Op.str("€") + Op.str("latin1") + Op.tuple2 + Op.reduce,
            Op.global("__builtin__", "bytearray") + Op.str("ab") + Op.str("latin-1") + Op.tuple2 + Op.reduce,
            Op.global("builtins", "bytes") + Op.emptyTuple + Op.reduce,
            Op.global("builtins", "bytes") + Op.mark + Op.binint1(1) + Op.binint1(2) + Op.list + Op.tuple1 + Op.reduce,
        ]
        for value in values {
            let label = fastHex(Array(value.prefix(24)))
            for bytes in [
                Op.proto(5) + value + Op.stop, dictPickle([("name", value), ("values", Op.emptyList)], protocol: 5),
            ] {
                for decoder in [PickleDecoder(), buffers] {
                    var sweep = Sweep(bytes, decoder: decoder, label, tally: tally)
                    sweep(String.self)
                    sweep([UInt8].self)
                    sweep(Data.self)
                    sweep([Data].self)
                    sweep(UUID.self)
                    sweep(Inner.self)
                    sweep(PickleValue.self)
                    sweep(SingleProbe.self)
                }
            }
        }
        tally.expectMixed(values: 150, errors: 150, "strings and bytes")
        #expect(tally.pickleErrors > 10, "\(tally.summary)")
        // Keys that are the same Swift String but not the same Python str.
        let keys = dictPickle([("e\u{301}", Op.binint1(1)), ("é", Op.binint1(2))])
        expectSameDecode([String: Int].self, keys, expecting: .decodingError)
        expectSameDecode(
            Set<String>.self,
            Op.proto(4) + Op.emptySet + Op.mark + Op.str("e\u{301}") + Op.str("é") + Op.additems + Op.stop,
            expecting: .value)
        expectSameDecode(KeyedProbe.self, keys, expecting: .value)
        struct Accent: Decodable, Equatable {
            var é: Int  // precomposed: found only under the precomposed key
        }
        expectSameDecode(Accent.self, keys, expecting: .value, expected: Accent(é: 2))
        expectSameDecode(Accent.self, dictPickle([("e\u{301}", Op.binint1(1))]), expecting: .decodingError)
    }

    // MARK: Shared references and the memo

    struct Fields: Decodable, Equatable {
        var first: PickleValue
        var second: PickleValue?
        var third: PickleValue?
    }

    struct IntFields: Decodable, Equatable {
        var first: [Int]
        var second: [Int]
        var third: [Int]?
    }

    @Test("Shared references: one list in two fields, DUP, GET of a value mutated after the GET, PUT over an index")
    func sharedReferences() {
        // {'first': L, 'second': L} with L = [1, 2]: MEMOIZE, then BINGET.
        let twoFields = pickle(
            Op.proto(4), Op.emptyDict, Op.mark,
            Op.str("first"), Op.emptyList, Op.memoize, Op.mark, Op.binint1(1), Op.binint1(2), Op.appends,
            Op.str("second"), Op.binget(0),
            Op.setitems, Op.stop)
        expectSameDecode(
            IntFields.self, twoFields, expecting: .value, expected: IntFields(first: [1, 2], second: [1, 2]))
        expectSameDecode(Fields.self, twoFields, expecting: .value)
        expectSameDecode(Holder.self, twoFields, expecting: .decodingError)
        // The list is appended to after the dict holds it twice: both fields see the items added later.
        let mutatedLater = pickle(
            Op.proto(2), Op.emptyDict, Op.binput(0), Op.mark,
            Op.str("first"), Op.emptyList, Op.binput(1), Op.binint1(1), Op.append,
            Op.str("second"), Op.binget(1),
            Op.setitems,
            Op.binget(1), Op.mark, Op.binint1(2), Op.binint1(3), Op.appends, Op.pop,  // L.extend([2, 3])
            Op.binget(1), Op.binint1(4), Op.append, Op.pop,  // L.append(4)
            Op.stop)
        expectSameDecode(
            IntFields.self, mutatedLater, expecting: .value,
            expected: IntFields(first: [1, 2, 3, 4], second: [1, 2, 3, 4]))
        expectSameDecode(Fields.self, mutatedLater, expecting: .value)
        expectSameDecode(KeyedProbe.self, mutatedLater, expecting: .value)
        // The dict gets a third field after it was finished (SETITEM on a GET of it), then loses... nothing: a
        // value set again replaces the first.
        let dictMutated = pickle(
            Op.proto(2), Op.emptyDict, Op.binput(0), Op.mark,
            Op.str("first"), Op.emptyList, Op.str("second"), Op.emptyList, Op.setitems,
            Op.binget(0), Op.str("third"), Op.mark, Op.binint1(7), Op.list, Op.setitem, Op.pop,
            Op.binget(0), Op.str("first"), Op.mark, Op.binint1(8), Op.list, Op.setitem, Op.pop,
            Op.stop)
        expectSameDecode(
            IntFields.self, dictMutated, expecting: .value, expected: IntFields(first: [8], second: [], third: [7]))
        expectSameDecode(KeyedProbe.self, dictMutated, expecting: .value)
        // A list put in a tuple, the tuple in a field, then the list appended to: the tuple's list has it.
        let throughTuple = pickle(
            Op.proto(2), Op.emptyDict, Op.mark,
            Op.str("first"), Op.emptyList, Op.binput(5), Op.tuple1,
            Op.str("second"), Op.emptyList,
            Op.setitems,
            Op.binget(5), Op.str("late"), Op.append, Op.pop,
            Op.stop)
        expectSameDecode(Fields.self, throughTuple, expecting: .value)
        expectSameDecode(
            [String: [[String]]].self, throughTuple, expecting: .value, expected: ["first": [["late"]], "second": []])
        expectSameDecode([String: [[Int]]].self, throughTuple, expecting: .decodingError)
        // DUP: the same list twice in a tuple, appended to through the second reference.
        let dup = pickle(Op.proto(2), Op.emptyList, Op.dup, Op.binint1(1), Op.append, Op.tuple2, Op.stop)
        expectSameDecode([[Int]].self, dup, expecting: .value, expected: [[1], [1]])
        expectSameDecode(PickleValue.self, dup, expecting: .value)
        expectSameDecode(UnkeyedProbe.self, dup, expecting: .value)
        expectSameDecode([[Int]].self, pickle(Op.proto(2), Op.dup, Op.stop), expecting: .pickleError)
        // PUT over an index: GET then fetches the newer value.
        let putOver = pickle(
            Op.proto(2), Op.emptyDict, Op.mark,
            Op.str("first"), Op.emptyList, Op.binput(0), Op.binint1(1), Op.append,
            Op.str("second"), Op.mark, Op.binint1(2), Op.binint1(3), Op.list, Op.binput(0),
            Op.str("third"), Op.binget(0),
            Op.setitems, Op.stop)
        expectSameDecode(
            IntFields.self, putOver, expecting: .value, expected: IntFields(first: [1], second: [2, 3], third: [2, 3]))
        // The same with the long forms of the memo opcodes and with the text ones.
        let longMemo = pickle(
            Op.proto(4), Op.emptyDict, Op.mark,
            Op.str("first"), Op.emptyList, Op.longBinput(70_000), Op.binint1(1), Op.append,
            Op.str("second"), Op.longBinget(70_000),
            Op.str("third"), Op.emptyList, Op.longBinput(70_000), Op.longBinget(70_000), Op.binint1(9), Op.append,
            Op.pop,
            Op.setitems, Op.stop)
        expectSameDecode(IntFields.self, longMemo, expecting: .value)
        let textMemo = latin1("(dp0\nVfirst\n(lp1\nI1\nasVsecond\ng1\nsg1\nI2\na0.")
        expectSameDecode(
            IntFields.self, textMemo, expecting: .value, expected: IntFields(first: [1, 2], second: [1, 2]))
        expectSameDecode(IntFields.self, latin1("(dp0\nVfirst\ng9\ns."), expecting: .pickleError)
        // A memo key never put, and one put by a failed... a GET of an index put later.
        expectSameDecode(
            IntFields.self, pickle(Op.proto(2), Op.binget(3), Op.emptyList, Op.binput(3), Op.stop),
            expecting: .pickleError)
        // A set and a dict that hold one value twice (Python's equal values are one key).
        let equalKeys = pickle(
            Op.proto(4), Op.emptyDict, Op.mark,
            Op.binint1(1), Op.str("int"), Op.newTrue, Op.str("bool"), Op.binfloat(1.0), Op.str("float"), Op.binint1(2),
            Op.str("two"),
            Op.setitems, Op.stop)
        expectSameDecode([Int: String].self, equalKeys, expecting: .value, expected: [1: "float", 2: "two"])
        expectSameDecode([String: String].self, equalKeys, expecting: .decodingError)
        expectSameDecode(KeyedProbe.self, equalKeys, expecting: .value)
        expectSameDecode(PickleValue.self, equalKeys, expecting: .value)
        let equalElements = pickle(
            Op.proto(4), Op.emptySet, Op.mark, Op.binint1(1), Op.newTrue, Op.binfloat(1.0), Op.binint1(2), Op.additems,
            Op.stop)
        expectSameDecode([Int].self, equalElements, expecting: .value, expected: [1, 2])
        expectSameDecode(Set<Int>.self, equalElements, expecting: .value, expected: [1, 2])
        let frozen = pickle(
            Op.proto(4), Op.mark, Op.newTrue, Op.binint1(1), Op.binint1(0), Op.newFalse, Op.frozenset, Op.stop)
        // frozenset([True, 1, 0, False]) is {True, 0}: the first of equal elements stays.
        expectSameDecode([Int].self, frozen, expecting: .value, expected: [1, 0])
        expectSameDecode([Bool].self, frozen, expecting: .decodingError)
    }

    @Test(
        "A dict or list that contains itself: an error at the decoder's depth for recursive types, a value for PickleValue"
    )
    func selfContainingValues() {
        // d = {'value': 1}; d['next'] = d
        let dict = pickle(
            Op.proto(2), Op.emptyDict, Op.binput(0), Op.mark, Op.str("value"), Op.binint1(1), Op.str("next"),
            Op.binget(0),
            Op.setitems, Op.stop)
        let nodeOutcome = expectSameDecode(Node.self, dict, expecting: .decodingError)
        #expect(nodeOutcome.failure?.detail.contains("maxDepth (512)") == true, "\(nodeOutcome.summary)")
        var shallow = PickleDecoder()
        shallow.maxDepth = 20
        expectSameDecode(Node.self, dict, decoder: shallow, expecting: .decodingError)
        expectSameDecode([String: PickleValue].self, dict, expecting: .value)
        expectSameDecode(PickleValue.self, dict, expecting: .value)
        expectSameDecode(Holder.self, dict, expecting: .decodingError)
        expectSameDecode(KeyedProbe.self, dict, expecting: .value)
        expectSameDecode(Swallower.self, dict, expecting: .value)
        // L = [1]; L.append(L)
        let list = pickle(
            Op.proto(2), Op.emptyList, Op.binput(0), Op.binint1(1), Op.append, Op.binget(0), Op.append, Op.stop)
        expectSameDecode(Tree.self, list, expecting: .decodingError)
        expectSameDecode(Tree.self, list, decoder: shallow, expecting: .decodingError)
        expectSameDecode([PickleValue].self, list, expecting: .value)
        expectSameDecode([[Int]].self, list, expecting: .decodingError)
        expectSameDecode(UnkeyedProbe.self, list, expecting: .value)
        // An enum whose associated value is the dict itself: {'nested': {'_0': d, '_1': []}}.
        let shape = pickle(
            Op.proto(2), Op.emptyDict, Op.binput(0), Op.str("nested"), Op.emptyDict, Op.mark, Op.str("_0"),
            Op.binget(0),
            Op.str("_1"), Op.emptyList, Op.setitems, Op.setitem, Op.stop)
        expectSameDecode(Shape.self, shape, expecting: .decodingError)
        // An instance whose state holds it: o = C(); o.next = o.
        let object = pickle(
            Op.proto(2), Op.global("shop", "Node"), Op.emptyTuple, Op.newobj, Op.binput(0), Op.emptyDict, Op.mark,
            Op.str("value"), Op.binint1(2), Op.str("next"), Op.binget(0), Op.setitems, Op.build, Op.stop)
        expectSameDecode(Node.self, object, expecting: .decodingError)
        expectSameDecode(PickleValue.self, object, expecting: .value)
        expectSameDecode(AnyAB.self, object, expecting: .value)
    }

    /// The largest count in `range` for which `decodes(count)` holds, given that it holds at the lower bound and
    /// not at the upper one.
    static func boundary(in range: ClosedRange<Int>, _ decodes: (Int) -> Bool) -> Int {
        var low = range.lowerBound
        var high = range.upperBound
        while high - low > 1 {
            let middle = (low + high) / 2
            if decodes(middle) { low = middle } else { high = middle }
        }
        return low
    }

    @Test(
        "Shared references expand within the budget and fail past it, at the same value (billion laughs, and its boundary)"
    )
    func expansionBudget() throws {
        // Thirty levels of ten references: 10^30 values.
        for kind in ["list", "tuple", "dict", "object"] {
            let laughs = HostileInputTests.laughs(30, kind: kind)
            let outcome =
                kind == "dict"
                ? expectSameDecode(DictTree.self, laughs, expecting: .decodingError, kind).failure
                : expectSameDecode(ArrayTree.self, laughs, expecting: .decodingError, kind).failure
            // (The decoder never reads the arguments of an instance: no type expands that one.)
            #expect(
                outcome?.detail.contains("shared references expand") == (kind != "object"),
                "\(kind): \(String(describing: outcome))")
            expectSameDecode(PickleValue.self, laughs, expecting: .value, kind)
            expectSameDecode(Holder.self, laughs, expecting: .decodingError, kind)
            expectSameDecode(UnkeyedProbe.self, laughs, kind)
            expectSameDecode(KeyedProbe.self, laughs, kind)
        }
        // One list of 1,000 optionals referenced k times: within the budget up to some k, beyond it past it. The
        // boundary, found with the tree path, must be the same for the bytes.
        func sharedRows(_ count: Int, tuple: Bool, padding: Int) -> [UInt8] {
            let row = PickleList((0..<1000).map { .int($0) })
            let shared: PickleValue = tuple ? .tuple(row.elements) : .list(row)
            let pad = PickleValue.list(PickleList((0..<padding).map { .list(PickleList([.int($0)])) }))
            return dumps(["pad": pad, "rows": .list(PickleList(Array(repeating: shared, count: count)))], 4)
        }
        struct Rows: Decodable, Equatable {
            var pad: [[Int]]
            var rows: [[Int?]]
        }
        func treeDecodes(_ bytes: [UInt8]) -> Bool {
            (try? PickleDecoder().decode(Rows.self, from: Unpickler.load(bytes))) != nil
        }
        // With 2,000 lists of padding the budget is 16 times the size of the value graph (more than its first 65,536
        // values), in which the shared row counts once: a tuple by its storage, as a list by its identity. (Each
        // decode near the boundary visits 100,000 values: one configuration keeps the test fast.)
        for (tuple, padding) in [(true, 2000)] {
            let last = Self.boundary(in: 50...120) { treeDecodes(sharedRows($0, tuple: tuple, padding: padding)) }
            #expect(last > 50 && last < 119, "boundary \(last)")
            let label = "tuple \(tuple), padding \(padding), \(last) rows"
            expectSameDecode(Rows.self, sharedRows(last, tuple: tuple, padding: padding), expecting: .value, label)
            let past = expectSameDecode(
                Rows.self, sharedRows(last + 1, tuple: tuple, padding: padding), expecting: .decodingError, label)
            #expect(past.failure?.detail.contains("shared references expand") == true, "\(past.summary)")
        }
    }

    @Test("Objects: NEWOBJ, NEWOBJ_EX, INST, OBJ, REDUCE, copyreg._reconstructor, BUILD (twice, slots, a single value)")
    func objects() {
        let state = pickle(
            Op.emptyDict, Op.mark, Op.str("name"), Op.str("pen"), Op.str("price"), Op.binint1(3), Op.setitems)
        let forms: [(String, [UInt8])] = [
            (
                "NEWOBJ + BUILD",
                pickle(Op.proto(2), Op.global("shop", "Item"), Op.emptyTuple, Op.newobj, state, Op.build, Op.stop)
            ),
            (
                "STACK_GLOBAL, NEWOBJ",
                pickle(
                    Op.proto(4), Op.str("shop"), Op.str("Item"), Op.stackGlobal, Op.emptyTuple, Op.newobj, state,
                    Op.build, Op.stop)
            ),
            (
                "NEWOBJ_EX",
                pickle(
                    Op.proto(4), Op.global("shop", "Item"), Op.emptyTuple, Op.emptyDict, Op.newobjEx, state, Op.build,
                    Op.stop)
            ),
            ("INST", pickle(Op.mark, Op.inst("shop", "Item"), state, Op.build, Op.stop)),
            ("OBJ", pickle(Op.proto(1), Op.mark, Op.global("shop", "Item"), Op.obj, state, Op.build, Op.stop)),
            (
                "reconstructor",
                pickle(
                    Op.global("copy_reg", "_reconstructor"), Op.mark, Op.global("shop", "Item"),
                    Op.global("__builtin__", "object"),
                    Op.none, Op.tuple, Op.reduce, state, Op.build, Op.stop)
            ),
            (
                "BUILD twice",
                pickle(
                    Op.proto(2), Op.global("shop", "Item"), Op.emptyTuple, Op.newobj, state, Op.build,
                    Op.emptyDict, Op.str("price"), Op.binint1(4), Op.setitem, Op.build, Op.stop)
            ),
            (
                "slots",
                pickle(
                    Op.proto(2), Op.global("shop", "Item"), Op.emptyTuple, Op.newobj, Op.none, state, Op.tuple2,
                    Op.build, Op.stop)
            ),
            (
                "dict and slots",
                pickle(
                    Op.proto(2), Op.global("shop", "Item"), Op.emptyTuple, Op.newobj, Op.emptyDict, Op.str("name"),
                    Op.str("d"),
                    Op.setitem, Op.emptyDict, Op.str("price"), Op.binint1(5), Op.setitem, Op.tuple2, Op.build, Op.stop)
            ),
            (
                "single value",
                pickle(
                    Op.proto(2), Op.global("shop", "Celsius"), Op.emptyTuple, Op.newobj, Op.binfloat(21.5), Op.build,
                    Op.stop)
            ),
            ("no state", pickle(Op.proto(2), Op.global("shop", "Marker"), Op.emptyTuple, Op.newobj, Op.stop)),
            (
                "REDUCE",
                pickle(
                    Op.proto(2), Op.global("shop", "Item"), Op.str("pen"), Op.binint1(3), Op.tuple2, Op.reduce, Op.stop)
            ),
            (
                "REDUCE + BUILD",
                pickle(Op.proto(2), Op.global("shop", "make"), Op.emptyTuple, Op.reduce, state, Op.build, Op.stop)
            ),
            (
                "other class",
                pickle(Op.proto(2), Op.global("shop", "Other"), Op.emptyTuple, Op.newobj, state, Op.build, Op.stop)
            ),
            (
                "NEWOBJ with arguments",
                pickle(
                    Op.proto(2), Op.global("shop", "Item"), Op.str("x"), Op.tuple1, Op.newobj, state, Op.build, Op.stop)
            ),
            (
                "list subclass",
                pickle(
                    Op.proto(2), Op.global("shop", "Items"), Op.emptyTuple, Op.newobj, Op.mark, Op.binint1(1),
                    Op.binint1(2), Op.appends, Op.stop)
            ),
            (
                "dict subclass",
                pickle(
                    Op.proto(2), Op.global("shop", "Table"), Op.emptyTuple, Op.newobj, Op.mark, Op.str("name"),
                    Op.str("t"), Op.str("price"), Op.binint1(1), Op.setitems, Op.stop)
            ),
            (
                "OrderedDict",
                pickle(
                    Op.proto(2), Op.global("collections", "OrderedDict"), Op.emptyTuple, Op.reduce, Op.mark,
                    Op.str("price"), Op.binint1(1), Op.str("name"), Op.str("od"), Op.setitems, Op.stop)
            ),
            (
                "defaultdict",
                pickle(
                    Op.proto(2), Op.global("collections", "defaultdict"), Op.global("builtins", "list"), Op.tuple1,
                    Op.reduce, Op.str("name"), Op.str("dd"), Op.setitem, Op.stop)
            ),
            (
                "set REDUCE",
                pickle(
                    Op.proto(2), Op.global("builtins", "set"), Op.mark, Op.binint1(1), Op.binint1(1), Op.binint1(2),
                    Op.list, Op.tuple1, Op.reduce, Op.stop)
            ),
            (
                "frozenset REDUCE",
                pickle(
                    Op.proto(2), Op.global("__builtin__", "frozenset"), Op.mark, Op.str("a"), Op.list, Op.tuple1,
                    Op.reduce, Op.stop)
            ),
            ("BUILD on a dict", pickle(Op.proto(2), Op.emptyDict, state, Op.build, Op.stop)),
            ("BUILD on a list", pickle(Op.proto(2), Op.emptyList, state, Op.build, Op.stop)),
            (
                "BUILD with nothing",
                pickle(Op.proto(2), Op.global("shop", "Item"), Op.emptyTuple, Op.newobj, Op.build, Op.stop)
            ),
            ("REDUCE of a non-tuple", pickle(Op.proto(2), Op.global("shop", "Item"), Op.emptyList, Op.reduce, Op.stop)),
            ("NEWOBJ of a non-class", pickle(Op.proto(2), Op.binint1(1), Op.emptyTuple, Op.newobj, Op.stop)),
        ]
        let tally = DecodeTally()
        for fix in [true, false] {
            var decoder = PickleDecoder()
            decoder.unpicklerOptions.fixPython2Imports = fix
            for (name, bytes) in forms {
                let label = "\(name), fixPython2Imports \(fix)"
                var sweep = Sweep(bytes, decoder: decoder, label, tally: tally)
                sweep(Item.self)
                sweep(Inner.self)
                sweep(Marker.self)
                sweep(Celsius.self)
                sweep(AnyAB.self)
                sweep([String: PickleValue].self)
                sweep([Int].self)
                sweep(Set<String>.self)
                sweep(OrderedFields.self)
                sweep(PickleValue.self)
                sweep(KeyedProbe.self)
            }
        }
        tally.expectMixed(values: 100, errors: 100, "objects")
        let pen = Item(name: "pen", price: 3)
        for (name, bytes) in forms.prefix(6) {
            expectSameDecode(Item.self, bytes, expecting: .value, expected: pen, name)
        }
    }

    // MARK: Errors and limits

    @Test("The decoder's maxDepth: nesting at and beyond it, through structs, arrays, optionals and dictionaries")
    func decoderDepthLimit() {
        // Lists nested n deep around an int, decoded as a Tree: the deepest n that decodes is the same both ways.
        func nestedLists(_ depth: Int) -> [UInt8] {
            var bytes = Op.proto(2)
            for _ in 0..<depth { bytes += Op.mark }
            bytes += Op.binint1(1)
            for _ in 0..<depth { bytes += Op.list }
            return bytes + Op.stop
        }
        for maxDepth in [1, 10, 512] {
            var decoder = PickleDecoder()
            decoder.maxDepth = maxDepth
            let last = Self.boundary(in: 0...(maxDepth + 30)) { depth in
                onLargeDecodingStack {
                    (try? decoder.decode(Tree.self, from: Unpickler.load(nestedLists(depth)))) != nil
                }
            }
            expectSameDecode(Tree.self, nestedLists(last), decoder: decoder, expecting: .value, "maxDepth \(maxDepth)")
            expectSameDecode(
                Tree.self, nestedLists(last + 1), decoder: decoder, expecting: .decodingError, "maxDepth \(maxDepth)")
            expectSameDecode(
                PickleValue.self, nestedLists(last + 1), decoder: decoder, expecting: .value, "maxDepth \(maxDepth)")
        }
        // Each native form counts its levels: the same error at the same path, for depths around the limit.
        let tally = DecodeTally()
        for maxDepth in 0...6 {
            var decoder = PickleDecoder()
            decoder.maxDepth = maxDepth
            let label = "maxDepth \(maxDepth)"
            let nested = dumps(
                [
                    "id": 1, "inner": ["name": "n", "values": [1]], "inners": [],
                    "grid": [[["name": "g", "values": []]]],
                ], 2)
            var sweep = Sweep(nested, decoder: decoder, label, tally: tally)
            sweep(Nested.self)
            expectSameDecode([[[Int]]].self, dumps([[[1]]], 2), decoder: decoder, label, tally: tally)
            expectSameDecode([[Int?]].self, dumps([[1, .none]], 2), decoder: decoder, label, tally: tally)
            expectSameDecode(Int???.self, dumps(1, 2), decoder: decoder, label, tally: tally)
            expectSameDecode(
                [String: [String: [Int]]].self, dumps(["a": ["b": [1]]], 2), decoder: decoder, label, tally: tally)
            expectSameDecode(Set<[Int]>.self, dumps([[1]], 2), decoder: decoder, label, tally: tally)
            expectSameDecode(
                Shape.self, dumps(["nested": ["_0": ["circle": ["radius": 1]], "_1": [["empty": [:]]]]], 2),
                decoder: decoder, label, tally: tally)
            expectSameDecode(
                Optionals.self, dumps(["inner": ["name": "x", "values": []]], 2), decoder: decoder, label, tally: tally)
            expectSameDecode(
                Holder.self, dumps(["kind": "k", "payload": [[[1]]]], 2), decoder: decoder, label, tally: tally)
            expectSameDecode(
                Basket.self, dumps(["owner": ["name": "a", "price": 1], "items": [["name": "b", "price": 2]]], 2),
                decoder: decoder, label, tally: tally)
            expectSameDecode(
                UnkeyedProbe.self, dumps([[1], ["a": 1], .none], 2), decoder: decoder, label, tally: tally)
            expectSameDecode(
                KeyedProbe.self, dumps(["name": ["x": 1], 1: [1]], 2), decoder: decoder, label, tally: tally)
            expectSameDecode(
                Swallower.self, dumps(["a": [["x"]], "tree": [[1]]], 2), decoder: decoder, label, tally: tally)
        }
        tally.expectMixed(values: 20, errors: 20, "depth")
    }

    @Test("userInfo: a type reads it, and throws its own error by it")
    func userInfo() {
        var decoder = PickleDecoder()
        decoder.userInfo[UserInfoProbe.key] = "from the decoder"
        decoder.userInfo[UserInfoProbe.limitKey] = 2
        let list = dumps([1, 2], 3)
        expectSameDecode(
            UserInfoProbe.self, list, decoder: decoder, expecting: .value,
            expected: UserInfoProbe(seen: "from the decoder", values: [1, 2]))
        expectSameDecode(UserInfoProbe.self, list, expecting: .value)
        expectSameDecode(UserInfoProbe.self, dumps([1, 2, 3], 3), decoder: decoder, expecting: .otherError)
        expectSameDecode(
            [String: UserInfoProbe].self, dumps(["a": [1], "b": [1, 2, 3]], 3), decoder: decoder, expecting: .otherError
        )
        expectSameDecode(UserInfoProbe.self, dumps(["a": 1], 3), decoder: decoder, expecting: .decodingError)
    }

    @Test("Every mismatch of a type and a Python value, at the top level and inside containers")
    func mismatches() {
        let tally = DecodeTally()
        let values: [PickleValue] = [
            "1", 1, 1.0, true, .none, .integer(twoToThe64), 300, -1, loneSurrogate, ["a": 1], [1], .tuple([]),
            .bytes([1]),
            .bytearray(PickleByteArray([1])), .set([1]), .complex(real: 1, imaginary: 1),
            .global(PickleGlobal(module: "m", name: "g")),
            instance("shop", "Item", state: ["name": "n", "price": 1]), reduced("builtins", "set", [[1, 2]]),
        ]
        for value in values {
            let label = codableRepr(value)
            // The value alone, in a list, in a dict, in a struct field: the path changes, the error must not.
            for (form, wrapped) in [
                ("alone", value), ("in a list", [1, value]), ("in a dict", ["k": value]),
                ("in a tuple", .tuple([value])),
            ] as [(String, PickleValue)] {
                for version in [0, 2, 5] {
                    let bytes = dumps(wrapped, version)
                    let label = "\(label) \(form) at protocol \(version)"
                    switch form {
                    case "alone":
                        var sweep = Sweep(bytes, label, tally: tally)
                        sweep(Int.self)
                        sweep(Int8.self)
                        sweep(String.self)
                        sweep(Bool.self)
                        sweep(Double.self)
                        sweep([Int].self)
                        sweep([String: Int].self)
                        sweep(Item.self)
                        sweep(Inner.self)
                    case "in a dict":
                        var sweep = Sweep(bytes, label, tally: tally)
                        sweep([String: Int].self)
                        sweep([String: String].self)
                        sweep([String: Bool].self)
                        sweep([String: Double?].self)
                        sweep([String: [Int]].self)
                        expectSameDecode(
                            Optionals.self, dumps(["int": value, "string": value], version), label, tally: tally)
                    default:
                        var sweep = Sweep(bytes, label, tally: tally)
                        sweep([Int].self)
                        sweep([String].self)
                        sweep([Bool].self)
                        sweep([Double?].self)
                        sweep([UInt8].self)
                        sweep([[Int]].self)
                        sweep(IDTuple.self)
                    }
                }
            }
        }
        tally.expectMixed(values: 50, errors: 500, "mismatches")
        #expect(tally.decodingErrors > 500, "\(tally.summary)")
    }

    @Test("UnpicklerOptions limits: maxDepth, maxOpcodes, maxMemoSize, maxInputSize, maxIntegerDigits")
    func unpicklerLimits() throws {
        let record = try UnpicklerGoldenTests.bytes("golden/bm_dict.p4.pickle")
        let group = try UnpicklerGoldenTests.bytes("golden/bm_dict_group.p2.pickle")
        let tally = DecodeTally()
        var settings: [(String, (inout UnpicklerOptions) -> Void)] = []
        for depth in [0, 1, 2, 3, 4] { settings.append(("maxDepth \(depth)", { $0.maxDepth = depth })) }
        for count in [0, 1, 10, 40, 120, 200, 10_000] {
            settings.append(("maxOpcodes \(count)", { $0.maxOpcodes = count }))
        }
        for size in [0, 1, 3, 10, 40, 1000] { settings.append(("maxMemoSize \(size)", { $0.maxMemoSize = size })) }
        for size in [0, 100, record.count - 1, record.count, 100_000] {
            settings.append(("maxInputSize \(size)", { $0.maxInputSize = size }))
        }
        for digits in [0, 1, 19, 20, 4300] {
            settings.append(("maxIntegerDigits \(digits)", { $0.maxIntegerDigits = digits }))
        }
        let text = latin1("(dp0\nVn\nI12345678901234567890\nsVl\nL123L\ns.")
        for (name, apply) in settings {
            var decoder = PickleDecoder()
            apply(&decoder.unpicklerOptions)
            expectSameDecode(UserRecord.self, record, decoder: decoder, name, tally: tally)
            expectSameDecode([UserRecordStrings].self, group, decoder: decoder, name, tally: tally)
            expectSameDecode(PickleValue.self, record, decoder: decoder, name, tally: tally)
            expectSameDecode([String: BigInteger].self, text, decoder: decoder, name, tally: tally)
            expectSameDecode(Tree.self, dumps([[[[1]]]], 2), decoder: decoder, name, tally: tally)
        }
        tally.expectMixed(values: 40, errors: 40, "limits")
        #expect(tally.pickleErrors > 30, "\(tally.summary)")
    }

    @Test("Malformed pickles: unknown opcodes, stack underflow, MARK errors, bad frames, trailing bytes after STOP")
    func malformedPickles() {
        let good = dictPickle([("name", Op.str("n")), ("values", Op.emptyList)])
        let cases: [(String, [UInt8])] = [
            ("unknown opcode 0xFF", Op.proto(2) + [0xFF] + Op.stop),
            ("unknown opcode 0x00 after a value", Op.proto(2) + Op.binint1(1) + [0x00]),
            ("unsupported protocol", Op.proto(6) + Op.none + Op.stop),
            ("empty", []),
            ("STOP alone", Op.stop),
            ("two values at STOP", Op.proto(2) + Op.binint1(1) + Op.binint1(2) + Op.stop),
            ("APPEND on nothing", Op.proto(2) + Op.append + Op.stop),
            ("APPEND to an int", Op.proto(2) + Op.binint1(1) + Op.binint1(2) + Op.append + Op.stop),
            ("SETITEM with one value", Op.proto(2) + Op.emptyDict + Op.binint1(1) + Op.setitem + Op.stop),
            (
                "SETITEMS on a list",
                Op.proto(2) + Op.emptyList + Op.mark + Op.binint1(1) + Op.binint1(2) + Op.setitems + Op.stop
            ),
            ("TUPLE2 of one", Op.proto(2) + Op.binint1(1) + Op.tuple2 + Op.stop),
            ("APPENDS without MARK", Op.proto(2) + Op.emptyList + Op.binint1(1) + Op.appends + Op.stop),
            ("TUPLE without MARK", Op.proto(2) + Op.binint1(1) + Op.tuple + Op.stop),
            ("POP_MARK without MARK", Op.proto(2) + Op.binint1(1) + Op.popMark + Op.stop),
            ("MARK left open", Op.proto(2) + Op.mark + Op.binint1(1) + Op.stop),
            ("MARK popped by POP", Op.proto(2) + Op.mark + Op.pop + Op.binint1(1) + Op.stop),
            ("POP_MARK", Op.proto(2) + Op.binint1(7) + Op.mark + Op.binint1(1) + Op.binint1(2) + Op.popMark + Op.stop),
            ("ADDITEMS on a dict", Op.proto(4) + Op.emptyDict + Op.mark + Op.binint1(1) + Op.additems + Op.stop),
            ("FRAME past the end", Op.proto(4) + Op.frame(100) + Op.none + Op.stop),
            ("FRAME of zero", Op.proto(4) + Op.frame(0) + Op.none + Op.stop),
            ("FRAME exact", Op.proto(4) + Op.frame(2) + Op.none + Op.stop),
            ("FRAME inside a FRAME", Op.proto(4) + Op.frame(11) + Op.frame(1) + Op.none + Op.stop),
            ("STOP inside an unfinished frame", Op.proto(4) + Op.frame(3) + Op.none + Op.stop + Op.none),
            ("trailing garbage", good + [0xFF, 0x00, 0x13]),
            ("a second pickle after", good + Op.proto(2) + Op.binint1(1) + Op.stop),
            ("a truncated second pickle", good + Op.proto(2) + Op.emptyList),
            ("GLOBAL without a newline", Op.proto(2) + latin1("cshop\nItem")),
            ("STACK_GLOBAL of ints", Op.proto(4) + Op.binint1(1) + Op.binint1(2) + Op.stackGlobal + Op.stop),
            ("BINPERSID without a hook", Op.proto(2) + Op.binint1(1) + Op.binpersid + Op.stop),
            ("PERSID without a hook", Op.persid("x") + Op.stop),
            ("EXT1 not registered", Op.proto(2) + Op.ext1(1) + Op.stop),
            ("NEXT_BUFFER without buffers", Op.proto(5) + Op.nextBuffer + Op.stop),
            ("READONLY_BUFFER of an int", Op.proto(5) + Op.binint1(1) + Op.readonlyBuffer + Op.stop),
            ("negative BINPUT", Op.proto(2) + Op.none + Op.put(-1) + Op.stop),
            ("SHORT_BINBYTES past the end", Op.proto(3) + [0x43, 0x05, 0x01] + Op.stop),
            ("BINUNICODE8 huge", Op.proto(4) + [0x8D, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F] + Op.stop),
        ]
        let tally = DecodeTally()
        for (name, bytes) in cases {
            var sweep = Sweep(bytes, name, tally: tally)
            sweep(Inner.self)
            sweep(PickleValue.self)
            sweep(Int.self)
            sweep(Int?.self)
            sweep([Int].self)
            sweep(Item.self)
            sweep(SingleProbe.self)
        }
        tally.expectMixed(values: 20, errors: 50, "malformed")
        #expect(tally.pickleErrors > 150, "\(tally.summary)")
        // A pickle whose value fails to decode and which is malformed after it: the malformation wins.
        let mismatchThenGarbage = Op.proto(2) + Op.str("not an int") + Op.emptyList + [0xFF]
        expectSameDecode(Int.self, mismatchThenGarbage, expecting: .pickleError)
        let fieldThenTruncated =
            Op.proto(2) + Op.emptyDict + Op.mark + Op.str("name") + Op.binint1(1) + Op.str("values")
        expectSameDecode(Inner.self, fieldThenTruncated, expecting: .pickleError)
        // Trailing bytes are never read: a value decodes however they look.
        expectSameDecode(Inner.self, good + [0xFF], expecting: .value)
        expectSameDecode(Inner.self, good + good, expecting: .value)
    }

    @Test("Every prefix of some pickles, and every single-byte change of them at every position")
    func truncationsAndMutations() throws {
        let record = dumps(
            [
                "name": "n", "values": [1, 2, 300, .integer(twoToThe64)], "inner": ["name": "x", "values": .tuple([])],
                "f": 1.5,
            ], 4)
        let pickles: [(String, [UInt8])] = [
            ("record p4", record),
            ("record p0", dumps(["name": "n", "values": [1, -1], "x": 1.5, "y": .none, "z": true], 0)),
            (
                "instance p2",
                dumps(instance("shop", "Item", state: ["name": "pen", "price": 3, "tags": ["a", "a"]]), 2)
            ),
            (
                "shared p5",
                dumps(
                    {
                        let l: PickleValue = [1, 2]
                        return ["name": "s", "values": l, "again": l, "b": .bytearray(PickleByteArray([1]))]
                    }(), 5)
            ),
        ]
        let tally = DecodeTally()
        for (name, bytes) in pickles {
            expectSameDecode(PickleValue.self, bytes, expecting: .value, name)
            // Every prefix: a truncated pickle, an error at the same offset.
            for count in 0..<bytes.count {
                let prefix = Array(bytes.prefix(count))
                var sweep = Sweep(prefix, "\(name) prefix \(count)", tally: tally)
                sweep(Inner.self, .pickleError)
                if count % 3 == 0 { sweep(KeyedProbe.self, .pickleError) }
            }
            // Every position changed to a few other bytes: opcodes that do something else, lengths that lie.
            guard name != "shared p5" else { continue }
            for position in 0..<bytes.count {
                let original = bytes[position]
                for (turn, replacement) in [0x00, 0xFF, original ^ 0x01, 0x4E].enumerated()
                where replacement != original {
                    var mutated = bytes
                    mutated[position] = replacement
                    var sweep = Sweep(
                        mutated, "\(name) byte \(position) = \(String(replacement, radix: 16))", tally: tally,
                        part: (position + turn) % 2, of: 2)
                    sweep(Inner.self)
                    sweep(KeyedProbe.self)
                    sweep(Item.self)
                    sweep(IDTuple.self)
                }
            }
        }
        tally.expectMixed(values: 100, errors: 1000, "truncations and mutations")
        #expect(tally.pickleErrors > 1000 && tally.decodingErrors > 100, "\(tally.summary)")
    }

    @Test(
        "Hooks: resolveGlobal, persistentLoad, the extension registry and out-of-band buffers, and how often they run")
    func hooks() {
        final class Calls: @unchecked Sendable {
            private let lock = NSLock()
            private var log: [String] = []
            func add(_ entry: String) { lock.withLock { log.append(entry) } }
            func take() -> [String] {
                lock.withLock {
                    defer { log = [] }
                    return log
                }
            }
        }
        let calls = Calls()
        var decoder = PickleDecoder()
        decoder.unpicklerOptions.resolveGlobal = { global in
            calls.add("global \(global.fullName)")
            switch global.module {
            case "refused": throw PickleError(.refusedGlobal, "\(global.fullName) refused")
            case "replaced": return ["name": "replaced", "values": [1]]
            default: return nil
            }
        }
        decoder.unpicklerOptions.persistentLoad = { id in
            calls.add("persistent \(codableRepr(id))")
            if case .string("fail") = id { throw PickleError(.persistentIDUnsupported, "no \(id)") }
            return ["name": id, "values": []]
        }
        decoder.unpicklerOptions.extensionRegistry = [
            1: Item.pythonClass, 2: PickleGlobal(module: "refused", name: "x"),
        ]
        decoder.unpicklerOptions.buffers = [[1, 2], [3]]
        let state = pickle(
            Op.emptyDict, Op.mark, Op.str("name"), Op.str("pen"), Op.str("price"), Op.binint1(3), Op.setitems)
        let cases: [(String, [UInt8])] = [
            ("replaced global", pickle(Op.proto(2), Op.global("replaced", "value"), Op.stop)),
            ("refused global", pickle(Op.proto(2), Op.global("refused", "value"), Op.stop)),
            (
                "kept global",
                pickle(Op.proto(2), Op.global("shop", "Item"), Op.emptyTuple, Op.newobj, state, Op.build, Op.stop)
            ),
            ("global in a field", dictPickle([("name", Op.str("n")), ("values", Op.global("replaced", "v"))])),
            ("PERSID", pickle(Op.persid("pid"), Op.stop)),
            ("BINPERSID", pickle(Op.proto(2), Op.str("bin"), Op.binpersid, Op.stop)),
            ("failing BINPERSID", pickle(Op.proto(2), Op.str("fail"), Op.binpersid, Op.stop)),
            ("BINPERSID of an int", pickle(Op.proto(2), Op.binint1(5), Op.binpersid, Op.stop)),
            ("EXT1", pickle(Op.proto(2), Op.ext1(1), Op.emptyTuple, Op.newobj, state, Op.build, Op.stop)),
            ("refused EXT1", pickle(Op.proto(2), Op.ext1(2), Op.stop)),
            ("buffers", pickle(Op.proto(5), Op.nextBuffer, Op.nextBuffer, Op.readonlyBuffer, Op.tuple2, Op.stop)),
            ("buffers used up", pickle(Op.proto(5), Op.nextBuffer, Op.nextBuffer, Op.nextBuffer, Op.tuple3, Op.stop)),
            (
                "hooks then a mismatch",
                dictPickle([("name", Op.str("pid") + Op.binpersid), ("values", Op.global("shop", "x"))])
            ),
            ("hooks then malformed", pickle(Op.proto(2), Op.str("pid"), Op.binpersid, Op.global("shop", "x"), [0xFF])),
        ]
        let tally = DecodeTally()
        for (name, bytes) in cases {
            func check<T: Decodable & Equatable>(_ type: T.Type) {
                // The tree path's calls, then the bytes path's: the same hooks, as often, in the same order.
                _ = calls.take()
                _ = try? decoder.decode(type, from: Unpickler.load(bytes, options: decoder.unpicklerOptions))
                let viaTree = calls.take()
                _ = try? decoder.decode(type, from: bytes)
                let direct = calls.take()
                #expect(
                    direct == viaTree,
                    "\(name) as \(T.self): the hooks ran \(direct) for the bytes, \(viaTree) for the tree")
                expectSameDecode(type, bytes, decoder: decoder, name, tally: tally)
                _ = calls.take()
            }
            check(Inner.self)
            check(Item.self)
            check([UInt8].self)
            check([Data].self)
            check(PickleValue.self)
            check(KeyedProbe.self)
        }
        tally.expectMixed(values: 10, errors: 10, "hooks")
        #expect(tally.pickleErrors > 5, "\(tally.summary)")
    }

    // MARK: Random values

    @Test(
        "Random values shaped for the candidate types, pickled at random protocols, into every candidate type",
        arguments: 0..<4)
    func randomValues(batch: Int) {
        let tally = DecodeTally()
        var random = RandomPickles(seed: 0xDEC0_DE00 &+ UInt64(batch))
        for index in 0..<60 {
            let shape = random.below(FuzzDecoderCandidates.names.count)
            let value = random.value(for: shape)
            let version = random.below(6)
            let bytes = dumps(value, version)
            let label =
                "batch \(batch) value \(index), shaped for \(FuzzDecoderCandidates.names[shape]), protocol \(version)"
            var sweep = Sweep(bytes, label, tally: tally, part: index % 2, of: 2)
            for candidate in FuzzDecoderCandidates.names.indices {
                FuzzDecoderCandidates.expectSameDecode(candidate, bytes, label, tally: tally, tree: sweep.tree)
            }
            sweep(Primitives.self)
            sweep(Arrays.self)
            sweep(Dictionaries.self)
            sweep(Enums.self)
            sweep([String: [String]].self)
            sweep(Set<Int>.self)
            sweep([UInt8].self)
            sweep(Basket.self)
            // A few of the pickles cut short or changed, as the fuzzer would.
            if index % 5 == 0, bytes.count > 4 {
                let cut = Array(bytes.prefix(1 + random.below(bytes.count - 1)))
                FuzzDecoderCandidates.expectSameDecode(shape, cut, label + ", cut to \(cut.count) bytes", tally: tally)
                var changed = bytes
                changed[random.below(bytes.count)] = UInt8(random.below(256))
                FuzzDecoderCandidates.expectSameDecode(shape, changed, label + ", one byte changed", tally: tally)
            }
        }
        tally.expectMixed(values: 120, errors: 600, "random batch \(batch)")
        #expect(tally.pickleErrors > 0, "\(tally.summary)")
    }
}
