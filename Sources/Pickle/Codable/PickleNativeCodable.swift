/// A type that ``PickleEncoder`` writes as a Python object of its own, instead of through its
/// `encode(to:)`: `Data` as `bytes`, `Date` as `datetime.datetime`, `Set` as `set`…
protocol PickleNativeEncodable {
    /// The Python object for the value, found at `path`; `encoder` encodes nested values.
    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue
}

/// A type that ``PickleDecoder`` reads from a Python object of its own, instead of through its
/// `init(from:)`.
protocol PickleNativeDecodable {
    /// Reads the value from `value`, found at `path`; `decoder` decodes nested values.
    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws
}

/// Helpers of the native forms.
enum PickleNative {
    /// The coding key under which a dict entry with key `key` is reported: `[n]` for an `int`,
    /// `.name` for a `str`, else the key's Python type.
    static func codingKey(for key: PickleValue) -> PickleCodingKey {
        switch key {
        case .string(let name): PickleCodingKey(stringValue: name)
        case .int(let integer): PickleCodingKey(intValue: integer)
        default: PickleCodingKey(stringValue: "<\(PickleCodingErrors.pythonType(of: key)) key>")
        }
    }

    /// The value in a form Python can hash, for a dict key or a set element: lists become tuples,
    /// sets frozensets, bytearrays bytes.
    ///
    /// - Throws: `EncodingError.invalidValue` for a dict, which Python cannot hash.
    static func hashable(_ value: PickleValue, at path: PickleCodingPath) throws -> PickleValue {
        switch value {
        case .list(let list):
            return .tuple(try list.elements.map { try hashable($0, at: path) })
        case .tuple(let elements):
            return .tuple(try elements.map { try hashable($0, at: path) })
        case .set(let set):
            return .frozenset(PickleFrozenSet(try set.elements.map { try hashable($0, at: path) }))
        case .bytearray(let array):
            return .bytes(array.bytes)
        case .dict:
            throw PickleCodingErrors.invalidValue(
                value, "a dict key or set element encodes to a dict, which Python cannot hash,", at: path)
        default:
            return value
        }
    }
}

// MARK: - [UInt8] ⇄ bytes

extension Array: PickleNativeEncodable where Element == UInt8 {
    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue { .bytes(self) }
}

extension Array: PickleNativeDecodable where Element == UInt8 {
    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        if let bytes = PickleInstance.bytes(value) {
            self = bytes
        } else if let elements = PickleInstance.sequence(value) {
            // A list of small ints, as another program might have stored bytes.
            self = try elements.enumerated().map { position, element in
                try PickleUnboxing.integer(element, as: UInt8.self, at: path.appending(index: position))
            }
        } else {
            throw PickleCodingErrors.mismatch(Self.self, expected: "bytes", found: value, at: path)
        }
    }
}

// MARK: - Set ⇄ set

extension Set: PickleNativeEncodable where Element: Encodable {
    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue {
        let set = PickleSet()
        for (position, element) in enumerated() {
            let elementPath = path.appending(index: position)
            set.insert(try PickleNative.hashable(encoder.wrap(element, at: elementPath), at: elementPath))
        }
        return .set(set)
    }
}

extension Set: PickleNativeDecodable where Element: Decodable {
    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        guard let elements = PickleInstance.sequence(value) else {
            throw PickleCodingErrors.mismatch(Self.self, expected: "set", found: value, at: path)
        }
        self.init(minimumCapacity: elements.count)
        for (position, element) in elements.enumerated() {
            insert(try decoder.unwrap(Element.self, from: element, at: path.appending(index: position)))
        }
    }
}

// MARK: - Dictionary ⇄ dict

extension Dictionary: PickleNativeEncodable where Key: Encodable, Value: Encodable {
    /// A dict whose keys are the encoded keys: `[Int: V]` has `int` keys, `[UUID: V]` `uuid.UUID`
    /// keys, rather than the list of alternating keys and values that `Dictionary.encode(to:)`
    /// writes for keys other than `String` and `Int`.
    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue {
        let dict = PickleDict(minimumCapacity: count)
        for (key, value) in self {
            let pythonKey: PickleValue
            if let string = key as? String {
                pythonKey = .string(string)
            } else {
                pythonKey = try PickleNative.hashable(encoder.wrap(key, at: path), at: path)
            }
            let entryPath = path.appending(PickleNative.codingKey(for: pythonKey))
            if dict.updateValue(try encoder.wrap(value, at: entryPath), forKey: pythonKey) != nil {
                throw PickleCodingErrors.invalidValue(
                    self, "two keys of the dictionary encode to the same Python key", at: entryPath)
            }
        }
        return .dict(dict)
    }
}

extension Dictionary: PickleNativeDecodable where Key: Decodable, Value: Decodable {
    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        guard let dict = PickleInstance.mapping(value) else {
            throw PickleCodingErrors.mismatch(Self.self, expected: "dict", found: value, at: path)
        }
        self.init(minimumCapacity: dict.count)
        for (pythonKey, pythonValue) in dict {
            let entryPath = path.appending(PickleNative.codingKey(for: pythonKey))
            let key: Key
            if case .string(let string) = pythonKey, let string = string as? Key {
                key = string
            } else {
                key = try decoder.unwrap(Key.self, from: pythonKey, at: entryPath)
            }
            let value = try decoder.unwrap(Value.self, from: pythonValue, at: entryPath)
            guard updateValue(value, forKey: key) == nil else {
                throw PickleCodingErrors.corrupted(
                    "dict has two keys that are the same Swift \(Key.self) \(key)", at: path)
            }
        }
    }
}
