/// How the unpickler reads a Python 2 `str`, an 8-bit string that Python 3 has no type for.
///
/// Python 2 pickles its `str` with the `STRING`, `BINSTRING` and `SHORT_BINSTRING` opcodes. Python 3
/// decodes them with the `encoding` argument of `pickle.loads`: `'ASCII'` by default, often
/// `'latin1'` (which keeps every byte, and is what NumPy arrays and `datetime` objects from
/// Python 2 need) or `'bytes'` to keep them as `bytes`. These cases are the same choices. Python 2
/// `unicode` strings are not affected: they are always `str`.
///
/// ```swift
/// var options = UnpicklerOptions()
/// options.python2Strings = .latin1
/// let value = try Unpickler.load(python2Pickle, options: options)
/// ```
public enum Python2StringDecoding: Hashable, Sendable {
    /// Decode as ASCII and fail with ``PickleError/Code/invalidString`` on a byte above 0x7F, like
    /// `pickle.loads(data)`.
    case ascii
    /// Decode as Latin-1: every byte becomes the code point of the same value, like
    /// `pickle.loads(data, encoding='latin1')`.
    case latin1
    /// Decode as strict UTF-8 (fail with ``PickleError/Code/invalidString`` on bad UTF-8), like
    /// `pickle.loads(data, encoding='utf-8')`.
    case utf8
    /// Keep the bytes: load a ``PickleValue/bytes(_:)``, like `pickle.loads(data, encoding='bytes')`.
    case bytes
}
