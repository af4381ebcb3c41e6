/// A VALUE given to `shelf set` that is not valid JSON or not a Python literal.
struct ValueSyntaxError: Error, CustomStringConvertible {
    /// What is wrong, like `unterminated string`.
    var reason: String
    /// The 0-based offset in the text, in Unicode scalars, where the problem was found.
    var offset: Int

    init(_ reason: String, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    var description: String { "\(reason) (at character \(offset + 1))" }
}
