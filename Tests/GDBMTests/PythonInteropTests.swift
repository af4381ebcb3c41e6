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

/// Files and locks shared with CPython's `dbm.gnu`. These tests fail, not skip, without a Python that can
/// import `dbm.gnu`.
@Suite("Interoperability with Python's dbm.gnu")
struct PythonInteropTests {
    let directory: TemporaryDirectory
    let path: String

    init() throws {
        directory = try TemporaryDirectory(prefix: "gdbm-python")
        path = directory.path("shared.db")
    }

    /// The records both sides write and check, as Swift bytes and as Python expressions.
    static let records: [(key: [UInt8], value: [UInt8], pythonKey: String, pythonValue: String)] = [
        ([], [], "b''", "b''"),
        (Fixtures.bytes("empty value"), [], "b'empty value'", "b''"),
        (Fixtures.allBytes, Fixtures.allBytes.reversed(), Fixtures.allBytesPython, "\(Fixtures.allBytesPython)[::-1]"),
        ([0], Fixtures.allBytes, "b'\\x00'", Fixtures.allBytesPython),
        (Fixtures.megabyte, Fixtures.bytes("big key"), Fixtures.megabytePython, "b'big key'"),
        (Fixtures.bytes("big value"), Fixtures.megabyte, "b'big value'", Fixtures.megabytePython),
        (Fixtures.bytes("caf\u{e9}"), Fixtures.bytes("\u{2615}"), "'café'.encode()", "'☕'.encode()"),
    ]

    static var pythonRecords: String {
        "[" + records.map { "(\($0.pythonKey), \($0.pythonValue))" }.joined(separator: ", ") + "]"
    }

    @Test func pythonReadsWhatSwiftWrites() throws {
        let db = try GDBMFile(path: path, mode: .newDatabase)
        for record in Self.records {
            try db.store(record.value, forKey: record.key)
        }
        try db.close()

        let output = try Python.script("""
            import dbm.gnu, sys
            records = \(Self.pythonRecords)
            db = dbm.gnu.open(sys.argv[1], 'r')
            assert len(db) == len(records), len(db)
            assert sorted(db.keys()) == sorted(k for k, _ in records)
            for key, value in records:
                assert db[key] == value, key[:20]
            db.close()
            print('ok')
            """, [path])
        #expect(output.text == "ok\n")
    }

    @Test func swiftReadsWhatPythonWrites() throws {
        try Python.script("""
            import dbm.gnu, sys
            db = dbm.gnu.open(sys.argv[1], 'n')
            for key, value in \(Self.pythonRecords):
                db[key] = value
            db.close()
            """, [path])

        let db = try GDBMFile(path: path, mode: .readOnly)
        #expect(try db.count == Self.records.count)
        #expect(try Set(db.keys()) == Set(Self.records.map(\.key)))
        for record in Self.records {
            #expect(try db.fetch(record.key) == record.value)
            #expect(try db.withValue(forKey: record.key) { Array($0) } == record.value)
        }
    }

    @Test func whichdbRecognisesSwiftFilesAsDbmGnu() throws {
        let db = try GDBMFile(path: path)
        try db.store(Fixtures.bytes("v"), forKey: Fixtures.bytes("k"))
        try db.close()
        let output = try Python.script("import dbm, sys; print(dbm.whichdb(sys.argv[1]))", [path])
        #expect(output.text == "dbm.gnu\n")
    }

    @Test func pythonWriterLocksOutSwift() throws {
        try GDBMFile(path: path).close()
        let python = try PythonHolder(path: path, flag: "w")
        for mode in GDBMFile.OpenMode.allCases {
            let error = #expect(throws: GDBMError.self, "\(mode)") { try GDBMFile(path: path, mode: mode) }
            #expect(error?.code == .locked, "\(mode)")
            #expect(error?.systemErrno == EAGAIN, "\(mode)")
        }
        try python.release()
        // Once Python closed the file, Swift opens it.
        try GDBMFile(path: path, mode: .readWrite).close()
    }

    @Test func swiftWriterLocksOutPython() throws {
        let db = try GDBMFile(path: path)
        let output = try Python.script("""
            import dbm.gnu, sys
            for flag in 'rwc':
                try:
                    dbm.gnu.open(sys.argv[1], flag)
                    print(flag, 'opened')
                except dbm.gnu.error as e:
                    print(flag, 'refused', e.errno)
            """, [path])
        #expect(output.text == "r refused \(EAGAIN)\nw refused \(EAGAIN)\nc refused \(EAGAIN)\n")
        try db.close()
    }

    @Test func swiftAndPythonReadersShareTheFile() throws {
        let writer = try GDBMFile(path: path)
        try writer.store(Fixtures.bytes("shared"), forKey: Fixtures.bytes("k"))
        try writer.close()

        // Python holds a reader while two Swift readers open and read.
        let python = try PythonHolder(path: path, flag: "r")
        let first = try GDBMFile(path: path, mode: .readOnly)
        let second = try GDBMFile(path: path, mode: .readOnly)
        #expect(try first.fetch(Fixtures.bytes("k")) == Fixtures.bytes("shared"))
        #expect(try second.fetch(Fixtures.bytes("k")) == Fixtures.bytes("shared"))
        // A writer is refused while any reader holds the file.
        let error = #expect(throws: GDBMError.self) { try GDBMFile(path: path, mode: .readWrite) }
        #expect(error?.code == .locked)
        try python.release()

        // And Python opens a reader while the Swift readers hold the file.
        let output = try Python.script("""
            import dbm.gnu, sys
            db = dbm.gnu.open(sys.argv[1], 'r')
            print(db[b'k'].decode())
            db.close()
            """, [path])
        #expect(output.text == "shared\n")
        try first.close()
        try second.close()
    }
}
