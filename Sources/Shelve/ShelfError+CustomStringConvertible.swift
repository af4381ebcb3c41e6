extension ShelfError: CustomStringConvertible {
    /// The ``message``, prefixed with the ``code``, like `keyNotFound: cannot delete key 'apples' from …`.
    public var description: String {
        "\(code): \(message)"
    }
}
