#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a whole file named on the command line, or standard input for `-`.
enum InputFile {
    /// The bytes of the file at `path`, or of standard input when `path` is `-`.
    ///
    /// - Throws: ``CLIError`` with ``ExitStatus/fileNotFound``, ``ExitStatus/permissionDenied`` or
    ///   ``ExitStatus/failure`` (a directory, a read error).
    static func read(_ path: String) throws(CLIError) -> [UInt8] {
        if path == "-" { return try readAll(from: 0, path: "standard input") }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw error(path, errno) }
        defer { close(descriptor) }
        return try readAll(from: descriptor, path: path)
    }

    private static func readAll(from descriptor: Int32, path: String) throws(CLIError) -> [UInt8] {
        var bytes: [UInt8] = []
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG {
            bytes.reserveCapacity(Int(status.st_size))
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw error(path, errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// The failure for `code`, an `errno` from opening or reading `path`.
    static func error(_ path: String, _ code: Int32) -> CLIError {
        switch code {
        case ENOENT, ENOTDIR: CLIError(.fileNotFound, "cannot open '\(path)': no such file")
        case EACCES, EPERM: CLIError(.permissionDenied, "cannot open '\(path)': permission denied")
        case EISDIR: CLIError(.failure, "cannot read '\(path)': it is a directory")
        default: CLIError(.failure, "cannot read '\(path)': \(String(cString: strerror(code)))")
        }
    }
}

/// The `read(2)` system call.
func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
    #else
        Darwin.read(descriptor, buffer, count)
    #endif
}
