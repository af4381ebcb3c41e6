import Foundation
import GDBM
import TestSupport
import Testing

@testable import Shelve

@Suite("Errors: read-only shelves, recorded subscript failures, codes")
struct ShelfErrorTests {
    let scratch: Scratch
    var path: String { scratch.path }

    init() throws {
        scratch = try Scratch()
    }

    @Test func writesToAReadOnlyShelfThrowReadOnly() throws {
        try PythonShelf.write(path, "s['a'] = 1")
        let shelf = try Shelf(path: path, mode: .readOnly)
        let attempts: [(String, () throws -> Void)] = [
            ("setValue", { try shelf.setValue(2, forKey: "a") }),
            ("setValue raw", { try shelf.setValue(2, forRawKey: [0xFF]) }),
            ("delete", { try shelf.delete("a") }),
            ("removeValue", { _ = try shelf.removeValue(forKey: "a") }),
            ("update", { try shelf.update(["b": 2]) }),
            ("removeAll", { try shelf.removeAll() }),
            ("reorganize", { try shelf.reorganize() }),
        ]
        for (name, attempt) in attempts {
            let error = #expect(throws: ShelfError.self, "\(name)") { try attempt() }
            #expect(error?.code == .readOnly, "\(name)")
            #expect(error?.message.contains("read-only") == true, "\(name)")
        }
        #expect(try shelf.keys() == ["a"])
        try shelf.close()
    }

    @Test func aSubscriptWriteToAReadOnlyShelfIsRecordedAndThrownByClose() throws {
        try PythonShelf.write(path, "s['a'] = 1")
        let shelf = try Shelf(path: path, mode: .readOnly)
        shelf["b"] = 2
        shelf["a"] = nil
        #expect(shelf.pendingErrors.map(\.code) == [.readOnly, .readOnly])
        #expect(shelf.pendingErrors.map(\.key) == ["b", "a"])
        #expect(shelf.pendingErrors.first?.message.contains("store key 'b'") == true)
        #expect(shelf.pendingErrors.last?.message.contains("delete key 'a'") == true)
        let error = #expect(throws: ShelfError.self) { try shelf.close() }
        #expect(error?.code == .deferredFailures)
        #expect(error?.failures.map(\.code) == [.readOnly, .readOnly])
        #expect(error?.message.contains("2 operations") == true)
        #expect(error?.message.contains("store key 'b'") == true)
        #expect(shelf.isClosed)
        // Thrown once.
        try shelf.close()
        #expect(try PythonShelf.read(path, "print(sorted(s))") == "['a']\n")
    }

    @Test func syncThrowsRecordedFailuresOnceAndTheShelfStaysUsable() throws {
        try PythonShelf.write(path, "s['a'] = 1")
        let shelf = try Shelf(path: path, mode: .readOnly)
        shelf["b"] = nil
        let error = #expect(throws: ShelfError.self) { try shelf.sync() }
        #expect(error?.code == .deferredFailures)
        #expect(error?.failures.count == 1)
        #expect(error?.failures.first?.code == .readOnly)
        #expect(shelf.pendingErrors.isEmpty)
        try shelf.sync()
        #expect(try shelf.contains("a"))
        try shelf.close()
    }

    @Test func removePendingErrorsHandsThemOverSoCloseDoesNotThrow() throws {
        try Shelf(path: path).close()
        let shelf = try Shelf(path: path, mode: .readOnly)
        shelf["x"] = nil
        let taken = shelf.removePendingErrors()
        #expect(taken.map(\.code) == [.readOnly])
        #expect(shelf.pendingErrors.isEmpty)
        try shelf.close()
    }

    @Test func codesHaveNamesAndMatchInCatchClauses() throws {
        let codes: [ShelfError.Code] = [
            .closed, .readOnly, .keyNotFound, .invalidKey, .locked, .notAShelf, .fileNotFound, .permissionDenied,
            .decodingFailed, .encodingFailed, .deferredFailures, .invalidArgument, .storage,
        ]
        #expect(Set(codes).count == codes.count)
        #expect(Set(codes.map(\.description)).count == codes.count)
        #expect(ShelfError.Code.keyNotFound.description == "keyNotFound")

        let shelf = try Shelf(path: path)
        let error = #expect(throws: ShelfError.self) { try shelf.delete("nothing") }
        #expect(error?.description.hasPrefix("keyNotFound: cannot delete key 'nothing' from '\(path)'") == true)
        try shelf.close()
    }

    @Test func codesMatchInCatchClauses() throws {
        let shelf = try Shelf(path: path)
        do {
            try shelf.delete("nothing")
            Issue.record("delete of a missing key did not throw")
        } catch ShelfError.Code.keyNotFound {
            // matched by code
        }
        try shelf.close()
    }

    @Test func aFileWithoutPermissionIsReported() throws {
        try Shelf(path: path).close()
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path) }
        guard getuid() != 0 else { return }  // root reads anything
        let error = #expect(throws: ShelfError.self) { try Shelf(path: path, mode: .readOnly) }
        #expect(error?.code == .permissionDenied)
    }
}
