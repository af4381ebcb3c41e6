import FuzzSupport
import Pickle

/// Whatever loads must dump and load back equal: the first pickle of the input is loaded with the
/// default options, dumped at every protocol, and loaded again. The values must be equal by Python's
/// `==`; when they hold a NaN (never equal to itself), a second dump must give the same bytes instead,
/// and so must a value that protocols 0-3 write in another form (as CPython does: `str.upper` becomes
/// `getattr(str, 'upper')`, which loads as a call).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRoundTrip(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let value: PickleValue
    do {
        value = try Unpickler.load(bytes)
    } catch {
        Fuzz.check(error, inputCount: bytes.count)
        return 0
    }
    var loaded = [value]
    let hasNaN = Fuzz.containsNaN(value)
    for version in 0...PicklerOptions.highestProtocol {
        let pickle: [UInt8]
        do {
            pickle = try Pickler.dumps(value, protocol: version)
        } catch {
            // A value the protocol cannot express (a non-ASCII name below protocol 3, say) may fail, with
            // a typed error; anything else that loaded must dump.
            guard error.code == .unpicklable || error.code == .limitExceeded else {
                fatalError("dump at protocol \(version) failed: \(error)\nvalue: \(value)")
            }
            continue
        }
        let again: PickleValue
        do {
            again = try Unpickler.load(pickle)
        } catch {
            fatalError("the protocol-\(version) dump does not load: \(error)\nvalue: \(value)\npickle: \(pickle)")
        }
        loaded.append(again)
        if hasNaN || (version < 4 && again != value) {
            // Below protocol 4, CPython writes some values in another form that loads as another value
            // here (a dotted global name as getattr(parent, name), for one): that form must be stable.
            let second = try? Pickler.dumps(again, protocol: version)
            guard second == pickle else {
                fatalError("protocol \(version): dumping the reloaded value gives other bytes\nvalue: \(value)")
            }
        } else if again != value {
            fatalError("protocol \(version): the value changed in a round trip\nbefore: \(value)\nafter: \(again)")
        }
    }
    Fuzz.breakCycles(loaded)
    return 0
}

/// The entry point SwiftPM links as `main` (see `Fuzz.runDriver`).
@_cdecl("FuzzRoundTrip_main")
public func fuzzRoundTripMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzz.runDriver(argc, argv, fuzzRoundTrip)
}
