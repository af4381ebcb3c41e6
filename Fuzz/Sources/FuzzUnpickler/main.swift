import FuzzSupport
import Pickle

/// The unpickler under hostile input: the input is a stream of pickles, loaded with the default options
/// and with every hook set. Each load must end in values or a `PickleError` inside the input; the values
/// must print, hash and compare without trapping, and the disassembler must read the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUnpickler(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []

    var values = Fuzz.loadStream(bytes, options: Fuzz.standard)
    if let first = values.first {
        let twin = try? Unpickler.load(bytes)
        Fuzz.exercise(first, twin: twin)
        if let twin { values.append(twin) }
    }
    let hooked = Fuzz.loadStream(bytes, options: Fuzz.permissive)
    for value in hooked.prefix(2) { Fuzz.exercise(value, twin: nil) }

    let listing = PickleDisassembler.streamDisassembly(of: bytes)
    if let error = listing.error { Fuzz.check(error, inputCount: bytes.count) }

    Fuzz.breakCycles(values + hooked)
    return 0
}

/// The entry point SwiftPM links as `main` (see `Fuzz.runDriver`).
@_cdecl("FuzzUnpickler_main")
public func fuzzUnpicklerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzz.runDriver(argc, argv, fuzzUnpickler)
}
