import ArgumentParser

/// `shelf check PATH`: decodes every value and reports those that fail.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Decode every value of a shelf and report those that fail.",
        discussion: """
            Each value that does not decode is reported on standard output as one key<TAB>error line, keys \
            sorted. A summary goes to standard error. The exit status is 0 when every value decodes, 1 when \
            any does not.

            EXAMPLES:
              shelf check shop.db
              shelf check shop.db | cut -f1        # the keys of the bad values
            """
    )

    @Argument(help: "The shelf's file.")
    var path: String

    func run() throws {
        let shelf = try ShelfFile(readingAt: path)
        defer { shelf.close() }
        let keys = try shelf.sortedKeys()
        let output = StandardStream.standardOutput()
        let progress = ProgressBar(label: "check", total: keys.count)
        var failures = 0
        for key in keys {
            defer { progress.advance() }
            guard case .failure(let error) = try shelf.decodedValue(forKey: key) else { continue }
            failures += 1
            output.write(bytes: key)
            output.write("\t")
            output.write(error.description)
            output.write("\n")
        }
        output.flush()
        progress.clear()
        let entries = keys.count == 1 ? "1 value" : "\(keys.count) values"
        if failures > 0 {
            throw CLIError(.failure, "\(failures) of \(entries) in '\(path)' do not decode")
        }
        StandardStream.writeError("shelf: checked \(entries) in '\(path)': all decode\n")
    }
}
