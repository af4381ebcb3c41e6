extension Shelf: CustomStringConvertible {
    /// A summary for logs, like `Shelf(path: "shop.db", mode: .create, protocol: 5, writeback: false)`, with
    /// `closed` once closed.
    public var description: String {
        var text = "Shelf(path: \"\(path)\", mode: .\(mode), protocol: \(protocolVersion), writeback: \(isWriteback)"
        if isClosed { text += ", closed" }
        return text + ")"
    }
}
