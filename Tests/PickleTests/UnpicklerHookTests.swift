import Foundation
import Testing

@testable import Pickle

/// The extension registry, persistent IDs and the global resolver.
@Suite struct UnpicklerHookTests {
    /// Options are values: they share their storage until one copy changes.
    @Test func optionsAreCopiedOnWrite() throws {
        var first = UnpicklerOptions()
        first.maxDepth = 7
        first.extensionRegistry = [1: PickleGlobal(module: "a", name: "b")]
        var second = first
        second.maxDepth = 9
        second.extensionRegistry[2] = PickleGlobal(module: "c", name: "d")
        second.resolveGlobal = { _ in nil }
        #expect(first.maxDepth == 7)
        #expect(first.extensionRegistry.count == 1)
        #expect(first.resolveGlobal == nil)
        #expect(second.maxDepth == 9)
        #expect(second.extensionRegistry.count == 2)
        #expect(second.resolveGlobal != nil)
        // The defaults stay the defaults.
        #expect(UnpicklerOptions().maxDepth == 1000)
        #expect(UnpicklerOptions().extensionRegistry.isEmpty)
        // A changed limit applies to the load.
        var shallow = UnpicklerOptions()
        shallow.maxDepth = 2
        let nested: [UInt8] = [0x80, 0x02, 0x5D, 0x5D, 0x5D, 0x61, 0x61, 0x2E]  // [[[]]]
        #expect(throws: PickleError.self) { try Unpickler.load(nested, options: shallow) }
        guard case .list(let outer) = try Unpickler.load(nested) else {
            Issue.record("not a list")
            return
        }
        #expect(outer.count == 1)
    }

    @Test func extensionRegistry() throws {
        let output = try CPython.run(
            """
            import copyreg, pickle
            class One: pass
            class Two: pass
            class Four: pass
            copyreg.add_extension('__main__', 'One', 1)
            copyreg.add_extension('__main__', 'Two', 300)
            copyreg.add_extension('__main__', 'Four', 100000)
            for proto in (2, 3, 4, 5):
                print(pickle.dumps([One(), Two(), Four(), One], proto).hex())
            """)
        var options = UnpicklerOptions()
        options.extensionRegistry = [
            1: PickleGlobal(module: "__main__", name: "One"), 300: PickleGlobal(module: "__main__", name: "Two"),
            100000: PickleGlobal(module: "__main__", name: "Four"),
        ]
        for line in output.split(separator: "\n") {
            let bytes = try CPython.bytes(hex: String(line))
            #expect(
                bytes.contains(Opcode.ext1.rawValue) && bytes.contains(Opcode.ext2.rawValue)
                    && bytes.contains(Opcode.ext4.rawValue))
            let value = try Unpickler.load(bytes, options: options)
            guard case .list(let list) = value, list.count == 4 else {
                Issue.record("\(value)")
                continue
            }
            let names = list.elements.prefix(3).map { element -> String in
                if case .object(let object) = element { return object.className ?? "?" }
                return "?"
            }
            #expect(names == ["One", "Two", "Four"])
            #expect(list[3] == .global(PickleGlobal(module: "__main__", name: "One")))
            let error = loadError(bytes)
            #expect(error?.code == .extensionNotRegistered && error?.opcode == .ext1)
        }
    }

    @Test func persistentLoad() throws {
        let output = try CPython.run(
            """
            import io, pickle
            class Ref:
                def __init__(self, key): self.key = key
            class P(pickle.Pickler):
                def persistent_id(self, obj):
                    return ('row', obj.key) if isinstance(obj, Ref) else None
            class P0(pickle.Pickler):
                def persistent_id(self, obj):
                    return 'row-' + obj.key if isinstance(obj, Ref) else None
            for proto in range(6):
                f = io.BytesIO()
                (P0 if proto == 0 else P)(f, proto).dump({'a': Ref('x'), 'b': [Ref('y')]})
                print(f.getvalue().hex())
            """)
        var options = UnpicklerOptions()
        options.persistentLoad = { id in
            switch id {
            case .string(let text): .string("loaded " + text)
            case .tuple(let parts): .string("loaded row " + (parts.last?.stringValue ?? "?"))
            default: throw PickleError(.persistentIDUnsupported, "unknown id \(id)")
            }
        }
        for (proto, line) in output.split(separator: "\n").enumerated() {
            let bytes = try CPython.bytes(hex: String(line))
            let value = try Unpickler.load(bytes, options: options)
            let prefix = proto == 0 ? "loaded row-" : "loaded row "
            #expect(value == ["a": .string(prefix + "x"), "b": [.string(prefix + "y")]], "p\(proto)")
            #expect(loadError(bytes)?.code == .persistentIDUnsupported, "p\(proto)")
        }
        // A hook's own PickleError keeps its code and gains the offset; other errors are wrapped.
        var failing = UnpicklerOptions()
        failing.persistentLoad = { _ in throw PickleError(.invalidArgument, "no such row") }
        let error = loadError(latin1("NQ."), options: failing)
        #expect(error?.code == .invalidArgument && error?.offset == 1 && error?.opcode == .binpersid)
        struct Unrelated: Error {}
        failing.persistentLoad = { _ in throw Unrelated() }
        #expect(loadError(latin1("Pid\n."), options: failing)?.code == .persistentIDUnsupported)
        // Protocol 0 persistent IDs are ASCII, as in CPython.
        #expect(loadError(latin1("P\u{e9}\n."), options: options)?.code == .invalidString)
    }

    @Test func resolveGlobalRefusesOSSystem() throws {
        let output = try CPython.run(
            """
            import os, pickle
            class Evil:
                def __reduce__(self): return (os.system, ('echo pwned',))
            for proto in range(6):
                print(pickle.dumps([1 + 2j, Evil()], proto).hex())
            """)
        var options = UnpicklerOptions()
        options.resolveGlobal = { global in
            guard global.module == "collections" else {
                throw PickleError(.refusedGlobal, "global '\(global.fullName)' is not allowed")
            }
            return nil
        }
        for (proto, line) in output.split(separator: "\n").enumerated() {
            let bytes = try CPython.bytes(hex: String(line))
            let error = loadError(bytes, options: options)
            #expect(error?.code == .refusedGlobal, "p\(proto)")
            #expect(error?.message.contains("system") == true, "p\(proto): \(String(describing: error))")
            #expect(error?.opcode == .global || error?.opcode == .stackGlobal)
            // Without a resolver nothing runs either: the call is an inert object.
            let value = try Unpickler.load(bytes)
            guard case .list(let list) = value, case .object(let call) = list[1] else {
                Issue.record("p\(proto): \(value)")
                continue
            }
            #expect(list[0] == .complex(real: 1, imaginary: 2))
            #expect(call.construction == .reduce && call.className == "system" && call.arguments == ["echo pwned"])
        }
    }

    @Test func resolveGlobalReplacesOrKeeps() throws {
        let bytes = try CPython.pickle(
            "[collections.OrderedDict, math.sqrt, 1+2j, {1, 2}]", protocol: 2,
            setup: "import collections, math")
        final class Seen: @unchecked Sendable {
            var names: [String] = []
        }
        let seen = Seen()
        var options = UnpicklerOptions()
        options.resolveGlobal = { global in
            seen.names.append(global.fullName)
            if global.fullName == "collections.OrderedDict" {
                return .global(PickleGlobal(module: "builtins", name: "dict"))
            }
            return nil
        }
        _ = try Unpickler.load(latin1("cmath\npi\n."), options: options)
        let value = try Unpickler.load(bytes, options: options)
        #expect(
            value == [
                .global(PickleGlobal(module: "builtins", name: "dict")),
                .global(PickleGlobal(module: "math", name: "sqrt")),
                .complex(real: 1, imaginary: 2), .set([1, 2]),
            ])
        // The builtins CPython uses for complex and set are never passed to the resolver.
        #expect(seen.names == ["math.pi", "collections.OrderedDict", "math.sqrt"])
        // A thrown error that is not a PickleError becomes refusedGlobal.
        struct Nope: Error {}
        options.resolveGlobal = { _ in throw Nope() }
        #expect(loadError(latin1("cmath\npi\n."), options: options)?.code == .refusedGlobal)
        #expect(
            try Unpickler.load(latin1("c__builtin__\ncomplex\n(F1.0\nF2.0\ntR."), options: options)
                == .complex(real: 1, imaginary: 2))
    }
}
