import Foundation
import TestSupport
import Testing

@testable import Pickle

/// Python 2 pickles, and the Python 2 names of modules and globals.
@Suite struct UnpicklerCompatibilityTests {
    @Test func python2NamesAreCPythonsCompatTable() throws {
        let output = try CPython.run(
            """
            import _compat_pickle, json
            print(json.dumps({'names': [[k[0], k[1], v[0], v[1]] for k, v in _compat_pickle.NAME_MAPPING.items()],
                              'modules': list(_compat_pickle.IMPORT_MAPPING.items())}))
            """)
        let table = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
        let names = table["names"] as? [[String]] ?? []
        let modules = table["modules"] as? [[String]] ?? []
        #expect(names.count > 80 && modules.count > 50)
        for entry in names {
            let renamed = Python2Names.python3Name(of: PickleGlobal(module: entry[0], name: entry[1]))
            #expect(renamed == PickleGlobal(module: entry[2], name: entry[3]), "\(entry)")
        }
        for entry in modules {
            let renamed = Python2Names.python3Name(of: PickleGlobal(module: entry[0], name: "some_name"))
            #expect(renamed == PickleGlobal(module: entry[1], name: "some_name"), "\(entry)")
        }
        #expect(Python2Names.python3Name(of: PickleGlobal(module: "builtins", name: "str")) == nil)
        #expect(Python2Names.python3Name(of: PickleGlobal(module: "collections", name: "OrderedDict")) == nil)
    }

    @Test func fixImportsOnlyBelowProtocol3() throws {
        let range = try Unpickler.load(latin1("\u{80}\u{2}c__builtin__\nxrange\nK\u{1}K\u{7}K\u{1}\u{87}R."))
        guard case .object(let object) = range else {
            Issue.record("\(range)")
            return
        }
        #expect(object.global == PickleGlobal(module: "builtins", name: "range"))
        #expect(object.arguments == [1, 7, 1])
        #expect(
            try Unpickler.load(latin1("\u{80}\u{2}c__builtin__\nreduce\n."))
                == .global(PickleGlobal(module: "functools", name: "reduce")))
        #expect(
            try Unpickler.load(latin1("\u{80}\u{2}cwhichdb\nwhichdb\n."))
                == .global(PickleGlobal(module: "dbm", name: "whichdb")))
        #expect(
            try Unpickler.load(latin1("cCookie\nSimpleCookie\n."))
                == .global(PickleGlobal(module: "http.cookies", name: "SimpleCookie")))
        // Protocol 3 and later are Python 3 pickles: no mapping.
        #expect(
            try Unpickler.load(latin1("\u{80}\u{3}c__builtin__\nreduce\n."))
                == .global(PickleGlobal(module: "__builtin__", name: "reduce")))
        var options = UnpicklerOptions()
        options.fixPython2Imports = false
        #expect(
            try Unpickler.load(latin1("\u{80}\u{2}c__builtin__\nreduce\n."), options: options)
                == .global(PickleGlobal(module: "__builtin__", name: "reduce")))
        for name in ["Exception", "StandardError"] {
            let value = try Unpickler.load(latin1("\u{80}\u{2}cexceptions\n\(name)\nU\u{3}ugh\u{85}R."))
            guard case .object(let exception) = value else { continue }
            #expect(exception.global == PickleGlobal(module: "builtins", name: "Exception"))
            #expect(exception.arguments == ["ugh"])
        }
        for name in ["UserDict", "IterableUserDict"] {
            let value = try Unpickler.load(latin1("\u{80}\u{2}(cUserDict\n\(name)\no}U\u{4}data}K\u{1}K\u{2}ssb."))
            guard case .object(let dict) = value else { continue }
            #expect(dict.global == PickleGlobal(module: "collections", name: "UserDict"))
            #expect(dict.construction == .instantiate)
            #expect(dict.state == ["data": [1: 2]])
        }
        // Python 2's pickles of builtin types load natively through the mapped names.
        #expect(try Unpickler.load(latin1("c__builtin__\nset\n((lp0\nI1\natp1\nRp2\n.")) == .set([1]))
        options.fixPython2Imports = false
        #expect(
            try Unpickler.load(latin1("c__builtin__\nset\n((lp0\nI1\natp1\nRp2\n."), options: options).pythonTypeName
                == "set")
    }

    @Test func python2StringsDecodedAsAsked() throws {
        let pickles = [
            "S'a\\x00\\xa0'\n.", "U\u{3}a\u{0}\u{a0}.", "\u{80}\u{2}U\u{3}a\u{0}\u{a0}.",
            "T\u{3}\u{0}\u{0}\u{0}a\u{0}\u{a0}.",
        ]
        for text in pickles {
            let bytes = latin1(text)
            #expect(loadError(bytes)?.code == .invalidString, "\(text.debugDescription)")
            var options = UnpicklerOptions()
            options.python2Strings = .bytes
            #expect(try Unpickler.load(bytes, options: options) == .bytes([0x61, 0x00, 0xA0]))
            options.python2Strings = .latin1
            #expect(try Unpickler.load(bytes, options: options) == .string("a\u{0}\u{a0}"))
            options.python2Strings = .utf8
            #expect(loadError(bytes, options: options)?.code == .invalidString)
        }
        var options = UnpicklerOptions()
        options.python2Strings = .utf8
        #expect(try Unpickler.load(latin1("U\u{2}\u{c3}\u{a9}."), options: options) == "\u{e9}")
        options.python2Strings = .bytes
        // Python 2 unicode is always str.
        #expect(try Unpickler.load(latin1("V\\u03c0\n."), options: options) == "\u{3c0}")
        #expect(try Unpickler.load(latin1("X\u{2}\u{0}\u{0}\u{0}\u{cf}\u{80}."), options: options) == "\u{3c0}")
        #expect(try Unpickler.load(latin1("\u{80}\u{3}U\u{0}q\u{0}.")) == "")
    }

    /// Pickles made by Python 2.7 itself, at protocols 0-2, loaded with each string decoding and
    /// compared with what Python 3 loads from them.
    @Test(arguments: [("ASCII", Python2StringDecoding.ascii), ("latin1", .latin1), ("bytes", .bytes)])
    func livePython2Pickles(encoding: String, decoding: Python2StringDecoding) throws {
        guard let python2 = Python.pyenv("2.7") else { return }
        let classes = """
            class New(object):
                def __init__(self): self.a = 1; self.s = 'str'; self.u = u'uni'
            class Old:
                def __init__(self): self.b = [2]
            """
        let values = [
            "'ascii'", "'caf\\xe9'", "u'unicod\\xe9'", "42", "2**70", "-1L", "1.5", "None", "True", "(1, 2)",
            "[1, [2]]", "{'a': 1, u'b': 2L}", "set([1, 2])", "frozenset([3])", "bytearray('ab\\xff')", "New()", "Old()",
            "[New(), 'x' * 300, u'y' * 300]", "(lambda l: [l, l])([1])", "{'k': u'\\u20ac'}",
        ]
        let source =
            classes + """

                import cPickle, sys
                values = [\(values.joined(separator: ", "))]
                for value in values:
                    print(' '.join(cPickle.dumps(value, p).encode('hex') for p in range(3)))
                """
        let output = try Python.script(source, interpreter: python2).text
        let pickles = try output.split(separator: "\n").map {
            try $0.split(separator: " ").map { try CPython.bytes(hex: String($0)) }
        }
        #expect(pickles.count == values.count)
        // Python 3 loads them with the same encoding and describes the result.
        let describe =
            pythonDescribe + "\n" + classes.replacingOccurrences(of: "(object)", with: "") + """

                import pickle, sys, json
                for line in sys.stdin.read().split():
                    try:
                        print(json.dumps(describe(pickle.loads(bytes.fromhex(line), encoding='\(encoding)'))))
                    except Exception as e:
                        print(json.dumps({"error": type(e).__name__}))
                """
        let flat = pickles.flatMap { $0 }
        let descriptions = try TestSupportPython.run(describe, input: flat.map(CPython.hex).joined(separator: "\n"))
            .split(separator: "\n")
        #expect(descriptions.count == flat.count)
        var options = UnpicklerOptions()
        options.python2Strings = decoding
        for (bytes, line) in zip(flat, descriptions) {
            let description = try JSONSerialization.jsonObject(with: Data(line.utf8))
            let result = Result { () throws(PickleError) in try Unpickler.load(bytes, options: options) }
            if let failure = description as? [String: Any], let error = failure["error"] as? String {
                if error == "UnicodeDecodeError" {
                    #expect(throws: PickleError.self, "\(CPython.hex(bytes)) \(encoding)") { try result.get() }
                } else {
                    // CPython fails calling something (bytearray(str, b'latin-1') under
                    // encoding='bytes'); nothing is called here, the call stays an inert object.
                    guard case .success(.object) = result else {
                        Issue.record("\(CPython.hex(bytes)) \(encoding): \(error) vs \(result)")
                        continue
                    }
                }
                continue
            }
            switch result {
            case .failure(let error):
                Issue.record("\(CPython.hex(bytes)) \(encoding): \(error)")
            case .success(let value):
                var matcher = ValueMatcher()
                let matched = matcher.matches(value, description)
                #expect(matched, "\(CPython.hex(bytes)) \(encoding): \(matcher.failure ?? "")")
            }
        }
    }

    @Test func builtinTypesFromOlderPythons() throws {
        // Python 3.6 pickled bytearray as bytearray(str, 'latin-1') below protocol 3.
        guard let python36 = Python.pyenv("3.6") else { return }
        let output = try Python.script(
            """
            import pickle
            for value in [bytearray(b'a\\xff'), bytearray(), b'a\\xff', b'', 1+2j, {1}, frozenset([2])]:
                print(' '.join(pickle.dumps(value, p).hex() for p in range(5)))
            """, interpreter: python36
        ).text
        let expected: [PickleValue] = [
            .bytearray(PickleByteArray([0x61, 0xFF])), .bytearray(PickleByteArray()), .bytes([0x61, 0xFF]), .bytes([]),
            .complex(real: 1, imaginary: 2), .set([1]), .frozenset([2]),
        ]
        for (line, value) in zip(output.split(separator: "\n"), expected) {
            for hex in line.split(separator: " ") {
                let loaded = try Unpickler.load(try CPython.bytes(hex: String(hex)))
                #expect(loaded == value && loaded.pythonTypeName == value.pythonTypeName, "\(hex)")
            }
        }
        // Python 3.0-3.2 pickled bytes as bytes(list of ints).
        #expect(try Unpickler.load(latin1("c__builtin__\nbytes\n(lp0\nI97\naI98\na\u{85}R.")) == .bytes([0x61, 0x62]))
    }
}
