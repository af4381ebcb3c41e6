#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A progress bar on standard error for commands that go through every record (`copy`, `check`, `dump`).
///
/// It is drawn only when standard error is a terminal (`isatty(2)`), so scripts and pipes never see it and
/// standard output stays clean. It appears only once the work has taken a moment (a quarter second), is
/// redrawn at most ten times a second, and erases itself when done:
///
/// ```
/// copy [##########..........] 5120/10240 (50%)
/// ```
///
/// The environment variable `SHELF_PROGRESS` overrides this: `never` draws nothing, `always` draws from the
/// first step on whatever standard error is (for logs, and for the tests).
final class ProgressBar {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let immediate: Bool
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var lastDraw: ContinuousClock.Instant?
    private var done = 0
    private var drawn = false

    /// A bar for `total` steps, drawn when standard error is a terminal.
    init(label: String, total: Int) {
        self.label = label
        self.total = total
        let setting = getenv("SHELF_PROGRESS").map { String(cString: $0) } ?? "auto"
        self.immediate = setting == "always"
        self.enabled = total > 0 && (immediate || (setting != "never" && isatty(2) == 1))
        self.start = clock.now
    }

    /// Counts one step done, and redraws when it is time to.
    func advance() {
        done += 1
        guard enabled else { return }
        let now = clock.now
        if immediate {
            // Every step, so that what is drawn does not depend on timing.
        } else if let lastDraw {
            guard lastDraw.duration(to: now) >= .milliseconds(100) || done == total else { return }
        } else {
            guard start.duration(to: now) >= .milliseconds(250) else { return }
        }
        lastDraw = now
        draw()
    }

    /// Erases the bar. Call before printing a message on standard error, and when done.
    func clear() {
        guard drawn else { return }
        StandardStream.writeError("\r\u{1B}[2K")
        drawn = false
        lastDraw = nil
    }

    private func draw() {
        let width = 20
        let filled = total == 0 ? width : min(width, done * width / total)
        let percent = total == 0 ? 100 : done * 100 / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        StandardStream.writeError("\r\(label) [\(bar)] \(done)/\(total) (\(percent)%)")
        drawn = true
    }
}
