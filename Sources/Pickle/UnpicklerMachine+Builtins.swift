// The calls CPython's pickler writes for builtin types, which load as native values.
//
// CPython pickles some builtin types with `REDUCE` of a builtin callable:
// - complex at every protocol: `builtins.complex(real, imag)`;
// - set and frozenset below protocol 4: `builtins.set([items])`, `builtins.frozenset([items])`;
// - bytes below protocol 3: `_codecs.encode(text, 'latin1')`, or `builtins.bytes()` when empty
//   (Python 3.0-3.2 wrote `bytes([ints])`);
// - bytearray below protocol 5: `builtins.bytearray(bytes)` (protocols 3-4),
//   `builtins.bytearray(_codecs.encode(text, 'latin1'))` (3.8+ at 0-2),
//   `builtins.bytearray(text, 'latin-1')` (Python 2 and older Python 3), `builtins.bytearray()`;
// - a plain instance at protocols 0-1: `copyreg._reconstructor(cls, builtins.object, None)`;
// - `copyreg.__newobj__(cls, *args)` and `copyreg.__newobj_ex__(cls, args, kwargs)` when a class's
//   `__reduce_ex__` returns them below protocol 2 (or 4);
// - at protocols 2-3, `__getnewargs_ex__` classes as
//   `functools.partial(builtins.getattr(base, '__new__'), cls, *args, **kwargs)()`.
// Calls of builtin types without arguments (`int()`, `list()`, `NEWOBJ` of `builtins.int` with
// no arguments) load as the empty value, as CPython's own tests expect.
// Loading these as values (and instances as NEWOBJ-style objects) is what Python does, and makes the
// value pickle back out as Python would pickle it. Any other shape stays an inert PickleObject.

extension UnpicklerMachine {
    /// Whether a global is one whose calls load as native values; such globals are not passed to
    /// ``UnpicklerOptions/resolveGlobal``.
    static func loadsNatively(_ global: PickleGlobal) -> Bool {
        switch global.module {
        case "builtins":
            ["complex", "set", "frozenset", "bytes", "bytearray", "object"].contains(global.name)
        case "_codecs":
            global.name == "encode"
        case "copyreg":
            ["_reconstructor", "__newobj__", "__newobj_ex__"].contains(global.name)
        default:
            false
        }
    }

    /// The native value for `callable(*arguments)` when it is one of the builtin forms, else `nil`.
    ///
    /// `argumentDepth` is the nesting depth of the argument tuple.
    mutating func nativeCall(
        _ callable: PickleValue, _ arguments: [PickleValue], argumentDepth: Int32
    ) throws(PickleError) -> UnpicklerStackEntry? {
        guard let value = try nativeValue(callable, arguments, argumentDepth: argumentDepth) else { return nil }
        if value.isTuple {
            return UnpicklerStackEntry(value, depth: try containerDepth(holding: max(argumentDepth - 2, 0)))
        }
        return UnpicklerStackEntry(value)
    }

    private mutating func nativeValue(
        _ callable: PickleValue, _ arguments: [PickleValue], argumentDepth: Int32
    ) throws(PickleError) -> PickleValue? {
        switch callable {
        case .global(let global):
            // Most calls are to other modules' classes: one comparison each sends them on.
            let module = global.module
            guard module == "builtins" || module == "copyreg" || module == "_codecs" else { return nil }
            switch (module, global.name) {
            case ("builtins", "complex"):
                return try complex(arguments)
            case ("builtins", "set"):
                guard let elements = try setElements(arguments) else { return nil }
                let set = PickleSet(elements)
                set.nestingDepth = try containerDepth(holding: max(argumentDepth - 2, 0))
                return .set(set)
            case ("builtins", "frozenset"):
                guard let elements = try setElements(arguments) else { return nil }
                return .frozenset(PickleFrozenSet(elements))
            case ("builtins", "bytes"):
                guard let bytes = try byteString(arguments) else { return nil }
                return .bytes(bytes)
            case ("builtins", "bytearray"):
                guard let bytes = try byteString(arguments) else { return nil }
                return .bytearray(PickleByteArray(bytes))
            case ("builtins", "int"), ("builtins", "float"), ("builtins", "str"), ("builtins", "tuple"),
                ("builtins", "list"), ("builtins", "dict"), ("builtins", "bool"):
                guard arguments.isEmpty else { return nil }
                return Self.emptyValue(of: global)
            case ("_codecs", "encode"):
                guard let bytes = try encode(arguments) else { return nil }
                return .bytes(bytes)
            case ("copyreg", "_reconstructor"):
                guard arguments.count == 3, case .global(let base) = arguments[1],
                    base == PickleGlobal(module: "builtins", name: "object"), case .none = arguments[2],
                    Self.isClass(arguments[0])
                else { return nil }
                return try newObject(arguments[0], [], keywords: nil, depth: argumentDepth)
            case ("copyreg", "__newobj__"):
                guard let cls = arguments.first, Self.isClass(cls) else { return nil }
                return try newObject(cls, Array(arguments.dropFirst()), keywords: nil, depth: argumentDepth)
            case ("copyreg", "__newobj_ex__"):
                guard arguments.count == 3, Self.isClass(arguments[0]), case .tuple(let values) = arguments[1],
                    case .dict(let keywords) = arguments[2]
                else { return nil }
                return try newObject(arguments[0], values, keywords: keywords, depth: argumentDepth)
            default:
                return nil
            }
        case .object(let partial):
            return try partialNewObject(partial, arguments, depth: argumentDepth)
        default:
            return nil
        }
    }

    /// The value a builtin type makes when called with no arguments, or when its `__new__` is (as
    /// `NEWOBJ` does): `int()` is `0`, `list()` a new empty list; `nil` for any other global.
    static func emptyValue(of global: PickleGlobal) -> PickleValue? {
        guard global.module == "builtins" else { return nil }
        switch global.name {
        case "int": return .int(0)
        case "float": return .float(0)
        case "bool": return .bool(false)
        case "complex": return .complex(real: 0, imaginary: 0)
        case "str": return .string("")
        case "bytes": return .bytes([])
        case "bytearray": return .bytearray(PickleByteArray())
        case "tuple": return .tuple([])
        case "frozenset": return .frozenset(PickleFrozenSet())
        case "list": return .list(PickleList())
        case "dict": return .dict(PickleDict())
        case "set": return .set(PickleSet())
        default: return nil
        }
    }

    /// A NEWOBJ-style instance, as Python builds it from the forms above; `depth` is that of the
    /// argument tuple of the call.
    private mutating func newObject(
        _ cls: PickleValue, _ arguments: [PickleValue], keywords: PickleDict?, depth: Int32
    ) throws(PickleError) -> PickleValue {
        let object = PickleObject(
            construction: keywords == nil ? .newObject : .newObjectWithKeywords, callable: cls, arguments: arguments,
            keywordArguments: keywords)
        object.nestingDepth = try containerDepth(holding: max(depth - 1, 0))
        return .object(object)
    }

    /// `functools.partial(getattr(base, '__new__'), cls, *args, **kwargs)()`, CPython's way of writing
    /// `NEWOBJ_EX` at protocols 2 and 3: the partial object carries its call in its `BUILD` state
    /// `(func, args, kwargs, dict)`.
    private mutating func partialNewObject(
        _ partial: PickleObject, _ arguments: [PickleValue], depth: Int32
    ) throws(PickleError) -> PickleValue? {
        guard arguments.isEmpty, partial.construction == .reduce,
            partial.global == PickleGlobal(module: "functools", name: "partial"),
            case .tuple(let state)? = partial.state, state.count == 4, case .none = state[3],
            case .object(let function) = state[0], function.construction == .reduce,
            function.global == PickleGlobal(module: "builtins", name: "getattr"), function.arguments.count == 2,
            case .string(let attribute) = function.arguments[1], attribute == "__new__",
            case .tuple(let partialArguments) = state[1], let cls = partialArguments.first, Self.isClass(cls)
        else { return nil }
        let keywords: PickleDict
        switch state[2] {
        case .dict(let dict): keywords = dict
        case .none: keywords = PickleDict()
        default: return nil
        }
        return try newObject(
            cls, Array(partialArguments.dropFirst()), keywords: keywords, depth: max(partial.nestingDepth, depth))
    }

    /// `complex()`, `complex(real)`, `complex(real, imag)` with numbers, as Python's `complex_new`
    /// combines them: `complex(a, b)` is `a + b*1j`, but two real numbers go in unchanged (so signed
    /// zeros survive).
    private mutating func complex(_ arguments: [PickleValue]) throws(PickleError) -> PickleValue? {
        guard arguments.count <= 2 else { return nil }
        var parts: [(real: Double, imaginary: Double, isComplex: Bool)] = []
        for argument in arguments {
            switch argument {
            case .float(let value): parts.append((value, 0, false))
            case .int(let value): parts.append((Double(value), 0, false))
            case .bool(let value): parts.append((value ? 1 : 0, 0, false))
            case .bigInt(let value):
                let converted = Double(value)
                guard converted.isFinite else {
                    throw reader.error(.invalidArgument, "int too large to convert to float in complex()")
                }
                parts.append((converted, 0, false))
            case .complex(let real, let imaginary): parts.append((real, imaginary, true))
            default: return nil
            }
        }
        guard let first = parts.first else { return .complex(real: 0, imaginary: 0) }
        guard parts.count == 2 else { return .complex(real: first.real, imaginary: first.imaginary) }
        let second = parts[1]
        var real = first.real
        var imaginary = second.real
        if second.isComplex { real -= second.imaginary }
        if first.isComplex { imaginary += first.imaginary }
        return .complex(real: real, imaginary: imaginary)
    }

    /// The elements of `set(iterable)`/`frozenset(iterable)`, for an iterable that is a sequence or set.
    private mutating func setElements(_ arguments: [PickleValue]) throws(PickleError) -> [PickleValue]? {
        let elements: [PickleValue]
        switch arguments.count {
        case 0:
            elements = []
        case 1:
            switch arguments[0] {
            case .list(let list): elements = list.elements
            case .tuple(let values): elements = values
            case .set(let set): elements = set.elements
            case .frozenset(let set): elements = set.elements
            default: return nil
            }
        default:
            return nil
        }
        for element in elements { try requireHashable(element) }
        return elements
    }

    /// The bytes of `bytes(...)`/`bytearray(...)`: nothing, bytes, a sequence of byte values, or a
    /// string and an encoding.
    private mutating func byteString(_ arguments: [PickleValue]) throws(PickleError) -> [UInt8]? {
        switch arguments.count {
        case 0:
            return []
        case 1:
            switch arguments[0] {
            case .bytes(let bytes): return bytes
            case .bytearray(let array): return array.bytes
            case .list(let list): return try byteValues(list.elements)
            case .tuple(let values): return try byteValues(values)
            default: return nil
            }
        default:
            return try encode(arguments)
        }
    }

    private mutating func byteValues(_ values: [PickleValue]) throws(PickleError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count)
        for value in values {
            guard let byte = value.intValue, (0...255).contains(byte) else {
                throw reader.error(.invalidArgument, "bytes must be in range(0, 256)")
            }
            bytes.append(UInt8(byte))
        }
        return bytes
    }

    /// `str.encode(encoding[, errors])` as `_codecs.encode(text, encoding, errors)` or
    /// `bytes(text, encoding, errors)` call it, for Latin-1, ASCII and UTF-8 with strict errors.
    private mutating func encode(_ arguments: [PickleValue]) throws(PickleError) -> [UInt8]? {
        guard (1...3).contains(arguments.count) else { return nil }
        var encoding = "utf_8"
        if arguments.count >= 2 {
            guard case .string(let name) = arguments[1] else { return nil }
            encoding = Self.normalizedEncoding(name)
        }
        if arguments.count == 3 {
            guard case .string(let errors) = arguments[2], errors == "strict" else { return nil }
        }
        let points: [UInt32]
        switch arguments[0] {
        case .string(let text): points = text.unicodeScalars.map(\.value)
        case .surrogateString(let text): points = text.codePoints
        default: return nil
        }
        let limit: UInt32
        switch encoding {
        case "latin_1", "latin1", "iso_8859_1", "iso8859_1", "8859", "cp819", "latin", "l1": limit = 0xFF
        case "ascii", "us_ascii", "646": limit = 0x7F
        case "utf_8", "utf8", "u8", "utf", "cp65001":
            guard case .string(let text) = arguments[0] else {
                throw reader.error(.invalidArgument, "'utf-8' codec can't encode a surrogate")
            }
            return Array(text.utf8)
        default:
            return nil
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(points.count)
        for point in points {
            guard point <= limit else {
                throw reader.error(.invalidArgument, "codec can't encode character U+\(String(point, radix: 16))")
            }
            bytes.append(UInt8(point))
        }
        return bytes
    }

    /// An encoding name as Python's codec registry normalizes it: lowercase, punctuation as `_`.
    static func normalizedEncoding(_ name: String) -> String {
        String(
            name.lowercased().unicodeScalars.map { scalar in
                scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "."
                    ? Character(scalar) : "_"
            })
    }
}
