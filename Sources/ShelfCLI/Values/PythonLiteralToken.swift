import Pickle

/// One token of a Python expression, as ``PythonLiteralLexer`` reads it.
enum PythonLiteralToken {
    /// A number literal.
    case number(PythonNumber)
    /// One string or bytes literal; adjacent ones are joined by the parser.
    case string(PythonStringLiteral)
    /// A name, like `True` or `set`.
    case name(String)
    /// An operator or delimiter, like `(`, `,`, `-` or `...`.
    case symbol(String)
    /// The end of a logical line outside brackets.
    case newline
    /// The end of the text.
    case end
}

/// A number as Python's tokenizer reads it, before any sign.
enum PythonNumber {
    /// An `int` literal (decimal, `0x`, `0o` or `0b`).
    case integer(BigInteger)
    /// A `float` literal.
    case float(Double)
    /// An imaginary literal like `2j`: the `complex` `0+2j`.
    case imaginary(Double)
}
