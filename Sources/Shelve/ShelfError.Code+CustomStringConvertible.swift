extension ShelfError.Code: CustomStringConvertible {
    /// The code's name, like `keyNotFound`, as written after the dot in Swift.
    public var description: String {
        switch storage {
        case .closed: "closed"
        case .readOnly: "readOnly"
        case .keyNotFound: "keyNotFound"
        case .invalidKey: "invalidKey"
        case .locked: "locked"
        case .notAShelf: "notAShelf"
        case .fileNotFound: "fileNotFound"
        case .permissionDenied: "permissionDenied"
        case .decodingFailed: "decodingFailed"
        case .encodingFailed: "encodingFailed"
        case .deferredFailures: "deferredFailures"
        case .invalidArgument: "invalidArgument"
        case .storage: "storage"
        }
    }
}
