/// A shelf's writeback cache holds `PickleValue`s, whose containers are shared, unsynchronized references, and
/// the shelf itself keeps mutable state between calls. Confine a shelf to one task, thread or actor.
@available(*, unavailable, message: "a Shelf is not thread-safe; confine it to one task or actor")
extension Shelf: Sendable {}

@available(*, unavailable, message: "entries refer to a Shelf, which is not thread-safe")
extension Shelf.Entries: Sendable {}

@available(*, unavailable, message: "an entry refers to a Shelf, which is not thread-safe")
extension Shelf.Entry: Sendable {}
