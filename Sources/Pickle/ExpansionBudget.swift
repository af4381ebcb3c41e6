/// Bounds the work of a walk that visits a shared value each time it is referenced.
///
/// Printing a value, decoding it into Swift types or converting it for another coder visits a list,
/// tuple or instance that is referenced ten times ten times over, as Python's `repr()` does. Shared
/// references make that exponential: a pickle of a few hundred bytes can hold thirty levels of lists,
/// each referring to the one below ten times (the "billion laughs" attack), which would take 10³⁰
/// visits. A walk counts the values it visits here: the first 65,536 are free; past them, the walk may
/// visit at most 16 times as many values as the value graph holds (each container counted once, with
/// its elements), which a walk of a value without shared references never reaches.
struct ExpansionBudget {
    /// The visits allowed without looking at the value graph.
    static let freeVisits = 1 << 16
    /// How many times the size of the value graph a walk may visit, past ``freeVisits``.
    static let graphMultiple = 16

    /// What the walk visits.
    private enum Graph {
        case value(PickleValue)
        case arena(PickleArena)
    }

    private let graph: Graph
    private var visits = 0
    private var limit = Int.max

    /// A budget for walks of `root`.
    init(root: PickleValue) {
        graph = .value(root)
    }

    /// A budget for walks of the value graph of `arena`, from its root.
    init(arena: PickleArena) {
        graph = .arena(arena)
    }

    /// The visits counted so far, for ``rewind(to:)``: a walk that retries a step another way gives back
    /// what the failed attempt spent. (Only the count: copying the whole budget would retain its graph.)
    var checkpoint: Int { visits }

    /// Takes back the visits counted since `checkpoint` was read.
    mutating func rewind(to checkpoint: Int) {
        visits = checkpoint
    }

    /// Counts `count` more visits; returns `false` once the walk has exceeded its budget.
    @inline(__always)
    mutating func spend(_ count: Int) -> Bool {
        visits = visits.addingReportingOverflow(count).overflow ? Int.max : visits + count
        guard visits > Self.freeVisits else { return true }
        if limit == Int.max {
            let size =
                switch graph {
                case .value(let root): PickleValue.graphSize(of: root)
                case .arena(let arena): arena.graphSize()
                }
            limit = max(Self.freeVisits, size.multipliedReportingOverflow(by: Self.graphMultiple).partialValue)
        }
        return visits <= limit
    }
}

extension PickleValue {
    /// The number of values in the graph of `root`: the root, and each element of each container once per
    /// container (a shared list, dict, set or instance counts once, and so does a shared tuple or frozenset,
    /// by its storage).
    static func graphSize(of root: PickleValue) -> Int {
        var seen = Set<UInt>()
        var size = 1
        forEachReachable(from: [root], seen: &seen) { value in size += value.childCount }
        return size
    }
}

extension Array where Element == PickleValue {
    /// The address of the array's storage, shared by every copy of it, or `nil` when it is empty: the
    /// identity that a tuple or frozenset has in the value model.
    var storageIdentity: UInt? {
        guard !isEmpty else { return nil }
        return withUnsafeBufferPointer { buffer in buffer.baseAddress.map { UInt(bitPattern: $0) } }
    }
}
