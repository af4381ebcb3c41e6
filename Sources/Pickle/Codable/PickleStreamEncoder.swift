/// `PickleEncoder.encode(_:)` without the tree: Swift values are pickled as they are encoded,
/// straight into one ``PickleWriter``.
///
/// The bytes must be exactly those of the tree path (``PickleEncoder/encodeValue(_:)`` then
/// ``Pickler/dumps(_:protocol:)``), which follows `Encoder`'s rules to the letter: a key encoded twice
/// replaces its value, a nested container can be written after its parent's later keys, a value is
/// written into its container only once `encode` returns. A stream writes each item where it stands,
/// so it handles the common shape, where every container is filled in one go and no key repeats, and
/// gives up on anything else, leaving the encode to the tree path: ``PickleStreamEncoding/encode(_:with:)``
/// returns `nil` then, and every `PickleError` the writer raises does the same, so that errors, too, come
/// from the tree path in its order. What the stream cannot know in advance, it checks:
///
/// - Each container's items are written as they come; a dict or list learns only at its second item
///   that it needs `MARK` before the first (``PickleWriter/insertMark(at:)`` moves the first item's bytes
///   when no frame or large payload stands in the way, and gives up otherwise).
/// - Open containers form a stack. Writing to one closes those above it (its nested containers, as
///   the tree would have them); writing to a container that is closed, or whose item is being encoded,
///   gives up.
/// - Duplicate keys: a type's keys are learned once, in order, from an encode that proved them
///   distinct (``PickleKeyLayout``); an encode that follows that order needs no other check, and one
///   that strays checks each key against a set, giving up on a repeat.
/// - Arrays, optionals and dictionaries with `String` or `Int` keys are streamed too. Other values with
///   a Python form of their own (dates, sets, dictionaries with other keys, ``PythonClass`` instances,
///   class types) are built as a `PickleValue` by the tree encoder and then written, so that their bytes
///   are the tree's by construction; a container of theirs that a type's code kept and writes to after
///   they were written marks the encode for the tree path (``PickleEncodingContext/lateWrite``).
/// - An encoder whose value is written refuses any later use (a type's code may keep it), and so does a
///   container that is closed; both hand the encode over.
enum PickleStreamEncoding {
    /// The pickle of `value` with `options`' protocol, date strategy and `userInfo`, or `nil` when the
    /// tree path must write it.
    static func encode<T: Encodable>(_ value: T, with options: PickleEncoder) throws -> [UInt8]? {
        let pickler = PicklerOptions(protocolVersion: options.protocolVersion)
        try PickleWriter.validate(pickler)
        let context = PickleEncodingContext(
            protocolVersion: options.protocolVersion, dateEncodingStrategy: options.dateEncodingStrategy,
            userInfo: options.userInfo)
        let state = PickleStreamState(validated: pickler, context: context)
        // The spare encoder refers to the state: without this, each encode would keep the other alive.
        defer { state.release() }
        do {
            state.writer.beginStreamedDump()
            try state.encode(value, at: .root)
            guard state.containers.isEmpty else { return nil }
            state.writer.endStreamedDump()
        } catch {
            if state.aborted || error is PickleError { return nil }
            throw error
        }
        // A fallback the type's own code caught (`try?`) still stands; so does a write, through a container
        // kept by a type's code, into a value the tree encoder built and the stream already wrote.
        if state.aborted || context.lateWrite { return nil }
        return state.writer.output
    }
}

/// Thrown to stop a streaming encode that the tree path must redo. Never escapes ``PickleEncoder``.
struct PickleStreamFallback: Error {}

/// The keys of a type's keyed container in the order its `encode(to:)` wrote them, all distinct.
final class PickleKeyLayout: Sendable {
    let keys: [String]

    init(keys: [String]) {
        self.keys = keys
    }

    /// The most keys a layout holds: a type that writes more is checked with a set each time.
    static let maximumKeys = 1024
}

/// Whether two strings have the same UTF-8, Python's `str` equality; fast for the same literal.
@inline(__always)
private func sameUTF8(_ first: String, _ second: String) -> Bool {
    if unsafeBitCast(first, to: (UInt64, UInt64).self) == unsafeBitCast(second, to: (UInt64, UInt64).self) {
        return true
    }
    return first.utf8.elementsEqual(second.utf8)
}

/// A dict or list being written: its items so far, and for a dict, what shows its keys distinct.
struct PickleStreamContainer {
    let id: Int
    let isDict: Bool
    /// Whether the container is an item of the one below it, whose item ends when this one closes.
    let isItem: Bool
    var count = 0
    /// Where the first item starts, for the `MARK` a second one needs.
    var firstItem = 0
    /// Whether one of its items is being encoded, by code that must not write to it meanwhile.
    var busy = false

    /// The type whose `encode(to:)` made the container, to learn its key layout.
    let info: PickleEncodingInfo?
    /// The type's layout, while the keys so far follow it.
    var layout: PickleKeyLayout?
    var matched = 0
    /// The keys so far, once they do not follow a layout.
    var seen: Set<String>?
    /// The keys so far in order, to become the type's layout.
    var learned: [String]?

    init(id: Int, isDict: Bool, isItem: Bool, info: PickleEncodingInfo?) {
        self.id = id
        self.isDict = isDict
        self.isItem = isItem
        self.info = info
        guard isDict else { return }
        if let known = info?.keyLayout.load() {
            layout = known
        } else {
            seen = []
            if info != nil { learned = [] }
        }
    }

    /// Takes `key` as the next key; `false` if it repeats one.
    @inline(__always)
    mutating func admit(_ key: String) -> Bool {
        if let layout {
            if matched < layout.keys.count, sameUTF8(layout.keys[matched], key) {
                matched += 1
                return true
            }
            seen = Set(layout.keys[..<matched])
            self.layout = nil
        }
        guard seen!.insert(key).inserted else { return false }
        if learned != nil {
            if learned!.count < PickleKeyLayout.maximumKeys {
                learned!.append(key)
            } else {
                learned = nil
            }
        }
        return true
    }

    /// The layout learned from a container that closed with all its keys distinct.
    func learnLayout() {
        guard let info, let learned, !learned.isEmpty, count == learned.count else { return }
        _ = info.keyLayout.storeIfNil(PickleKeyLayout(keys: learned))
    }
}

/// Everything one streaming encode shares: the writer, the open containers and the fallback flag.
final class PickleStreamState {
    @exclusivity(unchecked) var writer: PickleWriter
    let context: PickleEncodingContext
    /// The open containers, innermost last.
    @exclusivity(unchecked) var containers: [PickleStreamContainer] = []
    /// Whether the tree path must redo the encode.
    @exclusivity(unchecked) var aborted = false
    @exclusivity(unchecked) private var nextID = 1
    /// Values the tree encoder built and the writer wrote: kept alive to the end, as the writer's memo
    /// knows them by address.
    @exclusivity(unchecked) private var written: [PickleValue] = []
    @exclusivity(unchecked) private var spare: _PickleStreamEncoder?
    @exclusivity(unchecked) private var treeEncoder: _PickleEncoder?
    /// The writer's first output buffer and memo (``PickleWriter/Scratch``), one block for the state's life.
    private let scratch: UnsafeMutableRawBufferPointer

    /// A state whose writer dumps one value with options that passed ``PickleWriter/validate(_:)``.
    init(validated options: PicklerOptions, context: PickleEncodingContext) {
        scratch = PickleWriter.Scratch.allocate()
        writer = PickleWriter(validated: options, singleDump: true, scratch: scratch)
        self.context = context
    }

    deinit {
        // The writer is destroyed after this, but neither it nor its memo reads the scratch then: they free
        // only the blocks they allocated themselves once they outgrew it.
        PickleWriter.Scratch.free(scratch)
    }

    var proto: Int { writer.proto }

    /// Drops what refers back to the state (the spare encoder) and what the encode kept alive, once it is done.
    func release() {
        spare = nil
        treeEncoder = nil
        written = []
        containers = []
    }

    /// Marks the encode for the tree path; the error to throw.
    func fallBack() -> PickleStreamFallback {
        aborted = true
        return PickleStreamFallback()
    }

    /// The tree encoder, for values with a Python form of their own.
    var tree: _PickleEncoder {
        if let treeEncoder { return treeEncoder }
        let encoder = _PickleEncoder(context: context, path: .root)
        treeEncoder = encoder
        return encoder
    }

    // MARK: Values

    /// Writes `value`, found at `path`.
    @inline(__always)
    func encode<T: Encodable>(_ value: T, at path: @autoclosure () -> PickleCodingPath) throws {
        if let primitive = _PickleEncoder.primitive(value) {
            try save(primitive)
            return
        }
        try encodeComposite(value, at: path())
    }

    func encodeComposite<T: Encodable>(_ value: T, at path: @autoclosure () -> PickleCodingPath) throws {
        try encodeComposite(value, info: PickleEncodingInfo.of(T.self), at: path())
    }

    /// ``encodeComposite(_:at:)`` with the information on `T`, for the elements of an array, which share it.
    func encodeComposite<T: Encodable>(
        _ value: T, info: PickleEncodingInfo, at path: @autoclosure () -> PickleCodingPath
    ) throws {
        if aborted { throw PickleStreamFallback() }
        do {
            try encodeComposite(value, form: info, at: path())
        } catch {
            // Part of the value may be written already, and a type's code may catch the error (`try?`) and
            // go on, where the tree path would have dropped the whole value: the tree path redoes the encode
            // (and throws the same error, if nothing catches it).
            aborted = true
            throw error
        }
    }

    private func encodeComposite<T: Encodable>(
        _ value: T, form info: PickleEncodingInfo, at path: @autoclosure () -> PickleCodingPath
    ) throws {
        switch info.form {
        case .plain:
            var encoder: _PickleStreamEncoder
            if let spare {
                self.spare = nil
                encoder = spare
                encoder.reset(path: path(), info: info)
            } else {
                encoder = _PickleStreamEncoder(state: self, path: path(), info: info)
            }
            try value.encode(to: encoder)
            try encoder.finish()
            // Kept for the next value unless the type's code kept a reference to it.
            if isKnownUniquelyReferenced(&encoder) { spare = encoder }
        case .native(let native):
            if let streamed = info.streamed {
                try streamed.streamEncode(of: value, in: self, at: path())
            } else {
                let built = try native.pickleValue(of: value, in: tree, at: path())
                // A `PickleValue` of the caller's may hold a list or dict that its code changes later in
                // the encode: the tree writes what it holds at the end.
                if T.self == PickleValue.self, built.holdsSharedObjects { throw fallBack() }
                try saveBuilt(built)
            }
        case .pythonClass, .dynamic:
            try saveBuilt(try tree.wrapComposite(value, at: path()))
        }
    }

    /// Writes a value the stream made itself.
    @inline(__always)
    func save(_ value: PickleValue) throws {
        do {
            if case .string(let string) = value {
                try writer.saveStringValue(string)
            } else {
                try writer.save(value)
            }
        } catch {
            throw fallBack()
        }
    }

    /// Writes a `str`.
    @inline(__always)
    func save(_ string: String) throws {
        do {
            try writer.saveStringValue(string)
        } catch {
            throw fallBack()
        }
    }

    /// Writes a value the tree encoder built, keeping it alive to the end: the writer's memo knows
    /// objects, and tuples, by address.
    func saveBuilt(_ value: PickleValue) throws {
        written.append(value)
        try save(value)
        // Containers the build handed out belong to an earlier epoch from now on (see `lateWrite`).
        context.epoch += 1
    }

    /// The number of items of the open container `id`, counting a nested container it has open (the tree
    /// path counts one from its creation); `nil` once it is closed.
    func itemCount(of id: Int) -> Int? {
        guard let position = containers.lastIndex(where: { $0.id == id }) else { return nil }
        let nestedOpen = position + 1 < containers.count && containers[position + 1].isItem
        return containers[position].count + (nestedOpen ? 1 : 0)
    }

    // MARK: Containers

    /// Writes an empty dict or list and opens it; returns its ID.
    func open(dict: Bool, isItem: Bool, info: PickleEncodingInfo?) throws -> Int {
        try writeEmpty(dict: dict)
        let id = nextID
        nextID += 1
        containers.append(PickleStreamContainer(id: id, isDict: dict, isItem: isItem, info: info))
        return id
    }

    /// Makes the container `id` the innermost open one, closing those opened after it.
    @inline(__always)
    func activate(_ id: Int) throws {
        if aborted { throw PickleStreamFallback() }
        if let last = containers.last, last.id == id, !last.busy { return }
        try activateOuter(id)
    }

    private func activateOuter(_ id: Int) throws {
        guard let position = containers.lastIndex(where: { $0.id == id }),
            !containers[position...].contains(where: \.busy)
        else { throw fallBack() }
        while containers.count > position + 1 { closeInnermost() }
    }

    /// Closes the innermost container: its last batch's opcode, and its parent's item's end.
    func closeInnermost() {
        let container = containers.removeLast()
        let isDict = container.isDict
        if proto >= 1 {
            if container.count == 1 {
                writer.write(isDict ? .setitem : .append)
            } else if container.count > 1 {
                writer.write(isDict ? .setitems : .appends)
                // A dict whose last batch was full gets one more, empty, as CPython's batch_dict_exact.
                if isDict, container.count % PickleWriter.batchSize == 0 {
                    writer.write(.mark)
                    writer.write(.setitems)
                }
            }
        }
        writer.depth -= 1
        if isDict { container.learnLayout() }
        if container.isItem, let parent = containers.indices.last { endItem(parent) }
    }

    /// Closes the container `id` and any opened after it, at the end of the `encode(to:)` that made it.
    func close(_ id: Int) throws {
        try activate(id)
        closeInnermost()
    }

    /// Starts an item of the innermost container, which ``activate(_:)`` chose; its key, if any, has been
    /// admitted.
    @inline(__always)
    func beginItem(_ position: Int) throws {
        guard proto >= 1 else { return }
        let count = containers[position].count
        if count == 0 {
            containers[position].firstItem = writer.written
        } else if count == 1 {
            guard writer.insertMark(at: containers[position].firstItem) else { throw fallBack() }
        } else if count % PickleWriter.batchSize == 0 {
            writer.write(containers[position].isDict ? .setitems : .appends)
            writer.write(.mark)
        }
    }

    /// Ends an item of the container at `position`.
    @inline(__always)
    func endItem(_ position: Int) {
        containers[position].count += 1
        if proto == 0 { writer.write(containers[position].isDict ? .setitem : .append) }
    }

    /// Writes one item of the container `id`: the key, if a dict, then what `body` writes.
    @inline(__always)
    func writeItem(_ id: Int, key: String?, _ body: () throws -> Void) throws {
        let position = try beginItem(of: id, key: key)
        containers[position].busy = true
        try body()
        containers[position].busy = false
        endItem(position)
    }

    /// Writes one item of the container `id` that is an atom or a string: no code of the caller runs.
    @inline(__always)
    func writeItem(_ id: Int, key: String?, value: PickleValue) throws {
        let position = try beginItem(of: id, key: key)
        try save(value)
        endItem(position)
    }

    /// Starts an item of the container `id` that is a nested container, and opens it.
    func openNested(in id: Int, key: String?, dict: Bool) throws -> Int {
        _ = try beginItem(of: id, key: key)
        return try open(dict: dict, isItem: true, info: nil)
    }

    /// Makes the container `id` the innermost, admits `key` (a dict's) and writes it: what every item
    /// begins with. Returns the container's position in ``containers``.
    @inline(__always)
    private func beginItem(of id: Int, key: String?) throws -> Int {
        try activate(id)
        let position = containers.count - 1
        if let key {
            guard containers[position].admit(key) else { throw fallBack() }
        }
        try beginItem(position)
        if let key { try save(key) }
        return position
    }

    // MARK: Containers of known length

    /// Writes an empty dict or list, memoized, one level deeper: how the writer's `saveDict` and `saveList`
    /// begin. A container of known length then has each item between ``beforeKnownItem(_:of:)`` and
    /// ``afterKnownItem(_:of:dict:)``, and ends with ``closeKnown(count:dict:)``, as the writer's
    /// `writeListItems` and `writeDictItems` write them. (Calls rather than a closure: in generic code, a
    /// closure that captures the array or dictionary costs a runtime lookup of its type.)
    func writeEmpty(dict: Bool) throws {
        do {
            writer.frameBoundary()
            try writer.enterNesting()
            if proto >= 1 {
                writer.write(dict ? .emptyDict : .emptyList)
            } else {
                writer.write(.mark)
                writer.write(dict ? .dict : .list)
            }
            try writer.memoizeAnonymous()
        } catch {
            throw fallBack()
        }
    }

    @inline(__always)
    func beforeKnownItem(_ index: Int, of count: Int) {
        if proto >= 1, count > 1, index % PickleWriter.batchSize == 0 { writer.write(.mark) }
    }

    @inline(__always)
    func afterKnownItem(_ index: Int, of count: Int, dict: Bool) {
        if proto == 0 || count == 1 {
            writer.write(dict ? .setitem : .append)
        } else if index == count - 1 || index % PickleWriter.batchSize == PickleWriter.batchSize - 1 {
            writer.write(dict ? .setitems : .appends)
        }
    }

    /// Writes `items` as the items of the list just opened: what
    /// ``beforeKnownItem(_:of:)``, ``save(_:)-(PickleValue)`` and ``afterKnownItem(_:of:dict:)`` write for
    /// each, in one loop over the array's memory, batch by batch.
    func saveItems<Atom: PickleStreamAtom>(_ items: [Atom]) throws {
        let count = items.count
        guard proto >= 1, count > 1, writer.plainAtoms else {
            for index in 0..<count {
                beforeKnownItem(index, of: count)
                try save(items[index].pickleValue)
                afterKnownItem(index, of: count, dict: false)
            }
            return
        }
        items.withUnsafeBufferPointer { items in
            var start = 0
            while start < count {
                let end = min(start + PickleWriter.batchSize, count)
                writer.write(.mark)
                for index in start..<end {
                    writer.frameBoundary()
                    items[index].save(into: &writer)
                }
                writer.write(.appends)
                start = end
            }
        }
    }

    /// Ends a container of known length. After a full last batch, CPython's `batch_dict_exact` writes one
    /// more, empty (its `batch_list_exact` does not).
    func closeKnown(count: Int, dict: Bool) {
        if dict, proto >= 1, count > 1, count % PickleWriter.batchSize == 0 {
            writer.write(.mark)
            writer.write(.setitems)
        }
        writer.depth -= 1
    }
}

// MARK: - The Encoder

/// The `Encoder` of a streaming encode: one per value being encoded (reused once done), writing into
/// the shared ``PickleStreamState``.
final class _PickleStreamEncoder: Encoder, SingleValueEncodingContainer {
    let state: PickleStreamState
    @exclusivity(unchecked) var path: PickleCodingPath
    @exclusivity(unchecked) private var info: PickleEncodingInfo?
    /// The container this encoder's value opened, or 0.
    @exclusivity(unchecked) private var containerID = 0
    @exclusivity(unchecked) private var containerIsDict = false
    @exclusivity(unchecked) private var wroteValue = false
    /// Whether the value is written: a type's code that kept the encoder cannot write to it any more.
    @exclusivity(unchecked) private var finished = false

    init(state: PickleStreamState, path: PickleCodingPath, info: PickleEncodingInfo?) {
        self.state = state
        self.path = path
        self.info = info
    }

    func reset(path: PickleCodingPath, info: PickleEncodingInfo?) {
        self.path = path
        self.info = info
        containerID = 0
        wroteValue = false
        finished = false
    }

    var codingPath: [any CodingKey] { path.keys }

    var userInfo: [CodingUserInfoKey: Any] { state.context.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if containerID != 0, containerIsDict {
            return KeyedEncodingContainer(PickleStreamKeyedContainer(state: state, id: containerID, path: path))
        }
        guard containerID == 0, !wroteValue, !finished, !state.aborted,
            let id = try? state.open(dict: true, isItem: false, info: info)
        else { return discarded(keyedBy: type) }
        containerID = id
        containerIsDict = true
        return KeyedEncodingContainer(PickleStreamKeyedContainer(state: state, id: id, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if containerID != 0, !containerIsDict {
            return PickleStreamUnkeyedContainer(state: state, id: containerID, path: path)
        }
        guard containerID == 0, !wroteValue, !finished, !state.aborted,
            let id = try? state.open(dict: false, isItem: false, info: nil)
        else {
            _ = state.fallBack()
            return _PickleEncoder(context: state.context, path: path).unkeyedContainer()
        }
        containerID = id
        containerIsDict = false
        return PickleStreamUnkeyedContainer(state: state, id: id, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    /// A container whose writes go nowhere, for a use of the encoder the stream gives up on.
    private func discarded<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        _ = state.fallBack()
        return _PickleEncoder(context: state.context, path: path).container(keyedBy: type)
    }

    /// Ends the value: closes its container, or writes `{}` for a value that encoded nothing, as
    /// `JSONEncoder` and the tree path do.
    func finish() throws {
        finished = true
        if containerID != 0 {
            try state.close(containerID)
        } else if !wroteValue {
            let id = try state.open(dict: true, isItem: false, info: nil)
            try state.close(id)
        }
    }

    /// Writes the one value of a single-value container.
    @inline(__always)
    private func write(_ body: () throws -> Void) throws {
        guard containerID == 0, !wroteValue, !finished, !state.aborted else { throw state.fallBack() }
        wroteValue = true
        try body()
    }

    func encodeNil() throws { try write { try state.save(.none) } }
    func encode(_ value: Bool) throws { try write { try state.save(.bool(value)) } }
    func encode(_ value: String) throws { try write { try state.save(.string(value)) } }
    func encode(_ value: Double) throws { try write { try state.save(.float(value)) } }
    func encode(_ value: Float) throws { try write { try state.save(.float(Double(value))) } }
    func encode(_ value: Int) throws { try write { try state.save(.int(value)) } }
    func encode(_ value: Int8) throws { try write { try state.save(.int(Int(value))) } }
    func encode(_ value: Int16) throws { try write { try state.save(.int(Int(value))) } }
    func encode(_ value: Int32) throws { try write { try state.save(.int(Int(value))) } }
    func encode(_ value: Int64) throws { try write { try state.save(.integer(exactly: value)) } }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func encode(_ value: Int128) throws { try write { try state.save(.integer(exactly: value)) } }
    func encode(_ value: UInt) throws { try write { try state.save(.integer(exactly: value)) } }
    func encode(_ value: UInt8) throws { try write { try state.save(.int(Int(value))) } }
    func encode(_ value: UInt16) throws { try write { try state.save(.int(Int(value))) } }
    func encode(_ value: UInt32) throws { try write { try state.save(.integer(exactly: value)) } }
    func encode(_ value: UInt64) throws { try write { try state.save(.integer(exactly: value)) } }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func encode(_ value: UInt128) throws { try write { try state.save(.integer(exactly: value)) } }
    func encode<T: Encodable>(_ value: T) throws { try write { try state.encode(value, at: path) } }
}

// MARK: - Keyed container

/// A keyed container of a streaming encode: each field is written as it comes, key then value.
struct PickleStreamKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let state: PickleStreamState
    let id: Int
    let path: PickleCodingPath

    var codingPath: [any CodingKey] { path.keys }

    @inline(__always)
    private func set(_ value: PickleValue, for key: Key) throws {
        try state.writeItem(id, key: key.stringValue, value: value)
    }

    mutating func encodeNil(forKey key: Key) throws { try set(.none, for: key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try set(.bool(value), for: key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try set(.string(value), for: key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try set(.float(value), for: key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try set(.float(Double(value)), for: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try set(.int(value), for: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try set(.int(Int(value)), for: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try set(.int(Int(value)), for: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try set(.int(Int(value)), for: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try set(.integer(exactly: value), for: key) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: Int128, forKey key: Key) throws { try set(.integer(exactly: value), for: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try set(.integer(exactly: value), for: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try set(.int(Int(value)), for: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try set(.int(Int(value)), for: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try set(.integer(exactly: value), for: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try set(.integer(exactly: value), for: key) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: UInt128, forKey key: Key) throws { try set(.integer(exactly: value), for: key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let primitive = _PickleEncoder.primitive(value) { return try set(primitive, for: key) }
        let path = path
        let state = state
        try state.writeItem(id, key: key.stringValue) { try state.encodeComposite(value, at: path.appending(key)) }
    }

    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        try set(value.map { .bool($0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        try set(value.map { .string($0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        try set(value.map { .float($0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws {
        try set(value.map { .float(Double($0)) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
        try set(value.map { .int($0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws {
        try set(value.map { .int(Int($0)) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws {
        try set(value.map { .int(Int($0)) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws {
        try set(value.map { .int(Int($0)) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws {
        try set(value.map { .integer(exactly: $0) } ?? .none, for: key)
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encodeIfPresent(_ value: Int128?, forKey key: Key) throws {
        try set(value.map { .integer(exactly: $0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws {
        try set(value.map { .integer(exactly: $0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws {
        try set(value.map { .int(Int($0)) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws {
        try set(value.map { .int(Int($0)) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws {
        try set(value.map { .integer(exactly: $0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws {
        try set(value.map { .integer(exactly: $0) } ?? .none, for: key)
    }

    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encodeIfPresent(_ value: UInt128?, forKey key: Key) throws {
        try set(value.map { .integer(exactly: $0) } ?? .none, for: key)
    }

    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        guard let value else { return try set(.none, for: key) }
        try encode(value, forKey: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nestedPath = path.appending(key)
        guard let nested = try? state.openNested(in: id, key: key.stringValue, dict: true) else {
            _ = state.fallBack()
            return _PickleEncoder(context: state.context, path: nestedPath).container(keyedBy: keyType)
        }
        return KeyedEncodingContainer(PickleStreamKeyedContainer<NestedKey>(state: state, id: nested, path: nestedPath))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nestedPath = path.appending(key)
        guard let nested = try? state.openNested(in: id, key: key.stringValue, dict: false) else {
            _ = state.fallBack()
            return _PickleEncoder(context: state.context, path: nestedPath).unkeyedContainer()
        }
        return PickleStreamUnkeyedContainer(state: state, id: nested, path: nestedPath)
    }

    // A super encoder's value lands in its slot only once encoded, after the keys written meanwhile:
    // the tree path writes it.
    mutating func superEncoder() -> any Encoder {
        _ = state.fallBack()
        return _PickleEncoder(context: state.context, path: path.appending(PickleCodingKey.superKey))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        _ = state.fallBack()
        return _PickleEncoder(context: state.context, path: path.appending(key))
    }
}

// MARK: - Unkeyed container

/// An unkeyed container of a streaming encode: each element is written as it comes.
struct PickleStreamUnkeyedContainer: UnkeyedEncodingContainer {
    let state: PickleStreamState
    let id: Int
    let path: PickleCodingPath

    init(state: PickleStreamState, id: Int, path: PickleCodingPath) {
        self.state = state
        self.id = id
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }

    /// The list's items so far, however many containers write to it (the encoder's `unkeyedContainer()`
    /// gives the same list each time).
    var count: Int {
        guard let count = state.itemCount(of: id) else {
            _ = state.fallBack()  // a closed list: the tree path knows what it holds
            return 0
        }
        return count
    }

    @inline(__always)
    private mutating func append(_ value: PickleValue) throws {
        try state.writeItem(id, key: nil, value: value)
    }

    mutating func encodeNil() throws { try append(.none) }
    mutating func encode(_ value: Bool) throws { try append(.bool(value)) }
    mutating func encode(_ value: String) throws { try append(.string(value)) }
    mutating func encode(_ value: Double) throws { try append(.float(value)) }
    mutating func encode(_ value: Float) throws { try append(.float(Double(value))) }
    mutating func encode(_ value: Int) throws { try append(.int(value)) }
    mutating func encode(_ value: Int8) throws { try append(.int(Int(value))) }
    mutating func encode(_ value: Int16) throws { try append(.int(Int(value))) }
    mutating func encode(_ value: Int32) throws { try append(.int(Int(value))) }
    mutating func encode(_ value: Int64) throws { try append(.integer(exactly: value)) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: Int128) throws { try append(.integer(exactly: value)) }
    mutating func encode(_ value: UInt) throws { try append(.integer(exactly: value)) }
    mutating func encode(_ value: UInt8) throws { try append(.int(Int(value))) }
    mutating func encode(_ value: UInt16) throws { try append(.int(Int(value))) }
    mutating func encode(_ value: UInt32) throws { try append(.integer(exactly: value)) }
    mutating func encode(_ value: UInt64) throws { try append(.integer(exactly: value)) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: UInt128) throws { try append(.integer(exactly: value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let primitive = _PickleEncoder.primitive(value) { return try append(primitive) }
        let elementPath = path.appending(index: count)
        let state = state
        try state.writeItem(id, key: nil) { try state.encodeComposite(value, at: elementPath) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let nestedPath = path.appending(index: count)
        guard let nested = try? state.openNested(in: id, key: nil, dict: true) else {
            _ = state.fallBack()
            return _PickleEncoder(context: state.context, path: nestedPath).container(keyedBy: keyType)
        }
        return KeyedEncodingContainer(PickleStreamKeyedContainer<NestedKey>(state: state, id: nested, path: nestedPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nestedPath = path.appending(index: count)
        guard let nested = try? state.openNested(in: id, key: nil, dict: false) else {
            _ = state.fallBack()
            return _PickleEncoder(context: state.context, path: nestedPath).unkeyedContainer()
        }
        return PickleStreamUnkeyedContainer(state: state, id: nested, path: nestedPath)
    }

    mutating func superEncoder() -> any Encoder {
        _ = state.fallBack()
        return _PickleEncoder(context: state.context, path: path.appending(index: count))
    }
}

// MARK: - Arrays and optionals

/// A type with a Python form of its own that the stream writes without building it: arrays (as lists)
/// and optionals.
protocol PickleStreamEncodable {
    /// Writes the value, found at `path`.
    func streamEncode(in state: PickleStreamState, at path: @autoclosure () -> PickleCodingPath) throws
}

extension PickleStreamEncodable {
    static func streamEncode<T>(
        of value: T, in state: PickleStreamState, at path: @autoclosure () -> PickleCodingPath
    ) throws {
        assert(T.self == Self.self, "\(T.self) is not \(Self.self)")
        try withUnsafePointer(to: value) { pointer in
            try UnsafeRawPointer(pointer).assumingMemoryBound(to: Self.self).pointee.streamEncode(in: state, at: path())
        }
    }
}

extension Array: PickleStreamEncodable where Element: Encodable {
    /// `[UInt8]` as `bytes`; any other array as the list the tree path builds.
    func streamEncode(in state: PickleStreamState, at path: @autoclosure () -> PickleCodingPath) throws {
        if let bytes = ofElements(UInt8.self) { return try state.save(.bytes(bytes)) }
        let count = count
        try state.writeEmpty(dict: false)
        if let integers = ofElements(Int.self) {
            try state.saveItems(integers)
        } else if let strings = ofElements(String.self) {
            for index in 0..<count {
                state.beforeKnownItem(index, of: count)
                try state.save(strings[index])
                state.afterKnownItem(index, of: count, dict: false)
            }
        } else if let doubles = ofElements(Double.self) {
            try state.saveItems(doubles)
        } else if _PickleEncoder.isPrimitive(Element.self) {
            for index in 0..<count {
                state.beforeKnownItem(index, of: count)
                try state.save(_PickleEncoder.primitive(self[index]) ?? .none)
                state.afterKnownItem(index, of: count, dict: false)
            }
        } else {
            // The elements share a type: what the stream knows of it is worked out once for the array.
            let info = PickleEncodingInfo.of(Element.self)
            for index in 0..<count {
                state.beforeKnownItem(index, of: count)
                try state.encodeComposite(self[index], info: info, at: path().appending(index: index))
                state.afterKnownItem(index, of: count, dict: false)
            }
        }
        state.closeKnown(count: count, dict: false)
    }
}

extension Optional: PickleStreamEncodable where Wrapped: Encodable {
    /// `None`, or the wrapped value.
    func streamEncode(in state: PickleStreamState, at path: @autoclosure () -> PickleCodingPath) throws {
        guard let wrapped = self else { return try state.save(.none) }
        try state.encode(wrapped, at: path())
    }
}

extension Dictionary: PickleStreamEncodable where Key: Encodable, Value: Encodable {
    /// A dictionary with `String` or `Int` keys as the dict the tree path builds, in the dictionary's
    /// order; with keys of another type, the tree path's dict (a key's Python form is only known once
    /// encoded, and two keys may turn out to be the same Python key).
    func streamEncode(in state: PickleStreamState, at path: @autoclosure () -> PickleCodingPath) throws {
        guard Key.self == String.self || Key.self == Int.self else {
            return try state.saveBuilt(try pickleValue(in: state.tree, at: path()))
        }
        // Iterating a dictionary in generic code goes through the runtime for every entry: the common
        // dictionaries are written by code specialized for them.
        switch CommonDictionary(key: Key.self, value: Value.self) {
        case .stringToString:
            try streamDictionary(unsafeBitCast(self, to: [String: String].self), in: state, at: path())
        case .stringToInt:
            try streamDictionary(unsafeBitCast(self, to: [String: Int].self), in: state, at: path())
        case .stringToDouble:
            try streamDictionary(unsafeBitCast(self, to: [String: Double].self), in: state, at: path())
        case .stringToBool:
            try streamDictionary(unsafeBitCast(self, to: [String: Bool].self), in: state, at: path())
        case .stringToOptionalString:
            try streamDictionary(unsafeBitCast(self, to: [String: String?].self), in: state, at: path())
        case .stringToOptionalInt:
            try streamDictionary(unsafeBitCast(self, to: [String: Int?].self), in: state, at: path())
        case .stringToOptionalDouble:
            try streamDictionary(unsafeBitCast(self, to: [String: Double?].self), in: state, at: path())
        case .stringToOptionalBool:
            try streamDictionary(unsafeBitCast(self, to: [String: Bool?].self), in: state, at: path())
        case .intToString:
            try streamDictionary(unsafeBitCast(self, to: [Int: String].self), in: state, at: path())
        case .intToInt:
            try streamDictionary(unsafeBitCast(self, to: [Int: Int].self), in: state, at: path())
        case .intToDouble:
            try streamDictionary(unsafeBitCast(self, to: [Int: Double].self), in: state, at: path())
        case .intToBool:
            try streamDictionary(unsafeBitCast(self, to: [Int: Bool].self), in: state, at: path())
        case .intToOptionalString:
            try streamDictionary(unsafeBitCast(self, to: [Int: String?].self), in: state, at: path())
        case .intToOptionalInt:
            try streamDictionary(unsafeBitCast(self, to: [Int: Int?].self), in: state, at: path())
        case .intToOptionalDouble:
            try streamDictionary(unsafeBitCast(self, to: [Int: Double?].self), in: state, at: path())
        case .intToOptionalBool:
            try streamDictionary(unsafeBitCast(self, to: [Int: Bool?].self), in: state, at: path())
        case nil: try streamDictionary(self, in: state, at: path())
        }
    }
}

/// Writes `dictionary`, whose keys are `String` or `Int`, as the writer's `writeDictItems` writes a dict.
private func streamDictionary<K: Encodable, V: Encodable>(
    _ dictionary: [K: V], in state: PickleStreamState, at path: @autoclosure () -> PickleCodingPath
) throws {
    let stringKeys = K.self == String.self
    let count = dictionary.count
    try state.writeEmpty(dict: true)
    let primitiveValues = _PickleEncoder.isPrimitive(V.self)
    let info = primitiveValues ? nil : PickleEncodingInfo.of(V.self)
    var index = 0
    for (key, value) in dictionary {
        state.beforeKnownItem(index, of: count)
        let codingKey: PickleCodingKey
        if stringKeys {
            let name = unsafeBitCast(key, to: String.self)
            try state.save(name)
            codingKey = PickleCodingKey(stringValue: name)
        } else {
            let integer = unsafeBitCast(key, to: Int.self)
            try state.save(.int(integer))
            codingKey = PickleCodingKey(intValue: integer)
        }
        if let info {
            try state.encodeComposite(value, info: info, at: path().appending(codingKey))
        } else {
            try state.save(_PickleEncoder.primitive(value) ?? .none)
        }
        state.afterKnownItem(index, of: count, dict: true)
        index += 1
    }
    state.closeKnown(count: count, dict: true)
}

extension PickleValue {
    /// Whether the value holds an object that code outside the encode could change while it runs: a
    /// list, dict, set, bytearray or object, or a frozenset, at any depth of tuples.
    var holdsSharedObjects: Bool {
        switch self {
        case .none, .bool, .int, .bigInt, .float, .complex, .string, .surrogateString, .bytes, .global: false
        case .tuple(let elements): elements.contains { $0.holdsSharedObjects }
        default: true
        }
    }
}

/// An `Int` or a `Double`, which ``PickleStreamState/saveItems(_:)`` writes in a loop of its own.
protocol PickleStreamAtom {
    /// The value as a Python value.
    var pickleValue: PickleValue { get }
    /// Writes the value right after the writer's `frameBoundary()`.
    func save(into writer: inout PickleWriter)
}

extension Int: PickleStreamAtom {
    var pickleValue: PickleValue { .int(self) }
    @inline(__always)
    func save(into writer: inout PickleWriter) { writer.saveAtom(self) }
}

extension Double: PickleStreamAtom {
    var pickleValue: PickleValue { .float(self) }
    @inline(__always)
    func save(into writer: inout PickleWriter) { writer.saveAtom(self) }
}
