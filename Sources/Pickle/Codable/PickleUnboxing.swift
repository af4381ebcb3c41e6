/// Reads Swift primitives out of Python objects, following Python's numeric tower: a `bool` is an
/// `int` (as `isinstance(True, int)` says), and an `int` is acceptable where a `float` is expected
/// (as PEP 484 says); nothing else converts.
enum PickleUnboxing {
    static func bool(_ value: PickleValue, at path: @autoclosure () -> PickleCodingPath) throws -> Bool {
        guard case .bool(let flag) = value else {
            throw PickleCodingErrors.mismatch(Bool.self, expected: "bool", found: value, at: path())
        }
        return flag
    }

    static func string(_ value: PickleValue, at path: @autoclosure () -> PickleCodingPath) throws -> String {
        switch value {
        case .string(let string):
            return string
        case .surrogateString(let string):
            let surrogate = string.codePoints.first { (0xD800...0xDFFF).contains($0) } ?? 0xD800
            let hex = String(surrogate, radix: 16, uppercase: true)
            throw PickleCodingErrors.corrupted(
                "str with the lone surrogate U+\(hex), which a Swift String cannot hold,", at: path())
        default:
            throw PickleCodingErrors.mismatch(String.self, expected: "str", found: value, at: path())
        }
    }

    static func double(_ value: PickleValue, at path: @autoclosure () -> PickleCodingPath) throws -> Double {
        switch value {
        case .float(let double):
            return double
        case .int(let integer):
            return Double(integer)
        case .bool(let flag):
            return flag ? 1 : 0
        case .bigInt(let big):
            let double = Double(big)
            guard double.isFinite else {
                throw PickleCodingErrors.corrupted("\(describe(big)) is too large for Double", at: path())
            }
            return double
        default:
            throw PickleCodingErrors.mismatch(Double.self, expected: "float", found: value, at: path())
        }
    }

    static func float(_ value: PickleValue, at path: @autoclosure () -> PickleCodingPath) throws -> Float {
        let double = try double(value, at: path())
        let float = Float(double)
        guard float.isFinite || !double.isFinite else {
            throw PickleCodingErrors.corrupted("float \(double) does not fit in Float", at: path())
        }
        return float
    }

    static func integer<T: FixedWidthInteger>(
        _ value: PickleValue, as type: T.Type, at path: @autoclosure () -> PickleCodingPath
    ) throws -> T {
        switch value {
        case .int(let integer):
            guard let result = T(exactly: integer) else {
                throw PickleCodingErrors.corrupted("int \(integer) does not fit in \(T.self)", at: path())
            }
            return result
        case .bool(let flag):
            return flag ? 1 : 0
        case .bigInt(let big):
            guard let result = T(exactly: big) else {
                throw PickleCodingErrors.corrupted("\(describe(big)) does not fit in \(T.self)", at: path())
            }
            return result
        default:
            throw PickleCodingErrors.mismatch(T.self, expected: "int", found: value, at: path())
        }
    }
}

/// `int 123…` for a message; a huge integer by its size, since its decimal digits take quadratic
/// time to compute.
func describe(_ big: BigInteger) -> String {
    big.bitLength <= 1024 ? "int \(big)" : "int of \(big.bitLength) bits"
}

extension FixedWidthInteger {
    /// The value of `big` when it fits in this type.
    init?(exactly big: BigInteger) {
        guard big.bitLength <= Self.bitWidth else { return nil }
        var magnitude: Magnitude = 0
        for (position, limb) in big.magnitude.enumerated() {
            magnitude |= Magnitude(truncatingIfNeeded: limb) << (64 * position)
        }
        if big.isNegative {
            guard Self.isSigned, magnitude <= Self.min.magnitude else { return nil }
            self = 0 &- Self(truncatingIfNeeded: magnitude)
        } else {
            guard magnitude <= Self.max.magnitude else { return nil }
            self = Self(truncatingIfNeeded: magnitude)
        }
    }
}
