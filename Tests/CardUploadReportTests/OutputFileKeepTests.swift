import CardUploadReport
import Foundation
import Testing

/// `OutputFile.keep()` and `discardPending()`: what is written after the last `keep()` can be taken back,
/// and `commit()` puts only kept bytes in place (the rejects file holds only committed batches' rows).
/// Through a temporary file (cut back with `ftruncate`) and through a direct output that cannot take
/// bytes back (its pending bytes wait in an unlinked file).
@Suite struct OutputFileKeepTests {
    /// A fresh folder; removed by the caller's `defer`.
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("output-keep-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// `count` bytes of one repeated letter, ending with a line break.
    static func block(_ letter: Character, _ count: Int) -> String { String(repeating: letter, count: count - 1) + "\n" }

    /// The size of the one temporary file in `folder` (the output's, before it is renamed).
    static func temporarySize(in folder: String) throws -> Int {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }
        try #require(names.count == 1, "\(names)")
        return try #require(try FileManager.default.attributesOfItem(atPath: folder + "/" + names[0])[.size] as? Int)
    }

    @Test func withoutKeepEverythingWrittenIsPutInPlaceInOrder() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let output = try OutputFile(path: root + "/a.csv")
        // Short texts, one longer than the 64 KiB buffer (written at once), then short ones again.
        let parts = ["head\n", Self.block("a", 100), Self.block("b", 200_000), Self.block("c", 70_000), "tail\n"]
        for part in parts { try output.write(part) }
        #expect(output.count == parts.map(\.utf8.count).reduce(0, +))
        // Nothing to take back: no keep() yet.
        try output.discardPending()
        try output.commit()
        #expect(try String(contentsOfFile: root + "/a.csv", encoding: .utf8) == parts.joined())
    }

    @Test func aTemporaryFileIsCutBackToWhatWasKept() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let output = try OutputFile(path: root + "/a.csv")
        try output.write("head\n")
        try output.keep()
        // Pending bytes still in the buffer: dropped from it.
        try output.write(Self.block("x", 1_000))
        try output.discardPending()
        #expect(output.count == 5)
        try output.write(Self.block("a", 300_000))
        try output.keep()
        // Pending bytes already on disk: the file is cut back.
        try output.write(Self.block("y", 250_000))
        try output.write("short\n")
        #expect(try Self.temporarySize(in: root) > 300_005)
        try output.discardPending()
        #expect(output.count == 300_005)
        #expect(try Self.temporarySize(in: root) <= 300_005)
        // Writing goes on after the cut, at the right place.
        try output.write(Self.block("b", 70_000))
        try output.keep()
        try output.write(Self.block("z", 90_000))
        // Committing leaves the pending bytes out.
        try output.commit()
        let text = try String(contentsOfFile: root + "/a.csv", encoding: .utf8)
        #expect(text == "head\n" + Self.block("a", 300_000) + Self.block("b", 70_000))
        #expect(!text.contains("x") && !text.contains("y") && !text.contains("z") && !text.contains("short"))
    }

    /// `/dev/fd/N` on a file the caller opened: written directly, so nothing pending may reach it before
    /// `keep()`; what waits beyond the buffer is in an unlinked file, which leaves no name behind.
    @Test func aDirectOutputReceivesOnlyKeptBytes() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let target = root + "/direct.csv"
        let descriptor = open(target, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        func received() throws -> String { try String(contentsOfFile: target, encoding: .utf8) }
        let temporaryFolder = FileManager.default.temporaryDirectory.path
        func heldNames() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: temporaryFolder).filter { $0.hasPrefix(".card-upload-held-\(getpid())-") }
        }

        let output = try OutputFile(path: "/dev/fd/\(descriptor)")
        try output.write("head\n")
        try output.keep()
        // Far more than the buffer, all pending: only the kept header reaches the output.
        try output.write(Self.block("x", 200_000))
        try output.write(Self.block("x", 50_000))
        #expect(try received() == "head\n")
        try output.discardPending()
        #expect(output.count == 5)
        try output.write(Self.block("a", 150_000))
        try output.write("a2\n")
        #expect(try received() == "head\n")
        try output.keep()
        // Kept: the bytes that waited beyond the buffer reach the output (the rest at the next flush).
        #expect(try received().hasPrefix("head\n" + Self.block("a", 150_000)))
        try output.write(Self.block("y", 100_000))
        try output.flush()
        #expect(try received() == "head\n" + Self.block("a", 150_000) + "a2\n")
        try output.commit()
        #expect(try received() == "head\n" + Self.block("a", 150_000) + "a2\n")
        #expect(try heldNames() == [], "the held file has a name")
    }

    @Test func aDirectOutputThatFailsWhenBytesAreKeptReportsItAndIsNotPutInPlace() throws {
        try #require(FileManager.default.fileExists(atPath: "/dev/full"))
        let output = try OutputFile(path: "/dev/full")
        try output.keep()
        // Pending bytes never reach the device, so nothing fails until they are kept.
        try output.write(Self.block("x", 200_000))
        try output.flush()
        #expect(throws: OutputError.self) { try output.keep() }
        #expect(throws: OutputError.self) { try output.commit() }
    }
}
