import Foundation
import Testing

@testable import Pickle

/// The unpickler against the golden corpus in `Fixtures/` (made by CPython 3.11 and Python 2.7):
/// every pickle loads to what CPython loads from it, every input CPython rejects is rejected, and
/// every tricky input CPython accepts loads.
@Suite struct UnpicklerGoldenTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func manifest(_ path: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(path))
        return try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(path)))
    }

    /// What CPython loads from each file (read as a stream with one Unpickler), described.
    static func cpythonDescriptions(of files: [String], encoding: String = "ASCII") throws -> [String: [Any]] {
        // A plain stream reader: load until the data is used up.
        let reader =
            pythonDescribe + """

                import io, pickle, sys, json
                sys.path.insert(0, \(CPython.pythonLiteral(fixtures.path)))
                for name in sys.stdin.read().split():
                    with open(name, 'rb') as f:
                        stream = io.BytesIO(f.read())
                    unpickler = pickle.Unpickler(stream, encoding=\(CPython.pythonLiteral(encoding)))
                    values, ids, keep = [], {}, []
                    try:
                        while stream.tell() < len(stream.getbuffer()):
                            keep.append(unpickler.load())
                            values.append(describe(keep[-1], ids))
                    except Exception as e:
                        values = {"error": type(e).__name__}
                    print(json.dumps({"file": name, "values": values}))
                """
        let paths = files.map { fixtures.appendingPathComponent($0).path }
        let output = try TestSupportPython.run(reader, input: paths.joined(separator: "\n"))
        var result: [String: [Any]] = [:]
        for line in output.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let file = object["file"] as? String
            else { continue }
            let relative = String(file.dropFirst(fixtures.path.count + 1))
            result[relative] = object["values"] as? [Any] ?? []
        }
        return result
    }

    @Test func everyGoldenPickleLoadsAsCPythonLoadsIt() throws {
        let entries = try Self.manifest("golden/manifest.json")
        #expect(entries.count > 1000)
        let files = entries.compactMap { $0["file"] as? String }.map { "golden/" + $0 }
        let expected = try Self.cpythonDescriptions(of: files)
        for entry in entries {
            guard let name = entry["file"] as? String else { continue }
            let file = "golden/" + name
            let bytes = try Self.bytes(file)
            #expect(bytes.count == entry["size"] as? Int, "\(file)")
            let unpickler = Unpickler(bytes)
            var values: [PickleValue] = []
            var ends: [Int] = []
            do {
                while !unpickler.isAtEnd {
                    values.append(try unpickler.load())
                    ends.append(unpickler.position)
                }
            } catch {
                Issue.record("\(file): \(error)")
                continue
            }
            if let pickles = entry["pickles"] as? [[String: Any]] {
                #expect(ends == pickles.compactMap { $0["end"] as? Int }, "\(file)")
            } else {
                #expect(values.count == 1, "\(file)")
            }
            guard let descriptions = expected[file] else {
                Issue.record("\(file): CPython did not load it")
                continue
            }
            #expect(descriptions.count == values.count, "\(file)")
            // One matcher for the whole stream: a later pickle may share objects with an earlier one.
            var matcher = ValueMatcher()
            for (value, description) in zip(values, descriptions) {
                let matched = matcher.matches(value, description)
                #expect(matched, "\(file): \(matcher.failure ?? "")")
            }
        }
    }

    @Test(arguments: [("ASCII", Python2StringDecoding.ascii), ("latin1", .latin1), ("bytes", .bytes)])
    func everyPython2PickleLoadsAsCPythonLoadsIt(encoding: String, decoding: Python2StringDecoding) throws {
        let entries = try Self.manifest("golden_py2/manifest.json")
        #expect(entries.count > 80)
        let files = entries.compactMap { $0["file"] as? String }.map { "golden_py2/" + $0 }
        let expected = try Self.cpythonDescriptions(of: files, encoding: encoding)
        var options = UnpicklerOptions()
        options.python2Strings = decoding
        for entry in entries {
            guard let name = entry["file"] as? String,
                let loads = (entry["loads"] as? [String: Any])?[encoding] as? [String: Any]
            else { continue }
            let file = "golden_py2/" + name
            let result = Result { () throws(PickleError) in
                try Unpickler.load(try Self.bytesTyped(file), options: options)
            }
            if loads["error"] != nil {
                // CPython fails: a non-ASCII str under ASCII, or a global Python 3 lacks; the first
                // must fail here too, the second loads as an inert global.
                if loads["error"] as? String == "UnicodeDecodeError" {
                    #expect(throws: PickleError.self, "\(file) \(encoding)") { try result.get() }
                }
                continue
            }
            switch result {
            case .failure(let error):
                Issue.record("\(file) \(encoding): \(error)")
            case .success(let value):
                guard let description = expected[file]?.first else {
                    Issue.record("\(file) \(encoding): no CPython description")
                    continue
                }
                var matcher = ValueMatcher()
                let matched = matcher.matches(value, description)
                #expect(matched, "\(file) \(encoding): \(matcher.failure ?? "")")
            }
        }
    }

    static func bytesTyped(_ path: String) throws(PickleError) -> [UInt8] {
        do {
            return try bytes(path)
        } catch {
            throw PickleError(.truncated, "cannot read \(path)")
        }
    }

    /// Inputs CPython rejects only because its unpickler imports or calls what the pickle names;
    /// this one builds inert values instead.
    static let loadsInert: Set<String> = [
        "cbuiltins\nstr.upper\n.", "cno_such_module_xyz\nx\n.", "cbuiltins\nno_such_name\n.",
        "cbuiltins\nlen\n(I1\ntR.",
    ]

    @Test func everyInputCPythonRejectsIsRejected() throws {
        let entries = try Self.manifest("fail/manifest.json")
        #expect(entries.count > 1000)
        let allowed: [String: Set<PickleError.Code>] = [
            "truncated": [.truncated], "stackUnderflow": [.stackUnderflow, .markNotFound, .invalidStack],
            "badMark": [.stackUnderflow, .invalidStack], "badString": [.invalidString, .truncated],
            "badExtension": [.extensionNotRegistered], "badReduce": [.invalidStack], "negativePut": [.memoKeyNotFound],
            "missingMemo": [.memoKeyNotFound], "badInteger": [.invalidArgument, .truncated],
            "badProtocol": [.unsupportedProtocol], "unknownOpcode": [.unknownOpcode],
        ]
        var inert = 0
        for entry in entries {
            guard let hex = entry["hex"] as? String, let category = entry["category"] as? String else { continue }
            let bytes = try CPython.bytes(hex: hex)
            let text = String(decoding: bytes, as: UTF8.self)
            let error = loadError(bytes)
            if Self.loadsInert.contains(text) {
                #expect(error == nil, "\(text.debugDescription): \(String(describing: error))")
                inert += 1
                continue
            }
            guard let error else {
                Issue.record("\(category) \(text.debugDescription) loaded")
                continue
            }
            #expect(error.offset != nil, "\(text.debugDescription)")
            if let codes = allowed[category] {
                #expect(codes.contains(error.code), "\(category) \(text.debugDescription): \(error.code) \(error)")
            }
        }
        #expect(inert == Self.loadsInert.count)
    }

    @Test func everyTrickyInputCPythonAcceptsLoads() throws {
        let entries = try Self.manifest("pass/manifest.json")
        #expect(entries.count > 60)
        let script =
            pythonDescribe + """

                import pickle, sys, json
                sys.path.insert(0, \(CPython.pythonLiteral(Self.fixtures.path)))
                for line in sys.stdin.read().split():
                    encoding, hex = line.split(':')
                    print(json.dumps(describe(pickle.loads(bytes.fromhex(hex), encoding=encoding))))
                """
        let input = entries.map { "\($0["encoding"] as? String ?? "ASCII"):\($0["hex"] as? String ?? "")" }
        let descriptions = try TestSupportPython.run(script, input: input.joined(separator: "\n")).split(
            separator: "\n")
        #expect(descriptions.count == entries.count)
        for (entry, description) in zip(entries, descriptions) {
            let name = entry["name"] as? String ?? "?"
            var options = UnpicklerOptions()
            switch entry["encoding"] as? String {
            case "bytes": options.python2Strings = .bytes
            case "latin1": options.python2Strings = .latin1
            default: break
            }
            let value: PickleValue
            do {
                value = try Unpickler.load(try CPython.bytes(hex: entry["hex"] as? String ?? ""), options: options)
            } catch {
                Issue.record("\(name): \(error)")
                continue
            }
            var matcher = ValueMatcher()
            let matched = matcher.matches(value, try JSONSerialization.jsonObject(with: Data(description.utf8)))
            #expect(matched, "\(name): \(matcher.failure ?? "")")
            for pair in entry["identity"] as? [[[Any]]] ?? [] {
                let first = Self.follow(pair[0], in: value)
                let second = Self.follow(pair[1], in: value)
                if case .tuple? = first, case .tuple? = second {
                    // Tuples are values here, without identity: equal is all they can be.
                    #expect(first == second, "\(name): \(pair)")
                    continue
                }
                #expect(
                    first?.referenceIdentity != nil && first?.referenceIdentity == second?.referenceIdentity,
                    "\(name): \(pair) are not the same object")
            }
        }
    }

    /// The value at a path of the pass manifest: list/tuple indices and `k<i>`/`v<i>` for dict entries.
    static func follow(_ path: [Any], in root: PickleValue) -> PickleValue? {
        var value = root
        for step in path {
            switch (value, step) {
            case (.list(let list), let index as Int) where list.indices.contains(index):
                value = list[index]
            case (.tuple(let elements), let index as Int) where elements.indices.contains(index):
                value = elements[index]
            case (.dict(let dict), let key as String):
                guard let index = Int(key.dropFirst()), index < dict.count else { return nil }
                value = key.hasPrefix("k") ? dict.keys[index] : dict.values[index]
            default:
                return nil
            }
        }
        return value
    }
}
