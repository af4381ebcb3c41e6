/// An instance of a Python class, or the result of any other reduction, kept as inert data.
///
/// A pickle builds most objects by calling something: a class with arguments (`NEWOBJ`,
/// `NEWOBJ_EX`, `INST`, `OBJ`), or any callable (`REDUCE`), then applying state (`BUILD`) and
/// appending list items (`APPEND`/`APPENDS`) or setting dict items (`SETITEM`/`SETITEMS`). Nothing
/// is ever called here: a `PickleObject` records the callable, the arguments, the state and the
/// items, so the program can read them, and so the object pickles back out equivalent to what
/// came in, ready for Python code that has the class.
///
/// A `PickleObject` is a reference type because Python objects have identity: an instance may be
/// shared, or refer to itself through its state.
///
/// ```swift
/// // What Python's pickle writes for an instance of `shop.Item` with `price = 3`:
/// let item = PickleObject(newInstanceOf: PickleGlobal(module: "shop", name: "Item"))
/// item.state = ["price": 3]
/// ```
public final class PickleObject {
    /// How the object is constructed.
    public enum Construction: Hashable, Sendable {
        /// `callable(*arguments)`, written with `REDUCE`.
        case reduce
        /// `cls.__new__(cls, *arguments)`, written with `NEWOBJ` (protocol 2 and later; at protocols 0
        /// and 1, `copyreg._reconstructor(cls, object, None)` as CPython does).
        case newObject
        /// `cls.__new__(cls, *arguments, **keywordArguments)`, written with `NEWOBJ_EX` (protocol 4).
        case newObjectWithKeywords
        /// An instance of an old-style class, written with `INST` or `OBJ` (protocols 0 and 1).
        case instantiate
    }

    // No dynamic exclusivity checks (as in PickleDict and PickleList): they cost more than the accesses
    // themselves when the unpickler builds and frees objects; the class is not Sendable, and static
    // checks still apply.

    /// How the object is constructed.
    @exclusivity(unchecked) public var construction: Construction
    /// What is called: the class, or for ``Construction/reduce`` any callable; usually a
    /// ``PickleValue/global(_:)``.
    @exclusivity(unchecked) public var callable: PickleValue
    /// The positional arguments of the call.
    @exclusivity(unchecked) public var arguments: [PickleValue]
    /// The keyword arguments, for ``Construction/newObjectWithKeywords``.
    @exclusivity(unchecked) public var keywordArguments: PickleDict?
    /// The state applied after construction (`BUILD`): usually a dict of attributes, or for classes
    /// with `__slots__` a tuple `(dict or None, slots dict)`; `nil` when none was applied.
    @exclusivity(unchecked) public var state: PickleValue?
    /// Items appended to the object after construction, for subclasses of `list`.
    @exclusivity(unchecked) public var listItems: [PickleValue]
    /// Items set on the object after construction, for subclasses of `dict`, in order.
    @exclusivity(unchecked) public var dictItems: [(key: PickleValue, value: PickleValue)]
    /// How deeply containers nest in the object, as the unpickler counts it (see ``UnpicklerOptions/maxDepth``).
    var nestingDepth: Int32 = 1

    /// Creates an object from its parts.
    public init(
        construction: Construction,
        callable: PickleValue,
        arguments: [PickleValue] = [],
        keywordArguments: PickleDict? = nil,
        state: PickleValue? = nil,
        listItems: [PickleValue] = [],
        dictItems: [(key: PickleValue, value: PickleValue)] = []
    ) {
        self.construction = construction
        self.callable = callable
        self.arguments = arguments
        self.keywordArguments = keywordArguments
        self.state = state
        self.listItems = listItems
        self.dictItems = dictItems
    }

    deinit {
        if mayHoldContainers { dismantleChildren() }
    }

    /// Creates an instance of `cls` the way Python's default `__reduce_ex__` pickles one: a new
    /// object with no arguments, then its state.
    public convenience init(newInstanceOf cls: PickleGlobal, state: PickleValue? = nil) {
        self.init(construction: .newObject, callable: .global(cls), state: state)
    }

    /// The class or function called, when it is a global.
    public var global: PickleGlobal? {
        if case .global(let global) = callable { return global }
        return nil
    }

    /// The called global's module, like `"datetime"`.
    public var module: String? { global?.module }

    /// The called global's qualified name, like `"date"`.
    public var className: String? { global?.name }

    /// The attributes in the object's state: the state when it is a dict, or the first element of
    /// a `(dict, slots)` state merged with the second.
    public var attributes: PickleDict? {
        switch state {
        case .dict(let dict):
            return dict
        case .tuple(let parts) where parts.count == 2:
            let merged = PickleDict()
            for part in parts {
                if case .dict(let dict) = part {
                    for (key, value) in dict { merged[key] = value }
                }
            }
            return merged
        default:
            return nil
        }
    }
}
