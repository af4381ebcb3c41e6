#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Blocks the calling thread for `duration` (at least; a signal may cut it short, which only shortens a wait
/// between lock attempts).
internal func pause(for duration: Duration) {
    let (seconds, attoseconds) = duration.components
    guard seconds > 0 || attoseconds > 0 else { return }
    var request = timespec(tv_sec: Int(clamping: seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    var remaining = timespec()
    _ = nanosleep(&request, &remaining)
}
