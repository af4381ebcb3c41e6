// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-shelve",
    products: [
        .library(name: "Pickle", targets: ["Pickle"]),
        .library(name: "GDBM", targets: ["GDBM"]),
        .library(name: "Shelve", targets: ["Shelve"]),
        .executable(name: "shelf", targets: ["ShelfCommand"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The system's libgdbm, through a shim header. Nothing but `static inline` accessors.
        .systemLibrary(
            name: "CGDBM",
            providers: [.apt(["libgdbm-dev"]), .brew(["gdbm"])]
        ),
        // The Swift owner of one GDBM file: fetch, store, delete, keys, sync, reorganize, recover.
        .target(name: "GDBM", dependencies: ["CGDBM"]),
        // Python's pickle format in pure Swift; never imports GDBM.
        .target(name: "Pickle"),
        // Shelf: a persistent dictionary of pickled values in a GDBM file, interchangeable with Python's shelve.
        .target(name: "Shelve", dependencies: ["GDBM", "Pickle"]),

        // The `shelf` command line tool: its subcommands, the Python literal and JSON readers, the JSON writer.
        .target(
            name: "ShelfCLI",
            dependencies: [
                "Shelve", "GDBM", "Pickle", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The `shelf` executable: nothing but a call into ShelfCLI.
        .executableTarget(name: "ShelfCommand", dependencies: ["ShelfCLI"]),

        // Runnable examples: `swift run Quickstart`, `swift run Writeback`, `swift run PythonInterop`.
        .executableTarget(name: "Quickstart", dependencies: ["Shelve"], path: "Examples/Quickstart"),
        .executableTarget(name: "Writeback", dependencies: ["Shelve"], path: "Examples/Writeback"),
        .executableTarget(name: "PythonInterop", dependencies: ["Shelve"], path: "Examples/PythonInterop"),

        // Helpers shared by the test targets: temporary directories, finding and running CPython.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // A second process for the shelf tests: a writer to kill in mid-run, readers that hold the lock.
        .executableTarget(name: "ShelfWorker", dependencies: ["Shelve"], path: "Tests/ShelfWorker"),
        .testTarget(name: "GDBMTests", dependencies: ["GDBM", "TestSupport"]),
        // Fixtures are read from the source tree (see Tests/PickleTests/Fixtures/README.md).
        .testTarget(name: "PickleTests", dependencies: ["Pickle", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ShelveTests", dependencies: ["Shelve", "GDBM", "ShelfWorker", "TestSupport"]),
        // Runs the built `shelf` executable against shelves and pickles made by CPython.
        .testTarget(name: "ShelfCommandTests", dependencies: ["ShelfCLI", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
