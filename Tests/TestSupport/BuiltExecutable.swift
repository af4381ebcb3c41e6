import Foundation

/// Finds the executables this package builds (the examples, the `shelf` tool), for tests that run them.
///
/// `swift build` and `swift test` put executables in the build products directory, beside the test bundle;
/// the package's `.build/debug` is tried last.
///
/// ```swift
/// let shelf = try BuiltExecutable.path("shelf")
/// let output = try Python.run(shelf, ["keys", path])
/// ```
public enum BuiltExecutable {
    /// An executable that is not built.
    public struct NotBuilt: Error, CustomStringConvertible {
        /// What is missing and how to build it.
        public var description: String
    }

    /// The path of the built executable `name`.
    ///
    /// - Throws: ``NotBuilt`` when no such executable exists.
    public static func path(_ name: String) throws -> String {
        var directories: [URL] = []
        // The test bundle lives in the products directory, beside the executables.
        if let bundle = Bundle.main.executableURL?.deletingLastPathComponent() { directories.append(bundle) }
        directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        // Or the package's .build/debug, found from this file's location (Tests/TestSupport/…).
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        directories.append(root.appendingPathComponent(".build/debug"))
        for directory in directories {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw NotBuilt(description: "the \(name) executable is not built; run `swift build` first")
    }
}
