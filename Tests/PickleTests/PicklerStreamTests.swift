import Foundation
import Pickle
import TestSupport
import Testing

/// pyperformance's bm_pickle objects, built in Swift as CPython's pickles describe them.
enum BenchmarkObjects {
    static func dictEntries() -> [(String, PickleValue)] {
        [
            ("ads_flags", 0), ("age", 18), ("birthday", .object(birthday())), ("bulletin_count", 0),
            ("comment_count", 0), ("country", "BR"), ("encrypted_id", "G9urXXAJwjE"), ("favorite_count", 9),
            ("first_name", ""), ("flags", 412_317_970_704), ("friend_count", 0), ("gender", "m"),
            ("gender_for_display", "Male"), ("id", 302_935_349), ("is_custom_profile_icon", 0), ("last_name", ""),
            ("locale_preference", "pt_BR"), ("member", 0), ("tags", ["a", "b", "c", "d", "e", "f", "g"]),
            ("profile_foo_id", 827_119_638), ("secure_encrypted_id", "Z_xxx2dYx3t4YAdnmfgyKw"), ("session_number", 2),
            ("signup_id", "201-19225-223"), ("status", "A"), ("theme", 1), ("time_created", 1_225_237_014),
            ("time_updated", 1_233_134_493), ("unread_message_count", 0), ("user_group", "0"),
            ("username", "collinwinter"), ("play_count", 9), ("view_count", 7), ("zip", ""),
        ]
    }

    /// `datetime.date(1980, 5, 7)`, as its `__reduce__` describes it: `date(b'\x07\xbc\x05\x07')`.
    static func birthday() -> PickleObject {
        PickleObject(
            construction: .reduce, callable: .global(PickleGlobal(module: "datetime", name: "date")),
            arguments: [.bytes([0x07, 0xBC, 0x05, 0x07])])
    }

    static func dict() -> PickleValue {
        .dict(PickleDict(dictEntries().map { (PickleValue.string($0.0), $0.1) }))
    }

    static func tuple() -> PickleValue {
        let numbers: [Int] = [
            265_867_233, 265_868_503, 265_252_341, 265_243_910, 265_879_514, 266_219_766, 266_021_701, 265_843_726,
            265_592_821, 265_246_784, 265_853_180, 45_526_486, 265_463_699, 265_848_143, 265_863_062, 265_392_591,
            265_877_490, 265_823_665, 265_828_884, 265_753_032,
        ]
        return .tuple([.list(PickleList(numbers.map { .int($0) })), 60])
    }

    /// `[mutate_dict(DICT, random.Random(5)) for _ in range(3)]`: the same keys, every value replaced by
    /// `str(random() * sys.maxsize)`; the strings come from CPython.
    static func dictGroup(randomStrings: [String]) -> PickleValue {
        var strings = randomStrings.makeIterator()
        var dicts: [PickleValue] = []
        for _ in 0..<3 {
            let dict = PickleDict()
            for (key, _) in dictEntries() { dict[.string(key)] = .string(strings.next() ?? "?") }
            dicts.append(.dict(dict))
        }
        return .list(PickleList(dicts))
    }

    static func list() -> PickleValue {
        .list(
            PickleList(
                (0..<10).map { _ in
                    [
                        .list(PickleList((0..<10).map { .int($0) })),
                        .list(PickleList((0..<10).map { .int($0) })),
                    ]
                }))
    }

    static func microDict() -> PickleValue {
        let outer = PickleDict()
        for key in 0..<100 {
            let inner = PickleDict()
            for number in 0..<10 { inner[.int(number)] = PickleValue.none }
            outer[.int(key)] = .dict(inner)
        }
        return .dict(outer)
    }

    static let pythonSetup = """
        import datetime, random, sys
        DICT = {
            'ads_flags': 0, 'age': 18, 'birthday': datetime.date(1980, 5, 7), 'bulletin_count': 0,
            'comment_count': 0, 'country': 'BR', 'encrypted_id': 'G9urXXAJwjE', 'favorite_count': 9,
            'first_name': '', 'flags': 412317970704, 'friend_count': 0, 'gender': 'm',
            'gender_for_display': 'Male', 'id': 302935349, 'is_custom_profile_icon': 0, 'last_name': '',
            'locale_preference': 'pt_BR', 'member': 0, 'tags': ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
            'profile_foo_id': 827119638, 'secure_encrypted_id': 'Z_xxx2dYx3t4YAdnmfgyKw', 'session_number': 2,
            'signup_id': '201-19225-223', 'status': 'A', 'theme': 1, 'time_created': 1225237014,
            'time_updated': 1233134493, 'unread_message_count': 0, 'user_group': '0', 'username': 'collinwinter',
            'play_count': 9, 'view_count': 7, 'zip': ''}
        TUPLE = ([265867233, 265868503, 265252341, 265243910, 265879514, 266219766, 266021701, 265843726,
                  265592821, 265246784, 265853180, 45526486, 265463699, 265848143, 265863062, 265392591,
                  265877490, 265823665, 265828884, 265753032], 60)
        def mutate_dict(orig_dict, random_source):
            new_dict = dict(orig_dict)
            for key, value in new_dict.items():
                rand_val = random_source.random() * sys.maxsize
                if isinstance(key, (int, bytes, str)):
                    new_dict[key] = type(key)(rand_val)
            return new_dict
        random_source = random.Random(5)
        DICT_GROUP = [mutate_dict(DICT, random_source) for _ in range(3)]
        LIST = [[list(range(10)), list(range(10))] for _ in range(10)]
        MICRO_DICT = dict((key, dict.fromkeys(range(10))) for key in range(100))
        """

    static func randomStrings() throws -> [String] {
        let script = pythonSetup + "\nimport json\njson.dump([v for d in DICT_GROUP for v in d.values()], sys.stdout)\n"
        return try JSONDecoder().decode([String].self, from: Python.script(script).stdout)
    }
}

@Suite("Pickler: benchmark objects, frames, memo across dumps, errors")
struct PicklerStreamTests {
    @Test("The five bm_pickle objects, byte for byte at every protocol, with CPython's protocol 5 sizes")
    func benchmarkObjects() throws {
        let group = BenchmarkObjects.dictGroup(randomStrings: try BenchmarkObjects.randomStrings())
        let cases = [
            PicklerCase("DICT", BenchmarkObjects.dict(), "DICT"),
            PicklerCase("TUPLE", BenchmarkObjects.tuple(), "TUPLE"),
            PicklerCase("DICT_GROUP", group, "DICT_GROUP"),
            PicklerCase("LIST", BenchmarkObjects.list(), "LIST"),
            PicklerCase("MICRO_DICT", BenchmarkObjects.microDict(), "MICRO_DICT"),
        ]
        try expectSameAsCPython(cases, setup: BenchmarkObjects.pythonSetup)
        let sizes = try cases.map { try Pickler.dumps($0.value, protocol: 5).count }
        #expect(sizes == [683, 120, 2991, 536, 3616])
    }

    @Test("Frames: a list of 100000 ints is split where CPython splits it; 1 MiB of bytes is unframed")
    func frames() throws {
        let numbers = PickleValue.list(PickleList((0..<100_000).map { .int($0) }))
        let mebibyte = [UInt8]((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let big = String(repeating: "0123456789abcdef", count: 4096)  // 64 KiB exactly
        try expectSameAsCPython(
            [
                PicklerCase("100000 ints", numbers, "list(range(100000))"),
                PicklerCase("1 MiB bytes", .bytes(mebibyte), "bytes((i * 31) & 0xff for i in range(1 << 20))"),
                PicklerCase(
                    "large items in a list",
                    [
                        1, .bytes(mebibyte), .string(big), .string(String(big.dropLast())),
                        .bytearray(PickleByteArray(mebibyte)),
                        .bytes(mebibyte), 2,
                    ],
                    "(lambda b, s: [1, b, s, s[:-1], bytearray(b), b, 2])"
                        + "(bytes((i * 31) & 0xff for i in range(1 << 20)), '0123456789abcdef' * 4096)"),
                PicklerCase(
                    "many strings", .list(PickleList((0..<20_000).map { .string("item \($0)") })),
                    "['item %d' % i for i in range(20000)]"),
            ],
            protocols: 3...5)
        // Every frame holds between 32 KiB and 64 KiB plus one item, as CPython's framing test requires.
        let bytes = try Pickler.dumps(numbers, protocol: 4)
        #expect(frameSizes(bytes).dropLast().allSatisfy { $0 > 32 * 1024 && $0 < 64 * 1024 + 16 })
    }

    @Test("Pickler.dumps copies a large bytes payload once; the output is the same as a Pickler's")
    func largePayloadsOfOneDump() throws {
        let mebibyte = [UInt8]((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let other = [UInt8](repeating: 1, count: (1 << 20) + 5)
        let values: [PickleValue] = [
            .bytes(mebibyte),
            [.bytes(mebibyte), "between", .bytes(other), .bytes(mebibyte), 3],
            ["first": .bytes(other), "second": .bytearray(PickleByteArray(mebibyte)), "small": .bytes([1, 2])],
            .tuple([.bytes([UInt8](repeating: 9, count: (1 << 20) - 1)), .bytes(other)]),
        ]
        for proto in 0...5 {
            for value in values {
                let pickler = try Pickler(options: PicklerOptions(protocolVersion: proto))
                try pickler.dump(value)
                let streamed = pickler.takeOutput()
                #expect(try Pickler.dumps(value, protocol: proto) == streamed, "protocol \(proto)")
                #expect(try Unpickler.load(streamed) == value)
            }
        }
        // A dump that fails after a payload was left out throws, as any failed dump does.
        var nested: PickleValue = 1
        for _ in 0..<10 { nested = [nested] }
        let options = PicklerOptions(protocolVersion: 5, maxDepth: 5)
        #expect(throws: PickleError.self) { try Pickler.dumps([.bytes(mebibyte), nested], options: options) }
    }

    @Test("Pickles of fewer than 4 bytes after PROTO have no frame")
    func tinyPickles() throws {
        #expect(try Pickler.dumps(.none, protocol: 4) == [0x80, 0x04, 0x4E, 0x2E])
        #expect(try Pickler.dumps(1, protocol: 5) == [0x80, 0x05, 0x4B, 0x01, 0x2E])
        #expect(try Pickler.dumps([], protocol: 4) == [0x80, 0x04, 0x5D, 0x94, 0x2E])
        // Four bytes make a frame.
        #expect(
            try Pickler.dumps([1], protocol: 4) == [
                0x80, 0x04, 0x95, 6, 0, 0, 0, 0, 0, 0, 0, 0x5D, 0x94, 0x4B, 1, 0x61, 0x2E,
            ])
    }

    @Test("The memo persists across dumps until clearMemo(), as pickletools' _memo_test shows")
    func memoAcrossDumps() throws {
        for version in 0...5 {
            let script = """
                import pickle, io, sys
                f = io.BytesIO(); p = pickle.Pickler(f, \(version))
                x = [1, 2, 3]; s = 'shared'
                p.dump(x); p.dump(x); p.dump((s, x)); p.clear_memo(); p.dump(x); p.dump(s)
                sys.stdout.write(f.getvalue().hex())
                """
            let expected = try Python.script(script).text
            let pickler = try Pickler(options: PicklerOptions(protocolVersion: version))
            let x: PickleValue = [1, 2, 3]
            try pickler.dump(x)
            try pickler.dump(x)
            try pickler.dump(.tuple(["shared", x]))
            pickler.clearMemo()
            try pickler.dump(x)
            try pickler.dump("shared")
            #expect(hex(pickler.output) == expected, "protocol \(version)")
            let load = """
                import pickle, io, sys
                u = pickle.Unpickler(io.BytesIO(bytes.fromhex(sys.stdin.read())))
                a = u.load(); b = u.load(); c = u.load()
                print(a is b and c[1] is a and a == [1, 2, 3])
                """
            #expect(try Python.script(load, input: Data(hex(pickler.takeOutput()).utf8)).text == "True\n")
            #expect(pickler.output.isEmpty)
        }
    }

    @Test("clearMemo() on an empty memo and after a dump: the next dump numbers from 0 either way")
    func clearMemoEmptyOrNot() throws {
        let pickler = try Pickler(options: PicklerOptions(protocolVersion: 2))
        pickler.clearMemo()
        try pickler.dump(12345)
        pickler.clearMemo()
        try pickler.dump(["a"])
        let first = pickler.takeOutput()
        pickler.clearMemo()
        try pickler.dump(["a"])
        let second = pickler.takeOutput()
        #expect(Array(first.suffix(second.count)) == second)
        #expect(try Unpickler.loadAll(first).count == 2)
    }

    @Test("After a large value's output is taken, the next dumps write correctly into a buffer of the usual size")
    func aLargeOutputIsNotKept() throws {
        let large: PickleValue = .bytes([UInt8](repeating: 7, count: 3 << 20))
        let small: PickleValue = ["a", 1, ["b": 2.5]]
        for proto in [2, 4, 5] {
            let pickler = try Pickler(options: PicklerOptions(protocolVersion: proto))
            try pickler.dump(large)
            #expect(pickler.takeOutput() == (try Pickler.dumps(large, protocol: proto)))
            pickler.clearMemo()
            // Enough small dumps to need frames and growth again after the buffer was given back.
            for _ in 0..<3 {
                try pickler.dump(small)
                #expect(pickler.withOutput { Array($0) } == (try Pickler.dumps(small, protocol: proto)))
                pickler.clearMemo()
            }
            try pickler.dump(large)
            try pickler.dump(small)
            let both = pickler.takeOutput()
            #expect(try Unpickler.loadAll(both) == [large, small])
        }
    }

    @Test("withOutput lends the bytes takeOutput would return, then empties the output, even when it throws")
    func withOutputLendsTheBytes() throws {
        struct Stop: Error {}
        let pickler = try Pickler(options: PicklerOptions(protocolVersion: 4))
        try pickler.dump(["a", "b"])
        let lent = pickler.withOutput { Array($0) }
        #expect(lent == (try Pickler.dumps(["a", "b"], protocol: 4)))
        #expect(pickler.output.isEmpty)
        // The memo is kept, as with takeOutput: the second dump refers to the first.
        let shared: PickleValue = ["x"]
        try pickler.dump(shared)
        _ = pickler.withOutput { $0.count }
        try pickler.dump("y")
        #expect(throws: Stop.self) { try pickler.withOutput { (_) throws(Stop) in throw Stop() } }
        #expect(pickler.output.isEmpty)
        // A dump from inside the closure is refused.
        let inner = pickler.withOutput { _ in Result { () throws(PickleError) in try pickler.dump(1) } }
        #expect(throws: PickleError.self) { try inner.get() }
    }

    @Test("A hook that dumps with its own pickler gets an error, and the outer dump goes on")
    func reentrantDumpIsRefused() throws {
        final class Box: @unchecked Sendable {
            var pickler: Pickler?
            var error: PickleError?
        }
        let box = Box()
        var options = PicklerOptions(protocolVersion: 2)
        options.persistentID = { value in
            do {
                try box.pickler?.dump(value)
            } catch {
                box.error = error as? PickleError
            }
            return nil
        }
        let pickler = try Pickler(options: options)
        box.pickler = pickler
        try pickler.dump(["x", 1])
        #expect(box.error?.code == .invalidArgument)
        #expect(box.error?.message.contains("hook") == true)
        #expect(try Unpickler.load(pickler.takeOutput()) == ["x", 1])
        box.pickler = nil
    }

    @Test("The memo keeps its objects alive between dumps, so a new object never takes an old one's place")
    func memoKeepsObjectsAlive() throws {
        let pickler = try Pickler(options: PicklerOptions(protocolVersion: 2))
        var outputs: [[UInt8]] = []
        for round in 0..<50 {
            // Each list is released by Swift after its dump; only the pickler's memo holds it.
            try pickler.dump(.list(PickleList([.int(round)])))
            outputs.append(pickler.takeOutput())
        }
        // Every dump wrote a list in full: an EMPTY_LIST, never a BINGET of an earlier list.
        for output in outputs {
            #expect(output.contains(Opcode.emptyList.rawValue))
            #expect(!output.contains(Opcode.binget.rawValue))
        }
    }

    @Test("pickletools' _dis_test values")
    func pickletoolsExamples() throws {
        let example = PickleObject(
            newInstanceOf: PickleGlobal(module: "__main__", name: "_Example"), state: ["value": 42])
        try expectSameAsCPython(
            [
                PicklerCase(
                    "dis", [1, 2, .tuple([3, 4]), .dict([.bytes(Array("abc".utf8)): "def"])],
                    "[1, 2, (3, 4), {b'abc': 'def'}]"),
                PicklerCase(
                    "examples", [.object(example), .object(example)], "[_Example(42)] * 2",
                    loadCheck: "x[0] is x[1] and x[0].value == 42"),
            ],
            setup: "class _Example:\n    def __init__(self, value):\n        self.value = value\n")
    }

    @Test("Unsupported protocols are refused")
    func unsupportedProtocols() {
        for version in [-1, 6, 100] {
            #expect {
                try Pickler.dumps(1, protocol: version)
            } throws: { ($0 as? PickleError)?.code == .unsupportedProtocol }
        }
    }

    @Test("Nesting deeper than maxDepth throws limitExceeded instead of exhausting the stack")
    func depthLimit() throws {
        var value = PickleValue.list([])
        for _ in 0..<999 { value = .list(PickleList([value])) }
        // 1000 levels: allowed by default, as far as CPython itself can go.
        let ok = try Pickler.dumps(value, protocol: 5)
        let check =
            "import pickle, sys\nx = pickle.loads(bytes.fromhex(sys.stdin.read()))\nn = 0\n"
            + "while x:\n    x = x[0]; n += 1\nprint(n)"
        #expect(try Python.script(check, input: Data(hex(ok).utf8)).text == "999\n")
        let deeper = PickleValue.list([value])
        #expect {
            try Pickler.dumps(deeper, protocol: 5)
        } throws: { ($0 as? PickleError)?.code == .limitExceeded }
        var options = PicklerOptions(protocolVersion: 2)
        options.maxDepth = 10
        var tuples = PickleValue.tuple([])
        for _ in 0..<11 { tuples = .tuple([tuples]) }
        #expect {
            try Pickler.dumps(tuples, options: options)
        } throws: { ($0 as? PickleError)?.code == .limitExceeded }
        // A recursive reduction that CPython would follow until RecursionError.
        let looping = PickleObject(construction: .reduce, callable: .global(PickleGlobal(module: "m", name: "f")))
        looping.arguments = [.object(looping)]
        #expect {
            try Pickler.dumps(.object(looping), protocol: 2)
        } throws: { ($0 as? PickleError)?.code == .limitExceeded }
    }

    @Test("A failed dump leaves the output and the memo usable")
    func failedDump() throws {
        let pickler = try Pickler(options: PicklerOptions(protocolVersion: 2))
        let shared: PickleValue = ["shared"]
        try pickler.dump(shared)
        let first = pickler.output
        #expect {
            try pickler.dump([shared, .global(PickleGlobal(module: "m", name: "ünï"))])
        } throws: { ($0 as? PickleError)?.code == .unpicklable }
        #expect(pickler.output == first)
        try pickler.dump(shared)
        // The memo was cleared, so the list is written in full again and loads on its own.
        let script = """
            import pickle, io, sys
            u = pickle.Unpickler(io.BytesIO(bytes.fromhex(sys.stdin.read())))
            a = u.load(); b = u.load()
            print(a == b == ['shared'] and a is not b)
            """
        #expect(try Python.script(script, input: Data(hex(pickler.output).utf8)).text == "True\n")
    }
}

/// The sizes of the FRAMEs in a pickle that has no other 0x95 byte outside frame payloads' starts.
fileprivate func frameSizes(_ bytes: [UInt8]) -> [Int] {
    var sizes: [Int] = []
    var position = 2
    while position < bytes.count, bytes[position] == Opcode.frame.rawValue {
        var size = 0
        for offset in (1...8).reversed() { size = size << 8 | Int(bytes[position + offset]) }
        sizes.append(size)
        position += 9 + size
    }
    return sizes
}
