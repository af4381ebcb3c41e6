/// `PickleValue` in your own Codable types: a field of type `PickleValue` holds any Python object.
///
/// Through ``PickleEncoder`` and ``PickleDecoder`` the value passes as it is: whatever Python put
/// there comes back out unchanged, shared references and cycles included.
///
/// ```swift
/// struct Envelope: Codable {
///     var kind: String
///     var payload: PickleValue    // anything Python stored
/// }
/// ```
///
/// Through other coders (like `JSONEncoder`) the JSON-like part maps across: `None` ⇄ null, `bool`,
/// `int` (one beyond `Int` as its decimal digits), `float`, `str`, `list`/`tuple`/`set`/`frozenset`
/// → array, `dict` with `str` keys ⇄ object, `bytes`/`bytearray` → array of numbers. Other values
/// (complex numbers, globals, class instances, other dict keys, lone surrogates, cycles) throw
/// `EncodingError.invalidValue`, and so do values nested deeper than 1,000 levels and shared references
/// that would expand exponentially (see ``PickleDecoder``, "Shared references"). Decoding reads null,
/// booleans, integers, other numbers, strings, arrays (as lists) and objects (as dicts).
extension PickleValue: Codable {
    /// Encodes the value; see the extension's discussion.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: `EncodingError.invalidValue` when another coder is given a value without a JSON-like
    ///   form.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? _PickleEncoder { return encoder.store(self) }
        var walk = PlainValue.Walk(visiting: [], budget: ExpansionBudget(root: self))
        try PlainValue(self, walk: &walk, depth: 0, codingPath: encoder.codingPath).encode(to: encoder)
    }

    /// Decodes a value; see the extension's discussion.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when another coder's value is none of the JSON-like forms.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? _PickleDecoder {
            self = decoder.value
            return
        }
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() {
                self = .none
                return
            }
            if let flag = try? container.decode(Bool.self) {
                self = .bool(flag)
                return
            }
            if let integer = try? container.decode(Int.self) {
                self = .int(integer)
                return
            }
            if let double = try? container.decode(Double.self) {
                self = .float(double)
                return
            }
            if let string = try? container.decode(String.self) {
                self = .string(string)
                return
            }
        }
        if var container = try? decoder.unkeyedContainer() {
            let list = PickleList()
            while !container.isAtEnd { list.append(try container.decode(PickleValue.self)) }
            self = .list(list)
            return
        }
        let container = try decoder.container(keyedBy: PickleCodingKey.self)
        let dict = PickleDict(minimumCapacity: container.allKeys.count)
        for key in container.allKeys {
            dict[.string(key.stringValue)] = try container.decode(PickleValue.self, forKey: key)
        }
        self = .dict(dict)
    }
}

/// The JSON-like part of a ``PickleValue``, checked for cycles, for coders other than the pickle
/// ones.
private indirect enum PlainValue: Encodable {
    case null
    case bool(Bool)
    case int(Int)
    case big(BigInteger)
    case double(Double)
    case string(String)
    case array([PlainValue])
    case object([(String, PlainValue)])

    /// What the conversion tracks: the containers being converted (to refuse cycles), and the budget of
    /// visits (shared references are converted once per reference, which must not explode).
    struct Walk {
        var visiting: Set<ObjectIdentifier>
        var budget: ExpansionBudget
    }

    /// The deepest nesting converted, like Python's recursion limit for `json.dumps`.
    static let maximumDepth = 1000

    init(_ value: PickleValue, walk: inout Walk, depth: Int, codingPath: [any CodingKey]) throws {
        func invalid(_ reason: String) -> EncodingError {
            EncodingError.invalidValue(
                value,
                EncodingError.Context(
                    codingPath: codingPath, debugDescription: "a Python \(value.pythonTypeName) \(reason)"))
        }
        if let identity = value.referenceIdentity {
            guard walk.visiting.insert(identity).inserted else {
                throw invalid("that contains itself has no JSON-like form")
            }
        }
        defer { if let identity = value.referenceIdentity { walk.visiting.remove(identity) } }
        func elements(_ values: [PickleValue]) throws -> PlainValue {
            guard depth < Self.maximumDepth else { throw invalid("nested deeper than \(Self.maximumDepth) levels") }
            guard walk.budget.spend(values.count) else {
                throw invalid("whose shared references expand too far (each is converted every time it is referenced)")
            }
            return .array(try values.map { try PlainValue($0, walk: &walk, depth: depth + 1, codingPath: codingPath) })
        }
        switch value {
        case .none: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let integer): self = .int(integer)
        case .bigInt(let big): self = .big(big)
        case .float(let double): self = .double(double)
        case .string(let string): self = .string(string)
        case .bytes(let bytes): self = .array(bytes.map { .int(Int($0)) })
        case .bytearray(let array): self = .array(array.bytes.map { .int(Int($0)) })
        case .tuple(let values): self = try elements(values)
        case .list(let list): self = try elements(list.elements)
        case .set(let set): self = try elements(set.elements)
        case .frozenset(let set): self = try elements(set.elements)
        case .dict(let dict):
            guard depth < Self.maximumDepth else { throw invalid("nested deeper than \(Self.maximumDepth) levels") }
            guard walk.budget.spend(dict.count) else {
                throw invalid("whose shared references expand too far (each is converted every time it is referenced)")
            }
            var members: [(String, PlainValue)] = []
            for (key, member) in dict {
                guard case .string(let name) = key else {
                    throw invalid("with a \(key.pythonTypeName) key has no JSON-like form")
                }
                members.append((name, try PlainValue(member, walk: &walk, depth: depth + 1, codingPath: codingPath)))
            }
            self = .object(members)
        case .surrogateString: throw invalid("with a lone surrogate has no JSON-like form")
        case .complex, .global, .object: throw invalid("has no JSON-like form")
        }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .int(let integer):
            var container = encoder.singleValueContainer()
            try container.encode(integer)
        case .big(let big):
            try big.encode(to: encoder)
        case .double(let double):
            var container = encoder.singleValueContainer()
            try container.encode(double)
        case .string(let string):
            var container = encoder.singleValueContainer()
            try container.encode(string)
        case .array(let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        case .object(let members):
            var container = encoder.container(keyedBy: PickleCodingKey.self)
            for (name, value) in members { try container.encode(value, forKey: PickleCodingKey(stringValue: name)) }
        }
    }
}

extension PickleValue: PickleNativeEncodable, PickleNativeDecodable {
    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue { self }

    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        self = value
    }
}
