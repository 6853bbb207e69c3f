import CardUploadInput
import CardUploadModel
import Foundation
import Testing

/// A fresh directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "card-upload-input-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw TestSetupError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = String(cString: created)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to `name` inside the directory and returns the full path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let filePath = path + "/" + name
        guard FileManager.default.createFile(atPath: filePath, contents: Data(bytes)) else {
            throw TestSetupError("cannot write \(filePath)")
        }
        return filePath
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Compresses `bytes` with the real `gzip` command into one member (with `keepName`, the header names the file).
func gzipped(_ bytes: [UInt8], keepName: Bool = false) throws -> [UInt8] {
    let directory = try TemporaryDirectory()
    let input = try directory.write(bytes, to: "member.csv")
    let output = try runCapturingOutput("/usr/bin/env", ["gzip", "-c", keepName ? "-N" : "-n", input])
    try #require(output.count >= 18, "gzip produced no member")
    try #require(output[0] == 0x1f && output[1] == 0x8b, "gzip output lacks the magic bytes")
    return output
}

/// Runs a program to completion and returns its standard output; a non-zero exit fails the test.
func runCapturingOutput(_ executable: String, _ arguments: [String]) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "\(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
    return Array(output)
}

/// Reads a source to its end, keeping every chunk.
func readAllChunks(_ source: some ChunkSource) throws(FileError) -> [[UInt8]] {
    var chunks: [[UInt8]] = []
    while let chunk = try source.nextChunk() {
        chunks.append(chunk)
    }
    return chunks
}

/// Reads a source until it ends or throws; returns the bytes decoded before that and the error, if any.
func readUntilError(_ source: some ChunkSource) -> (decoded: [UInt8], error: FileError?) {
    var decoded: [UInt8] = []
    do {
        while let chunk = try source.nextChunk() {
            decoded += chunk
        }
        return (decoded, nil)
    } catch {
        return (decoded, error)
    }
}

/// Deterministic bytes that do not compress (xorshift), never starting with the gzip magic.
func noiseBytes(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    var bytes = [UInt8](repeating: 0, count: count)
    for index in bytes.indices {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        bytes[index] = UInt8(truncatingIfNeeded: state)
    }
    if count > 0 { bytes[0] = UInt8(ascii: "n") }
    return bytes
}

/// CSV-like text lines, numbered so that a misplaced or repeated chunk shows.
func numberedLines(_ count: Int, prefix: String = "card") -> [UInt8] {
    var text = ""
    for number in 0..<count {
        text += "\(prefix)-\(number),account-\(number % 97),\(String(format: "%04d", number % 10_000))\n"
    }
    return Array(text.utf8)
}
