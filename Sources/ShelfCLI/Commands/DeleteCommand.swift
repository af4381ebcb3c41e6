import ArgumentParser
import Shelve

/// `shelf delete PATH KEY`: removes a record.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Remove a key and its value from a shelf.",
        discussion: """
            The value is removed without being read, so a record whose value does not decode can be removed \
            too. A missing key is an error (exit status 5).

            EXAMPLES:
              shelf delete shop.db apples
              shelf delete shop.db apples || true     # ignore a missing key
            """
    )

    @Argument(help: "The shelf's file.")
    var path: String

    @Argument(help: "The key.")
    var key: String

    func run() throws {
        let shelf: Shelf
        do {
            shelf = try Shelf(path: path, mode: .readWrite)
        } catch {
            throw CLIError.opening(path, error, forWriting: true)
        }
        do {
            try shelf.delete(key)
            try shelf.close()
        } catch {
            try? shelf.close()
            throw CLIError.writing(path, error)
        }
    }
}
