import Foundation
import Testing
import TestSupport

@testable import Pickle

/// `PickleDisassembler` against CPython 3.11's `pickletools.dis`, byte for byte.
@Suite("PickleDisassembler is pickletools.dis")
struct PickleDisassemblerTests {
    /// One pickle and what `pickletools.dis` printed for it.
    struct Case {
        var name: String
        var data: [UInt8]
        var text: String
        /// `TypeName: message` of the exception `dis` raised, or `nil`.
        var error: String?
        var indentLevel: Int
        var annotate: Int
    }

    @Test("every pickle of the golden corpus disassembles to its committed pickletools.dis text")
    func goldenCorpus() throws {
        let entries = try UnpicklerGoldenTests.manifest("golden/manifest.json")
        var compared = 0
        for entry in entries {
            guard let file = entry["file"] as? String, let disFile = entry["dis"] as? String else { continue }
            let data = try UnpicklerGoldenTests.bytes("golden/" + file)
            let expected = String(decoding: try UnpicklerGoldenTests.bytes("golden/" + disFile), as: UTF8.self)
            var actual = ""
            if let pickles = entry["pickles"] as? [[String: Any]] {
                // A stream: each pickle was disassembled on its own, with the memo carried over.
                var memo = PickleDisassembler.Memo()
                var start = 0
                for pickle in pickles {
                    let end = try #require(pickle["end"] as? Int)
                    let part = PickleDisassembler.disassembly(of: Array(data[start..<end]), memo: &memo)
                    #expect(part.error == nil, "\(file) at \(start)")
                    actual += part.text
                    start = end
                }
            } else {
                actual = PickleDisassembler.disassembly(of: data).text
            }
            #expect(actual == expected, "\(file)")
            compared += 1
        }
        #expect(compared > 1000)
    }

    @Test("pickles CPython writes at protocols 0 to 5 disassemble exactly as pickletools.dis prints them")
    func cpythonPickles() throws {
        let cases = try Self.run(Self.corpusScript + Self.driver + "emit_corpus()\n")
        #expect(cases.count > 300)
        try Self.compare(cases)
    }

    @Test("Python 2.7 pickles (pickle and cPickle, protocols 0 to 2) disassemble as pickletools.dis prints them")
    func python27Pickles() throws {
        let python27 = try #require(Python.pyenv("2.7"), "pyenv has no Python 2.7")
        let made = try Python.script(Self.python27Script, interpreter: python27)
        let cases = try Self.run(Self.driver + "emit_lines(sys.stdin.read())\n", input: made.stdout)
        #expect(cases.count >= 60)
        try Self.compare(cases)
    }

    @Test("hand-made pickles: odd arguments, every opcode, and stack, mark and memo errors")
    func handMade() throws {
        let cases = try Self.run(Self.driver + Self.handMadeScript)
        #expect(cases.count > 60)
        try Self.compare(cases)
    }

    @Test("every truncation of a pickle prints what pickletools.dis printed before failing")
    func truncations() throws {
        let cases = try Self.run(Self.driver + """
            for protocol in range(6):
                data = pickle.dumps([1, 'a', b'b', (2.5, None), {'k': [True, 2**70]}, {3}, frozenset(),
                                     bytearray(b'x')], protocol)
                for end in range(len(data)):
                    emit('p%d[:%d]' % (protocol, end), data[:end])
            data = b"(lp0\\nI1\\naF2.5\\naS'x'\\naVy\\naL5L\\nacbuiltins\\nlen\\nag0\\na."
            for end in range(len(data)):
                emit('text[:%d]' % end, data[:end])
            """)
        #expect(cases.count > 500)
        try Self.compare(cases)
    }

    @Test("annotations are laid out as pickletools lays them out")
    func annotations() throws {
        // pickletools' one-line docs are its own prose; the test gives each opcode this package's
        // summary instead, so the layout is compared byte for byte.
        let summaries = Opcode.allCases.map { "\($0.name)\t\($0.disassemblySummary)" }.joined(separator: "\n")
        let cases = try Self.run(Self.driver + """
            summaries = dict(line.split('\\t') for line in sys.stdin.read().split('\\n'))
            for op in pickletools.opcodes:
                op.doc = summaries[op.name] + '\\nmore'
            for protocol in range(6):
                data = pickle.dumps([1, 'a' * 40, (2.5, None), {'k': [True, 2**70]}, {3}, len], protocol)
                for annotate in (1, 10, 30, 60):
                    emit('p%d-annotate%d' % (protocol, annotate), data, annotate=annotate)
            """, input: Data(summaries.utf8))
        #expect(cases.count == 24)
        try Self.compare(cases)
    }

    @Test("a stream of pickles disassembles like repeated pickletools.dis calls, with or without a shared memo")
    func streams() throws {
        let output = try Python.script("""
            import io, pickle, pickletools, sys, json
            stream = io.BytesIO()
            for protocol in range(6):
                pickle.dump([protocol, 'x', (1, 2)], stream, protocol)
            data = stream.getvalue()
            out = io.StringIO()
            f = io.BytesIO(data)
            while f.tell() < len(data):
                pickletools.dis(f, out=out)
            # One pickler writing twice: the second pickle refers to the first one's memo.
            shared = io.BytesIO()
            pickler = pickle.Pickler(shared, 2)
            value = [1, 2, 3]
            pickler.dump(value)
            pickler.dump(value)
            shared_out = io.StringIO()
            memo = {}
            g = io.BytesIO(shared.getvalue())
            while g.tell() < len(shared.getvalue()):
                pickletools.dis(g, out=shared_out, memo=memo)
            second = io.StringIO()
            try:
                h = io.BytesIO(shared.getvalue())
                pickletools.dis(h, out=second)
                pickletools.dis(h, out=second)
            except ValueError:
                pass
            print(json.dumps([data.hex(), out.getvalue(), shared.getvalue().hex(), shared_out.getvalue(),
                              second.getvalue()]))
            """)
        let fields = try #require(try JSONSerialization.jsonObject(with: output.stdout) as? [String])
        let stream = Self.bytes(fromHex: fields[0])
        #expect(try PickleDisassembler.disassembleStream(stream) == fields[1])
        #expect(try PickleDisassembler.disassembleStream([]) == "")

        let shared = Self.bytes(fromHex: fields[2])
        #expect(try PickleDisassembler.disassembleStream(shared, sharingMemo: true) == fields[3])
        let unshared = PickleDisassembler.streamDisassembly(of: shared)
        #expect(unshared.text == fields[4])
        #expect(unshared.error?.code == .memoKeyNotFound)

        // One pickle at a time, from where the last one ended.
        var offset = 0
        var text = ""
        while offset < stream.count {
            let part = PickleDisassembler.disassembly(of: stream, from: offset)
            #expect(part.error == nil)
            #expect(part.endOffset > offset)
            text += part.text
            offset = part.endOffset
        }
        #expect(text == fields[1])
    }

    @Test("errors carry the offset and a code")
    func errors() throws {
        #expect(throws: PickleError.self) { try PickleDisassembler.disassemble([]) }
        do {
            _ = try PickleDisassembler.disassemble([0x80, 0x02, 0x4e, 0x4e, 0x2e])
            Issue.record("a stack left with two values did not fail")
        } catch {
            #expect(error.code == .invalidStack)
            #expect(error.offset == 4)
        }
        do {
            _ = try PickleDisassembler.disassemble([0x4e, 0x65, 0x2e])
            Issue.record("APPENDS without a MARK did not fail")
        } catch {
            #expect(error.code == .markNotFound)
            #expect(error.offset == 1)
        }
        do {
            _ = try PickleDisassembler.disassemble([0x4e, 0xff, 0x2e])
            Issue.record("an unknown opcode did not fail")
        } catch {
            #expect(error.code == .unknownOpcode)
            #expect(error.offset == 1)
        }
        let partial = PickleDisassembler.disassembly(of: [0x80, 0x04, 0x68, 0x05, 0x2e])
        #expect(partial.error?.code == .memoKeyNotFound)
        #expect(partial.error?.offset == 2)
        #expect(partial.text.hasSuffix("BINGET     5\n"))
    }

    @Test("randomly damaged pickles never crash and fail where pickletools.dis fails")
    func damaged() throws {
        let cases = try Self.run(Self.driver + """
            import random
            rng = random.Random(2024)
            sources = [pickle.dumps(v, p) for p in range(2, 6) for v in
                       ([1, 'abc', b'xy', (None, True), {'k': 2**65}, {1.5}], list(range(300)), {'a': [[], ()]})]
            for i in range(600):
                data = bytearray(rng.choice(sources))
                for _ in range(rng.randint(1, 3)):
                    data[rng.randrange(len(data))] = rng.choice([rng.randrange(256), 0x28, 0x2e, 0x30, 0x31, 0x94])
                emit('damaged-%d' % i, bytes(data))
            """)
        #expect(cases.count == 600)
        try Self.compare(cases)
    }

    // MARK: - Running Python

    static func run(_ script: String, input: Data = Data()) throws -> [Case] {
        let output = try Python.script(script, input: input)
        return try output.text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            let fields = try #require(object as? [String: Any])
            return Case(
                name: fields["name"] as? String ?? "",
                data: bytes(fromHex: fields["data"] as? String ?? ""),
                text: fields["text"] as? String ?? "",
                error: fields["error"] as? String,
                indentLevel: fields["indent"] as? Int ?? 4,
                annotate: fields["annotate"] as? Int ?? 0)
        }
    }

    static func compare(_ cases: [Case]) throws {
        var failures = 0
        for testCase in cases {
            let result = PickleDisassembler.disassembly(
                of: testCase.data, indentLevel: testCase.indentLevel, annotate: testCase.annotate)
            var matches: Bool
            if let error = testCase.error, error.hasPrefix("UnicodeDecodeError") {
                // pickletools cannot show a non-ASCII STRING or GLOBAL; the disassembler shows it.
                matches = result.text.hasPrefix(testCase.text)
            } else {
                matches = result.text == testCase.text && (result.error == nil) == (testCase.error == nil)
            }
            if !matches {
                failures += 1
                if failures <= 5 {
                    Issue.record("""
                        \(testCase.name): \(testCase.data.map { String(format: "%02x", $0) }.joined())
                        Python (\(testCase.error ?? "no error")):
                        \(testCase.text)
                        Swift (\(result.error.map { "\($0)" } ?? "no error")):
                        \(result.text)
                        """)
                }
            }
        }
        #expect(failures == 0, "\(failures) of \(cases.count) differ")
    }

    static func bytes(fromHex hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map {
            UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16) ?? 0
        }
    }

    // MARK: - Scripts

    /// Prints one JSON line per pickle: its bytes and what `pickletools.dis` printed and raised.
    static let driver = #"""

        import io, json, pickle, pickletools, sys

        def emit(name, data, indentlevel=4, annotate=0):
            out = io.StringIO()
            error = None
            try:
                pickletools.dis(data, out=out, indentlevel=indentlevel, annotate=annotate)
            except Exception as e:
                error = '%s: %s' % (type(e).__name__, e)
            print(json.dumps({'name': name, 'data': data.hex(), 'text': out.getvalue(), 'error': error,
                              'indent': indentlevel, 'annotate': annotate}))

        def emit_lines(text):
            for line in text.split():
                name, data = line.split(':')
                emit(name, bytes.fromhex(data))

        def emit_corpus():
            for name, value in values():
                for protocol in range(6):
                    try:
                        data = dumps(value, protocol, persistent=name == 'persistent')
                    except TypeError:
                        continue  # like a class with __slots__ at protocols 0 and 1
                    emit('%s-p%d' % (name, protocol), data)
                    if protocol in (0, 2, 4) and name not in ('big_frame', 'batch'):
                        emit('%s-p%d-py' % (name, protocol), dumps(value, protocol, python=True))
                        emit('%s-p%d-opt' % (name, protocol), pickletools.optimize(data))
                    if protocol == 1 and name in ('instances', 'tuples'):
                        emit('%s-p%d-indent0' % (name, protocol), data, indentlevel=0)
                        emit('%s-p%d-indent2' % (name, protocol), data, indentlevel=2)
            buffers = []
            views = [pickle.PickleBuffer(b'ro'), pickle.PickleBuffer(bytearray(b'rw'))]
            emit('oob-p5', pickle.dumps(views, 5, buffer_callback=buffers.append))
            emit('inband-p5', pickle.dumps(views, 5))

        """#

    /// Values of many kinds, and the classes they need, pickled by `emit_corpus`.
    static let corpusScript = #"""
        import collections, copyreg, datetime, decimal, fractions, io, json, pickle, pickletools, sys

        # Classes that pickle in different ways; they live in __main__, which is where the pickles name them.
        class Plain:
            def __init__(self):
                self.a = 1
                self.b = [1, 2]

        class Slotted:
            __slots__ = ('x', 'y')
            def __init__(self):
                self.x = 1
                self.y = 'two'

        class WithNewArgs:
            def __init__(self, n):
                self.n = n
            def __getnewargs__(self):
                return (self.n,)

        class WithKeywords:
            def __new__(cls, *args, **kwargs):
                return object.__new__(cls)
            def __init__(self, n=0):
                self.n = n
            def __getnewargs_ex__(self):
                return ((self.n,), {'flag': True})

        class MyList(list):
            pass

        class MyDict(dict):
            pass

        class Extended:
            pass

        copyreg.add_extension('__main__', 'Extended', 0x42)
        class Extended2:
            pass
        copyreg.add_extension('__main__', 'Extended2', 0x1234)
        class Extended4:
            pass
        copyreg.add_extension('__main__', 'Extended4', 0x12345678)

        class Persistent(pickle.Pickler):
            def persistent_id(self, obj):
                if isinstance(obj, str) and obj.startswith('ref:'):
                    return obj[4:]
                return None

        def values():
            L = [1]; L.append(L)
            D = {}; D['self'] = D
            T_list = []; T = (T_list,); T_list.append(T)
            shared = [1, 2]
            ml = MyList([1, 2, 3]); ml.extra = 'x'
            md = MyDict(a=1); md.extra = 'y'
            yield 'none', None
            yield 'bools', [True, False]
            yield 'ints', [0, 1, -1, 255, 256, 65535, 65536, -65536, 2**31 - 1, -2**31, 2**31, 2**63, -2**63 - 1]
            yield 'bigint', 2**2000 + 12345
            yield 'bigneg', -(3**1000)
            yield 'floats', [0.0, -0.0, 0.1, 1e16, 1e-5, 1.5e300, float('inf'), float('-inf'), 2.5]
            yield 'nan', float('nan')
            yield 'complex', [1+2j, 3j, complex(-0.0, -1)]
            yield 'strs', ['', 'abc', "it's", 'say "x"', 'both \' and "', 'tab\there\n', '\\back\\',
                           'é日本\U0001f600', '\x00\x7f\x80\xa0\u2028', 'x' * 300]
            yield 'surrogates', ['\ud800', 'a\udfffb']
            yield 'bytes', [b'', b'abc', b'\x00\xff', bytes(range(256)), b"'", b'"', b'\'"', b'x' * 300]
            yield 'bytearray', [bytearray(b'abc'), bytearray()]
            yield 'tuples', [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((), ((),))]
            yield 'lists', [[], [[]], list(range(30))]
            yield 'batch', list(range(2500))
            yield 'dicts', [{}, {'a': 1, 'b': [2]}, {i: str(i) for i in range(1200)}]
            yield 'sets', [set(), {1, 2, 3}, frozenset(), frozenset({'a'}), set(range(1100))]
            yield 'recursive_list', L
            yield 'recursive_dict', D
            yield 'recursive_tuple', T
            yield 'shared', [shared, shared, (shared, shared)]
            yield 'globals', [len, collections.OrderedDict, pickle.Pickler, datetime.date]
            yield 'objects', [datetime.date(1980, 5, 7), datetime.datetime(2020, 1, 2, 3, 4, 5, 6),
                              decimal.Decimal('1.5'), fractions.Fraction(1, 3), collections.OrderedDict(a=1),
                              collections.Counter('aab')]
            yield 'instances', [Plain(), WithNewArgs(5), WithKeywords(7), ml, md]
            yield 'slotted', Slotted()
            yield 'extensions', [Extended, Extended2, Extended4]
            yield 'big_frame', ['s%d' % i for i in range(8000)]
            yield 'big_bytes', [b'x' * 70000, 'y' * 70000, b'z']
            yield 'persistent', ['ref:one', ['ref:two', 3]]
            yield 'bm_dict', {'ads_flags': 0, 'age': 18, 'birthday': datetime.date(1980, 5, 7), 'country': 'BR',
                              'flags': 412317970704, 'first_name': '', 'last_name': '', 'tags': list('abcdefg')}

        def dumps(value, protocol, persistent=False, python=False):
            f = io.BytesIO()
            cls = Persistent if persistent else (pickle._Pickler if python else pickle.Pickler)
            cls(f, protocol).dump(value)
            return f.getvalue()

        """#

    /// Pickles written by Python 2.7's pickle and cPickle, printed as `name:hex` lines.
    static let python27Script = #"""
        import pickle, cPickle, sys

        class OldStyle:
            def __init__(self):
                self.a = 1

        class OldWithArgs:
            def __init__(self, x):
                self.x = x
            def __getinitargs__(self):
                return (self.x,)

        class NewStyle(object):
            def __init__(self):
                self.b = [1, 'two']

        values = {
            'ascii_str': 'hello',
            'latin1_str': 'caf\xe9',
            'unicode': u'caf\xe9 \u65e5\U0001f600',
            'escapes': 'a\'b"c\\d\n\t\x00',
            'ints': [0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31],
            'longs': [1L, 2**64, -2**100, 0L],
            'floats': [0.1, 1e300, -0.0, 1.5],
            'containers': [(), (1,), [1, 2], {'a': (1, 2)}, set([1, 2]), frozenset(['x'])],
            'old_style': OldStyle(),
            'old_args': OldWithArgs(5),
            'new_style': NewStyle(),
            'shared': [[1], [1]],
            'bool': [True, False, None],
        }
        shared = [1]
        values['shared'] = [shared, shared]
        recursive = []
        recursive.append(recursive)
        values['recursive'] = recursive
        for name in sorted(values):
            for module in (pickle, cPickle):
                for protocol in range(3):
                    data = module.dumps(values[name], protocol)
                    sys.stdout.write('%s-%s-p%d:%s\n' % (name, module.__name__, protocol, data.encode('hex')))
        """#

    /// Pickles written by hand, for the opcodes and argument forms no pickler of today writes, and
    /// for the checks `pickletools.dis` makes.
    static let handMadeScript = #"""
        cases = {
            'int_bools': b'(I00\nI01\nI-5\nI+7\nt.',
            'long_text': b'(L123L\nL-99999999999999999999999\nL0\nt.',
            'float_text': b'(F1.5\nF-0.0\nF1e+16\nFinf\nFnan\nF1e-05\nt.',
            'string_quotes': b"(S'abc'\nS\"it's\"\nS'a\\\\b\\n\\x00\\''\nS''\nt.",
            'unicode_escapes': b'(Vabc\\u20ac\\U0001f600\nV\nVa\\\\b\nt.',
            'short_binstring': b'(U\x03abcT\x02\x00\x00\x00\xe9\xff\x85.',
            'binunicode8': b'\x80\x04\x8d\x03\x00\x00\x00\x00\x00\x00\x00abc\x94.',
            'binbytes8': b'\x80\x04\x8e\x02\x00\x00\x00\x00\x00\x00\x00\x00\xff\x94.',
            'bytearray8': b'\x80\x05\x96\x02\x00\x00\x00\x00\x00\x00\x00\'"\x94.',
            'binbytes': b'\x80\x03B\x03\x00\x00\x00a\'bC\x01"\x86.',
            'long1_long4': b'\x80\x02(\x8a\x00\x8a\x01\xff\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01'
                           b'\x8b\x02\x00\x00\x00\x00\x80t.',
            'binint': b'\x80\x02(J\xff\xff\xff\xffK\xffM\xff\xffJ\x00\x00\x00\x80t.',
            'binfloat': b'\x80\x02G?\xf0\x00\x00\x00\x00\x00\x00.',
            'dup_pop': b'(N2t0N.',
            'pop_mark': b'N(I1\nI2\n1.',
            'pop_of_mark': b'N(0.',
            'get_put': b'(lp5\nI1\nag5\nap6\n0.',
            'long_binput': b'\x80\x02]r\x00\x01\x00\x00j\x00\x01\x00\x00\x86.',
            'memoize': b'\x80\x04]\x94]\x94h\x00h\x01\x87.',
            'global_inst': b'(cbuiltins\nlist\nI1\n\x85Rp0\n(i__main__\nC\n.',
            'inst_args': b'(I1\nS\'x\'\ni__main__\nC\np0\n.',
            'obj': b'\x80\x02(c__main__\nC\nK\x01o.',
            'stack_global': b'\x80\x04\x8c\x08builtins\x8c\x03len\x93.',
            'newobj_ex': b'\x80\x04c__main__\nC\n)}\x92.',
            'sets': b'\x80\x04\x8f(K\x01K\x02\x90(K\x03\x91\x86.',
            'dict_setitem': b'(dS\'a\'\nI1\nsS\'b\'\nI2\ns.',
            'ext': b'\x80\x02(\x82\x01\x83\x01\x02\x84\x01\x02\x03\x04t.',
            'persid': b'(Pabc\nP\nt.',
            'binpersid': b'\x80\x02K\x05Q.',
            'buffers': b'\x80\x05\x97\x98\x97\x86.',
            'frame': b'\x80\x04\x95\x03\x00\x00\x00\x00\x00\x00\x00K\x01.',
            'proto_only': b'\x80\x05N.',
            'deep_marks': b'((((((I1\nttttt.',
            'trailing_bytes': b'N.garbage',
            'unicode_surrogate': b'X\x03\x00\x00\x00\xed\xa0\x80.',
            'unicode_surrogate_text': b'V\\ud800\n.',
            'latin1_unicode': b'V\xe9\n.',
            'big_offset': b'(' + b'N0' * 60000 + b'l.',
            # Errors pickletools reports after printing the offending line.
            'no_mark_list': b'Nl.',
            'no_mark_appends': b']e.',
            'no_mark_tuple': b't.',
            'get_unknown': b'g3\n.',
            'binget_unknown': b'h\x03.',
            'put_twice': b'Np1\np1\n.',
            'put_empty': b'p1\nN.',
            'put_mark': b'(p1\n.',
            'memoize_empty': b'\x94N.',
            'memoize_mark': b'(\x94.',
            'memoize_twice': b'Np0\n\x94.',
            'underflow_append': b'Na.',
            'underflow_reduce': b'NR.',
            'underflow_stop': b'.',
            'left_over': b'NN.',
            'left_over_mark': b'(N.',
            'mark_popped': b'(\x85l.',
            'negative_put': b'Np-1\ng-1\n0.',
            # Errors in reading, before any line is printed.
            'empty': b'',
            'unknown_opcode': b'N\xff.',
            'no_stop': b'N',
            'int_no_newline': b'I12',
            'string_unquoted': b'Sabc\n.',
            'string_half_quoted': b"S'abc\n.",
            'string_bad_escape': b"S'\\x4'\n.",
            'binunicode_bad_utf8': b'X\x01\x00\x00\x00\xff.',
            'short_truncated': b'U\x05ab',
            'binint_truncated': b'J\x01\x02',
            'long4_negative': b'\x8b\xff\xff\xff\xff.',
            'frame_truncated': b'\x95\x01\x00',
            'float_bad': b'Fabc\n.',
            'int_bad': b'Ixyz\n.',
        }
        for name, data in cases.items():
            emit(name, data)
        for indent in (0, 1, 3, 8):
            emit('deep_marks_indent%d' % indent, cases['deep_marks'], indentlevel=indent)
        """#
}
