// Quickstart: store Codable values on a shelf, close it, open it again and read them back.
//
//     swift run Quickstart [path]        (default: quickstart.db in the temporary directory)

import Foundation
import Shelve

/// A value of your own type: stored as a Python dict, {'title': ..., 'author': ..., ...}.
struct Book: Codable {
    var title: String
    var author: String
    var year: Int
    var tags: [String]
}

let path = CommandLine.arguments.dropFirst().first ?? NSTemporaryDirectory() + "quickstart.db"

do {
    // Open a new, empty shelf (.create would keep what is there) and store some books.
    let books = try TypedShelf<Book>(path: path, mode: .newShelf)
    books["dune"] = Book(title: "Dune", author: "Frank Herbert", year: 1965, tags: ["sf", "desert"])
    books["neuromancer"] = Book(title: "Neuromancer", author: "William Gibson", year: 1984, tags: ["sf", "cyberpunk"])
    books["emma"] = Book(title: "Emma", author: "Jane Austen", year: 1815, tags: [])
    books["emma"]?.tags.append("classic")  // read, change, store again
    try books.close()  // throws anything a subscript could not do

    // Open it again, read-only, and read everything back.
    let shelf = try TypedShelf<Book>(path: path, mode: .readOnly)
    print("\(try shelf.count) books in \(path):")
    for key in try shelf.keys().sorted() {
        guard let book = try shelf.value(forKey: key) else { continue }
        print("  \(key): \(book.title) by \(book.author), \(book.year) \(book.tags)")
    }

    // The same file seen as Python objects, as Python's shelve would see it.
    print("as a Python object: \(try shelf.shelf.value(forKey: "dune").map { "\($0.pythonTypeName)" } ?? "-")")
    try shelf.close()
} catch {
    print("error: \(error)")
    exit(1)
}
