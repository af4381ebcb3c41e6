import ArgumentParser
import Pickle

/// `shelf dis PATH KEY` and `shelf dis --file FILE`: `pickletools.dis`-style listings.
struct DisCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dis",
        abstract: "Disassemble a stored value, or every pickle in a file, as pickletools.dis does.",
        usage: """
            shelf dis <path> <key> [--indent-level <n>] [--annotate <column>]
            shelf dis --file <file> [--memo] [--indent-level <n>] [--annotate <column>]
            """,
        discussion: """
            The listing is byte for byte what Python's pickletools.dis prints: one line per opcode with its \
            offset, byte, name (indented by the open MARKs) and argument, then "highest protocol among \
            opcodes = N". With --file, every pickle in the file is listed, one after another, as calling \
            pickletools.dis repeatedly on the open file until its end prints them; offsets count from the start \
            of the file. A pickle that fails a check is listed up to the failure, which is then reported on \
            standard error (exit status 1).

            EXAMPLES:
              shelf dis shop.db basket
              shelf dis --file data.pickle
              shelf dis --file data.pickle --memo    # pickles one Pickler wrote
            """
    )

    @Argument(help: "The shelf's file (without --file).")
    var path: String?

    @Argument(help: "The key whose value to disassemble (without --file).")
    var key: String?

    @Option(help: "A pickle file to disassemble instead of a stored value; - for standard input.")
    var file: String?

    @Flag(help: "With --file, keep the memo from one pickle to the next, like pickletools' --memo.")
    var memo = false

    @Option(help: "Spaces of indentation per open MARK.")
    var indentLevel = 4

    @Option(help: "When positive, annotate each line with a short description of its opcode near this column.")
    var annotate = 0

    func validate() throws {
        if file != nil {
            guard path == nil, key == nil else {
                throw ValidationError("give either PATH KEY or --file FILE, not both")
            }
        } else {
            guard path != nil, key != nil else { throw ValidationError("give PATH and KEY, or --file FILE") }
            guard !memo else { throw ValidationError("--memo applies to --file only") }
        }
        guard (0...1000).contains(indentLevel) else { throw ValidationError("--indent-level must be 0 to 1000") }
        guard (0...1000).contains(annotate) else { throw ValidationError("--annotate must be 0 to 1000") }
    }

    func run() throws {
        let result: PickleDisassembler.Disassembly
        let source: String
        if let file {
            let bytes = try InputFile.read(file)
            source = file == "-" ? "standard input" : "'\(file)'"
            guard !bytes.isEmpty else { throw CLIError(.failure, "\(source) is empty: it holds no pickle") }
            result = PickleDisassembler.streamDisassembly(
                of: bytes, indentLevel: indentLevel, annotate: annotate, sharingMemo: memo)
        } else if let path, let key {
            let shelf = try ShelfFile(readingAt: path)
            defer { shelf.close() }
            let rawKey = Array(key.utf8)
            guard let bytes = try shelf.pickle(forKey: rawKey) else { throw CLIError.keyNotFound(rawKey, path: path) }
            source = "the value of key \(CLIError.describe(key: rawKey)) in '\(path)'"
            result = PickleDisassembler.disassembly(of: bytes, indentLevel: indentLevel, annotate: annotate)
        } else {
            return
        }
        let output = StandardStream.standardOutput()
        output.write(result.text)
        output.flush()
        if let error = result.error {
            throw CLIError(.failure, "cannot disassemble \(source): \(error)")
        }
    }
}
