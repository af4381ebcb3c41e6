import Foundation
import Testing
import TestSupport

@testable import GDBM

@Suite("GDBMFile operations")
struct GDBMFileTests {
    let directory: TemporaryDirectory
    let path: String

    init() throws {
        directory = try TemporaryDirectory(prefix: "gdbm-file")
        path = directory.path("test.db")
    }

    @Test func storeThenFetch() throws {
        let db = try GDBMFile(path: path)
        try db.store(Fixtures.bytes("red"), forKey: Fixtures.bytes("apple"))
        #expect(try db.fetch(Fixtures.bytes("apple")) == Fixtures.bytes("red"))
        #expect(try db.fetch(Fixtures.bytes("pear")) == nil)
        try db.close()
    }

    @Test func storeReplacesTheValue() throws {
        let db = try GDBMFile(path: path)
        try db.store(Fixtures.bytes("one"), forKey: Fixtures.bytes("k"))
        try db.store(Fixtures.bytes("two"), forKey: Fixtures.bytes("k"))
        #expect(try db.fetch(Fixtures.bytes("k")) == Fixtures.bytes("two"))
        #expect(try db.count == 1)
    }

    @Test func insertStoresOnlyWhenTheKeyIsAbsent() throws {
        let db = try GDBMFile(path: path)
        #expect(try db.insert(Fixtures.bytes("first"), forKey: Fixtures.bytes("k")))
        #expect(try !db.insert(Fixtures.bytes("second"), forKey: Fixtures.bytes("k")))
        #expect(try db.fetch(Fixtures.bytes("k")) == Fixtures.bytes("first"))
    }

    @Test func deleteAndContains() throws {
        let db = try GDBMFile(path: path)
        try db.store(Fixtures.bytes("v"), forKey: Fixtures.bytes("k"))
        #expect(try db.contains(Fixtures.bytes("k")))
        try db.delete(Fixtures.bytes("k"))
        #expect(try !db.contains(Fixtures.bytes("k")))
        #expect(try db.fetch(Fixtures.bytes("k")) == nil)
        #expect(try db.count == 0)
    }

    @Test func emptyKeysAndValues() throws {
        let db = try GDBMFile(path: path)
        try db.store([], forKey: [])
        try db.store([], forKey: Fixtures.bytes("empty value"))
        try db.store(Fixtures.bytes("empty key's neighbour"), forKey: [0])
        #expect(try db.fetch([]) == [])
        #expect(try db.fetch(Fixtures.bytes("empty value")) == [])
        #expect(try db.contains([]))
        #expect(try db.withValue(forKey: []) { $0.count } == 0)
        #expect(try Set(db.keys()) == [[], Fixtures.bytes("empty value"), [0]])
        #expect(try !db.insert([1], forKey: []))
        try db.delete([])
        #expect(try !db.contains([]))
        #expect(try db.count == 2)
    }

    @Test func everyByteValueInKeysAndValues() throws {
        let db = try GDBMFile(path: path)
        try db.store(Fixtures.allBytes.reversed(), forKey: Fixtures.allBytes)
        for byte in Fixtures.allBytes {
            try db.store([byte, byte], forKey: [byte])
        }
        #expect(try db.fetch(Fixtures.allBytes) == Fixtures.allBytes.reversed())
        for byte in Fixtures.allBytes {
            #expect(try db.fetch([byte]) == [byte, byte])
        }
        #expect(try db.count == 257)
    }

    @Test func megabyteKeysAndValues() throws {
        let db = try GDBMFile(path: path)
        try db.store(Fixtures.megabyte, forKey: Fixtures.megabyte)
        try db.close()
        let reader = try GDBMFile(path: path, mode: .readOnly)
        #expect(try reader.fetch(Fixtures.megabyte) == Fixtures.megabyte)
        #expect(try reader.keys() == [Fixtures.megabyte])
    }

    @Test func withValueLendsTheBytes() throws {
        let db = try GDBMFile(path: path)
        try db.store(Fixtures.allBytes, forKey: Fixtures.bytes("k"))
        let copy = try db.withValue(forKey: Fixtures.bytes("k")) { Array($0) }
        #expect(copy == Fixtures.allBytes)
        var called = false
        let missing: Int? = try db.withValue(forKey: Fixtures.bytes("missing")) { _ in
            called = true
            return 1
        }
        #expect(missing == nil)
        #expect(!called)
    }

    @Test func withValueTakesTheKeyAsABuffer() throws {
        let db = try GDBMFile(path: path)
        try db.store(Fixtures.allBytes, forKey: Fixtures.bytes("k"))
        try db.store([7], forKey: [])
        let key = "k"
        let copy = try key.utf8.withContiguousStorageIfAvailable { utf8 in
            try db.withValue(forKey: UnsafeRawBufferPointer(utf8)) { Array($0) }
        }
        #expect(copy == .some(Fixtures.allBytes))
        let empty = try db.withValue(forKey: UnsafeRawBufferPointer(start: nil, count: 0)) { Array($0) }
        #expect(empty == [7])
        let missing = try [UInt8](repeating: 1, count: 3).withUnsafeBytes { bytes in
            try db.withValue(forKey: bytes) { $0.count }
        }
        #expect(missing == nil)
    }

    @Test func storeTakesBuffers() throws {
        let db = try GDBMFile(path: path)
        let key = "clé"
        try key.utf8.withContiguousStorageIfAvailable { utf8 in
            try Fixtures.allBytes.withUnsafeBytes { try db.store($0, forKey: UnsafeRawBufferPointer(utf8)) }
        }
        #expect(try db.fetch(Array(key.utf8)) == Fixtures.allBytes)
        try [UInt8]().withUnsafeBytes { empty in try db.store(empty, forKey: empty) }
        #expect(try db.fetch([]) == [])
        try db.close()
        let reader = try GDBMFile(path: path, mode: .readOnly)
        let refused = #expect(throws: GDBMError.self) {
            try [UInt8](repeating: 1, count: 2).withUnsafeBytes { try reader.store($0, forKey: $0) }
        }
        #expect(refused?.code == .readOnly)
    }

    @Test func withValueRethrowsTheClosureError() throws {
        struct Stop: Error, Equatable {}
        let db = try GDBMFile(path: path)
        try db.store([1, 2, 3], forKey: [9])
        #expect(throws: Stop()) {
            try db.withValue(forKey: [9]) { _ in throw Stop() }
        }
        // The handle is still usable.
        #expect(try db.fetch([9]) == [1, 2, 3])
    }

    @Test func withValueClosureMayUseTheSameFile() throws {
        let db = try GDBMFile(path: path)
        try db.store([1], forKey: [0])
        let result = try db.withValue(forKey: [0]) { bytes in
            try db.store(Array(bytes) + [2], forKey: [1])
            return try db.count
        }
        #expect(result == 2)
        #expect(try db.fetch([1]) == [1, 2])
    }

    @Test func countAndKeys() throws {
        let db = try GDBMFile(path: path)
        #expect(try db.count == 0)
        #expect(try db.keys() == [])
        let keys = (0..<500).map { Fixtures.bytes("key-\($0)") }
        for key in keys {
            try db.store(key + key, forKey: key)
        }
        #expect(try db.count == 500)
        let listed = try db.keys()
        #expect(listed.count == 500)
        #expect(Set(listed) == Set(keys))
    }

    @Test func forEachKeyLendsEveryKeyOnceAndStopsWhenAsked() throws {
        let db = try GDBMFile(path: path)
        var lent = 0
        try db.forEachKey { _ in
            lent += 1
            return true
        }
        #expect(lent == 0)
        let keys = (0..<200).map { Fixtures.bytes("key-\($0)") } + [[]]
        for key in keys { try db.store([1], forKey: key) }
        var seen: [[UInt8]] = []
        try db.forEachKey { key in
            seen.append(Array(key))
            return true
        }
        #expect(seen.count == keys.count)
        #expect(Set(seen) == Set(keys))
        // In the order keys() lists them.
        #expect(seen == (try db.keys()))
        var firstThree: [[UInt8]] = []
        try db.forEachKey { key in
            firstThree.append(Array(key))
            return firstThree.count < 3
        }
        #expect(firstThree == Array(seen.prefix(3)))
        // The walk released the lock: the file is usable again.
        #expect(try db.count == keys.count)
        try db.close()
        let error = #expect(throws: GDBMError.self) { try db.forEachKey { _ in true } }
        #expect(error?.code == .closed)
    }

    @Test func keysIsASnapshotSafeToChangeTheFileDuring() throws {
        let db = try GDBMFile(path: path)
        for index in 0..<300 {
            try db.store([UInt8(index % 256)], forKey: Fixtures.bytes("key-\(index)"))
        }
        for key in try db.keys() {
            try db.delete(key)
        }
        #expect(try db.count == 0)
    }

    @Test func changesPersistAfterClose() throws {
        let db = try GDBMFile(path: path, mode: .create)
        try db.store(Fixtures.bytes("kept"), forKey: Fixtures.bytes("k"))
        try db.sync()
        try db.close()
        let again = try GDBMFile(path: path, mode: .readWrite)
        #expect(try again.fetch(Fixtures.bytes("k")) == Fixtures.bytes("kept"))
    }

    @Test func newDatabaseDiscardsExistingData() throws {
        let db = try GDBMFile(path: path, mode: .create)
        try db.store([1], forKey: [1])
        try db.close()
        let fresh = try GDBMFile(path: path, mode: .newDatabase)
        #expect(try fresh.count == 0)
    }

    @Test func createKeepsExistingData() throws {
        try GDBMFile(path: path, mode: .newDatabase).store([1], forKey: [1])
        let db = try GDBMFile(path: path, mode: .create)
        #expect(try db.fetch([1]) == [1])
    }

    @Test func reorganizeShrinksTheFileAndKeepsTheData() throws {
        let db = try GDBMFile(path: path)
        let value = Fixtures.pattern(count: 4096, seed: 1)
        for index in 0..<500 {
            try db.store(value, forKey: Fixtures.bytes("key-\(index)"))
        }
        for index in 10..<500 {
            try db.delete(Fixtures.bytes("key-\(index)"))
        }
        try db.sync()
        let before = try fileSize(path)
        try db.reorganize()
        try db.sync()
        let after = try fileSize(path)
        #expect(after < before)
        #expect(try db.count == 10)
        for index in 0..<10 {
            #expect(try db.fetch(Fixtures.bytes("key-\(index)")) == value)
        }
        // The handle keeps working, and keeps its lock, on the new file.
        try db.store([1], forKey: [1])
        let error = #expect(throws: GDBMError.self) { try GDBMFile(path: path, mode: .readOnly) }
        #expect(error?.code == .locked)
    }

    @Test func closeIsIdempotent() throws {
        let db = try GDBMFile(path: path)
        #expect(!db.isClosed)
        try db.close()
        #expect(db.isClosed)
        try db.close()
        #expect(db.isClosed)
    }

    @Test func closeReleasesTheLock() throws {
        let writer = try GDBMFile(path: path)
        try writer.close()
        let again = try GDBMFile(path: path, mode: .readWrite)
        try again.close()
    }

    @Test func deinitClosesTheFile() throws {
        do {
            let writer = try GDBMFile(path: path)
            try writer.store([1], forKey: [1])
        }
        // The first handle is gone: its lock is released and its change written.
        let again = try GDBMFile(path: path, mode: .readWrite)
        #expect(try again.fetch([1]) == [1])
    }

    @Test func propertiesDescribeTheOpenFile() throws {
        let db = try GDBMFile(path: path, mode: .create, options: [.closeOnExec])
        #expect(db.path == path)
        #expect(db.mode == .create)
        #expect(db.options == [.closeOnExec])
        #expect(try db.fileDescriptor >= 0)
        #expect(try db.blockSize >= 512)
        #expect(try !db.needsRecovery)
    }

    @Test func blockSizeIsUsedForNewFiles() throws {
        let db = try GDBMFile(path: path, mode: .newDatabase, blockSize: 1024)
        #expect(try db.blockSize >= 1024)
        #expect(try db.blockSize < 4096)
    }

    @Test func cacheSizeIsSetAfterOpening() throws {
        let db = try GDBMFile(path: path, cacheSize: 100)
        #expect(try db.cacheSize == 128)  // gdbm rounds up to a power of two
    }

    @Test func permissionsApplyToCreatedFiles() throws {
        _ = try GDBMFile(path: path, mode: .create, permissions: 0o600)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test(arguments: [
        GDBMFile.Options.synchronous, .noMemoryMapping, .closeOnExec, .verifyOnOpen, .preread, .noLocking,
    ])
    func everyOptionOpensAndWorks(option: GDBMFile.Options) throws {
        let db = try GDBMFile(path: path, mode: .create, options: option)
        try db.store([2], forKey: [1])
        try db.close()
        let reader = try GDBMFile(path: path, mode: .readOnly, options: option)
        #expect(try reader.fetch([1]) == [2])
    }

    @Test func noLockingAllowsASecondHandleInProcess() throws {
        let first = try GDBMFile(path: path, options: .noLocking)
        let second = try GDBMFile(path: path, mode: .readOnly, options: .noLocking)
        try first.close()
        try second.close()
    }

    @Test func filesAreInTheStandardFormat() throws {
        let db = try GDBMFile(path: path, mode: .newDatabase)
        #expect(try !db.isExtendedFormat)
        let header = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(4)
        #expect(Array(header) == [0xcf, 0x9a, 0x57, 0x13])  // 0x13579acf, little-endian
    }

    @Test func libraryVersionNamesGDBM() {
        #expect(GDBMFile.libraryVersion.hasPrefix("GDBM version 1."))
    }

    @Test func concurrentUseFromManyTasksIsSerialized() async throws {
        let db = try GDBMFile(path: path)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<100 {
                        let key = Fixtures.bytes("\(task)-\(index)")
                        try? db.store(key, forKey: key)
                        _ = try? db.fetch(key)
                        _ = try? db.count
                    }
                }
            }
        }
        #expect(try db.count == 800)
        for task in 0..<8 {
            for index in 0..<100 {
                let key = Fixtures.bytes("\(task)-\(index)")
                #expect(try db.fetch(key) == key)
            }
        }
    }

    private func fileSize(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? Int) ?? 0
    }
}
