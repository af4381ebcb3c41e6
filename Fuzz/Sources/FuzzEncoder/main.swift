import FuzzSupport
import Pickle

/// `PickleEncoder.encode(_:)` pickles a value as it encodes, and hands over to the tree path for what a
/// stream cannot write in order; either way it must write what `Pickler.dumps(encodeValue(_:))` writes,
/// or throw an error of the same type and description. The input is a program (see ``ProgramReader``):
/// its first byte chooses the protocol (modulo 6) and the date strategy, the rest is a ``Script``, a
/// value whose `encode(to:)` does what the program says with containers, keys, nested values, super
/// encoders and escaped containers. The Script is encoded both ways and the outcomes compared byte for
/// byte; a difference prints both pickles, disassembled around the first byte that differs, and traps.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEncoder(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    guard let first = bytes.first else { return 0 }
    let run = Run()
    var reader = ProgramReader(bytes, from: 1, run: run)
    let script = reader.program()
    var encoder = PickleEncoder()
    encoder.protocolVersion = Int(first % 6)
    encoder.dateEncodingStrategy = [.datetimeUTC, .naiveDatetimeUTC, .secondsSince1970][Int(first / 6) % 3]
    let direct = Outcome { try encoder.encode(script) }
    let viaTree = Outcome { try Pickler.dumps(try encoder.encodeValue(script), protocol: encoder.protocolVersion) }
    if direct != viaTree {
        // A program that does not encode the same twice would be the harness's fault, not the encoder's.
        let again = Outcome { try Pickler.dumps(try encoder.encodeValue(script), protocol: encoder.protocolVersion) }
        let fault =
            again == viaTree
            ? "encode(_:) and Pickler.dumps(encodeValue(_:)) differ" : "the harness is not deterministic"
        fatalError(
            "protocol \(encoder.protocolVersion), \(encoder.dateEncodingStrategy): \(fault)\n"
                + "program: \(String(describing: script).prefix(20_000))\n"
                + difference(direct, viaTree))
    }
    run.reset()  // the escaped containers and encoders hold what the encodes built
    return 0
}

/// What one way of encoding gave: the pickle, or the error thrown (its dynamic type and description).
enum Outcome: Equatable {
    case pickle([UInt8])
    case failure(type: String, description: String)

    init(_ body: () throws -> [UInt8]) {
        do {
            self = .pickle(try body())
        } catch let error as PickleError {
            self = .failure(type: String(reflecting: PickleError.self), description: "\(error) [code: \(error.code)]")
        } catch {
            self = .failure(type: String(reflecting: type(of: error)), description: "\(error)")
        }
    }

    var summary: String {
        switch self {
        case .pickle(let bytes): "a pickle of \(bytes.count) bytes"
        case .failure(let type, let description): "\(type): \(description.prefix(800))"
        }
    }
}

/// Where two outcomes part: both summaries and, for two pickles, the first differing byte with the bytes
/// and the disassembly around it (all of them for a short pickle).
func difference(_ direct: Outcome, _ viaTree: Outcome) -> String {
    var text = "encode:      \(direct.summary)\nencodeValue: \(viaTree.summary)\n"
    guard case .pickle(let left) = direct, case .pickle(let right) = viaTree else { return text }
    let common = min(left.count, right.count)
    let offset = (0..<common).first { left[$0] != right[$0] } ?? common
    text += "first difference at byte \(offset)\n"
    for (name, bytes) in [("encode", left), ("encodeValue", right)] {
        let window = bytes.count <= 512 ? 0..<bytes.count : max(0, offset - 64)..<min(bytes.count, offset + 64)
        let hex = bytes[window].map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        text += "\(name) bytes \(window.lowerBound)..<\(window.upperBound): \(hex)\n"
        let listing = PickleDisassembler.disassembly(of: bytes)
        let lines = listing.text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            guard bytes.count > 2048 else { return true }
            let start = line.drop { $0 == " " }.prefix { $0 != ":" }
            guard let at = Int(start) else { return false }
            return abs(at - offset) <= 256
        }
        text += "\(name) disassembly:\n" + lines.prefix(400).joined(separator: "\n") + "\n"
        if let error = listing.error { text += "\(name) disassembly error: \(error)\n" }
    }
    return text
}

/// The entry point SwiftPM links as `main` (see `Fuzz.runDriver`).
@_cdecl("FuzzEncoder_main")
public func fuzzEncoderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzz.runDriver(argc, argv, fuzzEncoder)
}
