import Foundation
import GDBM
import Pickle
import TestSupport
import Testing

@testable import Shelve

@Suite("Opening and closing a shelf")
struct ShelfOpeningTests {
    let scratch: Scratch
    var path: String { scratch.path }

    init() throws {
        scratch = try Scratch()
    }

    @Test func createMakesAnEmptyShelfThatPythonRecognises() throws {
        let shelf = try Shelf(path: path)
        #expect(shelf.mode == .create)
        #expect(shelf.protocolVersion == 5)
        #expect(!shelf.isWriteback)
        #expect(try shelf.count == 0)
        #expect(try shelf.isEmpty)
        #expect(try shelf.keys() == [])
        try shelf.close()
        #expect(FileManager.default.fileExists(atPath: path))
        let output = try PythonShelf.read(path, "print(len(s))")
        #expect(output == "0\n")
    }

    @Test(arguments: [Shelf.OpenMode.readOnly, .readWrite])
    func modesThatDoNotCreateRefuseAMissingFile(mode: Shelf.OpenMode) throws {
        let error = #expect(throws: ShelfError.self) { try Shelf(path: path, mode: mode) }
        #expect(error?.code == .fileNotFound)
        #expect(error?.path == path)
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains(".create") == true)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func readWriteOpensAnExistingShelf() throws {
        try PythonShelf.write(path, "s['a'] = 1\ns['b'] = 2")
        let shelf = try Shelf(path: path, mode: .readWrite)
        #expect(try Set(shelf.keys()) == ["a", "b"])
        try shelf.close()
    }

    @Test func newShelfDiscardsEveryRecord() throws {
        try PythonShelf.write(path, "s['a'] = 1\ns['b'] = 2")
        let shelf = try Shelf(path: path, mode: .newShelf)
        #expect(try shelf.count == 0)
        try shelf.close()
        #expect(try PythonShelf.read(path, "print(sorted(s))") == "[]\n")
    }

    @Test func readOnlyShelvesShareTheFileWithEachOtherAndWithPython() throws {
        try PythonShelf.write(path, "s['a'] = 1")
        let python = try PythonDBMHolder(path: path, flag: "r")
        let first = try Shelf(path: path, mode: .readOnly)
        let second = try Shelf(path: path, mode: .readOnly)
        #expect(try first.contains("a"))
        #expect(try second.contains("a"))
        let error = #expect(throws: ShelfError.self) { try Shelf(path: path, mode: .readWrite) }
        #expect(error?.code == .locked)
        try python.release()
        try first.close()
        try second.close()
    }

    @Test(arguments: [-1, 6, 100])
    func aProtocolOutsideZeroToFiveIsRejected(protocolVersion: Int) throws {
        let error = #expect(throws: ShelfError.self) { try Shelf(path: path, protocol: protocolVersion) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("\(protocolVersion)") == true)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func everyProtocolFromZeroToFiveIsAccepted() throws {
        for protocolVersion in 0...5 {
            let shelf = try Shelf(path: path, protocol: protocolVersion)
            #expect(shelf.protocolVersion == protocolVersion)
            try shelf.close()
        }
    }

    @Test func aTextFileIsNotAShelf() throws {
        try "just some text\nover two lines\n".write(toFile: path, atomically: false, encoding: .utf8)
        for mode in Shelf.OpenMode.allCases where mode != .newShelf {
            let error = #expect(throws: ShelfError.self, "\(mode)") { try Shelf(path: path, mode: mode) }
            #expect(error?.code == .notAShelf, "\(mode)")
            #expect(error?.message.contains(path) == true)
            #expect(error?.underlying is GDBMError)
        }
    }

    @Test func aDirectoryIsNotOpened() throws {
        let error = #expect(throws: ShelfError.self) { try Shelf(path: scratch.directory.root) }
        #expect(error != nil)
    }

    @Test func aLockedFileFailsAtOnceNamingTheFile() throws {
        try Shelf(path: path).close()
        let python = try PythonDBMHolder(path: path, flag: "w")
        for mode in Shelf.OpenMode.allCases {
            let error = #expect(throws: ShelfError.self, "\(mode)") { try Shelf(path: path, mode: mode) }
            #expect(error?.code == .locked, "\(mode)")
            #expect(error?.message.contains("'\(path)'") == true)
            #expect(error?.message.contains("lockTimeout") == true)
        }
        try python.release()
        try Shelf(path: path, mode: .readWrite).close()
    }

    @Test func aLockTimeoutWaitsUntilTheHolderExits() throws {
        try Shelf(path: path).close()
        let python = try PythonDBMHolder(path: path, flag: "w")
        // The open runs on another thread; the first refused attempt releases Python, so the open must have
        // retried to succeed. The timeout is only a bound on a broken test, not a measurement.
        let refused = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<Int, any Error>?
        nonisolated(unsafe) var conflicts = 0
        let path = self.path
        Thread.detachNewThread {
            do {
                let shelf = try Shelf(
                    path: path, mode: .readWrite, protocolVersion: 5, writeback: false, permissions: 0o666,
                    lockTimeout: .seconds(120),
                    onLockConflict: {
                        conflicts += 1
                        if conflicts == 1 { refused.signal() }
                    }
                )
                outcome = .success(try shelf.count)
                try shelf.close()
            } catch {
                outcome = .failure(error)
            }
            finished.signal()
        }
        refused.wait()
        try python.release()
        finished.wait()
        #expect(conflicts >= 1)
        #expect(try outcome?.get() == 0)
    }

    @Test func aLockTimeoutThatRunsOutThrowsLocked() throws {
        try Shelf(path: path).close()
        let python = try PythonDBMHolder(path: path, flag: "w")
        var conflicts = 0
        let error = #expect(throws: ShelfError.self) {
            try Shelf(
                path: path, mode: .readWrite, protocolVersion: 5, writeback: false, permissions: 0o666,
                lockTimeout: .milliseconds(20), onLockConflict: { conflicts += 1 }
            )
        }
        #expect(error?.code == .locked)
        #expect(error?.message.contains("after waiting") == true)
        #expect(conflicts >= 1)
        try python.release()
    }

    @Test func aNegativeLockTimeoutIsRejected() throws {
        let error = #expect(throws: ShelfError.self) { try Shelf(path: path, lockTimeout: .seconds(-1)) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func aSecondWriterInThisProcessIsLocked() throws {
        let first = try Shelf(path: path)
        let error = #expect(throws: ShelfError.self) { try Shelf(path: path) }
        #expect(error?.code == .locked)
        try first.close()
        try Shelf(path: path).close()
    }

    @Test func closeIsIdempotentAndEveryUseAfterCloseThrowsClosed() throws {
        let shelf = try Shelf(path: path)
        #expect(!shelf.isClosed)
        try shelf.close()
        #expect(shelf.isClosed)
        try shelf.close()
        let operations: [(String, () throws -> Void)] = [
            ("value", { _ = try shelf.value(forKey: "a") }),
            ("setValue", { try shelf.setValue(1, forKey: "a") }),
            ("removeValue", { _ = try shelf.removeValue(forKey: "a") }),
            ("delete", { try shelf.delete("a") }),
            ("contains", { _ = try shelf.contains("a") }),
            ("count", { _ = try shelf.count }),
            ("keys", { _ = try shelf.keys() }),
            ("rawKeys", { _ = try shelf.rawKeys() }),
            ("values", { _ = try shelf.values() }),
            ("items", { _ = try shelf.items() }),
            ("removeAll", { try shelf.removeAll() }),
            ("sync", { try shelf.sync() }),
            ("reorganize", { try shelf.reorganize() }),
        ]
        for (name, operation) in operations {
            let error = #expect(throws: ShelfError.self, "\(name)") { try operation() }
            #expect(error?.code == .closed, "\(name)")
            #expect(error?.message.contains("closed") == true, "\(name)")
        }
        // The file's lock was released: another shelf opens it.
        try Shelf(path: path, mode: .readWrite).close()
    }

    @Test func subscriptUseAfterCloseIsRecordedAndThrownByTheNextClose() throws {
        let shelf = try Shelf(path: path)
        try shelf.close()
        #expect(shelf["a"] == nil)
        shelf["b"] = nil
        #expect(shelf.pendingErrors.map(\.code) == [.closed, .closed])
        let error = #expect(throws: ShelfError.self) { try shelf.close() }
        #expect(error?.code == .deferredFailures)
        #expect(error?.failures.map(\.code) == [.closed, .closed])
        #expect(error?.failures.map(\.key) == ["a", "b"])
        #expect(shelf.pendingErrors.isEmpty)
        try shelf.close()
    }

    @Test func withShelfClosesAfterTheBody() throws {
        var kept: Shelf?
        let count = try Shelf.withShelf(path: path) { shelf in
            kept = shelf
            return try shelf.count
        }
        #expect(count == 0)
        #expect(kept?.isClosed == true)
    }

    @Test func withShelfClosesWhenTheBodyThrows() throws {
        struct Oops: Error {}
        var kept: Shelf?
        #expect(throws: Oops.self) {
            try Shelf.withShelf(path: path) { shelf in
                kept = shelf
                throw Oops()
            }
        }
        #expect(kept?.isClosed == true)
        try Shelf(path: path, mode: .readWrite).close()
    }

    @Test func withShelfThrowsACloseFailureAfterASuccessfulBody() throws {
        let error = #expect(throws: ShelfError.self) {
            try Shelf.withShelf(path: path) { shelf in
                shelf["a"] = nil
                try shelf.close()  // closing early makes the next subscript fail, and the scope's close throw
                _ = shelf["b"]
            }
        }
        #expect(error?.code == .deferredFailures)
        #expect(error?.failures.map(\.code) == [.closed])
    }

    @Test func reorganizeRefusesAReadOnlyShelf() throws {
        try Shelf(path: path).close()
        let shelf = try Shelf(path: path, mode: .readOnly)
        let error = #expect(throws: ShelfError.self) { try shelf.reorganize() }
        #expect(error?.code == .readOnly)
        try shelf.close()
    }

    @Test func descriptionSummarisesTheShelf() throws {
        let shelf = try Shelf(path: path, protocol: 2, writeback: true)
        #expect(shelf.description == "Shelf(path: \"\(path)\", mode: .create, protocol: 2, writeback: true)")
        try shelf.close()
        #expect(shelf.description.hasSuffix(", closed)"))
    }
}
