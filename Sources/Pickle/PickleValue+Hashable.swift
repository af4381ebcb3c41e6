extension PickleValue: Hashable {
    /// Python's `==` for the builtin types; see ``PickleValue`` for the rules.
    public static func == (lhs: PickleValue, rhs: PickleValue) -> Bool {
        // The most common keys, decided without the general machinery.
        if case .string(let a) = lhs, case .string(let b) = rhs { return sameCodePoints(a, b) }
        if case .int(let a) = lhs, case .int(let b) = rhs { return a == b }
        var visited = Set<VisitedPair>()
        return pythonEquals(lhs, rhs, visited: &visited, depth: 0)
    }

    /// Hashes the value consistently with Python's `==`.
    ///
    /// Hashing a tuple or frozenset hashes its elements, up to 256 elements in all however deeply they
    /// nest: a shared tuple referenced ten times by a tuple referenced ten times… (which a small pickle
    /// can describe) would otherwise take exponential time.
    public func hash(into hasher: inout Hasher) {
        // Fast paths that hash exactly as the general cases below do.
        if case .string(let string) = self {
            hasher.combine(1 as UInt8)
            hashUTF8(string, into: &hasher)
            return
        }
        if case .int(let integer) = self {
            hasher.combine(integer)
            return
        }
        var budget = hashingBudget
        hash(into: &hasher, budget: &budget)
    }

    /// Hashes the value, visiting at most `budget` elements of tuples and sets.
    ///
    /// How much of the budget a value uses depends only on what `==` preserves (the kinds and sizes of
    /// tuples and sets, in order), so equal values hash alike.
    fileprivate func hash(into hasher: inout Hasher, budget: inout Int) {
        if let number = NumericKey(self) {
            number.hash(into: &hasher)
            return
        }
        switch self {
        case .string(let string):
            hasher.combine(1 as UInt8)
            hashUTF8(string, into: &hasher)
        case .surrogateString(let string):
            hasher.combine(2 as UInt8)
            hasher.combine(string.codePoints)
        case .bytes(let bytes):
            hasher.combine(3 as UInt8)
            hasher.combine(bytes)
        case .bytearray(let array):
            hasher.combine(3 as UInt8)
            hasher.combine(array.bytes)
        case .tuple(let elements):
            hasher.combine(4 as UInt8)
            hasher.combine(elements.count)
            for element in elements {
                guard budget > 0 else { break }
                budget -= 1
                element.hash(into: &hasher, budget: &budget)
            }
        case .frozenset(let set):
            hasher.combine(5 as UInt8)
            hashUnordered(set.elements, into: &hasher, budget: &budget)
        case .set(let set):
            hasher.combine(5 as UInt8)
            hashUnordered(set.elements, into: &hasher, budget: &budget)
        case .global(let global):
            hasher.combine(6 as UInt8)
            hasher.combine(global)
        case .none:
            hasher.combine(7 as UInt8)
        // Mutable containers: only their kind and size, so hashing never recurses into cycles.
        case .list(let list):
            hasher.combine(8 as UInt8)
            hasher.combine(list.count)
        case .dict(let dict):
            hasher.combine(9 as UInt8)
            hasher.combine(dict.count)
        case .object(let object):
            hasher.combine(10 as UInt8)
            hasher.combine(object.global)
        case .bool, .int, .bigInt, .float, .complex:
            // Handled by NumericKey above; a complex with an imaginary part lands here.
            if case .complex(let real, let imaginary) = self {
                hasher.combine(11 as UInt8)
                hasher.combine(real)
                hasher.combine(imaginary)
            }
        }
    }
}

/// Hashes a string's UTF-8 bytes: Python compares `str` by code points, not by the canonical
/// equivalence of Swift's `String.==`.
@inline(__always)
func hashUTF8(_ string: String, into hasher: inout Hasher) {
    var string = string
    string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    hasher.combine(string.utf8.count)
}

/// The most elements of nested tuples and sets that hashing one value visits.
private let hashingBudget = 256

/// Hashes elements without regard to their order: each gets an equal share of the budget.
private func hashUnordered(_ elements: [PickleValue], into hasher: inout Hasher, budget: inout Int) {
    hasher.combine(elements.count)
    guard !elements.isEmpty, budget > 0 else { return }
    let share = budget / elements.count
    var combined = 0
    for element in elements {
        var elementHasher = Hasher()
        var elementBudget = share
        element.hash(into: &elementHasher, budget: &elementBudget)
        combined ^= elementHasher.finalize()
    }
    budget -= share * elements.count
    hasher.combine(combined)
}

/// Two strings are the same Python `str` when their code points, hence their UTF-8, are equal.
@inline(__always)
func sameCodePoints(_ a: String, _ b: String) -> Bool {
    // The same representation (two small strings with the same bytes, or one native string's storage)
    // is the same text.
    if unsafeBitCast(a, to: (UInt64, UInt64).self) == unsafeBitCast(b, to: (UInt64, UInt64).self) { return true }
    guard a.utf8.count == b.utf8.count else { return false }
    // Compare the contiguous UTF-8 of native strings directly; bridged ones go element by element.
    let contiguous = a.utf8.withContiguousStorageIfAvailable { left in
        b.utf8.withContiguousStorageIfAvailable { right in
            sameBytes(UnsafeRawBufferPointer(left), UnsafeRawBufferPointer(right))
        }
    }
    return (contiguous ?? nil) ?? a.utf8.elementsEqual(b.utf8)
}

/// Whether two buffers hold the same bytes, compared eight at a time.
@inline(__always)
func sameBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    let count = a.count
    guard count == b.count else { return false }
    var offset = 0
    while offset + 8 <= count {
        guard a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            == b.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        else { return false }
        offset += 8
    }
    while offset < count {
        guard a[offset] == b[offset] else { return false }
        offset += 1
    }
    return true
}

/// Whether a buffer holds exactly the ASCII text `text`.
@inline(__always)
func sameBytes(_ a: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
    sameBytes(a, UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
}

/// A number normalised for Python's cross-type equality: `True == 1 == 1.0 == 1+0j`.
private enum NumericKey: Hashable {
    case integer(Int)
    case big(BigInteger)
    case float(Double)
    case nan

    init?(_ value: PickleValue) {
        switch value {
        case .bool(let flag): self = .integer(flag ? 1 : 0)
        case .int(let integer): self = .integer(integer)
        case .bigInt(let big): self = Int(exactly: big).map(NumericKey.integer) ?? .big(big)
        case .float(let double): self = NumericKey(double)
        case .complex(let real, let imaginary) where imaginary == 0: self = NumericKey(real)
        default: return nil
        }
    }

    init(_ double: Double) {
        if double.isNaN {
            self = .nan
        } else if let integer = Int(exactly: double) {
            self = .integer(integer)
        } else if let big = BigInteger(exactly: double) {
            self = .big(big)
        } else {
            self = .float(double)
        }
    }

    static func == (lhs: NumericKey, rhs: NumericKey) -> Bool {
        switch (lhs, rhs) {
        case (.integer(let a), .integer(let b)): a == b
        case (.big(let a), .big(let b)): a == b
        case (.float(let a), .float(let b)): a == b
        default: false  // NaN is never equal, not even to itself.
        }
    }

    func hash(into hasher: inout Hasher) {
        switch self {
        case .integer(let value): hasher.combine(value)
        case .big(let value): hasher.combine(value)
        case .float(let value): hasher.combine(value)
        case .nan: hasher.combine(0 as UInt8)
        }
    }
}

/// Two containers being compared, or already found equal: two objects, or the storage of two tuples.
struct VisitedPair: Hashable {
    let left: UInt
    let right: UInt

    init(left: ObjectIdentifier, right: ObjectIdentifier) {
        self.left = UInt(bitPattern: left)
        self.right = UInt(bitPattern: right)
    }

    init(left: UInt, right: UInt) {
        self.left = left
        self.right = right
    }
}

/// How deeply `==` descends into nested containers. Beyond it, containers are equal only when they are
/// the same object: Python would raise `RecursionError` (at a depth of about 1,000), and `==` cannot
/// throw, but it must not exhaust the stack on a deeply nested value.
let maximumComparisonDepth = 2_000

// The recursion goes through `pythonEquals` and a small helper per container kind, each kept out of
// line, so that every level of nesting costs little stack even in unoptimized builds.

private func pythonEquals(
    _ lhs: PickleValue, _ rhs: PickleValue, visited: inout Set<VisitedPair>, depth: Int
) -> Bool {
    switch lhs {
    case .tuple(let a):
        guard case .tuple(let b) = rhs else { return false }
        guard depth < maximumComparisonDepth else { return false }
        return tuplesEqual(a, b, visited: &visited, depth: depth + 1)
    case .list(let a):
        guard case .list(let b) = rhs else { return false }
        guard depth < maximumComparisonDepth else { return a === b }
        return listsEqual(a, b, visited: &visited, depth: depth + 1)
    case .dict(let a):
        guard case .dict(let b) = rhs else { return false }
        guard depth < maximumComparisonDepth else { return a === b }
        return dictsEqual(a, b, visited: &visited, depth: depth + 1)
    case .object(let a):
        guard case .object(let b) = rhs else { return false }
        guard depth < maximumComparisonDepth else { return a === b }
        return objectsEqual(a, b, visited: &visited, depth: depth + 1)
    case .set(let a):
        switch rhs {
        case .set(let b):
            if a === b { return true }
            guard depth < maximumComparisonDepth else { return false }
            return setsEqual(a.elements, b.elements, visited: &visited, depth: depth + 1)
        case .frozenset(let b):
            guard depth < maximumComparisonDepth else { return false }
            return setsEqual(a.elements, b.elements, visited: &visited, depth: depth + 1)
        default:
            return false
        }
    case .frozenset(let a):
        let elements: [PickleValue]
        switch rhs {
        case .set(let b): elements = b.elements
        case .frozenset(let b): elements = b.elements
        default: return false
        }
        if let left = a.elements.storageIdentity, left == elements.storageIdentity { return true }
        guard depth < maximumComparisonDepth else { return false }
        return setsEqual(a.elements, elements, visited: &visited, depth: depth + 1)
    default:
        return atomsEqual(lhs, rhs)
    }
}

/// Tuples are compared once per pair of storages: copies of one tuple value share their storage, as a
/// Python tuple referenced twice is one object, so a tuple is equal to itself (Python's identity
/// shortcut), and a pair met again (through shared references, which can repeat a pair exponentially
/// often) is not compared again. A pair met again is either being compared (a cycle through a list,
/// equal so far, as for lists) or was found equal: had it been found unequal, the comparison would
/// have ended.
@inline(never)
private func tuplesEqual(_ a: [PickleValue], _ b: [PickleValue], visited: inout Set<VisitedPair>, depth: Int) -> Bool {
    guard a.count == b.count else { return false }
    if let left = a.storageIdentity, let right = b.storageIdentity {
        if left == right { return true }
        guard visited.insert(VisitedPair(left: left, right: right)).inserted else { return true }
    }
    return sequencesEqual(a, b, visited: &visited, depth: depth)
}

@inline(never)
private func listsEqual(_ a: PickleList, _ b: PickleList, visited: inout Set<VisitedPair>, depth: Int) -> Bool {
    if a === b { return true }
    guard a.count == b.count else { return false }
    guard visited.insert(VisitedPair(left: ObjectIdentifier(a), right: ObjectIdentifier(b))).inserted else {
        return true
    }
    return sequencesEqual(a.elements, b.elements, visited: &visited, depth: depth)
}

@inline(never)
private func dictsEqual(_ a: PickleDict, _ b: PickleDict, visited: inout Set<VisitedPair>, depth: Int) -> Bool {
    if a === b { return true }
    guard a.count == b.count else { return false }
    guard visited.insert(VisitedPair(left: ObjectIdentifier(a), right: ObjectIdentifier(b))).inserted else {
        return true
    }
    var candidates = HashCandidates()
    for (key, value) in a {
        let other: PickleValue?
        if key.comparesElements {
            // Compared here rather than by `b[key]`, whose `==` would start afresh (an instance key whose
            // state holds the dict recurses without end), with the same visited pairs and depth.
            other = candidates.position(of: key, in: b.keys, visited: &visited, depth: depth).map { b.values[$0] }
        } else {
            other = b[key]
        }
        guard let other, pythonEquals(value, other, visited: &visited, depth: depth) else {
            return false
        }
    }
    return true
}

/// Whether comparing the value compares values inside it (a tuple, set or instance may be a key).
extension PickleValue {
    fileprivate var comparesElements: Bool {
        switch self {
        case .tuple, .frozenset, .object, .list, .dict, .set: true
        default: false
        }
    }
}

/// Finds, among the keys of a dict or the elements of a set, the one equal to a given value, comparing with
/// the visited pairs and depth of the comparison under way, so that no comparison starts afresh inside
/// another (which would recurse without end through a cycle).
private struct HashCandidates {
    /// Positions by hash value, built at the first lookup.
    private var positions: [Int: [Int]]?

    /// The position in `values` of a value equal to `value`, or `nil`.
    ///
    /// A candidate that turns out unequal is compared on a copy of the visited pairs, since pairs visited
    /// while comparing it were not found equal; the last candidate needs no copy, as the lookup fails
    /// with it.
    mutating func position(
        of value: PickleValue, in values: [PickleValue], visited: inout Set<VisitedPair>, depth: Int
    ) -> Int? {
        if positions == nil {
            var table: [Int: [Int]] = [:]
            for (position, element) in values.enumerated() { table[element.hashValue, default: []].append(position) }
            positions = table
        }
        guard let matches = positions?[value.hashValue] else { return nil }
        for (number, position) in matches.enumerated() {
            if number == matches.count - 1 {
                return pythonEquals(value, values[position], visited: &visited, depth: depth) ? position : nil
            }
            var trial = visited
            if pythonEquals(value, values[position], visited: &trial, depth: depth) {
                visited = trial
                return position
            }
        }
        return nil
    }
}

@inline(never)
private func objectsEqual(_ a: PickleObject, _ b: PickleObject, visited: inout Set<VisitedPair>, depth: Int) -> Bool {
    if a === b { return true }
    guard a.construction == b.construction, a.arguments.count == b.arguments.count,
        a.listItems.count == b.listItems.count, a.dictItems.count == b.dictItems.count
    else { return false }
    guard visited.insert(VisitedPair(left: ObjectIdentifier(a), right: ObjectIdentifier(b))).inserted else {
        return true
    }
    guard pythonEquals(a.callable, b.callable, visited: &visited, depth: depth),
        sequencesEqual(a.arguments, b.arguments, visited: &visited, depth: depth),
        sequencesEqual(a.listItems, b.listItems, visited: &visited, depth: depth)
    else { return false }
    switch (a.keywordArguments, b.keywordArguments) {
    case (nil, nil): break
    case (let x?, let y?):
        guard dictsEqual(x, y, visited: &visited, depth: depth) else { return false }
    default: return false
    }
    switch (a.state, b.state) {
    case (nil, nil): break
    case (let x?, let y?): guard pythonEquals(x, y, visited: &visited, depth: depth) else { return false }
    default: return false
    }
    for (x, y) in zip(a.dictItems, b.dictItems) {
        guard pythonEquals(x.key, y.key, visited: &visited, depth: depth),
            pythonEquals(x.value, y.value, visited: &visited, depth: depth)
        else { return false }
    }
    return true
}

/// `==` for everything but tuples, lists, dicts, sets, frozensets and instances.
@inline(never)
private func atomsEqual(_ lhs: PickleValue, _ rhs: PickleValue) -> Bool {
    switch (lhs, rhs) {
    case (.string(let a), .string(let b)):
        return sameCodePoints(a, b)
    case (.none, .none):
        return true
    case (.int(let a), .int(let b)):
        return a == b
    case (.surrogateString(let a), .surrogateString(let b)):
        return a == b
    case (.bytes(let a), .bytes(let b)):
        return a == b
    case (.bytes(let a), .bytearray(let b)), (.bytearray(let b), .bytes(let a)):
        return a == b.bytes
    case (.bytearray(let a), .bytearray(let b)):
        return a === b || a.bytes == b.bytes
    case (.global(let a), .global(let b)):
        return a == b
    default:
        if let a = NumericKey(lhs), let b = NumericKey(rhs) { return a == b }
        if case .complex(let ar, let ai) = lhs, case .complex(let br, let bi) = rhs { return ar == br && ai == bi }
        return false
    }
}

private func sequencesEqual(
    _ a: [PickleValue], _ b: [PickleValue], visited: inout Set<VisitedPair>, depth: Int
) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) {
        // Python compares elements with an identity shortcut first.
        if let xi = x.referenceIdentity, xi == y.referenceIdentity { continue }
        guard pythonEquals(x, y, visited: &visited, depth: depth) else { return false }
    }
    return true
}

/// Sets are equal when each element of one has an equal element in the other (elements are distinct).
@inline(never)
private func setsEqual(_ a: [PickleValue], _ b: [PickleValue], visited: inout Set<VisitedPair>, depth: Int) -> Bool {
    guard a.count == b.count else { return false }
    var candidates = HashCandidates()
    for element in a {
        guard candidates.position(of: element, in: b, visited: &visited, depth: depth) != nil else { return false }
    }
    return true
}
