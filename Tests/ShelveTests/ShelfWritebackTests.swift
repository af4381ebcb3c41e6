import Foundation
import TestSupport
import Testing

@testable import Shelve

/// A list nested deeper than the pickler follows, so it cannot be pickled.
func tooDeep() -> PickleValue {
    var value: PickleValue = .list([])
    for _ in 0..<1_200 { value = .list(PickleList([value])) }
    return value
}

/// The pickle stored under `key`, read from the file underneath the shelf (bypassing the writeback cache).
func storedValue(_ shelf: Shelf, _ key: String) throws -> PickleValue? {
    guard let bytes = try shelf.file?.fetch(Array(key.utf8)) else { return nil }
    return try Unpickler.load(bytes)
}

@Suite("Writeback, as Python's writeback=True, without its two bugs")
struct ShelfWritebackTests {
    let scratch: Scratch
    var path: String { scratch.path }

    init() throws {
        scratch = try Scratch()
    }

    @Test func withoutWritebackAChangedCopyIsLost() throws {
        let shelf = try Shelf(path: path)
        shelf["key1"] = [1, 2, 3, 4]
        guard case .list(let copy) = shelf["key1"] else {
            Issue.record("not a list")
            return
        }
        copy.append(5)
        #expect(shelf["key1"] == [1, 2, 3, 4])
        guard case .list(let again) = shelf["key1"] else {
            Issue.record("not a list")
            return
        }
        #expect(copy !== again)
        try shelf.close()
    }

    @Test func withWritebackAChangedEntryIsKept() throws {
        let shelf = try Shelf(path: path, writeback: true)
        #expect(shelf.isWriteback)
        shelf["key1"] = [1, 2, 3, 4]
        guard case .list(let cached) = shelf["key1"], case .list(let again) = shelf["key1"] else {
            Issue.record("not a list")
            return
        }
        #expect(cached === again)
        cached.append(5)
        #expect(shelf["key1"] == [1, 2, 3, 4, 5])
        try shelf.close()

        let reopened = try Shelf(path: path, mode: .readOnly)
        #expect(reopened["key1"] == [1, 2, 3, 4, 5])
        try reopened.close()
        let output = try PythonShelf.read(path, "print(s['key1'])")
        #expect(output == "[1, 2, 3, 4, 5]\n")
    }

    @Test func readsReturnTheSameObjectEvenForValuesWrittenByPython() throws {
        try PythonShelf.write(path, "shared = [1]\ns['x'] = {'a': shared, 'b': shared}")
        let shelf = try Shelf(path: path, writeback: true)
        guard case .dict(let first) = shelf["x"], case .dict(let second) = try shelf.value(forKey: "x"),
            case .dict(let third) = try shelf.value(forRawKey: Array("x".utf8))
        else {
            Issue.record("not a dict")
            return
        }
        #expect(first === second)
        #expect(first === third)
        guard case .list(let a) = first["a"], case .list(let b) = first["b"] else {
            Issue.record("not lists")
            return
        }
        #expect(a === b)
        a.append(2)
        try shelf.close()
        let output = try PythonShelf.read(path, "x = s['x']\nprint(x, x['a'] is x['b'])")
        #expect(output == "{'a': [1, 2], 'b': [1, 2]} True\n")
    }

    @Test func writebackAlsoWritesImmediately() throws {
        let shelf = try Shelf(path: path, writeback: true)
        let value: PickleValue = [1, 2, 3]
        shelf["key"] = value
        #expect(try storedValue(shelf, "key") == [1, 2, 3])
        try shelf.setValue("two", forKey: "other")
        #expect(try storedValue(shelf, "other") == "two")
        try shelf.close()
    }

    @Test func syncWritesBackEveryCachedValueAndEmptiesTheCache() throws {
        let shelf = try Shelf(path: path, writeback: true)
        shelf["a"] = [1]
        shelf["b"] = ["x": 1]
        #expect(shelf.cache.count == 2)
        guard case .list(let a) = shelf["a"], case .dict(let b) = shelf["b"] else {
            Issue.record("wrong types")
            return
        }
        a.append(2)
        b["y"] = 2
        #expect(try storedValue(shelf, "a") == [1])
        try shelf.sync()
        #expect(shelf.cache.isEmpty)
        #expect(try storedValue(shelf, "a") == [1, 2])
        #expect(try storedValue(shelf, "b") == ["x": 1, "y": 2])
        // After a sync, a read loads a new object.
        guard case .list(let reloaded) = shelf["a"] else {
            Issue.record("not a list")
            return
        }
        #expect(reloaded !== a)
        try shelf.close()
    }

    @Test func deletingDropsTheCachedValue() throws {
        let shelf = try Shelf(path: path, writeback: true)
        shelf["a"] = [1]
        shelf["b"] = [2]
        shelf["c"] = [3]
        shelf["a"] = nil
        try shelf.delete("b")
        #expect(try shelf.removeValue(forKey: "c") == [3])
        #expect(shelf.cache.isEmpty)
        shelf["d"] = [4]
        try shelf.removeAll()
        #expect(shelf.cache.isEmpty)
        try shelf.close()
        #expect(try PythonShelf.read(path, "print(len(s))") == "0\n")
    }

    @Test func aValueThatCannotBePickledIsNeverCached() throws {
        let shelf = try Shelf(path: path, writeback: true)
        shelf["deep"] = [1]
        guard case .list(let cached) = shelf["deep"] else {
            Issue.record("not a list")
            return
        }

        // A failed assignment leaves the file and the cache as they were.
        let error = #expect(throws: ShelfError.self) { try shelf.setValue(tooDeep(), forKey: "deep") }
        #expect(error?.code == .encodingFailed)
        #expect(error?.key == "deep")
        #expect(error?.underlying is PickleError)
        shelf["deep"] = tooDeep()
        shelf["fresh"] = tooDeep()
        #expect(shelf.pendingErrors.map(\.code) == [.encodingFailed, .encodingFailed])
        guard case .list(let still) = shelf["deep"] else {
            Issue.record("not a list")
            return
        }
        #expect(still === cached)
        #expect(shelf.cache.keys.map { String(decoding: $0.bytes, as: UTF8.self) } == ["deep"])
        #expect(try storedValue(shelf, "deep") == [1])
        #expect(try !shelf.contains("fresh"))

        // The recorded failures are thrown once; later syncs and the close succeed (CPython's would all fail).
        let syncError = #expect(throws: ShelfError.self) { try shelf.sync() }
        #expect(syncError?.code == .deferredFailures)
        #expect(syncError?.failures.map(\.key) == ["deep", "fresh"])
        try shelf.sync()
        try shelf.close()
        #expect(try PythonShelf.read(path, "print(sorted(s.items()))") == "[('deep', [1])]\n")
    }

    @Test func aFailedSyncKeepsWritebackOnAndDropsOnlyTheBadValue() throws {
        let shelf = try Shelf(path: path, writeback: true)
        shelf["bad"] = [1]
        shelf["good"] = [1]
        guard case .list(let bad) = shelf["bad"], case .list(let good) = shelf["good"] else {
            Issue.record("not lists")
            return
        }
        bad.append(tooDeep())
        good.append(2)

        let error = #expect(throws: ShelfError.self) { try shelf.sync() }
        #expect(error?.code == .encodingFailed)
        #expect(error?.key == "bad")
        #expect(error?.message.contains("write back cached key 'bad'") == true)
        // The good value was written; the bad one was dropped from the cache, and the file keeps its last value.
        #expect(try storedValue(shelf, "good") == [1, 2])
        #expect(try storedValue(shelf, "bad") == [1])
        #expect(shelf.cache.isEmpty)

        // Writeback is still on: reads are cached again, and changes persist at the next sync.
        #expect(shelf.isWriteback)
        guard case .list(let again) = shelf["good"], case .list(let same) = shelf["good"] else {
            Issue.record("not a list")
            return
        }
        #expect(again === same)
        again.append(3)
        try shelf.sync()
        #expect(try storedValue(shelf, "good") == [1, 2, 3])
        try shelf.close()
    }

    @Test func closeWritesBackAndReportsAValueThatCannotBePickled() throws {
        let shelf = try Shelf(path: path, writeback: true)
        shelf["a"] = [1]
        guard case .list(let a) = shelf["a"] else {
            Issue.record("not a list")
            return
        }
        a.append(tooDeep())
        let error = #expect(throws: ShelfError.self) { try shelf.close() }
        #expect(error?.code == .encodingFailed)
        #expect(shelf.isClosed)
        try shelf.close()
        #expect(try PythonShelf.read(path, "print(s['a'])") == "[1]\n")
    }

    @Test func aReadOnlyWritebackShelfCachesReadsAndWritesNothingBack() throws {
        try PythonShelf.write(path, "s['a'] = [1]")
        let shelf = try Shelf(path: path, mode: .readOnly, writeback: true)
        guard case .list(let a) = shelf["a"], case .list(let same) = shelf["a"] else {
            Issue.record("not a list")
            return
        }
        #expect(a === same)
        a.append(2)
        try shelf.sync()
        #expect(shelf.cache.isEmpty)
        #expect(shelf["a"] == [1])
        try shelf.close()
    }

    @Test func containsCountAndKeysAskTheFile() throws {
        let shelf = try Shelf(path: path, writeback: true)
        shelf["a"] = 1
        _ = shelf["a"]
        #expect(try shelf.contains("a"))
        #expect(try shelf.count == 1)
        #expect(try shelf.keys() == ["a"])
        try shelf.close()
    }

    @Test func deinitWritesBackBestEffort() throws {
        do {
            let shelf = try Shelf(path: path, writeback: true)
            shelf["a"] = [1]
            if case .list(let a) = shelf["a"] { a.append(2) }
        }
        #expect(try PythonShelf.read(path, "print(s['a'])") == "[1, 2]\n")
    }
}
