import Synchronization

/// How ``PickleEncoder`` writes values of one Swift type, worked out once per type.
///
/// Asking the runtime whether a type conforms to a protocol (`value as? any PickleNativeEncodable`)
/// costs a conformance lookup on every value; the answer never changes for a struct or an enum, so
/// it is kept here, by type.
enum PickleEncodingForm {
    /// Through the type's `encode(to:)`.
    case plain
    /// In the type's own Python form.
    case native(any PickleNativeEncodable.Type)
    /// Through `encode(to:)`, as the state of an instance of the Python class.
    case pythonClass(any PythonClass.Type)
    /// A class: a subclass may conform where the type does not, so each value's own type decides.
    case dynamic
}

/// What ``PickleEncoder`` knows of one Swift type: its form, and how many entries the dict of its
/// last value had.
final class PickleEncodingInfo: Sendable {
    let form: PickleEncodingForm
    /// The number of entries of the dict that the type's `encode(to:)` last wrote, when more than
    /// a dict searches linearly: the next dict is made with room for as many, so that its hash
    /// index is built once instead of growing.
    let dictCapacity = Atomic<Int>(0)
    /// How the streaming encoder writes the type without building it, when it has a Python form of its
    /// own that the stream knows (arrays and optionals). (A metatype: immutable, usable from any thread.)
    nonisolated(unsafe) let streamed: (any PickleStreamEncodable.Type)?
    /// The keys of the type's keyed container, in order, once an encode has shown them distinct: the
    /// streaming encoder's duplicate check (see ``PickleKeyLayout``).
    let keyLayout = AtomicLazyReference<PickleKeyLayout>()

    private init(form: PickleEncodingForm, streamed: (any PickleStreamEncodable.Type)?) {
        self.form = form
        self.streamed = streamed
    }

    /// The information on `type`, from the cache once worked out.
    static func of(_ type: Any.Type) -> PickleEncodingInfo {
        let id = ObjectIdentifier(type)
        if let info = cache.withLock({ $0[id] }) { return info }
        let form: PickleEncodingForm
        if type is AnyClass {
            form = .dynamic
        } else if let native = type as? any PickleNativeEncodable.Type {
            form = .native(native)
        } else if let cls = type as? any PythonClass.Type {
            form = .pythonClass(cls)
        } else {
            form = .plain
        }
        let info = PickleEncodingInfo(form: form, streamed: type as? any PickleStreamEncodable.Type)
        return cache.withLock { cache in
            if let existing = cache[id] { return existing }
            cache[id] = info
            return info
        }
    }

    private static let cache = Mutex<[ObjectIdentifier: PickleEncodingInfo]>([:])
}

// A form holds nothing but metatypes, which are immutable and may be used from any thread.
extension PickleEncodingForm: @unchecked Sendable {}

/// How ``PickleDecoder`` reads values of one Swift type, worked out once per type.
///
/// The decoder goes by the type it is asked for, never by a value's type, so the answer holds for
/// classes too.
enum PickleDecodingForm {
    /// Through the type's `init(from:)`.
    case plain
    /// From the type's own Python form.
    case native(any PickleNativeDecodable.Type)
    /// Through `init(from:)`, from the state of an instance of the Python class.
    case pythonClass(any PythonClass.Type)

    /// The form of `type`, from the cache once worked out.
    static func of(_ type: Any.Type) -> PickleDecodingForm {
        let id = ObjectIdentifier(type)
        if let form = cache.withLock({ $0[id] }) { return form }
        let form: PickleDecodingForm
        if let native = type as? any PickleNativeDecodable.Type {
            form = .native(native)
        } else if let cls = type as? any PythonClass.Type {
            form = .pythonClass(cls)
        } else {
            form = .plain
        }
        cache.withLock { $0[id] = form }
        return form
    }

    private static let cache = Mutex<[ObjectIdentifier: PickleDecodingForm]>([:])
}

// A form holds nothing but metatypes, which are immutable and may be used from any thread.
extension PickleDecodingForm: @unchecked Sendable {}

extension PickleNativeEncodable {
    /// The Python object for `value`, whose type is `Self`, without a dynamic cast.
    static func pickleValue<T>(of value: T, in encoder: _PickleEncoder, at path: PickleCodingPath) throws
        -> PickleValue
    {
        assert(T.self == Self.self, "\(T.self) is not \(Self.self)")
        return try withUnsafePointer(to: value) { pointer in
            try UnsafeRawPointer(pointer).assumingMemoryBound(to: Self.self).pointee.pickleValue(in: encoder, at: path)
        }
    }
}

extension PickleNativeDecodable {
    /// Reads a `T`, which is `Self`, from `value`, without a dynamic cast.
    static func decode<T>(
        _ type: T.Type, from value: PickleValue, in decoder: _PickleDecoder, at path: PickleCodingPath
    ) throws -> T {
        assert(T.self == Self.self, "\(T.self) is not \(Self.self)")
        let result = try Self(pickleValue: value, in: decoder, at: path)
        return withUnsafePointer(to: result) { pointer in
            UnsafeRawPointer(pointer).assumingMemoryBound(to: T.self).pointee
        }
    }
}
