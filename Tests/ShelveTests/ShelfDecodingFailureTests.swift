import Foundation
import TestSupport
import Testing

@testable import Shelve

@Suite("Stored values that cannot be read")
struct ShelfDecodingFailureTests {
    let scratch: Scratch
    var path: String { scratch.path }

    init() throws {
        scratch = try Scratch()
        // Records written with dbm.gnu directly: two that are not pickles, one that is.
        try Python.script(
            """
            import dbm.gnu, pickle, sys
            with dbm.gnu.open(sys.argv[1], 'n') as db:
                db[b'bad'] = b'not a pickle'
                db[b'cut'] = pickle.dumps([1, 2, 3], 4)[:-3]
                db[b'good'] = pickle.dumps('fine')
            """, [path])
    }

    @Test func aSubscriptReadReturnsNilAndRecordsTheFailure() throws {
        let shelf = try Shelf(path: path, mode: .readOnly)
        #expect(shelf["bad"] == nil)
        #expect(shelf["cut"] == nil)
        #expect(shelf["missing"] == nil)  // absent: nothing recorded
        #expect(shelf["good"] == "fine")
        let recorded = shelf.pendingErrors
        #expect(recorded.map(\.code) == [.decodingFailed, .decodingFailed])
        #expect(recorded.map(\.key) == ["bad", "cut"])
        #expect(recorded.allSatisfy { $0.underlying is PickleError })
        #expect(recorded.first?.message.contains("read key 'bad' from '\(path)'") == true)
        #expect((recorded.last?.underlying as? PickleError)?.code == .truncated)

        let error = #expect(throws: ShelfError.self) { try shelf.close() }
        #expect(error?.code == .deferredFailures)
        #expect(error?.failures.map(\.key) == ["bad", "cut"])
    }

    @Test func throwingReadsThrowDecodingFailed() throws {
        let shelf = try Shelf(path: path)
        let error = #expect(throws: ShelfError.self) { try shelf.value(forKey: "bad") }
        #expect(error?.code == .decodingFailed)
        #expect(error?.key == "bad")
        #expect(error?.path == path)
        #expect(shelf.pendingErrors.isEmpty)
        #expect(throws: ShelfError.self) { try shelf.value(forKey: "cut", default: 0) }
        #expect(throws: ShelfError.self) { try shelf.values() }
        #expect(throws: ShelfError.self) { try shelf.items() }
        try shelf.close()
    }

    /// Without writeback a Codable value is decoded straight from GDBM's bytes, with writeback from the cached
    /// value model: the same values and the same errors either way.
    @Test(arguments: ["bad", "cut", "good", "missing"])
    func codableReadsFailAlikeWithAndWithoutWriteback(key: String) throws {
        func outcome<T: Decodable>(_ decoded: T.Type, writeback: Bool) throws -> String {
            let shelf = try Shelf(path: path, mode: .readOnly, writeback: writeback)
            defer { try? shelf.close() }
            do {
                return "value \(String(describing: try shelf.value(T.self, forKey: key)))"
            } catch {
                #expect(error.code == .decodingFailed)
                let underlying = error.underlying.map { "\(Swift.type(of: $0))" } ?? "nothing"
                return "\(error.code) \(underlying) \(error.description)"
            }
        }
        for writeback in [false, true] {
            let asString = try outcome(String.self, writeback: writeback)
            let asInt = try outcome(Int.self, writeback: writeback)
            switch key {
            case "good":
                #expect(asString == "value Optional(\"fine\")")
                #expect(asInt.contains("DecodingError"))
                #expect(asInt.contains("does not decode as Int"))
            case "missing":
                #expect(asString == "value nil")
            default:
                #expect(asString.contains("PickleError"))
                #expect(!asString.contains("does not decode as"))
            }
        }
        #expect(try outcome(String.self, writeback: false) == (try outcome(String.self, writeback: true)))
        #expect(try outcome(Int.self, writeback: false) == (try outcome(Int.self, writeback: true)))
    }

    @Test func entriesFailOneByOne() throws {
        let shelf = try Shelf(path: path, mode: .readOnly)
        var readable: [String] = []
        var unreadable: [String] = []
        for entry in try shelf.entries() {
            do {
                _ = try entry.value()
                readable.append(entry.key)
            } catch {
                #expect(error.code == .decodingFailed)
                unreadable.append(entry.key)
            }
        }
        #expect(readable == ["good"])
        #expect(unreadable.sorted() == ["bad", "cut"])
        try shelf.close()
    }

    @Test func removeValueKeepsAnUnreadableRecordButDeleteRemovesIt() throws {
        let shelf = try Shelf(path: path)
        let error = #expect(throws: ShelfError.self) { try shelf.removeValue(forKey: "bad") }
        #expect(error?.code == .decodingFailed)
        #expect(try shelf.contains("bad"))
        try shelf.delete("bad")
        shelf["cut"] = nil
        #expect(shelf.pendingErrors.isEmpty)
        #expect(try shelf.keys() == ["good"])
        try shelf.close()
    }

    @Test func anUnreadableValueIsNotCached() throws {
        let shelf = try Shelf(path: path, writeback: true)
        #expect(shelf["bad"] == nil)
        #expect(shelf.cache.isEmpty)
        shelf.removePendingErrors()
        try shelf.close()
    }
}
