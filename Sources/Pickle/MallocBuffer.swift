#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Uninitialized buffers from `malloc`, for the pickler's and unpickler's own growing tables.
///
/// `UnsafeMutablePointer.allocate` asks the Swift runtime for a block of explicitly "default" alignment,
/// which on Linux it serves with `posix_memalign`: a detour of some 45 instructions per block around the
/// `malloc` that then serves it, paid by every `Pickler.dumps` three times over. `malloc`'s blocks are
/// aligned for any of the element types used here (at most 16 bytes on every platform Swift runs on).
enum MallocBuffer {
    /// A block for `capacity` (at least 1) elements of `type`, uninitialized; free it with ``free(_:)``.
    @inline(__always)
    static func allocate<Element>(_ type: Element.Type, capacity: Int) -> UnsafeMutablePointer<Element> {
        allocateBytes(capacity, stride: MemoryLayout<Element>.stride).bindMemory(to: Element.self, capacity: capacity)
    }

    /// ``allocate(_:capacity:)`` for `byteCount` bytes.
    @inline(__always)
    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        allocateBytes(byteCount, stride: 1)
    }

    /// Frees a block from ``allocate(_:capacity:)`` or ``allocate(byteCount:)``, whose elements the caller
    /// has deinitialized.
    @inline(__always)
    static func free(_ block: UnsafeMutableRawPointer) {
        #if canImport(Darwin)
        Darwin.free(block)
        #elseif canImport(Glibc)
        Glibc.free(block)
        #elseif canImport(Musl)
        Musl.free(block)
        #endif
    }

    /// Moves the `count` initialized entries of `block` (which holds room for at least that many) to a block
    /// of `capacity` entries, keeping them initialized and in order; the old block is freed.
    ///
    /// `realloc` moves the bytes, which is how Swift moves any value without weak references or C++ members:
    /// a ``PickleValue`` holds only strong references, strings, arrays and integers. Where the block can grow
    /// in place, or is a mapping the kernel can move, nothing is copied and pages already written are not
    /// faulted in again, as they are by a new block that the entries are copied into.
    static func reallocate(
        _ block: UnsafeMutablePointer<UnpicklerStackEntry>, capacity: Int
    ) -> UnsafeMutablePointer<UnpicklerStackEntry> {
        reallocateBytes(block, capacity, stride: MemoryLayout<UnpicklerStackEntry>.stride)
            .bindMemory(to: UnpicklerStackEntry.self, capacity: capacity)
    }

    /// Gives the `count` initialized elements of `block` a block of `capacity` elements, keeping them in order,
    /// and returns it: with `realloc` when `block` is one of these blocks (`owned`), which frees it; otherwise (a
    /// first block the caller keeps on its stack) by moving them into a new block, leaving `block` to the caller.
    ///
    /// For the tables' element types only, which `realloc` may move bitwise (see ``reallocate(_:capacity:)``).
    @inline(__always)
    static func grow<Element>(
        _ block: UnsafeMutablePointer<Element>, count: Int, capacity: Int, owned: Bool
    ) -> UnsafeMutablePointer<Element> {
        guard owned else {
            let moved = allocate(Element.self, capacity: capacity)
            moved.moveInitialize(from: block, count: count)
            return moved
        }
        return reallocateBytes(block, capacity, stride: MemoryLayout<Element>.stride)
            .bindMemory(to: Element.self, capacity: capacity)
    }

    /// `realloc` of `block` to `count` (at least 1) elements of `stride` bytes; sized, like
    /// ``allocateBytes(_:stride:)``, from what the caller already holds.
    private static func reallocateBytes(
        _ block: UnsafeMutableRawPointer, _ count: Int, stride: Int
    ) -> UnsafeMutableRawPointer {
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: stride)
        // As in allocateBytes: no input makes the size overflow, and realloc fails only without memory.
        guard !overflow, let moved = realloc(block, bytes) else {
            fatalError("out of memory for a block of \(count) × \(stride) bytes")
        }
        return moved
    }

    private static func allocateBytes(_ count: Int, stride: Int) -> UnsafeMutableRawPointer {
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: stride)
        // Every caller sizes its block from what it already holds (a table twice as large, a stack one entry
        // per input byte at most), so no input makes the size overflow; malloc fails only when memory is
        // exhausted, where Swift's own allocations (an array's growth) trap too.
        guard !overflow, let block = malloc(bytes) else {
            fatalError("out of memory for a block of \(count) × \(stride) bytes")
        }
        return block
    }
}
