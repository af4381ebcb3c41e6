import Foundation
import Pickle
import TestSupport
import Testing

/// One value built twice: in Swift, and as a Python expression evaluated by real CPython.
struct PicklerCase {
    var name: String
    var value: PickleValue
    var python: String
    /// A Python boolean expression over `x` (the loaded value) and `expected` checked after CPython
    /// loads Swift's bytes; `x == expected` when `nil`.
    var loadCheck: String?

    init(_ name: String, _ value: PickleValue, _ python: String, loadCheck: String? = nil) {
        self.name = name
        self.value = value
        self.python = python
        self.loadCheck = loadCheck
    }
}

extension CPython {
    /// The hex of `pickle.dumps(expr, p)` for each case and protocol, from one run of CPython.
    static func pickles(
        _ cases: [PicklerCase], setup: String = "", protocols: ClosedRange<Int> = 0...5,
        dumps: String = "pickle.dumps"
    ) throws -> [String: [Int: String]] {
        var script = "import pickle, sys, json\n\(setup)\nout = {}\n"
        for (position, testCase) in cases.enumerated() {
            script += """
                def _case_\(position)():
                    return \(testCase.python)
                _x = _case_\(position)()
                out[\(pythonLiteral(testCase.name))] = {p: \(dumps)(_x, p).hex() for p in \
                range(\(protocols.lowerBound), \(protocols.upperBound + 1))}

                """
        }
        script += "json.dump(out, sys.stdout)\n"
        let output = try Python.script(script)
        let decoded = try JSONDecoder().decode([String: [String: String]].self, from: output.stdout)
        return decoded.mapValues { byProtocol in
            Dictionary(uniqueKeysWithValues: byProtocol.map { (Int($0.key)!, $0.value) })
        }
    }

    /// For each case and protocol, whether CPython loads Swift's bytes to a value equal to the
    /// case's Python expression (or satisfying its `loadCheck`). Returns the failures.
    static func loadFailures(
        _ cases: [PicklerCase], swiftPickles: [String: [Int: [UInt8]]], setup: String = "",
        loads: String = "pickle.loads"
    ) throws -> [String] {
        var script = "import pickle, sys, json, math\n\(setup)\nfailures = []\n"
        script += "data = json.load(sys.stdin)\n"
        for (position, testCase) in cases.enumerated() {
            let check = testCase.loadCheck ?? "x == expected"
            script += """
                def _check_\(position)(x, expected):
                    return \(check)
                for _p, _h in data[\(pythonLiteral(testCase.name))].items():
                    try:
                        _x = \(loads)(bytes.fromhex(_h))
                        if not _check_\(position)(_x, \(testCase.python)):
                            failures.append(\(pythonLiteral(testCase.name)) + ' p' + _p + ': ' + repr(_x)[:300])
                    except Exception as _e:
                        failures.append(\(pythonLiteral(testCase.name)) + ' p' + _p + ': ' + repr(_e))

                """
        }
        script += "json.dump(failures, sys.stdout)\n"
        var payload: [String: [String: String]] = [:]
        for (name, byProtocol) in swiftPickles {
            payload[name] = Dictionary(uniqueKeysWithValues: byProtocol.map { (String($0.key), hex($0.value)) })
        }
        let input = try JSONEncoder().encode(payload)
        let output = try Python.script(script, input: input)
        return try JSONDecoder().decode([String].self, from: output.stdout)
    }

    /// `pickletools.dis` of a pickle, for failure messages.
    static func disassembly(_ bytes: [UInt8]) -> String {
        let script = """
            import pickletools, sys, io
            out = io.StringIO()
            try:
                pickletools.dis(bytes.fromhex(sys.argv[1]), out)
            except Exception as e:
                out.write('\\n!! ' + repr(e))
            sys.stdout.write(out.getvalue())
            """
        return (try? Python.script(script, [hex(bytes)]).text) ?? "(no disassembly)"
    }
}

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
}

func bytes(fromHex text: String) -> [UInt8] {
    var result: [UInt8] = []
    let utf8 = Array(text.utf8)
    var position = 0
    while position + 1 < utf8.count {
        result.append(UInt8(String(decoding: utf8[position...position + 1], as: UTF8.self), radix: 16) ?? 0)
        position += 2
    }
    return result
}

/// A Python string literal for `text`.
func pythonLiteral(_ text: String) -> String {
    var literal = "'"
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": literal += "\\\\"
        case "'": literal += "\\'"
        case "\n": literal += "\\n"
        default:
            if scalar.value < 0x20 || scalar.value > 0x7E {
                literal += String(format: "\\U%08x", scalar.value)
            } else {
                literal.unicodeScalars.append(scalar)
            }
        }
    }
    return literal + "'"
}

/// Compares Swift's pickle of each case with CPython's at every protocol in `protocols`, then has
/// CPython load Swift's bytes and compare them with its own value.
///
/// - Parameters:
///   - compared: The protocols at which the bytes must be the same; CPython loads Swift's pickles at
///     every protocol in `protocols`.
///   - options: Swift's options for a protocol; `dumps` and `loads` are CPython's counterparts.
func expectSameAsCPython(
    _ cases: [PicklerCase], setup: String = "", protocols: ClosedRange<Int> = 0...5,
    compared: [Int]? = nil,
    options: (Int) -> PicklerOptions = { PicklerOptions(protocolVersion: $0) },
    dumps: String = "pickle.dumps", loads: String = "pickle.loads",
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let compared = compared ?? Array(protocols)
    let expected =
        compared.isEmpty
        ? [:]
        : try CPython.pickles(cases, setup: setup, protocols: compared.min()!...compared.max()!, dumps: dumps)
    var swiftPickles: [String: [Int: [UInt8]]] = [:]
    for testCase in cases {
        for version in protocols {
            let actual = try Pickler.dumps(testCase.value, options: options(version))
            swiftPickles[testCase.name, default: [:]][version] = actual
            guard compared.contains(version) else { continue }
            let wanted = expected[testCase.name]?[version] ?? "?"
            if hex(actual) != wanted {
                Issue.record(
                    """
                    \(testCase.name) at protocol \(version) differs from CPython
                    swift:   \(hex(actual).prefix(400))
                    cpython: \(wanted.prefix(400))
                    --- swift
                    \(CPython.disassembly(actual).prefix(3000))
                    --- cpython
                    \(CPython.disassembly(bytes(fromHex: wanted)).prefix(3000))
                    """,
                    sourceLocation: sourceLocation)
            }
        }
    }
    let failures = try CPython.loadFailures(cases, swiftPickles: swiftPickles, setup: setup, loads: loads)
    #expect(failures.isEmpty, "CPython could not load Swift's pickles: \(failures)", sourceLocation: sourceLocation)
}
