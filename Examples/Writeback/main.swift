// Writeback: change cached objects in place and write them back with sync(), like Python's
// shelve.open(path, writeback=True).
//
//     swift run Writeback [path]         (default: writeback.db in the temporary directory)

import Foundation
import Shelve

let path = CommandLine.arguments.dropFirst().first ?? NSTemporaryDirectory() + "writeback.db"

do {
    // Without writeback, a read returns a new copy: changing it changes nothing on disk.
    let plain = try Shelf(path: path, mode: .newShelf)
    plain["basket"] = ["apples"]
    if case .list(let basket) = plain["basket"] {
        basket.append("pears")
    }
    print("without writeback: \(plain["basket"]?.listDescription ?? "-")")
    try plain.close()

    // With writeback, reads return the cached object, and sync() writes the changes back.
    let shelf = try Shelf(path: path, writeback: true)
    guard case .list(let basket) = shelf["basket"], case .list(let same) = shelf["basket"] else {
        print("error: no basket")
        exit(1)
    }
    print("same object on each read: \(basket === same)")
    basket.append("pears")
    basket.append("figs")

    shelf["prices"] = ["apples": 0.5, "pears": 0.7]
    if case .dict(let prices) = shelf["prices"] {
        prices["figs"] = 1.2
    }
    try shelf.sync()  // writes every cached value back, empties the cache
    print("cached after sync: \(shelf["basket"].map { _ in "reloaded" } ?? "-")")
    try shelf.close()

    // Open again without writeback: the changes are in the file.
    let reader = try Shelf(path: path, mode: .readOnly)
    print("basket on disk: \(reader["basket"]?.listDescription ?? "-")")
    if case .dict(let prices) = reader["prices"] {
        let names = prices.keys.compactMap(\.stringValue)
        print("prices on disk: \(names)")
    }
    try reader.close()
} catch {
    print("error: \(error)")
    exit(1)
}

extension PickleValue {
    /// The strings of a list of strings, like `["apples", "pears"]`.
    var listDescription: String {
        guard case .list(let list) = self else { return "not a list" }
        return "\(list.compactMap(\.stringValue))"
    }
}
