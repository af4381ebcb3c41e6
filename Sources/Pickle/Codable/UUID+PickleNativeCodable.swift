#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `UUID` ⇄ `uuid.UUID`, pickled as CPython pickles one: a new `uuid.UUID` whose state is
/// `{'int': <the 128-bit value>}`. Decoding also accepts the UUID's text form as a `str`.
extension UUID: PickleNativeEncodable, PickleNativeDecodable {
    static let pythonClass = PickleGlobal(module: "uuid", name: "UUID")

    /// The UUID as Python's `UUID.int`: its 16 bytes as a big-endian integer.
    var pythonInteger: BigInteger {
        withUnsafeBytes(of: uuid) { bytes in
            var high: UInt64 = 0
            var low: UInt64 = 0
            for position in 0..<8 { high = high << 8 | UInt64(bytes[position]) }
            for position in 8..<16 { low = low << 8 | UInt64(bytes[position]) }
            return BigInteger(isNegative: false, magnitude: [low, high])
        }
    }

    /// The UUID whose `UUID.int` is `integer`, or `nil` when it is not in `0..<2**128`.
    init?(pythonInteger integer: BigInteger) {
        guard !integer.isNegative, integer.magnitude.count <= 2 else { return nil }
        let low = integer.magnitude.first ?? 0
        let high = integer.magnitude.count == 2 ? integer.magnitude[1] : 0
        var bytes = [UInt8](repeating: 0, count: 16)
        for position in 0..<8 {
            bytes[position] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(position)))
            bytes[8 + position] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(position)))
        }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes) }
        self.init(uuid: value)
    }

    func pickleValue(in encoder: _PickleEncoder, at path: PickleCodingPath) throws -> PickleValue {
        .object(PickleObject(newInstanceOf: Self.pythonClass, state: .dict(["int": .integer(pythonInteger)])))
    }

    init(pickleValue value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath) throws {
        if case .string(let text) = value {
            guard let uuid = UUID(uuidString: text) else {
                throw PickleCodingErrors.corrupted("str '\(text)' is not a UUID", at: path)
            }
            self = uuid
            return
        }
        guard case .object(let object) = value, PickleInstance.pythonClass(of: object) == Self.pythonClass,
            let attributes = PickleInstance.attributes(of: object)
        else {
            throw PickleCodingErrors.mismatch(UUID.self, expected: "uuid.UUID", found: value, at: path)
        }
        let integer: BigInteger
        switch attributes["int"] {
        case .int(let small)?: integer = BigInteger(small)
        case .bigInt(let big)?: integer = big
        default: throw PickleCodingErrors.corrupted("uuid.UUID without an int attribute", at: path)
        }
        guard let uuid = UUID(pythonInteger: integer) else {
            throw PickleCodingErrors.corrupted("uuid.UUID \(describe(integer)) is not in 0..<2**128", at: path)
        }
        self = uuid
    }
}
