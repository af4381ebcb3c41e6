/// A dictionary that keeps the order of its keys, for Python's `collections.OrderedDict`.
///
/// Keys stay in the order they were first inserted; setting the value of an existing key keeps its
/// place, as in Python. Equality is order-sensitive, as `OrderedDict == OrderedDict` is in Python.
///
/// It pickles as CPython pickles an `OrderedDict`: `collections.OrderedDict()` followed by its items
/// (`SETITEMS`). It decodes from an `OrderedDict` or from a plain `dict`, in the dict's order.
/// Through other coders (like `JSONEncoder`) it is an array of alternating keys and values, which
/// keeps the order.
///
/// ```swift
/// var steps: PythonOrderedDict = ["wash": 1, "rinse": 2]
/// steps["dry"] = 3
/// steps.keys     // ["wash", "rinse", "dry"]
/// ```
public struct PythonOrderedDict<Key: Hashable, Value>: Sequence, ExpressibleByDictionaryLiteral {
    /// A key and its value.
    public typealias Element = (key: Key, value: Value)

    /// The keys, in order.
    public private(set) var keys: [Key] = []
    /// The values, in the order of their keys.
    public private(set) var values: [Value] = []
    private var positions: [Key: Int] = [:]

    /// Creates an empty dictionary.
    public init() {}

    /// Creates a dictionary from pairs in order; a later duplicate key replaces the value and keeps
    /// the first position.
    ///
    /// - Parameter pairs: The keys and values.
    public init(_ pairs: some Sequence<(Key, Value)>) {
        for (key, value) in pairs { updateValue(value, forKey: key) }
    }

    /// Creates a dictionary from a literal, in the literal's order.
    ///
    /// - Parameter elements: The keys and values.
    public init(dictionaryLiteral elements: (Key, Value)...) { self.init(elements) }

    /// The number of entries.
    public var count: Int { keys.count }

    /// Whether there are no entries.
    public var isEmpty: Bool { keys.isEmpty }

    /// The value for `key`, or `nil`; setting `nil` removes the entry.
    public subscript(key: Key) -> Value? {
        get { positions[key].map { values[$0] } }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Sets the value for `key`, at the end when the key is new.
    ///
    /// - Returns: The value replaced, or `nil` when the key is new.
    @discardableResult
    public mutating func updateValue(_ value: Value, forKey key: Key) -> Value? {
        if let position = positions[key] {
            let old = values[position]
            values[position] = value
            return old
        }
        positions[key] = keys.count
        keys.append(key)
        values.append(value)
        return nil
    }

    /// Removes `key` and its value, in O(n).
    ///
    /// - Returns: The value removed, or `nil` when the key was absent.
    @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        guard let position = positions.removeValue(forKey: key) else { return nil }
        keys.remove(at: position)
        let old = values.remove(at: position)
        for later in position..<keys.count { positions[keys[later]] = later }
        return old
    }

    /// Iterates over the entries in order.
    public func makeIterator() -> some IteratorProtocol<Element> {
        zip(keys, values).lazy.map { (key: $0, value: $1) }.makeIterator()
    }
}

extension PythonOrderedDict: Equatable where Value: Equatable {
    /// Whether both have the same entries in the same order.
    public static func == (lhs: PythonOrderedDict, rhs: PythonOrderedDict) -> Bool {
        lhs.keys == rhs.keys && lhs.values == rhs.values
    }
}

extension PythonOrderedDict: Hashable where Value: Hashable {
    /// Hashes the entries in order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(keys)
        hasher.combine(values)
    }
}

extension PythonOrderedDict: Sendable where Key: Sendable, Value: Sendable {}

// MARK: - Pickle form

extension PythonOrderedDict: PickleNativeEncodable where Key: Encodable, Value: Encodable {
    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue {
        var items: [(key: PickleValue, value: PickleValue)] = []
        items.reserveCapacity(count)
        for (key, value) in zip(keys, values) {
            let pythonKey: PickleValue
            if let string = key as? String {
                pythonKey = .string(string)
            } else {
                pythonKey = try PickleNative.hashable(encoder.wrap(key, at: path), at: path)
            }
            items.append(
                (pythonKey, try encoder.wrap(value, at: path.appending(PickleNative.codingKey(for: pythonKey)))))
        }
        return .object(
            PickleObject(
                construction: .reduce, callable: .global(PythonOrderedDictForm.pythonClass), dictItems: items))
    }
}

extension PythonOrderedDict: PickleNativeDecodable where Key: Decodable, Value: Decodable {
    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        guard let dict = PickleInstance.mapping(value) else {
            throw PickleCodingErrors.mismatch(Self.self, expected: "collections.OrderedDict", found: value, at: path)
        }
        self.init()
        for (pythonKey, pythonValue) in dict {
            let entryPath = path.appending(PickleNative.codingKey(for: pythonKey))
            let key: Key
            if case .string(let string) = pythonKey, let string = string as? Key {
                key = string
            } else {
                key = try decoder.unwrap(Key.self, from: pythonKey, at: entryPath)
            }
            guard updateValue(try decoder.unwrap(Value.self, from: pythonValue, at: entryPath), forKey: key) == nil
            else {
                throw PickleCodingErrors.corrupted(
                    "dict has two keys that are the same Swift \(Key.self) \(key)", at: path)
            }
        }
    }
}

enum PythonOrderedDictForm {
    static let pythonClass = PickleGlobal(module: "collections", name: "OrderedDict")
}

// MARK: - Codable

extension PythonOrderedDict: Encodable where Key: Encodable, Value: Encodable {
    /// Encodes the dictionary: a `collections.OrderedDict` through ``PickleEncoder``, else an array
    /// of alternating keys and values.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: What the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? _PickleEncoder {
            return encoder.store(try pickleValue(in: encoder, at: encoder.path))
        }
        var container = encoder.unkeyedContainer()
        for (key, value) in zip(keys, values) {
            try container.encode(key)
            try container.encode(value)
        }
    }
}

extension PythonOrderedDict: Decodable where Key: Decodable, Value: Decodable {
    /// Decodes a dictionary: an `OrderedDict` or a `dict` through ``PickleDecoder``, else the array
    /// of alternating keys and values that ``encode(to:)`` writes.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when the value has another form, or a key repeats.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? _PickleDecoder {
            try self.init(pickleValue: decoder.value, in: decoder, at: decoder.path)
            return
        }
        self.init()
        var container = try decoder.unkeyedContainer()
        while !container.isAtEnd {
            let key = try container.decode(Key.self)
            guard !container.isAtEnd else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "a key without a value")
            }
            guard updateValue(try container.decode(Value.self), forKey: key) == nil else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "the key \(key) repeats")
            }
        }
    }
}
