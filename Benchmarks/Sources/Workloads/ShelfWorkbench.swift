import Foundation
import Pickle
import Shelve

/// A shelf of `count` records in a temporary directory, for the shelf benchmarks.
///
/// Keys are `key000000`, `key000001`…; every value is the same ``PickleValue`` (the comparison uses `DICT`).
/// The directory is removed when the workbench goes away.
public final class ShelfWorkbench {
    /// The temporary directory holding the shelf's file.
    public let directory: URL
    /// The shelf's file.
    public let path: String
    /// The keys, in the order they were stored.
    public let keys: [String]
    /// The value stored under every key.
    public let value: PickleValue

    /// Creates the directory and a shelf holding `count` copies of `value`.
    ///
    /// - Parameters:
    ///   - count: The number of records.
    ///   - value: The value of every record.
    /// - Throws: When the directory or the shelf cannot be made.
    public init(count: Int, value: PickleValue) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "swift-shelve-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("shelf.db").path
        keys = (0..<count).map { ShelfWorkbench.key($0) }
        self.value = value
        let shelf = try Shelf(path: path, mode: .newShelf)
        for key in keys { try shelf.setValue(value, forKey: key) }
        try shelf.close()
    }

    deinit {
        try? opened?.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The key of record `index`: `key` and six digits, as the CPython and raw GDBM programs write them.
    public static func key(_ index: Int) -> String {
        let digits = String(index)
        return "key" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// The shelf opened by ``shelf(writeback:)``, if any.
    private var opened: Shelf?

    /// Opens the workbench's shelf.
    ///
    /// - Parameter writeback: Whether to open it with Python's `writeback=True` semantics.
    /// - Returns: The open shelf; close it when done.
    /// - Throws: ``ShelfError``.
    public func open(writeback: Bool = false) throws -> Shelf {
        try Shelf(path: path, mode: .readWrite, writeback: writeback)
    }

    /// The workbench's one open shelf, opened with or without writeback; a shelf opened the other way by an
    /// earlier call is closed first (GDBM allows one writer).
    ///
    /// - Parameter writeback: Whether the shelf should have Python's `writeback=True` semantics.
    /// - Returns: The open shelf, owned by the workbench.
    /// - Throws: ``ShelfError``.
    public func shelf(writeback: Bool) throws -> Shelf {
        if let opened, opened.isWriteback == writeback { return opened }
        try opened?.close()
        opened = nil
        let shelf = try open(writeback: writeback)
        opened = shelf
        return shelf
    }

    /// Closes the shelf opened by ``shelf(writeback:)``, if any.
    public func closeShelf() throws {
        try opened?.close()
        opened = nil
    }

    /// Reads every record, unpickling each value.
    public func getAll(_ shelf: Shelf) throws {
        for key in keys { sink(try shelf.value(forKey: key)) }
    }

    /// Reads every record as a `PickleDocument`, without building its objects.
    public func getAllDocuments(_ shelf: Shelf) throws {
        for key in keys { sink(try shelf.document(forKey: key)) }
    }

    /// Replaces every record with a new pickle of ``value``.
    public func setAll(_ shelf: Shelf) throws {
        for key in keys { try shelf.setValue(value, forKey: key) }
    }

    /// Lists every key.
    public func listKeys(_ shelf: Shelf) throws {
        sink(try shelf.keys())
    }

    /// Reads every record into the writeback cache, then writes the cache back with `sync()`.
    public func readAllThenSync(_ shelf: Shelf) throws {
        for key in keys { sink(try shelf.value(forKey: key)) }
        try shelf.sync()
    }
}
