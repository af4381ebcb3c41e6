import Foundation
import TestSupport

@testable import Pickle

/// Runs CPython and turns its output into bytes and values the tests compare against.
enum CPython {
    /// Runs `source` with Debian's python3 (or another interpreter) and returns its standard output.
    static func run(_ source: String, interpreter: String? = nil) throws -> String {
        try Python.script(source, interpreter: interpreter).text
    }

    /// The pickle of the Python expression `expression` at `protocol`, made by CPython.
    ///
    /// `setup` runs first (imports, class definitions under `__main__`).
    static func pickle(_ expression: String, protocol proto: Int, setup: String = "") throws -> [UInt8] {
        let source = """
            import pickle, sys
            \(setup)
            sys.stdout.write(pickle.dumps(\(expression), protocol=\(proto)).hex())
            """
        return try bytes(hex: run(source))
    }

    /// The pickles of `expression` at protocols 0 through 5, made by one CPython run.
    static func pickles(_ expression: String, setup: String = "", protocols: ClosedRange<Int> = 0...5) throws
        -> [Int: [UInt8]]
    {
        let source = """
            import pickle, sys
            \(setup)
            value = \(expression)
            for p in range(\(protocols.lowerBound), \(protocols.upperBound + 1)):
                print(p, pickle.dumps(value, protocol=p).hex())
            """
        var result: [Int: [UInt8]] = [:]
        for line in try run(source).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let proto = Int(parts[0]) else { continue }
            result[proto] = try bytes(hex: String(parts[1]))
        }
        return result
    }

    /// Decodes hex text (white space ignored).
    static func bytes(hex: String) throws -> [UInt8] {
        let digits = Array(hex.utf8.filter { !$0.isWhitespace })
        guard digits.count % 2 == 0 else { throw Failure(description: "odd hex length") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = PickleReader.digitValue(digits[index]),
                let low = PickleReader.digitValue(digits[index + 1])
            else { throw Failure(description: "bad hex") }
            bytes.append(UInt8(high * 16 + low))
            index += 2
        }
        return bytes
    }

    /// Hex text of bytes.
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}

extension UInt8 {
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}

/// Bytes from a string of Latin-1 characters, like a Python bytes literal.
func latin1(_ text: String) -> [UInt8] {
    text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
}

/// Loads `bytes` and returns the error, or `nil` when it loaded.
func loadError(_ bytes: [UInt8], options: UnpicklerOptions = UnpicklerOptions()) -> PickleError? {
    do {
        _ = try Unpickler.load(bytes, options: options)
        return nil
    } catch {
        return error
    }
}
