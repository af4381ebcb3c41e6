import Foundation
import Pickle
import TestSupport
import Testing

@Suite("Pickler: globals, instances, reductions, persistent IDs and out-of-band buffers")
struct PicklerObjectTests {
    static let classes = """
        import datetime, collections, functools, queue, copyreg
        class C:
            pass
        def make_c(**attributes):
            c = C()
            c.__dict__.update(attributes)
            return c
        class Outer:
            class Mid:
                class Inner:
                    pass
        class L(list):
            pass
        class D(dict):
            pass
        class S:
            __slots__ = ('a', 'b')
        class K:
            def __new__(cls, a, *, k):
                return super().__new__(cls)
            def __init__(self, a, *, k):
                self.a = a
                self.k = k
            def __getnewargs_ex__(self):
                return ((self.a,), {'k': self.k})
        class KO:
            def __init__(self, a, *, k):
                self.a = a
                self.k = k
            def __getnewargs_ex__(self):
                return ((self.a,), {'k': self.k})
        class N:
            def __new__(cls, a, b):
                self = super().__new__(cls)
                self.ab = (a, b)
                return self
            def __getnewargs__(self):
                return self.ab
        """

    static func main(_ name: String) -> PickleGlobal { PickleGlobal(module: "__main__", name: name) }

    /// A class name of 300 characters.
    static let longName = "Long" + String(repeating: "x", count: 296)

    @Test("Globals by name, nested names, and Python 2 names below protocol 3")
    func globals() throws {
        let cases: [PicklerCase] = [
            PicklerCase(
                "OrderedDict", .global(PickleGlobal(module: "collections", name: "OrderedDict")),
                "collections.OrderedDict"),
            PicklerCase("range", .global(PickleGlobal(module: "builtins", name: "range")), "range"),
            PicklerCase("str", .global(PickleGlobal(module: "builtins", name: "str")), "str"),
            PicklerCase("reduce", .global(PickleGlobal(module: "_functools", name: "reduce")), "functools.reduce"),
            PicklerCase("Queue", .global(PickleGlobal(module: "queue", name: "Queue")), "queue.Queue"),
            // Python 2 had no ConnectionError: it is written as exceptions.OSError, which loads as OSError.
            PicklerCase(
                "ConnectionError", .global(PickleGlobal(module: "builtins", name: "ConnectionError")),
                "ConnectionError", loadCheck: "x is expected or x is OSError"),
            PicklerCase(
                "_reconstructor", .global(PickleGlobal(module: "copyreg", name: "_reconstructor")),
                "copyreg._reconstructor"),
            PicklerCase("Outer", .global(Self.main("Outer")), "Outer"),
            PicklerCase("Outer.Mid", .global(Self.main("Outer.Mid")), "Outer.Mid"),
            PicklerCase("Outer.Mid.Inner", .global(Self.main("Outer.Mid.Inner")), "Outer.Mid.Inner"),
            PicklerCase(
                "shared",
                [
                    .global(Self.main("Outer.Mid.Inner")), .global(Self.main("Outer.Mid")),
                    .global(Self.main("Outer.Mid.Inner")), .global(PickleGlobal(module: "builtins", name: "getattr")),
                ],
                "[Outer.Mid.Inner, Outer.Mid, Outer.Mid.Inner, getattr]"),
            // A name too long for the memo key the pickler builds on its stack, met twice.
            PicklerCase(
                "long name", [.global(Self.main(Self.longName)), .global(Self.main(Self.longName))],
                "[\(Self.longName), \(Self.longName)]"),
        ]
        let setup = Self.classes + "\nclass \(Self.longName):\n    pass\n"
        try expectSameAsCPython(cases, setup: setup)
        // Without fix_imports, the Python 3 names are written as they are.
        try expectSameAsCPython(
            cases, setup: setup, protocols: 0...2,
            options: { PicklerOptions(protocolVersion: $0, fixPython2Imports: false) },
            dumps: "(lambda x, p: pickle.dumps(x, p, fix_imports=False))",
            loads: "(lambda b: pickle.loads(b, fix_imports=False))")
    }

    @Test("The Python 2 name tables match CPython's _compat_pickle")
    func pythonTwoNameTables() throws {
        let script = """
            import _compat_pickle as c, json, sys
            names = [[m, n, m2, n2] for (m, n), (m2, n2) in c.REVERSE_NAME_MAPPING.items()]
            modules = [[m, m2] for m, m2 in c.REVERSE_IMPORT_MAPPING.items()]
            json.dump({'names': names, 'modules': modules}, sys.stdout)
            """
        struct Tables: Decodable {
            var names: [[String]]
            var modules: [[String]]
        }
        let tables = try JSONDecoder().decode(Tables.self, from: Python.script(script).stdout)
        func globalLine(_ global: PickleGlobal) throws -> String {
            let bytes = try Pickler.dumps(.global(global), protocol: 2)
            // PROTO 2, GLOBAL, the two lines, then BINPUT 0 and STOP.
            return String(decoding: bytes.dropFirst(3).dropLast(3), as: UTF8.self)
        }
        for row in tables.names {
            let line = try globalLine(PickleGlobal(module: row[0], name: row[1]))
            #expect(line == "\(row[2])\n\(row[3])\n", "\(row)")
        }
        let renamedNames = Set(tables.names.map { "\($0[0])\n\($0[1])" })
        for row in tables.modules where !renamedNames.contains("\(row[0])\nSomething") {
            #expect(try globalLine(PickleGlobal(module: row[0], name: "Something")) == "\(row[1])\nSomething\n")
        }
    }

    @Test("Non-ASCII global names: UTF-8 at protocol 3 and later, refused below")
    func nonASCIIGlobal() throws {
        let global = PickleValue.global(Self.main("Ünïcode"))
        try expectSameAsCPython(
            [PicklerCase("Ünïcode", global, "Ünïcode")], setup: "class Ünïcode:\n    pass", protocols: 3...5)
        for version in 0...2 {
            #expect {
                try Pickler.dumps(global, protocol: version)
            } throws: { ($0 as? PickleError)?.code == .unpicklable }
        }
        for bad in [
            PickleGlobal(module: "", name: "x"), PickleGlobal(module: "m", name: "a\nb"),
            PickleGlobal(module: "m", name: "a..b"), PickleGlobal(module: "m", name: ""),
            PickleGlobal(module: "m\nn", name: "x"), PickleGlobal(module: "m", name: ".a"),
            PickleGlobal(module: "m", name: "a."),
        ] {
            #expect {
                try Pickler.dumps(.global(bad), protocol: 4)
            } throws: { ($0 as? PickleError)?.code == .unpicklable }
        }
    }

    @Test("Instances of a Python class, as CPython's default __reduce_ex__ writes them")
    func instances() throws {
        let c = PickleObject(newInstanceOf: Self.main("C"), state: ["a": 1, "b": "text", "c": [1, 2]])
        let bare = PickleObject(newInstanceOf: Self.main("C"))
        let shared = PickleObject(newInstanceOf: Self.main("C"), state: ["n": 0])
        try expectSameAsCPython(
            [
                PicklerCase(
                    "instance", .object(c), "make_c(a=1, b='text', c=[1, 2])",
                    loadCheck: "type(x) is C and x.__dict__ == expected.__dict__"),
                PicklerCase("no state", .object(bare), "C()", loadCheck: "type(x) is C and x.__dict__ == {}"),
                PicklerCase(
                    "shared", [.object(shared), .object(shared)], "(lambda c: [c, c])(make_c(n=0))",
                    loadCheck: "x[0] is x[1] and type(x[0]) is C and x[0].n == 0"),
            ],
            setup: Self.classes)
    }

    @Test("An instance that refers to itself through its state")
    func recursiveInstance() throws {
        let c = PickleObject(newInstanceOf: Self.main("C"))
        c.state = ["me": .object(c), "others": [.object(c)]]
        try expectSameAsCPython(
            [
                PicklerCase(
                    "self", .object(c), "_self_c()", loadCheck: "type(x) is C and x.me is x and x.others[0] is x")
            ],
            setup: Self.classes + "\ndef _self_c():\n    c = C(); c.me = c; c.others = [c]; return c\n")
    }

    @Test("pickletester's create_data(): the list x with y = ('abc', 'abc', c, c) twice")
    func pickletesterData() throws {
        let c = PickleObject(newInstanceOf: Self.main("C"), state: ["bar": 2, "foo": 1])
        let y = PickleValue.tuple(["abc", "abc", .object(c), .object(c)])
        let ints: [PickleValue] = [
            1, -1, 255, -255, -256, 65535, -65535, -65536, 2_147_483_647, -2_147_483_647,
            -2_147_483_648,
        ]
        let x = PickleValue.list(PickleList([0, 1, 2.0, .complex(real: 3, imaginary: 0)] + ints + [y, y, 5]))
        try expectSameAsCPython(
            [
                PicklerCase(
                    "create_data", x, "_create_data()",
                    loadCheck: "x[15] is x[16] and x[15][2] is x[15][3] and x[15][2].__dict__ == {'foo': 1, 'bar': 2}")
            ],
            setup: Self.classes + """

                def _create_data():
                    c = C(); c.bar = 2; c.foo = 1
                    x = [0, 1, 2.0, 3.0+0j]
                    uint1max = 0xff; uint2max = 0xffff; int4max = 0x7fffffff
                    x.extend([1, -1, uint1max, -uint1max, -uint1max-1, uint2max, -uint2max, -uint2max-1,
                              int4max, -int4max, -int4max-1])
                    y = ('abc', 'abc', c, c)
                    x.append(y); x.append(y); x.append(5)
                    return x
                """)
    }

    @Test("Instances of list and dict subclasses carry their items (NEWOBJ + APPENDS/SETITEMS)")
    func subclassItems() throws {
        let list = PickleObject(newInstanceOf: Self.main("L"), state: ["x": 5])
        list.listItems = [1, 2, 3]
        let single = PickleObject(newInstanceOf: Self.main("L"))
        single.listItems = ["only"]
        let many = PickleObject(newInstanceOf: Self.main("L"))
        many.listItems = (0..<1001).map { .int($0) }
        let dict = PickleObject(newInstanceOf: Self.main("D"))
        dict.dictItems = [(key: "a", value: 1), (key: "b", value: 2)]
        let dictOne = PickleObject(newInstanceOf: Self.main("D"))
        dictOne.dictItems = [(key: "a", value: 1)]
        let cases = [
            PicklerCase(
                "L", .object(list), "(lambda l: (setattr(l, 'x', 5), l)[1])(L([1, 2, 3]))",
                loadCheck: "type(x) is L and x == [1, 2, 3] and x.x == 5"),
            PicklerCase("L one", .object(single), "L(['only'])", loadCheck: "type(x) is L and x == ['only']"),
            PicklerCase(
                "L 1001", .object(many), "L(range(1001))", loadCheck: "type(x) is L and x == list(range(1001))"),
            PicklerCase("D", .object(dict), "D(a=1, b=2)", loadCheck: "type(x) is D and x == {'a': 1, 'b': 2}"),
            PicklerCase("D one", .object(dictOne), "D(a=1)", loadCheck: "type(x) is D and x == {'a': 1}"),
        ]
        // CPython writes _reconstructor(cls, list, [...]) below protocol 2; Swift writes
        // copyreg.__newobj__(cls) and the items, which load the same.
        try expectSameAsCPython(cases, setup: Self.classes, compared: Array(2...5))
    }

    @Test("State with __slots__, and NEWOBJ with arguments from __getnewargs__")
    func slotsAndArguments() throws {
        let slots = PickleObject(newInstanceOf: Self.main("S"), state: .tuple([.none, ["a": 1, "b": "two"]]))
        let withArguments = PickleObject(
            construction: .newObject, callable: .global(Self.main("N")), arguments: [1, "b"],
            state: ["ab": .tuple([1, "b"])])
        try expectSameAsCPython(
            [
                PicklerCase(
                    "slots", .object(slots), "(lambda s: (setattr(s, 'a', 1), setattr(s, 'b', 'two'), s)[2])(S())",
                    loadCheck: "type(x) is S and x.a == 1 and x.b == 'two'"),
                PicklerCase(
                    "getnewargs", .object(withArguments), "N(1, 'b')", loadCheck: "type(x) is N and x.ab == (1, 'b')"),
            ],
            setup: Self.classes, protocols: 2...5)
        // Below protocol 2, __newobj__ arguments go through copyreg.__newobj__.
        try expectSameAsCPython(
            [
                PicklerCase(
                    "getnewargs", .object(withArguments), "N(1, 'b')",
                    loadCheck: "type(x) is N and x.ab == (1, 'b')")
            ],
            setup: Self.classes, protocols: 0...1, compared: [])
    }

    @Test("NEWOBJ_EX at protocol 4, functools.partial at 2 and 3, copyreg.__newobj_ex__ below")
    func keywordArguments() throws {
        func make(_ name: String) -> PickleObject {
            PickleObject(
                construction: .newObjectWithKeywords, callable: .global(Self.main(name)), arguments: [1],
                keywordArguments: ["k": 2], state: ["a": 1, "k": 2])
        }
        let check = "type(x) is type(expected) and x.a == 1 and x.k == 2"
        // K defines __new__, so CPython's partial names getattr(K, '__new__'), as Swift does.
        try expectSameAsCPython(
            [PicklerCase("K", .object(make("K")), "K(1, k=2)", loadCheck: check)], setup: Self.classes,
            protocols: 0...5, compared: Array(2...5))
        // KO inherits object.__new__: CPython names getattr(object, '__new__'), Swift getattr(KO, '__new__').
        try expectSameAsCPython(
            [PicklerCase("KO", .object(make("KO")), "KO(1, k=2)", loadCheck: check)], setup: Self.classes,
            protocols: 0...5, compared: Array(4...5))
        // No keyword arguments: NEWOBJ_EX with a fresh empty dict for each object, as CPython writes a
        // __reduce_ex__ that returns copyreg.__newobj_ex__ with {} (its default __reduce_ex__ would
        // switch to NEWOBJ for empty keyword arguments).
        func bare() -> PickleObject {
            PickleObject(
                construction: .newObjectWithKeywords, callable: .global(Self.main("E")), arguments: [1],
                state: ["a": 1])
        }
        try expectSameAsCPython(
            [
                PicklerCase(
                    "E twice", [.object(bare()), .object(bare())], "[E(1), E(1)]",
                    loadCheck: "all(type(i) is E and i.a == 1 for i in x)")
            ],
            setup: Self.classes + """

                class E:
                    def __init__(self, a):
                        self.a = a
                    def __reduce_ex__(self, protocol):
                        return (copyreg.__newobj_ex__, (E, (self.a,), {}), {'a': self.a})
                """,
            protocols: 0...5, compared: Array(4...5))
        let twice = PickleValue.list([.object(make("K")), .object(make("K"))])
        try expectSameAsCPython(
            [
                PicklerCase(
                    "two K", twice, "[K(1, k=2), K(1, k=2)]",
                    loadCheck: "all(type(i) is K and i.a == 1 and i.k == 2 for i in x)")
            ],
            setup: Self.classes, compared: Array(2...5))
    }

    @Test("REDUCE of datetime.date, and copyreg.__newobj__ reductions become NEWOBJ at protocol 2")
    func reductions() throws {
        let date = PickleObject(
            construction: .reduce, callable: .global(PickleGlobal(module: "datetime", name: "date")),
            arguments: [.bytes([0x07, 0xBC, 0x05, 0x07])])
        let otherDate = PickleObject(
            construction: .reduce, callable: .global(PickleGlobal(module: "datetime", name: "date")),
            arguments: [.bytes([0x07, 0xE8, 0x02, 0x1D])])
        let newobj = PickleObject(
            construction: .reduce, callable: .global(PickleGlobal(module: "copyreg", name: "__newobj__")),
            arguments: [.global(Self.main("C"))], state: ["a": 1])
        try expectSameAsCPython(
            [
                PicklerCase("date", .object(date), "datetime.date(1980, 5, 7)"),
                PicklerCase(
                    "dates", [.object(date), .object(otherDate), .object(date)],
                    "(lambda d: [d, datetime.date(2024, 2, 29), d])(datetime.date(1980, 5, 7))",
                    loadCheck: "x == expected and x[0] is x[2]"),
            ],
            setup: Self.classes)
        try expectSameAsCPython(
            [PicklerCase("__newobj__", .object(newobj), "make_c(a=1)", loadCheck: "type(x) is C and x.a == 1")],
            setup: Self.classes, compared: Array(2...5))
    }

    @Test("Old-style instances: INST at protocol 0 and OBJ at 1 and 2, as Python 2's pickle.py writes them")
    func oldStyleInstances() throws {
        let object = PickleObject(construction: .instantiate, callable: .global(Self.main("O")), state: ["x": 1])
        let bare = PickleObject(construction: .instantiate, callable: .global(Self.main("O")))
        let value = PickleValue.list([.object(object), .object(bare), .object(bare)])
        if let python2 = Python.pyenv("2.7") {
            let script = """
                import pickle, sys
                class O: pass
                o = O(); o.__dict__[u'x'] = 1
                b = O()
                # Python 2 always writes the instance dict; an empty one is what `bare` has no state for.
                for p in range(3):
                    sys.stdout.write(pickle.dumps([o], p).encode('hex') + '\\n')
                """
            let lines = try Python.script(script, interpreter: python2).text.split(separator: "\n")
            for version in 0...2 {
                let single = try Pickler.dumps(.list([.object(object)]), protocol: version)
                #expect(hex(single) == String(lines[version]), "protocol \(version)")
            }
        }
        try expectSameAsCPython(
            [
                PicklerCase(
                    "O", value, "[_o(x=1), _o(), _o()]",
                    loadCheck: "type(x[0]) is O and x[0].x == 1 and x[1] is x[2] and type(x[1]) is O")
            ],
            setup: "class O:\n    pass\ndef _o(**a):\n    o = O(); o.__dict__.update(a); return o\n",
            compared: [])
        let withArguments = PickleObject(
            construction: .instantiate, callable: .global(Self.main("A")),
            arguments: [1, "two"])
        try expectSameAsCPython(
            [
                PicklerCase(
                    "A", .object(withArguments), "A(1, 'two')", loadCheck: "type(x) is A and x.args == (1, 'two')")
            ],
            setup: "class A:\n    def __init__(self, *args):\n        self.args = args\n", compared: [])
    }

    @Test("Persistent IDs: BINPERSID, and PERSID with ASCII strings at protocol 0")
    func persistentIDs() throws {
        let options = { (version: Int) -> PicklerOptions in
            var options = PicklerOptions(protocolVersion: version)
            options.persistentID = { value in
                if case .string(let text) = value, text.hasPrefix("ext:") { return .string(String(text.dropFirst(4))) }
                if case .object(let object) = value, object.className == "C",
                    let key = object.attributes?["key"]
                {
                    return .tuple(["C", key, "ext:nested"])
                }
                return nil
            }
            return options
        }
        let c = PickleObject(newInstanceOf: Self.main("C"), state: ["key": 7])
        let setup =
            Self.classes + """

                import io
                class _P(pickle.Pickler):
                    def persistent_id(self, obj):
                        if isinstance(obj, str) and obj.startswith('ext:'):
                            return sys.intern(obj[4:])
                        if type(obj) is C:
                            return ('C', obj.key, 'ext:nested')
                        return None
                def _dumps(x, p):
                    f = io.BytesIO(); _P(f, p).dump(x); return f.getvalue()
                class _U(pickle.Unpickler):
                    def persistent_load(self, pid):
                        if isinstance(pid, tuple):
                            return ('loaded', pid)
                        return 'ext:' + pid
                def _loads(b):
                    return _U(io.BytesIO(b)).load()
                """
        try expectSameAsCPython(
            [
                PicklerCase(
                    "strings", ["ext:one", "plain", .tuple(["ext:two", 3]), ["k": "ext:one"]],
                    "['ext:one', 'plain', ('ext:two', 3), {'k': 'ext:one'}]")
            ],
            setup: setup, options: options, dumps: "_dumps", loads: "_loads")
        try expectSameAsCPython(
            [
                PicklerCase(
                    "objects", [.object(c), .object(c)], "(lambda c: [c, c])(make_c(key=7))",
                    loadCheck: "x == [('loaded', ('C', 7, 'ext:nested'))] * 2")
            ],
            setup: setup, protocols: 1...5, options: options, dumps: "_dumps", loads: "_loads")
        #expect {
            try Pickler.dumps(.object(c), options: options(0))
        } throws: { ($0 as? PickleError)?.code == .unpicklable }
    }

    @Test("Out-of-band buffers: NEXT_BUFFER and READONLY_BUFFER, loaded by CPython with buffers=")
    func outOfBandBuffers() throws {
        let shared = PickleByteArray(Array("shared".utf8))
        let value: PickleValue = [
            .bytes(Array("out of band".utf8)), .bytearray(PickleByteArray(Array("writable".utf8))),
            .bytes(Array("in band".utf8)), .bytearray(shared), .bytearray(shared),
        ]
        var options = PicklerOptions(protocolVersion: 5)
        options.sendOutOfBand = { value in
            if case .bytes(let bytes) = value { return bytes.count > 8 }
            if case .bytearray(let array) = value { return array.bytes.count > 6 }
            return false
        }
        let pickler = try Pickler(options: options)
        try pickler.dump(value)
        let script = """
            import pickle, sys, json
            data = pickle.dumps([pickle.PickleBuffer(b'out of band'), pickle.PickleBuffer(bytearray(b'writable')),
                                 b'in band', bytearray(b'shared')], 5, buffer_callback=lambda b: False)
            sys.stdout.write(data.hex())
            """
        let expected = try Python.script(script).text
        // CPython's list holds the shared bytearray once; build the same list for the comparison.
        let single = try Pickler(options: options)
        try single.dump([
            .bytes(Array("out of band".utf8)), .bytearray(PickleByteArray(Array("writable".utf8))),
            .bytes(Array("in band".utf8)), .bytearray(PickleByteArray(Array("shared".utf8))),
        ])
        #expect(hex(single.output) == expected)
        #expect(pickler.outOfBandBuffers == [Array("out of band".utf8), Array("writable".utf8)])
        let load = """
            import pickle, sys, json
            payload = json.load(sys.stdin)
            data, buffers = payload['data'], payload['buffers']
            x = pickle.loads(bytes.fromhex(data), buffers=[bytes.fromhex(buffers[0]), bytearray.fromhex(buffers[1])])
            ok = (x[0] == b'out of band' and type(x[0]) is bytes and x[1] == bytearray(b'writable')
                  and type(x[1]) is bytearray and x[2] == b'in band' and x[3] is x[4] and x[3] == bytearray(b'shared'))
            print(ok)
            """
        struct Payload: Encodable {
            var data: String
            var buffers: [String]
        }
        let payload = try JSONEncoder().encode(
            Payload(data: hex(pickler.output), buffers: pickler.outOfBandBuffers.map { hex($0) }))
        #expect(try Python.script(load, input: payload).text == "True\n")
        #expect(pickler.takeOutOfBandBuffers().count == 2)
        #expect(pickler.outOfBandBuffers.isEmpty)
        // Out-of-band buffers need protocol 5.
        #expect {
            try Pickler(options: PicklerOptions(protocolVersion: 4, sendOutOfBand: { _ in true }))
        } throws: { ($0 as? PickleError)?.code == .unsupportedProtocol }
    }
}
