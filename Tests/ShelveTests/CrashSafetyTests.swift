import Foundation
import GDBM
import Shelve
@testable import ShelfWorker
import TestSupport
import Testing

/// A writer process killed in mid-run (SIGKILL: no cleanup, no close), and files damaged on disk: what was
/// synced before the kill is intact, and damage gives a typed error or goes through GDBM's recovery, never
/// a crash. See the Durability article for what GDBM guarantees.
@Suite struct CrashSafetyTests {
    /// Opens the shelf a killed writer left, recovering the file when GDBM says it must, and returns every
    /// record it holds by index, and whether recovery ran.
    static func openAfterCrash(_ path: String) throws -> (records: [Int: PickleValue], recovered: Bool) {
        func read() throws -> [Int: PickleValue] {
            let shelf = try Shelf(path: path, mode: .readOnly)
            defer { try? shelf.close() }
            var records: [Int: PickleValue] = [:]
            for key in try shelf.keys() {
                guard key.hasPrefix("k"), let index = Int(key.dropFirst()) else { continue }
                records[index] = try shelf.value(forKey: key)
            }
            return records
        }
        do {
            return (try read(), false)
        } catch let error as ShelfError {
            let code = (error.underlying as? GDBMError)?.code
            guard code == .needsRecovery || code == .corrupt else { throw error }
            let file = try GDBMFile(path: path, mode: .readWrite)
            try file.recover()
            try file.close()
            return (try read(), true)
        }
    }

    @Test(arguments: [1, 7, 40])
    func recordsSyncedBeforeAKillAreIntact(killAfterSyncs: Int) throws {
        let scratch = try Scratch()
        // 50 records between syncs, far more records than the writer gets through before the kill.
        let writer = try ChildProcess.worker(["write", scratch.path, "1000000", "50"])
        var synced = 0
        while synced < killAfterSyncs * 50, let line = writer.readLine(where: { $0.hasPrefix("synced ") }) {
            synced = Int(line.dropFirst("synced ".count)) ?? synced
        }
        writer.kill()
        let status = writer.wait()
        // A sync the writer reported after the one the test waited for is on disk too.
        for line in writer.remainingLines() where line.hasPrefix("synced ") {
            synced = max(synced, Int(line.dropFirst("synced ".count)) ?? 0)
        }
        #expect(status == SIGKILL)
        #expect(synced >= killAfterSyncs * 50)

        let (records, _) = try Self.openAfterCrash(scratch.path)
        for index in 0..<synced {
            guard let value = records[index] else {
                Issue.record("record \(index) of \(synced) synced ones is missing")
                break
            }
            #expect(value == record(index), "record \(index)")
        }
        // Records written after the last sync may or may not have reached the file, but those that did are
        // whole: the writer stored them in order, and each decodes to what was stored.
        for (index, value) in records where index >= synced {
            #expect(value == record(index), "unsynced record \(index)")
        }
        // Python reads the file too, and so does a writer opening it again.
        let count = try Python.script(
            "import dbm.gnu, sys; print(len(dbm.gnu.open(sys.argv[1], 'r').keys()))", [scratch.path]
        ).text
        #expect(count == "\(records.count)\n")
        try Shelf.withShelf(path: scratch.path, mode: .readWrite) { shelf in
            shelf["after"] = "the crash"
            #expect(shelf["k0"] == record(0))
        }
    }

    // MARK: - Damaged files

    /// A shelf of 300 records, closed properly, as bytes.
    static func intactShelf(in scratch: Scratch) throws -> [UInt8] {
        let shelf = try Shelf(path: scratch.path, mode: .newShelf)
        for index in 0..<300 { try shelf.setValue(record(index), forKey: "k\(index)") }
        try shelf.close()
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.path)))
    }

    enum Outcome: Equatable {
        /// Opened and read: how many records were read whole.
        case read(Int)
        /// A typed error, by code, at opening or at some record.
        case failed(ShelfError.Code)
    }

    /// Opens a damaged file and reads every record: each step either works or throws a `ShelfError`; when
    /// GDBM asks for recovery, recovers and reads again.
    static func scan(_ path: String) throws -> (outcome: Outcome, recovered: Bool) {
        func read() -> Outcome {
            do throws(ShelfError) {
                let shelf = try Shelf(path: path, mode: .readOnly)
                defer { try? shelf.close() }
                var whole = 0
                for key in try shelf.keys() {
                    // A damaged value is a typed error too; go on with the others.
                    do throws(ShelfError) {
                        let value = try shelf.value(forKey: key)
                        if let index = Int(key.dropFirst()), (0..<300).contains(index), value == record(index) {
                            whole += 1
                        }
                    } catch {
                        guard [.decodingFailed, .storage].contains(error.code) else { return .failed(error.code) }
                    }
                }
                return .read(whole)
            } catch {
                return .failed(error.code)
            }
        }
        let first = read()
        guard case .failed(.storage) = first else { return (first, false) }
        // GDBM's recovery path: rebuild what can be read.
        do {
            let file = try GDBMFile(path: path, mode: .readWrite)
            defer { try? file.close() }
            try file.recover(force: true)
        } catch {
            return (first, false)
        }
        return (read(), true)
    }

    @Test func truncatedShelvesGiveTypedErrors() throws {
        let scratch = try Scratch()
        let bytes = try Self.intactShelf(in: scratch)
        #expect(try Self.scan(scratch.path).outcome == .read(300))
        var outcomes: [Int: Outcome] = [:]
        for length in [0, 1, 8, 64, 511, 512, 4095, 4096, bytes.count / 3, bytes.count / 2, bytes.count - 1] {
            let damaged = try Scratch("truncated.db")
            try Data(bytes.prefix(length)).write(to: URL(fileURLWithPath: damaged.path))
            outcomes[length] = try Self.scan(damaged.path).outcome
        }
        // A file shorter than GDBM's header is no shelf at all; one cut inside its first block is damaged
        // storage; one cut later loses records (recovery keeps what it can read) or nothing.
        for length in [0, 1, 8] { #expect(outcomes[length] == .failed(.notAShelf), "\(length) bytes") }
        for length in [64, 511, 512, 4095, 4096] { #expect(outcomes[length] == .failed(.storage), "\(length) bytes") }
        for length in [bytes.count / 3, bytes.count / 2, bytes.count - 1] {
            guard case .read(let whole) = outcomes[length] else {
                Issue.record("\(length) bytes: \(String(describing: outcomes[length]))")
                continue
            }
            #expect(whole <= 300)
        }
    }

    @Test func shelvesWithFlippedBytesGiveTypedErrors() throws {
        // Forty copies, each with one to eight bytes changed: every one opens and reads (losing records whose
        // bytes changed, reported as typed errors), or is refused with a typed error.
        let scratch = try Scratch()
        let bytes = try Self.intactShelf(in: scratch)
        var generator = SplitMix64(seed: 20_261_122)
        var failed = 0, read = 0, recovered = 0
        for round in 0..<40 {
            var damaged = bytes
            // The header and directory (the first blocks) in half the rounds, anywhere in the others.
            let region = round % 2 == 0 ? min(bytes.count, 8192) : bytes.count
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                damaged[Int.random(in: 0..<region, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
            }
            let copy = try Scratch("flipped.db")
            try Data(damaged).write(to: URL(fileURLWithPath: copy.path))
            let (outcome, didRecover) = try Self.scan(copy.path)
            if didRecover { recovered += 1 }
            switch outcome {
            case .read: read += 1
            case .failed: failed += 1
            }
        }
        // Most damage costs a few records; some makes GDBM refuse the file until recovery rebuilds it, which
        // both paths exercise here.
        #expect(read + failed == 40)
        #expect(read > 0 && recovered > 0)
    }
}
