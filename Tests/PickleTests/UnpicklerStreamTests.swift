import Foundation
import Testing

@testable import Pickle

/// Several pickles in one stream, the memo across loads, frames, and out-of-band buffers.
@Suite struct UnpicklerStreamTests {
    @Test func onePicklerDumpingTwiceSharesItsMemo() throws {
        // The second pickle is only a GET into the first one's memo, as in pickletools' _memo_test.
        let output = try CPython.run(
            """
            import io, pickle, sys
            for proto in range(6):
                f = io.BytesIO()
                p = pickle.Pickler(f, proto)
                x = [1, 2, 3]
                p.dump(x)
                first = f.tell()
                p.dump(x)
                p.dump({'again': x, 'new': [4]})
                print(proto, first, f.getvalue().hex())
            """)
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            let proto = Int(parts[0]) ?? -1
            let firstEnd = Int(parts[1]) ?? -1
            let bytes = try CPython.bytes(hex: String(parts[2]))
            let unpickler = Unpickler(bytes)
            let first = try unpickler.load()
            #expect(unpickler.position == firstEnd, "p\(proto)")
            #expect(!unpickler.isAtEnd)
            let second = try unpickler.load()
            let third = try unpickler.load()
            #expect(unpickler.isAtEnd && unpickler.position == bytes.count, "p\(proto)")
            guard case .list(let list) = first, case .list(let again) = second, case .dict(let dict) = third,
                case .list(let inDict)? = dict["again"]
            else {
                Issue.record("p\(proto): \(first) \(second) \(third)")
                continue
            }
            #expect(list === again && list === inDict, "p\(proto): the memo did not carry over")
            #expect(list.elements == [1, 2, 3])
            #expect(dict["new"] == [4])
            // Past the end: CPython raises EOFError.
            #expect(throws: PickleError.self) { try unpickler.load() }
            do {
                _ = try unpickler.load()
            } catch {
                #expect(error.code == .truncated && error.offset == bytes.count)
            }
            // loadAll shares the memo the same way; load ignores what follows the first pickle.
            let all = try Unpickler.loadAll(bytes)
            #expect(all.count == 3)
            if case .list(let a) = all[0], case .list(let b) = all[1] { #expect(a === b) }
            #expect(try Unpickler.load(bytes) == [1, 2, 3])
            // clearMemo forgets: the second pickle's GET then fails.
            let fresh = Unpickler(bytes)
            _ = try fresh.load()
            fresh.clearMemo()
            #expect(throws: PickleError.self) { try fresh.load() }
        }
    }

    @Test func theSamePickleFiveTimes() throws {
        for (proto, bytes) in try CPython.pickles("{'a': [1, 2], 'b': 'text'}").sorted(by: { $0.key < $1.key }) {
            let stream = Array([[UInt8]](repeating: bytes, count: 5).joined())
            let unpickler = Unpickler(stream)
            for index in 1...5 {
                let value = try unpickler.load()
                #expect(unpickler.position == index * bytes.count, "p\(proto)")
                #expect(value == ["a": [1, 2], "b": "text"])
            }
            #expect(unpickler.isAtEnd)
            #expect(try Unpickler.loadAll(stream).count == 5)
            let (all, first) = try stream.withUnsafeBytes { (buffer) throws in
                (try Unpickler.loadAll(from: buffer), try Unpickler.load(from: buffer))
            }
            #expect(all.count == 5)
            #expect(first == ["a": [1, 2], "b": "text"])
            #expect(try Unpickler.loadAll([]).isEmpty)
            #expect(throws: PickleError.self) { try Unpickler.loadAll(stream + [0x4E]) }
        }
    }

    @Test func framesAreOptional() throws {
        // Strip every FRAME from CPython's protocol 4 and 5 pickles; they must load the same.
        let output = try CPython.run(
            """
            import pickle, pickletools
            value = {'list': list(range(3000)), 'text': 'x' * 70000, 'nested': [{'k': (1, 2.5)}] * 3}
            for proto in (4, 5):
                data = pickle.dumps(value, proto)
                ops = list(pickletools.genops(data))
                out = bytearray()
                for i, (op, arg, pos) in enumerate(ops):
                    end = ops[i + 1][2] if i + 1 < len(ops) else len(data)
                    if op.name != 'FRAME':
                        out += data[pos:end]
                print(data.hex(), bytes(out).hex())
            """)
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            let framed = try CPython.bytes(hex: String(parts[0]))
            let bare = try CPython.bytes(hex: String(parts[1]))
            #expect(bare.count < framed.count)
            #expect(try Unpickler.load(framed) == Unpickler.load(bare))
        }
        // A text opcode inside a frame (CPython's test_frame_readline).
        #expect(try Unpickler.load(latin1("\u{80}\u{4}\u{95}\u{5}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}I42\n.")) == 42)
        // An opcode's argument may run past the end of its frame, as CPython's C unpickler allows.
        let straddling = latin1("\u{95}\u{1}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}K\u{7}.")
        #expect(try Unpickler.load(straddling) == 7)
        #expect(
            try CPython.run("import pickle; print(pickle.loads(bytes.fromhex('\(CPython.hex(straddling))')))") == "7\n")
    }

    @Test func outOfBandBuffers() throws {
        let output = try CPython.run(
            """
            import pickle
            buffers = []
            value = [pickle.PickleBuffer(bytearray(b'writable')), pickle.PickleBuffer(b'read-only'), b'in band']
            data = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
            print(data.hex())
            print(' '.join(bytes(b).hex() for b in buffers))
            print(pickle.dumps(value, protocol=5).hex())
            """)
        let lines = output.split(separator: "\n")
        let data = try CPython.bytes(hex: String(lines[0]))
        let buffers = try lines[1].split(separator: " ").map { try CPython.bytes(hex: String($0)) }
        #expect(buffers.count == 2)
        var options = UnpicklerOptions()
        options.buffers = buffers
        let value = try Unpickler.load(data, options: options)
        guard case .list(let list) = value, list.count == 3, case .bytearray(let writable) = list[0],
            case .bytes(let readOnly) = list[1]
        else {
            Issue.record("\(value)")
            return
        }
        #expect(writable.bytes == Array("writable".utf8))
        #expect(readOnly == Array("read-only".utf8))
        #expect(list[2] == .bytes(Array("in band".utf8)))
        // In band, the same value loads without buffers: BYTEARRAY8 and BINBYTES.
        let inBand = try Unpickler.load(try CPython.bytes(hex: String(lines[2])))
        #expect(inBand == value)
        // No buffers, or too few.
        #expect(loadError(data)?.code == .missingBuffer)
        options.buffers = [buffers[0]]
        #expect(loadError(data, options: options)?.code == .missingBuffer)
        // An Unpickler consumes the buffers across its loads, as CPython's iterator does.
        options.buffers = buffers + buffers
        let unpickler = Unpickler(data + data, options: options)
        #expect(try unpickler.load() == value)
        #expect(try unpickler.load() == value)
    }

    @Test func memoIndicesFromCPythonTests() throws {
        // test_get, test_binget, test_long_binget, test_dup: both elements are the same list.
        for text in [
            "((lp100000\ng100000\nt.", "(]q\u{ff}h\u{ff}t.", "(]r\u{0}\u{0}\u{1}\u{0}j\u{0}\u{0}\u{1}\u{0}t.", "((l2t.",
        ] {
            let value = try Unpickler.load(latin1(text))
            guard case .tuple(let elements) = value, elements.count == 2, case .list(let a) = elements[0],
                case .list(let b) = elements[1]
            else {
                Issue.record("\(text.debugDescription): \(value)")
                continue
            }
            #expect(a === b && a.isEmpty)
        }
        // A huge LONG_BINPUT index allocates nothing in proportion to it.
        let huge = latin1("]r\u{ff}\u{ff}\u{ff}\u{ff}0j\u{ff}\u{ff}\u{ff}\u{ff}.")
        #expect(try Unpickler.load(huge) == .list([]))
        // Memo entries at scattered indices, then MEMOIZE counts the distinct ones.
        let mixed = latin1(
            "K\u{1}r\u{0}\u{0}\u{0}\u{10}0K\u{2}q\u{5}0\u{88}\u{94}0h\u{2}j\u{0}\u{0}\u{0}\u{10}h\u{5}\u{87}.")
        #expect(try Unpickler.load(mixed) == .tuple([true, 1, 2]))
    }

    @Test func pickletoolsDocExamples() throws {
        try UnpicklerValueTests().check([
            ("_dis_test", "[1, 2, (3, 4), {b'abc': 'def'}]"),
            ("_memo_test recursion", "(lambda L: (L.append((L,)), L)[1])([])"),
        ])
    }
}
