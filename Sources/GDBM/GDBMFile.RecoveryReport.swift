extension GDBMFile {
    /// What ``GDBMFile/recover(force:keepingBackup:maxFailedKeys:maxFailedBuckets:maxFailures:)`` did.
    ///
    /// ```swift
    /// let report = try db.recover(keepingBackup: true)
    /// print("kept \(report.recoveredKeys) keys, lost \(report.failedKeys)")
    /// ```
    public struct RecoveryReport: Sendable, Hashable {
        /// The number of records copied into the rebuilt database.
        public var recoveredKeys: Int

        /// The number of index buckets read successfully.
        public var recoveredBuckets: Int

        /// The number of records that could not be read and are lost.
        public var failedKeys: Int

        /// The number of index buckets that could not be read or held bogus data.
        public var failedBuckets: Int

        /// The number of keys found more than once; only one record of each is kept.
        public var duplicateKeys: Int

        /// The path of the copy of the file as it was before recovery, if a backup was requested and made.
        public var backupPath: String?

        /// Creates a report.
        ///
        /// - Parameters:
        ///   - recoveredKeys: The number of records kept.
        ///   - recoveredBuckets: The number of buckets read.
        ///   - failedKeys: The number of records lost.
        ///   - failedBuckets: The number of buckets that could not be read.
        ///   - duplicateKeys: The number of keys seen more than once.
        ///   - backupPath: Where the old file was saved, if anywhere.
        public init(
            recoveredKeys: Int = 0, recoveredBuckets: Int = 0, failedKeys: Int = 0, failedBuckets: Int = 0,
            duplicateKeys: Int = 0, backupPath: String? = nil
        ) {
            self.recoveredKeys = recoveredKeys
            self.recoveredBuckets = recoveredBuckets
            self.failedKeys = failedKeys
            self.failedBuckets = failedBuckets
            self.duplicateKeys = duplicateKeys
            self.backupPath = backupPath
        }
    }
}
