// Pickle codec benchmarks: dumps and loads of pyperformance's bm_pickle objects through the value model and
// through Codable, and large values. `swift package --scratch-path .build benchmark --target PickleBenchmarks`
import Benchmark
import Pickle
import Workloads

/// Builds a value once, on first use, so that benchmarks filtered out of a run cost nothing.
final class Lazy<Value> {
    private let make: () throws -> Value
    private var made: Value?

    init(_ make: @escaping () throws -> Value) { self.make = make }

    func get() throws -> Value {
        if let made { return made }
        let value = try make()
        made = value
        return value
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )

    for object in BMObject.allCases {
        let name = object.rawValue
        let pickle = Lazy { try object.pickle() }
        let value = Lazy { try Unpickler.load(try pickle.get()) }
        let codable = Lazy { try CodableCase.make(object, pickle: try pickle.get()) }

        Benchmark("dumps \(name)") { benchmark in
            let value = try value.get()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try Pickler.dumps(value, protocol: 5)) }
        }
        Benchmark("loads \(name)") { benchmark in
            let pickle = try pickle.get()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try Unpickler.load(pickle)) }
        }
        Benchmark("document loads \(name)") { benchmark in
            let pickle = try pickle.get()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try PickleDocument(pickle)) }
        }
        Benchmark("document read \(name)") { benchmark in
            let pickle = try pickle.get()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(DocumentWalk.readAll(try PickleDocument(pickle).root)) }
        }
        Benchmark("Codable dumps \(name)") { benchmark in
            let codable = try codable.get()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try codable.dumps()) }
        }
        Benchmark("Codable loads \(name)") { benchmark in
            let codable = try codable.get()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { try codable.loads() }
        }
    }

    let large: [(String, () -> PickleValue)] = [
        ("list(range(10**6))", LargeValues.bigList),
        ("10,000 random 32-letter strings", { LargeValues.manyStrings() }),
        ("one list referenced 10,000 times", { LargeValues.manyReferences() }),
        ("50 MB bytes", { LargeValues.bigBytes() }),
    ]
    let largeConfiguration = Benchmark.Configuration(maxDuration: .seconds(3), maxIterations: 1_000)
    for (name, make) in large {
        let value = Lazy { make() }
        let pickle = Lazy { try Pickler.dumps(try value.get(), protocol: 5) }
        Benchmark("dumps \(name)", configuration: largeConfiguration) { benchmark in
            let value = try value.get()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try Pickler.dumps(value, protocol: 5)) }
        }
        Benchmark("loads \(name)", configuration: largeConfiguration) { benchmark in
            let pickle = try pickle.get()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try Unpickler.load(pickle)) }
        }
    }
}
