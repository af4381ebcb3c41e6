/// A coding key made by the pickle coders: a list index, a dict key or `super`.
struct PickleCodingKey: CodingKey {
    enum Kind {
        /// A position in a list, tuple or set: rendered `[n]`.
        case index
        /// An `int` key of a dict: rendered `[n]`.
        case integerKey
        /// A `str` key, or any other key by its repr: rendered `.name`.
        case name
    }

    /// The key, in 17 bytes: a coding path holds its keys as `any CodingKey`, whose inline buffer is three
    /// words, and a larger key (a `String` and an `Int?` side by side) would cost an allocation of its own for
    /// every nested value encoded or decoded. The `stringValue` of a number is made when asked for (a path is
    /// built for every nested value, and read only for errors).
    private enum Storage {
        case name(String)
        case integerKey(Int)
        case index(Int)
    }

    private let storage: Storage

    var kind: Kind {
        switch storage {
        case .name: .name
        case .integerKey: .integerKey
        case .index: .index
        }
    }

    var intValue: Int? {
        switch storage {
        case .name: nil
        case .integerKey(let value), .index(let value): value
        }
    }

    var stringValue: String {
        switch storage {
        case .name(let name): name
        case .integerKey(let value): String(value)
        case .index(let value): "Index \(value)"
        }
    }

    init(stringValue: String) {
        storage = .name(stringValue)
    }

    init(intValue: Int) {
        storage = .integerKey(intValue)
    }

    init(index: Int) {
        storage = .index(index)
    }

    static let superKey = PickleCodingKey(stringValue: "super")
}

/// A coding path as a linked list from the leaf to the root, so that entering a value costs one
/// small allocation and the array form is only built when someone asks for it.
indirect enum PickleCodingPath {
    case root
    case key(any CodingKey, PickleCodingPath)
    case index(Int, PickleCodingPath)

    func appending(_ key: any CodingKey) -> PickleCodingPath { .key(key, self) }

    func appending(index: Int) -> PickleCodingPath { .index(index, self) }

    /// The path as `Encoder.codingPath` gives it, root first.
    var keys: [any CodingKey] {
        var result: [any CodingKey] = []
        var node = self
        while true {
            switch node {
            case .root:
                return result.reversed()
            case .key(let key, let parent):
                result.append(key)
                node = parent
            case .index(let index, let parent):
                result.append(PickleCodingKey(index: index))
                node = parent
            }
        }
    }

    /// The path written the way Python code would reach the value, like `users[3].name`, or
    /// `"the top level"` for the root.
    var pythonDescription: String { Self.pythonDescription(of: keys) }

    /// Renders `keys` like `users[3].name`: names joined by dots, list indices and `int` dict keys
    /// in brackets.
    static func pythonDescription(of keys: [any CodingKey]) -> String {
        if keys.isEmpty { return "the top level" }
        var text = ""
        for key in keys {
            if let key = key as? PickleCodingKey, key.kind != .name, let index = key.intValue {
                text += "[\(index)]"
            } else if key.stringValue.hasPrefix("Index "), let index = key.intValue {
                // The index keys of other coders' containers, like the standard library's.
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += key.stringValue
            }
        }
        return text
    }
}
