import Pickle

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An `Encodable` value whose `encode(to:)` runs a program read from the fuzz input: it takes containers,
/// writes values of every kind into them, nests containers and Scripts, makes super encoders, lets
/// containers and encoders escape to write to them later, and catches errors with `try?`.
///
/// A Script does the same in every encode of one run: it decides nothing from what the encoder returns
/// (a `count` is only written, an error caught by `try?` is dropped), and its sets and dictionaries, whose
/// order is their storage's, were built once when the program was read. The root Script resets the run's
/// ``Run`` as it starts, so that every encode starts from the same run.
struct Script: Encodable, CustomStringConvertible {
    let steps: [Step]
    let run: Run
    /// Whether this is the program's outermost Script, which starts each encode.
    let isRoot: Bool

    func encode(to encoder: any Encoder) throws {
        if isRoot { run.reset() }
        var machine = ScriptMachine(encoder: encoder, run: run)
        for step in steps { try machine.perform(step) }
    }

    /// The steps, for a report.
    var description: String {
        "[" + steps.map { String(describing: $0) }.joined(separator: ", ") + "]"
    }
}

/// One operation of a Script.
///
/// A slot names a container: those the Script holds, then those that escaped to the run (modulo their
/// number; nothing happens when there are none).
indirect enum Step {
    /// `container(keyedBy:)`, `unkeyedContainer()` or `singleValueContainer()` of the Script's encoder.
    case take(ContainerKind)
    /// A nested keyed (or unkeyed) container of the container in `slot`, under `key` if keyed.
    case nest(slot: UInt8, keyed: Bool, key: ScriptKey)
    /// Writes `value` into the container in `slot`, under `key` if keyed.
    case write(slot: UInt8, key: ScriptKey, value: Value, style: WriteStyle)
    /// Writes the `count` of one of the unkeyed containers (`of`, among those reachable) into `slot`.
    case count(of: UInt8, into: UInt8, key: ScriptKey)
    /// A super encoder of the container in `slot` (`superEncoder(forKey:)` when `key` is set), which
    /// `script` encodes to at once, or which escapes to the run when `script` is `nil`.
    case superEncoder(slot: UInt8, key: ScriptKey?, script: Script?)
    /// Keeps the container in `slot` in the run, for Scripts that come later.
    case escapeContainer(slot: UInt8)
    /// Keeps the Script's encoder in the run.
    case escapeEncoder
    /// Runs `script` on one of the encoders that escaped to the run.
    case useEscapedEncoder(index: UInt8, script: Script)
    /// Runs `script` on the Script's own encoder, as a subclass calls `super.encode(to:)`.
    case inline(Script)
    /// The step, under `try?`.
    case attempt(Step)
    /// Throws a ``ScriptError``.
    case fail(UInt8)
    /// Appends to the run's shared list, which ``Value/sharedList`` encodes, after it may have been written.
    case appendToShared(Int)
    /// Writes `count` items of one kind into the container in `slot` (keys `m0`, `m1`… if keyed).
    case many(slot: UInt8, count: Int, kind: UInt8)
}

/// Which container a Script takes from its encoder.
enum ContainerKind {
    case keyed, unkeyed, single
}

/// How a value is written: by the container's method for its type, through the generic `encode(_:)`,
/// or by `encodeIfPresent` with the value or with `nil` (keyed containers; the others write it plainly).
enum WriteStyle {
    case concrete, generic, ifPresent, ifPresentNil
}

/// The error a Script throws.
struct ScriptError: Error, CustomStringConvertible {
    let code: UInt8
    var description: String { "ScriptError(\(code))" }
}

/// A key of the small set the programs use, so that keys repeat; "é" and "e\u{301}" are one key for
/// Swift's `==` and two for Python.
struct ScriptKey: CodingKey, CustomStringConvertible {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }

    static let all: [ScriptKey] =
        ["a", "b", "c", "é", "e\u{301}", "", "super", "m0", "m999"].map(ScriptKey.init(stringValue:))
        + [ScriptKey(intValue: 7)]

    var description: String { intValue.map { "[\($0)]" } ?? "\"\(stringValue)\"" }
}

/// What the Scripts of one run share: the containers and encoders that escaped, and a list that Scripts
/// append to after it may have been encoded.
final class Run {
    var containers: [Holder] = []
    var encoders: [any Encoder] = []
    let shared = PickleList()
    /// A tuple that several places encode: the writer's memo knows it by address.
    let sharedTuple = PickleValue.tuple([.string("t"), .int(1)])

    /// Forgets what escaped and restores the shared list, at the start of each encode.
    func reset() {
        containers.removeAll()
        encoders.removeAll()
        shared.elements = [.int(1)]
    }
}

/// A container a Script holds.
enum Holder {
    case keyed(KeyedEncodingContainer<ScriptKey>)
    case unkeyed(any UnkeyedEncodingContainer)
    case single(any SingleValueEncodingContainer)
}

/// One run of a Script's steps on one encoder.
struct ScriptMachine {
    let encoder: any Encoder
    let run: Run
    var held: [Holder] = []

    init(encoder: any Encoder, run: Run) {
        self.encoder = encoder
        self.run = run
    }

    /// The container in `slot`, among those held and those that escaped.
    func holder(_ slot: UInt8) -> Holder? {
        let count = held.count + run.containers.count
        guard count > 0 else { return nil }
        let index = Int(slot) % count
        return index < held.count ? held[index] : run.containers[index - held.count]
    }

    /// Does what `step` says.
    mutating func perform(_ step: Step) throws {
        switch step {
        case .take(.keyed): held.append(.keyed(encoder.container(keyedBy: ScriptKey.self)))
        case .take(.unkeyed): held.append(.unkeyed(encoder.unkeyedContainer()))
        case .take(.single): held.append(.single(encoder.singleValueContainer()))
        case .nest(let slot, let keyed, let key):
            switch holder(slot) {
            case .keyed(var container)?:
                held.append(
                    keyed
                        ? .keyed(container.nestedContainer(keyedBy: ScriptKey.self, forKey: key))
                        : .unkeyed(container.nestedUnkeyedContainer(forKey: key)))
            case .unkeyed(var container)?:
                held.append(
                    keyed
                        ? .keyed(container.nestedContainer(keyedBy: ScriptKey.self))
                        : .unkeyed(container.nestedUnkeyedContainer()))
            case .single?, nil: break
            }
        case .write(let slot, let key, let value, let style):
            guard let holder = holder(slot) else { return }
            try value.write(to: holder, key: key, style: style, run: run)
        case .count(let of, let into, let key):
            let lists = (held + run.containers).compactMap { holder -> (any UnkeyedEncodingContainer)? in
                if case .unkeyed(let container) = holder { return container }
                return nil
            }
            guard !lists.isEmpty, let holder = holder(into) else { return }
            let count = lists[Int(of) % lists.count].count
            try Value.primitive(.int(count)).write(to: holder, key: key, style: .concrete, run: run)
        case .superEncoder(let slot, let key, let script):
            let encoder: any Encoder
            switch holder(slot) {
            case .keyed(var container)?:
                encoder = key.map { container.superEncoder(forKey: $0) } ?? container.superEncoder()
            case .unkeyed(var container)?: encoder = container.superEncoder()
            case .single?, nil: return
            }
            if let script {
                try script.encode(to: encoder)
            } else {
                run.encoders.append(encoder)
            }
        case .escapeContainer(let slot):
            if let holder = holder(slot) { run.containers.append(holder) }
        case .escapeEncoder: run.encoders.append(encoder)
        case .useEscapedEncoder(let index, let script):
            guard !run.encoders.isEmpty else { return }
            try script.encode(to: run.encoders[Int(index) % run.encoders.count])
        case .inline(let script): try script.encode(to: encoder)
        case .attempt(let step): _ = try? perform(step)
        case .fail(let code): throw ScriptError(code: code)
        case .appendToShared(let integer): run.shared.append(.int(integer))
        case .many(let slot, let count, let kind):
            guard let holder = holder(slot) else { return }
            for index in 0..<count {
                let value: Value
                switch kind % 4 {
                case 0: value = .primitive(.int(index))
                case 1: value = .primitive(.string(Value.strings[index % Value.strings.count]))
                case 2: value = .null
                default: value = .primitive(.double(Double(index) / 4))
                }
                try value.write(to: holder, key: ScriptKey(stringValue: "m\(index)"), style: .concrete, run: run)
            }
        }
    }
}

/// A value of a type that the container protocols name: written by its own method or generically.
enum Primitive {
    case bool(Bool)
    case int(Int)
    case int8(Int8)
    case int16(Int16)
    case int32(Int32)
    case int64(Int64)
    case uint(UInt)
    case uint8(UInt8)
    case uint16(UInt16)
    case uint32(UInt32)
    case uint64(UInt64)
    case double(Double)
    case float(Float)
    case string(String)

    var boxed: any Encodable {
        switch self {
        case .bool(let value): value
        case .int(let value): value
        case .int8(let value): value
        case .int16(let value): value
        case .int32(let value): value
        case .int64(let value): value
        case .uint(let value): value
        case .uint8(let value): value
        case .uint16(let value): value
        case .uint32(let value): value
        case .uint64(let value): value
        case .double(let value): value
        case .float(let value): value
        case .string(let value): value
        }
    }
}

/// What a Script writes.
enum Value {
    case null
    case primitive(Primitive)
    /// A Script as a value of one of eight types, each of which learns its own key layout.
    case script(Script, tag: UInt8)
    case optionalScript(Script?)
    case scripts([Script])
    /// A Script as a class, which the stream has the tree encoder build.
    case object(ScriptObject)
    /// A Script as a ``PythonClass``.
    case instance(ScriptInstance)
    case scriptsByString([String: Script])
    case scriptsByInt([Int: Script])
    /// Keys that are neither `String` nor `Int`: the stream has the tree encoder build the dict.
    case scriptsByInt8([Int8: Script])
    /// Seconds since 1970, some of them beyond the years 1 to 9999.
    case date(Double)
    case data(count: Int, byte: UInt8)
    case longString(unit: String, count: Int)
    case integers(count: Int, start: Int)
    case strings(count: Int, start: Int)
    case doubles(count: Int, start: Int)
    case bytes(count: Int, byte: UInt8)
    case optionalIntegers(count: Int, start: Int)
    case stringToInt([String: Int])
    case stringToOptionalString([String: String?])
    case nestedDictionaries([Int: [Int: Int?]])
    case set(Set<Int>)
    case optionalInt(Int?)
    case optionalString(String?)
    case bigInteger(BigInteger)
    case atom(PickleValue)
    case atoms([PickleValue])
    case sharedTuple
    case sharedList

    /// The strings values are made of.
    static let strings = ["", "a", "é", "e\u{301}", "super", "ab", "\u{1F600}", "a\u{0}b", "m0"]

    /// The value as something `Encodable`, for the generic methods (`nil` for ``null``).
    func encodable(run: Run) -> (any Encodable)? {
        switch self {
        case .null: nil
        case .primitive(let primitive): primitive.boxed
        case .script(let script, let tag): script.tagged(tag)
        case .optionalScript(let script): script
        case .scripts(let scripts): scripts
        case .object(let object): object
        case .instance(let instance): instance
        case .scriptsByString(let dictionary): dictionary
        case .scriptsByInt(let dictionary): dictionary
        case .scriptsByInt8(let dictionary): dictionary
        case .date(let seconds): Date(timeIntervalSince1970: seconds)
        case .data(let count, let byte): Data(repeating: byte, count: count)
        case .longString(let unit, let count): String(repeating: unit, count: count)
        case .integers(let count, let start): Array(start..<start + count)
        case .strings(let count, let start): (0..<count).map { Self.strings[(start + $0) % Self.strings.count] }
        case .doubles(let count, let start): (0..<count).map { [0.5, -0.0, .nan, .infinity][(start + $0) % 4] }
        case .bytes(let count, let byte): [UInt8](repeating: byte, count: count)
        case .optionalIntegers(let count, let start): (0..<count).map { ($0 + start) % 3 == 0 ? nil : $0 }
        case .stringToInt(let dictionary): dictionary
        case .stringToOptionalString(let dictionary): dictionary
        case .nestedDictionaries(let dictionary): dictionary
        case .set(let set): set
        case .optionalInt(let integer): integer
        case .optionalString(let string): string
        case .bigInteger(let integer): integer
        case .atom(let atom): atom
        case .atoms(let atoms): atoms
        case .sharedTuple: run.sharedTuple
        case .sharedList: PickleValue.list(run.shared)
        }
    }

    /// Writes the value into `holder`, under `key` if it is keyed.
    func write(to holder: Holder, key: ScriptKey, style: WriteStyle, run: Run) throws {
        if case .primitive(let primitive) = self, style == .concrete || style == .ifPresent {
            return try primitive.write(to: holder, key: key, ifPresent: style == .ifPresent)
        }
        guard let value = encodable(run: run) else {
            switch holder {
            case .keyed(var container): try container.encodeNil(forKey: key)
            case .unkeyed(var container): try container.encodeNil()
            case .single(var container): try container.encodeNil()
            }
            return
        }
        try Self.writeGenerically(value, to: holder, key: key, style: style)
    }

    /// Writes `value` through the generic methods, with `T` its dynamic type.
    static func writeGenerically<T: Encodable>(
        _ value: T, to holder: Holder, key: ScriptKey, style: WriteStyle
    ) throws {
        switch holder {
        case .keyed(var container):
            switch style {
            case .concrete, .generic: try container.encode(value, forKey: key)
            case .ifPresent: try container.encodeIfPresent(value, forKey: key)
            case .ifPresentNil: try container.encodeIfPresent(nil as T?, forKey: key)
            }
        case .unkeyed(var container): try container.encode(value)
        case .single(var container): try container.encode(value)
        }
    }
}

extension Primitive {
    /// Writes the value by the container's method for its type (`encodeIfPresent` when `ifPresent`).
    func write(to holder: Holder, key: ScriptKey, ifPresent: Bool) throws {
        switch holder {
        case .keyed(var container) where ifPresent:
            switch self {
            case .bool(let value): try container.encodeIfPresent(value, forKey: key)
            case .int(let value): try container.encodeIfPresent(value, forKey: key)
            case .int8(let value): try container.encodeIfPresent(value, forKey: key)
            case .int16(let value): try container.encodeIfPresent(value, forKey: key)
            case .int32(let value): try container.encodeIfPresent(value, forKey: key)
            case .int64(let value): try container.encodeIfPresent(value, forKey: key)
            case .uint(let value): try container.encodeIfPresent(value, forKey: key)
            case .uint8(let value): try container.encodeIfPresent(value, forKey: key)
            case .uint16(let value): try container.encodeIfPresent(value, forKey: key)
            case .uint32(let value): try container.encodeIfPresent(value, forKey: key)
            case .uint64(let value): try container.encodeIfPresent(value, forKey: key)
            case .double(let value): try container.encodeIfPresent(value, forKey: key)
            case .float(let value): try container.encodeIfPresent(value, forKey: key)
            case .string(let value): try container.encodeIfPresent(value, forKey: key)
            }
        case .keyed(var container):
            switch self {
            case .bool(let value): try container.encode(value, forKey: key)
            case .int(let value): try container.encode(value, forKey: key)
            case .int8(let value): try container.encode(value, forKey: key)
            case .int16(let value): try container.encode(value, forKey: key)
            case .int32(let value): try container.encode(value, forKey: key)
            case .int64(let value): try container.encode(value, forKey: key)
            case .uint(let value): try container.encode(value, forKey: key)
            case .uint8(let value): try container.encode(value, forKey: key)
            case .uint16(let value): try container.encode(value, forKey: key)
            case .uint32(let value): try container.encode(value, forKey: key)
            case .uint64(let value): try container.encode(value, forKey: key)
            case .double(let value): try container.encode(value, forKey: key)
            case .float(let value): try container.encode(value, forKey: key)
            case .string(let value): try container.encode(value, forKey: key)
            }
        case .unkeyed(var container):
            switch self {
            case .bool(let value): try container.encode(value)
            case .int(let value): try container.encode(value)
            case .int8(let value): try container.encode(value)
            case .int16(let value): try container.encode(value)
            case .int32(let value): try container.encode(value)
            case .int64(let value): try container.encode(value)
            case .uint(let value): try container.encode(value)
            case .uint8(let value): try container.encode(value)
            case .uint16(let value): try container.encode(value)
            case .uint32(let value): try container.encode(value)
            case .uint64(let value): try container.encode(value)
            case .double(let value): try container.encode(value)
            case .float(let value): try container.encode(value)
            case .string(let value): try container.encode(value)
            }
        case .single(var container):
            switch self {
            case .bool(let value): try container.encode(value)
            case .int(let value): try container.encode(value)
            case .int8(let value): try container.encode(value)
            case .int16(let value): try container.encode(value)
            case .int32(let value): try container.encode(value)
            case .int64(let value): try container.encode(value)
            case .uint(let value): try container.encode(value)
            case .uint8(let value): try container.encode(value)
            case .uint16(let value): try container.encode(value)
            case .uint32(let value): try container.encode(value)
            case .uint64(let value): try container.encode(value)
            case .double(let value): try container.encode(value)
            case .float(let value): try container.encode(value)
            case .string(let value): try container.encode(value)
            }
        }
    }
}

/// A Script as a value of type `Tagged<Tag>`: the stream learns a key layout per type, once per process,
/// so eight types (with `Script`) give the programs eight layouts to follow or stray from.
struct Tagged<Tag>: Encodable {
    let script: Script

    func encode(to encoder: any Encoder) throws { try script.encode(to: encoder) }
}

extension Script {
    /// The Script as a value of the type numbered `tag` (modulo 8): `Script` itself, or a `Tagged`.
    func tagged(_ tag: UInt8) -> any Encodable {
        switch tag % 8 {
        case 0: self
        case 1: Tagged<Tag1>(script: self)
        case 2: Tagged<Tag2>(script: self)
        case 3: Tagged<Tag3>(script: self)
        case 4: Tagged<Tag4>(script: self)
        case 5: Tagged<Tag5>(script: self)
        case 6: Tagged<Tag6>(script: self)
        default: Tagged<Tag7>(script: self)
        }
    }
}

enum Tag1 {}
enum Tag2 {}
enum Tag3 {}
enum Tag4 {}
enum Tag5 {}
enum Tag6 {}
enum Tag7 {}

/// A Script as a class: the encoders decide a class's form by each value's own type.
final class ScriptObject: Encodable, CustomStringConvertible {
    let script: Script

    init(script: Script) { self.script = script }

    func encode(to encoder: any Encoder) throws { try script.encode(to: encoder) }

    var description: String { "ScriptObject(\(script))" }
}

/// A Script as an instance of a Python class, whose state is what the Script encodes.
struct ScriptInstance: Encodable, PythonClass, CustomStringConvertible {
    static let pythonClass = PickleGlobal(module: "fuzz", name: "Script")
    let script: Script

    func encode(to encoder: any Encoder) throws { try script.encode(to: encoder) }

    var description: String { "ScriptInstance(\(script))" }
}
