/// A reference to a module-level Python global, usually a class or a function.
///
/// A pickle names globals by module and qualified name (`GLOBAL`, `STACK_GLOBAL`); nothing is ever
/// imported or run. A qualified name may be dotted, like `"OuterClass.Inner"`.
///
/// ```swift
/// let orderedDict = PickleGlobal(module: "collections", name: "OrderedDict")
/// ```
public struct PickleGlobal: Hashable, Sendable {
    /// The module, like `"collections"`.
    public var module: String
    /// The qualified name inside the module, like `"OrderedDict"`.
    public var name: String

    /// Creates a reference to `name` in `module`.
    public init(module: String, name: String) {
        self.module = module
        self.name = name
    }

    /// `module.name`, as Python prints a class's full name.
    public var fullName: String { "\(module).\(name)" }
}
