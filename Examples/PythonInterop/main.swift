// PythonInterop: write a shelf in Swift and read it with Python's shelve, then the other way round.
//
//     swift run PythonInterop [directory]   (default: the temporary directory)
//
// Needs a python3 that can import dbm.gnu: /usr/bin/python3 is tried first, then every python3 on PATH.

import Foundation
import Shelve

/// A python3 that can import `dbm.gnu`, or `nil`.
func findPython() -> String? {
    var candidates = ["/usr/bin/python3", "/usr/local/bin/python3", "/opt/homebrew/bin/python3"]
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        candidates.append("\(directory)/python3")
    }
    for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
        if let status = try? run(candidate, ["-c", "import dbm.gnu, shelve"]).status, status == 0 {
            return candidate
        }
    }
    return nil
}

/// Prints `message` and exits with status 1.
func fail(_ message: String) -> Never {
    print("error: \(message)")
    exit(1)
}

/// Runs a program and returns its exit status and standard output.
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.standardError
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

guard let python = findPython() else {
    print(
        """
        No python3 with the dbm.gnu module was found. Install it and run again:
          Debian/Ubuntu:  sudo apt-get install python3-gdbm
          Fedora:         sudo dnf install python3-libs   (dbm.gnu is included)
          macOS:          brew install python-gdbm@3.12   (match your Python version)
        """)
    exit(2)
}

let directory = CommandLine.arguments.dropFirst().first ?? NSTemporaryDirectory()
let swiftPath = (directory as NSString).appendingPathComponent("from-swift.db")
let pythonPath = (directory as NSString).appendingPathComponent("from-python.db")

do {
    // 1. Swift writes a shelf: a shared list appears twice, as one object.
    let shelf = try Shelf(path: swiftPath, mode: .newShelf, protocol: 4)
    let tags = PickleList(["red", "round"])
    shelf["apple"] = ["price": 0.5, "tags": .list(tags), "again": .list(tags)]
    shelf["count"] = 3
    shelf["blob"] = .bytes([0, 1, 2, 255])
    try shelf.close()

    let reading = try run(
        python,
        [
            "-c",
            """
            import dbm, shelve, sys
            print('python sees a', dbm.whichdb(sys.argv[1]), 'file')
            with shelve.open(sys.argv[1], 'r') as s:
                for key in sorted(s):
                    print(' ', key, '=', repr(s[key]))
                apple = s['apple']
                print('  shared list kept:', apple['tags'] is apple['again'])
            """, swiftPath,
        ])
    guard reading.status == 0 else { fail("python could not read \(swiftPath)") }
    print("Swift wrote, Python read:")
    print(reading.output, terminator: "")

    // 2. Python writes a shelf; Swift reads it.
    let writing = try run(
        python,
        [
            "-c",
            """
            import dbm.gnu, shelve, sys
            with shelve.Shelf(dbm.gnu.open(sys.argv[1], 'n')) as s:
                s['greeting'] = 'hello from Python'
                s['numbers'] = [1, 2, 3, 2**70]
                s['point'] = {'x': 1.5, 'y': -2.0}
            """, pythonPath,
        ])
    guard writing.status == 0 else { fail("python could not write \(pythonPath)") }

    let fromPython = try Shelf(path: pythonPath, mode: .readOnly)
    print("Python wrote, Swift read:")
    for key in try fromPython.keys().sorted() {
        print("  \(key) = \(try fromPython.value(forKey: key).map(describe) ?? "-")")
    }
    try fromPython.close()
} catch {
    print("error: \(error)")
    exit(1)
}

/// A short description of a value, without relying on a repr.
func describe(_ value: PickleValue) -> String {
    switch value {
    case .string(let text): return "\"\(text)\""
    case .int(let number): return "\(number)"
    case .bigInt(let number): return "\(number)"
    case .float(let number): return "\(number)"
    case .list(let list): return "[" + list.map(describe).joined(separator: ", ") + "]"
    case .dict(let dict):
        return "{" + dict.map { "\(describe($0.key)): \(describe($0.value))" }.joined(separator: ", ") + "}"
    default: return value.pythonTypeName
    }
}
