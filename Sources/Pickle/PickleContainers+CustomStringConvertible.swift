// Python's `repr()` for the value model's own types, each the same as the `PickleValue` that wraps it.

extension PickleList: CustomStringConvertible {
    /// What Python's `repr()` prints for the list, like `[1, 'a']`; see ``PickleValue/description``.
    public var description: String { PickleValue.list(self).description }
}

extension PickleDict: CustomStringConvertible {
    /// What Python's `repr()` prints for the dict, like `{'a': 1}`; see ``PickleValue/description``.
    public var description: String { PickleValue.dict(self).description }
}

extension PickleSet: CustomStringConvertible {
    /// What Python's `repr()` prints for the set, like `{1, 2}` or `set()`; see
    /// ``PickleValue/description``.
    public var description: String { PickleValue.set(self).description }
}

extension PickleFrozenSet: CustomStringConvertible {
    /// What Python's `repr()` prints for the frozenset, like `frozenset({1, 2})`; see
    /// ``PickleValue/description``.
    public var description: String { PickleValue.frozenset(self).description }
}

extension PickleByteArray: CustomStringConvertible {
    /// What Python's `repr()` prints for the bytearray, like `bytearray(b'ab')`.
    public var description: String { PickleValue.bytearray(self).description }
}

extension PickleObject: CustomStringConvertible {
    /// The object's construction and what was applied to it, like
    /// `__main__.C.__new__(__main__.C).__setstate__({'foo': 1})`; see ``PickleValue/description``
    /// for the form.
    public var description: String { PickleValue.object(self).description }
}

extension PickleGlobal: CustomStringConvertible {
    /// The global as `<global module.name>`, like `<global collections.OrderedDict>`; see
    /// ``PickleValue/description``.
    public var description: String { globalRepr(self) }
}
