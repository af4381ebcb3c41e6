// Globals, calls (REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST), state (BUILD) and persistent IDs.
// Nothing is ever called: each call builds an inert PickleObject, except for the builtin forms
// CPython writes for builtin types (see UnpicklerMachine+Builtins.swift).

extension UnpicklerMachine {
    // MARK: - Globals

    /// The value a global loads as: the Python 3 name (for protocols below 3 with
    /// ``UnpicklerOptions/fixPython2Imports``), then ``UnpicklerOptions/resolveGlobal``.
    mutating func loadGlobal(_ named: PickleGlobal) throws(PickleError) -> PickleValue {
        var global = named
        if proto < 3, options.fixPython2Imports, let renamed = Python2Names.python3Name(of: global) {
            global = renamed
        }
        guard let resolve = options.resolveGlobal, !Self.loadsNatively(global) else { return .global(global) }
        do {
            guard let value = try resolve(global) else { return .global(global) }
            noteForeign((value, nil))
            return value
        } catch let error as PickleError {
            throw reader.error(.refusedGlobal, error.message)
        } catch {
            throw reader.error(.refusedGlobal, "global '\(global.fullName)' refused: \(error)")
        }
    }

    /// `STACK_GLOBAL`: the module and the qualified name are the two strings on top of the stack.
    mutating func loadStackGlobal() throws(PickleError) {
        let name = try pop().value
        let module = try pop().value
        guard case .string(let moduleName) = module, case .string(let globalName) = name else {
            if case .surrogateString = module { throw reader.error(.invalidString, "module name has a lone surrogate") }
            if case .surrogateString = name { throw reader.error(.invalidString, "global name has a lone surrogate") }
            throw reader.error(.invalidStack, "STACK_GLOBAL requires str")
        }
        guard !moduleName.isEmpty else { throw reader.error(.invalidArgument, "Empty module name") }
        guard !globalName.isEmpty else {
            throw reader.error(.invalidArgument, "module '\(moduleName)' has no attribute ''")
        }
        push(try loadGlobal(PickleGlobal(module: moduleName, name: globalName)))
    }

    /// `EXT1`/`EXT2`/`EXT4`: a global by its code in ``UnpicklerOptions/extensionRegistry``.
    mutating func loadExtension(_ code: Int) throws(PickleError) {
        guard code > 0 else { throw reader.error(.extensionNotRegistered, "EXT specifies code <= 0") }
        guard let global = options.extensionRegistry[code] else {
            throw reader.error(.extensionNotRegistered, "unregistered extension code \(code)")
        }
        guard !global.module.isEmpty, !global.name.isEmpty else {
            throw reader.error(.extensionNotRegistered, "extension code \(code) names an empty module or global")
        }
        push(try loadGlobal(global))
    }

    // MARK: - Persistent IDs

    mutating func loadPersistentID(binary: Bool) throws(PickleError) {
        guard let persistentLoad = options.persistentLoad else {
            throw reader.error(
                .persistentIDUnsupported,
                "A load persistent id instruction was encountered, but no persistentLoad function was specified")
        }
        let id: PickleValue
        if binary {
            id = try pop().value
        } else {
            let line = try reader.readLine()
            guard !line.contains(where: { $0 >= 0x80 }) else {
                throw reader.error(.invalidString, "persistent IDs in protocol 0 must be ASCII strings")
            }
            id = .string(String(decoding: line, as: UTF8.self))
        }
        do {
            let value = try persistentLoad(id)
            noteForeign((value, id))
            push(value)
        } catch let error as PickleError {
            var error = error
            error.offset = error.offset ?? reader.opcodeOffset
            error.opcode = error.opcode ?? reader.opcode
            throw error
        } catch {
            throw reader.error(.persistentIDUnsupported, "persistentLoad failed for \(id): \(error)")
        }
    }

    // MARK: - Calls

    /// Whether a value can be called in Python as far as the pickle can tell: a global (a class or a
    /// function) or an object built by another call. Other values, like `None`, cannot.
    @inline(__always)
    static func isCallable(_ value: PickleValue) -> Bool {
        switch value {
        case .global, .object: true
        default: false
        }
    }

    /// Whether a value can be a class for `NEWOBJ`: a global that is not one of Python's builtin
    /// functions, or an object built by another call.
    static func isClass(_ value: PickleValue) -> Bool {
        switch value {
        case .global(let global): !(global.module == "builtins" && builtinFunctions.contains(global.name))
        case .object: true
        default: false
        }
    }

    /// The functions (not classes) in Python 3's `builtins` module.
    static let builtinFunctions: Set<String> = [
        "__build_class__", "__import__", "abs", "aiter", "all", "anext", "any", "ascii", "bin", "breakpoint",
        "callable", "chr", "compile", "delattr", "dir", "divmod", "eval", "exec", "format", "getattr",
        "globals", "hasattr", "hash", "hex", "id", "input", "isinstance", "issubclass", "iter", "len",
        "locals", "max", "min", "next", "oct", "open", "ord", "pow", "print", "repr", "round", "setattr",
        "sorted", "sum", "vars",
    ]

    /// `REDUCE`: `callable(*arguments)`.
    mutating func loadReduce() throws(PickleError) {
        let arguments = try pop()
        let callable = try pop()
        guard case .tuple(let values) = arguments.value else {
            throw reader.error(
                .invalidStack, "REDUCE arguments must be a tuple, not '\(arguments.value.pythonTypeName)'")
        }
        guard Self.isCallable(callable.value) else {
            throw reader.error(.invalidStack, "'\(callable.value.pythonTypeName)' object is not callable")
        }
        if let native = try nativeCall(callable.value, values, argumentDepth: Self.depth(of: arguments)) {
            push(native)
            return
        }
        let object = PickleObject(construction: .reduce, callable: callable.value, arguments: values)
        object.nestingDepth = try containerDepth(holding: max(Self.depth(of: callable), Self.depth(of: arguments) - 1))
        push(.object(object))
    }

    /// `NEWOBJ` (`cls.__new__(cls, *args)`) and `NEWOBJ_EX` (`cls.__new__(cls, *args, **kwargs)`).
    mutating func loadNewObject(withKeywords: Bool) throws(PickleError) {
        let name = withKeywords ? "NEWOBJ_EX" : "NEWOBJ"
        let keywords = withKeywords ? try pop() : nil
        let arguments = try pop()
        let cls = try pop()
        guard Self.isClass(cls.value) else {
            throw reader.error(
                .invalidStack, "\(name) class argument must be a type, not '\(cls.value.pythonTypeName)'")
        }
        guard case .tuple(let values) = arguments.value else {
            throw reader.error(
                .invalidStack, "\(name) args argument must be a tuple, not '\(arguments.value.pythonTypeName)'")
        }
        if values.isEmpty, case .global(let global) = cls.value, let empty = Self.emptyValue(of: global) {
            guard let keywords else {
                push(empty, depth: empty.isTuple ? 1 : 0)
                return
            }
            if case .dict(let dict) = keywords.value, dict.isEmpty {
                push(empty, depth: empty.isTuple ? 1 : 0)
                return
            }
        }
        var keywordArguments: PickleDict?
        var deepest = max(Self.depth(of: cls), Self.depth(of: arguments) - 1)
        if let keywords {
            guard case .dict(let dict) = keywords.value else {
                throw reader.error(
                    .invalidStack, "\(name) kwargs argument must be a dict, not '\(keywords.value.pythonTypeName)'")
            }
            keywordArguments = dict
            deepest = max(deepest, Self.depth(of: keywords))
        }
        let object = PickleObject(
            construction: withKeywords ? .newObjectWithKeywords : .newObject, callable: cls.value,
            arguments: values, keywordArguments: keywordArguments)
        object.nestingDepth = try containerDepth(holding: deepest)
        push(.object(object))
    }

    /// `OBJ`: MARK, the class, then its arguments.
    mutating func loadObj() throws(PickleError) {
        let start = try popMark()
        guard stack.count - start >= 1 else { throw underflow() }
        let (values, deepest) = takeValues(from: start + 1)
        let cls = try pop()
        guard Self.isCallable(cls.value) else {
            throw reader.error(.invalidStack, "'\(cls.value.pythonTypeName)' object is not callable")
        }
        let object = PickleObject(construction: .instantiate, callable: cls.value, arguments: values)
        object.nestingDepth = try containerDepth(holding: max(deepest, Self.depth(of: cls)))
        push(.object(object))
    }

    /// `INST`: MARK, the arguments, and the class named by two ASCII lines.
    mutating func loadInst() throws(PickleError) {
        let start = try popMark()
        let module = try nameString(try reader.readNameLine(), ascii: true)
        let name = try nameString(try reader.readNameLine(), ascii: true)
        let cls = try loadGlobal(PickleGlobal(module: module, name: name))
        let (values, deepest) = takeValues(from: start)
        let object = PickleObject(construction: .instantiate, callable: cls, arguments: values)
        object.nestingDepth = try containerDepth(holding: deepest)
        push(.object(object))
    }

    // MARK: - State

    /// `BUILD`: applies the state on top of the stack to the object below it.
    ///
    /// An instance records the state in ``PickleObject/state``. When a second `BUILD` reaches the same
    /// instance, as Python's default `__setstate__` would update the instance's `__dict__`, a dict
    /// state is merged into a dict state already there (in a new dict, so a state shared elsewhere is
    /// left alone); any other state replaces the previous one. A value that is not an instance (a
    /// list, a global…) accepts only `None`, like a Python object without `__setstate__` or `__dict__`.
    mutating func loadBuild() throws(PickleError) {
        guard stack.count - 2 >= fence else { throw underflow() }
        let state = try pop()
        let target = try top()
        guard case .object(let object) = target.value else {
            // CPython's default __setstate__ on an object with no __dict__ of its own: only a state
            // that sets nothing passes (a class's __dict__ accepts an empty dict).
            func setsNothing(_ part: PickleValue, slots: Bool) -> Bool {
                switch part {
                case .none: !slots
                case .dict(let dict): dict.isEmpty && (slots || target.value.isGlobal)
                default: false
                }
            }
            if setsNothing(state.value, slots: false) { return }
            if case .tuple(let parts) = state.value, parts.count == 2, setsNothing(parts[0], slots: false),
                setsNothing(parts[1], slots: true)
            {
                return
            }
            throw reader.error(
                .invalidStack,
                "'\(target.value.pythonTypeName)' object has no __setstate__ or __dict__ for BUILD's state")
        }
        let stateDepth = Self.depth(of: state)
        if case .dict(let previous)? = object.state, case .dict(let update) = state.value {
            let merged = PickleDict(minimumCapacity: previous.count + update.count)
            for (key, value) in previous { merged.updateValue(value, forKey: key) }
            for (key, value) in update { merged.updateValue(value, forKey: key) }
            merged.nestingDepth = max(previous.nestingDepth, update.nestingDepth)
            object.state = .dict(merged)
        } else {
            object.state = state.value
        }
        object.nestingDepth = max(object.nestingDepth, try containerDepth(holding: stateDepth))
    }
}

extension PickleValue {
    fileprivate var isGlobal: Bool {
        if case .global = self { return true }
        return false
    }

    var isTuple: Bool {
        switch self {
        case .tuple, .frozenset: true
        default: false
        }
    }
}
