/// An error reading or writing a pickle.
///
/// Every failure of the codec is a `PickleError` with a ``code`` to match on, a ``message`` a
/// person can act on and, when reading, the byte ``offset`` of the opcode at fault and the
/// ``opcode`` itself.
///
/// ```swift
/// do {
///     let value = try Unpickler.load(bytes)
/// } catch let error as PickleError where error.code == .truncated {
///     print("incomplete pickle: \(error)")
/// }
/// ```
public struct PickleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; match the ones you handle.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Storage: Hashable, Sendable {
            case truncated
            case unknownOpcode
            case stackUnderflow
            case markNotFound
            case invalidArgument
            case invalidString
            case memoKeyNotFound
            case unsupportedProtocol
            case limitExceeded
            case refusedGlobal
            case extensionNotRegistered
            case persistentIDUnsupported
            case missingBuffer
            case invalidStack
            case unpicklable
            case trailingData
        }

        let storage: Storage

        init(_ storage: Storage) { self.storage = storage }

        /// The data ended inside an opcode or before `STOP`.
        public static let truncated = Code(.truncated)
        /// A byte that is not an opcode of any protocol.
        public static let unknownOpcode = Code(.unknownOpcode)
        /// An opcode needed more values than the stack held.
        public static let stackUnderflow = Code(.stackUnderflow)
        /// An opcode needed a `MARK` and there was none.
        public static let markNotFound = Code(.markNotFound)
        /// An opcode's argument is malformed (a bad integer, float, name or length).
        public static let invalidArgument = Code(.invalidArgument)
        /// A string argument is badly quoted, escaped or encoded.
        public static let invalidString = Code(.invalidString)
        /// A `GET` of a memo key that was never `PUT`, or a negative `PUT`.
        public static let memoKeyNotFound = Code(.memoKeyNotFound)
        /// A `PROTO` beyond the highest supported protocol, or a protocol out of range when writing.
        public static let unsupportedProtocol = Code(.unsupportedProtocol)
        /// A limit of ``UnpicklerOptions`` (depth, memo size, opcode count, size) was exceeded.
        public static let limitExceeded = Code(.limitExceeded)
        /// The global resolver refused a global.
        public static let refusedGlobal = Code(.refusedGlobal)
        /// An `EXT1`/`EXT2`/`EXT4` code that is not in the extension registry, or is not positive.
        public static let extensionNotRegistered = Code(.extensionNotRegistered)
        /// A persistent ID with no persistent-load hook to resolve it.
        public static let persistentIDUnsupported = Code(.persistentIDUnsupported)
        /// An out-of-band buffer was needed and none, or too few, were supplied.
        public static let missingBuffer = Code(.missingBuffer)
        /// The stack held the wrong kind of value for an opcode (`REDUCE`, `BUILD`, `SETITEMS`…).
        public static let invalidStack = Code(.invalidStack)
        /// A value cannot be written at the requested protocol or with the given options.
        public static let unpicklable = Code(.unpicklable)
        /// Bytes follow the pickle where none were expected.
        public static let trailingData = Code(.trailingData)

        /// The code's name, like `"truncated"`.
        public var description: String {
            switch storage {
            case .truncated: "truncated"
            case .unknownOpcode: "unknownOpcode"
            case .stackUnderflow: "stackUnderflow"
            case .markNotFound: "markNotFound"
            case .invalidArgument: "invalidArgument"
            case .invalidString: "invalidString"
            case .memoKeyNotFound: "memoKeyNotFound"
            case .unsupportedProtocol: "unsupportedProtocol"
            case .limitExceeded: "limitExceeded"
            case .refusedGlobal: "refusedGlobal"
            case .extensionNotRegistered: "extensionNotRegistered"
            case .persistentIDUnsupported: "persistentIDUnsupported"
            case .missingBuffer: "missingBuffer"
            case .invalidStack: "invalidStack"
            case .unpicklable: "unpicklable"
            case .trailingData: "trailingData"
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String
    /// The byte offset of the opcode at fault, when reading.
    public var offset: Int?
    /// The opcode at fault, when reading.
    public var opcode: Opcode?

    /// Creates an error.
    public init(_ code: Code, _ message: String, offset: Int? = nil, opcode: Opcode? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
        self.opcode = opcode
    }

    /// The message, with the opcode and byte offset when known.
    public var description: String {
        var text = message
        if let opcode, let offset {
            text += " (\(opcode.name) at byte \(offset))"
        } else if let offset {
            text += " (at byte \(offset))"
        }
        return text
    }
}
