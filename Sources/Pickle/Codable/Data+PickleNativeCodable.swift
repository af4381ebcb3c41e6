#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `Data` ⇄ `bytes` (decoding also accepts `bytearray`).
extension Data: PickleNativeEncodable, PickleNativeDecodable {
    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue {
        .bytes([UInt8](self))
    }

    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        guard let bytes = PickleInstance.bytes(value) else {
            throw PickleCodingErrors.mismatch(Data.self, expected: "bytes", found: value, at: path)
        }
        self.init(bytes)
    }
}
