import Foundation

/// A fresh directory under the system's temporary directory, removed when the value is released.
///
/// Every test that touches files makes its own, so tests never see each other's files and can
/// run in parallel.
///
/// ```swift
/// let dir = try TemporaryDirectory()
/// let path = dir.path("data.db")
/// ```
public final class TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let root: String

    /// Creates a new, empty, uniquely named directory.
    ///
    /// - Parameter prefix: The start of the directory's name, to tell tests apart when debugging.
    public init(prefix: String = "swift-shelve") throws {
        let base = NSTemporaryDirectory()
        let name = "\(prefix)-\(UUID().uuidString)"
        let url = URL(fileURLWithPath: base, isDirectory: true).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        root = url.path
    }

    /// The absolute path of `name` inside the directory.
    public func path(_ name: String) -> String {
        (root as NSString).appendingPathComponent(name)
    }

    deinit {
        if ProcessInfo.processInfo.environment["SHELVE_KEEP_TEMP"] == nil {
            try? FileManager.default.removeItem(atPath: root)
        }
    }
}
