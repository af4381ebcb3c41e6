import Foundation
import Testing
import TestSupport

@testable import GDBM

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Each error code, provoked for real.
@Suite("GDBMError codes")
struct GDBMErrorTests {
    let directory: TemporaryDirectory
    let path: String

    init() throws {
        directory = try TemporaryDirectory(prefix: "gdbm-error")
        path = directory.path("test.db")
    }

    @Test(arguments: [GDBMFile.OpenMode.readOnly, .readWrite])
    func missingFileWithoutCreate(mode: GDBMFile.OpenMode) throws {
        let error = #expect(throws: GDBMError.self) { try GDBMFile(path: path, mode: mode) }
        #expect(error?.code == .fileNotFound)
        #expect(error?.gdbmError == 3)  // GDBM_FILE_OPEN_ERROR
        #expect(error?.systemErrno == ENOENT)
        #expect(error?.path == path)
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains(".create") == true)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test(arguments: [GDBMFile.OpenMode.readOnly, .readWrite, .create])
    func textFileIsNotAGDBMFile(mode: GDBMFile.OpenMode) throws {
        let text = "this is a plain text file, not a database\n"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let error = #expect(throws: GDBMError.self) { try GDBMFile(path: path, mode: mode) }
        #expect(error?.code == .notGDBMFile)
        #expect(error?.gdbmError == 7)  // GDBM_BAD_MAGIC_NUMBER
        #expect(error?.systemErrno == nil)
        #expect(error?.message.contains("not a GDBM database") == true)
        // The file is left alone.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    /// gdbm 1.23 reads a fixed-size header first, so a file shorter than that fails with GDBM_FILE_EOF
    /// before the magic number is checked.
    @Test(arguments: [GDBMFile.OpenMode.readOnly, .readWrite, .create])
    func shortTextFileIsNotAGDBMFile(mode: GDBMFile.OpenMode) throws {
        try "hello\n".write(toFile: path, atomically: false, encoding: .utf8)
        let error = #expect(throws: GDBMError.self) { try GDBMFile(path: path, mode: mode) }
        #expect(error?.code == .notGDBMFile)
        #expect(error?.gdbmError == 25)  // GDBM_FILE_EOF
        #expect(error?.message.contains("too short") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello\n")
    }

    @Test func emptyFileOpenedReadOnlyIsNotAGDBMFile() throws {
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let error = #expect(throws: GDBMError.self) { try GDBMFile(path: path, mode: .readOnly) }
        #expect(error?.code == .notGDBMFile)
        #expect(error?.gdbmError == 8)  // GDBM_EMPTY_DATABASE
    }

    @Test func secondWriterInProcessIsLocked() throws {
        let writer = try GDBMFile(path: path)
        let error = #expect(throws: GDBMError.self) { try GDBMFile(path: path, mode: .readWrite) }
        #expect(error?.code == .locked)
        #expect(error?.gdbmError == 10)  // GDBM_CANT_BE_WRITER
        #expect(error?.systemErrno == EAGAIN)
        #expect(error?.message.contains("locked") == true)
        #expect(error?.message.contains(".readOnly") == true)
        // The failed open did not disturb the first handle.
        try writer.store([1], forKey: [1])
        #expect(try writer.fetch([1]) == [1])
    }

    @Test func readerWhileAWriterHoldsTheFileIsLocked() throws {
        let writer = try GDBMFile(path: path)
        let error = #expect(throws: GDBMError.self) { try GDBMFile(path: path, mode: .readOnly) }
        #expect(error?.code == .locked)
        #expect(error?.gdbmError == 9)  // GDBM_CANT_BE_READER
        #expect(error?.systemErrno == EAGAIN)
        try writer.close()
    }

    @Test func writerWhileReadersHoldTheFileIsLocked() throws {
        try GDBMFile(path: path).close()
        let reader = try GDBMFile(path: path, mode: .readOnly)
        for mode in [GDBMFile.OpenMode.readWrite, .create, .newDatabase] {
            let error = #expect(throws: GDBMError.self) { try GDBMFile(path: path, mode: mode) }
            #expect(error?.code == .locked)
        }
        try reader.close()
    }

    @Test func changingAReadOnlyFileIsReadOnly() throws {
        let writer = try GDBMFile(path: path)
        try writer.store([1], forKey: [1])
        try writer.close()
        let reader = try GDBMFile(path: path, mode: .readOnly)
        let store = #expect(throws: GDBMError.self) { try reader.store([2], forKey: [1]) }
        #expect(store?.code == .readOnly)
        #expect(store?.gdbmError == 12)  // GDBM_READER_CANT_STORE
        #expect(store?.message.contains(".readWrite") == true)
        let insert = #expect(throws: GDBMError.self) { try reader.insert([2], forKey: [2]) }
        #expect(insert?.code == .readOnly)
        let delete = #expect(throws: GDBMError.self) { try reader.delete([1]) }
        #expect(delete?.code == .readOnly)
        #expect(delete?.gdbmError == 11)  // GDBM_READER_CANT_DELETE
        let reorganize = #expect(throws: GDBMError.self) { try reader.reorganize() }
        #expect(reorganize?.code == .readOnly)
        #expect(reorganize?.gdbmError == 13)  // GDBM_READER_CANT_REORGANIZE
        let recover = #expect(throws: GDBMError.self) { try reader.recover() }
        #expect(recover?.code == .readOnly)
        // Reading and syncing still work.
        #expect(try reader.fetch([1]) == [1])
        try reader.sync()
    }

    /// The record calls read the error gdbm recorded in the file only when a call failed: an earlier
    /// failure must not show through a later call, and a later call's own error must be its own.
    @Test func eachFailedCallReportsItsOwnError() throws {
        let writer = try GDBMFile(path: path)
        try writer.store([1], forKey: [1])
        #expect(try writer.fetch([9]) == nil)  // records GDBM_ITEM_NOT_FOUND in the file
        #expect(try writer.insert([2], forKey: [1]) == false)  // records GDBM_CANNOT_REPLACE
        #expect(try writer.contains([9]) == false)
        #expect(try writer.contains([1]))
        try writer.store([3], forKey: [1])
        #expect(try writer.fetch([1]) == [3])
        var keys: [[UInt8]] = []
        try writer.forEachKey { keys.append(Array($0)); return true }
        #expect(keys == [[1]])
        try writer.close()

        let reader = try GDBMFile(path: path, mode: .readOnly)
        #expect(try reader.fetch([9]) == nil)
        let store = #expect(throws: GDBMError.self) { try reader.store([2], forKey: [1]) }
        #expect(store?.gdbmError == 12)  // GDBM_READER_CANT_STORE, not the earlier ITEM_NOT_FOUND
        #expect(store?.systemErrno == nil)
        #expect(try reader.fetch([9]) == nil)  // not the earlier READER_CANT_STORE
        #expect(try reader.contains([9]) == false)
        #expect(try reader.fetch([1]) == [3])
    }

    @Test func everyOperationOnAClosedFileIsClosed() throws {
        let db = try GDBMFile(path: path)
        try db.close()
        let operations: [(String, () throws(GDBMError) -> Void)] = [
            ("fetch", { () throws(GDBMError) in _ = try db.fetch([1]) }),
            ("contains", { () throws(GDBMError) in _ = try db.contains([1]) }),
            ("store", { () throws(GDBMError) in try db.store([1], forKey: [1]) }),
            ("insert", { () throws(GDBMError) in _ = try db.insert([1], forKey: [1]) }),
            ("delete", { () throws(GDBMError) in try db.delete([1]) }),
            ("count", { () throws(GDBMError) in _ = try db.count }),
            ("keys", { () throws(GDBMError) in _ = try db.keys() }),
            ("sync", { () throws(GDBMError) in try db.sync() }),
            ("reorganize", { () throws(GDBMError) in try db.reorganize() }),
            ("recover", { () throws(GDBMError) in _ = try db.recover() }),
            ("needsRecovery", { () throws(GDBMError) in _ = try db.needsRecovery }),
            ("cacheSize", { () throws(GDBMError) in _ = try db.cacheSize }),
            ("blockSize", { () throws(GDBMError) in _ = try db.blockSize }),
            ("fileDescriptor", { () throws(GDBMError) in _ = try db.fileDescriptor }),
        ]
        for (name, operation) in operations {
            let error = #expect(throws: GDBMError.self, "\(name)") { try operation() }
            #expect(error?.code == .closed, "\(name)")
            #expect(error?.gdbmError == nil)
            #expect(error?.path == path)
        }
        let withValue = #expect(throws: GDBMError.self) { try db.withValue(forKey: [1]) { $0.count } }
        #expect(withValue?.code == .closed)
        #expect(withValue?.message.contains("closed") == true)
    }

    @Test func deletingAMissingKeyIsItemNotFound() throws {
        let db = try GDBMFile(path: path)
        let error = #expect(throws: GDBMError.self) { try db.delete(Fixtures.bytes("missing")) }
        #expect(error?.code == .itemNotFound)
        #expect(error?.gdbmError == 15)  // GDBM_ITEM_NOT_FOUND
        // The handle is fine afterwards.
        try db.store([1], forKey: [1])
        #expect(try db.count == 1)
    }

    @Test func sizesBeyondInt32AreTooLarge() throws {
        try GDBMHandle.checkSize(Int(Int32.max), "value", .store, path: path)
        let error = #expect(throws: GDBMError.self) {
            try GDBMHandle.checkSize(Int(Int32.max) + 1, "value", .store, path: path)
        }
        #expect(error?.code == .tooLarge)
        #expect(error?.gdbmError == nil)
        #expect(error?.message.contains("2147483648") == true)
    }

    @Test func deniedAccessIsPermissionDenied() throws {
        let target: String
        if geteuid() == 0 {
            // root bypasses file modes; a read-only sysfs attribute still refuses writing.
            target = "/sys/kernel/notes"
            try #require(FileManager.default.fileExists(atPath: target), "no read-only file to test as root")
        } else {
            try GDBMFile(path: path).close()
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
            target = path
        }
        let error = #expect(throws: GDBMError.self) { try GDBMFile(path: target, mode: .readWrite) }
        #expect(error?.code == .permissionDenied)
        #expect(error?.systemErrno == EACCES)
    }

    @Test func writeFailureIsIO() throws {
        // Every write to /dev/full fails with ENOSPC; opening it for writing tries to initialize it.
        let error = #expect(throws: GDBMError.self) { try GDBMFile(path: "/dev/full", mode: .readWrite) }
        #expect(error?.code == .io)
        #expect(error?.gdbmError == 4)  // GDBM_FILE_WRITE_ERROR
        #expect(error?.systemErrno == ENOSPC)
    }

    @Test func truncatedFileIsCorrupt() throws {
        let db = try GDBMFile(path: path, blockSize: 512)
        for index in 0..<500 {
            try db.store(Fixtures.pattern(count: 100, seed: index), forKey: Fixtures.bytes("key-\(index)"))
        }
        try db.close()
        // Keep the header block but cut the bucket directory that follows it.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 600)
        try handle.close()
        let error = #expect(throws: GDBMError.self) { try GDBMFile(path: path, mode: .readOnly) }
        #expect(error?.code == .corrupt)
        #expect(error?.gdbmError == 33)  // GDBM_BAD_HEADER
    }

    /// A damaged directory entry is a "fatal" error in gdbm's terms. With a NULL fatal function, gdbm 1.23
    /// reports it and marks the handle as needing recovery instead of exiting the process.
    @Test func damagedDirectoryNeedsRecoveryAndRecovers() throws {
        let db = try GDBMFile(path: path, mode: .newDatabase, blockSize: 512)
        let keys = (0..<2000).map { Fixtures.bytes("key-\($0)") }
        for key in keys {
            try db.store(key + key, forKey: key)
        }
        try db.close()

        // The header's third field (a 64-bit offset at byte 8) locates the bucket directory; zero its first
        // entry, so it points at no bucket.
        let file = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try file.seek(toOffset: 8)
        let offsetBytes = try #require(try file.read(upToCount: 8))
        let directory = offsetBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        try file.seek(toOffset: directory)
        try file.write(contentsOf: Data(count: 8))
        try file.close()

        let damaged = try GDBMFile(path: path, mode: .readWrite)
        var codes: [GDBMError.Code] = []
        for key in keys {
            do {
                _ = try damaged.fetch(key)
            } catch {
                codes.append(error.code)
            }
        }
        #expect(codes.first == .corrupt)
        #expect(codes.dropFirst().allSatisfy { $0 == .needsRecovery })
        #expect(codes.count > 1)
        #expect(try damaged.needsRecovery)
        let refused = #expect(throws: GDBMError.self) { try damaged.store([1], forKey: [1]) }
        #expect(refused?.code == .needsRecovery)
        #expect(refused?.gdbmError == 29)  // GDBM_NEED_RECOVERY
        #expect(refused?.message.contains("recover()") == true)

        let report = try damaged.recover(keepingBackup: true)
        #expect(try !damaged.needsRecovery)
        #expect(report.failedBuckets >= 1)
        let backup = try #require(report.backupPath)
        #expect(FileManager.default.fileExists(atPath: backup))
        for key in keys {
            #expect(try damaged.fetch(key).map { $0 == key + key } != false)
        }
        try damaged.store([1], forKey: [1])
        #expect(try damaged.fetch([1]) == [1])
        try damaged.close()
    }

    @Test func recoverOnAHealthyFileChangesNothing() throws {
        let db = try GDBMFile(path: path)
        try db.store([1], forKey: [1])
        let report = try db.recover(force: true)
        #expect(report.failedKeys == 0)
        #expect(report.backupPath == nil)
        #expect(try db.fetch([1]) == [1])
        let limit = #expect(throws: GDBMError.self) { try db.recover(maxFailures: 0) }
        #expect(limit?.code == .invalidArgument)
    }

    @Test func invalidArguments() throws {
        let cases: [(String, () throws(GDBMError) -> Void)] = [
            ("block size 0", { () throws(GDBMError) in _ = try GDBMFile(path: path, blockSize: 0) }),
            ("negative block size", { () throws(GDBMError) in _ = try GDBMFile(path: path, blockSize: -1) }),
            ("cache size 0", { () throws(GDBMError) in _ = try GDBMFile(path: path, cacheSize: 0) }),
            ("NUL in path", { () throws(GDBMError) in _ = try GDBMFile(path: path + "\0x") }),
            ("permissions", { () throws(GDBMError) in _ = try GDBMFile(path: path, permissions: 0o10000) }),
            ("directory", { () throws(GDBMError) in _ = try GDBMFile(path: directory.root, mode: .create) }),
            ("directory read-only", { () throws(GDBMError) in
                _ = try GDBMFile(path: directory.root, mode: .readOnly)
            }),
        ]
        for (name, body) in cases {
            let error = #expect(throws: GDBMError.self, "\(name)") { try body() }
            #expect(error?.code == .invalidArgument, "\(name)")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func codesMatchInCatchClauses() throws {
        let db = try GDBMFile(path: path)
        var matched = false
        do {
            try db.delete([1])
        } catch GDBMError.Code.itemNotFound {
            matched = true
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(matched)

        // In an untyped context, as most callers are.
        let untyped: () throws -> Void = { try db.delete([1]) }
        do {
            try untyped()
        } catch let error as GDBMError where error.code == .itemNotFound {
            #expect(error.description.hasPrefix("itemNotFound: cannot delete a key from '\(path)'"))
        }
    }

    @Test func codesAreDistinctAndNamed() {
        let codes: [GDBMError.Code] = [
            .fileNotFound, .notGDBMFile, .locked, .permissionDenied, .readOnly, .itemNotFound, .closed,
            .needsRecovery, .corrupt, .io, .tooLarge, .invalidArgument, .other,
        ]
        #expect(Set(codes).count == codes.count)
        #expect(Set(codes.map(\.description)).count == codes.count)
        #expect(GDBMError.Code.locked.description == "locked")
    }
}
