extension PickleValue: CustomStringConvertible, CustomDebugStringConvertible {
    /// What Python's `repr()` prints for the value.
    ///
    /// For the builtin types the text is exactly CPython 3.11's `repr()`: `None`, `True`, `-5`,
    /// `0.1`, `1e+16`, `(1+2j)`, `'it\'s'` or `"it's"`, `b'\x00'`, `bytearray(b'')`, `(1,)`,
    /// `[1, 2]`, `{'a': 1}`, `{1, 2}`, `set()`, `frozenset({1})`. A container that contains itself
    /// prints as Python prints it, `[...]`, `{...}`, `(...)`, `set(...)` or `frozenset(...)` where it
    /// recurs: `L = []; L.append(L)` prints `[[...]]`. Which characters of a `str` print as
    /// themselves and which as escapes follows Python 3.11, hence Unicode 14.0: a character that a
    /// later Unicode version assigned prints escaped, as Python 3.11 prints it.
    ///
    /// Python cannot print two kinds of values the way it would print the real object, since the
    /// object is never created; they have their own forms, which read like the Python expression
    /// the pickle evaluates:
    ///
    /// - A ``global(_:)``, which may be a class or a function, prints as `<global module.name>`,
    ///   like `<global collections.OrderedDict>`. When the module or the name is not a dotted
    ///   Python identifier, both print quoted: `<global 'my module' 'f'>`.
    /// - An ``object(_:)`` prints as its construction followed by what was applied to it, in the
    ///   order a pickle applies them:
    ///   - ``PickleObject/Construction/reduce``: `callable(arguments…)`, like
    ///     `datetime.date(b'\x07\xbc\x05\x07')`;
    ///   - ``PickleObject/Construction/newObject``: `cls.__new__(cls, arguments…)`, like
    ///     `__main__.C.__new__(__main__.C)`;
    ///   - ``PickleObject/Construction/newObjectWithKeywords``:
    ///     `cls.__new__(cls, arguments…, **{keyword arguments})`;
    ///   - ``PickleObject/Construction/instantiate``: `pickle._instantiate(cls, (arguments…))`;
    ///   - then `.extend([list items…])` when there are list items, `.update({dict items…})` when
    ///     there are dict items and `.__setstate__(state)` when there is a state, like
    ///     `__main__.C.__new__(__main__.C).__setstate__({'foo': 1})`.
    ///
    ///   A global callable prints as `module.name` there; an object met again inside itself prints
    ///   as `module.name(...)`.
    ///
    /// Three differences from CPython remain by design. An `int` of more than 4300 digits prints in
    /// full where Python 3.11 raises `ValueError`, up to 131,072 bits (about 39,000 digits); a larger
    /// one, which would take very long to convert, prints as `<int of N bits>`. A structure nested
    /// deeper than Python's recursion limit prints where Python raises `RecursionError`. Shared
    /// containers print in full each time they are referenced, but only up to a bound: where they
    /// would make the text explode (a list referring ten times to a list referring ten times to a
    /// list…, which a pickle of a few hundred bytes can describe), the text stops with `...`; a value
    /// without shared references always prints in full. Printing never recurses on the call stack, so
    /// no depth of nesting can overflow it.
    ///
    /// ```swift
    /// let list = PickleList([1, "two", 3.0])
    /// list.append(.list(list))
    /// PickleValue.list(list).description   // "[1, 'two', 3.0, [...]]"
    /// ```
    public var description: String {
        var printer = ReprPrinter()
        return printer.print(self)
    }

    /// The same as ``description``: what Python's `repr()` prints for the value.
    public var debugDescription: String { description }
}

/// The largest `int`, in bits, that ``PickleValue/description`` prints in decimal.
let maximumPrintedIntegerBits = 1 << 17

/// Prints values with an explicit work stack, so that nesting depth never reaches the call stack.
private struct ReprPrinter {
    private enum Work {
        case value(PickleValue)
        case callable(PickleValue)
        case text(String)
        case leave(UInt)
    }

    private var text = ""
    /// The identities of the containers being printed, from the outermost to the current one.
    private var active = Set<UInt>()
    private var work: [Work] = []
    private var budget = ExpansionBudget(root: .none)

    mutating func print(_ value: PickleValue) -> String {
        budget = ExpansionBudget(root: value)
        work.append(.value(value))
        while let item = work.popLast() {
            switch item {
            case .value(let value): visit(value)
            case .callable(let callable): visitCallable(callable)
            case .text(let string): text += string
            case .leave(let identity): active.remove(identity)
            }
        }
        return text
    }

    private mutating func visit(_ value: PickleValue) {
        switch value {
        case .none: text += "None"
        case .bool(let flag): text += flag ? "True" : "False"
        case .int(let integer): text += String(integer)
        case .bigInt(let big):
            // Decimal conversion takes time quadratic in the length: a pickle of a few megabytes can
            // hold an int that would take hours to print.
            let bits = big.bitLength
            text += bits <= maximumPrintedIntegerBits ? big.description : "<int of \(bits) bits>"
        case .float(let double): appendPythonRepr(double, to: &text)
        case .complex(let real, let imaginary): appendPythonComplexRepr(real: real, imaginary: imaginary, to: &text)
        case .string(let string): appendPythonRepr(codePoints: string.unicodeScalars.lazy.map(\.value), to: &text)
        case .surrogateString(let string): appendPythonRepr(codePoints: string.codePoints, to: &text)
        case .bytes(let bytes): appendPythonRepr(bytes: bytes, to: &text)
        case .bytearray(let array):
            text += "bytearray("
            appendPythonRepr(bytes: array.bytes, bytearray: true, to: &text)
            text += ")"
        case .global(let global): text += globalRepr(global)
        case .tuple(let elements):
            guard !elements.isEmpty else {
                text += "()"
                return
            }
            enter(identity: bufferIdentity(elements), recursion: "(...)") { items in
                items.append(.text("("))
                Self.appendSeparated(elements, to: &items)
                items.append(.text(elements.count == 1 ? ",)" : ")"))
            }
        case .list(let list):
            guard !list.elements.isEmpty else {
                text += "[]"
                return
            }
            enter(identity: objectIdentity(list), recursion: "[...]") { items in
                items.append(.text("["))
                Self.appendSeparated(list.elements, to: &items)
                items.append(.text("]"))
            }
        case .dict(let dict):
            guard !dict.isEmpty else {
                text += "{}"
                return
            }
            enter(identity: objectIdentity(dict), recursion: "{...}") { items in
                items.append(.text("{"))
                Self.appendPairs(dict.keys, dict.values, to: &items)
                items.append(.text("}"))
            }
        case .set(let set):
            guard !set.isEmpty else {
                text += "set()"
                return
            }
            enter(identity: objectIdentity(set), recursion: "set(...)") { items in
                items.append(.text("{"))
                Self.appendSeparated(set.elements, to: &items)
                items.append(.text("}"))
            }
        case .frozenset(let set):
            let elements = set.elements
            guard !elements.isEmpty else {
                text += "frozenset()"
                return
            }
            enter(identity: bufferIdentity(elements), recursion: "frozenset(...)") { items in
                items.append(.text("frozenset({"))
                Self.appendSeparated(elements, to: &items)
                items.append(.text("})"))
            }
        case .object(let object):
            let recursion = if let global = object.global { "\(callableName(global))(...)" } else { "..." }
            enter(identity: objectIdentity(object), recursion: recursion) { items in
                Self.appendObject(object, to: &items)
            }
        }
    }

    private mutating func visitCallable(_ callable: PickleValue) {
        if case .global(let global) = callable {
            text += callableName(global)
        } else {
            visit(callable)
        }
    }

    /// Prints `recursion` if the container is being printed already; otherwise schedules its items
    /// (given in printing order) and marks it as being printed until they are done.
    private mutating func enter(identity: UInt?, recursion: String, _ build: (inout [Work]) -> Void) {
        if let identity {
            guard active.insert(identity).inserted else {
                text += recursion
                return
            }
        }
        var items: [Work] = []
        build(&items)
        let values = items.reduce(0) { count, item in if case .value = item { count + 1 } else { count } }
        guard budget.spend(values) else {
            // Shared containers would print exponentially many times: stop here.
            work.removeAll()
            text += "..."
            return
        }
        if let identity { work.append(.leave(identity)) }
        work.append(contentsOf: items.reversed())
    }

    private static func appendSeparated(_ elements: [PickleValue], to items: inout [Work]) {
        for (position, element) in elements.enumerated() {
            if position > 0 { items.append(.text(", ")) }
            items.append(.value(element))
        }
    }

    private static func appendPairs(_ keys: [PickleValue], _ values: [PickleValue], to items: inout [Work]) {
        for (position, (key, value)) in zip(keys, values).enumerated() {
            if position > 0 { items.append(.text(", ")) }
            items.append(.value(key))
            items.append(.text(": "))
            items.append(.value(value))
        }
    }

    private static func appendObject(_ object: PickleObject, to items: inout [Work]) {
        switch object.construction {
        case .reduce:
            items.append(.callable(object.callable))
            items.append(.text("("))
            Self.appendSeparated(object.arguments, to: &items)
            items.append(.text(")"))
        case .newObject, .newObjectWithKeywords:
            items.append(.callable(object.callable))
            items.append(.text(".__new__("))
            items.append(.callable(object.callable))
            for argument in object.arguments {
                items.append(.text(", "))
                items.append(.value(argument))
            }
            if object.construction == .newObjectWithKeywords {
                items.append(.text(", **"))
                items.append(.value(.dict(object.keywordArguments ?? PickleDict())))
            }
            items.append(.text(")"))
        case .instantiate:
            items.append(.text("pickle._instantiate("))
            items.append(.callable(object.callable))
            items.append(.text(", ("))
            Self.appendSeparated(object.arguments, to: &items)
            items.append(.text(object.arguments.count == 1 ? ",))" : "))"))
        }
        if !object.listItems.isEmpty {
            items.append(.text(".extend(["))
            Self.appendSeparated(object.listItems, to: &items)
            items.append(.text("])"))
        }
        if !object.dictItems.isEmpty {
            items.append(.text(".update({"))
            Self.appendPairs(object.dictItems.map(\.key), object.dictItems.map(\.value), to: &items)
            items.append(.text("})"))
        }
        if let state = object.state {
            items.append(.text(".__setstate__("))
            items.append(.value(state))
            items.append(.text(")"))
        }
    }

    private func objectIdentity(_ object: AnyObject) -> UInt {
        UInt(bitPattern: ObjectIdentifier(object))
    }

    /// A tuple or frozenset has no identity in the value model, but copies of one value share the
    /// array's storage, which is what a Python object met again inside itself is; non-empty only.
    private func bufferIdentity(_ elements: [PickleValue]) -> UInt? {
        elements.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { UInt(bitPattern: $0) } }
    }
}

/// How a global prints standing alone: `<global module.name>`.
func globalRepr(_ global: PickleGlobal) -> String {
    if isDottedPythonIdentifier(global.module), isDottedPythonIdentifier(global.name) {
        return "<global \(global.module).\(global.name)>"
    }
    return "<global \(pythonRepr(global.module)) \(pythonRepr(global.name))>"
}

/// How a global prints where it is called: `module.name`, or the standalone form if that would be
/// ambiguous.
private func callableName(_ global: PickleGlobal) -> String {
    if isDottedPythonIdentifier(global.module), isDottedPythonIdentifier(global.name) {
        return "\(global.module).\(global.name)"
    }
    return globalRepr(global)
}
