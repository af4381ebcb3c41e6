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

    /// The name of a `.name` key; empty for the others, whose ``stringValue`` is made from the number
    /// when asked for (a path is built for every nested value, and read only for errors).
    private let name: String
    let intValue: Int?
    let kind: Kind

    var stringValue: String {
        switch kind {
        case .name: name
        case .integerKey: String(intValue ?? 0)
        case .index: "Index \(intValue ?? 0)"
        }
    }

    init(stringValue: String) {
        self.name = stringValue
        self.intValue = nil
        self.kind = .name
    }

    init(intValue: Int) {
        self.name = ""
        self.intValue = intValue
        self.kind = .integerKey
    }

    init(index: Int) {
        self.name = ""
        self.intValue = index
        self.kind = .index
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
