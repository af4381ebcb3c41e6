import Foundation
import TestSupport
import Testing

@testable import Pickle

/// The unpickler's memo: consecutive indices, gaps, overwrites, indices far apart, `MEMOIZE` after all of
/// them, and memos that grow well past their first block, each loaded here and by CPython, which must
/// print the same `repr()` or fail as well.
@Suite struct UnpicklerMemoTests {
    /// A pickle written opcode by opcode (protocol 4 opcodes, no framing).
    struct Program: CustomStringConvertible {
        var name: String
        var bytes: [UInt8] = [0x80, 0x04]

        init(_ name: String) { self.name = name }

        var description: String { name }

        mutating func int(_ value: UInt8) { bytes += [0x4B, value] }
        mutating func str(_ text: String) {
            precondition(text.utf8.count < 256)
            bytes += [0x8C, UInt8(text.utf8.count)] + Array(text.utf8)
        }
        mutating func emptyList() { bytes.append(0x5D) }
        mutating func mark() { bytes.append(0x28) }
        mutating func appends() { bytes.append(0x65) }
        mutating func append() { bytes.append(0x61) }
        mutating func pop() { bytes.append(0x30) }
        mutating func tuple() { bytes.append(0x74) }
        mutating func memoize() { bytes.append(0x94) }
        mutating func put(_ index: UInt32) {
            if index < 256 {
                bytes += [0x71, UInt8(index)]
            } else {
                bytes += [0x72] + withUnsafeBytes(of: index.littleEndian) { Array($0) }
            }
        }
        mutating func get(_ index: UInt32) {
            if index < 256 {
                bytes += [0x68, UInt8(index)]
            } else {
                bytes += [0x6A] + withUnsafeBytes(of: index.littleEndian) { Array($0) }
            }
        }
        mutating func stop() { bytes.append(0x2E) }
    }

    /// The programs: each builds a list from the memo's entries, so that what was stored where shows in
    /// the value.
    static var programs: [Program] {
        var result: [Program] = []

        // Many consecutive entries: the memo grows several times; then every one is fetched back.
        for count in [1, 31, 32, 33, 64, 65, 1000, 5000] {
            var program = Program("\(count) consecutive MEMOIZEs, fetched back")
            program.emptyList()
            program.memoize()
            program.mark()
            for index in 0..<count {
                program.str("s\(index)")
                program.memoize()
            }
            program.appends()
            program.mark()
            for index in stride(from: count, through: 1, by: -1) { program.get(UInt32(index)) }
            program.appends()
            program.stop()
            result.append(program)
        }

        // Gaps: PUT at 0, 5 and 40 leaves holes; MEMOIZE then uses the number of entries as its index.
        var gaps = Program("PUTs with gaps, then MEMOIZE into a hole")
        gaps.mark()
        gaps.str("a")
        gaps.put(0)
        gaps.str("b")
        gaps.put(5)
        gaps.str("c")
        gaps.put(40)
        gaps.str("d")
        gaps.memoize()  // index 3: a hole until now
        gaps.str("e")
        gaps.memoize()  // index 4: the hole filled counts as an entry
        gaps.get(4)
        gaps.get(40)
        gaps.get(3)
        gaps.get(5)
        gaps.get(0)
        gaps.tuple()
        gaps.stop()
        result.append(gaps)

        // A GET of a hole is an error here and in CPython.
        var hole = Program("GET of a hole")
        hole.str("a")
        hole.put(0)
        hole.str("b")
        hole.put(9)
        hole.get(4)
        hole.stop()
        result.append(hole)

        // Overwriting an index keeps the count (MEMOIZE's next index) unchanged.
        var overwrite = Program("PUT over an entry, then MEMOIZE")
        overwrite.mark()
        overwrite.str("first")
        overwrite.put(0)
        overwrite.str("second")
        overwrite.put(0)
        overwrite.str("third")
        overwrite.memoize()  // index 1
        overwrite.get(0)
        overwrite.get(1)
        overwrite.tuple()
        overwrite.stop()
        result.append(overwrite)

        // Far indices, then the next dense index, then the far one overwritten.
        var far = Program("indices far apart")
        far.mark()
        far.str("near")
        far.memoize()  // 0
        far.str("far")
        far.put(70_000)
        far.str("next")
        far.memoize()  // 2: the count is 2
        far.str("far again")
        far.put(70_000)
        far.str("after")
        far.put(1)
        far.get(70_000)
        far.get(2)
        far.get(1)
        far.get(0)
        far.tuple()
        far.stop()
        result.append(far)

        // A GET of an index stored only far away, below it.
        var missing = Program("GET below a far index")
        missing.str("far")
        missing.put(100_000)
        missing.get(99_999)
        missing.stop()
        result.append(missing)

        // A memo that grows while it holds gaps: every other index of 0..<400, then the odd ones.
        var interleaved = Program("even indices, then odd ones")
        interleaved.mark()
        for index in stride(from: 0, to: 400, by: 2) {
            interleaved.int(UInt8(index % 256))
            interleaved.put(UInt32(index))
            interleaved.pop()
        }
        for index in stride(from: 1, to: 400, by: 2) {
            interleaved.str("odd \(index)")
            interleaved.put(UInt32(index))
            interleaved.pop()
        }
        for index in stride(from: 399, through: 0, by: -7) { interleaved.get(UInt32(index)) }
        interleaved.tuple()
        interleaved.stop()
        result.append(interleaved)

        // The same list fetched many times, appended one by one.
        var shared = Program("one list fetched 3000 times")
        shared.emptyList()
        shared.memoize()  // 0: the outer list
        shared.emptyList()
        shared.memoize()  // 1: the shared list
        shared.int(7)
        shared.append()
        shared.append()
        for _ in 0..<2999 {
            shared.get(1)
            shared.append()
        }
        shared.stop()
        result.append(shared)
        return result
    }

    @Test func memoLayoutsLoadAsInCPython() throws {
        let programs = Self.programs
        let script = """
            import pickle, sys
            for line in sys.stdin.read().split():
                try:
                    value = pickle.loads(bytes.fromhex(line))
                    print(repr(value) if len(repr(value)) < 2000 else 'len %d %s' % (len(value), repr(value[:3])))
                except Exception:
                    print('failed')
            """
        let output = try TestSupportPython.run(script, input: programs.map { CPython.hex($0.bytes) }.joined(separator: "\n"))
        let lines = output.split(separator: "\n").map(String.init)
        try #require(lines.count == programs.count)
        for (program, expected) in zip(programs, lines) {
            let rendered: String
            do {
                let value = try Unpickler.load(program.bytes)
                let text = value.description
                if text.count < 2000 {
                    rendered = text
                } else if case .list(let list) = value {
                    rendered = "len \(list.count) \(PickleValue.list(PickleList(Array(list.elements.prefix(3)))))"
                } else {
                    rendered = text
                }
            } catch {
                #expect(error.code == .memoKeyNotFound, "\(program): \(error)")
                rendered = "failed"
            }
            #expect(rendered == expected, "\(program)")
        }
    }

    @Test func memoCarriesOverBetweenLoadsOfAStream() throws {
        // The first pickle memoizes 100 strings; the second fetches them from the carried-over memo, and
        // memoizes more, past the first pickle's block; after clearMemo a fetch fails.
        var first = Program("first")
        first.mark()
        for index in 0..<100 {
            first.str("v\(index)")
            first.memoize()
        }
        first.tuple()
        first.stop()
        var second = Program("second")
        second.mark()
        second.get(99)
        second.get(0)
        for index in 100..<300 {
            second.str("w\(index)")
            second.memoize()
        }
        second.get(299)
        second.tuple()
        second.stop()
        let unpickler = Unpickler(first.bytes + second.bytes + second.bytes)
        guard case .tuple(let firstValues) = try unpickler.load() else {
            Issue.record("not a tuple")
            return
        }
        #expect(firstValues.count == 100)
        #expect(try unpickler.load() == .tuple(["v99", "v0"] + (100..<300).map { .string("w\($0)") } + ["w299"]))
        unpickler.clearMemo()
        #expect(throws: PickleError.self) { try unpickler.load() }
    }
}
