import Foundation
import Testing

@testable import Pickle

/// Values pickled by CPython at every protocol load as the same values: types, exact contents,
/// shared objects and cycles.
@Suite struct UnpicklerValueTests {
    @Test("The unpickler's first stack and memo entries fit in what withUnsafeTemporaryAllocation keeps on the stack")
    func stackStorageStaysOnTheStack() {
        // Beyond 1 KiB the standard library allocates the storage on the heap, for every load.
        #expect(UnpicklerStack.initialCapacity * MemoryLayout<UnpicklerStackEntry>.stride <= 1024)
        #expect(UnpicklerMemo.initialCapacity * MemoryLayout<UnpicklerStackEntry>.stride <= 1024)
    }

    static let classes = """
        class C:
            def __init__(self, **kw): self.__dict__.update(kw)
        class Slots:
            __slots__ = ('x', 'y')
            def __init__(self): self.x = 1; self.y = [2]
        class Empty: pass
        """

    /// Loads each case at each protocol and checks it against what CPython loads from the same bytes.
    func check(_ cases: [(String, String)], setup: String = classes, protocols: ClosedRange<Int> = 0...5) throws {
        let loaded = try CPython.cases(cases, setup: setup, protocols: protocols)
        #expect(loaded.count == cases.count)
        for pythonCase in loaded {
            #expect(!pythonCase.pickles.isEmpty, "\(pythonCase.name): CPython pickled nothing")
            for (proto, bytes) in pythonCase.pickles.sorted(by: { $0.key < $1.key }) {
                let unpickler = Unpickler(bytes)
                let result = Result { () throws(PickleError) in try unpickler.load() }
                guard let description = pythonCase.descriptions[proto], !(description is NSNull) else {
                    // CPython itself fails to load it.
                    #expect(throws: PickleError.self, "\(pythonCase.name) p\(proto)") { try result.get() }
                    continue
                }
                let value: PickleValue
                switch result {
                case .success(let loaded): value = loaded
                case .failure(let error):
                    Issue.record("\(pythonCase.name) p\(proto): \(error)")
                    continue
                }
                #expect(unpickler.isAtEnd, "\(pythonCase.name) p\(proto): position \(unpickler.position)")
                var matcher = ValueMatcher()
                let matched = matcher.matches(value, description)
                #expect(matched, "\(pythonCase.name) p\(proto): \(matcher.failure ?? "")")
            }
        }
    }

    @Test func constants() throws {
        try check([("None", "None"), ("True", "True"), ("False", "False"), ("bools", "[True, False, None]")])
    }

    @Test func integersAtEveryOpcodeBoundary() throws {
        let values = [
            "0", "1", "-1", "255", "256", "-255", "-256", "65535", "65536", "-65535", "-65536", "2**31-1", "2**31",
            "-2**31", "-2**31-1", "2**63-1", "2**63", "-2**63", "-2**63-1", "2**64", "-2**64", "2**100", "-2**100",
            "10**50", "-10**50", "2**(8*255-1)-1", "2**(8*255-1)", "-2**(8*255-1)", "-2**(8*255-1)-1",
            "2**(8*300)+12345", "-(2**(8*300))", "2**1000000",
        ]
        try check(values.map { ($0, $0) } + [("all", "[" + values.joined(separator: ", ") + "]")])
    }

    @Test func floats() throws {
        let values = [
            "0.0", "-0.0", "1.5", "float('nan')", "-float('nan')", "float('inf')", "float('-inf')", "1e-310",
            "5e-324", "1.7976931348623157e308", "0.1", "1/3", "-2.5e-100", "123456789.0",
        ]
        try check(values.map { ($0, $0) })
    }

    @Test func complexNumbers() throws {
        let values = ["1+2j", "complex(0, -0.0)", "complex(float('inf'), float('nan'))", "-1.5j", "0j"]
        try check(values.map { ($0, $0) } + [("shared", "[1+2j, 3j]")])
    }

    @Test func strings() throws {
        let values = [
            "''", "'abc'", "'caf\\xe9'", "'\\u20ac'", "'\\U0001F600'", "'a\\nb\\\\c\\r\\x00'", "'\\ud800'",
            "'x\\udfffy'", "'\\ud83d\\ude00'", "'a\\\\u1234'", "'quote\\'\"'", "'\\\\U0001F600 raw'", "'x' * 300",
            "'\\xe9' * 200", "'\\u20ac' * 100", "'line\\nbreak\\\\ and \\\\n'", "'\\x80\\xff'", "'tab\\tend'",
        ]
        try check(values.map { ($0, $0) })
    }

    @Test func bytesAndByteArrays() throws {
        let values = [
            "b''", "b'abc'", "bytes(range(256))", "b'\\x00' * 300", "bytearray()", "bytearray(b'xyz')",
            "bytearray(range(256))", "bytearray(b'\\xff' * 300)",
        ]
        try check(values.map { ($0, $0) } + [("shared", "(lambda b: [b, b, bytes(b)])(bytearray(b'q'))")])
    }

    @Test func setsAndFrozenSets() throws {
        let values = [
            "set()", "{1, 2, 3}", "frozenset()", "frozenset({'a', (1, 2)})", "set(range(2500))",
            "frozenset(range(1500))", "{frozenset({1}), 'x', None, 2.5}", "{(1, (2, (3,)))}",
        ]
        try check(values.map { ($0, $0) })
    }

    @Test func tuplesListsAndDicts() throws {
        let values = [
            "()", "(1,)", "(1, 2)", "(1, 2, 3)", "(1, 2, 3, 4)", "tuple(range(10))", "((((),),),)", "[]", "[1]",
            "list(range(2500))", "{}", "{'a': 1}", "{i: str(i) for i in range(2500)}",
            "{1: 'x', 1.5: 'y', None: 'z', (1, 2): 'w', frozenset(): 'v', b'k': 'u', -7: [], 2**70: ()}",
            "[[[[[]]]]]", "{'nested': {'deeper': [{'deepest': (1, [2])}]}}",
        ]
        try check(values.map { ($0, $0) })
    }

    /// A dict whose pickle repeats a key as another equal number (`1`, `1.0`, `True`, `1+0j`) keeps the first key
    /// with the last value, as CPython's does, whether the keys are searched one by one (small dicts) or through
    /// the index (larger ones), and whichever of the two is an `int`.
    @Test(arguments: [3, 12, 16, 17, 40])
    func keysRepeatedAsOtherNumbersKeepTheFirstKey(size: Int) throws {
        let output = try CPython.run(
            """
            import pickle, sys
            def body(x): return pickle.dumps(x, 2)[2:-1]
            size = \(size)
            keys = [float(i) if i % 2 else i for i in range(size)]
            keys += [1, True, 2.0, complex(2, 0), -0.0, 0, size - 1, size - 2, size + 5.5]
            entries = b''.join(body(key) + body('v%d' % i) for i, key in enumerate(keys))
            data = b'\\x80\\x02}(' + entries + b'u.'
            print(data.hex())
            print(repr(pickle.loads(data)))
            """)
        let lines = output.split(separator: "\n").map(String.init)
        try #require(lines.count == 2)
        let value = try Unpickler.load(try CPython.bytes(hex: lines[0]))
        #expect(value.description == lines[1])
        guard case .dict(let dict) = value else {
            Issue.record("not a dict: \(value)")
            return
        }
        #expect(dict.count == size + 1)
        #expect(dict[.float(1)] == dict[.bool(true)])
    }

    @Test func sharedReferencesAndCycles() throws {
        try check([
            ("shared list", "(lambda L: [L, L, (L,), {'k': L}])([1])"),
            ("self list", "(lambda L: (L.append(L), L)[1])([])"),
            ("list in tuple in list", "(lambda L: (L.append((L,)), L)[1])([])"),
            ("self dict", "(lambda d: (d.__setitem__('self', d), d)[1])({})"),
            ("shared dict values", "(lambda d: {'a': d, 'b': [d, d]})({'x': 1})"),
            ("mutual", "(lambda a, b: (a.append(b), b.append(a), [a, b])[2])([], [])"),
            ("shared set", "(lambda s: [s, s])({1})"),
            ("shared bytearray", "(lambda b: (b, [b]))(bytearray(b'z'))"),
            ("deep shared", "(lambda x: [[x], [[x]], [[[x]]]])(['leaf'])"),
        ])
    }

    @Test func instances() throws {
        try check([
            ("instance", "C(a=1, b='two', c=[3])"),
            ("empty instance", "Empty()"),
            ("shared instance", "(lambda c: [c, c, (c,)])(C(x=1))"),
            ("self-referencing instance", "(lambda c: (setattr(c, 'me', c), c)[1])(C())"),
            (
                "instances referencing each other",
                "(lambda a, b: (setattr(a, 'b', b), setattr(b, 'a', a), [a, b])[2])(C(), C())"
            ),
            ("instance as dict key and value", "(lambda c: {c: c})(C(k=1))"),
            ("slots", "Slots()"),
            ("list of instances", "[C(i=i) for i in range(50)]"),
        ])
    }

    @Test func pyperformanceObjects() throws {
        let setup = """
            import datetime, random
            DICT = {
                'ads_flags': 0, 'age': 18, 'bulletin_count': 0, 'comment_count': 0, 'country': 'BR',
                'encrypted_id': 'G9urXXAJwjE', 'favorite_count': 9, 'first_name': '', 'flags': 412317970704,
                'friend_count': 0, 'gender': 'm', 'gender_for_display': 'Male', 'id': 302935349,
                'is_custom_profile_icon': 0, 'last_name': '', 'locale_preference': 'pt_BR', 'member': 0,
                'tags': ['a', 'b', 'c', 'd', 'e', 'f', 'g'], 'profile_foo_id': 827119638,
                'secure_encrypted_id': 'Z_xxx2dYx3t4YAdnmfgyKw', 'session_number': 2, 'signup_id': '201-19225-223',
                'status': 'A', 'theme': 1, 'time_created': 1225237014, 'time_updated': 1233134493,
                'unread_message_count': 0, 'user_group': '0', 'username': 'collinwinter', 'play_count': 9,
                'view_count': 7, 'zip': ''}
            TUPLE = ([265867233, 265868503, 265252341, 265243910, 265879514, 266219766, 266021701, 265843726,
                      265592821, 265246784, 265853180, 45526486, 265463699, 265848143, 265863062, 265392591,
                      265877490, 265823665, 265828884, 265753032], 60)
            def mutate_dict(orig_dict, random_source):
                new_dict = dict(orig_dict)
                for key, value in new_dict.items():
                    rand_val = random_source.random() * 2**62
                    if isinstance(value, (int, bytes, str)):
                        new_dict[key] = type(value)(rand_val)
                return new_dict
            random_source = random.Random(5)
            DICT_GROUP = [mutate_dict(DICT, random_source) for _ in range(3)]
            LIST = [[list(range(10)), list(range(10))] for _ in range(10)]
            MICRO_DICT = dict((key, dict.fromkeys(range(10))) for key in range(100))
            """
        try check(
            [("TUPLE", "TUPLE"), ("DICT_GROUP", "DICT_GROUP"), ("LIST", "LIST"), ("MICRO_DICT", "MICRO_DICT")],
            setup: setup)
        // DICT holds a datetime.date, which stays an inert object: check it apart.
        let pickles = try CPython.pickles("DICT", setup: setup + "\nDICT['birthday'] = datetime.date(1980, 5, 7)")
        let dictSize = try Int(
            CPython.run(setup + "\nprint(len(DICT) + 1)").trimmingCharacters(in: .whitespacesAndNewlines))
        for (proto, bytes) in pickles.sorted(by: { $0.key < $1.key }) {
            let value = try Unpickler.load(bytes)
            guard case .dict(let dict) = value, case .object(let date)? = dict["birthday"] else {
                Issue.record("p\(proto): \(value)")
                continue
            }
            #expect(dict.count == dictSize)
            #expect(dict["flags"] == 412_317_970_704)
            #expect(dict["username"] == "collinwinter")
            #expect(date.global == PickleGlobal(module: "datetime", name: "date"), "p\(proto)")
            #expect(date.construction == .reduce)
            #expect(date.arguments.first?.bytesValue == [0x07, 0xBC, 0x05, 0x07], "p\(proto)")
            if case .string(let first)? = dict["first_name"], case .string(let zip)? = dict["zip"] {
                #expect(first.isEmpty && zip.isEmpty)
            }
        }
    }
}
