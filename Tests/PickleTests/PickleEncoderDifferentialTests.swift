import Foundation
import Testing

@testable import Pickle

// `PickleEncoder.encode(_:)` must write exactly what `Pickler.dumps(encodeValue(_:), protocol:)` writes,
// for every value and every protocol, and throw the same errors. These tests encode each value both ways
// and compare the bytes, or the error's type and description.
//
// Values are made once and encoded twice, never made inside `encode(to:)`: two equal `Set`s or
// `Dictionary`s built separately may iterate in different orders, which would be a difference of the
// test, not of the encoder.

// MARK: - The differential check

/// What one way of encoding gave: the pickle, or the error thrown (its dynamic type and description).
private enum Outcome: Equatable {
    case pickle([UInt8])
    case failure(type: String, description: String)

    init(_ body: () throws -> [UInt8]) {
        do {
            self = .pickle(try body())
        } catch let error as PickleError {
            self = .failure(type: String(reflecting: PickleError.self), description: "\(error) [code: \(error.code)]")
        } catch {
            self = .failure(type: String(reflecting: Swift.type(of: error)), description: "\(error)")
        }
    }

    var isFailure: Bool {
        if case .failure = self { return true }
        return false
    }

    var pickle: [UInt8]? {
        if case .pickle(let bytes) = self { return bytes }
        return nil
    }

    var summary: String {
        switch self {
        case .pickle(let bytes): return "a pickle of \(bytes.count) bytes"
        case .failure(let type, let description): return "\(type): \(description.prefix(800))"
        }
    }
}

/// Whether the value is expected to encode.
private enum Expectation {
    case success, failure, either
}

/// The options of the encoder besides the protocol.
private struct Settings {
    var dateStrategy: PickleEncoder.DateEncodingStrategy = .datetimeUTC
    var userInfo: [CodingUserInfoKey: any Sendable] = [:]
}

/// `value` encoded by `encode(_:)` and by `encodeValue(_:)` then `Pickler.dumps`, with one encoder.
private func bothEncodings<T: Encodable>(
    _ value: T, protocol version: Int, settings: Settings = Settings()
) -> (direct: Outcome, viaTree: Outcome) {
    var encoder = PickleEncoder()
    encoder.protocolVersion = version
    encoder.dateEncodingStrategy = settings.dateStrategy
    encoder.userInfo = settings.userInfo
    let direct = Outcome { try encoder.encode(value) }
    let viaTree = Outcome { try Pickler.dumps(try encoder.encodeValue(value), protocol: version) }
    return (direct, viaTree)
}

/// Records an issue when the two outcomes differ, or when the outcome is not the expected kind.
/// Returns whether they were the same.
@discardableResult
private func compareOutcomes(
    _ direct: Outcome, _ viaTree: Outcome, protocol version: Int, expecting expectation: Expectation,
    label: String, sourceLocation: SourceLocation
) -> Bool {
    let context = "protocol \(version)" + (label.isEmpty ? "" : ", \(label)")
    var same = true
    if direct != viaTree {
        same = false
        Issue.record(
            "\(context): encode(_:) and Pickler.dumps(encodeValue(_:)) differ\n\(describeDifference(direct, viaTree))",
            sourceLocation: sourceLocation)
    }
    switch expectation {
    case .success where viaTree.isFailure:
        Issue.record("\(context): expected a pickle, got \(viaTree.summary)", sourceLocation: sourceLocation)
    case .failure where !viaTree.isFailure:
        Issue.record("\(context): expected an error, got \(viaTree.summary)", sourceLocation: sourceLocation)
    default:
        break
    }
    return same
}

/// Encodes `value` both ways at `version` and expects the same bytes, or the same error.
@discardableResult
private func expectSameEncoding<T: Encodable>(
    _ value: T, protocol version: Int, settings: Settings = Settings(), expecting expectation: Expectation = .success,
    _ label: String = "", sourceLocation: SourceLocation = #_sourceLocation
) -> Outcome {
    let (direct, viaTree) = bothEncodings(value, protocol: version, settings: settings)
    compareOutcomes(direct, viaTree, protocol: version, expecting: expectation, label: label, sourceLocation: sourceLocation)
    return viaTree
}

/// ``expectSameEncoding(_:protocol:settings:expecting:_:sourceLocation:)`` at every protocol, 0 to 5.
private func expectSameEncodingAtAllProtocols<T: Encodable>(
    _ value: T, settings: Settings = Settings(), expecting expectation: Expectation = .success, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    for version in 0...5 {
        expectSameEncoding(
            value, protocol: version, settings: settings, expecting: expectation, label, sourceLocation: sourceLocation)
    }
}

/// Where two outcomes part: the first differing byte, with the bytes and the disassembly around it.
private func describeDifference(_ direct: Outcome, _ viaTree: Outcome) -> String {
    guard let left = direct.pickle, let right = viaTree.pickle else {
        return "  encode:      \(direct.summary)\n  encodeValue: \(viaTree.summary)"
    }
    let common = min(left.count, right.count)
    let offset = (0..<common).first { left[$0] != right[$0] } ?? common
    func window(_ bytes: [UInt8]) -> String {
        let start = max(0, offset - 16)
        let end = min(bytes.count, offset + 16)
        return bytes[start..<end].map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
    }
    var text = """
          encode:      \(left.count) bytes
          encodeValue: \(right.count) bytes
          first difference at byte \(offset) (windows start at byte \(max(0, offset - 16)))
          encode:      \(window(left))
          encodeValue: \(window(right))
        """
    if left.count < 300_000, right.count < 300_000 {
        let leftLines = PickleDisassembler.disassembly(of: left).text.split(separator: "\n", omittingEmptySubsequences: false)
        let rightLines = PickleDisassembler.disassembly(of: right).text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(leftLines.count, rightLines.count)).first { leftLines[$0] != rightLines[$0] }
            ?? min(leftLines.count, rightLines.count)
        func excerpt(_ lines: [Substring]) -> String {
            lines[max(0, line - 5)..<min(lines.count, line + 5)].map { "    " + $0.prefix(160) }.joined(separator: "\n")
        }
        text += "\n  disassembly of encode(_:) around the difference:\n" + excerpt(leftLines)
        text += "\n  disassembly of encodeValue(_:) + dumps around the difference:\n" + excerpt(rightLines)
    }
    return text
}

/// Runs `work` on a thread with a large stack and returns its result: deep values recurse deeply, in
/// both encoders, in Swift's own `Encodable` code and when the values are released.
private func onLargeStack<T>(_ work: @escaping () -> T) -> T {
    let box = LargeStackWork(work)
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

/// The work of ``onLargeStack(_:)`` and its result, handed to the thread and back.
private final class LargeStackWork<T>: @unchecked Sendable {
    let work: () -> T
    var result: T?
    init(_ work: @escaping () -> T) { self.work = work }
}

// MARK: - Keys and small tools

/// A coding key with any name.
private struct DynamicKey: CodingKey, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int?

    init(_ name: String) {
        stringValue = name
        intValue = nil
    }

    init(stringLiteral name: String) { self.init(name) }
    init?(stringValue: String) { self.init(stringValue) }

    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// An error of the test's own types.
private struct ProbeError: Error, CustomStringConvertible {
    var tag: String
    var description: String { "ProbeError(\(tag))" }
}

/// A string of `count` characters that differs with `seed`.
private func text(_ count: Int, seed: Int = 0) -> String {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    var characters: [Character] = []
    characters.reserveCapacity(count)
    for position in 0..<count { characters.append(alphabet[(position &* 7 &+ seed &* 13) % alphabet.count]) }
    return String(characters)
}

/// `count` bytes that differ with `seed`.
private func payload(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}

private let moment = Date(timeIntervalSince1970: 1_700_000_000.123456)
private let otherMoment = Date(timeIntervalSince1970: -1_234_567_890.5)
/// Beyond datetime's year 9999.
private let farFuture = Date(timeIntervalSince1970: 300_000_000_000)
/// Before datetime's year 1.
private let farPast = Date(timeIntervalSince1970: -70_000_000_000)

// MARK: - Plain types

private struct Flat: Codable, Hashable {
    var int: Int
    var string: String
    var double: Double
    var bool: Bool
    var optionalInt: Int?
    var optionalString: String?
    var optionalDouble: Double?
    var optionalBool: Bool?
}

private struct FixedWidth: Encodable {
    var i8: Int8, i16: Int16, i32: Int32, i64: Int64
    var u: UInt, u8: UInt8, u16: UInt16, u32: UInt32, u64: UInt64
    var float: Float
    var big: BigInteger
    var oi8: Int8?, oi16: Int16?, oi32: Int32?, oi64: Int64?
    var ou: UInt?, ou8: UInt8?, ou16: UInt16?, ou32: UInt32?, ou64: UInt64?
    var ofloat: Float?
    var lists: ([Int8], [UInt16], [UInt64], [Float])

    enum CodingKeys: String, CodingKey {
        case i8, i16, i32, i64, u, u8, u16, u32, u64, float, big, oi8, oi16, oi32, oi64, ou, ou8, ou16, ou32, ou64
        case ofloat, l0, l1, l2, l3
    }

    func encode(to encoder: any Encoder) throws {
        // As synthesized, but written out for the tuple.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(i8, forKey: .i8)
        try container.encode(i16, forKey: .i16)
        try container.encode(i32, forKey: .i32)
        try container.encode(i64, forKey: .i64)
        try container.encode(u, forKey: .u)
        try container.encode(u8, forKey: .u8)
        try container.encode(u16, forKey: .u16)
        try container.encode(u32, forKey: .u32)
        try container.encode(u64, forKey: .u64)
        try container.encode(float, forKey: .float)
        try container.encode(big, forKey: .big)
        try container.encodeIfPresent(oi8, forKey: .oi8)
        try container.encodeIfPresent(oi16, forKey: .oi16)
        try container.encodeIfPresent(oi32, forKey: .oi32)
        try container.encodeIfPresent(oi64, forKey: .oi64)
        try container.encodeIfPresent(ou, forKey: .ou)
        try container.encodeIfPresent(ou8, forKey: .ou8)
        try container.encodeIfPresent(ou16, forKey: .ou16)
        try container.encodeIfPresent(ou32, forKey: .ou32)
        try container.encodeIfPresent(ou64, forKey: .ou64)
        try container.encodeIfPresent(ofloat, forKey: .ofloat)
        try container.encode(lists.0, forKey: .l0)
        try container.encode(lists.1, forKey: .l1)
        try container.encode(lists.2, forKey: .l2)
        try container.encode(lists.3, forKey: .l3)
    }

    static let extremes = FixedWidth(
        i8: .min, i16: .min, i32: .min, i64: .min, u: .max, u8: .max, u16: .max, u32: .max, u64: .max,
        float: -.infinity, big: BigInteger("-123456789012345678901234567890")!, oi8: .max, oi16: .max, oi32: .max,
        oi64: .max, ou: 0, ou8: 0, ou16: 0, ou32: 0, ou64: .max, ofloat: .nan,
        lists: ([.min, 0, .max], [0, .max], [0, UInt64(Int64.max), UInt64(Int64.max) + 1, .max], [1.5, -0.0, .infinity]))
    static let small = FixedWidth(
        i8: -1, i16: 255, i32: 256, i64: 65_536, u: 1, u8: 7, u16: 65_535, u32: 1 << 31, u64: 1 << 32,
        float: 0.1, big: 5, oi8: nil, oi16: nil, oi32: nil, oi64: nil, ou: nil, ou8: nil, ou16: nil, ou32: nil,
        ou64: nil, ofloat: nil, lists: ([], [], [], []))
}

@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
private struct Wide: Encodable {
    var signed: Int128
    var unsigned: UInt128
    var optionalSigned: Int128?
    var optionalUnsigned: UInt128?
    var signedList: [Int128]
    var unsignedList: [UInt128]
    var byKey: [Int: Int128]
}

private struct Inner: Codable, Hashable {
    var name: String
    var values: [Int]
}

private struct Outer: Codable {
    var id: Int
    var inner: Inner
    var inners: [Inner]
    var optionalInner: Inner?
    var missingInner: Inner?
    var nested: [[Inner]]
}

private struct Empty: Codable, Hashable {}

private struct Arrays: Encodable {
    var cube: [[[Int]]]
    var strings: [String]
    var doubles: [Double]
    var bytes: [UInt8]
    var optionals: [Int?]
    var optionalStrings: [String?]
    var empty: [Int]
    var emptyStrings: [String]
    var emptyBytes: [UInt8]
    var emptyStructs: [Empty]
    var structs: [Empty]
    var nestedBytes: [[UInt8]]
    var contiguous: ContiguousArray<UInt8>
    var bools: [Bool]
    var floats: [Float]
    var int8s: [Int8]
    var optionalArray: [Int]?
    var arrayOfOptionalArrays: [[String]?]
}

private enum Level: Int, Codable, Hashable {
    case low = 1
    case high = 2
}

private enum Color: String, Codable, Hashable {
    case red, green
}

private indirect enum Shape: Codable {
    case circle(radius: Double)
    case pair(Int, Int)
    case empty
    case labelled(name: String, inner: Inner?)
    case nested(Shape?, [Shape])
}

private struct Enums: Encodable {
    var level: Level
    var color: Color
    var optionalColor: Color?
    var shape: Shape
    var shapes: [Shape]
    var levels: [Level]
    var byLevel: [Level: String]
    var byColor: [Color: Int]
}

private struct Dates: Encodable {
    var first: Date
    var second: Date?
    var missing: Date?
    var list: [Date]
    var epoch: Date
    var halfMicrosecond: Date
    var distantPast: Date
}

private let someDates = Dates(
    first: moment, second: otherMoment, missing: nil, list: [moment, moment, otherMoment],
    epoch: Date(timeIntervalSince1970: 0), halfMicrosecond: Date(timeIntervalSince1970: 0.0000005),
    distantPast: Date(timeIntervalSince1970: -62_135_596_800))  // 0001-01-01

private struct FoundationValues: Encodable {
    var data: Data
    var emptyData: Data
    var optionalData: Data?
    var dataList: [Data]
    var decimal: Decimal
    var decimals: [Decimal]
    var uuid: UUID
    var uuids: [UUID]
    var optionalUUID: UUID?
}

private struct Collections: Encodable {
    var set: Set<Int>
    var emptySet: Set<Int>
    var strings: Set<String>
    var setOfArrays: Set<[Int]>
    var setOfSets: Set<Set<Int>>
    var setOfStructs: Set<Flat>?  // nil: a set of dicts cannot be hashed
    var byName: [String: Int]
    var emptyDict: [String: Int]
    var nested: [Int: [Int: Int?]]
    var byNameOptional: [String: String?]
    var byLevel: [Level: Int]
    var byBool: [Bool: String]
    var byDouble: [Double: Int]
    var byOptional: [String?: Int]
    var byArray: [[Int]: String]
    var byUUID: [UUID: Bool]
    var byData: [Data: Int]
    var byDate: [Date: Int]
    var bySet: [Set<Int>: Int]
    var byInt8: [Int8: [String]]
    var deep: [String: [String: [String: Int]]]
}

private struct PythonValues: Encodable {
    var date: PythonDate
    var dates: [PythonDate]
    var naive: PythonDateTime
    var aware: PythonDateTime
    var folded: PythonDateTime
    var zoned: PythonDateTime
    var named: PythonDateTime
    var time: PythonTime
    var awareTime: PythonTime
    var foldedTime: PythonTime
    var delta: PythonTimeDelta
    var negativeDelta: PythonTimeDelta
    var zeroDelta: PythonTimeDelta
    var utc: PythonTimeZone
    var offsetZone: PythonTimeZone
    var zoneInfo: PythonTimeZone
    var ordered: PythonOrderedDict<String, Int>
    var orderedByInt: PythonOrderedDict<Int, [String]>
    var orderedByList: PythonOrderedDict<[Int], Inner>
    var emptyOrdered: PythonOrderedDict<String, Int>
    var nestedOrdered: PythonOrderedDict<String, PythonOrderedDict<String, Date>>
    var optionalDate: PythonDate?
}

private func somePythonValues() -> PythonValues {
    let plusTwo = PythonTimeZone.fixed(offset: PythonTimeDelta(seconds: 7200)!, name: nil)
    let est = PythonTimeZone.fixed(offset: PythonTimeDelta(seconds: -5 * 3600)!, name: "EST")
    let paris = PythonTimeZone.zoneInfo(key: "Europe/Paris")
    return PythonValues(
        date: PythonDate(year: 2024, month: 2, day: 29)!,
        dates: [PythonDate(year: 1, month: 1, day: 1)!, PythonDate(year: 9999, month: 12, day: 31)!],
        naive: PythonDateTime(year: 2020, month: 1, day: 2, hour: 3, minute: 4, second: 5, microsecond: 6)!,
        aware: PythonDateTime(year: 2020, month: 1, day: 2, hour: 3, timeZone: .utc)!,
        folded: PythonDateTime(year: 2021, month: 11, day: 7, hour: 1, minute: 30, fold: 1, timeZone: paris)!,
        zoned: PythonDateTime(year: 2021, month: 6, day: 1, timeZone: plusTwo)!,
        named: PythonDateTime(year: 2021, month: 6, day: 1, microsecond: 999_999, timeZone: est)!,
        time: PythonTime(hour: 12, minute: 30)!,
        awareTime: PythonTime(hour: 23, minute: 59, second: 59, microsecond: 1, timeZone: .utc)!,
        foldedTime: PythonTime(hour: 1, fold: 1, timeZone: est)!,
        delta: PythonTimeDelta(days: 1, seconds: 2, microseconds: 3)!,
        negativeDelta: PythonTimeDelta(days: -5, seconds: 10)!,
        zeroDelta: .zero,
        utc: .utc, offsetZone: plusTwo, zoneInfo: paris,
        ordered: PythonOrderedDict([("b", 2), ("a", 1), ("c", 3)]),
        orderedByInt: PythonOrderedDict([(3, ["x"]), (1, []), (2, ["y", "x"])]),
        orderedByList: PythonOrderedDict([([1, 2], Inner(name: "a", values: [1])), ([], Inner(name: "b", values: []))]),
        emptyOrdered: PythonOrderedDict(),
        nestedOrdered: PythonOrderedDict([("outer", PythonOrderedDict([("when", moment), ("then", otherMoment)]))]),
        optionalDate: PythonDate(year: 1970, month: 1, day: 1))
}

// MARK: - Python classes

private struct Item: Codable, PythonClass {
    static let pythonClass = PickleGlobal(module: "shop", name: "Item")
    var name: String
    var price: Int
    var tags: [String] = []
}

private struct Marker: Codable, PythonClass {
    static let pythonClass = PickleGlobal(module: "shop", name: "Marker")
}

private struct Celsius: Encodable, PythonClass {
    static let pythonClass = PickleGlobal(module: "units", name: "Celsius")
    var degrees: Double

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(degrees)
    }
}

private struct Vector: Encodable, PythonClass {
    static let pythonClass = PickleGlobal(module: "geometry.shapes", name: "Outer.Vector")
    var components: [Double]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for component in components { try container.encode(component) }
    }
}

/// A class renamed for Python 2 below protocol 3 (`builtins` becomes `__builtin__`).
private struct BuiltinObject: Encodable, PythonClass {
    static let pythonClass = PickleGlobal(module: "builtins", name: "object")
    var note: String
}

private struct Basket: Encodable, PythonClass {
    static let pythonClass = PickleGlobal(module: "shop", name: "Basket")
    var owner: String
    var items: [Item]
    var marker: Marker
    var optionalItem: Item?
    var optionalItems: [Item?]
    var temperature: Celsius
    var vector: Vector
    var byName: [String: Item]
}

private final class Gadget: Encodable, PythonClass {
    static let pythonClass = PickleGlobal(module: "shop", name: "Gadget")
    let name: String
    let parts: [Gadget]
    init(name: String, parts: [Gadget] = []) {
        self.name = name
        self.parts = parts
    }
}

private class Animal: Encodable {
    var name: String
    init(name: String) { self.name = name }
}

private final class Dog: Animal, PythonClass {
    static let pythonClass = PickleGlobal(module: "zoo", name: "Dog")
    var tricks: [String]
    init(name: String, tricks: [String]) {
        self.tricks = tricks
        super.init(name: name)
    }
    enum CodingKeys: String, CodingKey { case tricks }
    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tricks, forKey: .tricks)
        try super.encode(to: container.superEncoder())
    }
}

private final class Cat: Animal {
    var lives = 9
    enum CodingKeys: String, CodingKey { case lives }
    override func encode(to encoder: any Encoder) throws {
        try super.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lives, forKey: .lives)
    }
}

private struct Zoo: Encodable {
    var animals: [Animal]
    var star: Animal
    var optionalStar: Animal?
    var dogs: [Dog]
}

private struct WithPickleValue: Encodable {
    var kind: String
    var payload: PickleValue
    var again: PickleValue
    var list: [PickleValue]
    var optional: PickleValue?
    var byName: [String: PickleValue]
}

// MARK: - Custom encode(to:)

/// A keyed value with `count` distinct keys, `k0`…, whose values are of one kind.
private struct KeyedN: Encodable {
    enum Values { case ints, strings, structs, repeatedStrings, nones }
    var count: Int
    var values: Values
    /// Encode this key a second time at the end (its value replaces the first, in place).
    var repeatKey: Int? = nil

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        for index in 0..<count { try encodeValue(index, in: &container) }
        if let repeatKey { try encodeValue(repeatKey, in: &container, second: true) }
    }

    private func encodeValue(_ index: Int, in container: inout KeyedEncodingContainer<DynamicKey>, second: Bool = false) throws {
        let key = DynamicKey("k\(index)")
        switch values {
        case .ints: try container.encode(second ? -index : index, forKey: key)
        case .strings: try container.encode(second ? "again" : "value \(index)", forKey: key)
        case .structs: try container.encode(Inner(name: "n\(index % 7)", values: [index]), forKey: key)
        case .repeatedStrings: try container.encode("k\(index % 10)", forKey: key)
        case .nones: try container.encodeNil(forKey: key)
        }
    }
}

/// An unkeyed value of `count` elements, through the unkeyed container's own methods.
private struct UnkeyedN: Encodable {
    var count: Int
    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for index in 0..<count {
            switch index % 4 {
            case 0: try container.encode(index)
            case 1: try container.encode("s\(index % 50)")
            case 2: try container.encodeNil()
            default: try container.encode(Double(index) / 4)
            }
        }
    }
}

/// Its keys in one order or the other, by `flag`.
private struct Flippable: Encodable {
    var flag: Bool
    var x: String
    var y: String
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        if flag {
            try container.encode(x, forKey: "x")
            try container.encode(y, forKey: "y")
            try container.encode(moment, forKey: "when")
        } else {
            try container.encode(moment, forKey: "when")
            try container.encode(y, forKey: "y")
            try container.encode(x, forKey: "x")
        }
    }
}

/// Some keys only for some values, and in different places.
private struct Sometimes: Encodable {
    var index: Int
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        if index % 3 == 0 { try container.encode("extra \(index % 2)", forKey: "extra") }
        try container.encode(index, forKey: "index")
        if index % 4 == 1 { try container.encode([index], forKey: "list") }
        if index % 5 == 2 { try container.encode("extra 1", forKey: "late") }
        if index % 7 == 3 { try container.encode(index, forKey: "index") }  // the same key again
        if index % 2 == 0 { try container.encodeNil(forKey: "maybe") }
    }
}

/// The same key twice, with values the memo shares.
private struct SameKeyTwice: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode("first", forKey: "a")
        try container.encode("b value", forKey: "b")
        try container.encode(moment, forKey: "c")
        try container.encode("second", forKey: "a")  // replaces 'first', stays first
        try container.encode("first", forKey: "d")  // the replaced string again
        try container.encode(otherMoment, forKey: "c")
        var nested = container.nestedContainer(keyedBy: DynamicKey.self, forKey: "e")
        try nested.encode("lost", forKey: "x")
        try container.encode("b value", forKey: "e")  // replaces the nested dict
        try nested.encode("lost too", forKey: "y")  // into the dict no longer in the value
        try container.encode(["e", "b value"], forKey: "f")
        var list = container.nestedUnkeyedContainer(forKey: "f")  // replaces the list
        try list.encode("new list")
        try container.encodeNil(forKey: "b")
    }
}

/// `container(keyedBy:)` twice, with two key types, and `unkeyedContainer()` twice.
private struct TwoContainers: Encodable {
    enum FirstKeys: String, CodingKey { case a, b }
    enum SecondKeys: String, CodingKey { case b, c }
    var unkeyed: Bool
    func encode(to encoder: any Encoder) throws {
        if unkeyed {
            var first = encoder.unkeyedContainer()
            try first.encode("one")
            var second = encoder.unkeyedContainer()
            try second.encode("two")
            try first.encode("three")
            try second.encode(first.count)
            return
        }
        var first = encoder.container(keyedBy: FirstKeys.self)
        try first.encode("a1", forKey: .a)
        var second = encoder.container(keyedBy: SecondKeys.self)
        try second.encode("c2", forKey: .c)
        try first.encode("b1", forKey: .b)
        try second.encode("b2", forKey: .b)  // the same key as first's .b
    }
}

/// Nested keyed and unkeyed containers written in turn with their parents.
private struct Interleaved: Encodable {
    var tag: String
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(tag, forKey: "first")
        var nested = container.nestedContainer(keyedBy: DynamicKey.self, forKey: "nested")
        try nested.encode("n1", forKey: "a")
        var list = container.nestedUnkeyedContainer(forKey: "list")
        try list.encode(tag)
        try container.encode("after", forKey: "after")
        try nested.encode(tag, forKey: "b")
        try list.encode("l2")
        var deeper = nested.nestedUnkeyedContainer(forKey: "deeper")
        try container.encode(moment, forKey: "date")
        // In the output this `Date` comes before the one above, so it is the one that writes the
        // shared UTC zone.
        try deeper.encode(otherMoment)
        try list.encode(tag)
        var listNested = list.nestedContainer(keyedBy: DynamicKey.self)
        var listList = list.nestedUnkeyedContainer()
        try container.encode(tag, forKey: "last")
        try listNested.encode("after", forKey: "y")
        try listList.encode("l2")
        try nested.encode("after all", forKey: "c")
        try deeper.encode("n1")
        var nestedAgain = container.nestedContainer(keyedBy: DynamicKey.self, forKey: "nested2")
        var inner = nestedAgain.nestedContainer(keyedBy: DynamicKey.self, forKey: "inner")
        try container.encode("end", forKey: "end")
        try inner.encode(tag, forKey: "deep")
        try nestedAgain.encode(1, forKey: "one")
    }
}

/// The unkeyed container's nested containers, written in turn with it.
private struct InterleavedUnkeyed: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode("start")
        var keyed = container.nestedContainer(keyedBy: DynamicKey.self)
        var list = container.nestedUnkeyedContainer()
        try container.encode("middle")
        try keyed.encode("start", forKey: "start")
        try list.encode("middle")
        var listInList = list.nestedUnkeyedContainer()
        try container.encode(moment)
        try listInList.encode(otherMoment)
        try keyed.encode(container.count, forKey: "count")
        var keyedInList = list.nestedContainer(keyedBy: DynamicKey.self)
        try container.encode("end")
        try keyedInList.encode("end", forKey: "end")
        try listInList.encode(list.count)
    }
}

/// Every kind of `superEncoder`, some written to long after they were made.
private struct SuperEncoders: Encodable {
    let dictionary: [Int: String]
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        let early = container.superEncoder(forKey: "early")
        try container.encode("x", forKey: "plain")
        _ = container.superEncoder(forKey: "unused")
        let base = container.superEncoder()
        try container.encode(moment, forKey: "date")
        var earlyContainer = early.container(keyedBy: DynamicKey.self)
        // Before "date" in the output: this one writes the shared UTC zone.
        try earlyContainer.encode(otherMoment, forKey: "when")
        try earlyContainer.encode("x", forKey: "x")
        var baseSingle = base.singleValueContainer()
        try baseSingle.encode("replaced")
        try baseSingle.encode(42)
        try PythonDate(year: 2000, month: 1, day: 1)!.encode(to: container.superEncoder(forKey: "pythonDate"))
        try PickleValue.list(["plain", 1]).encode(to: container.superEncoder(forKey: "pickleValue"))
        try PythonOrderedDict([("a", 1), ("b", 2)]).encode(to: container.superEncoder(forKey: "ordered"))
        // Foundation's own encodings, through the encoder's containers.
        try moment.encode(to: container.superEncoder(forKey: "foundationDate"))
        try dictionary.encode(to: container.superEncoder(forKey: "dictionary"))
        try ["x", "plain"].encode(to: container.superEncoder(forKey: "array"))
        try Item(name: "x", price: 1).encode(to: container.superEncoder(forKey: "itemFields"))
        let overwritten = container.superEncoder(forKey: "overwritten")
        try container.encode(1, forKey: "overwritten")
        var lateList = overwritten.unkeyedContainer()
        try lateList.encode("late")
        var list = container.nestedUnkeyedContainer(forKey: "list")
        let elementSuper = list.superEncoder()
        try list.encode("next")
        _ = list.superEncoder()
        var elementContainer = elementSuper.container(keyedBy: DynamicKey.self)
        try elementContainer.encode("plain", forKey: "k")
        try Inner(name: "next", values: [1]).encode(to: list.superEncoder())
        let nestedSuper = elementContainer.superEncoder(forKey: "nestedSuper")
        try list.encode("end")
        var nestedSuperList = nestedSuper.unkeyedContainer()
        try nestedSuperList.encode("k")
        try nestedSuperList.encode(moment)
        let superOfSuper = nestedSuperList.superEncoder()
        var superOfSuperContainer = superOfSuper.container(keyedBy: DynamicKey.self)
        try superOfSuperContainer.encode(true, forKey: "deep")
        var single = superOfSuper.singleValueContainer()
        try single.encode("single after keyed")
    }
}

/// The single-value container used twice, at several depths.
private struct SingleTwice: Encodable {
    var inner: Bool
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(1)
        try container.encode("replaced")
        if inner {
            try container.encode([SingleTwice(inner: false), SingleTwice(inner: false)])
        } else {
            try container.encodeNil()
            try container.encode(moment)
        }
    }
}

/// A value that encodes nothing at all: an empty dict, as in JSONEncoder.
private struct Nothing: Encodable {
    func encode(to encoder: any Encoder) throws {}
}

private struct NothingObject: Encodable, PythonClass {
    static let pythonClass = PickleGlobal(module: "m", name: "Nothing")
    func encode(to encoder: any Encoder) throws {}
}

private struct Nothings: Encodable {
    var nothing = Nothing()
    var nothings = [Nothing(), Nothing()]
    var byName = ["a": Nothing()]
    var optional: Nothing? = Nothing()
    var object = NothingObject()
    var objects = [NothingObject(), NothingObject()]
    var empty = Empty()
}

/// Takes one kind of container, then another.
private struct ContainerSwitch: Encodable {
    enum Order: CaseIterable { case singleThenKeyed, keyedThenSingle, unkeyedThenKeyed, keyedThenUnkeyed, singleThenUnkeyed }
    var order: Order
    func encode(to encoder: any Encoder) throws {
        switch order {
        case .singleThenKeyed:
            var single = encoder.singleValueContainer()
            try single.encode("single")
            var keyed = encoder.container(keyedBy: DynamicKey.self)
            try keyed.encode("single", forKey: "keyed")
        case .keyedThenSingle:
            var keyed = encoder.container(keyedBy: DynamicKey.self)
            try keyed.encode("keyed", forKey: "keyed")
            var single = encoder.singleValueContainer()
            try single.encode("keyed")
            try keyed.encode("late", forKey: "late")
        case .unkeyedThenKeyed:
            var unkeyed = encoder.unkeyedContainer()
            try unkeyed.encode("unkeyed")
            var keyed = encoder.container(keyedBy: DynamicKey.self)
            try keyed.encode("unkeyed", forKey: "keyed")
            try unkeyed.encode("late")
        case .keyedThenUnkeyed:
            var keyed = encoder.container(keyedBy: DynamicKey.self)
            try keyed.encode("keyed", forKey: "keyed")
            var unkeyed = encoder.unkeyedContainer()
            try unkeyed.encode("keyed")
            try keyed.encode("late", forKey: "late")
        case .singleThenUnkeyed:
            var single = encoder.singleValueContainer()
            try single.encode(moment)
            var unkeyed = encoder.unkeyedContainer()
            try unkeyed.encode(moment)
        }
    }
}

private struct ContainerSwitchObject: Encodable, PythonClass {
    static let pythonClass = PickleGlobal(module: "m", name: "Switch")
    var order: ContainerSwitch.Order
    func encode(to encoder: any Encoder) throws { try ContainerSwitch(order: order).encode(to: encoder) }
}

/// Encodes some fields, then throws.
private struct ThrowsAfterFields: Encodable {
    var tag: String
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(1, forKey: "a")
        try container.encode(tag, forKey: "b")
        try container.encode(Inner(name: tag, values: [1, 2]), forKey: "c")
        try container.encode(moment, forKey: "d")
        throw ProbeError(tag: tag)
    }
}

private struct ThrowingObject: Encodable, PythonClass {
    static let pythonClass = PickleGlobal(module: "m", name: "Throwing")
    var tag: String
    func encode(to encoder: any Encoder) throws { try ThrowsAfterFields(tag: tag).encode(to: encoder) }
}

/// Swallows the errors of some of its fields with `try?`.
private struct Swallowing: Encodable {
    var bad: Date
    /// Made once: two equal dictionaries made apart may iterate in different orders.
    var dates: [String: Date]
    init(bad: Date) {
        self.bad = bad
        dates = ["a": moment, "b": bad, "c": otherMoment]
    }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode("before", forKey: "before")
        try? container.encode(bad, forKey: "bad")
        try? container.encode(ThrowsAfterFields(tag: "field"), forKey: "partial")
        try? container.encode([moment, bad], forKey: "array")
        try? container.encode(dates, forKey: "dict")
        try? container.encode(ThrowingObject(tag: "object"), forKey: "object")
        var nested = container.nestedContainer(keyedBy: DynamicKey.self, forKey: "nested")
        try nested.encode("kept", forKey: "kept")
        try? nested.encode(bad, forKey: "lost")
        try? nested.encode(ThrowsAfterFields(tag: "nested"), forKey: "kept")  // the old value stays
        // Through a superEncoder the fields written before the error stay.
        try? ThrowsAfterFields(tag: "super").encode(to: container.superEncoder(forKey: "super"))
        var list = container.nestedUnkeyedContainer(forKey: "list")
        try? list.encode(bad)
        try list.encode("after")
        try? list.encode(ThrowsAfterFields(tag: "element"))
        try? ThrowsAfterFields(tag: "element super").encode(to: list.superEncoder())
        try list.encode(list.count)
        try container.encode("after", forKey: "after")
        try? container.encode(ThrowsAfterFields(tag: "before"), forKey: "before")  // the old value stays
        var single = container.superEncoder(forKey: "single").singleValueContainer()
        try single.encode("kept")
        try? single.encode(bad)
        try? single.encode(ThrowsAfterFields(tag: "single"))
    }
}

/// The coding paths that `encode(to:)` sees, as a string.
private func describe(_ path: [any CodingKey]) -> String {
    path.map { key in "\(Swift.type(of: key))(\(key.stringValue),\(key.intValue.map(String.init) ?? "nil"))" }
        .joined(separator: "/")
}

/// Encodes the coding path it is encoded at.
private struct PathProbe: Encodable {
    func encode(to encoder: any Encoder) throws {
        let path = describe(encoder.codingPath)
        var container = encoder.singleValueContainer()
        try container.encode(path + " | " + describe(container.codingPath))
    }
}

/// A dictionary key or set element that encodes its coding path.
private struct PathKey: Hashable, Encodable {
    var id: Int
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode("\(id): " + describe(encoder.codingPath))
    }
}

private struct ProbeObject: Encodable, PythonClass {
    static let pythonClass = PickleGlobal(module: "m", name: "Probe")
    var probe = PathProbe()
}

/// The coding paths of containers, nested containers and superEncoders, and the unkeyed count.
private struct ContainerProbe: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(describe(container.codingPath), forKey: "keyed")
        try container.encode(PathProbe(), forKey: "probe")
        var nested = container.nestedContainer(keyedBy: DynamicKey.self, forKey: "nested")
        try nested.encode(describe(nested.codingPath), forKey: "path")
        try nested.encode(PathProbe(), forKey: "probe")
        var list = container.nestedUnkeyedContainer(forKey: "list")
        try list.encode(describe(list.codingPath))
        try list.encode(PathProbe())
        try list.encode(list.count)
        var listNested = list.nestedContainer(keyedBy: DynamicKey.self)
        try listNested.encode(describe(listNested.codingPath), forKey: "path")
        try listNested.encode([PathProbe(), PathProbe()], forKey: "probes")
        var listList = list.nestedUnkeyedContainer()
        try listList.encode(describe(listList.codingPath))
        try listList.encode(PathProbe())
        try list.encode(list.count)
        let superEncoder = container.superEncoder(forKey: "super")
        var superContainer = superEncoder.container(keyedBy: DynamicKey.self)
        try superContainer.encode(describe(superEncoder.codingPath), forKey: "encoder")
        try superContainer.encode(describe(superContainer.codingPath), forKey: "container")
        try superContainer.encode(PathProbe(), forKey: "probe")
        try PathProbe().encode(to: container.superEncoder())
        try PathProbe().encode(to: list.superEncoder())
        try list.encode(list.count)
        try container.encode(describe(encoder.codingPath), forKey: "encoder")
    }
}

private struct Probes: Encodable {
    var probe = PathProbe()
    var optionalProbe: PathProbe? = PathProbe()
    var probes = [PathProbe(), PathProbe()]
    var nestedProbes = [[PathProbe()], [], [PathProbe(), PathProbe()]]
    var optionalProbes: [PathProbe?] = [nil, PathProbe()]
    var byName = ["one": PathProbe()]
    var byInt = [7: PathProbe()]
    var byLevel = [Level.high: PathProbe()]
    var ordered = PythonOrderedDict([("a", PathProbe()), ("b", PathProbe())])
    var orderedByInt = PythonOrderedDict([(1, PathProbe())])
    var byKey = [PathKey(id: 1): PathProbe(), PathKey(id: 2): PathProbe()]
    var keys: Set<PathKey> = [PathKey(id: 3), PathKey(id: 4)]
    var object = ProbeObject()
    var container = ContainerProbe()
    var containers = [ContainerProbe()]
    var shape = ShapeWithProbe.pair(PathProbe(), label: PathProbe())
}

private enum ShapeWithProbe: Encodable {
    case pair(PathProbe, label: PathProbe)
}

/// Unicode keys that Swift calls equal but Python keeps apart.
private struct CanonicalKeys: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(1, forKey: DynamicKey("\u{E9}"))
        try container.encode(2, forKey: DynamicKey("e\u{301}"))
        try container.encode(3, forKey: DynamicKey("\u{C5}"))
        try container.encode(4, forKey: DynamicKey("\u{212B}"))  // ANGSTROM SIGN
        try container.encode(5, forKey: DynamicKey("A\u{30A}"))
        try container.encode(6, forKey: DynamicKey("\u{E9}"))  // really the same key: replaces 1
        try container.encode("\u{E9}", forKey: DynamicKey("values"))
        var nested = container.nestedUnkeyedContainer(forKey: DynamicKey("e\u{301}"))  // replaces 2
        try nested.encode("e\u{301}")
        try nested.encode("\u{E9}")
        try nested.encode("\u{212B}")
        try nested.encode("\u{C5}")
    }
}

/// Keeps a container past its `encode(to:)` (see `lateWritesThroughEscapedContainers`).
private final class Escapes {
    var keyed: KeyedEncodingContainer<DynamicKey>?
    var unkeyed: (any UnkeyedEncodingContainer)?
    var encoder: (any Encoder)?
}

private struct Escaper: Encodable {
    var box: Escapes
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode("a", forKey: "a")
        box.keyed = container
        box.unkeyed = container.nestedUnkeyedContainer(forKey: "list")
        box.encoder = encoder
    }
}

private struct LateWriter: Encodable {
    var box: Escapes
    func encode(to encoder: any Encoder) throws {
        try box.keyed?.encode("late", forKey: "late")
        try box.keyed?.encode("a again", forKey: "a")
        try box.unkeyed?.encode("late element")
        if var keyed = box.encoder?.container(keyedBy: DynamicKey.self) {
            try keyed.encode("through the encoder", forKey: "encoder")
        }
        var container = encoder.singleValueContainer()
        try container.encode("writer")
    }
}

private struct EscapePair: Encodable {
    var first: Escaper
    var second: LateWriter
    var third: [Escaper]
    var fourth: LateWriter
}

/// Changes a shared Python list after encoding it once.
private struct SharedMutation: Encodable {
    var shared: PickleList
    func encode(to encoder: any Encoder) throws {
        shared.elements = ["start"]
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(PickleValue.list(shared), forKey: "before")
        shared.append("appended")
        try container.encode(PickleValue.list(shared), forKey: "after")
    }
}

/// Keys that `Hashable` keeps apart and the encoding merges.
private struct LossyKey: Hashable, Encodable {
    var kept: Int
    var dropped: Int
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(kept)
    }
}

/// A key that encodes to a dict, which Python cannot hash.
private struct DictKey: Hashable, Encodable {
    var x: Int
}

// MARK: - Deep values

/// A value nested as deeply as wanted, with any leaf.
private indirect enum Chain: Encodable {
    case leaf(Leaf)
    case dict(Chain)
    case list(Chain)
    case object(Chain)
    case optional(Chain)
    case array(Chain)

    enum Kind { case dict, list, object, optional, array }

    static func make(_ pattern: [Kind], count: Int, leaf: Leaf) -> Chain {
        var chain = Chain.leaf(leaf)
        for level in 0..<count {
            switch pattern[level % pattern.count] {
            case .dict: chain = .dict(chain)
            case .list: chain = .list(chain)
            case .object: chain = .object(chain)
            case .optional: chain = .optional(chain)
            case .array: chain = .array(chain)
            }
        }
        return chain
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .leaf(let leaf):
            var container = encoder.singleValueContainer()
            try container.encode(leaf)
        case .dict(let next):
            var container = encoder.container(keyedBy: DynamicKey.self)
            try container.encode(next, forKey: "next")
        case .list(let next):
            var container = encoder.unkeyedContainer()
            try container.encode(next)
        case .object(let next):
            var container = encoder.singleValueContainer()
            try container.encode(ChainObject(next: next))
        case .optional(let next):
            var container = encoder.singleValueContainer()
            try container.encode(Optional(next))
        case .array(let next):
            var container = encoder.singleValueContainer()
            try container.encode([next])
        }
    }
}

private struct ChainObject: Encodable, PythonClass {
    static let pythonClass = PickleGlobal(module: "m", name: "Link")
    var next: Chain
}

/// The end of a ``Chain``: values whose own nesting differs.
private enum Leaf: Encodable {
    case int, string, date, namedZoneDateTime, zoneInfoDateTime, decimal, uuid, ordered, item, marker, bytes, set
    case tupleKeys, frozensetKeys, pickleValue, badDate, userError

    static let all: [Leaf] = [
        .int, .string, .date, .namedZoneDateTime, .zoneInfoDateTime, .decimal, .uuid, .ordered, .item, .marker,
        .bytes, .set, .tupleKeys, .frozensetKeys, .pickleValue, .badDate, .userError,
    ]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int: try container.encode(7)
        case .string: try container.encode("leaf")
        case .date: try container.encode(moment)
        case .namedZoneDateTime:
            let zone = PythonTimeZone.fixed(offset: PythonTimeDelta(seconds: 3600)!, name: "CET")
            try container.encode(PythonDateTime(year: 2000, month: 1, day: 1, timeZone: zone)!)
        case .zoneInfoDateTime:
            try container.encode(PythonDateTime(year: 2000, month: 1, day: 1, timeZone: .zoneInfo(key: "Europe/Paris"))!)
        case .decimal: try container.encode(Decimal(string: "1.5")!)
        case .uuid: try container.encode(UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!)
        case .ordered: try container.encode(PythonOrderedDict([("a", [1]), ("b", [])]))
        case .item: try container.encode(Item(name: "leaf", price: 1, tags: ["t"]))
        case .marker: try container.encode(Marker())
        case .bytes: try container.encode([UInt8]([1, 2, 3]))
        case .set: try container.encode(Set([1]))
        case .tupleKeys: try container.encode([[[1, 2], [3]]: 1])
        case .frozensetKeys: try container.encode([Set([1]): [Set([2])]])
        case .pickleValue:
            try container.encode(PickleValue.list([.tuple([.dict(["k": .set([.frozenset([1])])])]), .bytearray(PickleByteArray([1]))]))
        case .badDate: try container.encode(farFuture)
        case .userError: throw ProbeError(tag: "leaf")
        }
    }
}

private struct LateFailure: Encodable {
    var deep: Chain
    var late: Leaf
}

// MARK: - Random values

/// SplitMix64: a small, seedable generator.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random value: scalars of every kind, containers of the encoder's fast and generic paths, and
/// the containers' own methods.
private indirect enum RandomValue: Encodable {
    case int(Int), int8(Int8), int16(Int16), int32(Int32), int64(Int64)
    case uint(UInt), uint8(UInt8), uint16(UInt16), uint32(UInt32), uint64(UInt64)
    case double(Double), float(Float), bool(Bool), string(String), null
    case optional(RandomValue?)
    case array([RandomValue]), dict([String: RandomValue]), intDict([Int: RandomValue])
    case ints([Int]), strings([String]), doubles([Double]), bytes([UInt8]), optionalInts([Int?])
    case stringDict([String: String]), intIntDict([Int: Int?])
    case keyed([(String, RandomValue)]), unkeyed([RandomValue])
    case record(RandomRecord), object(RandomObject), date(Date), set(Set<Int>), big(BigInteger)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .keyed(let entries):
            var container = encoder.container(keyedBy: DynamicKey.self)
            for (name, value) in entries {
                let key = DynamicKey(name)
                switch value {
                case .int(let x): try container.encode(x, forKey: key)
                case .int8(let x): try container.encode(x, forKey: key)
                case .int16(let x): try container.encode(x, forKey: key)
                case .int32(let x): try container.encode(x, forKey: key)
                case .int64(let x): try container.encode(x, forKey: key)
                case .uint(let x): try container.encode(x, forKey: key)
                case .uint8(let x): try container.encode(x, forKey: key)
                case .uint16(let x): try container.encode(x, forKey: key)
                case .uint32(let x): try container.encode(x, forKey: key)
                case .uint64(let x): try container.encode(x, forKey: key)
                case .double(let x): try container.encode(x, forKey: key)
                case .float(let x): try container.encode(x, forKey: key)
                case .bool(let x): try container.encode(x, forKey: key)
                case .string(let x): try container.encode(x, forKey: key)
                case .null: try container.encodeNil(forKey: key)
                case .optional(.none): try container.encodeIfPresent(Int?.none, forKey: key)
                case .optional(.some(.string(let x))): try container.encodeIfPresent(x, forKey: key)
                case .optional(.some(.int8(let x))): try container.encodeIfPresent(x, forKey: key)
                case .optional(.some(.uint64(let x))): try container.encodeIfPresent(x, forKey: key)
                case .optional(.some(.double(let x))): try container.encodeIfPresent(x, forKey: key)
                case .optional(.some(let x)): try container.encodeIfPresent(x, forKey: key)
                case .unkeyed(let elements):
                    var nested = container.nestedUnkeyedContainer(forKey: key)
                    for element in elements { try nested.encode(element) }
                default: try container.encode(value, forKey: key)
                }
            }
        case .unkeyed(let elements):
            var container = encoder.unkeyedContainer()
            for value in elements {
                switch value {
                case .int(let x): try container.encode(x)
                case .int8(let x): try container.encode(x)
                case .int16(let x): try container.encode(x)
                case .int32(let x): try container.encode(x)
                case .int64(let x): try container.encode(x)
                case .uint(let x): try container.encode(x)
                case .uint8(let x): try container.encode(x)
                case .uint16(let x): try container.encode(x)
                case .uint32(let x): try container.encode(x)
                case .uint64(let x): try container.encode(x)
                case .double(let x): try container.encode(x)
                case .float(let x): try container.encode(x)
                case .bool(let x): try container.encode(x)
                case .string(let x): try container.encode(x)
                case .null: try container.encodeNil()
                case .keyed(let entries):
                    var nested = container.nestedContainer(keyedBy: DynamicKey.self)
                    for (name, element) in entries { try nested.encode(element, forKey: DynamicKey(name)) }
                default: try container.encode(value)
                }
            }
        default:
            var container = encoder.singleValueContainer()
            switch self {
            case .int(let x): try container.encode(x)
            case .int8(let x): try container.encode(x)
            case .int16(let x): try container.encode(x)
            case .int32(let x): try container.encode(x)
            case .int64(let x): try container.encode(x)
            case .uint(let x): try container.encode(x)
            case .uint8(let x): try container.encode(x)
            case .uint16(let x): try container.encode(x)
            case .uint32(let x): try container.encode(x)
            case .uint64(let x): try container.encode(x)
            case .double(let x): try container.encode(x)
            case .float(let x): try container.encode(x)
            case .bool(let x): try container.encode(x)
            case .string(let x): try container.encode(x)
            case .null: try container.encodeNil()
            case .optional(let x): try container.encode(x)
            case .array(let x): try container.encode(x)
            case .dict(let x): try container.encode(x)
            case .intDict(let x): try container.encode(x)
            case .ints(let x): try container.encode(x)
            case .strings(let x): try container.encode(x)
            case .doubles(let x): try container.encode(x)
            case .bytes(let x): try container.encode(x)
            case .optionalInts(let x): try container.encode(x)
            case .stringDict(let x): try container.encode(x)
            case .intIntDict(let x): try container.encode(x)
            case .record(let x): try container.encode(x)
            case .object(let x): try container.encode(x)
            case .date(let x): try container.encode(x)
            case .set(let x): try container.encode(x)
            case .big(let x): try container.encode(x)
            case .keyed, .unkeyed: break  // handled above
            }
        }
    }
}

private struct RandomRecord: Encodable {
    var a: Int
    var b: String?
    var c: [RandomValue]
    var d: Double
    var e: RandomValue?
}

private struct RandomObject: Encodable, PythonClass {
    static let pythonClass = PickleGlobal(module: "random", name: "Thing")
    var name: String
    var value: RandomValue
}

private struct RandomValues {
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(state: seed) }

    mutating func below(_ bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    static let stringPool = [
        "", "a", "k", "key", "name", "value", "é", "e\u{301}", "中文", "😀", "\u{10FFFF}", "\n\\\0\u{1A}\r",
        "\u{7F}\u{80}\u{FF}\u{100}", String(repeating: "x", count: 255), String(repeating: "y", count: 256),
        "latin1 \u{E9}\u{FF}", "k0", "k1",
    ]

    mutating func string() -> String {
        if chance(60) { return Self.stringPool[below(Self.stringPool.count)] }
        let alphabet = Array("abcxyz é中😀\n\\\0\u{1A}\u{301}")
        let count = chance(5) ? 200 + below(400) : below(12)
        return String((0..<count).map { _ in alphabet[below(alphabet.count)] })
    }

    mutating func int() -> Int {
        let boundaries = [
            0, 1, -1, 127, 128, 255, 256, -128, -129, -256, -257, 65_535, 65_536, -65_536, -65_537,
            Int(Int32.max), Int(Int32.min), Int(Int32.max) + 1, Int(Int32.min) - 1, Int.max, Int.min, Int.max - 1,
            Int.min + 1, 1 << 40, -(1 << 40), 1 << 62,
        ]
        if chance(50) { return boundaries[below(boundaries.count)] }
        let bits = Int(bitPattern: UInt(generator.next()))
        return bits >> below(64)
    }

    mutating func double() -> Double {
        let specials: [Double] = [
            0, -0.0, .infinity, -.infinity, .nan, -.nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            .leastNonzeroMagnitude, .leastNormalMagnitude, 0.1, 1e16, 1e22, -1.5, 123_456_789.125, Double(Int.max),
        ]
        if chance(40) { return specials[below(specials.count)] }
        if chance(50) { return Double(bitPattern: generator.next()) }
        return Double(int()) / Double(1 + below(1000))
    }

    mutating func value(depth: Int) -> RandomValue {
        let scalarKinds = 17
        let kinds = depth >= 4 ? scalarKinds : scalarKinds + 17
        switch below(kinds) {
        case 0: return .int(int())
        case 1: return .int8(Int8(truncatingIfNeeded: int()))
        case 2: return .int16(Int16(truncatingIfNeeded: int()))
        case 3: return .int32(Int32(truncatingIfNeeded: int()))
        case 4: return .int64(Int64(int()))
        case 5: return .uint(UInt(bitPattern: int()))
        case 6: return .uint8(UInt8(truncatingIfNeeded: int()))
        case 7: return .uint16(UInt16(truncatingIfNeeded: int()))
        case 8: return .uint32(UInt32(truncatingIfNeeded: int()))
        case 9: return .uint64(chance(30) ? .max : generator.next())
        case 10: return .double(double())
        case 11: return .float(chance(50) ? Float(double()) : Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())))
        case 12: return .bool(chance(50))
        case 13, 14: return .string(string())
        case 15: return .null
        case 16: return .date(Date(timeIntervalSince1970: Double(below(400_000_000_000)) / 100 - 1_000_000_000))
        case 17: return .optional(chance(30) ? nil : value(depth: depth + 1))
        case 18: return .array(elements(depth))
        case 19: return .dict(Dictionary(elements(depth).map { (string(), $0) }, uniquingKeysWith: { first, _ in first }))
        case 20: return .intDict(Dictionary(elements(depth).map { (int(), $0) }, uniquingKeysWith: { first, _ in first }))
        case 21: return .ints((0..<count()).map { _ in int() })
        case 22: return .strings((0..<count()).map { _ in string() })
        case 23: return .doubles((0..<count()).map { _ in double() })
        case 24: return .bytes((0..<(chance(10) ? 300 : count())).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        case 25: return .optionalInts((0..<count()).map { _ in chance(30) ? nil : int() })
        case 26:
            return .stringDict(Dictionary((0..<count()).map { _ in (string(), string()) }, uniquingKeysWith: { a, _ in a }))
        case 27:
            return .intIntDict(
                Dictionary((0..<count()).map { _ in (int(), chance(30) ? nil : int()) }, uniquingKeysWith: { a, _ in a }))
        case 28: return .keyed(elements(depth).map { (string(), $0) })
        case 29: return .unkeyed(elements(depth))
        case 30:
            return .record(
                RandomRecord(
                    a: int(), b: chance(50) ? nil : string(), c: elements(depth), d: double(),
                    e: chance(50) ? nil : value(depth: depth + 1)))
        case 31: return .object(RandomObject(name: string(), value: value(depth: depth + 1)))
        case 32: return .set(Set((0..<count()).map { _ in int() }))
        default:
            let magnitude = (0..<(1 + below(3))).map { _ in generator.next() }
            return .big(BigInteger(isNegative: chance(50), magnitude: magnitude))
        }
    }

    mutating func count() -> Int { chance(10) ? below(40) : below(6) }

    mutating func elements(_ depth: Int) -> [RandomValue] {
        (0..<count()).map { _ in value(depth: depth + 1) }
    }
}

// MARK: - Tests

@Suite("PickleEncoder: encode(_:) writes what encodeValue(_:) and Pickler.dumps write")
struct PickleEncoderDifferentialTests {
    @Test("Scalars and top-level values", arguments: 0...5)
    func topLevelValues(version: Int) throws {
        expectSameEncoding(0, protocol: version)
        expectSameEncoding(Int.min, protocol: version)
        expectSameEncoding(UInt64.max, protocol: version)
        expectSameEncoding(Int8.min, protocol: version)
        expectSameEncoding("", protocol: version)
        expectSameEncoding("text", protocol: version)
        expectSameEncoding(-0.0, protocol: version)
        expectSameEncoding(Double.nan, protocol: version)
        expectSameEncoding(Float.infinity, protocol: version)
        expectSameEncoding(true, protocol: version)
        expectSameEncoding(Int?.none, protocol: version)
        expectSameEncoding(String?.some("x"), protocol: version)
        expectSameEncoding(Inner?.none, protocol: version)
        expectSameEncoding([1, 2, 3], protocol: version)
        expectSameEncoding([UInt8]([1, 2, 3]), protocol: version)
        expectSameEncoding(Data([0, 255]), protocol: version)
        expectSameEncoding(moment, protocol: version)
        expectSameEncoding(Decimal(string: "-12.5")!, protocol: version)
        expectSameEncoding(PythonDate(year: 2000, month: 1, day: 1)!, protocol: version)
        expectSameEncoding(PythonTimeZone.utc, protocol: version)
        expectSameEncoding(PickleValue.tuple([1, "a"]), protocol: version)
        expectSameEncoding(Level.high, protocol: version)
        expectSameEncoding(Color.green, protocol: version)
        expectSameEncoding(Empty(), protocol: version)
        expectSameEncoding(Nothing(), protocol: version)
        expectSameEncoding(Marker(), protocol: version)
        expectSameEncoding(BigInteger("123456789012345678901234567890")!, protocol: version)
        expectSameEncoding(["a": 1], protocol: version)
        expectSameEncoding(Set(["a"]), protocol: version)
        expectSameEncoding(Int??.some(nil), protocol: version)
        expectSameEncoding([Int??.some(nil), nil, 1], protocol: version)
        expectSameEncoding([Inner?.none, Inner(name: "", values: [])], protocol: version)
    }

    @Test("Synthesized structs: flat, nested, arrays of structs", arguments: 0...5)
    func synthesizedStructs(version: Int) throws {
        let flat = Flat(
            int: 42, string: "hello", double: 2.5, bool: true, optionalInt: 1, optionalString: "s", optionalDouble: -0.0,
            optionalBool: false)
        let flatNil = Flat(
            int: -1, string: "", double: .infinity, bool: false, optionalInt: nil, optionalString: nil,
            optionalDouble: nil, optionalBool: nil)
        expectSameEncoding(flat, protocol: version)
        expectSameEncoding(flatNil, protocol: version)
        expectSameEncoding([flat, flatNil, flat], protocol: version)
        expectSameEncoding(FixedWidth.extremes, protocol: version)
        expectSameEncoding(FixedWidth.small, protocol: version)
        expectSameEncoding([FixedWidth.small, FixedWidth.extremes], protocol: version)
        if #available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *) {
            let wide = Wide(
                signed: .min, unsigned: .max, optionalSigned: nil, optionalUnsigned: 5,
                signedList: [0, -1, Int128(Int64.max) + 1, .max], unsignedList: [0, UInt128(UInt64.max) + 1],
                byKey: [1: .min])
            expectSameEncoding(wide, protocol: version)
        }
        let inner = Inner(name: "inner", values: [1, 2, 3])
        let outer = Outer(
            id: 1, inner: inner, inners: [inner, Inner(name: "other", values: []), inner], optionalInner: inner,
            missingInner: nil, nested: [[inner], [], [inner, inner]])
        expectSameEncoding(outer, protocol: version)
        expectSameEncoding([outer, outer], protocol: version)
        expectSameEncoding(Empty(), protocol: version)
        expectSameEncoding([Empty(), Empty()], protocol: version)
    }

    @Test("Arrays: nested, of strings, doubles, bytes, optionals, empty", arguments: 0...5)
    func arrays(version: Int) throws {
        let arrays = Arrays(
            cube: [[[1, 2], [3]], [], [[], [4, 5, 6]]], strings: ["a", "b", "a", ""], doubles: [1.5, -0.0, .nan, .infinity],
            bytes: [0, 1, 127, 128, 255], optionals: [1, nil, 3, nil], optionalStrings: [nil, "x"], empty: [],
            emptyStrings: [], emptyBytes: [], emptyStructs: [], structs: [Empty(), Empty()],
            nestedBytes: [[], [1], [1, 2], [0x61]], contiguous: [1, 2, 3],
            bools: [true, false], floats: [0.5, .nan], int8s: [-128, 127], optionalArray: [9],
            arrayOfOptionalArrays: [nil, ["s"], []])
        expectSameEncoding(arrays, protocol: version)
        expectSameEncoding([[[Int]]](), protocol: version)
        expectSameEncoding([[[1]], [[2, 3], []]], protocol: version)
        expectSameEncoding([[UInt8]]([[1, 2], [1, 2]]), protocol: version)
        expectSameEncoding([Int?]([nil, nil]), protocol: version)
        expectSameEncoding([String]([]), protocol: version)
        expectSameEncoding([Double]([]), protocol: version)
    }

    @Test("Enums with raw values and with associated values", arguments: 0...5)
    func enums(version: Int) throws {
        let enums = Enums(
            level: .low, color: .red, optionalColor: nil,
            shape: .nested(.circle(radius: 2), [.pair(1, 2), .empty, .labelled(name: "n", inner: nil)]),
            shapes: [.circle(radius: 1), .pair(3, 4), .empty, .labelled(name: "m", inner: Inner(name: "i", values: [1]))],
            levels: [.high, .low, .high], byLevel: [.low: "low", .high: "high"], byColor: [.red: 1, .green: 2])
        expectSameEncoding(enums, protocol: version)
        expectSameEncoding(Shape.nested(nil, []), protocol: version)
    }

    @Test("Date with each encoding strategy", arguments: 0...5)
    func dates(version: Int) throws {
        for strategy in [PickleEncoder.DateEncodingStrategy.datetimeUTC, .naiveDatetimeUTC, .secondsSince1970] {
            let settings = Settings(dateStrategy: strategy)
            expectSameEncoding(someDates, protocol: version, settings: settings, "\(strategy)")
            expectSameEncoding(moment, protocol: version, settings: settings, "\(strategy)")
            expectSameEncoding([moment, moment], protocol: version, settings: settings, "\(strategy)")
            expectSameEncoding(
                farFuture, protocol: version, settings: settings, expecting: strategy == .secondsSince1970 ? .success : .failure,
                "\(strategy)")
        }
    }

    @Test("Data, Decimal, UUID", arguments: 0...5)
    func foundationValues(version: Int) throws {
        let uuid = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!
        let values = FoundationValues(
            data: Data([1, 2, 3, 0x80]), emptyData: Data(), optionalData: nil, dataList: [Data([1, 2, 3, 0x80]), Data([9])],
            decimal: Decimal(string: "3.14159")!,
            decimals: [Decimal(0), Decimal(string: "-1e-30")!, Decimal.nan, Decimal(string: "79228162514264337593543950335")!],
            uuid: uuid, uuids: [uuid, UUID(uuidString: "00000000-0000-0000-0000-000000000000")!], optionalUUID: uuid)
        expectSameEncoding(values, protocol: version)
    }

    @Test("Sets and dictionaries of every key kind", arguments: 0...5)
    func collections(version: Int) throws {
        let uuid = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!
        let collections = Collections(
            set: [3, 1, 2, 1000, -5], emptySet: [], strings: ["a", "b", "é"], setOfArrays: [[1, 2], [], [3]],
            setOfSets: [[1], [], [2, 3]], setOfStructs: nil, byName: ["one": 1, "two": 2, "three": 3], emptyDict: [:],
            nested: [1: [2: 3, 4: nil], 5: [:], 6: [7: nil]], byNameOptional: ["a": nil, "b": "b"],
            byLevel: [.low: 1, .high: 2], byBool: [true: "t", false: "f"], byDouble: [0.5: 1, -0.0: 2, .infinity: 3],
            byOptional: [nil: 0, "x": 1], byArray: [[1, 2]: "pair", []: "none"], byUUID: [uuid: true],
            byData: [Data([1]): 1, Data(): 0], byDate: [moment: 1, otherMoment: 2], bySet: [[1, 2]: 1, []: 0],
            byInt8: [-1: ["a"], 1: []], deep: ["a": ["b": ["c": 1]], "d": [:]])
        expectSameEncoding(collections, protocol: version)
        expectSameEncoding([String: Int](), protocol: version)
        expectSameEncoding([1: [2: Int?.none]], protocol: version)
        let flat = Flat(
            int: 1, string: "", double: 0, bool: true, optionalInt: nil, optionalString: nil, optionalDouble: nil,
            optionalBool: nil)
        // A set element or a dict key that encodes to a dict is an error.
        expectSameEncoding(Set([flat]), protocol: version, expecting: .failure)
        expectSameEncoding([DictKey(x: 1): 1], protocol: version, expecting: .failure)
    }

    @Test("PythonDate, PythonDateTime, PythonTime, PythonTimeDelta, PythonTimeZone, PythonOrderedDict", arguments: 0...5)
    func pythonValues(version: Int) throws {
        let values = somePythonValues()
        expectSameEncoding(values, protocol: version)
        expectSameEncoding([values, values], protocol: version)
        expectSameEncoding(values.ordered, protocol: version)
        expectSameEncoding(values.orderedByList, protocol: version)
    }

    @Test("Python classes: structs, classes, subclasses, single-value and unkeyed state", arguments: 0...5)
    func pythonClasses(version: Int) throws {
        let item = Item(name: "pen", price: 3, tags: ["blue", "pen"])
        let basket = Basket(
            owner: "pen", items: [item, Item(name: "cup", price: 2)], marker: Marker(), optionalItem: nil,
            optionalItems: [item, nil], temperature: Celsius(degrees: 21.5), vector: Vector(components: [1, 2]),
            byName: ["pen": item])
        expectSameEncoding(item, protocol: version)
        expectSameEncoding(basket, protocol: version)
        expectSameEncoding([basket, basket], protocol: version)
        expectSameEncoding(Marker(), protocol: version)
        expectSameEncoding([Marker(), Marker()], protocol: version)
        expectSameEncoding(Celsius(degrees: -1), protocol: version)
        expectSameEncoding(Vector(components: []), protocol: version)
        expectSameEncoding(BuiltinObject(note: "builtins"), protocol: version)
        expectSameEncoding([Item?.none, item], protocol: version)
        let gadget = Gadget(name: "root", parts: [Gadget(name: "leaf"), Gadget(name: "leaf", parts: [Gadget(name: "x")])])
        expectSameEncoding(gadget, protocol: version)
        let dog = Dog(name: "Rex", tricks: ["sit", "Rex"])
        let zoo = Zoo(
            animals: [dog, Animal(name: "generic"), Cat(name: "Tom"), dog], star: dog, optionalStar: Cat(name: "Rex"),
            dogs: [dog])
        expectSameEncoding(zoo, protocol: version)
        expectSameEncoding(dog as Animal, protocol: version)
        expectSameEncoding([dog] as [Animal], protocol: version)
    }

    @Test("PickleValue fields: shared and recursive containers, every kind of value", arguments: 0...5)
    func pickleValueFields(version: Int) throws {
        let shared = PickleList([1, "shared"])
        let sharedDict: PickleValue = ["k": .list(shared)]
        let cycle = PickleList(["cycle"])
        cycle.append(.list(cycle))
        let object = PickleObject(newInstanceOf: PickleGlobal(module: "m", name: "C"), state: ["kind": "x"])
        object.state = ["kind": "x", "me": .object(object)]
        let bytearray = PickleByteArray([1, 2, 3])
        let everything: PickleValue = .tuple([
            .none, true, 1, .bigInt(BigInteger("-99999999999999999999999")!), 1.5, .complex(real: 1, imaginary: -0.0),
            "kind", .surrogateString(SurrogateString(codePoints: [0x61, 0xD800])!), .bytes([1, 2]), .tuple([]),
            .frozenset(PickleFrozenSet([1, 2])), .global(PickleGlobal(module: "builtins", name: "len")), .list(shared),
            sharedDict, .set(PickleSet(["a"])), .bytearray(bytearray), .bytearray(bytearray), .object(object),
            .list(cycle), .bytes([1, 2]),
        ])
        let value = WithPickleValue(
            kind: "kind", payload: everything, again: .list(shared), list: [sharedDict, .list(cycle), everything],
            optional: .object(object), byName: ["kind": sharedDict, "x": .bytearray(bytearray)])
        expectSameEncoding(value, protocol: version)
        expectSameEncoding(everything, protocol: version)
        expectSameEncoding(PickleValue.list(cycle), protocol: version)
    }

    @Test("Repeated strings, bytes and dates: the memo's references", arguments: 0...5)
    func memoReferences(version: Int) throws {
        struct Person: Encodable {
            var name: String
            var city: String
            var tags: [String]
            var attributes: [String: String]
            var letter: [UInt8]
            var initial: String
            var when: Date
        }
        let names = ["name", "city", "Ada", "é", "e\u{301}"]
        let people = (0..<60).map { index in
            Person(
                name: names[index % names.count], city: names[(index + 1) % 3], tags: [names[index % 2], "tags", "city"],
                attributes: ["name": names[index % 4], "tags": "name"], letter: [UInt8(ascii: "a") + UInt8(index % 3)],
                initial: ["a", "b", "c", "d"][index % 4], when: index % 2 == 0 ? moment : otherMoment)
        }
        expectSameEncoding(people, protocol: version)
        // More than 256 memo entries, then references to all of them (LONG_BINGET).
        let distinct = (0..<600).map { "s\($0)" }
        expectSameEncoding([distinct, distinct, distinct.reversed()], protocol: version)
        expectSameEncoding([(0..<600).map { [UInt8]([UInt8($0 % 256), UInt8($0 / 256)]) }, [[1, 2], [1, 2]]], protocol: version)

        struct Times: Encodable {
            var first: Date
            var second: Date
            var dateTime: PythonDateTime
            var time: PythonTime
            var zone: PythonTimeZone
            var namedUTC: PythonTimeZone
            var byDate: [Date: Int]
            var dates: Set<Date>
            var nested: [[Date]]
            var optional: Date?
        }
        let times = Times(
            first: moment, second: moment, dateTime: PythonDateTime(year: 2000, month: 1, day: 1, timeZone: .utc)!,
            time: PythonTime(hour: 1, timeZone: .utc)!, zone: .utc,
            namedUTC: .fixed(offset: .zero, name: "UTC"), byDate: [moment: 1, otherMoment: 2],
            dates: [moment, otherMoment], nested: [[moment], [otherMoment, moment]], optional: moment)
        expectSameEncoding(times, protocol: version)
        expectSameEncoding([moment, moment], protocol: version)
        expectSameEncoding([PythonTimeZone.utc, .utc], protocol: version)
        // A single-byte `bytes` below protocol 3 is a one-character str, shared with that str.
        expectSameEncoding(["a", "\u{FF}"] as [PickleValue] + [.bytes([0x61]), .bytes([0xFF]), "a"], protocol: version)
        struct Mixed: Encodable {
            var a: [UInt8]
            var b: String
            var c: Data
            var d: [UInt8]
            var e: String
        }
        expectSameEncoding(Mixed(a: [0x61], b: "a", c: Data([0x61]), d: [0x62, 0x63], e: "bc"), protocol: version)
        expectSameEncoding(Mixed(a: [0xE9], b: "\u{E9}", c: Data([0xE9, 0xE9]), d: [0xE9, 0xE9], e: "\u{E9}\u{E9}"), protocol: version)
    }

    @Test("Batching: containers of 0, 1, 2, 999, 1000, 1001, 2000 and 2001 items", arguments: [0, 1, 2, 999, 1000, 1001, 2000, 2001])
    func batchSizes(count: Int) throws {
        let ints = Array(0..<count)
        let strings = (0..<count).map { "s\($0)" }
        let optionals: [Int?] = (0..<count).map { $0 % 3 == 0 ? nil : $0 }
        let structs = (0..<count).map { Inner(name: "n\($0 % 5)", values: []) }
        let set = Set(ints)
        let byInt = Dictionary(uniqueKeysWithValues: ints.map { ($0, -$0) })
        let byName = Dictionary(uniqueKeysWithValues: strings.map { ($0, $0) })
        let ordered = PythonOrderedDict(strings.map { ($0, 1) })
        let bytes = payload(count)
        let item = Item(name: "many", price: count, tags: strings)
        for version in 0...5 {
            expectSameEncoding(ints, protocol: version, "[Int] of \(count)")
            expectSameEncoding(strings, protocol: version, "[String] of \(count)")
            expectSameEncoding(optionals, protocol: version, "[Int?] of \(count)")
            expectSameEncoding(structs, protocol: version, "[Inner] of \(count)")
            expectSameEncoding(UnkeyedN(count: count), protocol: version, "unkeyed container of \(count)")
            expectSameEncoding(KeyedN(count: count, values: .ints), protocol: version, "\(count) keys with ints")
            expectSameEncoding(KeyedN(count: count, values: .strings), protocol: version, "\(count) keys with strings")
            expectSameEncoding(
                KeyedN(count: count, values: .repeatedStrings), protocol: version, "\(count) keys with repeated strings")
            expectSameEncoding(KeyedN(count: count, values: .nones), protocol: version, "\(count) keys with None")
            if count > 0 {
                expectSameEncoding(
                    KeyedN(count: count, values: .ints, repeatKey: count / 2), protocol: version,
                    "\(count) keys, one encoded twice")
                expectSameEncoding(
                    KeyedN(count: count + 1, values: .strings, repeatKey: 0), protocol: version,
                    "\(count + 1) keys, the first encoded twice")
            }
            expectSameEncoding(set, protocol: version, "Set of \(count)")
            expectSameEncoding(byInt, protocol: version, "[Int: Int] of \(count)")
            expectSameEncoding(byName, protocol: version, "[String: String] of \(count)")
            expectSameEncoding(ordered, protocol: version, "PythonOrderedDict of \(count)")
            expectSameEncoding(bytes, protocol: version, "[UInt8] of \(count)")
            expectSameEncoding(item, protocol: version, "a Python class with a list of \(count)")
        }
        if count >= 999 {
            for version in 0...5 {
                expectSameEncoding(
                    KeyedN(count: count, values: .structs), protocol: version, "\(count) keys with structs")
            }
        }
    }

    @Test("Frames: a first string of 65,000 to 70,000 characters, then more fields", arguments: 0...5)
    func framesAroundLargeFirstValues(version: Int) throws {
        struct BigFirst: Encodable {
            var text: String
            var number: Int
            var more: [String]
            var inner: Inner
            var again: String
        }
        for length in [65_000, 65_530, 65_536, 70_000] {
            let big = text(length)
            let value = BigFirst(
                text: big, number: length, more: ["a", "b", big], inner: Inner(name: "a", values: [1]), again: "text")
            expectSameEncoding(value, protocol: version, "first string of \(length)")
            expectSameEncoding([value, value], protocol: version, "first string of \(length), twice")
            let wide = String(repeating: "é", count: length / 2)
            expectSameEncoding(
                BigFirst(text: wide, number: 1, more: [], inner: Inner(name: wide, values: []), again: "é"),
                protocol: version, "first string of \(length / 2) two-byte characters")
        }
        // A dict whose first value is a nested struct of more than 64 KiB, then more items.
        struct LargeNested: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: DynamicKey.self)
                try container.encode(KeyedN(count: 70, values: .strings), forKey: "small")
                let fields = (0..<70).map { text(1000, seed: $0) }
                try container.encode(fields, forKey: "fields")
                var nested = container.nestedContainer(keyedBy: DynamicKey.self, forKey: "nested")
                for index in 0..<70 { try nested.encode(text(1000, seed: index + 100), forKey: DynamicKey("f\(index)")) }
                try container.encode("after", forKey: "after")
                try container.encode(fields[0], forKey: "repeat")
            }
        }
        struct Holder: Encodable {
            var first: LargeNested
            var second: [String]
            var third: Int
        }
        expectSameEncoding(LargeNested(), protocol: version)
        expectSameEncoding(Holder(first: LargeNested(), second: ["x"], third: 3), protocol: version)
        // Many small values over several frames.
        expectSameEncoding((0..<5000).map { text(50, seed: $0) }, protocol: version, "5000 strings of 50")
        expectSameEncoding(
            (0..<3000).map { Inner(name: text(20, seed: $0), values: [$0, -$0]) }, protocol: version, "3000 structs")
        expectSameEncoding(KeyedN(count: 4000, values: .strings), protocol: version, "4000 keys")
    }

    @Test("Frames: the first item makes the frame reach 64 KiB", arguments: [4, 5])
    func frameBoundarySweep(version: Int) throws {
        struct First: Encodable {
            var text: String
            var after: Int
            var tail: [String]
        }
        struct Second: Encodable {
            var small: String
            var text: String
            var after: String
        }
        struct BytesFirst: Encodable {
            var bytes: [UInt8]
            var after: String
            var data: Data
        }
        struct NestedFirst: Encodable {
            var inner: Second
            var after: [Int]
        }
        struct ObjectFirst: Encodable, PythonClass {
            static let pythonClass = PickleGlobal(module: "m", name: "Big")
            var text: String
            var after: Int
        }
        for length in 65_500...65_540 {
            let big = text(length)
            let label = "length \(length)"
            expectSameEncoding(First(text: big, after: 1, tail: ["a", "tail"]), protocol: version, label)
            expectSameEncoding(Second(small: "s", text: big, after: "s"), protocol: version, label)
            expectSameEncoding(
                BytesFirst(bytes: payload(length), after: "a", data: Data(payload(8))), protocol: version, label)
            expectSameEncoding(NestedFirst(inner: Second(small: "x", text: big, after: "y"), after: [1, 2]), protocol: version, label)
            expectSameEncoding([big, "x", "y"], protocol: version, label)
            expectSameEncoding(ObjectFirst(text: big, after: 2), protocol: version, label)
            expectSameEncoding(["k": big], protocol: version, label)
            let wide = String(repeating: "é", count: length / 2) + (length % 2 == 1 ? "x" : "")
            expectSameEncoding(First(text: wide, after: 1, tail: []), protocol: version, label + " in two-byte characters")
        }
    }

    @Test("Payloads of 1 MiB, first and later", arguments: 0...5)
    func largePayloads(version: Int) throws {
        struct BytesFirst: Encodable {
            var bytes: [UInt8]
            var after: String
            var more: [Int]
        }
        struct BytesLater: Encodable {
            var before: String
            var list: [String]
            var bytes: [UInt8]
            var data: Data
            var after: String
        }
        struct DataFirst: Encodable {
            var data: Data
            var after: String
        }
        struct Holder: Encodable, PythonClass {
            static let pythonClass = PickleGlobal(module: "m", name: "Blob")
            var name: String
            var blob: [UInt8]
        }
        // Payloads of 1 MiB or more are spliced into the output apart from the rest of it; one byte
        // less is not.
        let size = (1 << 20) + 1
        let bytes = payload(size, seed: 1)
        let data = Data(bytes)
        let small = payload(10)
        expectSameEncoding(BytesFirst(bytes: bytes, after: "after", more: [1]), protocol: version, "first")
        // The same payload twice, as [UInt8] then as Data: the second is a memo reference.
        expectSameEncoding(BytesLater(before: "b", list: ["b"], bytes: bytes, data: data, after: "b"), protocol: version, "twice")
        // Below protocol 3 `bytes` is a latin-1 str, slow to write in a debug build: the two above suffice.
        guard version >= 3 else { return }
        expectSameEncoding(
            BytesLater(before: "before", list: ["before"], bytes: bytes, data: Data(small), after: "before"),
            protocol: version, "later")
        expectSameEncoding(DataFirst(data: data, after: "x"), protocol: version, "Data first")
        expectSameEncoding(BytesLater(before: "b", list: [], bytes: small, data: data, after: "b"), protocol: version, "Data later")
        let other = payload(size, seed: 2)
        expectSameEncoding([Holder(name: "a", blob: bytes), Holder(name: "b", blob: other)], protocol: version, "in objects")
        expectSameEncoding([bytes: "as a key"], protocol: version, "as a dict key")
        for boundary in [(1 << 20) - 1, 1 << 20] {
            let bytes = Array(bytes[..<boundary])
            expectSameEncoding(BytesFirst(bytes: bytes, after: "after", more: []), protocol: version, "\(boundary) bytes first")
            expectSameEncoding(
                BytesLater(before: "b", list: ["b"], bytes: bytes, data: Data(small), after: "b"), protocol: version,
                "\(boundary) bytes later")
        }
    }

    @Test("Custom encode(to:): the same key twice, key order by instance, conditional keys", arguments: 0...5)
    func customKeyedEncodings(version: Int) throws {
        expectSameEncoding(SameKeyTwice(), protocol: version)
        expectSameEncoding([SameKeyTwice(), SameKeyTwice()], protocol: version)
        let flipped = [
            Flippable(flag: true, x: "x", y: "y"), Flippable(flag: false, x: "x", y: "y"),
            Flippable(flag: true, x: "y", y: "x"), Flippable(flag: false, x: "when", y: "x"),
        ]
        expectSameEncoding(flipped, protocol: version)
        // One order in one call, the other in the next.
        expectSameEncoding(flipped[0], protocol: version)
        expectSameEncoding(flipped[1], protocol: version)
        expectSameEncoding(flipped[0], protocol: version)
        expectSameEncoding(["a": flipped[1]], protocol: version)
        expectSameEncoding((0..<40).map(Sometimes.init), protocol: version)
        for index in 0..<8 { expectSameEncoding(Sometimes(index: index), protocol: version, "Sometimes(\(index))") }
        expectSameEncoding(TwoContainers(unkeyed: false), protocol: version)
        expectSameEncoding(TwoContainers(unkeyed: true), protocol: version)
        expectSameEncoding([TwoContainers(unkeyed: false), TwoContainers(unkeyed: true)], protocol: version)
        expectSameEncoding(CanonicalKeys(), protocol: version)
        expectSameEncoding([CanonicalKeys(), CanonicalKeys()], protocol: version)
    }

    @Test("Custom encode(to:): nested containers written in turn with their parents", arguments: 0...5)
    func interleavedContainers(version: Int) throws {
        expectSameEncoding(Interleaved(tag: "tag"), protocol: version)
        expectSameEncoding([Interleaved(tag: "first"), Interleaved(tag: "after")], protocol: version)
        expectSameEncoding(InterleavedUnkeyed(), protocol: version)
        expectSameEncoding(["k": [InterleavedUnkeyed()]], protocol: version)
    }

    @Test("Custom encode(to:): superEncoder of keyed and unkeyed containers", arguments: 0...5)
    func superEncoders(version: Int) throws {
        let value = SuperEncoders(dictionary: [1: "a", 2: "b"])
        expectSameEncoding(value, protocol: version)
        expectSameEncoding([value, value], protocol: version)
        expectSameEncoding(Dog(name: "Rex", tricks: ["sit"]), protocol: version)
    }

    @Test("Custom encode(to:): single-value container twice, nothing encoded, one container then another", arguments: 0...5)
    func unusualContainerUse(version: Int) throws {
        expectSameEncoding(SingleTwice(inner: true), protocol: version)
        expectSameEncoding(SingleTwice(inner: false), protocol: version)
        expectSameEncoding(["a": SingleTwice(inner: true)], protocol: version)
        expectSameEncoding(Nothing(), protocol: version)
        expectSameEncoding([Nothing(), Nothing()], protocol: version)
        expectSameEncoding(NothingObject(), protocol: version)
        expectSameEncoding(Nothings(), protocol: version)
        for order in ContainerSwitch.Order.allCases {
            expectSameEncoding(ContainerSwitch(order: order), protocol: version, "\(order)")
            expectSameEncoding([ContainerSwitch(order: order), ContainerSwitch(order: order)], protocol: version, "\(order)")
            expectSameEncoding(ContainerSwitchObject(order: order), protocol: version, "\(order) as a Python class")
        }
    }

    @Test("Custom encode(to:): errors swallowed with try?", arguments: 0...5)
    func swallowedErrors(version: Int) throws {
        expectSameEncoding(Swallowing(bad: farFuture), protocol: version)
        expectSameEncoding([Swallowing(bad: farPast), Swallowing(bad: farFuture)], protocol: version)
        // With dates as floats nothing fails.
        expectSameEncoding(Swallowing(bad: farFuture), protocol: version, settings: Settings(dateStrategy: .secondsSince1970))
    }

    @Test("The coding paths and counts that encode(to:) sees", arguments: 0...5)
    func codingPaths(version: Int) throws {
        expectSameEncoding(Probes(), protocol: version)
        expectSameEncoding([Probes()], protocol: version)
        expectSameEncoding(PathProbe(), protocol: version)
        expectSameEncoding(ContainerProbe(), protocol: version)
        struct UserInfoProbe: Encodable {
            static let key = CodingUserInfoKey(rawValue: "probe")!
            func encode(to encoder: any Encoder) throws {
                var container = encoder.unkeyedContainer()
                try container.encode(encoder.userInfo[Self.key] as? String ?? "none")
                try container.encode(container.superEncoder().userInfo[Self.key] as? String ?? "none")
            }
        }
        expectSameEncoding([UserInfoProbe()], protocol: version, settings: Settings(userInfo: [UserInfoProbe.key: "info"]))
    }

    @Test("Errors: dates out of range, user errors, invalid values", arguments: 0...5)
    func errors(version: Int) throws {
        struct DateField: Encodable {
            var name = "x"
            var date: Date
        }
        struct DeepDate: Encodable {
            var list: [[String: [DateField]]]
        }
        struct Wrapper: Encodable {
            var before: [String]
            var failing: ThrowsAfterFields
            var after: String
        }
        struct BadZone: Encodable {
            var zone: PythonTimeZone
        }
        struct NonASCIIClass: Encodable, PythonClass {
            static let pythonClass = PickleGlobal(module: "sh\u{F6}p", name: "Item")
            var x = 1
        }
        struct InvalidNameClass: Encodable, PythonClass {
            static let pythonClass = PickleGlobal(module: "m", name: "a..b")
            var x = 1
        }
        struct DatedObject: Encodable, PythonClass {
            static let pythonClass = PickleGlobal(module: "m", name: "Dated")
            var date: Date
        }
        struct NewlineClass: Encodable, PythonClass {
            static let pythonClass = PickleGlobal(module: "m\nn", name: "a")
        }
        let cases: [(String, any Encodable)] = [
            ("a date after 9999", farFuture),
            ("a date before 1", farPast),
            ("a date field", DateField(date: farFuture)),
            ("a date deep inside", DeepDate(list: [["a": [DateField(date: moment)]], ["b": [DateField(date: moment), DateField(date: farPast)]]])),
            ("a date in an array", [moment, moment, farFuture]),
            ("a date as a dict value", ["a": farFuture]),
            ("a date as a dict key", [farFuture: 1]),
            ("a date in a set", Set([farFuture])),
            ("a date in an optional", Date?.some(farPast)),
            ("a date in an ordered dict", PythonOrderedDict([("a", moment), ("b", farFuture)])),
            ("a date in a Python class", [DatedObject(date: moment), DatedObject(date: farFuture)]),
            ("a user error at the top level", ThrowsAfterFields(tag: "top")),
            ("a user error in a field", Wrapper(before: ["a"], failing: ThrowsAfterFields(tag: "field"), after: "z")),
            ("a user error in an array", [Wrapper(before: [], failing: ThrowsAfterFields(tag: "array"), after: "")]),
            ("a user error in a Python class", ["k": ThrowingObject(tag: "object")]),
            ("a user error in a superEncoder", SuperThrower()),
            ("an invalid timezone", BadZone(zone: .fixed(offset: PythonTimeDelta(days: 1)!, name: nil))),
            ("an invalid timezone in a datetime list", [BadZone(zone: .utc), BadZone(zone: .fixed(offset: PythonTimeDelta(days: -1)!, name: "x"))]),
            ("two keys that encode to one Python key", [LossyKey(kept: 1, dropped: 1): "a", LossyKey(kept: 1, dropped: 2): "b"]),
            ("a dict key that encodes to a dict", ["a": [DictKey(x: 1): 1]]),
            ("a set element that encodes to a dict", Set([DictKey(x: 2)])),
            ("a non-ASCII class name", NonASCIIClass()),
            ("an invalid class name", ["a": InvalidNameClass()]),
            ("a class name with a newline", [NewlineClass()]),
            ("a non-ASCII global in a PickleValue", PickleValue.global(PickleGlobal(module: "m\u{E9}", name: "f"))),
            ("a recursive reduction in a PickleValue", recursiveReduction()),
        ]
        // Non-ASCII names are fine from protocol 3 on; everything else always fails.
        let lowProtocolsOnly: Set = ["a non-ASCII class name", "a non-ASCII global in a PickleValue"]
        for (label, value) in cases {
            let expectation: Expectation = lowProtocolsOnly.contains(label) && version >= 3 ? .success : .failure
            expectSameEncoding(value, protocol: version, expecting: expectation, label)
        }
        // Two values Swift keeps apart and the encoding merges, in a set: not an error.
        expectSameEncoding(Set([LossyKey(kept: 1, dropped: 1), LossyKey(kept: 1, dropped: 2)]), protocol: version)
        expectSameEncoding(ThrowsAfterFields(tag: "x"), protocol: version, expecting: .failure)
        expectSameEncoding(DateField(date: farFuture), protocol: version, expecting: .failure)
        expectSameEncoding(NonASCIIClass(), protocol: version, expecting: version < 3 ? .failure : .success)
        expectSameEncoding(InvalidNameClass(), protocol: version, expecting: .failure)
    }

    @Test("Errors: an unsupported protocol")
    func unsupportedProtocols() throws {
        for version in [6, -1, 100, Int.max, Int.min] {
            expectSameEncoding(1, protocol: version, expecting: .failure)
            expectSameEncoding(Inner(name: "a", values: []), protocol: version, expecting: .failure)
            expectSameEncoding(ThrowsAfterFields(tag: "x"), protocol: version, expecting: .failure)
            expectSameEncoding(farFuture, protocol: version, expecting: .failure)
            expectSameEncoding(PickleValue.global(PickleGlobal(module: "m\u{E9}", name: "f")), protocol: version, expecting: .failure)
        }
    }

    @Test("Errors: which error wins when a value has several", arguments: 0...5)
    func errorPrecedence(version: Int) throws {
        struct Two: Encodable {
            var first: PickleValue
            var second: Leaf
        }
        struct PickleThenDate: Encodable {
            var unpicklable: PickleValue
            var date: Date
        }
        // An error of the pickler early in the value, an error of the encoding later.
        let unpicklable = PickleValue.global(PickleGlobal(module: "m", name: "a..b"))
        expectSameEncoding(Two(first: unpicklable, second: .userError), protocol: version, expecting: .failure)
        expectSameEncoding(Two(first: unpicklable, second: .badDate), protocol: version, expecting: .failure)
        expectSameEncoding(PickleThenDate(unpicklable: unpicklable, date: farPast), protocol: version, expecting: .failure)
        expectSameEncoding([PickleValue.global(PickleGlobal(module: "m\u{E9}", name: "f"))] + [.none], protocol: version, expecting: .either)
        let deepValue = onLargeStack { () -> (Outcome, Outcome, Outcome, Outcome) in
            var deep = PickleValue.list([])
            for _ in 0..<1100 { deep = .list(PickleList([deep])) }
            let first = bothEncodings(Two(first: deep, second: .userError), protocol: version)
            let chain = Chain.make([.dict], count: 1100, leaf: .int)
            let second = bothEncodings(LateFailure(deep: chain, late: .badDate), protocol: version)
            return (first.direct, first.viaTree, second.direct, second.viaTree)
        }
        compareOutcomes(
            deepValue.0, deepValue.1, protocol: version, expecting: .failure, label: "too deep, then a user error",
            sourceLocation: #_sourceLocation)
        compareOutcomes(
            deepValue.2, deepValue.3, protocol: version, expecting: .failure, label: "too deep, then a bad date",
            sourceLocation: #_sourceLocation)
    }

    @Test("Nesting at and beyond the pickler's depth limit (maxDepth 1000)", arguments: 0...5)
    func depthLimit(version: Int) throws {
        // Chains of one kind of container, around the limit.
        let shapes: [(String, [Chain.Kind])] = [
            ("dicts", [.dict]), ("lists", [.list]), ("arrays", [.array]), ("objects", [.object]),
            ("mixed", [.dict, .optional, .list, .object, .array]),
        ]
        let shapeCounts = [0, 1, 499, 500, 501, 999, 1000, 1001, 1002, 1200]
        let shapeResults: [(String, Outcome, Outcome)] = onLargeStack {
            var results: [(String, Outcome, Outcome)] = []
            for (name, pattern) in shapes {
                for count in shapeCounts {
                    let chain = Chain.make(pattern, count: count, leaf: .int)
                    let (direct, viaTree) = bothEncodings(chain, protocol: version)
                    results.append(("\(count) \(name)", direct, viaTree))
                }
            }
            return results
        }
        // Leaves with nesting of their own, under as many dicts as make the limit fall inside them:
        // two counts that fit, then two that are too deep.
        let leafResults: [(String, Outcome, Outcome, fits: Bool?)] = onLargeStack {
            var results: [(String, Outcome, Outcome, fits: Bool?)] = []
            for leaf in Leaf.all {
                var counts: [(Int, Bool?)] = [(999, nil), (1000, nil), (1001, nil)]
                if let depth = nestingDepth(of: Chain.leaf(leaf), protocol: version) {
                    let first = PicklerOptions().maxDepth + 1 - depth  // the first count too deep
                    counts = [(first - 2, true), (first - 1, true), (first, false), (first + 1, false)]
                }
                for (count, fits) in counts {
                    let chain = Chain.make([.dict], count: count, leaf: leaf)
                    let (direct, viaTree) = bothEncodings(chain, protocol: version)
                    results.append(("\(count) dicts then \(leaf)", direct, viaTree, fits))
                }
            }
            return results
        }
        for (label, direct, viaTree) in shapeResults {
            compareOutcomes(direct, viaTree, protocol: version, expecting: .either, label: label, sourceLocation: #_sourceLocation)
        }
        for (label, direct, viaTree, fits) in leafResults {
            let expectation: Expectation = fits.map { $0 ? .success : .failure } ?? .either
            compareOutcomes(direct, viaTree, protocol: version, expecting: expectation, label: label, sourceLocation: #_sourceLocation)
        }
        #expect(shapeResults.first { $0.0 == "1000 dicts" }?.2.isFailure == false)
        #expect(shapeResults.first { $0.0 == "1001 dicts" }?.2.isFailure == true)
        // Every leaf but the two that always fail got a window around the limit.
        #expect(leafResults.filter { $0.fits != nil }.count == 4 * (Leaf.all.count - 2))
    }

    @Test("Late writes through containers kept past encode(to:), and a shared list changed after it was encoded", arguments: 0...5)
    func lateWritesThroughEscapedContainers(version: Int) throws {
        // Unusual: the tree sees what is written into a container after its encode(to:) returned, and
        // what a shared Python list holds at the end. A streaming encoder must give the same bytes.
        let box = Escapes()
        let pair = EscapePair(first: Escaper(box: box), second: LateWriter(box: box), third: [Escaper(box: box)], fourth: LateWriter(box: box))
        expectSameEncoding(pair, protocol: version)
        expectSameEncoding(SharedMutation(shared: PickleList()), protocol: version)
    }

    @Test("Encoding on several threads at once, with types whose keys vary by instance")
    func concurrentEncodes() throws {
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var items: [(label: String, version: Int, direct: Outcome, viaTree: Outcome)] = []
            func add(_ more: [(label: String, version: Int, direct: Outcome, viaTree: Outcome)]) {
                lock.lock()
                items += more
                lock.unlock()
            }
        }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            var local: [(label: String, version: Int, direct: Outcome, viaTree: Outcome)] = []
            func check<T: Encodable>(_ value: T, _ label: String, _ version: Int) {
                let (direct, viaTree) = bothEncodings(value, protocol: version)
                local.append((label, version, direct, viaTree))
            }
            for round in 0..<30 {
                let version = (worker + round) % 6
                let seed = UInt64(worker * 1000 + round)
                var random = RandomValues(seed: 0xC0C0_0000 &+ seed)
                check(random.value(depth: 0), "random value of seed \(seed)", version)
                let flag = (worker + round) % 2 == 0
                check(
                    [Flippable(flag: flag, x: "x", y: "y"), Flippable(flag: !flag, x: "y", y: "x")],
                    "Flippable, worker \(worker), round \(round)", version)
                check((0..<12).map { Sometimes(index: $0 + round + worker) }, "Sometimes, worker \(worker), round \(round)", version)
                check(KeyedN(count: 10 + round * 3, values: .repeatedStrings), "\(10 + round * 3) keys", version)
                check(Interleaved(tag: "w\(worker)"), "Interleaved, worker \(worker)", version)
            }
            results.add(local)
        }
        #expect(results.items.count == 8 * 30 * 5)
        for item in results.items {
            compareOutcomes(
                item.direct, item.viaTree, protocol: item.version, expecting: .either, label: item.label,
                sourceLocation: #_sourceLocation)
        }
    }

    @Test("300 random values", arguments: 0...5)
    func randomValues(version: Int) throws {
        for seed in 0..<300 {
            var random = RandomValues(seed: 0x5EED_0000 &+ UInt64(seed))
            let value = random.value(depth: 0)
            expectSameEncoding(value, protocol: version, expecting: .either, "seed \(seed)")
            let record = RandomRecord(a: seed, b: "b", c: [value, value], d: 0.5, e: .keyed([("b", value), ("a", .null)]))
            expectSameEncoding(record, protocol: version, expecting: .either, "record of seed \(seed)")
        }
    }
}

/// A value whose `superEncoder` gets an error after some fields.
private struct SuperThrower: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode("x", forKey: "x")
        try ThrowsAfterFields(tag: "super").encode(to: container.superEncoder(forKey: "super"))
    }
}

/// How deeply the pickler nests the tree of `value` at `version`: the smallest `maxDepth` that lets
/// it be written; `nil` when it cannot be written at all.
private func nestingDepth<T: Encodable>(of value: T, protocol version: Int) -> Int? {
    var encoder = PickleEncoder()
    encoder.protocolVersion = version
    guard let tree = try? encoder.encodeValue(value) else { return nil }
    return (0...64).first { depth in
        (try? Pickler.dumps(tree, options: PicklerOptions(protocolVersion: version, maxDepth: depth))) != nil
    }
}

/// A reduction that is its own argument: deeper than any limit.
private func recursiveReduction() -> PickleValue {
    let looping = PickleObject(construction: .reduce, callable: .global(PickleGlobal(module: "m", name: "f")))
    looping.arguments = [.object(looping)]
    return .object(looping)
}
