import Foundation
import GDBM
import TestSupport
import Testing

@testable import Shelve

@Suite("Keys: UTF-8 strings, and bytes for everything else")
struct ShelfKeyTests {
    let scratch: Scratch
    var path: String { scratch.path }

    init() throws {
        scratch = try Scratch()
    }

    /// A shelf written by Python with one key that is not UTF-8 (through `dbm.gnu` directly) and two that are.
    func writeShelfWithAnInvalidKey() throws {
        try Python.script(
            """
            import dbm.gnu, pickle, sys
            with dbm.gnu.open(sys.argv[1], 'n') as db:
                db[b'\\xff\\xfe'] = pickle.dumps(1)
                db['caf\\u00e9'.encode()] = pickle.dumps(2)
                db[b'plain'] = pickle.dumps(3)
            """, [path])
    }

    @Test func keysAreStoredAsUTF8AndReadBackByPython() throws {
        let shelf = try Shelf(path: path)
        shelf["caf\u{e9}"] = nil  // nothing to delete: a no-op, not an error
        try shelf.close()
        try writeShelfWithAnInvalidKey()
        let reader = try Shelf(path: path, mode: .readOnly)
        #expect(try reader.contains("caf\u{e9}"))
        // The decomposed spelling is another key, as in Python, although Swift calls the strings equal.
        #expect("cafe\u{301}" == "caf\u{e9}")
        #expect(try !reader.contains("cafe\u{301}"))
        #expect(try reader.contains(rawKey: [0xFF, 0xFE]))
        try reader.close()
    }

    @Test func keysReportsAKeyThatIsNotUTF8AndRawKeysListsIt() throws {
        try writeShelfWithAnInvalidKey()
        let shelf = try Shelf(path: path, mode: .readOnly)
        let error = #expect(throws: ShelfError.self) { try shelf.keys() }
        #expect(error?.code == .invalidKey)
        #expect(error?.rawKey == [0xFF, 0xFE])
        #expect(error?.key == nil)
        #expect(error?.message.contains("b'\\xff\\xfe'") == true)
        #expect(error?.message.contains("rawKeys()") == true)
        #expect(throws: ShelfError.self) { try shelf.entries() }
        #expect(throws: ShelfError.self) { try shelf.items() }

        let rawKeys = try shelf.rawKeys()
        #expect(Set(rawKeys) == [[0xFF, 0xFE], Array("caf\u{e9}".utf8), Array("plain".utf8)])
        #expect(try shelf.count == 3)
        try shelf.close()
    }

    @Test func aKeyThatIsNotUTF8CanBeDeletedByItsBytes() throws {
        try writeShelfWithAnInvalidKey()
        let shelf = try Shelf(path: path, mode: .readWrite)
        try shelf.delete(rawKey: [0xFF, 0xFE])
        #expect(try !shelf.contains(rawKey: [0xFF, 0xFE]))
        let error = #expect(throws: ShelfError.self) { try shelf.delete(rawKey: [0xFF, 0xFE]) }
        #expect(error?.code == .keyNotFound)
        #expect(error?.message.contains("b'\\xff\\xfe'") == true)
        #expect(try Set(shelf.keys()) == ["caf\u{e9}", "plain"])
        try shelf.close()
    }

    @Test func removeAllRemovesEveryRecordWithoutReadingAny() throws {
        // Values that are not pickles, and a key that is not UTF-8: clear never unpickles.
        try Python.script(
            """
            import dbm.gnu, sys
            with dbm.gnu.open(sys.argv[1], 'n') as db:
                db[b'\\xff'] = b'not a pickle'
                db[b'a'] = b''
                for i in range(100):
                    db[str(i)] = b'\\x80\\x05junk'
            """, [path])
        let shelf = try Shelf(path: path, mode: .readWrite)
        #expect(try shelf.count == 102)
        try shelf.removeAll()
        #expect(try shelf.count == 0)
        try shelf.removeAll()
        try shelf.close()
        let output = try PythonShelf.read(path, "print(len(s))")
        #expect(output == "0\n")
    }

    @Test func deletingAMissingKeyThrowsKeyNotFoundButAssigningNilDoesNothing() throws {
        let shelf = try Shelf(path: path)
        let error = #expect(throws: ShelfError.self) { try shelf.delete("ghost") }
        #expect(error?.code == .keyNotFound)
        #expect(error?.key == "ghost")
        #expect(error?.rawKey == Array("ghost".utf8))
        #expect(error?.message.contains("'ghost'") == true)
        #expect(error?.underlying is GDBMError)
        #expect(try shelf.removeValue(forKey: "ghost") == nil)
        #expect(try shelf.removeValue(forRawKey: [0xFF]) == nil)
        shelf["ghost"] = nil
        #expect(shelf.pendingErrors.isEmpty)
        #expect(shelf["ghost"] == nil)
        #expect(shelf.pendingErrors.isEmpty)
        #expect(try shelf.value(forKey: "ghost") == nil)
        #expect(try shelf.value(forRawKey: [0xFF]) == nil)
        try shelf.close()
    }

    @Test func emptyKeyIsAKeyLikeAnyOther() throws {
        try PythonShelf.write(path, "s[''] = 1")
        let shelf = try Shelf(path: path, mode: .readWrite)
        #expect(try shelf.keys() == [""])
        #expect(try shelf.contains(""))
        try shelf.delete("")
        #expect(try shelf.count == 0)
        try shelf.close()
    }
}
