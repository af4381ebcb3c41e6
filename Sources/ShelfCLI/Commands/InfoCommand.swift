import ArgumentParser
import GDBM

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `shelf info PATH`: the file's format, entry count, size and the pickle protocols of its values.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a shelf: format, entry count, file size and the pickle protocols of its values.",
        discussion: """
            Prints six "name: value" lines:

              path: shop.db
              format: GDBM standard format, 64-bit offsets
              library: GDBM version 1.23. 04/02/2022
              entries: 3
              size: 12288 bytes
              protocols: 4 (2 entries), 5 (1 entry)

            format is GDBM's: "standard" (what Python's dbm.gnu and this package write) or "extended \
            (numsync)", and the offset width; library is the GDBM library reading it. A value's protocol is \
            the argument of its PROTO opcode (protocols 2 and up); a pickle without one shows 1 if it uses \
            binary opcodes, else 0 (a protocol-1 pickle that needs no binary opcode looks like protocol 0). \
            Values whose protocol cannot be told count as "unreadable"; an empty shelf shows "protocols: none".

            EXAMPLES:
              shelf info shop.db
              shelf info shop.db | grep '^entries:' | cut -d' ' -f2
            """
    )

    @Argument(help: "The shelf's file.")
    var path: String

    func run() throws {
        let shelf = try ShelfFile(readingAt: path)
        defer { shelf.close() }
        let keys = try shelf.sortedKeys()
        var counts: [Int: Int] = [:]
        var unreadable = 0
        for key in keys {
            if let bytes = try shelf.pickle(forKey: key), let version = PickleProtocol.detect(bytes) {
                counts[version, default: 0] += 1
            } else {
                unreadable += 1
            }
        }
        var protocols = counts.sorted { $0.key < $1.key }.map { "\($0.key) (\(Self.entries($0.value)))" }
        if unreadable > 0 { protocols.append("unreadable (\(Self.entries(unreadable)))") }
        var status = stat()
        let size = stat(path, &status) == 0 ? "\(status.st_size) bytes" : "unknown"
        let lines = [
            "path: \(path)",
            "format: \(Self.format(of: path))",
            "library: \(GDBMFile.libraryVersion)",
            "entries: \(keys.count)",
            "size: \(size)",
            "protocols: \(protocols.isEmpty ? "none" : protocols.joined(separator: ", "))",
        ]
        let output = StandardStream.standardOutput()
        output.write(lines.joined(separator: "\n") + "\n")
        output.flush()
    }

    private static func entries(_ count: Int) -> String {
        count == 1 ? "1 entry" : "\(count) entries"
    }

    /// GDBM's format, from the magic number at the start of the file (gdbm's `gdbmconst.h`).
    static func format(of path: String) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return "unknown" }
        defer { close(descriptor) }
        var magic: UInt32 = 0
        let count = withUnsafeMutableBytes(of: &magic) { buffer in systemRead(descriptor, buffer.baseAddress, 4) }
        guard count == 4 else { return "unknown" }
        switch magic {
        case 0x1357_9ace: return "GDBM original format"
        case 0x1357_9acd: return "GDBM standard format, 32-bit offsets"
        case 0x1357_9acf: return "GDBM standard format, 64-bit offsets"
        case 0x1357_9ad0: return "GDBM extended (numsync) format, 32-bit offsets"
        case 0x1357_9ad1: return "GDBM extended (numsync) format, 64-bit offsets"
        default: return "GDBM, unknown magic number 0x\(String(magic, radix: 16))"
        }
    }
}
