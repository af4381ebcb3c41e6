/// What a ``Shelf`` was doing when it failed; names the action, the key and the file in error messages.
internal enum ShelfOperation {
    case open(Shelf.OpenMode)
    case read([UInt8])
    case store([UInt8])
    case delete([UInt8])
    case contains([UInt8])
    case listKeys
    case count
    case sync
    case writeBack([UInt8])
    case close
    case reorganize
    case removeAll

    /// The key the operation works on, if any.
    var rawKey: [UInt8]? {
        switch self {
        case .read(let key), .store(let key), .delete(let key), .contains(let key), .writeBack(let key): key
        default: nil
        }
    }

    /// The action on the shelf at `path`, to follow "cannot": "read key 'a' from 'shop.db'".
    func phrase(path: String) -> String {
        let file = "'\(path)'"
        switch self {
        case .open(let mode):
            switch mode {
            case .readOnly: return "open the shelf \(file) for reading"
            case .readWrite: return "open the shelf \(file) for writing"
            case .create: return "open or create the shelf \(file)"
            case .newShelf: return "create a new shelf at \(file)"
            }
        case .read(let key): return "read key \(ShelfError.describe(rawKey: key)) from \(file)"
        case .store(let key): return "store key \(ShelfError.describe(rawKey: key)) in \(file)"
        case .delete(let key): return "delete key \(ShelfError.describe(rawKey: key)) from \(file)"
        case .contains(let key): return "look up key \(ShelfError.describe(rawKey: key)) in \(file)"
        case .listKeys: return "list the keys of \(file)"
        case .count: return "count the records of \(file)"
        case .sync: return "sync \(file)"
        case .writeBack(let key): return "write back cached key \(ShelfError.describe(rawKey: key)) to \(file)"
        case .close: return "close \(file)"
        case .reorganize: return "reorganize \(file)"
        case .removeAll: return "remove every record of \(file)"
        }
    }
}
