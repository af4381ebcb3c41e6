import Testing

@testable import Pickle

@Suite("String(validUTF8:): strict UTF-8 decoding, as String(validating:as:)")
struct StringValidUTF8Tests {
    /// The package's decoder and the standard library's agree on `bytes`.
    func agree(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let ours = bytes.withUnsafeBytes { String(validUTF8: $0) }
        let standard = String(validating: bytes, as: UTF8.self)
        #expect(ours == standard, "\(bytes)", sourceLocation: sourceLocation)
        if let ours { #expect(Array(ours.utf8) == bytes, sourceLocation: sourceLocation) }
    }

    @Test func wellFormedTextDecodes() {
        #expect([UInt8]().withUnsafeBytes { String(validUTF8: $0) } == "")
        #expect(Array("plain".utf8).withUnsafeBytes { String(validUTF8: $0) } == "plain")
        let text = "caf\u{e9} \u{4e2d}\u{6587} \u{1F600} \u{FFFD}"
        #expect(Array(text.utf8).withUnsafeBytes { String(validUTF8: $0) } == text)
    }

    @Test(arguments: [
        [0x80], [0xFF, 0xFE], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98],  // stray, truncated
        [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xF0, 0x80, 0x80, 0xAF],  // overlong
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  // surrogates
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],  // beyond U+10FFFF
        [0x61, 0xEF, 0xBF], [0x61, 0xEF, 0xBF, 0xBD, 0xBD],  // around a real U+FFFD
    ] as [[UInt8]])
    func illFormedTextIsRefused(bytes: [UInt8]) {
        #expect(bytes.withUnsafeBytes { String(validUTF8: $0) } == nil)
        agree(bytes)
    }

    @Test func agreesWithTheStandardLibraryOnRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        // Bytes drawn mostly from the lead and continuation ranges, where the cases are.
        let alphabet: [UInt8] = [0x41, 0x7F, 0x80, 0xBF, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xBF, 0xBD, 0xF0, 0xF4, 0xFF]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...12, using: &generator)
            agree((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
        }
    }
}
