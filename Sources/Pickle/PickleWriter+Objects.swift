// Globals and instances, written as CPython's `save_global` and `save_reduce` write them.

/// Globals the pickler names itself, for the reductions CPython uses where a protocol lacks an opcode.
enum PicklerGlobals {
    static let bytes = PickleGlobal(module: "builtins", name: "bytes")
    static let bytearray = PickleGlobal(module: "builtins", name: "bytearray")
    static let codecsEncode = PickleGlobal(module: "_codecs", name: "encode")
    static let complex = PickleGlobal(module: "builtins", name: "complex")
    static let set = PickleGlobal(module: "builtins", name: "set")
    static let frozenset = PickleGlobal(module: "builtins", name: "frozenset")
    static let getattr = PickleGlobal(module: "builtins", name: "getattr")
    static let object = PickleGlobal(module: "builtins", name: "object")
    static let reconstructor = PickleGlobal(module: "copyreg", name: "_reconstructor")
    static let newObject = PickleGlobal(module: "copyreg", name: "__newobj__")
    static let newObjectWithKeywords = PickleGlobal(module: "copyreg", name: "__newobj_ex__")
    static let partial = PickleGlobal(module: "functools", name: "partial")
}

extension PickleWriter {
    // MARK: globals

    mutating func saveGlobal(_ global: PickleGlobal) throws {
        try Self.withGlobalKey(global) { key in try saveGlobal(global, key: key) }
    }

    /// ``saveGlobal(_:)`` with the global's memo key.
    private mutating func saveGlobal(_ global: PickleGlobal, key: UnsafeRawBufferPointer) throws {
        let found = memo.keyed.find(.global, key)
        if let index = found.index {
            try writeGet(index)
            return
        }
        try checkName(global)
        if proto >= 4 {
            try saveStringValue(global.module)
            if sameCodePoints(global.name, global.module) {
                // Two str objects in CPython even when equal (`datetime.datetime`): the name is written
                // again, not fetched as the module's memo entry.
                try saveFreshString(global.name)
            } else {
                try saveStringValue(global.name)
            }
            write(.stackGlobal)
        } else if let dot = global.name.utf8.lastIndex(of: UInt8(ascii: ".")) {
            // A nested name below protocol 4: getattr(parent, "last"), as CPython writes it.
            let parent = PickleGlobal(module: global.module, name: String(global.name[..<dot]))
            let last = String(global.name[global.name.utf8.index(after: dot)...])
            try save(.global(PicklerGlobals.getattr))
            if try beginFreshTuple(count: 2, asValue: { .tuple([.global(parent), .string(last)]) }) {
                try save(.global(parent))
                try saveFreshString(last)
                try endFreshTuple(count: 2)
            }
            write(.reduce)
        } else {
            try writeNameLines(.global, global)
        }
        let index = memo.allocate()
        memo.keyed.insert(.global, key, hash: found.hash, index: index)
        try writePut(index)
    }

    /// Refuses names no Python global has, which would also break the line-based opcodes: an empty
    /// module or name, an empty part of a dotted name, a newline.
    private func checkName(_ global: PickleGlobal) throws {
        guard Self.isValidModule(global.module), Self.isValidName(global.name) else {
            throw PickleError(.unpicklable, "\(global.fullName) is not a valid global name")
        }
    }

    /// A module name is not empty and has no newline.
    private static func isValidModule(_ module: String) -> Bool {
        withUTF8(module) { bytes in !bytes.isEmpty && !bytes.contains(UInt8(ascii: "\n")) }
    }

    /// A name has no newline and no empty part between, before or after its dots.
    private static func isValidName(_ name: String) -> Bool {
        withUTF8(name) { isValidName($0) }
    }

    private static func isValidName(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var partLength = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"):
                return false
            case UInt8(ascii: "."):
                guard partLength > 0 else { return false }
                partLength = 0
            default:
                partLength += 1
            }
        }
        return partLength > 0
    }

    /// `GLOBAL` or `INST` with the module and the name on a line each: ASCII, with the Python 2 names
    /// when fixing imports, below protocol 3; UTF-8 at protocol 3.
    private mutating func writeNameLines(_ opcode: Opcode, _ global: PickleGlobal) throws {
        var module = global.module
        var name = global.name
        if fixImports {
            if let renamed = PythonTwoNames.renamedGlobals[module + "\n" + name] {
                (module, name) = renamed
            } else if let renamed = PythonTwoNames.renamedModules[module] {
                module = renamed
            }
        }
        if proto < 3, !(module.utf8.allSatisfy { $0 < 0x80 } && name.utf8.allSatisfy { $0 < 0x80 }) {
            throw PickleError(
                .unpicklable,
                "can't pickle global identifier \(global.fullName) using pickle protocol \(proto)")
        }
        write(opcode)
        put(contentsOf: module.utf8)
        put(UInt8(ascii: "\n"))
        put(contentsOf: name.utf8)
        put(UInt8(ascii: "\n"))
    }

    // MARK: instances

    mutating func saveObject(_ object: PickleObject) throws {
        if try writeGetIfMemoized(object) { return }
        try enterNesting()
        defer { depth -= 1 }
        switch object.construction {
        case .reduce:
            try writeReduction(object)
        case .newObject:
            try writeNewObject(object)
        case .newObjectWithKeywords:
            try writeNewObject(
                class: object.callable, arguments: object.arguments, keywordArguments: object.keywordArguments)
        case .instantiate:
            try writeInstantiation(object)
        }
        guard try finishConstruction(of: object) else { return }
        if !object.listItems.isEmpty { try writeObjectListItems(object.listItems) }
        if !object.dictItems.isEmpty { try writeObjectDictItems(object.dictItems) }
        if let state = object.state {
            try save(state)
            write(.build)
        }
    }

    /// After the opcodes that build `object`: if writing its arguments memoized it (a recursive
    /// reduction), drop the new one and fetch the memoized one, as CPython does, and return `false`;
    /// else memoize it and return `true`.
    mutating func finishConstruction(of object: AnyObject) throws -> Bool {
        if let index = memo.index(of: object) {
            write(.pop)
            try writeGet(index)
            return false
        }
        try memoize(reference: object)
        return true
    }

    /// `callable(*arguments)` with `REDUCE`; at protocol 2 and later a callable named `__newobj__` or
    /// `__newobj_ex__` becomes `NEWOBJ` or `NEWOBJ_EX`, as CPython's `save_reduce` does.
    private mutating func writeReduction(_ object: PickleObject) throws {
        let arguments = object.arguments
        if proto >= 2, case .global(let function) = object.callable, let cls = arguments.first {
            let constructor = Self.constructorKind(function.name)
            if constructor == .newObject {
                try save(cls)
                try saveArguments(Array(arguments.dropFirst()))
                write(.newobj)
                return
            }
            if constructor == .newObjectWithKeywords, arguments.count == 3, case .tuple(let positional) = arguments[1],
                case .dict(let keywords) = arguments[2]
            {
                try writeNewObject(class: cls, arguments: positional, keywordArguments: keywords)
                return
            }
        }
        try save(object.callable)
        try saveArguments(arguments)
        write(.reduce)
    }

    /// What the last non-empty part of a callable's dotted name (`c` of `a.b.c`, as
    /// `name.split(separator: ".").last` gives it) makes of a reduction.
    enum ConstructorKind {
        /// `__newobj__`: `NEWOBJ`.
        case newObject
        /// `__newobj_ex__`: `NEWOBJ_EX`.
        case newObjectWithKeywords
        /// Any other name: `REDUCE`.
        case other
    }

    static func constructorKind(_ name: String) -> ConstructorKind {
        withUTF8(name) { bytes in
            var end = bytes.count
            while end > 0, bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
            var start = end
            while start > 0, bytes[start - 1] != UInt8(ascii: ".") { start -= 1 }
            let last = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            if sameBytes(last, "__newobj__") { return .newObject }
            if sameBytes(last, "__newobj_ex__") { return .newObjectWithKeywords }
            return .other
        }
    }

    /// `cls.__new__(cls, *args)`: `NEWOBJ` at protocol 2 and later; below, what CPython's default
    /// `__reduce_ex__` writes for an instance of a class derived from `object`,
    /// `copyreg._reconstructor(cls, object, None)`, or `copyreg.__newobj__(cls, *args)` when there are
    /// arguments or items, which `_reconstructor` cannot carry.
    private mutating func writeNewObject(_ object: PickleObject) throws {
        if proto >= 2 {
            try save(object.callable)
            try saveArguments(object.arguments)
            write(.newobj)
        } else if object.arguments.isEmpty, object.listItems.isEmpty, object.dictItems.isEmpty {
            let cls = object.callable
            try save(.global(PicklerGlobals.reconstructor))
            try saveArguments([cls, .global(PicklerGlobals.object), .none])
            write(.reduce)
        } else {
            try save(.global(PicklerGlobals.newObject))
            try saveArguments([object.callable] + object.arguments)
            write(.reduce)
        }
    }

    /// `cls.__new__(cls, *args, **kwargs)`: `NEWOBJ_EX` at protocol 4 and later; at 2 and 3,
    /// `functools.partial(cls.__new__, cls, *args, **kwargs)()` as CPython writes it; at 0 and 1,
    /// `copyreg.__newobj_ex__(cls, args, kwargs)`.
    ///
    /// Without keyword arguments (`nil`), an empty dict is written, a fresh one as CPython's would be:
    /// memoized anonymously, as the pickler's own object, which no longer exists after the call, must
    /// never be found in the memo again.
    private mutating func writeNewObject(
        class cls: PickleValue, arguments: [PickleValue], keywordArguments given: PickleDict?
    ) throws {
        let keywordArguments = given ?? PickleDict()
        if proto >= 4 {
            try save(cls)
            try saveArguments(arguments)
            try saveKeywordArguments(given)
            write(.newobjEx)
            return
        }
        if proto < 2 {
            try save(.global(PicklerGlobals.newObjectWithKeywords))
            if try beginFreshTuple(count: 3, asValue: { .tuple([cls, .tuple(arguments), .dict(keywordArguments)]) }) {
                try save(cls)
                try saveArguments(arguments)
                try saveKeywordArguments(given)
                try endFreshTuple(count: 3)
            }
            write(.reduce)
            return
        }
        // The partial object: functools.partial(cls.__new__), then its state
        // (func, (cls, *args), kwargs or None, None) with BUILD.
        let newMethod = PickleValue.object(
            PickleObject(construction: .reduce, callable: .global(PicklerGlobals.getattr), arguments: [cls, "__new__"]))
        let partialArguments = [cls] + arguments
        let keywords: PickleValue = keywordArguments.isEmpty ? .none : .dict(keywordArguments)
        let partialState: [PickleValue] = [newMethod, .tuple(partialArguments), keywords, .none]
        let partial = PickleValue.object(
            PickleObject(
                construction: .reduce, callable: .global(PicklerGlobals.partial), arguments: [newMethod],
                state: .tuple(partialState)))
        if try !beginSynthetic({ partial }) {
            try save(.global(PicklerGlobals.partial))
            if try beginFreshTuple(count: 1, asValue: { .tuple([newMethod]) }) {
                try saveNewMethod(of: cls, asValue: newMethod)
                try endFreshTuple(count: 1)
            }
            write(.reduce)
            try memoizeAnonymous()
            if try beginFreshTuple(count: 4, asValue: { .tuple(partialState) }) {
                try saveNewMethod(of: cls, asValue: newMethod)
                try saveArguments(partialArguments)
                if keywordArguments.isEmpty {
                    try save(.none)
                } else {
                    try saveFreshDict(keywordArguments)
                }
                try save(.none)
                try endFreshTuple(count: 4)
            }
            write(.build)
        }
        try saveArguments([])
        write(.reduce)
    }

    /// The keyword arguments of `NEWOBJ_EX`: the object's dict, or a fresh empty one.
    private mutating func saveKeywordArguments(_ given: PickleDict?) throws {
        if let given {
            try save(.dict(given))
        } else {
            try saveFreshDict(PickleDict())
        }
    }

    /// `cls.__new__`, written as `getattr(cls, "__new__")` and memoized by class.
    private mutating func saveNewMethod(of cls: PickleValue, asValue value: PickleValue) throws {
        if try beginSynthetic({ value }) { return }
        if let index = compositeIndex(.newMethod, [cls]) {
            try writeGet(index)
            return
        }
        try save(.global(PicklerGlobals.getattr))
        if try beginFreshTuple(count: 2, asValue: { .tuple([cls, "__new__"]) }) {
            try save(cls)
            try saveFreshString("__new__")
            try endFreshTuple(count: 2)
        }
        write(.reduce)
        switch memoizeComposite(.newMethod, [cls]) {
        case .found:
            // Writing the class wrote its `__new__` too, which cannot happen; memoize this one apart.
            try memoizeAnonymous()
        case .new(let index):
            try writePut(index)
        }
    }

    /// An old-style instance, as Python 2 wrote it: `MARK args… INST module name` at protocol 0,
    /// `MARK cls args… OBJ` later. A callable that `INST` cannot name (not a global, or a nested
    /// name) is written with `REDUCE` instead at protocol 0.
    private mutating func writeInstantiation(_ object: PickleObject) throws {
        if proto >= 1 {
            write(.mark)
            try save(object.callable)
            for argument in object.arguments { try save(argument) }
            write(.obj)
            return
        }
        guard case .global(let cls) = object.callable, !cls.name.utf8.contains(UInt8(ascii: ".")) else {
            try save(object.callable)
            try saveArguments(object.arguments)
            write(.reduce)
            return
        }
        try checkName(cls)
        write(.mark)
        for argument in object.arguments { try save(argument) }
        try writeNameLines(.inst, cls)
    }
}
