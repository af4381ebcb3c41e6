/// A Python `list`: a shared, mutable, ordered sequence of values.
///
/// A reference type because a Python list has identity: two containers may hold the same list, and
/// a list may contain itself. Mutations through any reference are seen through all of them.
///
/// ```swift
/// let list = PickleList([1, 2])
/// list.append("three")
/// list.count   // 3
/// ```
public final class PickleList: RandomAccessCollection, MutableCollection, ExpressibleByArrayLiteral {
    // No dynamic exclusivity checks: they cost more than reading the array, on every access by the
    // pickler and unpickler; the class is not Sendable, and static checks still apply.

    /// The list's elements.
    @exclusivity(unchecked) public var elements: [PickleValue]
    /// How deeply containers nest in the list, as the unpickler counts it (see ``UnpicklerOptions/maxDepth``).
    var nestingDepth: Int32 = 1

    /// Creates a list holding `elements`.
    public init(_ elements: [PickleValue] = []) { self.elements = elements }

    deinit { PickleValue.dismantle(&elements) }

    /// Creates a list from an array literal.
    public convenience init(arrayLiteral elements: PickleValue...) { self.init(elements) }

    /// The position of the first element.
    public var startIndex: Int { 0 }
    /// The position one past the last element.
    public var endIndex: Int { elements.count }

    /// The element at `position`.
    public subscript(position: Int) -> PickleValue {
        get { elements[position] }
        set { elements[position] = newValue }
    }

    /// Adds `element` at the end, like Python's `list.append`.
    public func append(_ element: PickleValue) { elements.append(element) }

    /// Adds every element of `newElements` at the end, like Python's `list.extend`.
    public func append(contentsOf newElements: some Sequence<PickleValue>) {
        elements.append(contentsOf: newElements)
    }

    /// Inserts `element` at `index`.
    public func insert(_ element: PickleValue, at index: Int) { elements.insert(element, at: index) }

    /// Removes and returns the element at `index`.
    @discardableResult
    public func remove(at index: Int) -> PickleValue { elements.remove(at: index) }

    /// Removes every element.
    public func removeAll() { elements.removeAll() }
}

/// A Python `bytearray`: a shared, mutable sequence of bytes.
///
/// ```swift
/// let buffer = PickleByteArray([0x68, 0x69])
/// buffer.bytes.append(0x21)
/// ```
public final class PickleByteArray {
    /// The bytes.
    public var bytes: [UInt8]

    /// Creates a bytearray holding `bytes`.
    public init(_ bytes: [UInt8] = []) { self.bytes = bytes }
}
