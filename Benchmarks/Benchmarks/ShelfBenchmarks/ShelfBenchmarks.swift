// Shelf benchmarks: set, get, iterate and sync, with and without writeback, over 1,000 records whose values
// are pyperformance's DICT. `swift package --scratch-path .build benchmark --target ShelfBenchmarks`
import Benchmark
import Pickle
import Shelve
import Workloads

/// The shelf of one benchmark: made by its setup, removed by its teardown.
final class Fixture {
    var bench: ShelfWorkbench?
    var shelf: Shelf?

    func setUp(writeback: Bool) throws {
        let value = try Unpickler.load(try BMObject.dict.pickle())
        let bench = try ShelfWorkbench(count: records, value: value)
        self.bench = bench
        shelf = try bench.shelf(writeback: writeback)
    }

    func tearDown() throws {
        shelf = nil
        try bench?.closeShelf()
        bench = nil
    }
}

let records = 1_000

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal, .peakMemoryResident, .syscalls],
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 10_000
    )

    for writeback in [false, true] {
        let suffix = writeback ? " (writeback)" : ""
        func configuration(_ fixture: Fixture) -> Benchmark.Configuration {
            .init(setup: { try fixture.setUp(writeback: writeback) }, teardown: { try fixture.tearDown() })
        }

        let getting = Fixture()
        Benchmark("shelf get ×\(records)\(suffix)", configuration: configuration(getting)) { _ in
            guard let bench = getting.bench, let shelf = getting.shelf else { return }
            try bench.getAll(shelf)
        }
        let documents = Fixture()
        Benchmark("shelf get as PickleDocument ×\(records)\(suffix)", configuration: configuration(documents)) { _ in
            guard let bench = documents.bench, let shelf = documents.shelf else { return }
            try bench.getAllDocuments(shelf)
        }
        let setting = Fixture()
        Benchmark("shelf set ×\(records)\(suffix)", configuration: configuration(setting)) { _ in
            guard let bench = setting.bench, let shelf = setting.shelf else { return }
            try bench.setAll(shelf)
        }
        let listing = Fixture()
        Benchmark("shelf keys ×\(records)\(suffix)", configuration: configuration(listing)) { _ in
            guard let bench = listing.bench, let shelf = listing.shelf else { return }
            try bench.listKeys(shelf)
        }
        let syncing = Fixture()
        Benchmark("shelf get ×\(records) then sync\(suffix)", configuration: configuration(syncing)) { _ in
            guard let bench = syncing.bench, let shelf = syncing.shelf else { return }
            try bench.readAllThenSync(shelf)
        }
    }
}
