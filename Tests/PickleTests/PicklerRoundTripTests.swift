import Foundation
import Pickle
import TestSupport
import Testing

/// CPython's pickles, loaded by the Unpickler and written back by the Pickler at the same protocol.
///
/// The golden corpus marks as `exact` the pickles whose bytes a writer without object identity for
/// `str`, `bytes` and tuples can reproduce; those must come back byte for byte. The others (equal but
/// distinct immutable objects, objects CPython makes while pickling) must load in CPython to a value
/// with the same `compare.py` signature, sharing included.
@Suite("Pickler: round trips of CPython's golden pickles")
struct PicklerRoundTripTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("golden")

    struct Entry: Decodable {
        var name: String
        var protocol_: Int
        var file: String
        var exact: Bool
        var pickles: [AnyDecodable]?

        enum CodingKeys: String, CodingKey {
            case name, file, exact, pickles
            case protocol_ = "protocol"
        }
    }

    /// Skips any JSON value.
    struct AnyDecodable: Decodable {
        init(from decoder: Decoder) throws {}
    }

    static func entries() throws -> [Entry] {
        let data = try Data(contentsOf: golden.appendingPathComponent("manifest.json"))
        return try JSONDecoder().decode([Entry].self, from: data)
    }

    @Test("Every golden pickle round-trips: byte for byte where `exact`, equivalent elsewhere")
    func goldenRoundTrips() throws {
        let entries = try Self.entries().filter { $0.pickles == nil }
        #expect(entries.count > 1000)
        var different: [(entry: Entry, output: [UInt8])] = []
        var exactCount = 0
        var reproducedInexact = 0
        for entry in entries {
            let input = try [UInt8](Data(contentsOf: Self.golden.appendingPathComponent(entry.file)))
            let value = try Unpickler.load(input)
            let output = try Pickler.dumps(value, protocol: entry.protocol_)
            if output == input {
                if entry.exact { exactCount += 1 } else { reproducedInexact += 1 }
                continue
            }
            if entry.exact {
                Issue.record(
                    """
                    \(entry.file) is exact but came back different:
                    \(CPython.disassembly(output).prefix(2000))
                    """)
            }
            different.append((entry, output))
        }
        #expect(exactCount == entries.filter(\.exact).count)
        // Every pickle that is not byte for byte the same loads to the same value in CPython.
        let directory = try TemporaryDirectory(prefix: "roundtrip")
        var pairs: [[String]] = []
        for (entry, output) in different {
            let path = directory.path(entry.file)
            try Data(output).write(to: URL(fileURLWithPath: path))
            pairs.append([Self.golden.appendingPathComponent(entry.file).path, path])
        }
        let script = """
            import sys, json, subprocess
            compare = sys.argv[1]
            failures = []
            for expected, actual in json.load(sys.stdin):
                run = subprocess.run([sys.executable, compare, expected, actual], capture_output=True, text=True)
                if run.returncode != 0:
                    failures.append(actual + ': ' + run.stderr[:400])
            json.dump(failures, sys.stdout)
            """
        let compare = Self.golden.deletingLastPathComponent().appendingPathComponent("compare.py").path
        let output = try Python.script(script, [compare], input: try JSONEncoder().encode(pairs))
        let failures = try JSONDecoder().decode([String].self, from: output.stdout)
        #expect(failures.isEmpty, "\(failures)")
        // Not a requirement, a record: how many of the pickles the corpus calls inexact come back exact.
        print(
            "golden round trips: \(exactCount) exact as expected, \(reproducedInexact) of "
                + "\(entries.count - entries.filter(\.exact).count) inexact reproduced, \(different.count) equivalent")
    }

    @Test("Golden streams (several pickles sharing one memo) round-trip through one Unpickler and one Pickler")
    func goldenStreams() throws {
        for entry in try Self.entries() where entry.pickles != nil {
            let input = try [UInt8](Data(contentsOf: Self.golden.appendingPathComponent(entry.file)))
            let values = try Unpickler.loadAll(input)
            let pickler = try Pickler(options: PicklerOptions(protocolVersion: entry.protocol_))
            for value in values { try pickler.dump(value) }
            #expect(pickler.output == input, "\(entry.file)")
        }
    }
}
