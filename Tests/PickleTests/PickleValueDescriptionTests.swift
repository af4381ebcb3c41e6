import Foundation
import Pickle
import Testing
import TestSupport

/// `PickleValue.description` against CPython's `repr()` of the same values.
@Suite("PickleValue.description is Python's repr")
struct PickleValueDescriptionTests {
    /// Python builds random nested values (with shared references and cycles through lists and
    /// dicts), describes each in a tagged JSON form and prints its repr; Swift builds the same value
    /// from the JSON and compares.
    @Test("a generated corpus of nested values prints as Python prints it")
    func generatedCorpus() throws {
        let output = try Python.script(Self.corpusScript, ["1234", "1500"])
        let lines = output.text.split(separator: "\n")
        #expect(lines.count == 1500)
        var failures = 0
        for line in lines {
            let pair = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any])
            var builder = TaggedValueBuilder()
            let value = try builder.build(pair[0])
            let expected = try #require(pair[1] as? String)
            if value.description != expected {
                failures += 1
                if failures < 10 { Issue.record("\(value.description)\n!=\n\(expected)") }
            }
        }
        #expect(failures == 0)
    }

    /// The same corpus, pickled by CPython at protocols 0 to 5 and loaded by the `Unpickler`.
    @Test("values loaded from CPython's pickles print as Python prints them")
    func loadedCorpus() throws {
        let output = try Python.script(Self.corpusScript, ["4321", "800", "pickle"])
        let lines = output.text.split(separator: "\n")
        #expect(lines.count == 800)
        var failures = 0
        for line in lines {
            let pair = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any])
            let pickles = try #require(pair[0] as? [String])
            let expected = try #require(pair[1] as? String)
            for (protocolVersion, hex) in pickles.enumerated() {
                let value = try Unpickler.load(PickleDisassemblerTests.bytes(fromHex: hex))
                if value.description != expected {
                    failures += 1
                    if failures < 10 {
                        Issue.record("protocol \(protocolVersion): \(value.description)\n!=\n\(expected)")
                    }
                }
            }
        }
        #expect(failures == 0)
    }

    @Test("every builtin value of the golden corpus prints as its committed repr")
    func goldenCorpus() throws {
        let entries = try UnpicklerGoldenTests.manifest("golden/manifest.json")
        var compared = 0
        var hashed: [(file: String, description: String, sha256: String)] = []
        for entry in entries where entry["builtinOnly"] as? Bool == true {
            guard let file = entry["file"] as? String else { continue }
            let data = try UnpicklerGoldenTests.bytes("golden/" + file)
            if let pickles = entry["pickles"] as? [[String: Any]] {
                let values = try Unpickler.loadAll(data)
                #expect(values.map(\.description) == pickles.compactMap { $0["repr"] as? String }, "\(file)")
                compared += 1
                continue
            }
            let description = try Unpickler.load(data).description
            if let repr = entry["repr"] as? String {
                #expect(description == repr, "\(file)")
            } else if let reprFile = entry["reprFile"] as? String {
                let repr = String(decoding: try UnpicklerGoldenTests.bytes("golden/" + reprFile), as: UTF8.self)
                #expect(description == repr, "\(file)")
            } else if let sha256 = entry["reprSHA256"] as? String {
                hashed.append((file, description, sha256))
                continue
            } else {
                continue
            }
            compared += 1
        }
        #expect(compared > 800)
        // The longest reprs are in the manifest as SHA-256 digests; Python hashes the descriptions.
        let output = try Python.script("""
            import hashlib, sys
            for line in sys.stdin.buffer.read().split(b'\\n'):
                print(hashlib.sha256(bytes.fromhex(line.decode())).hexdigest())
            """, input: Data(hashed.map { Data($0.description.utf8).map { String(format: "%02x", $0) }.joined() }
                .joined(separator: "\n").utf8))
        let digests = output.text.split(separator: "\n").map(String.init)
        #expect(digests.count == hashed.count)
        for (entry, digest) in zip(hashed, digests) {
            #expect(digest == entry.sha256, "\(entry.file)")
        }
        #expect(hashed.count > 30)
    }

    /// The planes with most category boundaries: the BMP, plane 1 and plane 14, and the start of
    /// every other plane (the reprs of all code points are checked without pickles elsewhere).
    @Test("code points pickled by CPython in runs of 64 load and print as Python prints them")
    func loadedCodePoints() throws {
        let output = try Python.script("""
            import json, pickle, sys
            starts = [s for s in range(0, 0x110000, 64) if s >> 16 in (0, 1, 14) or s & 0xFFFF < 0x400]
            runs = [''.join(map(chr, range(start, start + 64))) for start in starts]
            for protocol in range(6):
                print(json.dumps([pickle.dumps(runs, protocol).hex(), [repr(run) for run in runs]]))
            """)
        let lines = output.text.split(separator: "\n")
        #expect(lines.count == 6)
        for (protocolVersion, line) in lines.enumerated() {
            let pair = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any])
            let expected = try #require(pair[1] as? [String])
            let value = try Unpickler.load(PickleDisassemblerTests.bytes(fromHex: try #require(pair[0] as? String)))
            guard case .list(let runs) = value else {
                Issue.record("protocol \(protocolVersion) did not load a list")
                continue
            }
            #expect(runs.count == expected.count)
            var failures = 0
            for (run, repr) in zip(runs, expected) where run.description != repr {
                failures += 1
                if failures < 5 { Issue.record("protocol \(protocolVersion): \(run.description) != \(repr)") }
            }
            #expect(failures == 0)
        }
    }

    @Test("scalars print as Python prints them")
    func scalars() throws {
        let values: [PickleValue] = [
            .none, .bool(true), .bool(false), .int(0), .int(-5), .int(.max), .int(.min),
            .integer(BigInteger("-123456789012345678901234567890")!), .integer(BigInteger("18446744073709551616")!),
            .float(1e16), .float(1e-5), .float(0.1), .float(100), .float(.infinity), .float(-.infinity),
            .float(.nan), .float(-0.0), .float(.greatestFiniteMagnitude), .float(.leastNonzeroMagnitude),
            .complex(real: 1, imaginary: 2), .complex(real: 0, imaginary: 3), .complex(real: -0.0, imaginary: -1),
            .complex(real: .nan, imaginary: .infinity), .string("it's"), .bytes([0, 0x27, 0xff]),
            .tuple([]), .tuple([1]), .tuple([1, 2]), [], [1, [2]], [:], ["a": 1], .set(PickleSet()),
            .set([1, 2]), .frozenset([]), .frozenset([1, 2]), .bytearray(PickleByteArray()),
        ]
        let python = """
            [None, True, False, 0, -5, 2**63 - 1, -2**63, -123456789012345678901234567890, 2**64,
             1e16, 1e-5, 0.1, 100.0, float('inf'), float('-inf'), float('nan'), -0.0, 1.7976931348623157e308,
             5e-324, 1+2j, 3j, complex(-0.0, -1), complex(float('nan'), float('inf')), "it's", b"\\0'\\xff",
             (), (1,), (1, 2), [], [1, [2]], {}, {'a': 1}, set(), {1, 2}, frozenset(), frozenset({1, 2}),
             bytearray()]
            """
        let expected = try Python.script("for v in \(python): print(repr(v))").text.split(separator: "\n")
        #expect(expected.count == values.count)
        for (value, line) in zip(values, expected) { #expect(value.description == line) }
    }

    @Test("recursive containers print as Python prints them")
    func recursion() throws {
        let expected = try Python.script("""
            L = []; L.append(L); print(repr(L))
            D = {}; D['a'] = D; print(repr(D))
            L2 = []; T = (L2,); L2.append(T); print(repr(L2)); print(repr(T))
            A = [1]; B = [A, {'b': A}]; A.append(B); print(repr(A)); print(repr(B))
            D2 = {}; D2[1] = [D2, (D2, 2)]; print(repr(D2))
            S = [1]; print(repr([S, S, [S]]))
            """).text.split(separator: "\n")
        var actual: [String] = []

        let list = PickleList()
        list.append(.list(list))
        actual.append(list.description)

        let dict = PickleDict()
        dict["a"] = .dict(dict)
        actual.append(dict.description)

        let inner = PickleList()
        let tuple = PickleValue.tuple([.list(inner)])
        inner.append(tuple)
        actual.append(inner.description)
        actual.append(tuple.description)

        let a = PickleList([1])
        let b = PickleList([.list(a), .dict(["b": .list(a)])])
        a.append(.list(b))
        actual.append(a.description)
        actual.append(b.description)

        let d2 = PickleDict()
        d2[1] = .list([.dict(d2), .tuple([.dict(d2), 2])])
        actual.append(d2.description)

        let shared = PickleList([1])
        actual.append(PickleValue.list([.list(shared), .list(shared), .list([.list(shared)])]).description)

        #expect(actual == expected.map(String.init))
    }

    @Test("deep nesting prints without exhausting the call stack")
    func deepNesting() {
        let depth = 200_000
        var value: PickleValue = .int(0)
        for _ in 0..<depth { value = .list(PickleList([value])) }
        let text = value.description
        #expect(text == String(repeating: "[", count: depth) + "0" + String(repeating: "]", count: depth))
        // Take the nesting apart level by level: releasing it whole would recurse once per level.
        while case .list(let list) = value, let child = list.elements.first {
            list.removeAll()
            value = child
        }
    }

    @Test("globals print as <global module.name>")
    func globals() {
        #expect(PickleValue.global(PickleGlobal(module: "collections", name: "OrderedDict")).description
            == "<global collections.OrderedDict>")
        #expect(PickleGlobal(module: "a.b", name: "Outer.Inner").description == "<global a.b.Outer.Inner>")
        #expect(PickleGlobal(module: "my module", name: "f").description == "<global 'my module' 'f'>")
        #expect(PickleGlobal(module: "m", name: "").description == "<global 'm' ''>")
        #expect(PickleGlobal(module: "m", name: "it's\n").description == "<global 'm' \"it's\\n\">")
    }

    @Test("objects print as their construction, items and state")
    func objects() {
        let date = PickleObject(
            construction: .reduce, callable: .global(PickleGlobal(module: "datetime", name: "date")),
            arguments: [.bytes([0x07, 0xbc, 0x05, 0x07])])
        #expect(date.description == "datetime.date(b'\\x07\\xbc\\x05\\x07')")

        let point = PickleGlobal(module: "__main__", name: "Point")
        let instance = PickleObject(newInstanceOf: point, state: ["x": 1, "y": 2.5])
        #expect(instance.description == "__main__.Point.__new__(__main__.Point).__setstate__({'x': 1, 'y': 2.5})")

        let withArguments = PickleObject(construction: .newObjectWithKeywords, callable: .global(point),
                                         arguments: [1], keywordArguments: ["y": 2])
        #expect(withArguments.description == "__main__.Point.__new__(__main__.Point, 1, **{'y': 2})")

        let old = PickleObject(construction: .instantiate, callable: .global(PickleGlobal(module: "m", name: "Old")),
                               arguments: ["a"])
        #expect(old.description == "pickle._instantiate(m.Old, ('a',))")
        old.arguments = []
        #expect(old.description == "pickle._instantiate(m.Old, ())")

        let subclass = PickleObject(newInstanceOf: PickleGlobal(module: "m", name: "MyList"), state: PickleValue.none)
        subclass.listItems = [1, 2]
        subclass.dictItems = [(key: "k", value: "v")]
        #expect(subclass.description
            == "m.MyList.__new__(m.MyList).extend([1, 2]).update({'k': 'v'}).__setstate__(None)")

        // A callable that is not a global prints as its own repr.
        let getter = PickleObject(construction: .reduce,
                                  callable: .global(PickleGlobal(module: "builtins", name: "getattr")),
                                  arguments: [.object(date), "replace"])
        let call = PickleObject(construction: .reduce, callable: .object(getter), arguments: [])
        #expect(call.description == "builtins.getattr(datetime.date(b'\\x07\\xbc\\x05\\x07'), 'replace')()")

        // An object met again inside itself, directly or through a set.
        let node = PickleObject(newInstanceOf: PickleGlobal(module: "m", name: "Node"))
        let members = PickleSet([.object(node)])
        node.state = .dict(["self": .object(node), "members": .set(members)])
        #expect(node.description
            == "m.Node.__new__(m.Node).__setstate__({'self': m.Node(...), 'members': {m.Node(...)}})")
        #expect(members.description
            == "{m.Node.__new__(m.Node).__setstate__({'self': m.Node(...), 'members': set(...)})}")
    }

    /// Generates the corpus: `argv[1]` is the seed, `argv[2]` the number of values.
    static let corpusScript = #"""
        import json, math, random, struct, sys
        rng = random.Random(int(sys.argv[1]))
        count = int(sys.argv[2])

        def rand_float():
            r = rng.random()
            if r < 0.1:
                return rng.choice([0.0, -0.0, float('inf'), float('-inf'), float('nan'), 1e16, 1e-5, 0.1, 100.0])
            if r < 0.5:
                return struct.unpack('<d', rng.getrandbits(64).to_bytes(8, 'little'))[0]
            return rng.uniform(-1e6, 1e6) * 10.0 ** rng.randint(-25, 25)

        def rand_int():
            r = rng.random()
            if r < 0.5:
                return rng.randint(-300, 300)
            if r < 0.8:
                return rng.randint(-2**64, 2**64)
            return rng.randint(-10**80, 10**80)

        RANGES = [(0x20, 0x7f), (0, 0x20), (0x7f, 0x100), (0x100, 0x3000), (0xd800, 0xe000),
                  (0xe000, 0x10000), (0x10000, 0x110000), (0x27, 0x28), (0x22, 0x23), (0x5c, 0x5d)]

        def rand_str():
            out = []
            for _ in range(rng.randint(0, 8)):
                lo, hi = rng.choice(RANGES)
                out.append(chr(rng.randrange(lo, hi)))
            return ''.join(out)

        def rand_bytes():
            return bytes(rng.choice([rng.randrange(256), 0x27, 0x22, 0x5c, 0x41]) for _ in range(rng.randint(0, 8)))

        def rand_hashable(depth):
            r = rng.random()
            if depth > 2 or r < 0.7:
                return rng.choice([rand_int, rand_float, rand_str, rand_bytes, lambda: rng.choice([None, True, False]),
                                   lambda: complex(rand_float(), rand_float())])()
            if r < 0.85:
                return tuple(rand_hashable(depth + 1) for _ in range(rng.randint(0, 3)))
            return frozenset(rand_hashable(depth + 1) for _ in range(rng.randint(0, 3)))

        def rand_value(depth, ancestors, pool):
            r = rng.random()
            if ancestors and r < 0.08:
                return rng.choice(ancestors)
            if pool and r < 0.15:
                return rng.choice(pool)
            if depth > 3 or r < 0.45:
                value = rand_hashable(depth)
            elif r < 0.55:
                value = tuple(rand_value(depth + 1, ancestors, pool) for _ in range(rng.randint(0, 4)))
            elif r < 0.7:
                value = []
                for _ in range(rng.randint(0, 4)):
                    value.append(rand_value(depth + 1, ancestors + [value], pool))
            elif r < 0.85:
                value = {}
                for _ in range(rng.randint(0, 4)):
                    value[rand_hashable(depth + 1)] = rand_value(depth + 1, ancestors + [value], pool)
            elif r < 0.93:
                value = {rand_hashable(depth + 1) for _ in range(rng.randint(0, 4))}
            else:
                value = bytearray(rand_bytes())
            pool.append(value)
            return value

        def hexfloat(x):
            return struct.pack('<d', x).hex()

        def tag(value, memo):
            if id(value) in memo:
                return ['ref', memo[id(value)]]
            if value is None: return ['none']
            if value is True or value is False: return ['bool', value]
            if isinstance(value, int): return ['int', str(value)]
            if isinstance(value, float): return ['float', hexfloat(value)]
            if isinstance(value, complex): return ['complex', hexfloat(value.real), hexfloat(value.imag)]
            if isinstance(value, str): return ['str', [ord(c) for c in value]]
            if isinstance(value, bytes): return ['bytes', value.hex()]
            if isinstance(value, frozenset): return ['frozenset', [tag(v, memo) for v in value]]
            if isinstance(value, tuple):
                items = [tag(v, memo) for v in value]
                key = memo[id(value)] = len(memo)
                return ['tuple', key, items]
            key = len(memo)
            memo[id(value)] = key
            if isinstance(value, bytearray): return ['bytearray', key, value.hex()]
            if isinstance(value, list): return ['list', key, [tag(v, memo) for v in value]]
            if isinstance(value, set): return ['set', key, [tag(v, memo) for v in value]]
            if isinstance(value, dict): return ['dict', key, [[tag(k, memo), tag(v, memo)] for k, v in value.items()]]
            raise TypeError(type(value))

        keep = []
        pickled = len(sys.argv) > 3 and sys.argv[3] == 'pickle'
        for _ in range(count):
            value = rand_value(0, [], [])
            keep.append(value)
            if pickled:
                import pickle
                print(json.dumps([[pickle.dumps(value, p).hex() for p in range(6)], repr(value)]))
            else:
                print(json.dumps([tag(value, {}), repr(value)]))
        """#
}

/// Builds a `PickleValue` from the tagged JSON of the corpus script, keeping shared references
/// shared and cycles cyclic.
struct TaggedValueBuilder {
    struct BadNode: Error {
        var node: String
    }

    private var memo: [Int: PickleValue] = [:]

    mutating func build(_ node: Any) throws -> PickleValue {
        guard let parts = node as? [Any], let tag = parts.first as? String else { throw BadNode(node: "\(node)") }
        func string(_ index: Int) throws -> String {
            guard let text = parts[index] as? String else { throw BadNode(node: "\(node)") }
            return text
        }
        func list(_ index: Int) throws -> [Any] {
            guard let items = parts[index] as? [Any] else { throw BadNode(node: "\(node)") }
            return items
        }
        func key() throws -> Int {
            guard let key = parts[1] as? Int else { throw BadNode(node: "\(node)") }
            return key
        }
        switch tag {
        case "none": return .none
        case "bool": return .bool(parts[1] as? Bool ?? false)
        case "int":
            guard let big = BigInteger(try string(1)) else { throw BadNode(node: "\(node)") }
            return .integer(big)
        case "float": return .float(try Self.double(string(1)))
        case "complex": return .complex(real: try Self.double(string(1)), imaginary: try Self.double(string(2)))
        case "str":
            let points = try list(1).map { UInt32($0 as? Int ?? 0) }
            guard let value = PickleValue.pythonString(codePoints: points) else { throw BadNode(node: "\(node)") }
            return value
        case "bytes": return .bytes(Self.bytes(try string(1)))
        case "frozenset": return .frozenset(PickleFrozenSet(try list(1).map { try build($0) }))
        case "ref":
            guard let value = memo[try key()] else { throw BadNode(node: "\(node)") }
            return value
        case "tuple":
            let value = PickleValue.tuple(try list(2).map { try build($0) })
            memo[try key()] = value
            return value
        case "bytearray":
            let value = PickleValue.bytearray(PickleByteArray(Self.bytes(try string(2))))
            memo[try key()] = value
            return value
        case "list":
            let result = PickleList()
            memo[try key()] = .list(result)
            for item in try list(2) { result.append(try build(item)) }
            return .list(result)
        case "set":
            let result = PickleSet()
            memo[try key()] = .set(result)
            for item in try list(2) { result.insert(try build(item)) }
            return .set(result)
        case "dict":
            let result = PickleDict()
            memo[try key()] = .dict(result)
            for item in try list(2) {
                guard let pair = item as? [Any], pair.count == 2 else { throw BadNode(node: "\(item)") }
                let key = try build(pair[0])
                result[key] = try build(pair[1])
            }
            return .dict(result)
        default:
            throw BadNode(node: "\(node)")
        }
    }

    private static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            result.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) ?? 0)
        }
        return result
    }

    private static func double(_ hex: String) -> Double {
        var bits: UInt64 = 0
        for (index, byte) in bytes(hex).enumerated() { bits |= UInt64(byte) << UInt64(8 * index) }
        return Double(bitPattern: bits)
    }
}
