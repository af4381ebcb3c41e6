extension GDBMFile {
    /// Modifiers for opening a GDBM file.
    ///
    /// ```swift
    /// let db = try GDBMFile(path: "index.db", mode: .readOnly, options: [.noMemoryMapping, .closeOnExec])
    /// ```
    ///
    /// This module never creates files in gdbm's extended "numsync" format (`GDBM_NUMSYNC`): Python's
    /// `dbm.whichdb` does not recognise it, so a shelf in that format would not open in Python.
    public struct Options: OptionSet, Sendable, Hashable {
        /// The bits of the options, private to this module (they are not gdbm's flag values).
        public let rawValue: UInt32

        /// Creates options from bits returned by ``rawValue``.
        ///
        /// - Parameter rawValue: The bits of a set of options.
        public init(rawValue: UInt32) {
            self.rawValue = rawValue
        }

        /// Writes every change to disk before the call that made it returns.
        ///
        /// Much slower, and no substitute for ``GDBMFile/sync()`` at points where the data are consistent.
        /// Has no effect on a read-only handle. The corresponding C flag is `GDBM_SYNC`, like Python's `'s'`.
        public static let synchronous = Options(rawValue: 1 << 0)

        /// Takes no lock on the file.
        ///
        /// Use it only when something else guarantees that no two handles write the file at once, for example
        /// your own lock on ``GDBMFile/fileDescriptor``. Without locks a second handle on the same file in this
        /// process also opens. The corresponding C flag is `GDBM_NOLOCK`, like Python's `'u'`.
        public static let noLocking = Options(rawValue: 1 << 1)

        /// Reads and writes the file with system calls instead of mapping it into memory.
        ///
        /// Slower, but avoids `SIGBUS` if the file could be truncated underneath the process. The
        /// corresponding C flag is `GDBM_NOMMAP`.
        public static let noMemoryMapping = Options(rawValue: 1 << 2)

        /// Closes the file descriptor in child processes started with `exec`.
        ///
        /// The lock belongs to the open file description, so without this flag a child process that inherits
        /// the descriptor keeps the file locked after this handle closes it. The corresponding C flag is
        /// `GDBM_CLOEXEC`.
        public static let closeOnExec = Options(rawValue: 1 << 3)

        /// Checks the file's structures thoroughly while opening it, so corruption is reported by the open
        /// rather than by a later read.
        ///
        /// Slows down opening large files. The corresponding C flag is `GDBM_XVERIFY`.
        public static let verifyOnOpen = Options(rawValue: 1 << 4)

        /// Reads the whole memory-mapped file at open time.
        ///
        /// Worth it only for a read-only handle that will do many lookups. Has no effect with
        /// ``noMemoryMapping``. The corresponding C flag is `GDBM_PREREAD`.
        public static let preread = Options(rawValue: 1 << 5)
    }
}
