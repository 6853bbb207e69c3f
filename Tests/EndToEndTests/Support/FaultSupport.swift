import CSQLite
import Foundation
import Testing

/// Helpers for the fault-injection tests: strace runs and their logs, runs as another user, files
/// compared byte for byte, a writable SQLite handle for setting up broken stores.
enum Fault {
    static let strace = "/usr/bin/strace"
    static let setpriv = "/usr/bin/setpriv"
    /// `nobody`: an unprivileged user, so file permissions apply (root ignores them).
    static let nobody: uid_t = 65534

    /// The arguments that make `setpriv` run the binary as `nobody`.
    static func asNobody(_ arguments: [String]) -> [String] {
        ["--reuid=65534", "--regid=65534", "--clear-groups", CardUploadBinary.url.path] + arguments
    }

    /// `strace` is required: a fault test that cannot inject fails (TESTING.md), it never skips.
    static func requireStrace() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: strace),
            "\(strace) is missing: install strace (Debian package `strace`) — fault tests cannot inject without it")
    }

    static func requireSetpriv() throws {
        try #require(FileManager.default.isExecutableFile(atPath: setpriv), "\(setpriv) is missing (util-linux)")
    }

    /// Runs the binary under `strace -f -o log` with `straceOptions` (trace/inject expressions).
    static func runTraced(
        _ arguments: [String], straceOptions: [String], log: String, in directory: URL
    ) throws -> CardUploadBinary.Result {
        try requireStrace()
        return try CardUploadBinary.run(
            ["-f", "-o", log] + straceOptions + [CardUploadBinary.url.path] + arguments,
            in: directory, executable: strace)
    }

    /// The lines of an strace log.
    static func logLines(_ log: String) throws -> [String] {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: log)), as: UTF8.self)
            .split(separator: "\n").map(String.init)
    }

    /// The lines strace marked `(INJECTED)`.
    static func injectedLines(_ log: String) throws -> [String] {
        try logLines(log).filter { $0.contains("(INJECTED)") }
    }

    /// How many times each syscall ran, from `strace -c` output (`calls` column by syscall name).
    static func syscallCounts(_ summary: String) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in try logLines(summary) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            // "% time  seconds  usecs/call  calls  [errors]  syscall"
            guard fields.count >= 5, Double(fields[0]) != nil, let name = fields.last, name != "total" else { continue }
            if let calls = Int(fields[3]) { counts[name] = calls }
        }
        return counts
    }

    /// The file descriptor an `openat` of a path ending in `suffix` returned, from an strace log.
    static func descriptor(openedEndingWith suffix: String, in lines: [String]) -> String? {
        for line in lines where line.contains("openat(") && line.contains("\(suffix)\"") {
            if let range = line.range(of: "= ", options: .backwards) {
                let value = line[range.upperBound...].prefix { $0.isNumber }
                if !value.isEmpty { return String(value) }
            }
        }
        return nil
    }

    /// A CSV upload of keys `range` in one entity; every `rejectEvery`-th row (when given) has a bad last_four.
    static func rows(_ range: Range<Int>, rejectEvery: Int? = nil, prefix: String = "key") -> String {
        var text = "external_id,account_id,entity_id,details.last_four,metadata.n\n"
        text.reserveCapacity(range.count * 64)
        for index in range {
            let bad = rejectEvery.map { index % $0 == 0 } ?? false
            let lastFour = bad ? "x\(index % 1000)" : String(format: "%04d", index % 10000)
            text += "\(prefix)-\(index),account_bulk,entity_load,\(lastFour),\(index)\n"
        }
        return text
    }

    /// Every file in `folder` (names, sorted) with its bytes.
    static func snapshot(_ folder: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            var isDirectory: ObjCBool = false
            let path = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[name] = try Data(contentsOf: URL(fileURLWithPath: path))
            } else {
                result[name + "/"] = Data()
            }
        }
        return result
    }

    static func chmod(_ path: String, _ mode: Int) throws {
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    /// Gives `path` (and, for a folder, everything directly in it) to `nobody`.
    static func chownToNobody(_ path: String) throws {
        try #require(Glibc.chown(path, nobody, nobody) == 0, "chown \(path): \(String(cString: strerror(errno)))")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                let child = (path as NSString).appendingPathComponent(name)
                try #require(Glibc.chown(child, nobody, nobody) == 0, "chown \(child)")
            }
        }
    }

    /// Runs `sql` on `path` read-write (test set-up only: breaking a store on purpose).
    static func execute(_ sql: String, on path: String) throws {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let handle else {
            sqlite3_close_v2(handle)  // SQLite allocates the connection even when the open fails
            throw TestFailure("cannot open \(path) for writing")
        }
        defer { sqlite3_close_v2(handle) }
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "?"
            sqlite3_free(message)
            throw TestFailure("\(sql): \(text)")
        }
    }
}

/// A binary started in the background whose stderr is kept in a file (for concurrent and killed runs).
final class BackgroundRun {
    let process: Process
    let stderrPath: String

    init(_ arguments: [String], in directory: URL, name: String) throws {
        stderrPath = directory.appendingPathComponent(".stderr-\(name)").path
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process = Process()
        process.executableURL = CardUploadBinary.url
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "CARD_UPLOAD_DB")
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    var stderr: String {
        String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: stderrPath))) ?? Data(), as: UTF8.self)
    }
}
