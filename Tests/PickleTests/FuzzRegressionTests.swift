import Foundation
import Testing
@testable import Pickle

/// Every input the fuzzers found (`Fixtures/regressions/`), loaded again as both fuzz targets load it:
/// each must give values or a `PickleError` inside the input, never a crash, and what loads must print,
/// hash, compare, dump and load back.
@Suite struct FuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/regressions")

    /// The regression inputs, by file name.
    static func inputs() throws -> [(name: String, bytes: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { !$0.hasSuffix(".md") }.sorted()
        return try names.map { name in
            (name, [UInt8](try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }

    /// The fuzzers' second set of options: every hook set.
    static let hooked: UnpicklerOptions = {
        var options = UnpicklerOptions()
        options.persistentLoad = { .tuple(["persistent", $0]) }
        options.extensionRegistry = [1: PickleGlobal(module: "copyreg", name: "_reconstructor")]
        options.buffers = [[1, 2, 3], []]
        options.python2Strings = .latin1
        options.resolveGlobal = { global in
            if global.module == "os" || global.module == "posix" { throw PickleError(.refusedGlobal, "refused") }
            return nil
        }
        return options
    }()

    @Test func theDirectoryHoldsInputs() throws {
        let names = try Self.inputs().map(\.name)
        #expect(names.contains("leak-cycle-built-by-failed-load.pickle"))
        #expect(names.contains("crash-equality-recursion-through-instance-key.pickle"))
    }

    @Test(arguments: try FuzzRegressionTests.inputs().map(\.name))
    func loadsOrFailsWithATypedError(name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(name)))
        for options in [UnpicklerOptions(), Self.hooked] {
            let unpickler = Unpickler(bytes, options: options)
            var values: [PickleValue] = []
            do {
                while !unpickler.isAtEnd { values.append(try unpickler.load()) }
            } catch {
                #expect((0...bytes.count).contains(error.offset ?? -1), "\(name): \(error)")
            }
            let twin = try? Unpickler.load(bytes, options: options)
            if let first = values.first, let twin, !first.holdsNaN {
                #expect(first == twin, "\(name): two loads differ")
            }
            twin?.breakReferenceCycles()
            for value in values {
                _ = value.description
                _ = value.hashValue
                for version in [0, 2, 5] {
                    let pickle: [UInt8]
                    do {
                        pickle = try Pickler.dumps(value, protocol: version)
                    } catch {
                        #expect(error.code == .unpicklable, "\(name) at protocol \(version): \(error)")
                        continue
                    }
                    let again = try Unpickler.load(pickle)
                    if !value.holdsNaN { #expect(again == value, "\(name) at protocol \(version)") }
                    again.breakReferenceCycles()
                }
                value.breakReferenceCycles()
            }
        }
    }

    @Test func theLeakingInputNoLongerLeaks() throws {
        // The input builds d = {}; d['t'] = (d, 1) and then fails. Put a value of the caller's in the same
        // dict: once the load has failed, nothing but the caller may hold it.
        var mine = PickleList([1, 2])
        do {
            nonisolated(unsafe) let shared = mine
            var options = UnpicklerOptions()
            options.persistentLoad = { _ in .list(shared) }
            // PROTO 3, EMPTY_DICT, BINPUT 0, 'k', PERSID 'x', SETITEM, then the regression input's cycle.
            var bytes: [UInt8] = [0x80, 0x03, 0x7D, 0x71, 0x00, 0x58, 0x01, 0x00, 0x00, 0x00, 0x6B]
            bytes += latin1("Px\n") + [0x73]
            bytes += [0x58, 0x01, 0x00, 0x00, 0x00, 0x74, 0x68, 0x00, 0x4B, 0x01, 0x86, 0x73, 0x2A]
            let error = #expect(throws: PickleError.self) { try Unpickler.load(bytes, options: options) }
            #expect(error?.code == .unknownOpcode && error?.offset == bytes.count - 1)
        }
        // Had the load leaked the dict, the dict would still hold the list.
        #expect(isKnownUniquelyReferenced(&mine))
        #expect(mine.elements == [1, 2])  // the caller's list is left as it was
    }
}

extension PickleValue {
    /// Whether a NaN is reachable from the value (`==` is then false, as in Python).
    var holdsNaN: Bool {
        var seen = Set<ObjectIdentifier>()
        var pending = [self]
        while let value = pending.popLast() {
            if let identity = value.referenceIdentity, !seen.insert(identity).inserted { continue }
            switch value {
            case .float(let double): if double.isNaN { return true }
            case .complex(let real, let imaginary): if real.isNaN || imaginary.isNaN { return true }
            case .tuple(let elements): pending += elements
            case .frozenset(let set): pending += set.elements
            case .list(let list): pending += list.elements
            case .set(let set): pending += set.elements
            case .dict(let dict): pending += dict.keys + dict.values
            case .object(let object):
                pending += [object.callable] + object.arguments + object.listItems
                if let state = object.state { pending.append(state) }
                if let keywords = object.keywordArguments { pending.append(.dict(keywords)) }
                for (key, item) in object.dictItems { pending += [key, item] }
            default: break
            }
        }
        return false
    }
}
