// swift-tools-version: 6.1
// The benchmarks of swift-shelve, in a package of their own so that users of the library never build
// benchmark dependencies. Run them from this directory:
//
//     swift package --scratch-path .build benchmark            # package-benchmark: time, mallocs, memory
//     bash compare.sh                                           # side by side with CPython and raw GDBM
import PackageDescription

let package = Package(
    name: "swift-shelve-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "swift-shelve", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The workloads, shared by the package-benchmark suites and the comparison executable.
        .target(
            name: "Workloads",
            dependencies: [
                .product(name: "Pickle", package: "swift-shelve"),
                .product(name: "Shelve", package: "swift-shelve"),
            ]
        ),
        // Runs the comparison's workloads in a release build and prints their timings as JSON (compare.sh).
        .executableTarget(name: "swift-shelve-compare", dependencies: ["Workloads"]),

        // package-benchmark suites: `swift package benchmark`.
        .executableTarget(
            name: "PickleBenchmarks",
            dependencies: [.product(name: "Benchmark", package: "benchmark"), "Workloads"],
            path: "Benchmarks/PickleBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ShelfBenchmarks",
            dependencies: [.product(name: "Benchmark", package: "benchmark"), "Workloads"],
            path: "Benchmarks/ShelfBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
