import Foundation

@testable import Pickle

/// Python code that describes a Python value as JSON: types, exact values (float bits, code points,
/// decimal ints) and, for mutable objects, an identity number so sharing and cycles can be checked.
let pythonDescribe = """
    import json, struct, types
    def _bits(x):
        return '%016x' % struct.unpack('>Q', struct.pack('>d', x))[0]
    def describe(root, ids=None):
        # Pass one `ids` dict to describe several values that may share objects.
        ids = {} if ids is None else ids
        def d(v):
            t = type(v)
            if v is None: return {"t": "none"}
            if t is bool: return {"t": "bool", "v": v}
            if t is int: return {"t": "int", "v": ('-' if v < 0 else '') + '%x' % abs(v)}
            if t is float: return {"t": "float", "v": _bits(v)}
            if t is complex: return {"t": "complex", "r": _bits(v.real), "i": _bits(v.imag)}
            if t is str: return {"t": "str", "v": [ord(c) for c in v]}
            if t is bytes: return {"t": "bytes", "v": v.hex()}
            if t is tuple: return {"t": "tuple", "v": [d(x) for x in v]}
            if t is frozenset: return {"t": "frozenset", "v": [d(x) for x in v]}
            if id(v) in ids: return {"t": "ref", "id": ids[id(v)]}
            n = ids[id(v)] = len(ids)
            if t is list: return {"t": "list", "id": n, "v": [d(x) for x in v]}
            if t is dict: return {"t": "dict", "id": n, "v": [[d(k), d(x)] for k, x in v.items()]}
            if t is set: return {"t": "set", "id": n, "v": [d(x) for x in v]}
            if t is bytearray: return {"t": "bytearray", "id": n, "v": v.hex()}
            if isinstance(v, (type, types.FunctionType, types.BuiltinFunctionType)):
                del ids[id(v)]
                if '.' in v.__qualname__ or '<' in v.__qualname__:
                    return {"t": "opaque"}
                return {"t": "global", "v": [v.__module__, v.__qualname__]}
            if not _plain(t):
                return {"t": "opaque"}
            state = v.__getstate__()
            return {"t": "object", "id": n, "cls": [t.__module__, t.__qualname__],
                    "state": None if state is None else d(state)}
        return d(root)
    def _plain(t):
        # An instance Python pickles as cls.__new__(cls) plus its state.
        return (t.__reduce_ex__ is object.__reduce_ex__ and t.__reduce__ is object.__reduce__
                and t.__bases__ == (object,) and not hasattr(t, '__getnewargs__')
                and not hasattr(t, '__getnewargs_ex__') and getattr(t, '__setstate__', None) is None)
    """

/// Checks loaded values against Python's descriptions.
struct ValueMatcher {
    /// Python identity number → the Swift object loaded for it.
    var objects: [Int: ObjectIdentifier] = [:]
    /// The Swift object → its Python identity number.
    var numbers: [ObjectIdentifier: Int] = [:]
    /// Where the first mismatch is, if any.
    var failure: String?

    /// Whether `value` is what `description` describes; sets ``failure`` when not.
    mutating func matches(_ value: PickleValue, _ description: Any, path: String = "$") -> Bool {
        guard failure == nil else { return false }
        guard let node = description as? [String: Any], let type = node["t"] as? String else {
            return fail(path, "bad description \(description)")
        }
        func bits(_ key: String) -> UInt64? { (node[key] as? String).flatMap { UInt64($0, radix: 16) } }
        switch (type, value) {
        case ("none", .none):
            return true
        case ("bool", .bool(let flag)):
            return flag == (node["v"] as? Bool) || fail(path, "bool \(flag)")
        case ("int", .int(let integer)):
            let hex = (integer < 0 ? "-" : "") + String(integer.magnitude, radix: 16)
            return hex == node["v"] as? String || fail(path, "int \(integer) vs \(node["v"] ?? "")")
        case ("int", .bigInt(let integer)):
            return Self.hex(integer) == node["v"] as? String && Int(exactly: integer) == nil
                || fail(path, "big int \(integer)")
        case ("float", .float(let double)):
            return double.bitPattern == bits("v") || fail(path, "float \(double)")
        case ("complex", .complex(let real, let imaginary)):
            return real.bitPattern == bits("r") && imaginary.bitPattern == bits("i") || fail(path, "complex")
        case ("str", .string(let text)):
            let points = (node["v"] as? [Int])?.map(UInt32.init) ?? []
            return text.unicodeScalars.map(\.value) == points || fail(path, "str \(text.debugDescription)")
        case ("str", .surrogateString(let text)):
            let points = (node["v"] as? [Int])?.map(UInt32.init) ?? []
            return text.codePoints == points || fail(path, "surrogate str \(text.codePoints)")
        case ("bytes", .bytes(let bytes)):
            return CPython.hex(bytes) == node["v"] as? String || fail(path, "bytes \(bytes)")
        case ("tuple", .tuple(let elements)):
            return sequence(elements, node["v"], path: path)
        case ("frozenset", .frozenset(let set)):
            return unordered(set.elements, node["v"], path: path)
        case ("opaque", _):
            return true
        case ("global", .global(let global)):
            let name = node["v"] as? [String] ?? []
            return name == [global.module, global.name] || fail(path, "global \(global.fullName) vs \(name)")
        case ("ref", _):
            guard let id = node["id"] as? Int, let identity = value.referenceIdentity, objects[id] == identity else {
                return fail(path, "not the same object as #\(node["id"] ?? "")")
            }
            return true
        case ("list", .list(let list)):
            return identify(node, value, path: path) && sequence(list.elements, node["v"], path: path)
        case ("set", .set(let set)):
            return identify(node, value, path: path) && unordered(set.elements, node["v"], path: path)
        case ("bytearray", .bytearray(let array)):
            return identify(node, value, path: path)
                && (CPython.hex(array.bytes) == node["v"] as? String || fail(path, "bytearray"))
        case ("dict", .dict(let dict)):
            guard identify(node, value, path: path), let pairs = node["v"] as? [[Any]], pairs.count == dict.count else {
                return fail(path, "dict of \(dict.count) entries")
            }
            for ((key, item), pair) in zip(dict, pairs) {
                guard matches(key, pair[0], path: path + ".key"), matches(item, pair[1], path: path + "[\(key)]")
                else { return false }
            }
            return true
        case ("object", .object(let object)):
            guard identify(node, value, path: path), let cls = node["cls"] as? [String] else { return false }
            guard object.global == PickleGlobal(module: cls[0], name: cls[1]) else {
                return fail(path, "class \(String(describing: object.global)) vs \(cls)")
            }
            guard object.construction == .newObject || object.construction == .instantiate, object.arguments.isEmpty
            else {
                return fail(path, "construction \(object.construction) with \(object.arguments.count) arguments")
            }
            switch (object.state, node["state"]) {
            case (nil, nil), (nil, is NSNull):
                return true
            case (let state?, let expected?) where !(expected is NSNull):
                return matches(state, expected, path: path + ".state")
            default:
                return fail(path, "state \(String(describing: object.state))")
            }
        default:
            return fail(path, "\(value.pythonTypeName) where Python has \(type)")
        }
    }

    /// A big integer in hex, like Python's `'%x' % v` with a leading `-` for a negative one.
    static func hex(_ integer: BigInteger) -> String {
        guard let top = integer.magnitude.last else { return "0" }
        var text = (integer.isNegative ? "-" : "") + String(top, radix: 16)
        for limb in integer.magnitude.dropLast().reversed() {
            let digits = String(limb, radix: 16)
            text += String(repeating: "0", count: 16 - digits.count) + digits
        }
        return text
    }

    private mutating func identify(_ node: [String: Any], _ value: PickleValue, path: String) -> Bool {
        guard let id = node["id"] as? Int, let identity = value.referenceIdentity else { return fail(path, "no id") }
        if let known = numbers[identity], known != id {
            return fail(path, "the same object as #\(known), where Python has a distinct #\(id)")
        }
        objects[id] = identity
        numbers[identity] = id
        return true
    }

    private mutating func sequence(_ values: [PickleValue], _ descriptions: Any?, path: String) -> Bool {
        guard let items = descriptions as? [Any], items.count == values.count else {
            return fail(path, "\(values.count) elements vs \((descriptions as? [Any])?.count ?? -1)")
        }
        for (index, (value, item)) in zip(values, items).enumerated() {
            guard matches(value, item, path: path + "[\(index)]") else { return false }
        }
        return true
    }

    /// Matches set elements in any order (Python iterates a loaded set in hash order).
    private mutating func unordered(_ values: [PickleValue], _ descriptions: Any?, path: String) -> Bool {
        var trial = self
        if trial.sequence(values, descriptions, path: path) {
            self = trial
            return true
        }
        guard let items = descriptions as? [Any], items.count == values.count else {
            return fail(path, "\(values.count) elements vs \((descriptions as? [Any])?.count ?? -1)")
        }
        var remaining = values
        for item in items {
            guard
                let index = remaining.indices.first(where: { index in
                    var attempt = self
                    guard attempt.matches(remaining[index], item, path: path) else { return false }
                    self = attempt
                    return true
                })
            else {
                return fail(path, "no element matches \(item)")
            }
            remaining.remove(at: index)
        }
        return true
    }

    private mutating func fail(_ path: String, _ message: String) -> Bool {
        if failure == nil { failure = "\(path): \(message)" }
        return false
    }
}

/// One Python value, pickled at several protocols, with the description of what CPython loads back
/// from each pickle (`nil` when CPython fails to load it).
struct PythonCase {
    var name: String
    var pickles: [Int: [UInt8]]
    var descriptions: [Int: Any]
}

extension CPython {
    /// Runs one Python script that pickles each named expression at each protocol (skipping the
    /// protocols it cannot be pickled at), loads each pickle back and describes the result.
    ///
    /// - Parameters:
    ///   - cases: (name, expression) pairs, evaluated after `setup`.
    ///   - setup: Python statements run first (class definitions go under `__main__`).
    static func cases(
        _ cases: [(String, String)], setup: String = "", protocols: ClosedRange<Int> = 0...5
    ) throws -> [PythonCase] {
        var source = pythonDescribe + "\nimport pickle, sys\n" + setup + "\n_cases = []\n"
        for (name, expression) in cases {
            source += "_cases.append((\(pythonLiteral(name)), \(expression)))\n"
        }
        source += """
            for _name, _value in _cases:
                _out = {"name": _name, "pickles": {}, "descriptions": {}}
                for _p in range(\(protocols.lowerBound), \(protocols.upperBound + 1)):
                    try:
                        _data = pickle.dumps(_value, protocol=_p)
                    except Exception:
                        continue
                    _out["pickles"][str(_p)] = _data.hex()
                    try:
                        _out["descriptions"][str(_p)] = describe(pickle.loads(_data))
                    except Exception:
                        _out["descriptions"][str(_p)] = None
                print(json.dumps(_out))
            """
        return try run(source).split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            var pickles: [Int: [UInt8]] = [:]
            for (key, hex) in object["pickles"] as? [String: String] ?? [:] {
                pickles[Int(key) ?? -1] = try bytes(hex: hex)
            }
            var descriptions: [Int: Any] = [:]
            for (key, description) in object["descriptions"] as? [String: Any] ?? [:] {
                descriptions[Int(key) ?? -1] = description
            }
            return PythonCase(name: object["name"] as? String ?? "?", pickles: pickles, descriptions: descriptions)
        }
    }

    /// A Python string literal for `text`.
    static func pythonLiteral(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
