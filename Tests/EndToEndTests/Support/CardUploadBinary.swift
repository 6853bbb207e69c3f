import Foundation
import Testing

/// Runs the built `card-upload` executable as a user would, and captures what it prints.
struct CardUploadBinary {
    /// What one run printed and returned.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The executable next to the test bundle (SwiftPM builds it because the test target depends on it).
    static let url: URL = {
        if let override = ProcessInfo.processInfo.environment["CARD_UPLOAD_BIN"] {
            return URL(fileURLWithPath: override)
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("card-upload")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/card-upload")
    }()

    /// A process for the binary (or `executable`) in `directory`, without the caller's `CARD_UPLOAD_DB`.
    private static func prepare(
        _ arguments: [String], in directory: URL, environment: [String: String], executable: String?
    ) -> Process {
        let process = Process()
        process.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? url
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "CARD_UPLOAD_DB")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        return process
    }

    /// Starts the binary without waiting (for kill and concurrency tests).
    static func start(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Process {
        let process = prepare(arguments, in: directory, environment: environment, executable: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Starts the binary reading standard input from a pipe the caller writes (and may keep open: a load
    /// commits what it has before it waits for more); its output goes nowhere.
    static func startFedByPipe(_ arguments: [String], in directory: URL) throws -> (process: Process, input: FileHandle) {
        let process = prepare(arguments, in: directory, environment: [:], executable: nil)
        let pipe = Pipe()
        process.standardInput = pipe
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, pipe.fileHandleForWriting)
    }

    /// Runs the binary to completion in `directory`, feeding `stdin` when given.
    @discardableResult
    static func run(
        _ arguments: [String], in directory: URL, stdin: Data? = nil, environment: [String: String] = [:],
        executable: String? = nil
    ) throws -> Result {
        let process = prepare(arguments, in: directory, environment: environment, executable: executable)
        let outFile = directory.appendingPathComponent(".stdout-\(UUID().uuidString)")
        let errFile = directory.appendingPathComponent(".stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outFile)
            try? FileManager.default.removeItem(at: errFile)
        }
        let outHandle = try FileHandle(forWritingTo: outFile)
        let errHandle = try FileHandle(forWritingTo: errFile)
        process.standardOutput = outHandle
        process.standardError = errHandle
        var inputFile: URL?
        if let stdin {
            let file = directory.appendingPathComponent(".stdin-\(UUID().uuidString)")
            try stdin.write(to: file)
            process.standardInput = try FileHandle(forReadingFrom: file)
            inputFile = file
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        if let inputFile { try? FileManager.default.removeItem(at: inputFile) }
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outFile), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errFile), as: UTF8.self))
    }
}

/// A temporary folder for one test, removed afterwards.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("card-upload-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes `text` to `name` in the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// Writes `bytes` to `name` in the folder and returns its path.
    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// The repository's `samples/` folder.
let samplesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples")

/// Parses one JSON document (test-side only: the product never uses Foundation's parser on input).
func parseJSON(_ text: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    guard let dictionary = object as? [String: Any] else { throw TestFailure("not a JSON object: \(text.prefix(200))") }
    return dictionary
}

/// Reads and parses a JSON file.
func readJSON(_ path: String) throws -> [String: Any] {
    try parseJSON(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self))
}

/// A JSON object re-serialised with sorted keys, to compare two documents field by field.
func canonicalJSON(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

