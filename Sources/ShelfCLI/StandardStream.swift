#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A buffered writer to a file descriptor: standard output for results, standard error for messages.
///
/// Commands that print one line per record write through one of these, so that printing a large shelf
/// makes few system calls. Nothing here goes through C's `FILE` streams.
final class StandardStream {
    /// The file descriptor written to.
    let descriptor: Int32

    private var buffer: [UInt8] = []
    private let flushThreshold = 1 << 16

    /// A stream writing to `descriptor`.
    init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.reserveCapacity(flushThreshold + 1024)
    }

    /// Standard output, where results go.
    static func standardOutput() -> StandardStream { StandardStream(descriptor: 1) }

    /// Whether the descriptor is a terminal.
    var isTerminal: Bool { isatty(descriptor) == 1 }

    /// Appends text.
    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= flushThreshold { flush() }
    }

    /// Appends bytes.
    func write(bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { flush() }
    }

    /// Writes out what is buffered. A write error other than an interruption drops the rest: there is no
    /// one to tell when the reader of standard output went away.
    func flush() {
        var offset = 0
        buffer.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            while offset < bytes.count {
                let written = systemWrite(descriptor, base + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    deinit {
        flush()
    }

    /// Writes `text` to standard error at once, unbuffered.
    static func writeError(_ text: String) {
        let stream = StandardStream(descriptor: 2)
        stream.write(text)
        stream.flush()
    }
}

/// The `write(2)` system call.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
    #else
        Darwin.write(descriptor, bytes, count)
    #endif
}
