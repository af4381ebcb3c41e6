import ArgumentParser

/// `shelf keys PATH`: every key, one per line, sorted.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Print every key of a shelf, one per line, sorted.",
        discussion: """
            Keys are sorted by their UTF-8 bytes, which is the order of their Unicode code points (Python's \
            sorted() order for str). Each key is printed as its bytes followed by a newline; a key that \
            itself holds a newline is ambiguous in that form, so scripts that may meet one use --null.

            EXAMPLES:
              shelf keys shop.db
              shelf keys --null shop.db | xargs -0 -n1 shelf get shop.db
            """
    )

    @Argument(help: "The shelf's file.")
    var path: String

    @Flag(name: [.customShort("0"), .long], help: "End each key with a NUL byte instead of a newline.")
    var null = false

    func run() throws {
        let shelf = try ShelfFile(readingAt: path)
        defer { shelf.close() }
        let keys = try shelf.sortedKeys()
        let output = StandardStream.standardOutput()
        for key in keys {
            output.write(bytes: key)
            output.write(null ? "\0" : "\n")
        }
        output.flush()
    }
}
