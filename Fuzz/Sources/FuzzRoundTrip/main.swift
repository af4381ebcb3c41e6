import FuzzSupport
import Pickle

/// Whatever loads must dump and load back equal: the first pickle of the input is loaded with the
/// default options, dumped at every protocol, and loaded again. The values must be equal by Python's
/// `==`; when they hold a NaN (never equal to itself), a second dump must give the same bytes instead.
/// A value that protocols 0-3 write in another form (as CPython does: `str.upper` becomes
/// `getattr(str, 'upper')`, which loads as a call) must reach a stable form: the dump of the reloaded
/// value loads back equal and dumps to the same bytes. Below protocol 3 names are written and read in their
/// Python 2 spelling, which a value can already use (`copy_reg._reconstructor` in a protocol-3 pickle):
/// such a value must round-trip without that mapping.
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
    for version in 0...PicklerOptions.highestProtocol {
        var failure = roundTrip(value, version: version, mappingNames: true, loaded: &loaded)
        if failure != nil, version < 3 {
            failure = roundTrip(value, version: version, mappingNames: false, loaded: &loaded)
        }
        if let failure { fatalError("protocol \(version): \(failure)\nvalue: \(value)") }
    }
    Fuzz.breakCycles(loaded)
    return 0
}

/// Dumps `value` at `version` and loads it back; returns what went wrong, or `nil`.
func roundTrip(_ value: PickleValue, version: Int, mappingNames: Bool, loaded: inout [PickleValue]) -> String? {
    let dumping = PicklerOptions(protocolVersion: version, fixPython2Imports: mappingNames)
    var loading = UnpicklerOptions()
    loading.fixPython2Imports = mappingNames
    let pickle: [UInt8]
    do {
        pickle = try Pickler.dumps(value, options: dumping)
    } catch {
        // A value the protocol cannot express (a non-ASCII name below protocol 3, say) may fail, with a
        // typed error; anything else that loaded must dump.
        return error.code == .unpicklable || error.code == .limitExceeded ? nil : "the dump failed: \(error)"
    }
    let again: PickleValue
    do {
        again = try Unpickler.load(pickle, options: loading)
    } catch {
        return "the dump does not load: \(error)\npickle: \(pickle)"
    }
    loaded.append(again)
    if Fuzz.containsNaN(value) {
        guard (try? Pickler.dumps(again, options: dumping)) == pickle else {
            return "dumping the reloaded value gives other bytes"
        }
    } else if version < 4 && again != value {
        // Below protocol 4, CPython writes some values in another form that loads as another value here
        // (a dotted global name as getattr(parent, name), for one): that form must be stable. Its first
        // dump may differ from the next in memo references only (the name parts CPython makes afresh are
        // plain, memoized strings once loaded), so the form is the dump of the reloaded value, and it must
        // load back equal and dump to the same bytes.
        guard let form = try? Pickler.dumps(again, options: dumping),
            let reloaded = try? Unpickler.load(form, options: loading)
        else {
            return "the other form does not dump and load back"
        }
        loaded.append(reloaded)  // its cycles are broken with the others'
        guard reloaded == again, (try? Pickler.dumps(reloaded, options: dumping)) == form else {
            return "the other form is not stable"
        }
    } else if again != value {
        return "the value changed in a round trip: \(again)"
    }
    return nil
}

/// The entry point SwiftPM links as `main` (see `Fuzz.runDriver`).
@_cdecl("FuzzRoundTrip_main")
public func fuzzRoundTripMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzz.runDriver(argc, argv, fuzzRoundTrip)
}
