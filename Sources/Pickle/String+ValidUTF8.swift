#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension String {
    /// The string whose UTF-8 is `bytes`, or `nil` if they are not valid UTF-8: what
    /// `String(validating:as:)` returns, without its generic path, which looks up type metadata at run time on
    /// every call (some 600 instructions, a fifth of what listing a shelf's keys cost per key). For the
    /// modules of this package.
    ///
    /// Decoding with repair changes the bytes exactly when they are not valid UTF-8 (each ill-formed sequence
    /// becomes U+FFFD, which is itself well formed and so was not there), so comparing the result with the
    /// input tells the two apart.
    package init?(validUTF8 bytes: UnsafeRawBufferPointer) {
        let original = bytes.assumingMemoryBound(to: UInt8.self)
        var decoded = String(decoding: original, as: UTF8.self)
        let unchanged = decoded.utf8.count == original.count && decoded.withUTF8 { utf8 in
            guard let start = utf8.baseAddress, let originalStart = original.baseAddress else { return true }
            return memcmp(start, originalStart, original.count) == 0
        }
        guard unchanged else { return nil }
        self = decoded
    }
}
