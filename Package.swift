// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-shelve",
    products: [
    ],
    targets: [
        // The system's libgdbm, through a shim header. Nothing but `static inline` accessors.
        .systemLibrary(
            name: "CGDBM",
            providers: [.apt(["libgdbm-dev"]), .brew(["gdbm"])]
        ),

        // Helpers shared by the test targets: temporary directories, finding and running CPython.
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        // The golden-corpus tests; Fixtures/ holds CPython's pickles and their generator.
        .testTarget(
            name: "PickleTests",
            dependencies: ["TestSupport"],
            path: "Tests/PickleTests",
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
