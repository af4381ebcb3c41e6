import ArgumentParser

/// `shelf dump PATH`: every record, one `key<TAB>value` line each.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print every key and value, one key<TAB>value line each, sorted by key.",
        discussion: """
            Keys are sorted as `shelf keys` sorts them and printed as their bytes; values are printed as \
            `shelf get` prints them (--format repr or json). A value that does not decode, or has no JSON form, \
            is reported on standard error and left out; the others are still printed, and the exit status is \
            then 1.

            EXAMPLES:
              shelf dump shop.db
              shelf dump shop.db --format json | cut -f2 | jq -s .
            """
    )

    @Argument(help: "The shelf's file.")
    var path: String

    @Option(help: "How to print the values: repr or json.")
    var format: OutputFormat = .repr

    func run() throws {
        let shelf = try ShelfFile(readingAt: path)
        defer { shelf.close() }
        let keys = try shelf.sortedKeys()
        let output = StandardStream.standardOutput()
        let progress = ProgressBar(label: "dump", total: keys.count)
        var failures = 0
        for key in keys {
            defer { progress.advance() }
            let message: String
            switch try shelf.decodedValue(forKey: key) {
            case .success(nil):
                continue  // Removed since the keys were listed; cannot happen under the read lock.
            case .success(let value?):
                do {
                    let text = try format.text(of: value)
                    output.write(bytes: key)
                    output.write("\t")
                    output.write(text)
                    output.write("\n")
                    continue
                } catch {
                    message = "the value of key \(CLIError.describe(key: key)) has no JSON form: \(error)"
                }
            case .failure(let error):
                message = CLIError.undecodable(key, path: path, error).message
            }
            failures += 1
            output.flush()
            progress.clear()
            StandardStream.writeError("shelf: error: \(message)\n")
        }
        output.flush()
        progress.clear()
        if failures > 0 {
            throw CLIError(.failure, "\(failures) of \(keys.count) values of '\(path)' could not be printed")
        }
    }
}
