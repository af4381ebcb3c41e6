import FuzzSupport
import Pickle

/// `PickleDecoder().decode(T.self, from: bytes)` must give what `decode(T.self, from:)` of
/// `Unpickler.load(bytes, options: decoder.unpicklerOptions)` gives: the same value (the same exact rendering,
/// which sees the types, bits, code points and shared objects that `==` does not, and `==`), or an error of the
/// same type and description (a `DecodingError` by its case, coding path and message, a `PickleError` by its
/// code, offset, opcode and message). The input's first byte chooses one of sixteen `Decodable` types and one of
/// four decoders (see ``Candidate``); the rest is the pickle. A difference prints both outcomes and the pickle,
/// disassembled, and traps.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoder(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    guard let selector = input.first else { return 0 }
    let bytes = Array(input.dropFirst())
    let (candidate, decoder) = Candidate.chosen(by: selector)

    let tree = Result { () throws(PickleError) in try Unpickler.load(bytes, options: decoder.unpicklerOptions) }
    if case .failure(let error) = tree { Fuzz.check(error, inputCount: bytes.count) }
    // `decode(_:from: [UInt8])` loads a tree of its own today and never hands it out, so a value that contains
    // itself stays in memory (a cycle only breakReferenceCycles frees); that is not what this target looks for.
    let cyclic = (try? tree.get()).map(containsCycle) ?? false
    var outcomes: (direct: Outcome, viaTree: Outcome)?
    let decode = { outcomes = candidate.decodeBoth(bytes, decoder: decoder) { try tree.get() } }
    if cyclic { Fuzz.ignoringLeaks(decode) } else { decode() }
    guard let (direct, viaTree) = outcomes else { return 0 }

    if let difference = Outcome.difference(direct, viaTree) {
        let listing = PickleDisassembler.disassembly(of: bytes)
        fatalError(
            """
            \(candidate) with decoder variant \(Int(selector) / Candidate.allCases.count % 4): \
            decode(from: bytes) and decode(from: Unpickler.load(bytes)) differ (\(difference))
            bytes: \(direct.summary)
            tree:  \(viaTree.summary)
            pickle (\(bytes.count) bytes): \(hex(bytes.prefix(4096)))
            \(listing.text.split(separator: "\n").prefix(400).joined(separator: "\n"))
            \(listing.error.map { "disassembly error: \($0)" } ?? "")
            """)
    }
    // The cycles the decoded values hold (a PickleValue is decoded as it loaded, cycles and all).
    Fuzz.breakCycles(direct.pickleValues + viaTree.pickleValues + ((try? tree.get()).map { [$0] } ?? []))
    return 0
}

/// Whether a list, dict, set or instance reachable from `root` contains itself.
func containsCycle(_ root: PickleValue) -> Bool {
    // Depth-first, with the containers on the current path "open" and those finished "done"; tuples and
    // frozensets (which can lie on a cycle, between containers) by their storage, so shared ones are walked once.
    var open = Set<UInt>()
    var done = Set<UInt>()
    func identity(_ value: PickleValue) -> UInt? {
        switch value {
        case .tuple(let elements): storage(of: elements)
        case .frozenset(let set): storage(of: set.elements)
        default: value.referenceIdentity.map { UInt(bitPattern: $0) }
        }
    }
    func children(_ value: PickleValue) -> [PickleValue] {
        switch value {
        case .tuple(let elements): return elements
        case .frozenset(let set): return set.elements
        case .list(let list): return list.elements
        case .set(let set): return set.elements
        case .dict(let dict): return dict.flatMap { [$0.key, $0.value] }
        case .object(let object):
            var all = [object.callable] + object.arguments + object.listItems
            if let keywords = object.keywordArguments { all.append(.dict(keywords)) }
            if let state = object.state { all.append(state) }
            for (key, value) in object.dictItems { all += [key, value] }
            return all
        default: return []
        }
    }
    // An explicit stack: values nest as deeply as the unpickler allows.
    var stack: [(value: PickleValue, children: [PickleValue], next: Int)] = []
    func enter(_ value: PickleValue) -> Bool {
        guard let id = identity(value) else { return false }
        if open.contains(id) { return true }
        guard !done.contains(id) else { return false }
        open.insert(id)
        stack.append((value, children(value), 0))
        return false
    }
    if enter(root) { return true }
    while !stack.isEmpty {
        let top = stack.count - 1
        if stack[top].next < stack[top].children.count {
            let child = stack[top].children[stack[top].next]
            stack[top].next += 1
            if enter(child) { return true }
        } else {
            if let id = identity(stack[top].value) {
                open.remove(id)
                done.insert(id)
            }
            stack.removeLast()
        }
    }
    return false
}

/// Bytes in hex.
func hex(_ bytes: ArraySlice<UInt8>) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

/// The entry point SwiftPM links as `main` (see `Fuzz.runDriver`).
@_cdecl("FuzzDecoder_main")
public func fuzzDecoderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzz.runDriver(argc, argv, fuzzDecoder)
}
