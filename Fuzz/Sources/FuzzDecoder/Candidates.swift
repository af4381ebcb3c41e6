import Foundation
import Pickle

// The types FuzzDecoder decodes its input into. They are a copy of the types of the same names in
// Tests/PickleTests/PickleDecoderDifferentialTests.swift (the Fuzz package cannot import the tests), and
// `Candidate.allCases` is in the order of that file's `FuzzDecoderCandidates.names`, so that an input of this
// target replays in `swift test` (FuzzRegressionTests) as it ran here. Change both together.

/// What the input's first byte chooses: a type (its low four bits) and the decoder's options (the next two).
enum Candidate: Int, CaseIterable {
    case optionals, ints, stringToInt, grid, strings, microDict, shape, pickleValue, date, item, nested
    case unkeyedProbe, keyedProbe, holder, tree, singleProbe

    /// The candidate and the options an input's first byte chooses.
    static func chosen(by selector: UInt8) -> (Candidate, PickleDecoder) {
        (Candidate(rawValue: Int(selector) % allCases.count)!, decoder(variant: Int(selector) / allCases.count % 4))
    }

    /// The four decoders: the default; a shallow `maxDepth`; tight unpickler limits; Python 2 strings as Latin-1
    /// with persistent IDs, extensions and out-of-band buffers.
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
                1: PickleGlobal(module: "copyreg", name: "_reconstructor"), 2: PickleGlobal(module: "builtins", name: "set"),
            ]
        default:
            break
        }
        return decoder
    }

    /// Decodes the candidate type from `bytes` with `decoder` both ways: through `decode(_:from: [UInt8])`, and
    /// through `decode(_:from:)` of what `load` gives.
    func decodeBoth(
        _ bytes: [UInt8], decoder: PickleDecoder, load: () throws -> PickleValue
    ) -> (direct: Outcome, viaTree: Outcome) {
        func both<T: Decodable & Equatable>(_ type: T.Type) -> (Outcome, Outcome) {
            let viaTree = Outcome { try decoder.decode(type, from: try load()) }
            let direct = Outcome { try decoder.decode(type, from: bytes) }
            return (direct, viaTree)
        }
        switch self {
        case .optionals: return both(Optionals.self)
        case .ints: return both([Int].self)
        case .stringToInt: return both([String: Int].self)
        case .grid: return both([[Int]].self)
        case .strings: return both([String].self)
        case .microDict: return both([Int: [Int: Int?]].self)
        case .shape: return both(Shape.self)
        case .pickleValue: return both(PickleValue.self)
        case .date: return both(Date.self)
        case .item: return both(Item.self)
        case .nested: return both(Nested.self)
        case .unkeyedProbe: return both(UnkeyedProbe.self)
        case .keyedProbe: return both(KeyedProbe.self)
        case .holder: return both(Holder.self)
        case .tree: return both(Tree.self)
        case .singleProbe: return both(SingleProbe.self)
        }
    }
}

/// A coding key with any name, and an `intValue` when it is made from a number.
struct AnyKey: CodingKey, Hashable, ExpressibleByStringLiteral {
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

/// The outcome of one call in a probe's log: what it returned, or its error (as the differential check
/// compares errors), so that a probe's log differs wherever the two paths differ.
func attempt<R>(_ label: String, _ body: () throws -> R) -> String {
    do {
        return "\(label) = \(Rendering.of(try body()))"
    } catch {
        return "\(label) threw \(Failure(error).detail)"
    }
}

/// Synthesized: every field read with `decodeIfPresent`.
struct Optionals: Codable, Equatable {
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

struct Inner: Codable, Hashable {
    var name: String
    var values: [Int]
}

struct Nested: Codable, Equatable {
    var id: Int
    var inner: Inner
    var inners: [Inner]
    var grid: [[Inner]]
    var maybe: Inner?
}

/// Synthesized `Codable` of an enum with associated values: `{'circle': {'radius': 2.0}}`.
indirect enum Shape: Codable, Equatable {
    case circle(radius: Double)
    case rect(width: Int, height: Int)
    case pair(Int, String)
    case empty
    case nested(Shape?, [Shape])
}

struct Item: Codable, Equatable, PythonClass {
    static let pythonClass = PickleGlobal(module: "shop", name: "Item")
    var name: String
    var price: Int
    var tags: [String]?
}

/// Fields that hold whatever Python stored.
struct Holder: Decodable, Equatable {
    var kind: String
    var payload: PickleValue
    var again: PickleValue?
    var list: [PickleValue]?
    var byName: [String: PickleValue]?
}

/// A tree read through `try?` and a single-value container: an int is a leaf, a sequence a node.
indirect enum Tree: Decodable, Equatable {
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

/// Reads an unkeyed container with every method in turn, logging each result or error, the index after it,
/// and reading past the end.
struct UnkeyedProbe: Decodable, Equatable {
    var log: [String] = []

    init(from decoder: any Decoder) throws {
        log.append("decoder at \(Failure.describe(decoder.codingPath))")
        var container = try decoder.unkeyedContainer()
        let path = Failure.describe(container.codingPath)
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
                        return Failure.describe(nested.allKeys) + " at "
                            + Failure.describe(nested.codingPath)
                    })
            case 4:
                log.append(
                    attempt("nested unkeyed") {
                        var nested = try container.nestedUnkeyedContainer()
                        let first = attempt("first") { try nested.decode(Double.self) }
                        return "\(nested.count ?? -1) \(first) at \(Failure.describe(nested.codingPath))"
                    })
            case 5:
                log.append(
                    attempt("super") {
                        let decoder = try container.superDecoder()
                        let single = try decoder.singleValueContainer()
                        return "\(single.decodeNil()) \(attempt("Bool") { try single.decode(Bool.self) }) at "
                            + Failure.describe(decoder.codingPath)
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
struct KeyedProbe: Decodable, Equatable {
    var log: [String] = []

    static let keys: [AnyKey] = ["name", "a", AnyKey(intValue: 1), "1", AnyKey(intValue: 7), "missing", "super"]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        log.append(
            "allKeys \(Failure.describe(container.allKeys)) at \(Failure.describe(container.codingPath))")
        for key in Self.keys {
            let name = Failure.describe([key])
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
                    Failure.describe(try container.nestedContainer(keyedBy: AnyKey.self, forKey: key).allKeys)
                })
            log.append(attempt("\(name) nested unkeyed") { try container.nestedUnkeyedContainer(forKey: key).count })
            log.append(
                attempt("\(name) super") {
                    let inner = try container.superDecoder(forKey: key)
                    let single = try inner.singleValueContainer()
                    return "\(single.decodeNil()) \(attempt("String") { try single.decode(String.self) }) at "
                        + Failure.describe(inner.codingPath)
                })
        }
        log.append(
            attempt("super()") {
                let inner = try container.superDecoder()
                return "\(try inner.singleValueContainer().decodeNil()) at \(Failure.describe(inner.codingPath)) "
                    + attempt("Int") { try inner.singleValueContainer().decode(Int.self) }
            })
        for key in container.allKeys.prefix(8) {
            log.append(
                attempt("\(Failure.describe([key])) value") {
                    try container.decode(PickleValue.self, forKey: key)
                })
        }
    }
}

/// Reads a single value every way, then tries the other containers.
struct SingleProbe: Decodable, Equatable {
    var log: [String] = []

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        log.append("decodeNil \(single.decodeNil()) at \(Failure.describe(single.codingPath))")
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
        log.append(attempt("keyed") { Failure.describe(try decoder.container(keyedBy: AnyKey.self).allKeys) })
    }
}
