extension GDBMError.Code: CustomStringConvertible {
    /// The code's name, like `locked`, as written after the dot in Swift.
    public var description: String {
        switch storage {
        case .fileNotFound: "fileNotFound"
        case .notGDBMFile: "notGDBMFile"
        case .locked: "locked"
        case .permissionDenied: "permissionDenied"
        case .readOnly: "readOnly"
        case .itemNotFound: "itemNotFound"
        case .closed: "closed"
        case .needsRecovery: "needsRecovery"
        case .corrupt: "corrupt"
        case .io: "io"
        case .tooLarge: "tooLarge"
        case .invalidArgument: "invalidArgument"
        case .other: "other"
        }
    }
}
