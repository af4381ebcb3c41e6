import Foundation
import GDBM
import Shelve
@testable import ShelfWorker
import TestSupport
import Testing

/// Many processes on one shelf (GDBM's lock: one writer or any number of readers), and one shelf or GDBM
/// file used from many tasks under the documented model (see the Concurrency article). CI also runs this
/// suite under the thread sanitizer: `swift test --sanitize=thread --filter Concurrency`.
@Suite struct ConcurrencyTests {
    /// Writes `count` records to a new shelf and returns what `checksum` gives for it.
    static func shelfOfRecords(_ path: String, count: Int) throws -> (count: Int, sum: UInt64) {
        try Shelf.withShelf(path: path, mode: .newShelf) { shelf in
            for index in 0..<count { try shelf.setValue(record(index), forKey: "k\(index)") }
        }
        return try Shelf.withShelf(path: path, mode: .readOnly) { shelf in try checksum(shelf) }
    }

    /// A Python reader: opens the file read-only with dbm.gnu (a shared lock), says "opened", waits for its
    /// standard input to close, then prints the same checksum as ShelfWorker's: FNV-1a over each
    /// `key=repr(value)` in key order.
    static let pythonReader = """
        import dbm.gnu, pickle, sys
        db = dbm.gnu.open(sys.argv[1], 'r')
        print('opened', flush=True)
        sys.stdin.read()
        keys = sorted(k.decode() for k in db.keys())
        h = 14695981039346656037
        for k in keys:
            for b in (k + '=' + repr(pickle.loads(db[k.encode()]))).encode():
                h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
        db.close()
        print('read', len(keys), h, flush=True)
        """

    @Test func manyReaderProcessesAtOnceAndAWriterRefused() throws {
        let scratch = try Scratch()
        let (count, sum) = try Self.shelfOfRecords(scratch.path, count: 200)
        // Three Python readers and three Swift readers, all holding the file open at the same time.
        var readers: [ChildProcess] = []
        for _ in 0..<3 {
            readers.append(try ChildProcess.python(Self.pythonReader, [scratch.path]))
            readers.append(try ChildProcess.worker(["read", scratch.path]))
        }
        for reader in readers { #expect(reader.readLine() == "opened") }

        // While they hold it, no writer gets in: not this process, not another Swift one, not Python.
        let error = #expect(throws: ShelfError.self) { try Shelf(path: scratch.path, mode: .readWrite) }
        #expect(error?.code == .locked)
        let waited = #expect(throws: ShelfError.self) {
            try Shelf(path: scratch.path, mode: .create, lockTimeout: .milliseconds(30))
        }
        #expect(waited?.code == .locked)
        let worker = try ChildProcess.worker(["open", scratch.path, "readWrite"])
        #expect(worker.readLine() == "locked")
        #expect(worker.wait() == 3)
        let python = try Python.script(
            """
            import dbm.gnu, sys
            try:
                dbm.gnu.open(sys.argv[1], 'w')
                print('opened')
            except dbm.gnu.error as error:
                print('refused')
            """, [scratch.path]
        ).text
        #expect(python == "refused\n")
        // Another reader is welcome, in this process too.
        #expect(try Shelf.withShelf(path: scratch.path, mode: .readOnly) { try $0.count } == count)

        for reader in readers { reader.closeInput() }
        for reader in readers {
            #expect(reader.readLine() == "read \(count) \(sum)")
            #expect(reader.wait() == 0)
        }
        // With every reader gone, the writer gets in.
        try Shelf.withShelf(path: scratch.path, mode: .readWrite) { shelf in shelf["writer"] = true }
    }

    @Test func readersInSeveralTasksOfThisProcess() async throws {
        let scratch = try Scratch()
        let expected = try Self.shelfOfRecords(scratch.path, count: 100)
        // Each task opens its own read-only shelf: readers share the file, handles included.
        let sums = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try Shelf.withShelf(path: scratch.path, mode: .readOnly) { shelf in try checksum(shelf).sum }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(sums == Array(repeating: expected.sum, count: 6))
    }

    @Test func oneGDBMFileSharedByManyTasks() async throws {
        // GDBMFile is Sendable: its operations take a lock, so tasks can share one handle.
        let scratch = try Scratch()
        let file = try GDBMFile(path: scratch.path, mode: .newDatabase)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<250 {
                        let key = Array("t\(task)-\(index)".utf8)
                        let value = [UInt8](repeating: UInt8(task), count: index % 64)
                        try file.store(value, forKey: key)
                        #expect(try file.fetch(key) == value)
                        if index % 50 == 0 { try file.sync() }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try file.count == 2000)
        #expect(try file.fetch(Array("t7-249".utf8)) == [UInt8](repeating: 7, count: 249 % 64))
        try file.close()
    }

    /// The Concurrency article's model: a shelf confined to an actor, used from many tasks.
    actor Counters {
        private let shelf: Shelf

        init(path: String) throws {
            shelf = try Shelf(path: path, mode: .newShelf)
        }

        func increment(_ key: String) throws {
            let current = try shelf.value(forKey: key)?.intValue ?? 0
            try shelf.setValue(.int(current + 1), forKey: key)
        }

        func value(_ key: String) throws -> Int? {
            try shelf.value(forKey: key)?.intValue
        }

        func close() throws {
            try shelf.close()
        }
    }

    @Test func aShelfInAnActorUsedFromManyTasks() async throws {
        let scratch = try Scratch()
        let counters = try Counters(path: scratch.path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for round in 0..<100 { try await counters.increment("counter\((task + round) % 4)") }
                }
            }
            try await group.waitForAll()
        }
        for key in 0..<4 { #expect(try await counters.value("counter\(key)") == 200) }
        try await counters.close()
        let python = try PythonShelf.read(scratch.path, "print(sorted(s.items()))")
        #expect(python == "[('counter0', 200), ('counter1', 200), ('counter2', 200), ('counter3', 200)]\n")
    }
}
