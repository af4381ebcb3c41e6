extension GDBMError: CustomStringConvertible {
    /// The ``message``, prefixed with the ``code``, like `locked: cannot open 'a.db' for writing: …`.
    public var description: String {
        "\(code): \(message)"
    }
}
