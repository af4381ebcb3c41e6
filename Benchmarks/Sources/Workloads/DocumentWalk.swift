import Pickle

/// Reads every value of a ``PickleDocument`` once, as a program that uses all of it would: each `int`,
/// `float` and `bool` as a Swift number, each `str` as a `String`, each `bytes` in place, each container's
/// elements and entries, and what the document keeps as a `PickleValue` (instances, sets, big ints) as that
/// value. Returns a count of what it read, so that nothing is optimized away.
public enum DocumentWalk {
    public static func readAll(_ value: PickleDocument.Value) -> Int {
        switch value.kind {
        case .none: return 1
        case .bool: return value.boolValue! ? 1 : 0
        case .int: return value.intValue!
        case .float: return Int(value.doubleValue!.bitPattern & 1)
        case .string: return value.stringValue!.utf8.count
        case .bytes: return value.withUnsafeBytes { $0.count }!
        case .list, .tuple:
            var total = 0
            for element in value.elements! { total &+= readAll(element) }
            return total
        case .dict:
            var total = 0
            for (key, value) in value.entries! { total &+= readAll(key) &+ readAll(value) }
            return total
        default:
            sink(value.pickleValue)
            return 1
        }
    }
}
