import ArgumentParser
import Pickle
import Shelve

/// `shelf set PATH KEY VALUE`: stores a value given as a Python literal or as JSON.
struct SetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Store a value, given as a Python literal or as JSON, under a key.",
        usage: "shelf set <path> <key> <value> [--literal | --json] [--protocol <protocol>]",
        discussion: """
            The shelf is created if it does not exist. VALUE is read as a Python literal unless --json is \
            given; `-` reads it from standard input. A VALUE that starts with - (like -7) needs no `--`.

            --literal (the default) accepts exactly what Python's ast.literal_eval accepts: int of any size \
            (decimal, 0x, 0o, 0b, with _), float (1.5, .5, 1e-3), complex (2j, 1+2j, -1.5-0j), str and bytes \
            with every prefix, quote and escape Python has (r'...', b'...', rb'...', u'...', '''...''', \
            \\n, \\x00, \\u00e9, \\N{SNOWMAN}, adjacent literals joined), True, False, None, tuples ((), (1,), \
            and 1, 2 unbracketed), lists, dicts, sets ({1, 2}, and set()), nested, one unary minus or plus on a \
            number. Names, calls, operators and f-strings are refused.

            --json reads JSON as Python's json.loads does: arrays become lists, objects dicts, integers int of \
            any size, other numbers float (NaN and Infinity accepted).

            Values are pickled at protocol 5 unless --protocol says otherwise (Python 3.8 and later read 5; \
            use 4 for Python 3.4-3.7, 2 for Python 2).

            EXAMPLES:
              shelf set shop.db apples 3
              shelf set shop.db basket "['apples', 'pears']"
              shelf set shop.db point "{'x': 1.5, 'y': -2.0}" --protocol 2
              shelf set shop.db prices '{"apples": 0.5, "pears": 0.75}' --json
              echo '[1, 2, 3]' | shelf set shop.db numbers - --json
            """
    )

    /// How VALUE is written.
    enum Syntax: String, EnumerableFlag {
        case literal
        case json

        static func help(for value: Syntax) -> ArgumentHelp? {
            switch value {
            case .literal: "VALUE is a Python literal, as ast.literal_eval reads it."
            case .json: "VALUE is JSON, as json.loads reads it."
            }
        }
    }

    @Argument(help: "The shelf's file; created if missing.")
    var path: String

    @Argument(help: "The key.")
    var key: String

    // Captures unrecognized dash-prefixed inputs too, so that negative numbers (-7, -1.5, -1j) need no `--`.
    @Argument(
        parsing: .allUnrecognized,
        help: ArgumentHelp("The value, or - to read it from standard input.", valueName: "value"))
    var values: [String] = []

    /// The values given, without the `--` that ends the options (which `.allUnrecognized` keeps).
    private var givenValues: [String] {
        guard let terminator = values.firstIndex(of: "--") else { return values }
        var given = values
        given.remove(at: terminator)
        return given
    }

    /// The one VALUE given.
    private var value: String { givenValues.first ?? "" }

    @Flag(help: "How VALUE is written.")
    var syntax: Syntax = .literal

    @Option(name: .customLong("protocol"), help: "The pickle protocol to write, 0 to 5.")
    var protocolVersion: Int = Shelf.defaultProtocol

    func validate() throws {
        guard givenValues.count == 1 else {
            throw ValidationError(
                givenValues.isEmpty
                    ? "Missing expected argument '<value>'" : "give one VALUE, not \(givenValues.count)")
        }
        guard (0...5).contains(protocolVersion) else {
            throw ValidationError("pickle protocol \(protocolVersion) does not exist; use 0 to 5")
        }
    }

    func run() throws {
        let text = value == "-" ? String(decoding: try InputFile.read("-"), as: UTF8.self) : value
        let parsed: PickleValue
        do {
            parsed =
                switch syntax {
                case .literal: try PythonLiteralParser.value(of: text)
                case .json: try JSONReader.value(of: text)
                }
        } catch {
            let kind = syntax == .json ? "valid JSON" : "a Python literal"
            throw CLIError(.invalidValue, "VALUE is not \(kind): \(error)")
        }
        let shelf: Shelf
        do {
            shelf = try Shelf(path: path, mode: .create, protocol: protocolVersion)
        } catch {
            throw CLIError.opening(path, error, forWriting: true)
        }
        do {
            try shelf.setValue(parsed, forKey: key)
            try shelf.close()
        } catch {
            try? shelf.close()
            throw CLIError.writing(path, error)
        }
    }
}

extension CLIError {
    /// A failure to store, delete or sync on a shelf opened for writing.
    static func writing(_ path: String, _ error: ShelfError) -> CLIError {
        switch error.code {
        case .keyNotFound: .keyNotFound(error.rawKey ?? [], path: path)
        case .permissionDenied: CLIError(.permissionDenied, error.message)
        default: CLIError(.failure, error.message)
        }
    }
}
