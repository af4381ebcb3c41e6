import CLibFuzzer
import Pickle

/// What the fuzz targets share: the options they load with, and the checks every outcome must pass.
///
/// A target reports a finding by trapping (`fatalError`), which libFuzzer records as a crash with the
/// input that caused it. The library itself must never trap: only these checks may.
public enum Fuzz {
    /// The default options: what an application loading untrusted data gets without configuring anything.
    public static let standard = UnpicklerOptions()

    /// Options with every hook set, so that the opcodes that need one (persistent IDs, extension codes,
    /// out-of-band buffers, refused globals, Latin-1 Python 2 strings) run further than the error.
    public static let permissive: UnpicklerOptions = {
        var options = UnpicklerOptions()
        options.persistentLoad = { id in
            if case .string(let text) = id, text.hasPrefix("refuse") {
                throw PickleError(.persistentIDUnsupported, "refused")
            }
            return .tuple([.string("persistent"), id])
        }
        options.extensionRegistry = [
            1: PickleGlobal(module: "copyreg", name: "_reconstructor"),
            2: PickleGlobal(module: "builtins", name: "set"),
            255: PickleGlobal(module: "collections", name: "OrderedDict"),
            0x1234: PickleGlobal(module: "builtins", name: "complex"),
            0x7fff_ffff: PickleGlobal(module: "os", name: "system"),
        ]
        options.buffers = [[1, 2, 3], [], [0xFF]]
        options.python2Strings = .latin1
        options.maxDepth = 3000
        options.resolveGlobal = { global in
            switch global.module {
            case "os", "posix", "subprocess", "nt": throw PickleError(.refusedGlobal, "\(global.fullName) refused")
            case "builtins" where global.name == "eval": return PickleValue.none
            default: return nil
            }
        }
        return options
    }()

    /// Traps unless `error` points inside the input (or just past it), as every error must.
    public static func check(_ error: PickleError, inputCount: Int) {
        guard let offset = error.offset, offset >= 0, offset <= inputCount else {
            fatalError("error without a valid offset (input of \(inputCount) bytes): \(error)")
        }
        _ = error.description
    }

    /// Loads the first pickle in `bytes` with `Unpickler.load`: the value, or `nil` after an error (checked).
    public static func loadFirst(_ bytes: [UInt8], options: UnpicklerOptions) -> PickleValue? {
        do {
            return try Unpickler.load(bytes, options: options)
        } catch {
            check(error, inputCount: bytes.count)
            return nil
        }
    }

    /// Loads every pickle in `bytes` with `Unpickler.loadAll`, which frees whatever it built and does not
    /// return: the values, or none after an error (checked).
    public static func loadAll(_ bytes: [UInt8], options: UnpicklerOptions) -> [PickleValue] {
        do {
            return try Unpickler.loadAll(bytes, options: options)
        } catch {
            check(error, inputCount: bytes.count)
            return []
        }
    }

    /// Runs `body` without LeakSanitizer watching its allocations.
    public static func ignoringLeaks<Result>(_ body: () -> Result) -> Result {
        __lsan_disable()
        defer { __lsan_enable() }
        return body()
    }

    /// Loads every pickle in `bytes` with one unpickler (a stream sharing one memo), as long as they load.
    ///
    /// - Returns: The values loaded before the end of the data or the first error.
    public static func loadStream(_ bytes: [UInt8], options: UnpicklerOptions) -> [PickleValue] {
        let unpickler = Unpickler(bytes, options: options)
        var values: [PickleValue] = []
        while !unpickler.isAtEnd {
            do {
                values.append(try unpickler.load())
            } catch {
                check(error, inputCount: bytes.count)
                break
            }
            guard unpickler.position <= bytes.count else { fatalError("position beyond the input") }
        }
        return values
    }

    /// Walks what a user walks: printing, hashing, comparing with itself and with a second load.
    public static func exercise(_ value: PickleValue, twin: PickleValue?) {
        _ = value.description
        var hasher = Hasher()
        value.hash(into: &hasher)
        _ = hasher.finalize()
        if !containsNaN(value), value != value {
            fatalError("a value without NaN is not equal to itself: \(value)")
        }
        if let twin, !containsNaN(value), value != twin {
            fatalError("two loads of the same pickle differ: \(value) and \(twin)")
        }
    }

    /// Whether a NaN is reachable from `value` (a float, or either part of a complex), which makes
    /// `==` false as in Python.
    public static func containsNaN(_ value: PickleValue) -> Bool {
        var found = false
        walk(value) { element in
            switch element {
            case .float(let double) where double.isNaN: found = true
            case .complex(let real, let imaginary) where real.isNaN || imaginary.isNaN: found = true
            default: break
            }
        }
        return found
    }

    /// Frees `values` even when they contain themselves: reference cycles are legitimate values, which ARC
    /// cannot free on its own, so the targets break them after use and LeakSanitizer reports only real leaks.
    public static func breakCycles(_ values: [PickleValue]) {
        for value in values { value.breakReferenceCycles() }
    }

    /// Visits every value reachable from `root`, without recursion: a container once, and a tuple or
    /// frozenset once per storage (copies of one value share it, so shared tuples cost nothing).
    public static func walk(_ root: PickleValue, _ visit: (PickleValue) -> Void) {
        var seen = Set<UInt>()
        var pending = [root]
        while let value = pending.popLast() {
            let identity: UInt?
            switch value {
            case .tuple(let elements): identity = storage(elements)
            case .frozenset(let set): identity = storage(set.elements)
            default: identity = value.referenceIdentity.map { UInt(bitPattern: $0) }
            }
            if let identity, !seen.insert(identity).inserted { continue }
            visit(value)
            switch value {
            case .tuple(let elements): pending.append(contentsOf: elements)
            case .frozenset(let set): pending.append(contentsOf: set.elements)
            case .list(let list): pending.append(contentsOf: list.elements)
            case .set(let set): pending.append(contentsOf: set.elements)
            case .dict(let dict):
                for (key, element) in dict {
                    pending.append(key)
                    pending.append(element)
                }
            case .object(let object):
                pending.append(object.callable)
                pending.append(contentsOf: object.arguments)
                if let keywords = object.keywordArguments { pending.append(.dict(keywords)) }
                if let state = object.state { pending.append(state) }
                pending.append(contentsOf: object.listItems)
                for (key, element) in object.dictItems {
                    pending.append(key)
                    pending.append(element)
                }
            default: break
            }
        }
    }
}

extension Fuzz {
    /// The address of a non-empty array's storage.
    static func storage(_ elements: [PickleValue]) -> UInt? {
        elements.isEmpty ? nil : elements.withUnsafeBufferPointer { $0.baseAddress.map { UInt(bitPattern: $0) } }
    }

    /// The signature of `LLVMFuzzerTestOneInput`.
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs libFuzzer's driver with the program's arguments and `body` as the function under test.
    ///
    /// Each target's `<Target>_main` calls this: SwiftPM renames an executable's entry point to that name
    /// on Linux, and `-parse-as-library` leaves it undefined (see `CLibFuzzer.h`).
    public static func runDriver(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ body: TestOneInput
    ) -> CInt {
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments, body)
    }
}
