import Foundation
import Testing

@testable import Pickle

/// Instances and other reductions: nothing is called; each construction CPython writes is recorded
/// the same way at every protocol.
@Suite struct UnpicklerObjectTests {
    static let classes = """
        import collections, copyreg, datetime
        class Plain:
            def __init__(self): self.a = 1; self.b = [2]
        class NewArgs:
            def __init__(self, a, b=2): self.a = a; self.b = b
            def __getnewargs_ex__(self): return ((self.a,), {'b': self.b})
        class NewObj:
            def __reduce_ex__(self, proto): return (copyreg.__newobj__, (NewObj, 5))
        class ListSub(list): pass
        class DictSub(dict): pass
        class Slots:
            __slots__ = ('x', 'y')
            def __init__(self): self.x = 1; self.y = 2
            def __getstate__(self): return (None, {'x': self.x, 'y': self.y})
        def listsub():
            l = ListSub([1, 2]); l.z = 3; return l
        """

    /// The loaded value of `expression` at each protocol.
    func load(_ expression: String) throws -> [Int: PickleValue] {
        try CPython.pickles(expression, setup: Self.classes).mapValues { try Unpickler.load($0) }
    }

    func instance(_ value: PickleValue?) -> PickleObject? {
        if case .object(let object)? = value { return object }
        return nil
    }

    @Test func plainInstanceIsNewObjectAtEveryProtocol() throws {
        let values = try load("Plain()")
        for (proto, value) in values {
            let object = try #require(instance(value), "p\(proto)")
            #expect(object.construction == .newObject && object.arguments.isEmpty, "p\(proto)")
            #expect(object.global == PickleGlobal(module: "__main__", name: "Plain"))
            #expect(object.state == ["a": 1, "b": [2]])
            #expect(object.attributes?["a"] == 1)
            #expect(value == values[2], "p\(proto) differs from p2")
        }
    }

    @Test func copyregNewObjAndNewObjEx() throws {
        for (proto, value) in try load("NewObj()") {
            let object = try #require(instance(value))
            #expect(object.construction == .newObject && object.arguments == [5], "p\(proto)")
            #expect(object.className == "NewObj")
        }
        let withKeywords = try load("NewArgs(1, b=7)")
        for (proto, value) in withKeywords {
            let object = try #require(instance(value), "p\(proto)")
            #expect(object.className == "NewArgs", "p\(proto)")
            if proto >= 2 {
                // p2-3: functools.partial(object.__new__, NewArgs, 1, b=7)(); p4-5: NEWOBJ_EX.
                #expect(object.construction == .newObjectWithKeywords, "p\(proto)")
                #expect(object.arguments == [1], "p\(proto)")
                #expect(object.keywordArguments.map { PickleValue.dict($0) } == ["b": 7], "p\(proto)")
            } else {
                // Protocols 0-1 ignore __getnewargs_ex__: copyreg._reconstructor.
                #expect(object.construction == .newObject && object.arguments.isEmpty, "p\(proto)")
            }
            #expect(object.state == ["a": 1, "b": 7])
        }
        #expect(withKeywords[2] == withKeywords[4] && withKeywords[3] == withKeywords[5])
    }

    @Test func subclassesOfListAndDict() throws {
        for (proto, value) in try load("listsub()") {
            let object = try #require(instance(value))
            if proto >= 2 {
                #expect(object.construction == .newObject && object.className == "ListSub", "p\(proto)")
                #expect(object.listItems == [1, 2] && object.state == ["z": 3], "p\(proto)")
            } else {
                // copyreg._reconstructor(ListSub, list, [1, 2]) stays a call, with its state.
                #expect(object.construction == .reduce && object.className == "_reconstructor", "p\(proto)")
                #expect(object.arguments.count == 3 && object.arguments[2] == [1, 2], "p\(proto)")
                #expect(object.state == ["z": 3], "p\(proto)")
            }
        }
        for (proto, value) in try load("DictSub(a=1, b=2)") {
            let object = try #require(instance(value))
            if proto >= 2 {
                #expect(
                    object.dictItems.map(\.key) == ["a", "b"] && object.dictItems.map(\.value) == [1, 2], "p\(proto)")
            } else {
                #expect(object.arguments.last == ["a": 1, "b": 2], "p\(proto)")
            }
        }
        for (proto, value) in try load("collections.OrderedDict([('a', 1), ('b', [2])])") {
            let object = try #require(instance(value))
            #expect(object.global == PickleGlobal(module: "collections", name: "OrderedDict"), "p\(proto)")
            #expect(object.construction == .reduce && object.arguments.isEmpty, "p\(proto)")
            #expect(object.dictItems.map(\.key) == ["a", "b"] && object.dictItems[1].value == [2], "p\(proto)")
        }
    }

    @Test func slotsAndDates() throws {
        for (proto, value) in try load("Slots()") {
            let object = try #require(instance(value))
            #expect(object.state == .tuple([.none, ["x": 1, "y": 2]]), "p\(proto)")
            #expect(object.attributes.map { PickleValue.dict($0) } == ["x": 1, "y": 2])
        }
        let dates = try load("datetime.date(1980, 5, 7)")
        for (proto, value) in dates {
            let date = try #require(instance(value))
            // Below protocol 3 the bytes go through _codecs.encode(text, 'latin1'), which loads as bytes.
            #expect(date.construction == .reduce && date.global == PickleGlobal(module: "datetime", name: "date"))
            #expect(date.arguments == [.bytes([0x07, 0xBC, 0x05, 0x07])], "p\(proto)")
            #expect(value == dates[5])
        }
    }

    @Test func buildTwiceMergesDictStates() throws {
        let bytes = latin1(
            "\u{80}\u{2}c__main__\nC\n)\u{81}}q\u{0}U\u{1}aK\u{1}sb}U\u{1}bK\u{2}sb}U\u{1}aK\u{9}sbh\u{0}\u{86}.")
        let value = try Unpickler.load(bytes)
        guard case .tuple(let parts) = value, case .object(let object) = parts[0], case .dict(let first) = parts[1]
        else {
            Issue.record("\(value)")
            return
        }
        #expect(object.state == ["a": 9, "b": 2])
        // The first state dict, still reachable through the memo, is not changed.
        #expect(PickleValue.dict(first) == ["a": 1])
        // A state that is not a dict replaces the previous one.
        let replaced = try Unpickler.load(latin1("\u{80}\u{2}c__main__\nC\n)\u{81}}U\u{1}aK\u{1}sbK\u{5}b."))
        #expect(instance(replaced)?.state == 5)
    }

    @Test func classicInstances() throws {
        // INST and OBJ, as Python 2 wrote classic-class instances.
        let inst = try Unpickler.load(latin1("(i__main__\nOld\n(dp0\nS'a'\nI1\nsb."))
        let instObject = try #require(instance(inst))
        #expect(
            instObject.construction == .instantiate && instObject.className == "Old" && instObject.arguments.isEmpty)
        #expect(instObject.state == ["a": 1])
        let obj = try Unpickler.load(latin1("(c__main__\nOld\nK\u{1}K\u{2}o}b."))
        let objObject = try #require(instance(obj))
        #expect(objObject.construction == .instantiate && objObject.arguments == [1, 2])
        #expect(objObject.state == .dict([:]))
    }

    @Test func builtinForms() throws {
        let cases: [(String, PickleValue)] = [
            ("c__builtin__\ncomplex\n(I1\ntR.", .complex(real: 1, imaginary: 0)),
            ("c__builtin__\ncomplex\n)R.", .complex(real: 0, imaginary: 0)),
            ("cbuiltins\ncomplex\n(F1.5\nF-0.0\ntR.", .complex(real: 1.5, imaginary: -0.0)),
            ("cbuiltins\nset\n((I1\nI2\nttR.", .set([1, 2])),
            ("cbuiltins\nfrozenset\n)R.", .frozenset([])),
            ("cbuiltins\nbytearray\n(C\u{2}abtR.", .bytearray(PickleByteArray([0x61, 0x62]))),
            ("cbuiltins\nbytes\n(Vab\nVascii\ntR.", .bytes([0x61, 0x62])),
            ("c_codecs\nencode\n(V\u{e9}\nVlatin-1\ntR.", .bytes([0xE9])),
            ("c_codecs\nencode\n(V\\u20ac\ntR.", .bytes([0xE2, 0x82, 0xAC])),
            ("cbuiltins\nint\n)R.", 0), ("cbuiltins\nlist\n)R.", []), ("\u{80}\u{2}cbuiltins\nint\n)\u{81}.", 0),
        ]
        for (text, expected) in cases {
            let value = try Unpickler.load(latin1(text))
            #expect(value == expected && value.pythonTypeName == expected.pythonTypeName, "\(text.debugDescription)")
        }
        // Forms Python would reject when calling, or that are not the builtin ones, are errors or stay inert.
        #expect(loadError(latin1("c_codecs\nencode\n(V\\u20ac\nVlatin1\ntR."))?.code == .invalidArgument)
        #expect(loadError(latin1("cbuiltins\nbytes\n((I300\nltR."))?.code == .invalidArgument)
        #expect(instance(try Unpickler.load(latin1("c_codecs\nencode\n(V\u{e9}\nVutf-16\ntR."))) != nil)
        #expect(instance(try Unpickler.load(latin1("cbuiltins\nbytearray\n(I1000000000\ntR."))) != nil)
        #expect(
            instance(try Unpickler.load(latin1("ccopyreg\n_reconstructor\n(c__main__\nC\ncbuiltins\nint\nI5\ntR.")))
                != nil)
    }
}
