import ArgumentParser
import Pickle

/// `shelf load FILE`: every pickle in a pickle file, one per line.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Print every pickle in a pickle file, one per line.",
        discussion: """
            The file may hold several pickles one after another, as repeated pickle.dump calls write them; \
            each is printed on its own line, as `shelf get` prints a value (--format repr or json). They are \
            read as one Unpickler reads them with repeated load() calls, so pickles written by one Pickler \
            that share its memo load too. A pickle that does not load, or has no JSON form, stops the command \
            with exit status 1, after the lines of the pickles before it.

            EXAMPLES:
              shelf load data.pickle
              python3 -c 'import pickle, sys; pickle.dump([1, 2], sys.stdout.buffer)' | shelf load -
            """
    )

    @Argument(help: "The pickle file; - for standard input.")
    var file: String

    @Option(help: "How to print the values: repr or json.")
    var format: OutputFormat = .repr

    func run() throws {
        let bytes = try InputFile.read(file)
        let source = file == "-" ? "standard input" : "'\(file)'"
        guard !bytes.isEmpty else { throw CLIError(.failure, "\(source) is empty: it holds no pickle") }
        let unpickler = Unpickler(bytes)
        let output = StandardStream.standardOutput()
        var index = 0
        while !unpickler.isAtEnd {
            index += 1
            let start = unpickler.position
            let value: PickleValue
            do {
                value = try unpickler.load()
            } catch {
                output.flush()
                throw CLIError(.failure, "cannot load pickle \(index) of \(source) (at byte \(start)): \(error)")
            }
            do {
                output.write(try format.text(of: value))
                output.write("\n")
            } catch {
                output.flush()
                throw CLIError(.failure, "pickle \(index) of \(source) has no JSON form: \(error)")
            }
        }
        output.flush()
    }
}
