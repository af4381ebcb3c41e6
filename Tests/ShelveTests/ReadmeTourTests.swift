import Shelve
import TestSupport
import Testing

/// The README's tour, verbatim but for paths, so the README stays true.
@Suite("README tour")
struct ReadmeTourTests {
    struct Book: Codable, Equatable {
        var title: String
        var year: Int
        var tags: [String]
    }

    @Test func aShelfOfYourOwnTypes() throws {
        let scratch = try Scratch("books.db")
        let books = try TypedShelf<Book>(path: scratch.path)
        books["dune"] = Book(title: "Dune", year: 1965, tags: ["sf"])
        books["dune"]?.tags.append("classic")
        #expect(books["dune"]?.year == 1965)
        try books.close()

        let check = try Python.script(
            "import shelve, sys\nwith shelve.open(sys.argv[1]) as db: print(db['dune'])", [scratch.path])
        #expect(check.text == "{'title': 'Dune', 'year': 1965, 'tags': ['sf', 'classic']}\n")
    }

    @Test func aShelfOfPythonObjects() throws {
        let scratch = try Scratch("data.db")
        let shelf = try Shelf(path: scratch.path, mode: .create, writeback: true)
        shelf["numbers"] = [1, 2, 3]
        if case .list(let numbers)? = shelf["numbers"] {
            numbers.append(4)
        }
        shelf["big"] = .integer(BigInteger("123456789012345678901234567890")!)
        try shelf.sync()
        var printed: [String] = []
        for key in try shelf.keys().sorted() { printed.append("\(key) \(shelf[key] ?? "-")") }
        try shelf.close()
        #expect(printed == ["big 123456789012345678901234567890", "numbers [1, 2, 3, 4]"])
    }

    @Test func picklesOnTheirOwn() throws {
        let bytes = try Pickler.dumps(["name": "Ada", "langs": ["en", "fr"]], protocol: 5)
        let value = try Unpickler.load(bytes)
        #expect(value.description == "{'name': 'Ada', 'langs': ['en', 'fr']}")
        let python = try Python.script(
            "import pickle, pickletools, sys\npickletools.dis(bytes.fromhex(sys.argv[1]))", [bytes.hex])
        #expect(try PickleDisassembler.disassemble(bytes) == python.text)

        let document = try PickleDocument(bytes)
        #expect(document.root["name"]?.stringValue == "Ada")
        #expect(document.root["langs"]?.elements?.compactMap(\.stringValue) == ["en", "fr"])
        struct Person: Codable { var name: String; var langs: [String] }
        let ada = try PickleDecoder().decode(Person.self, from: document.root)
        #expect(ada.name == "Ada" && ada.langs == ["en", "fr"])
    }
}

extension [UInt8] {
    fileprivate var hex: String {
        let digits: [Character] = Swift.Array("0123456789abcdef")
        var text = ""
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return text
    }
}
