import ArgumentParser
import GDBM
import Pickle

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `shelf copy SRC DST`: a new shelf with every record of another, each value decoded and encoded again.
struct CopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy every record of a shelf into a new shelf, decoding and re-encoding each value.",
        discussion: """
            Each value is unpickled and pickled again by this package's codec, at the protocol given by \
            --protocol, or without it at the protocol it was stored with (from its PROTO opcode; a pickle \
            without one is written at 1 if it uses binary opcodes, else 0). Shared references and cycles \
            within a value are kept. Keys are copied as bytes, so keys that are not UTF-8 are copied too.

            DST must not exist unless --force is given; then it is replaced. The copy is written to a \
            temporary file beside DST and moved into place only once complete, so DST never holds a partial \
            copy; with --force, DST may be SRC itself, which converts a shelf in place. If any value does not \
            decode, nothing is written and the exit status is 1.

            EXAMPLES:
              shelf copy shop.db shop-copy.db
              shelf copy shop.db shop-py2.db --protocol 2
              shelf copy shop.db shop.db --protocol 5 --force
            """
    )

    @Argument(help: "The shelf to copy.")
    var source: String

    @Argument(help: "The new shelf's file.")
    var destination: String

    @Option(name: .customLong("protocol"), help: "The pickle protocol to write, 0 to 5; by default each value's own.")
    var protocolVersion: Int?

    @Flag(help: "Replace DST if it exists.")
    var force = false

    func validate() throws {
        if let protocolVersion, !(0...5).contains(protocolVersion) {
            throw ValidationError("pickle protocol \(protocolVersion) does not exist; use 0 to 5")
        }
    }

    func run() throws {
        if !force, fileExists(destination) {
            throw CLIError(.destinationExists, "'\(destination)' exists; use --force to replace it")
        }
        let shelf = try ShelfFile(readingAt: source)
        defer { shelf.close() }
        let keys = try shelf.sortedKeys()
        let temporary = destination + ".shelf-copy-\(getpid())"
        let copy: GDBMFile
        do {
            copy = try GDBMFile(path: temporary, mode: .newDatabase)
        } catch {
            throw CLIError.storage("create the copy", path: temporary, error)
        }
        var completed = false
        defer {
            if !completed {
                try? copy.close()
                unlink(temporary)
            }
        }
        var picklers: [Int: Pickler] = [:]
        let progress = ProgressBar(label: "copy", total: keys.count)
        defer { progress.clear() }
        for key in keys {
            guard let bytes = try shelf.pickle(forKey: key) else { continue }
            let value: PickleValue
            do {
                value = try Unpickler.load(bytes)
            } catch {
                let reason = CLIError.undecodable(key, path: source, error).message
                throw CLIError(.failure, "\(reason); nothing was copied")
            }
            let targetProtocol = protocolVersion ?? PickleProtocol.detect(bytes).map { min(max($0, 0), 5) } ?? 5
            let pickler: Pickler
            if let existing = picklers[targetProtocol] {
                pickler = existing
            } else {
                pickler = try Pickler(options: PicklerOptions(protocolVersion: targetProtocol))
                picklers[targetProtocol] = pickler
            }
            do {
                try pickler.dump(value)
            } catch {
                throw CLIError(
                    .failure,
                    "cannot copy the value of key \(CLIError.describe(key: key)) at protocol \(targetProtocol): "
                        + "\(error); nothing was copied")
            }
            let pickle = pickler.takeOutput()
            pickler.clearMemo()
            do {
                try copy.store(pickle, forKey: key)
            } catch {
                throw CLIError.storage("write to", path: temporary, error)
            }
            progress.advance()
        }
        do {
            try copy.close()
        } catch {
            throw CLIError.storage("write to", path: temporary, error)
        }
        shelf.close()
        try moveIntoPlace(temporary)
        completed = true
    }

    /// Moves the finished copy to `destination`: replacing it with `--force`, else only if it still does not
    /// exist (a hard link fails if it does, atomically).
    private func moveIntoPlace(_ temporary: String) throws(CLIError) {
        if force {
            guard rename(temporary, destination) == 0 else { throw InputFile.error(destination, errno) }
            return
        }
        if link(temporary, destination) == 0 {
            unlink(temporary)
            return
        }
        let code = errno
        if code == EEXIST {
            throw CLIError(.destinationExists, "'\(destination)' exists; use --force to replace it")
        }
        // A file system without hard links: check, then rename.
        guard !fileExists(destination), rename(temporary, destination) == 0 else {
            throw InputFile.error(destination, code)
        }
    }

    private func fileExists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }
}
