import ArgumentParser

/// `shelf get PATH KEY`: one value.
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print the value stored under a key.",
        discussion: """
            --format repr (the default) prints exactly what Python's repr() prints for builtin values. An \
            instance of a class, which is never created, prints as the expression the pickle evaluates, like \
            datetime.date(b'\\x07\\xbc\\x05\\x07') or __main__.Point.__new__(__main__.Point).__setstate__(\
            {'x': 1}); a class or function reference prints as <global module.name>.

            --format json prints exactly what Python's json.dumps(value, allow_nan=False) prints: one line, \
            ASCII only. None, bool, int (any size), finite float, str, list and tuple (as an array) and dict \
            with str keys have a JSON form; anything else (bytes, sets, complex, nan, a dict with a non-str \
            key, an instance of a class, a value that contains itself) is an error that names its type and \
            where it is, like value['items'][2].

            EXAMPLES:
              shelf get shop.db apples
              shelf get shop.db basket --format json | jq '.[0]'
            """
    )

    @Argument(help: "The shelf's file.")
    var path: String

    @Argument(help: "The key.")
    var key: String

    @Option(help: "How to print the value: repr or json.")
    var format: OutputFormat = .repr

    func run() throws {
        let shelf = try ShelfFile(readingAt: path)
        defer { shelf.close() }
        let rawKey = Array(key.utf8)
        guard let value = try shelf.value(forKey: rawKey) else { throw CLIError.keyNotFound(rawKey, path: path) }
        let text: String
        do {
            text = try format.text(of: value)
        } catch {
            throw CLIError(.failure, "the value of key \(CLIError.describe(key: rawKey)) has no JSON form: \(error)")
        }
        let output = StandardStream.standardOutput()
        output.write(text)
        output.write("\n")
        output.flush()
    }
}
