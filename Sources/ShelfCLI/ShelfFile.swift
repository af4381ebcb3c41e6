import GDBM
import Pickle

/// A shelf's GDBM file as the read commands use it: opened read-only (a shared lock, so other readers,
/// Python's included, may have it open too), keys in sorted order, values unpickled straight from GDBM's
/// buffer the way `Shelf` reads them.
///
/// Every failure is a ``CLIError`` with the command's wording and exit status.
final class ShelfFile {
    /// The path given on the command line.
    let path: String

    /// The open file.
    let file: GDBMFile

    /// Opens the shelf at `path` for reading only.
    init(readingAt path: String) throws(CLIError) {
        self.path = path
        do {
            file = try GDBMFile(path: path, mode: .readOnly)
        } catch {
            throw .opening(path, error, forWriting: false)
        }
    }

    /// The number of records.
    var count: Int {
        get throws(CLIError) {
            do {
                return try file.count
            } catch {
                throw .storage("count the records of", path: path, error)
            }
        }
    }

    /// Every key's bytes, sorted by bytes: for UTF-8 keys, the order of their code points, as Python's
    /// `sorted()` orders `str`.
    func sortedKeys() throws(CLIError) -> [[UInt8]] {
        var keys: [[UInt8]]
        do {
            keys = try file.keys()
        } catch {
            throw .storage("list the keys of", path: path, error)
        }
        keys.sort { $0.lexicographicallyPrecedes($1) }
        return keys
    }

    /// The stored bytes of the record under `key`, or `nil` if there is none.
    func pickle(forKey key: [UInt8]) throws(CLIError) -> [UInt8]? {
        do {
            return try file.fetch(key)
        } catch {
            throw .storage("read from", path: path, error)
        }
    }

    /// Unpickles the record under `key` as `Shelf` does (the first pickle; bytes after its `STOP` are
    /// ignored), or returns `nil` if there is none.
    ///
    /// - Throws: ``CLIError`` naming the key when the value does not unpickle.
    func value(forKey key: [UInt8]) throws(CLIError) -> PickleValue? {
        switch try decodedValue(forKey: key) {
        case .success(let value): return value
        case .failure(let error): throw .undecodable(key, path: path, error)
        }
    }

    /// Like ``value(forKey:)``, but a value that does not unpickle is returned as a failure instead of thrown,
    /// so that a command going through every record can report it and go on.
    ///
    /// - Throws: ``CLIError`` when the file itself fails.
    func decodedValue(forKey key: [UInt8]) throws(CLIError) -> Result<PickleValue?, PickleError> {
        do {
            let value = try file.withValue(forKey: key) { buffer in try Unpickler.load(from: buffer) }
            return .success(value)
        } catch let error as PickleError {
            return .failure(error)
        } catch let error as GDBMError {
            throw .storage("read from", path: path, error)
        } catch {
            throw CLIError(.failure, "cannot read from '\(path)': \(error)")
        }
    }

    /// Closes the file, releasing its lock.
    func close() {
        try? file.close()
    }
}
