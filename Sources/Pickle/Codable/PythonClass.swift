/// A Swift type that stands for a Python class, so that it pickles as an instance of that class.
///
/// `PickleEncoder` writes a conforming type the way CPython's default `__reduce_ex__` writes an
/// instance: a new object of the class, made without calling `__init__` (`NEWOBJ` from protocol 2,
/// `copyreg._reconstructor` at protocols 0 and 1), then its encoded fields as the instance's
/// `__dict__` (`BUILD`). Python code that has the class gets a real object of it; Python code that
/// does not cannot load the pickle, just as with a pickle that Python made.
///
/// `PickleDecoder` accepts that instance form, checking the class, and also a plain dict of the
/// fields.
///
/// ```swift
/// struct Item: Codable, PythonClass {
///     static let pythonClass = PickleGlobal(module: "shop", name: "Item")
///     var name: String
///     var price: Int
/// }
/// let bytes = try PickleEncoder().encode(Item(name: "pen", price: 3))
/// // In Python, with `class Item: pass` in module `shop`:
/// //   item = pickle.loads(bytes); type(item) is shop.Item; item.price == 3
/// ```
///
/// An instance with no fields has no state, as CPython writes it. A type whose encoding is not a
/// dict (a single value) has that value as its state, which Python passes to `__setstate__`.
public protocol PythonClass {
    /// The Python class: its module and qualified name, like `shop.Item` or `shop.Outer.Inner`.
    static var pythonClass: PickleGlobal { get }
}

/// The instance form of ``PythonClass`` types.
enum PythonClassForm {
    /// A new instance of `cls` with `state` as its `__dict__`; no state when it is an empty dict.
    static func instance(of cls: PickleGlobal, state: PickleValue) -> PickleValue {
        if case .dict(let dict) = state, dict.isEmpty {
            return .object(PickleObject(newInstanceOf: cls))
        }
        return .object(PickleObject(newInstanceOf: cls, state: state))
    }

    /// The value to decode a ``PythonClass`` type from: the state of an instance of `cls`, or a
    /// plain dict.
    ///
    /// - Throws: `DecodingError.typeMismatch` for an instance of another class, or a value that is
    ///   neither an instance nor a dict.
    static func state(
        of value: PickleValue, expecting cls: PickleGlobal, type: Any.Type, at path: PickleCodingPath
    ) throws -> PickleValue {
        switch value {
        case .dict:
            return value
        case .object(let object) where PickleInstance.isInstance(object) || object.state != nil:
            guard PickleInstance.pythonClass(of: object) == cls else {
                throw PickleCodingErrors.mismatch(type, expected: cls.fullName, found: value, at: path)
            }
            if let attributes = PickleInstance.attributes(of: object) { return .dict(attributes) }
            return object.state ?? .dict(PickleDict())
        default:
            throw PickleCodingErrors.mismatch(type, expected: cls.fullName, found: value, at: path)
        }
    }
}
