import Pickle
import TestSupport
import Testing

@Suite("Pickler: containers, sharing and cycles, byte-exact with CPython")
struct PicklerContainerTests {
    @Test("Tuples of 0 to 4 elements, nested, and shared")
    func tuples() throws {
        try expectSameAsCPython([
            PicklerCase("()", .tuple([]), "()"),
            PicklerCase("(1,)", .tuple([1]), "(1,)"),
            PicklerCase("(1, 2)", .tuple([1, 2]), "(1, 2)"),
            PicklerCase("(1, 2, 3)", .tuple([1, 2, 3]), "(1, 2, 3)"),
            PicklerCase("(1, 2, 3, 4)", .tuple([1, 2, 3, 4]), "(1, 2, 3, 4)"),
            PicklerCase(
                "nested", .tuple([.tuple([]), .tuple([.tuple(["a"])]), "a", .tuple([1, .tuple([2, 3, 4, 5])])]),
                "((), (('a',),), 'a', (1, (2, 3, 4, 5)))"),
            PicklerCase(
                "shared tuple", [.tuple(["x", 1]), .tuple(["x", 1]), .tuple([])],
                "[('x', 1)] * 2 + [()]", loadCheck: "x == expected and x[0] is x[1]"),
            PicklerCase(
                "empty tuples", .tuple([.tuple([]), .tuple([]), .tuple([.tuple([])]), .tuple([.tuple([])])]),
                "((), (), ((),), ((),))"),
        ])
    }

    @Test("Tuples whose elements differ only in type are different objects")
    func tupleElementTypes() throws {
        let items: [PickleValue] = [.tuple([1]), .tuple([true]), .tuple([1.0]), .tuple([1]), .tuple(["1"])]
        let value = PickleValue.list(PickleList(items))
        // Python literal tuples are constants shared by the compiler: (1,) twice is one object.
        try expectSameAsCPython([
            PicklerCase(
                "types", value, "(lambda a: [a, (True,), (1.0,), a, ('1',)])((1,))",
                loadCheck: "x == expected and x[0] is x[3] and type(x[1][0]) is bool")
        ])
    }

    @Test("Lists, dicts and sets of 0, 1, 2, 10, 999, 1000, 1001, 2000 and 2500 items")
    func batches() throws {
        var cases: [PicklerCase] = []
        for count in [0, 1, 2, 10, 999, 1000, 1001, 2000, 2500] {
            let numbers = (0..<count).map { PickleValue.int($0) }
            cases.append(PicklerCase("list \(count)", .list(PickleList(numbers)), "list(range(\(count)))"))
            let dict = PickleDict()
            for number in 0..<count { dict[.int(number)] = .string("v\(number)") }
            cases.append(
                PicklerCase("dict \(count)", .dict(dict), "{i: 'v%d' % i for i in range(\(count))}"))
            cases.append(PicklerCase("set \(count)", .set(PickleSet(numbers)), "set(range(\(count)))"))
            cases.append(
                PicklerCase("frozenset \(count)", .frozenset(PickleFrozenSet(numbers)), "frozenset(range(\(count)))"))
        }
        try expectSameAsCPython(cases)
    }

    /// The items of ``atomsAcrossFrames()``: every kind of atom the pickler writes in a tight loop (`int`s of
    /// one, two and four bytes, `None`, `bool`s, `float`s) next to what ends such a run (larger `int`s, `str`s,
    /// lists), in the same order as the Python function `atoms` below. (Each `str` is different: CPython writes
    /// equal strings that are different objects twice, this pickler once.)
    static func atomItems(count: Int) -> [PickleValue] {
        var items: [PickleValue] = [255, 256, 65535, 65536, .int(Int(Int32.max)), .int(Int(Int32.min)), .int(Int(Int32.min) - 1)]
        for i in 0..<count {
            switch i % 11 {
            case 0: items.append(.int(i % 256))
            case 1: items.append(.int(256 + i))
            case 2: items.append(.int(-i - 1))
            case 3: items.append(.int(i * 100_003))
            case 4: items.append(.none)
            case 5: items.append(.bool(i % 2 == 1))
            case 6: items.append(.float(Double(i) / 4))
            case 7: items.append(.string("s\(i)"))
            case 8: items.append(.list(PickleList([.int(i)])))
            case 9: items.append(.int((1 << 40) + i))
            default: items.append(.int(65535 + i % 3))
            }
        }
        return items
    }

    static let atomsSetup = """
        def atoms(count):
            items = [255, 256, 65535, 65536, 2**31 - 1, -2**31, -2**31 - 1]
            for i in range(count):
                k = i % 11
                items.append([i % 256, 256 + i, -i - 1, i * 100003, None, i % 2 == 1, i / 4, 's%d' % i, [i],
                              2**40 + i, 65535 + i % 3][k])
            return items
        """

    @Test("Lists and tuples of atoms next to other values, within a frame and across frame boundaries")
    func atomsAcrossFrames() throws {
        var cases: [PicklerCase] = []
        // 40,000 items make about 170 KiB of pickle: three frames at protocols 4 and 5.
        for count in [0, 5, 30, 40_000] {
            let items = Self.atomItems(count: count)
            cases.append(PicklerCase("list \(count)", .list(PickleList(items)), "atoms(\(count))"))
            cases.append(PicklerCase("tuple \(count)", .tuple(items), "tuple(atoms(\(count)))"))
        }
        try expectSameAsCPython(cases, setup: Self.atomsSetup)
    }

    @Test("Sets and frozensets of strings, in Python's iteration order")
    func setsOfStrings() throws {
        // The iteration order of a str set depends on hashes; PYTHONHASHSEED=0 makes it stable, and
        // the Swift set takes the order Python iterates in.
        let order = try Python.script(
            "s = {'apple', 'banana', 'cherry', 'date'}\nprint('\\n'.join(s))"
        ).text.split(separator: "\n").map { PickleValue.string(String($0)) }
        try expectSameAsCPython([
            PicklerCase("set", .set(PickleSet(order)), "{'apple', 'banana', 'cherry', 'date'}"),
            PicklerCase(
                "frozenset and shared strings", [.frozenset(PickleFrozenSet(order)), .list(PickleList(order))],
                "(lambda f: [f, list(f)])(frozenset({'apple', 'banana', 'cherry', 'date'}))"),
        ])
    }

    @Test("Shared references and cycles keep their identity")
    func sharingAndCycles() throws {
        // L = []; L.append(L)
        let selfList = PickleList()
        selfList.append(.list(selfList))
        // L = []; T = (L,); L.append(T)
        let tupleCycle = PickleList()
        tupleCycle.append(.tuple([.list(tupleCycle)]))
        // The tuple itself at the top: T = (L,) with L = [T]
        let inner = PickleList()
        let tupleTop = PickleValue.tuple([.list(inner)])
        inner.append(tupleTop)
        // A dict referenced twice, and a dict containing itself.
        let shared: PickleDict = ["k": 1]
        let selfDict = PickleDict()
        selfDict["me"] = .dict(selfDict)
        // A set inside a list inside the set's own tuple... a frozenset reached from itself via a list.
        let holder = PickleList()
        let frozen = PickleValue.frozenset(PickleFrozenSet([.int(1)]))
        holder.append(frozen)
        // Long tuple (MARK ... TUPLE) reached from itself.
        let longInner = PickleList()
        let longTuple = PickleValue.tuple([1, 2, 3, .list(longInner)])
        longInner.append(longTuple)
        try expectSameAsCPython(
            [
                PicklerCase("L.append(L)", .list(selfList), "_self_list()", loadCheck: "x[0] is x"),
                PicklerCase("L=[(L,)]", .list(tupleCycle), "_tuple_cycle()", loadCheck: "x[0][0] is x"),
                PicklerCase("T=([T],)", tupleTop, "_tuple_top()", loadCheck: "x[0][0] is x"),
                PicklerCase(
                    "long T=(1,2,3,[T])", longTuple, "_long_tuple()", loadCheck: "x[3][0] is x and x[:3] == (1, 2, 3)"),
                PicklerCase(
                    "dict twice", [.dict(shared), .dict(shared)], "(lambda d: [d, d])({'k': 1})",
                    loadCheck: "x == expected and x[0] is x[1]"),
                PicklerCase("d['me'] = d", .dict(selfDict), "_self_dict()", loadCheck: "x['me'] is x"),
                PicklerCase(
                    "frozenset shared", [frozen, .list(holder), frozen],
                    "(lambda f: [f, [f], f])(frozenset({1}))", loadCheck: "x == expected and x[0] is x[1][0]"),
            ],
            setup: """
                def _self_list():
                    L = []; L.append(L); return L
                def _tuple_cycle():
                    L = []; T = (L,); L.append(T); return L
                def _tuple_top():
                    L = []; T = (L,); L.append(T); return T
                def _long_tuple():
                    L = []; T = (1, 2, 3, L); L.append(T); return T
                def _self_dict():
                    d = {}; d['me'] = d; return d
                """)
    }

    @Test("A set containing a tuple that refers back to the set through a list")
    func setCycles() throws {
        let set = PickleSet()
        let list = PickleList([.set(set)])
        // Python sets cannot hold lists, but a tuple holding a list is unhashable too; use an instance.
        let box = PickleObject(
            newInstanceOf: PickleGlobal(module: "__main__", name: "Box"), state: ["items": .list(list)])
        set.insert(.object(box))
        try expectSameAsCPython(
            [PicklerCase("set cycle", .set(set), "_set_cycle()", loadCheck: "next(iter(x)).items[0] is x")],
            setup: """
                class Box:
                    def __hash__(self): return 1
                def _set_cycle():
                    s = set(); b = Box(); b.items = [s]; s.add(b); return s
                """)
    }

    @Test("Nested containers, mixed")
    func nested() throws {
        let inner: PickleValue = ["a": [1, 2, .tuple([3, "a"])], "b": .set(PickleSet([1]))]
        try expectSameAsCPython([
            PicklerCase(
                "mixed", [inner, .tuple([.none, true, 1.5, .bytes([1, 2])]), [[[[]]]]],
                "[{'a': [1, 2, (3, 'a')], 'b': {1}}, (None, True, 1.5, b'\\x01\\x02'), [[[[]]]]]")
        ])
    }

    @Test("Lists and dicts whose arrays share storage with other arrays are written unchanged")
    func sharedArrayStorage() throws {
        // Two lists made from one array share its storage until one of them changes; the pickler reads a
        // list's items in place and must neither write the wrong items nor change either list.
        let first = PickleList(["a", 1, [2, 3]])
        let second = PickleList(first.elements)
        let snapshot = first.elements
        let table: PickleDict = ["k": "v", "n": 2]
        let keysBefore = table.keys
        let valuesBefore = table.values
        try expectSameAsCPython([
            PicklerCase(
                "lists sharing storage", [.list(first), .list(second), .dict(table)],
                "(lambda inner: [['a', 1, inner], ['a', 1, inner], {'k': 'v', 'n': 2}])([2, 3])",
                loadCheck: "x == expected and x[0][2] is x[1][2] and x[0] is not x[1]")
        ])
        #expect(first.elements == snapshot && second.elements == snapshot)
        #expect(table.keys == keysBefore && table.values == valuesBefore)
        // A hook sees the same containers it would see without in-place reading, and may change a list
        // while it is written: the pickler then writes the items it saw when it began that list.
        let changing = PickleList([1, 2, 3])
        var options = PicklerOptions(protocolVersion: 5)
        options.persistentID = { value in
            if case .int(2) = value { changing.elements = [] }
            return nil
        }
        let bytes = try Pickler.dumps(.list(changing), options: options)
        #expect(try Unpickler.load(bytes) == [1, 2, 3])
        #expect(changing.elements.isEmpty)
        // The same for a dict, nested in a list, and with the out-of-band hook, which also runs caller code.
        let changingDict: PickleDict = ["a": 1, "b": .bytes([7]), "c": 3]
        var outOfBand = PicklerOptions(protocolVersion: 5)
        outOfBand.sendOutOfBand = { value in
            changingDict.removeAll()
            return true
        }
        let dictBytes = try Pickler.dumps([.dict(changingDict)], options: outOfBand)
        var loadOptions = UnpicklerOptions()
        loadOptions.buffers = [[7]]
        let loaded = try Unpickler.load(dictBytes, options: loadOptions)
        #expect(loaded == [["a": 1, "b": .bytes([7]), "c": 3]])
        #expect(changingDict.isEmpty)
    }
}
