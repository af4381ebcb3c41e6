/// What a ``GDBMFile`` was doing when it failed; names the action in error messages.
internal enum GDBMOperation: Sendable {
    case open(GDBMFile.OpenMode)
    case configure
    case fetch
    case contains
    case store
    case insert
    case delete
    case keys
    case count
    case sync
    case reorganize
    case recover
    case inspect
    case close

    /// The action on the file at `path`, to follow "cannot": "open 'a.db' for writing".
    func phrase(path: String) -> String {
        let file = "'\(path)'"
        switch self {
        case .open(let mode):
            switch mode {
            case .readOnly: return "open \(file) for reading"
            case .readWrite: return "open \(file) for writing"
            case .create: return "open or create \(file) for writing"
            case .newDatabase: return "create a new database at \(file)"
            }
        case .configure: return "configure \(file)"
        case .fetch: return "fetch a value from \(file)"
        case .contains: return "look up a key in \(file)"
        case .store: return "store a value in \(file)"
        case .insert: return "insert a value into \(file)"
        case .delete: return "delete a key from \(file)"
        case .keys: return "list the keys of \(file)"
        case .count: return "count the records of \(file)"
        case .sync: return "sync \(file) to disk"
        case .reorganize: return "reorganize \(file)"
        case .recover: return "recover \(file)"
        case .inspect: return "read the settings of \(file)"
        case .close: return "close \(file)"
        }
    }

    /// Whether the operation changes the file, to word advice about read-only handles.
    var writes: Bool {
        switch self {
        case .store, .insert, .delete, .reorganize, .recover: true
        default: false
        }
    }
}
