// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-shelve",
    products: [
        .library(name: "Pickle", targets: ["Pickle"]),
    ],
    targets: [
        // The system's libgdbm, through a shim header. Nothing but `static inline` accessors.
        .systemLibrary(
            name: "CGDBM",
            providers: [.apt(["libgdbm-dev"]), .brew(["gdbm"])]
        ),

        // Python's pickle format in pure Swift; never imports GDBM.
        .target(name: "Pickle"),

        // Helpers shared by the test targets: temporary directories, finding and running CPython.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PickleTests", dependencies: ["Pickle", "TestSupport"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
