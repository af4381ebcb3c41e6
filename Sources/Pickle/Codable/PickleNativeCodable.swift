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

// MARK: - Array ⇄ list, [UInt8] ⇄ bytes

extension Array: PickleNativeEncodable where Element: Encodable {
    /// `bytes` for `[UInt8]`; otherwise the `list` that `Array.encode(to:)` writes through an unkeyed
    /// container, built without one.
    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue {
        if let bytes = ofElements(UInt8.self) { return .bytes(bytes) }
        if let integers = ofElements(Int.self) { return .list(PickleList(integers.map { .int($0) })) }
        if let strings = ofElements(String.self) {
            return .list(PickleList(strings.map { .string($0) }))
        }
        if let doubles = ofElements(Double.self) { return .list(PickleList(doubles.map { .float($0) })) }
        var elements: [PickleValue] = []
        elements.reserveCapacity(count)
        // Indices rather than `enumerated()`, whose iterator costs metadata lookups in generic code.
        for position in indices {
            elements.append(try encoder.wrap(self[position], at: path.appending(index: position)))
        }
        return .list(PickleList(elements))
    }
}

extension Array: PickleNativeDecodable where Element: Decodable {
    /// `[UInt8]` from `bytes`; otherwise what `Array.init(from:)` reads through an unkeyed
    /// container, read without one.
    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        if Element.self == UInt8.self {
            self = unsafeBitCast(try Self.bytes(from: value, at: path), to: Self.self)
            return
        }
        // As decoding through `init(from:)` would: one level deeper, one more value for the
        // container, and the same error when the value is not a sequence.
        try decoder.enterNested(at: path)
        defer { decoder.context.depth -= 1 }
        try decoder.spend(at: path)
        guard let elements = PickleInstance.sequence(value) else {
            throw PickleCodingErrors.mismatch([Any].self, expected: "list", found: value, at: path)
        }
        if Element.self == Int.self {
            var integers: [Int] = []
            integers.reserveCapacity(elements.count)
            for (position, element) in elements.enumerated() {
                integers.append(try PickleUnboxing.integer(element, as: Int.self, at: path.appending(index: position)))
            }
            self = unsafeBitCast(integers, to: Self.self)
            return
        }
        var result: [Element] = []
        result.reserveCapacity(elements.count)
        if _PickleEncoder.isPrimitive(Element.self) {
            for (position, element) in elements.enumerated() {
                result.append(try decoder.unwrap(Element.self, from: element, at: path.appending(index: position)))
            }
        } else {
            // The elements share a type: its form is looked up once for the array.
            let form = PickleDecodingForm.of(Element.self)
            for (position, element) in elements.enumerated() {
                result.append(
                    try decoder.unwrapComposite(
                        Element.self, from: element, at: path.appending(index: position), form: form))
            }
        }
        self = result
    }

    /// The bytes of `bytes` or `bytearray`, or of a list of small ints, as another program might
    /// have stored bytes.
    private static func bytes(from value: PickleValue, at path: PickleCodingPath) throws -> [UInt8] {
        if let bytes = PickleInstance.bytes(value) { return bytes }
        guard let elements = PickleInstance.sequence(value) else {
            throw PickleCodingErrors.mismatch([UInt8].self, expected: "bytes", found: value, at: path)
        }
        return try elements.enumerated().map { position, element in
            try PickleUnboxing.integer(element, as: UInt8.self, at: path.appending(index: position))
        }
    }
}

// MARK: - Optional ⇄ None or the value

extension Optional: PickleNativeEncodable where Wrapped: Encodable {
    /// `None`, or the wrapped value, as `Optional.encode(to:)` writes them.
    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue {
        guard let wrapped = self else { return .none }
        return try encoder.wrap(wrapped, at: path)
    }
}

extension Optional: PickleNativeDecodable where Wrapped: Decodable {
    /// `nil` from `None`, else the wrapped value, as `Optional.init(from:)` reads them, one level
    /// deeper.
    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        try decoder.enterNested(at: path)
        defer { decoder.context.depth -= 1 }
        self = value.isNone ? nil : try decoder.unwrap(Wrapped.self, from: value, at: path)
    }
}

// MARK: - Set ⇄ set

extension Set: PickleNativeEncodable where Element: Encodable {
    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue {
        let set = PickleSet()
        var position = 0
        for element in self {
            let elementPath = path.appending(index: position)
            set.insert(try PickleNative.hashable(encoder.wrap(element, at: elementPath), at: elementPath))
            position += 1
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
        if let common = try PickleNative.commonDictionaryValue(self, in: encoder, at: path) { return common }
        return try PickleNative.dictionaryValue(self, in: encoder, at: path)
    }
}

extension Dictionary: PickleNativeDecodable where Key: Decodable, Value: Decodable {
    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        guard let dict = PickleInstance.mapping(value) else {
            throw PickleCodingErrors.mismatch(Self.self, expected: "dict", found: value, at: path)
        }
        if let kind = CommonDictionary(key: Key.self, value: Value.self) {
            self = try PickleNative.commonDictionary(kind, as: Self.self, reading: .value(dict, decoder, path))
        } else {
            self = try PickleNative.dictionary(Key.self, Value.self, from: dict, in: decoder, at: path)
        }
    }
}

// MARK: - Dictionaries, in code specialized for the common types

/// A dict to read as a Swift dictionary, for ``PickleNative/commonDictionary(_:as:reading:)``: a value for
/// ``_PickleDecoder``, a node for ``_PickleArenaDecoder``, so that the dispatch on the dictionary's type is
/// written once (an enum rather than a protocol, so that each call below is specialized).
enum PickleDictionarySource {
    case value(PickleDict, _PickleDecoder, PickleCodingPath)
    case node(PickleArenaDictionaryReader)

    /// The dict, read as a `[K: V]`.
    @inline(__always)
    func dictionary<K: Decodable & Hashable, V: Decodable>(_ key: K.Type, _ value: V.Type) throws -> [K: V] {
        switch self {
        case .value(let dict, let decoder, let path):
            try PickleNative.dictionary(K.self, V.self, from: dict, in: decoder, at: path)
        case .node(let reader):
            try reader.dictionary(K.self, V.self)
        }
    }
}

extension PickleNative {
    // A dictionary built or walked in generic code looks up the metadata of its types on every
    // entry. For the common key types (`String`, `Int`) and value types (`String`, `Int`, `Double`,
    // `Bool`, and their optionals), the two functions below call the generic ones with concrete
    // types, which the compiler specializes.

    /// The dict that `reader` reads, as a `D`, when `D` is a dictionary of common types; `nil` for other
    /// types.
    ///
    /// Inlined, so that a caller in a generic dictionary's extension does not have the runtime look up the
    /// metadata of `D` (or of `D?`) to call it.
    @inline(__always)
    static func commonDictionary<D>(_ kind: CommonDictionary, as type: D.Type, reading reader: PickleDictionarySource)
        throws -> D
    {
        switch kind {
        case .stringToString: unsafeBitCast(try reader.dictionary(String.self, String.self), to: D.self)
        case .stringToInt: unsafeBitCast(try reader.dictionary(String.self, Int.self), to: D.self)
        case .stringToDouble: unsafeBitCast(try reader.dictionary(String.self, Double.self), to: D.self)
        case .stringToBool: unsafeBitCast(try reader.dictionary(String.self, Bool.self), to: D.self)
        case .stringToOptionalString: unsafeBitCast(try reader.dictionary(String.self, String?.self), to: D.self)
        case .stringToOptionalInt: unsafeBitCast(try reader.dictionary(String.self, Int?.self), to: D.self)
        case .stringToOptionalDouble: unsafeBitCast(try reader.dictionary(String.self, Double?.self), to: D.self)
        case .stringToOptionalBool: unsafeBitCast(try reader.dictionary(String.self, Bool?.self), to: D.self)
        case .intToString: unsafeBitCast(try reader.dictionary(Int.self, String.self), to: D.self)
        case .intToInt: unsafeBitCast(try reader.dictionary(Int.self, Int.self), to: D.self)
        case .intToDouble: unsafeBitCast(try reader.dictionary(Int.self, Double.self), to: D.self)
        case .intToBool: unsafeBitCast(try reader.dictionary(Int.self, Bool.self), to: D.self)
        case .intToOptionalString: unsafeBitCast(try reader.dictionary(Int.self, String?.self), to: D.self)
        case .intToOptionalInt: unsafeBitCast(try reader.dictionary(Int.self, Int?.self), to: D.self)
        case .intToOptionalDouble: unsafeBitCast(try reader.dictionary(Int.self, Double?.self), to: D.self)
        case .intToOptionalBool: unsafeBitCast(try reader.dictionary(Int.self, Bool?.self), to: D.self)
        }
    }

    /// The Python dict for `value`, when it is a dictionary of common types; `nil` for other types.
    static func commonDictionaryValue<D>(_ value: D, in encoder: _PickleEncoder, at path: PickleCodingPath) throws
        -> PickleValue?
    {
        switch CommonDictionary(D.self) {
        case .stringToString:
            try dictionaryValue(unsafeBitCast(value, to: [String: String].self), in: encoder, at: path)
        case .stringToInt:
            try dictionaryValue(unsafeBitCast(value, to: [String: Int].self), in: encoder, at: path)
        case .stringToDouble:
            try dictionaryValue(unsafeBitCast(value, to: [String: Double].self), in: encoder, at: path)
        case .stringToBool:
            try dictionaryValue(unsafeBitCast(value, to: [String: Bool].self), in: encoder, at: path)
        case .stringToOptionalString:
            try dictionaryValue(unsafeBitCast(value, to: [String: String?].self), in: encoder, at: path)
        case .stringToOptionalInt:
            try dictionaryValue(unsafeBitCast(value, to: [String: Int?].self), in: encoder, at: path)
        case .stringToOptionalDouble:
            try dictionaryValue(unsafeBitCast(value, to: [String: Double?].self), in: encoder, at: path)
        case .stringToOptionalBool:
            try dictionaryValue(unsafeBitCast(value, to: [String: Bool?].self), in: encoder, at: path)
        case .intToString:
            try dictionaryValue(unsafeBitCast(value, to: [Int: String].self), in: encoder, at: path)
        case .intToInt:
            try dictionaryValue(unsafeBitCast(value, to: [Int: Int].self), in: encoder, at: path)
        case .intToDouble:
            try dictionaryValue(unsafeBitCast(value, to: [Int: Double].self), in: encoder, at: path)
        case .intToBool:
            try dictionaryValue(unsafeBitCast(value, to: [Int: Bool].self), in: encoder, at: path)
        case .intToOptionalString:
            try dictionaryValue(unsafeBitCast(value, to: [Int: String?].self), in: encoder, at: path)
        case .intToOptionalInt:
            try dictionaryValue(unsafeBitCast(value, to: [Int: Int?].self), in: encoder, at: path)
        case .intToOptionalDouble:
            try dictionaryValue(unsafeBitCast(value, to: [Int: Double?].self), in: encoder, at: path)
        case .intToOptionalBool:
            try dictionaryValue(unsafeBitCast(value, to: [Int: Bool?].self), in: encoder, at: path)
        case nil: nil
        }
    }

    /// `dict` read as a `[K: V]`, entry by entry, in the dict's order.
    ///
    /// - Throws: `DecodingError` for an entry that does not decode, or for two keys that become the
    ///   same Swift key.
    static func dictionary<K: Decodable & Hashable, V: Decodable>(
        _ key: K.Type, _ value: V.Type, from dict: PickleDict, in decoder: _PickleDecoder, at path: PickleCodingPath
    ) throws -> [K: V] {
        var result = [K: V](minimumCapacity: dict.count)
        try fill(&result, from: dict, in: decoder, at: path)
        return result
    }

    /// Adds the entries of `dict` to `result`: generic over the dictionary type for the reason
    /// ``PickleArenaDictionaryReader``'s `fill` is.
    private static func fill<D: PickleFillableDictionary>(
        _ result: inout D, from dict: PickleDict, in decoder: _PickleDecoder, at path: PickleCodingPath
    ) throws where D.Key: Decodable & Hashable, D.Value: Decodable {
        typealias K = D.Key
        typealias V = D.Value
        for position in 0..<dict.count {
            let pythonKey = dict.key(at: position)
            let key: K
            if K.self == String.self, case .string(let string) = pythonKey {
                key = unsafeBitCast(string, to: K.self)
            } else if KnownType.optionalString.matches(K.self), case .string(let string) = pythonKey {
                key = unsafeBitCast(String?.some(string), to: K.self)
            } else {
                key = try decoder.unwrap(K.self, from: pythonKey, at: path.appending(codingKey(for: pythonKey)))
            }
            let value = try decoder.unwrap(
                V.self, from: dict.value(at: position), at: path.appending(codingKey(for: pythonKey)))
            guard result.updateValue(consume value, forKey: key) == nil else {
                throw PickleCodingErrors.corrupted(
                    "dict has two keys that are the same Swift \(K.self) \(key)", at: path)
            }
        }
    }

    /// The Python dict for `dictionary`: its keys encoded (`[Int: V]` has `int` keys, `[UUID: V]`
    /// `uuid.UUID` keys), rather than the list of alternating keys and values that
    /// `Dictionary.encode(to:)` writes for keys other than `String` and `Int`.
    ///
    /// - Throws: `EncodingError.invalidValue` for a value with no Python form, or for two keys that
    ///   encode to the same Python key.
    static func dictionaryValue<K: Encodable & Hashable, V: Encodable>(
        _ dictionary: [K: V], in encoder: _PickleEncoder, at path: PickleCodingPath
    ) throws -> PickleValue {
        let dict = PickleDict()
        // Room for every entry, hash index included, so that the index does not grow entry by entry.
        dict.reserveCapacity(dictionary.count)
        for (key, value) in dictionary {
            // A `String`, `Int`… key is its own hashable form.
            let pythonKey = try _PickleEncoder.primitive(key) ?? hashable(encoder.wrap(key, at: path), at: path)
            let element = try encoder.wrap(value, at: path.appending(codingKey(for: pythonKey)))
            if dict.updateValue(element, forKey: pythonKey) != nil {
                throw PickleCodingErrors.invalidValue(
                    dictionary, "two keys of the dictionary encode to the same Python key",
                    at: path.appending(codingKey(for: pythonKey)))
            }
        }
        return .dict(dict)
    }
}

/// The dictionaries of common key and value types, which the coders handle in code specialized for them,
/// recognized by metadata identifiers looked up once (see ``KnownType``).
enum CommonDictionary: Int {
    case stringToString, stringToInt, stringToDouble, stringToBool, stringToOptionalString, stringToOptionalInt, stringToOptionalDouble, stringToOptionalBool
    case intToString, intToInt, intToDouble, intToBool, intToOptionalString, intToOptionalInt, intToOptionalDouble, intToOptionalBool

    private static let identifiers: [ObjectIdentifier] = [
        ObjectIdentifier([String: String].self),
        ObjectIdentifier([String: Int].self),
        ObjectIdentifier([String: Double].self),
        ObjectIdentifier([String: Bool].self),
        ObjectIdentifier([String: String?].self),
        ObjectIdentifier([String: Int?].self),
        ObjectIdentifier([String: Double?].self),
        ObjectIdentifier([String: Bool?].self),
        ObjectIdentifier([Int: String].self),
        ObjectIdentifier([Int: Int].self),
        ObjectIdentifier([Int: Double].self),
        ObjectIdentifier([Int: Bool].self),
        ObjectIdentifier([Int: String?].self),
        ObjectIdentifier([Int: Int?].self),
        ObjectIdentifier([Int: Double?].self),
        ObjectIdentifier([Int: Bool?].self),
    ]

    init?(_ type: Any.Type) {
        guard let index = Self.identifiers.firstIndex(of: ObjectIdentifier(type)) else { return nil }
        self.init(rawValue: index)
    }

    /// The common dictionary with keys of type `key` and values of type `value`, found by comparing the
    /// two types: generic code has their metadata at hand, where ``init(_:)`` on `[Key: Value].self` has
    /// the runtime look up the dictionary type's metadata first.
    init?(key: Any.Type, value: Any.Type) {
        let keys: Int
        if key == String.self {
            keys = Self.stringToString.rawValue
        } else if key == Int.self {
            keys = Self.intToString.rawValue
        } else {
            return nil
        }
        let values: Int
        if value == String.self {
            values = 0
        } else if value == Int.self {
            values = 1
        } else if value == Double.self {
            values = 2
        } else if value == Bool.self {
            values = 3
        } else if KnownType.optionalString.matches(value) {
            values = 4
        } else if KnownType.optionalInt.matches(value) {
            values = 5
        } else if KnownType.optionalDouble.matches(value) {
            values = 6
        } else if KnownType.optionalBool.matches(value) {
            values = 7
        } else {
            return nil
        }
        self.init(rawValue: keys + values)
    }
}
