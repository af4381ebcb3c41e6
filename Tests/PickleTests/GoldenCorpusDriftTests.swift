import Foundation
import Testing
import TestSupport

/// The golden corpus in `Fixtures/` is made by CPython (`Fixtures/generate.py`). These tests
/// check that it is still exactly what CPython generates, and that its manifests describe the
/// files that are there.
@Suite("Golden corpus")
struct GoldenCorpusDriftTests {
    /// `Tests/PickleTests/Fixtures` in the source tree (not a bundle: the corpus is not a resource).
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
        .path

    /// At most this many differing files are reported one by one.
    static let reportLimit = 20

    @Test("generate.py reproduces the committed corpus byte for byte")
    func generatorReproducesCorpus() throws {
        let python = try Python.requireGDBM()
        let out = try TemporaryDirectory(prefix: "golden-drift")
        let run = try Python.run(python, [Self.fixtures + "/generate.py", out.root])
        try #require(run.status == 0, "generate.py exited with \(run.status):\n\(run.stderr)")

        var directories = ["golden", "fail", "pass"]
        if Python.pyenv("2.7") != nil { directories.append("golden_py2") }
        var differences: [String] = []
        for directory in directories {
            differences += try compareDirectories(
                committed: Self.fixtures + "/" + directory, generated: out.path(directory),
                label: directory)
        }
        if !differences.isEmpty {
            let version = (try? Python.run(python, ["--version"]))?.text ?? "?"
            let shown = differences.prefix(Self.reportLimit).joined(separator: "\n")
            let more = differences.count > Self.reportLimit
                ? "\n... and \(differences.count - Self.reportLimit) more" : ""
            Issue.record("""
                the golden corpus has drifted from what \(python) (\(version.trimmingCharacters(in: .whitespacesAndNewlines))) \
                generates: \(differences.count) differences. Regenerate with \
                `python3 Tests/PickleTests/Fixtures/generate.py` if the change is intended.
                \(shown)\(more)
                """)
        }
    }

    @Test("golden/manifest.json lists every pickle with its size, disassembly and repr file")
    func goldenManifestMatchesFiles() throws {
        let directory = Self.fixtures + "/golden"
        let entries = try Self.manifest(directory + "/manifest.json")
        #expect(entries.count > 1000)
        var listed: Set<String> = ["manifest.json"]
        for entry in entries {
            let name = entry["name"] as? String ?? "?"
            let protocolNumber = entry["protocol"] as? Int ?? -1
            let file = try #require(entry["file"] as? String, "\(name): no file")
            listed.insert(file)
            let size = try #require(entry["size"] as? Int, "\(file): no size")
            #expect(Self.fileSize(directory + "/" + file) == size, "\(file): size is not \(size)")
            #expect(file == "\(name).p\(protocolNumber).pickle", "\(file): unexpected name")
            for key in ["dis", "reprFile"] {
                if let other = entry[key] as? String {
                    listed.insert(other)
                    #expect(Self.fileSize(directory + "/" + other) != nil, "\(name): \(other) missing")
                }
            }
            #expect(entry["exact"] is Bool && entry["builtinOnly"] is Bool, "\(file): flags")
            if entry["builtinOnly"] as? Bool == true, entry["repr"] as? String == nil,
               entry["pickles"] == nil {
                #expect(entry["reprSHA256"] is String, "\(file): neither repr nor its hash")
            }
            if let pickles = entry["pickles"] as? [[String: Any]] {
                #expect(pickles.last?["end"] as? Int == size, "\(file): stream end offsets")
            }
        }
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(present == listed, "unlisted: \(present.subtracting(listed).sorted()), missing: \(listed.subtracting(present).sorted())")
    }

    @Test("golden_py2/manifest.json lists every pickle with its size and Python 3 results")
    func python2ManifestMatchesFiles() throws {
        let directory = Self.fixtures + "/golden_py2"
        let entries = try Self.manifest(directory + "/manifest.json")
        #expect(!entries.isEmpty)
        var listed: Set<String> = ["manifest.json"]
        for entry in entries {
            let file = try #require(entry["file"] as? String)
            listed.insert(file)
            #expect(Self.fileSize(directory + "/" + file) == entry["size"] as? Int, "\(file): size")
            let loads = entry["loads"] as? [String: [String: Any]] ?? [:]
            #expect(Set(loads.keys) == ["ASCII", "latin1", "bytes"], "\(file): loads")
        }
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(present == listed)
    }

    @Test("fail/ and pass/ manifests hold well-formed inputs")
    func failAndPassManifestsAreWellFormed() throws {
        let categories: Set<String> = [
            "truncated", "stackUnderflow", "badMark", "badString", "badExtension", "negativePut",
            "missingMemo", "badInteger", "badReduce", "unknownOpcode", "badProtocol", "other",
        ]
        let failures = try Self.manifest(Self.fixtures + "/fail/manifest.json")
        #expect(failures.count > 1000)
        var seen: Set<String> = []
        for entry in failures {
            let hex = try #require(entry["hex"] as? String)
            #expect(Self.isHex(hex), "bad hex \(hex)")
            #expect(seen.insert(hex).inserted, "duplicate input \(hex)")
            #expect(categories.contains(entry["category"] as? String ?? ""), "\(hex): category")
            #expect(!(entry["error"] as? String ?? "").isEmpty, "\(hex): no error")
        }
        let passes = try Self.manifest(Self.fixtures + "/pass/manifest.json")
        #expect(!passes.isEmpty)
        for entry in passes {
            let hex = try #require(entry["hex"] as? String)
            #expect(Self.isHex(hex) && !hex.isEmpty, "bad hex \(hex)")
            #expect(entry["repr"] is String, "\(hex): no repr")
        }
    }

    // MARK: - Helpers

    /// Differences between two flat directories, one line each.
    func compareDirectories(committed: String, generated: String, label: String) throws -> [String] {
        let manager = FileManager.default
        let old = Set(try manager.contentsOfDirectory(atPath: committed))
        let new = Set((try? manager.contentsOfDirectory(atPath: generated)) ?? [])
        var out: [String] = []
        out += old.subtracting(new).sorted().map { "\(label)/\($0): committed but no longer generated" }
        out += new.subtracting(old).sorted().map { "\(label)/\($0): generated but not committed" }
        for name in old.intersection(new).sorted() {
            let a = try Data(contentsOf: URL(fileURLWithPath: committed + "/" + name))
            let b = try Data(contentsOf: URL(fileURLWithPath: generated + "/" + name))
            guard a != b else { continue }
            let common = zip(a, b).prefix { $0 == $1 }.count
            out.append("\(label)/\(name): differs at byte \(common) (committed \(a.count) bytes, generated \(b.count))")
        }
        return out
    }

    static func manifest(_ path: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]],
                            "\(path) is not a JSON list of objects")
    }

    static func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
    }

    static func isHex(_ text: String) -> Bool {
        text.count.isMultiple(of: 2) && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}
