/// The errors the pickle coders throw, with messages that name the Python types involved and the
/// coding path the way Python code would write it.
enum PickleCodingErrors {
    /// Python's name for the type of `value`: `"int"`, `"dict"`, or a class's `module.name`.
    static func pythonType(of value: PickleValue) -> String {
        guard case .object(let object) = value else { return value.pythonTypeName }
        if let cls = PickleInstance.pythonClass(of: object) { return cls.fullName }
        return "object"
    }

    /// A value of the wrong Python type: `expected str at users[3].name, found int`.
    ///
    /// `None` where a value is required is a `valueNotFound` error, with the same message.
    static func mismatch(
        _ type: Any.Type, expected: String, found value: PickleValue, at path: PickleCodingPath
    ) -> DecodingError {
        let context = DecodingError.Context(
            codingPath: path.keys,
            debugDescription: "expected \(expected) at \(path.pythonDescription), found \(pythonType(of: value))"
        )
        if case .none = value { return DecodingError.valueNotFound(type, context) }
        return DecodingError.typeMismatch(type, context)
    }

    /// A value of the right Python type that the Swift type cannot hold: `message at path`.
    static func corrupted(_ message: String, at path: PickleCodingPath) -> DecodingError {
        DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: path.keys, debugDescription: "\(message) at \(path.pythonDescription)"))
    }

    /// A missing dict key or attribute: `missing key 'name' at users[3]`.
    static func missingKey(_ key: any CodingKey, at path: PickleCodingPath) -> DecodingError {
        DecodingError.keyNotFound(
            key,
            DecodingError.Context(
                codingPath: path.keys,
                debugDescription: "missing key '\(key.stringValue)' at \(path.pythonDescription)"))
    }

    /// An unkeyed container read past its end.
    static func endOfSequence(_ type: Any.Type, count: Int, at path: PickleCodingPath) -> DecodingError {
        DecodingError.valueNotFound(
            type,
            DecodingError.Context(
                codingPath: path.keys,
                debugDescription: "no item left at \(path.pythonDescription): the sequence has \(count) items"))
    }

    /// A Swift value that has no Python form: `message at path`.
    static func invalidValue(_ value: Any, _ message: String, at path: PickleCodingPath) -> EncodingError {
        EncodingError.invalidValue(
            value,
            EncodingError.Context(
                codingPath: path.keys, debugDescription: "\(message) at \(path.pythonDescription)"))
    }
}
