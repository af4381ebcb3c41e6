import ArgumentParser

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `shelf` command: its subcommands, its `--help`, and the exit statuses.
struct ShelfTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shelf",
        abstract: "Read, write and inspect Python shelves and pickle files.",
        discussion: """
            A shelf is what Python's shelve module writes on dbm.gnu: a GDBM file whose keys are str (stored as \
            UTF-8) and whose values are pickles. shelf reads and writes such files without Python, and reads \
            plain pickle files too.

            Read commands (keys, get, dump, dis, info, check, copy's source) open the shelf read-only, so they \
            work while other readers, Python's included, have it open. Keys are listed sorted by their UTF-8 \
            bytes, which is the order of their Unicode code points, as Python's sorted() orders str.

            Results go to standard output, one line per item; messages go to standard error, as \
            "shelf: error: ...". A progress bar appears on standard error during copy, check and dump of a \
            large shelf, only when standard error is a terminal.

            EXAMPLES:
              shelf keys shop.db
              shelf get shop.db apples --format json
              shelf set shop.db basket "['apples', 'pears']"
              shelf set shop.db prices '{"apples": 0.5}' --json
              shelf dump shop.db
              shelf copy shop.db shop-p2.db --protocol 2
              shelf dis shop.db basket
              shelf load data.pickle

            EXIT STATUS:
            \(ExitStatus.allCases.map { "  " + $0.helpLine }.joined(separator: "\n"))
            """,
        version: "0.1.0",
        subcommands: [
            KeysCommand.self, GetCommand.self, SetCommand.self, DeleteCommand.self, DumpCommand.self,
            CopyCommand.self, DisCommand.self, LoadCommand.self, InfoCommand.self, CheckCommand.self,
        ]
    )
}

/// Runs the `shelf` command: parses the arguments, runs the subcommand, prints a failure on standard error
/// and exits with its status.
package enum ShelfMain {
    /// Runs `shelf` with `arguments` (without the program's name) and exits.
    package static func main(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        do {
            var command = try ShelfTool.parseAsRoot(arguments)
            try command.run()
            exit(ExitStatus.success.rawValue)
        } catch let error as CLIError {
            StandardStream.writeError("shelf: error: \(error.message)\n")
            exit(error.status.rawValue)
        } catch {
            ShelfTool.exit(withError: error)
        }
    }
}
