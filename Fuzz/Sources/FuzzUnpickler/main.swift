import FuzzSupport
import Pickle

/// The unpickler under hostile input: the input is loaded with the default options and with every hook
/// set, as one pickle (`Unpickler.load`), as a stream (`Unpickler.loadAll`) and by one `Unpickler` reading
/// it as a stream. Each load must end in values or a `PickleError` inside the input; the values must print,
/// hash and compare without trapping, and the disassembler must read the same bytes. A `PickleDocument` of
/// the input must give what `Unpickler.load` gives (see `checkDocument`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUnpickler(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []

    // The static loads free what they build and do not return, so LeakSanitizer watches them.
    var values: [PickleValue] = []
    if let first = Fuzz.loadFirst(bytes, options: Fuzz.standard) {
        let twin = try? Unpickler.load(bytes)
        Fuzz.exercise(first, twin: twin)
        values += [first] + (twin.map { [$0] } ?? [])
    }
    if let first = Fuzz.loadFirst(bytes, options: Fuzz.permissive) {
        Fuzz.exercise(first, twin: nil)
        values.append(first)
    }
    // Every value of the stream is kept for breakCycles below: dropping some (this took only the first four
    // once) leaks a cycle in a later pickle, the harness's own leak.
    values += Fuzz.loadAll(bytes, options: Fuzz.standard)
    values += Fuzz.loadAll(bytes, options: Fuzz.permissive)
    // An Unpickler reading a stream keeps its memo for the loads to come, so a cycle that a load leaves in
    // the memo alone outlives it (documented on Unpickler): its allocations are not reported as leaks.
    Fuzz.ignoringLeaks {
        let streamed = Fuzz.loadStream(bytes, options: Fuzz.standard)
        for value in streamed.prefix(1) { _ = value.description }
        Fuzz.breakCycles(streamed)
    }

    values += checkDocument(bytes)

    let listing = PickleDisassembler.streamDisassembly(of: bytes)
    if let error = listing.error { Fuzz.check(error, inputCount: bytes.count) }

    Fuzz.breakCycles(values)
    return 0
}

/// `PickleDocument` reads what `Unpickler.load` reads and rejects what it rejects, with the same error: its
/// value equals the unpickler's (unless a NaN makes `==` false), and its accessors read every value up to a
/// bound without trapping. Returns the document's value, whose cycles the caller breaks.
func checkDocument(_ bytes: [UInt8]) -> [PickleValue] {
    let expected: Result<PickleValue, PickleError>
    do {
        expected = .success(try Unpickler.load(bytes))
    } catch {
        expected = .failure(error)
    }
    let document: PickleDocument
    do {
        document = try PickleDocument(bytes)
    } catch {
        guard case .failure(let rejected) = expected, rejected == error else {
            fatalError("PickleDocument threw \(error) where Unpickler.load gave \(expected)")
        }
        return []
    }
    guard case .success(let tree) = expected else {
        fatalError("PickleDocument read a pickle Unpickler.load rejects: \(expected)")
    }
    let made = document.root.pickleValue
    if !Fuzz.containsNaN(tree), made != tree {
        fatalError("PickleDocument's value differs from Unpickler.load's: \(made) and \(tree)")
    }
    // A bounded walk through the accessors (shared references may expand a small pickle a lot).
    var pending = [document.root]
    var visits = 0
    while let value = pending.popLast(), visits < 10_000 {
        visits += 1
        _ = (value.kind, value.pythonTypeName, value.intValue, value.doubleValue, value.stringValue, value.bytesValue)
        if let elements = value.elements { pending.append(contentsOf: elements) }
        if let entries = value.entries {
            for (key, entry) in entries {
                pending.append(entry)
                if let text = key.stringValue, value[text] == nil {
                    fatalError("the str key \(text.debugDescription) of a dict is not found in it")
                }
                if key.kind == .int, let integer = key.intValue, value[key: integer] == nil {
                    fatalError("the int key \(integer) of a dict is not found in it")
                }
            }
        }
    }
    return [made, tree]
}

/// The entry point SwiftPM links as `main` (see `Fuzz.runDriver`).
@_cdecl("FuzzUnpickler_main")
public func fuzzUnpicklerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzz.runDriver(argc, argv, fuzzUnpickler)
}
