import Pickle

/// The protocol a stored pickle was written with, as far as its bytes tell.
enum PickleProtocol {
    /// The protocol of the pickle at the start of `bytes`: the argument of its `PROTO` opcode (protocols 2
    /// and up start with one); without `PROTO`, 1 if it uses an opcode of protocol 1 (a binary one), else 0,
    /// as `pickletools` reports the highest protocol among its opcodes. `nil` when the pickle cannot be read.
    ///
    /// A pickle written at protocol 1 that happens to need no binary opcode (like `None`) reads as 0: its
    /// bytes are the same as at protocol 0.
    static func detect(_ bytes: [UInt8]) -> Int? {
        if bytes.count >= 2, bytes[0] == Opcode.proto.rawValue { return Int(bytes[1]) }
        let result = PickleDisassembler.disassembly(of: bytes)
        guard result.error == nil else { return nil }
        let marker = "highest protocol among opcodes = "
        guard let line = result.text.split(separator: "\n").last, line.hasPrefix(marker) else { return nil }
        return Int(line.dropFirst(marker.count))
    }
}
