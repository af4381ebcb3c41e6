import Pickle

/// The fuzz input read as a ``Script``: one byte chooses each step, value, key or count, and the bytes
/// after it fill it in; zeros once the input runs out.
///
/// Scripts nest at most ``maximumDepth`` deep and a program has at most ``maximumSteps`` steps, so that
/// every input encodes quickly; everything whose order is not its own (sets, dictionaries) is built here,
/// once, and encoded as it is by every encode of the run.
struct ProgramReader {
    private let bytes: [UInt8]
    private var position: Int
    private let run: Run
    /// The steps the program may still have.
    private var stepsLeft = ProgramReader.maximumSteps
    /// The items its counts may still add up to, and the bytes its large payloads may still take.
    private var itemsLeft = 10_000
    private var bytesLeft = 300_000

    static let maximumSteps = 200
    static let maximumDepth = 8

    init(_ bytes: [UInt8], from position: Int, run: Run) {
        self.bytes = bytes
        self.position = position
        self.run = run
    }

    /// The root Script: steps until the input or the step budget runs out.
    mutating func program() -> Script {
        var steps: [Step] = []
        while position < bytes.count, stepsLeft > 0 { steps.append(step(depth: 0)) }
        return Script(steps: steps, run: run, isRoot: true)
    }

    // MARK: Bytes

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func pick<T>(_ choices: [T]) -> T { choices[Int(byte()) % choices.count] }

    mutating func flag() -> Bool { byte() & 1 == 1 }

    /// A number of items: mostly a few, sometimes one either side of the writer's batches of 1000, and
    /// sometimes anything up to 2100.
    mutating func count() -> Int {
        let choice = byte()
        let count: Int
        if choice < 160 {
            count = Int(choice % 8)
        } else if choice < 224 {
            count = Self.counts[Int(choice) % Self.counts.count]
        } else {
            count = (Int(byte()) << 8 | Int(byte())) % 2101
        }
        let allowed = min(count, itemsLeft)
        itemsLeft -= allowed
        return allowed
    }

    /// `count` bytes of a large payload, or none once the program has used its share.
    mutating func payload(_ count: Int) -> Int {
        guard count <= bytesLeft else { return 0 }
        bytesLeft -= count
        return count
    }

    static let counts = [255, 256, 999, 1000, 1001, 1999, 2000, 2001, 2100]

    mutating func integer() -> Int64 { pick(Self.integers) }

    static let integers: [Int64] = [
        0, 1, -1, 2, 100, 127, 128, 255, 256, -128, -129, -256, 65535, 65536, -65536, 2_147_483_647,
        -2_147_483_648, 2_147_483_648, 4_294_967_295, 4_294_967_296, 0x7FFF_FFFF_FFFF, .max, .min,
    ]

    mutating func double() -> Double { pick(Self.doubles) }

    static let doubles: [Double] = [
        0, -0.0, 1, -1.5, 0.1, .nan, -.nan, .infinity, -.infinity, 1e300, .leastNonzeroMagnitude,
        .greatestFiniteMagnitude, 1e16, 9_007_199_254_740_992,
    ]

    /// Seconds since 1970: in range, at the ends of the years 1 to 9999 (and rounding past them), beyond.
    static let dates: [Double] = [
        0, 1.5, -1.5, 1e9 + 0.000_000_5, 1_000_000_000.123_456_789, -62_135_596_800, -62_135_596_800.000_000_5,
        -62_135_596_801, 253_402_300_799.999_999, 253_402_300_799.999_999_6, 253_402_300_800, .nan, .infinity,
        -.infinity, 1e20, -1e20,
    ]

    mutating func string() -> String { pick(Value.strings) }

    mutating func key() -> ScriptKey { pick(ScriptKey.all) }

    // MARK: Steps

    /// A nested Script: up to five steps, none beyond the depth limit.
    mutating func script(depth: Int) -> Script {
        var steps: [Step] = []
        if depth <= Self.maximumDepth {
            let count = Int(byte() % 6)
            while steps.count < count, position < bytes.count, stepsLeft > 0 { steps.append(step(depth: depth)) }
        }
        return Script(steps: steps, run: run, isRoot: false)
    }

    mutating func step(depth: Int) -> Step {
        stepsLeft -= 1
        switch byte() % 16 {
        case 0: return .take(.keyed)
        case 1: return .take(.unkeyed)
        case 2: return .take(.single)
        case 3: return .nest(slot: byte(), keyed: flag(), key: key())
        case 4, 5, 6:
            return .write(
                slot: byte(), key: key(), value: value(depth: depth),
                style: pick([.concrete, .concrete, .generic, .ifPresent, .ifPresentNil]))
        case 7: return .count(of: byte(), into: byte(), key: key())
        case 8:
            let key: ScriptKey? = flag() ? key() : nil
            return .superEncoder(slot: byte(), key: key, script: flag() ? script(depth: depth + 1) : nil)
        case 9: return .escapeContainer(slot: byte())
        case 10: return .escapeEncoder
        case 11: return .useEscapedEncoder(index: byte(), script: script(depth: depth + 1))
        case 12: return .inline(script(depth: depth + 1))
        case 13: return .attempt(step(depth: depth))
        case 14: return flag() ? .fail(byte()) : .appendToShared(Int(integer()))
        default: return .many(slot: byte(), count: count(), kind: byte())
        }
    }

    // MARK: Values

    mutating func value(depth: Int) -> Value {
        switch byte() % 36 {
        case 0: return .null
        case 1: return .primitive(.bool(flag()))
        case 2: return .primitive(.int(Int(integer())))
        case 3: return .primitive(.int8(Int8(truncatingIfNeeded: integer())))
        case 4: return .primitive(.int16(Int16(truncatingIfNeeded: integer())))
        case 5: return .primitive(.int32(Int32(truncatingIfNeeded: integer())))
        case 6: return .primitive(.int64(integer()))
        case 7: return .primitive(.uint(UInt(truncatingIfNeeded: integer())))
        case 8: return .primitive(.uint8(UInt8(truncatingIfNeeded: integer())))
        case 9: return .primitive(.uint16(UInt16(truncatingIfNeeded: integer())))
        case 10: return .primitive(.uint32(UInt32(truncatingIfNeeded: integer())))
        case 11: return .primitive(.uint64(UInt64(bitPattern: integer())))
        case 12: return .primitive(.double(double()))
        case 13: return .primitive(.float(Float(double())))
        case 14, 15: return .primitive(.string(string()))
        case 16: return .script(script(depth: depth + 1), tag: byte())
        case 17: return .optionalScript(flag() ? script(depth: depth + 1) : nil)
        case 18: return .scripts((0..<Int(byte() % 4)).map { _ in script(depth: depth + 1) })
        case 19: return .object(ScriptObject(script: script(depth: depth + 1)))
        case 20: return .instance(ScriptInstance(script: script(depth: depth + 1)))
        case 21:
            var dictionary: [String: Script] = [:]
            for _ in 0..<byte() % 4 { dictionary[string()] = script(depth: depth + 1) }
            return .scriptsByString(dictionary)
        case 22:
            var dictionary: [Int: Script] = [:]
            for _ in 0..<byte() % 4 { dictionary[Int(integer())] = script(depth: depth + 1) }
            return .scriptsByInt(dictionary)
        case 23:
            var dictionary: [Int8: Script] = [:]
            for _ in 0..<byte() % 4 { dictionary[Int8(truncatingIfNeeded: integer())] = script(depth: depth + 1) }
            return .scriptsByInt8(dictionary)
        case 24: return .date(pick(Self.dates))
        case 25:
            let choice = byte()
            let count = choice < 224 ? Int(choice) : [255, 256, 65535, 65536, 65537, 70000, 1 << 17][Int(choice) % 7]
            return .data(count: payload(count), byte: byte())
        case 26:
            let unit = pick(["a", "é", "\u{1F600}", "ab"])
            let count = pick([86, 128, 256, 32768, 65536, 70000])
            return .longString(unit: unit, count: payload(count * unit.utf8.count) / unit.utf8.count)
        case 27: return .integers(count: count(), start: Int(integer()) / 4)
        case 28: return .strings(count: count(), start: Int(byte()))
        case 29: return .doubles(count: count(), start: Int(byte()))
        case 30: return .bytes(count: count(), byte: byte())
        case 31: return .optionalIntegers(count: count(), start: Int(byte()))
        case 32:
            if flag() {
                let count = count()
                var dictionary: [String: Int] = [:]
                for index in 0..<count { dictionary[index < 9 ? Value.strings[index] : "k\(index)"] = index }
                return .stringToInt(dictionary)
            }
            var dictionary: [String: String?] = [:]
            for _ in 0..<byte() % 6 { dictionary[string()] = flag() ? string() : nil }
            return .stringToOptionalString(dictionary)
        case 33:
            if flag() {
                var dictionary: [Int: [Int: Int?]] = [:]
                for _ in 0..<byte() % 4 {
                    var inner: [Int: Int?] = [:]
                    for _ in 0..<byte() % 4 { inner[Int(integer())] = flag() ? Int(integer()) : nil }
                    dictionary[Int(integer())] = inner
                }
                return .nestedDictionaries(dictionary)
            }
            let count = count()
            let start = Int(integer()) / 2
            return .set(Set((0..<count).map { start &+ $0 &* 7 }))
        case 34:
            switch byte() % 4 {
            case 0: return .optionalInt(flag() ? Int(integer()) : nil)
            case 1: return .optionalString(flag() ? string() : nil)
            default:
                let limbs = (0..<Int(byte() % 4)).map { _ in UInt64(bitPattern: integer()) }
                return .bigInteger(BigInteger(isNegative: flag(), magnitude: limbs))
            }
        default:
            switch byte() % 4 {
            case 0: return .atom(atom())
            case 1: return .atoms((0..<Int(byte() % 4)).map { _ in atom() })
            case 2: return .sharedTuple
            default: return .sharedList
            }
        }
    }

    /// A `PickleValue` to encode as it is: an atom, a tuple (the run's, shared, or a new one), or a list
    /// (the run's, or a new one), which the stream leaves to the tree path.
    mutating func atom() -> PickleValue {
        switch byte() % 12 {
        case 0: return .none
        case 1: return .bool(flag())
        case 2: return .int(Int(integer()))
        case 3: return .bigInt(BigInteger(isNegative: flag(), magnitude: [0, UInt64(bitPattern: integer())]))
        case 4: return .float(double())
        case 5: return .string(string())
        case 6: return .bytes([UInt8](repeating: byte(), count: Int(byte() % 4)))
        case 7: return .tuple((0..<Int(byte() % 3)).map { _ in .string(string()) })
        case 8: return run.sharedTuple
        case 9: return .global(PickleGlobal(module: "builtins", name: pick(["len", "é", "a.b"])))
        case 10: return .list(PickleList([.int(1)]))
        default: return .list(run.shared)
        }
    }
}
