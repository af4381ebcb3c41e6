// swift-shelve-compare: runs the comparison's workloads in a release build and prints their timings as JSON.
//
//     swift-shelve-compare --data DIR [--golden DIR] [--reps 7] [--min-ms 50] [--only NAME] [--iterations N]
//                          [--shelf-records 10000] [--wall-clock]
//     swift-shelve-compare --list
//     swift-shelve-compare peak-memory FILE
//
// Each workload is calibrated (its iteration count doubled until one timed loop lasts --min-ms), then timed
// --reps times; the output gives the median time per operation in nanoseconds. Time is the process's CPU time
// (CLOCK_PROCESS_CPUTIME_ID), which a busy shared machine disturbs less than wall time; --wall-clock uses
// CLOCK_MONOTONIC. The workloads and their
// names are the same in Benchmarks/compare/cpython.py and Benchmarks/raw-gdbm/rawgdbm.c, except this package's
// own ways of doing one thing (codable-*, document-*, shelf/get-document), which Benchmarks/compare/table.py
// compares with the CPython and raw GDBM workloads that do it; compare.sh runs all three and prints the table. `--only NAME --iterations N --reps 1` runs one workload a fixed number of
// times, for a profiler (valgrind --tool=callgrind).
import Foundation
import Pickle
import Shelve
import Workloads

#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var data = URL(fileURLWithPath: ".")
    var golden = BenchmarkData.goldenDirectory
    var repetitions = 7
    var minimumNanoseconds: UInt64 = 50_000_000
    var only: [String] = []
    var iterations: Int? = nil
    var shelfRecords = 10_000
    var list = false
    var peakMemoryFile: String? = nil
    /// Whether to time with the process's CPU time (the default: steadier on a shared machine) or wall time.
    var wallClock = false
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst()
    func value(_ flag: String) -> String {
        guard let next = arguments.popFirst() else { fail("\(flag) needs a value") }
        return next
    }
    while let argument = arguments.popFirst() {
        switch argument {
        case "--data": options.data = URL(fileURLWithPath: value(argument))
        case "--golden": options.golden = URL(fileURLWithPath: value(argument))
        case "--reps": options.repetitions = Int(value(argument)) ?? 7
        case "--min-ms": options.minimumNanoseconds = UInt64(value(argument)).map { $0 * 1_000_000 } ?? 50_000_000
        case "--only": options.only.append(value(argument))
        case "--iterations": options.iterations = Int(value(argument))
        case "--shelf-records": options.shelfRecords = Int(value(argument)) ?? 10_000
        case "--list": options.list = true
        case "--wall-clock": options.wallClock = true
        case "peak-memory": options.peakMemoryFile = value(argument)
        default: fail("unknown argument \(argument)")
        }
    }
    return options
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("swift-shelve-compare: \(message)\n".utf8))
    exit(2)
}

nonisolated(unsafe) var clock = CLOCK_PROCESS_CPUTIME_ID

func now() -> UInt64 {
    var time = timespec()
    clock_gettime(clock, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// One workload: `body` runs one iteration, doing `operations` operations.
struct Workload {
    let name: String
    let operations: Int
    let body: () throws -> Void
}

/// Times `iterations` runs of `body`, in nanoseconds.
func time(_ iterations: Int, _ body: () throws -> Void) rethrows -> UInt64 {
    let start = now()
    for _ in 0..<iterations { try body() }
    return now() - start
}

struct Measurement {
    let name: String
    let nanosecondsPerOperation: Double
    let runs: [Double]
    let iterations: Int
    let operations: Int
}

func measure(_ workload: Workload, options: Options) throws -> Measurement {
    var iterations = options.iterations ?? 1
    if options.iterations == nil {
        while true {
            let elapsed = try time(iterations, workload.body)
            if elapsed >= options.minimumNanoseconds { break }
            let factor = elapsed == 0 ? 100 : Double(options.minimumNanoseconds) / Double(elapsed) * 1.2
            iterations = max(iterations * 2, Int(Double(iterations) * min(factor, 100)))
        }
    }
    var runs: [Double] = []
    for _ in 0..<options.repetitions {
        let elapsed = try time(iterations, workload.body)
        runs.append(Double(elapsed) / Double(iterations * workload.operations))
    }
    let sorted = runs.sorted()
    return Measurement(
        name: workload.name, nanosecondsPerOperation: sorted[sorted.count / 2], runs: runs, iterations: iterations,
        operations: workload.operations)
}

// MARK: - The workloads

/// The workloads in groups that share their setup; `names` lists a group's workloads before it is set up.
typealias WorkloadGroup = (names: [String], make: () throws -> [Workload])

func workloads(options: Options) throws -> [WorkloadGroup] {
    var groups: [WorkloadGroup] = []
    for object in BMObject.allCases {
        groups.append(
            (
                ["dumps/\(object.rawValue)", "loads/\(object.rawValue)"],
                {
                    let pickle = try object.pickle(in: options.golden)
                    let value = try Unpickler.load(pickle)
                    return [
                        Workload(name: "dumps/\(object.rawValue)", operations: 1) {
                            sink(try Pickler.dumps(value, protocol: 5))
                        },
                        Workload(name: "loads/\(object.rawValue)", operations: 1) {
                            sink(try Unpickler.load(pickle))
                        },
                    ]
                }
            ))
        // Read-only loads through PickleDocument: the parse alone, and the parse with every value read.
        groups.append(
            (
                ["document-loads/\(object.rawValue)", "document-read/\(object.rawValue)"],
                {
                    let pickle = try object.pickle(in: options.golden)
                    return [
                        Workload(name: "document-loads/\(object.rawValue)", operations: 1) {
                            sink(try PickleDocument(pickle))
                        },
                        Workload(name: "document-read/\(object.rawValue)", operations: 1) {
                            sink(DocumentWalk.readAll(try PickleDocument(pickle).root))
                        },
                    ]
                }
            ))
        groups.append(
            (
                ["codable-dumps/\(object.rawValue)", "codable-loads/\(object.rawValue)"],
                {
                    let codable = try CodableCase.make(object, pickle: try object.pickle(in: options.golden))
                    return [
                        Workload(name: "codable-dumps/\(object.rawValue)", operations: 1) {
                            sink(try codable.dumps())
                        },
                        Workload(name: "codable-loads/\(object.rawValue)", operations: 1) {
                            try codable.loads()
                        },
                    ]
                }
            ))
    }
    for large in ["big_list", "many_strings", "many_refs", "big_bytes"] {
        groups.append(
            (
                ["dumps/\(large)", "loads/\(large)"],
                {
                    let pickle = try BenchmarkData.read(options.data.appendingPathComponent("\(large).pickle"))
                    let value = try Unpickler.load(pickle)
                    return [
                        Workload(name: "dumps/\(large)", operations: 1) { sink(try Pickler.dumps(value, protocol: 5)) },
                        Workload(name: "loads/\(large)", operations: 1) { sink(try Unpickler.load(pickle)) },
                    ]
                }
            ))
    }
    // The shelves: records whose values are DICT ("shelf/..."), then records whose values are the int 12345
    // ("shelf-small/..."), where unpickling costs next to nothing and what is measured is the shelf itself.
    let shelves: [(prefix: String, value: () throws -> PickleValue)] = [
        ("shelf/", { try Unpickler.load(try BMObject.dict.pickle(in: options.golden)) }),
        ("shelf-small/", { .int(12345) }),
    ]
    for (prefix, makeValue) in shelves {
        groups.append(
            (
                ["get", "get-document", "set", "keys", "writeback-get-sync"].map { prefix + $0 },
                {
                    let bench = try ShelfWorkbench(count: options.shelfRecords, value: try makeValue())
                    let records = options.shelfRecords
                    // Each closure holds the workbench, which removes its directory when the last one goes away.
                    return [
                        Workload(name: prefix + "get", operations: records) {
                            try bench.getAll(try bench.shelf(writeback: false))
                        },
                        Workload(name: prefix + "get-document", operations: records) {
                            try bench.getAllDocuments(try bench.shelf(writeback: false))
                        },
                        Workload(name: prefix + "set", operations: records) {
                            try bench.setAll(try bench.shelf(writeback: false))
                        },
                        Workload(name: prefix + "keys", operations: records) {
                            try bench.listKeys(try bench.shelf(writeback: false))
                        },
                        Workload(name: prefix + "writeback-get-sync", operations: records) {
                            try bench.readAllThenSync(try bench.shelf(writeback: true))
                        },
                    ]
                }
            ))
    }
    return groups
}

// MARK: - Peak memory

func peakMemory(file: String) throws {
    let bytes = try BenchmarkData.read(URL(fileURLWithPath: file))
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let before = usage.ru_maxrss
    let value = try Unpickler.load(bytes)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    sink(value)
    print("{\"maxrss_kb\": \(usage.ru_maxrss), \"maxrss_before_load_kb\": \(before), \"input_bytes\": \(bytes.count)}")
}

// MARK: - Main

func jsonString(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

let options = parseOptions()
if options.wallClock { clock = CLOCK_MONOTONIC }
do {
    if let file = options.peakMemoryFile {
        try peakMemory(file: file)
        exit(0)
    }
    let groups = try workloads(options: options)
    var lines: [String] = []
    for group in groups {
        if options.list {
            group.names.forEach { print($0) }
            continue
        }
        if !options.only.isEmpty, !group.names.contains(where: options.only.contains) { continue }
        let made = try group.make()
        for workload in made {
            if !options.only.isEmpty, !options.only.contains(workload.name) { continue }
            let result = try measure(workload, options: options)
            let runs = result.runs.map { String(format: "%.1f", $0) }.joined(separator: ", ")
            lines.append(
                "  \(jsonString(result.name)): {\"ns_per_op\": \(String(format: "%.2f", result.nanosecondsPerOperation)), "
                    + "\"iterations\": \(result.iterations), \"operations\": \(result.operations), \"runs\": [\(runs)]}")
            FileHandle.standardError.write(
                Data("\(result.name): \(String(format: "%.1f", result.nanosecondsPerOperation)) ns/op\n".utf8))
        }
    }
    if !options.list {
        print("{\n" + lines.joined(separator: ",\n") + "\n}")
    }
} catch {
    fail("\(error)")
}
