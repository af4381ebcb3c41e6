/// How the decoder sees Python objects through the forms the Swift types expect: a mapping, a
/// sequence, bytes, or an instance of a class, whichever of CPython's ways of pickling them
/// (protocols 0 to 5, Python 2 and 3) produced the object.
enum PickleInstance {
    /// The class of an instance, or the global called to build another reduced object.
    ///
    /// An instance pickled at protocols 0 and 1 is `copyreg._reconstructor(cls, object, None)`: its
    /// class is the first argument.
    static func pythonClass(of object: PickleObject) -> PickleGlobal? {
        if object.construction == .reduce, isReconstructor(object.callable), let first = object.arguments.first,
            case .global(let cls) = first
        {
            return cls
        }
        return object.global
    }

    /// Whether the object is an instance made the way CPython's default `__reduce_ex__` makes one:
    /// `NEWOBJ`/`NEWOBJ_EX`, `INST`/`OBJ`, or `copyreg._reconstructor`.
    static func isInstance(_ object: PickleObject) -> Bool {
        switch object.construction {
        case .newObject, .newObjectWithKeywords, .instantiate: true
        case .reduce: isReconstructor(object.callable)
        }
    }

    /// The attributes of an instance: its state dict (merged with its slots), or an empty dict
    /// when it had no state; `nil` when the object is not an instance with attributes.
    static func attributes(of object: PickleObject) -> PickleDict? {
        switch object.state {
        case .dict(let dict)?:
            return dict
        case .tuple(let parts)? where parts.count == 2:
            return object.attributes
        case nil, .some(PickleValue.none):
            return isInstance(object) ? PickleDict() : nil
        default:
            return nil
        }
    }

    /// The value seen as a `dict`: a dict, an `OrderedDict` or other dict subclass, or the
    /// attributes of an instance.
    static func mapping(_ value: PickleValue) -> PickleDict? {
        switch value {
        case .dict(let dict):
            return dict
        case .object(let object):
            if !object.dictItems.isEmpty || isMappingClass(object.global) {
                return PickleDict(object.dictItems.lazy.map { ($0.key, $0.value) })
            }
            return attributes(of: object)
        default:
            return nil
        }
    }

    /// The value seen as a sequence: a list, tuple, set or frozenset, including a set pickled as
    /// `builtins.set([...])` before protocol 4.
    static func sequence(_ value: PickleValue) -> [PickleValue]? {
        switch value {
        case .list(let list):
            return list.elements
        case .tuple(let elements):
            return elements
        case .set(let set):
            return set.elements
        case .frozenset(let set):
            return set.elements
        case .object(let object):
            guard object.construction == .reduce, let cls = object.global, isBuiltin(cls),
                ["set", "frozenset", "list", "tuple"].contains(cls.name)
            else { return nil }
            switch object.arguments.count {
            case 0: return []
            case 1: return sequence(object.arguments[0])
            default: return nil
            }
        default:
            return nil
        }
    }

    /// The value seen as bytes: `bytes`, `bytearray`, or how CPython writes them before protocol 3
    /// (`_codecs.encode(str, 'latin1')`, `bytes()`, `bytearray(...)`).
    static func bytes(_ value: PickleValue) -> [UInt8]? {
        switch value {
        case .bytes(let bytes):
            return bytes
        case .bytearray(let array):
            return array.bytes
        case .object(let object):
            guard object.construction == .reduce, let function = object.global else { return nil }
            if function.module == "_codecs", function.name == "encode", object.arguments.count == 2,
                case .string(let encoding) = object.arguments[1], encoding == "latin1" || encoding == "latin-1"
            {
                return latin1(object.arguments[0])
            }
            guard isBuiltin(function), function.name == "bytes" || function.name == "bytearray" else { return nil }
            switch object.arguments.count {
            case 0: return []
            case 1: return bytes(object.arguments[0])
            case 2:
                guard case .string(let encoding) = object.arguments[1], encoding == "latin1" || encoding == "latin-1"
                else { return nil }
                return latin1(object.arguments[0])
            default: return nil
            }
        default:
            return nil
        }
    }

    /// The payload of a `datetime` type: bytes, or the `str` that Python 2 wrote for them, read as
    /// Latin-1 by an unpickler with `encoding='latin1'`.
    static func payload(_ value: PickleValue) -> [UInt8]? {
        bytes(value) ?? latin1(value)
    }

    /// The code points of a `str` as bytes, when all are below 256.
    static func latin1(_ value: PickleValue) -> [UInt8]? {
        guard case .string(let string) = value else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(string.utf8.count)
        for scalar in string.unicodeScalars {
            guard scalar.value < 256 else { return nil }
            result.append(UInt8(scalar.value))
        }
        return result
    }

    /// Whether `module` is Python 3's `builtins` or Python 2's `__builtin__`.
    static func isBuiltin(_ global: PickleGlobal) -> Bool {
        global.module == "builtins" || global.module == "__builtin__"
    }

    /// Whether `global` is `datetime.<name>`.
    static func isDatetime(_ global: PickleGlobal?, _ name: String) -> Bool {
        global?.module == "datetime" && global?.name == name
    }

    private static func isReconstructor(_ callable: PickleValue) -> Bool {
        guard case .global(let function) = callable else { return false }
        return (function.module == "copyreg" || function.module == "copy_reg") && function.name == "_reconstructor"
    }

    private static func isMappingClass(_ cls: PickleGlobal?) -> Bool {
        guard let cls else { return false }
        if cls.module == "collections" {
            return cls.name == "OrderedDict" || cls.name == "defaultdict" || cls.name == "Counter"
        }
        return isBuiltin(cls) && cls.name == "dict"
    }
}
