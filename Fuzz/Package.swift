// swift-tools-version: 6.1
// libFuzzer targets for the Pickle module. Kept out of the root package so that its default build never
// needs the fuzzer runtime: build and run them with `Fuzz/run.sh` (see CONTRIBUTING.md, "Fuzzing").
import PackageDescription

let package = Package(
    name: "swift-shelve-fuzz",
    dependencies: [.package(name: "swift-shelve", path: "..")],
    targets: [
        // libFuzzer's driver entry point, implemented by the fuzzer runtime that -sanitize=fuzzer links.
        .target(name: "CLibFuzzer"),
        // What the targets share: the options they load with, the checks they make on a value, the driver.
        .target(
            name: "FuzzSupport",
            dependencies: ["CLibFuzzer", .product(name: "Pickle", package: "swift-shelve")]
        ),
        // Loads the input as a stream of pickles, then prints, hashes, compares and disassembles it; reads it
        // as a PickleDocument too, which must give Unpickler.load's value or error.
        .executableTarget(name: "FuzzUnpickler", dependencies: ["FuzzSupport"]),
        // Loads the input, dumps what loaded at protocols 0 to 5 and requires it to load back equal.
        .executableTarget(name: "FuzzRoundTrip", dependencies: ["FuzzSupport"]),
        // Runs the input as the program of an Encodable's encode(to:) and requires PickleEncoder.encode to
        // write what Pickler.dumps(encodeValue) writes, or to throw the same error.
        .executableTarget(name: "FuzzEncoder", dependencies: ["FuzzSupport"]),
        // Decodes the input (a type-choosing byte, then a pickle) into a Decodable type and requires
        // PickleDecoder.decode(_:from: bytes) to give what decoding Unpickler.load's tree gives, value or error.
        .executableTarget(name: "FuzzDecoder", dependencies: ["FuzzSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
