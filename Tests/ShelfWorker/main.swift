// ShelfWorker: a process for the shelf tests that need more than one (crash safety, locking, many readers).
//
//     ShelfWorker write PATH COUNT SYNC_EVERY   store record(0) … record(COUNT - 1) under "k0"…, syncing after
//                                               every SYNC_EVERY records and printing "synced N" (N records are
//                                               on disk) after each sync; "done" at the end
//     ShelfWorker read PATH                     open read-only, print "opened", wait for standard input to
//                                               close, then read every record and print "read N CHECKSUM"
//     ShelfWorker open PATH MODE                open with MODE (readOnly, readWrite, create) and print
//                                               "opened", or print the error's code and exit with status 3
//
// Records are deterministic, so the tests know what each key must hold: see `record(_:)`.

import Foundation
import Shelve

/// The value stored under "k\(index)": a dict whose size varies, so that the file grows and GDBM splits
/// buckets and reuses space as a real shelf does.
func record(_ index: Int) -> PickleValue {
    let dict = PickleDict()
    dict["index"] = .int(index)
    dict["text"] = .string(String(repeating: "record \(index) ", count: 1 + index % 40))
    dict["numbers"] = .list(PickleList((0..<(index % 17)).map { .int($0 * index) }))
    dict["bytes"] = .bytes([UInt8](repeating: UInt8(truncatingIfNeeded: index), count: index % 300))
    return .dict(dict)
}

/// A checksum of the records read, in key order: the same for every reader of the same shelf.
func checksum(_ shelf: Shelf) throws -> (count: Int, sum: UInt64) {
    var sum: UInt64 = 14_695_981_039_346_656_037
    let keys = try shelf.keys().sorted()
    for key in keys {
        guard let value = try shelf.value(forKey: key) else { continue }
        for byte in (key + "=" + value.description).utf8 {
            sum = (sum ^ UInt64(byte)) &* 1_099_511_628_211
        }
    }
    return (keys.count, sum)
}

func fail(_ message: String, status: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(status)
}

/// Prints a line and flushes it at once: the parent reads the lines while this process runs.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else { fail("usage: ShelfWorker write|read|open PATH …") }
let path = arguments[1]

do {
    switch arguments[0] {
    case "write":
        guard arguments.count == 4, let count = Int(arguments[2]), let every = Int(arguments[3]), every > 0 else {
            fail("usage: ShelfWorker write PATH COUNT SYNC_EVERY")
        }
        let shelf = try Shelf(path: path, mode: .newShelf)
        for index in 0..<count {
            try shelf.setValue(record(index), forKey: "k\(index)")
            if (index + 1) % every == 0 {
                try shelf.sync()
                say("synced \(index + 1)")
            }
        }
        try shelf.close()
        say("done")
    case "read":
        let shelf = try Shelf(path: path, mode: .readOnly)
        say("opened")
        while readLine() != nil {}
        let (count, sum) = try checksum(shelf)
        try shelf.close()
        say("read \(count) \(sum)")
    case "open":
        guard arguments.count == 3 else { fail("usage: ShelfWorker open PATH MODE") }
        let mode: Shelf.OpenMode
        switch arguments[2] {
        case "readOnly": mode = .readOnly
        case "readWrite": mode = .readWrite
        case "create": mode = .create
        default: fail("unknown mode \(arguments[2])")
        }
        do {
            let shelf = try Shelf(path: path, mode: mode)
            say("opened")
            try shelf.close()
        } catch {
            say("\(error.code)")
            exit(3)
        }
    default:
        fail("unknown command \(arguments[0])")
    }
} catch {
    fail("error: \(error)")
}
