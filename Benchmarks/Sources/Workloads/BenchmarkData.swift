import Foundation
import Pickle

/// Where the benchmarks find their input files.
public enum BenchmarkData {
    /// The repository's root: two folders above this package (`Benchmarks/Sources/Workloads/` → `..`).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Workloads
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()  // Benchmarks
        .deletingLastPathComponent()  // the repository

    /// The golden corpus made by CPython: `Tests/PickleTests/Fixtures/golden`.
    public static let goldenDirectory: URL = repositoryRoot.appendingPathComponent(
        "Tests/PickleTests/Fixtures/golden")

    /// The bytes of a file, read straight into one array of the file's size (no intermediate copy, which
    /// would count in the peak memory measurements).
    ///
    /// - Parameter url: The file.
    /// - Returns: Its bytes.
    /// - Throws: `CocoaError(.fileReadUnknown)` when the file cannot be opened or read.
    public static func read(_ url: URL) throws -> [UInt8] {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: url.path]) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw CocoaError(.fileReadUnknown) }
        let size = Int(status.st_size)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            initialized = 0
            guard let base = buffer.baseAddress else { return }
            var done = 0
            while done < size {
                let count = Foundation.read(descriptor, base + done, size - done)
                if count <= 0 {
                    failed = true
                    break
                }
                done += count
            }
            initialized = done
        }
        guard !failed else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
        return bytes
    }
}

/// The five objects of pyperformance's `bm_pickle`, read from the golden corpus (protocol 5, made by CPython).
public enum BMObject: String, CaseIterable, Sendable {
    case dict = "DICT"
    case tuple = "TUPLE"
    case dictGroup = "DICT_GROUP"
    case list = "LIST"
    case microDict = "MICRO_DICT"

    /// The fixture's file name stem in the golden corpus.
    public var fixtureStem: String {
        switch self {
        case .dict: "bm_dict"
        case .tuple: "bm_tuple"
        case .dictGroup: "bm_dict_group"
        case .list: "bm_list"
        case .microDict: "bm_micro_dict"
        }
    }

    /// CPython's protocol 5 pickle of the object.
    ///
    /// - Parameter directory: The golden corpus; ``BenchmarkData/goldenDirectory`` unless given.
    /// - Returns: The pickle's bytes.
    /// - Throws: When the file cannot be read.
    public func pickle(in directory: URL = BenchmarkData.goldenDirectory) throws -> [UInt8] {
        try BenchmarkData.read(directory.appendingPathComponent("\(fixtureStem).p5.pickle"))
    }
}

/// A small seeded random generator, so generated data is the same on every run.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// Creates a generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The large values of the benchmarks, built in Swift (the comparison reads CPython's pickles of them instead).
public enum LargeValues {
    /// `list(range(10**6))`.
    public static func bigList() -> PickleValue {
        .list(PickleList((0..<1_000_000).map { PickleValue.int($0) }))
    }

    /// 10,000 random strings of 32 ASCII letters.
    public static func manyStrings(count: Int = 10_000, seed: UInt64 = 1) -> PickleValue {
        var random = SplitMix64(seed: seed)
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        var strings: [PickleValue] = []
        strings.reserveCapacity(count)
        for _ in 0..<count {
            var utf8: [UInt8] = []
            utf8.reserveCapacity(32)
            for _ in 0..<32 { utf8.append(letters[Int(random.next() % UInt64(letters.count))]) }
            strings.append(.string(String(decoding: utf8, as: UTF8.self)))
        }
        return .list(PickleList(strings))
    }

    /// One list, `[1, 2, 3, 4, 5]`, referenced 10,000 times from an outer list.
    public static func manyReferences(count: Int = 10_000) -> PickleValue {
        let shared = PickleValue.list(PickleList([1, 2, 3, 4, 5]))
        return .list(PickleList(Array(repeating: shared, count: count)))
    }

    /// A `bytes` value of 50 MiB.
    public static func bigBytes(size: Int = 50 << 20, seed: UInt64 = 2) -> PickleValue {
        var random = SplitMix64(seed: seed)
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for index in words.indices { words[index] = random.next() }
        }
        return .bytes(bytes)
    }
}
