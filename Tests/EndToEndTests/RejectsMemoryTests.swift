import Foundation
import Synchronization
import Testing

/// Rejected rows go to the rejects file as they come, not held until their batch commits: a file of wide
/// bad rows loads in bounded memory with `--rejects` and through `process-dir` (which always writes one),
/// and the rejects file still holds every rejected row, whole (issue 15, "Memory": 3.1 GB before).
@Suite struct RejectsMemoryTests {
    /// The bound the issue sets, whatever the rows.
    static let memoryCeiling = 128 << 20
    static let rows = 2_400
    static let noteWidth = 60 << 10

    /// Whether data row `index` is valid (one in 500); every other row has a 60 KiB metadata note, over
    /// the 500-character limit.
    static func isValid(_ index: Int) -> Bool { index % 500 == 250 }

    /// Writes the file (about 150 MB) through a 4 MiB buffer.
    static func writeWideFile(_ path: String) throws {
        try #require(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let note = Data(String(repeating: "wide note ", count: noteWidth / 10 + 1).utf8.prefix(noteWidth))
        var block = Data("external_id,account_id,entity_id,details.last_four,metadata.note\n".utf8)
        for index in 0..<rows {
            if isValid(index) {
                block += Data("good\(index),account_a,entity_e,0001,short\n".utf8)
            } else {
                block += Data("bad\(index),account_a,entity_e,0001,".utf8) + note + Data("\n".utf8)
            }
            if block.count >= 4 << 20 {
                try handle.write(contentsOf: block)
                block.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: block)
    }

    /// Each line of a file: its first cell (up to 24 bytes) and its length, read in 4 MiB blocks.
    static func lines(of path: String) throws -> [(first: String, length: Int)] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var result: [(first: String, length: Int)] = []
        var head: [UInt8] = []
        var length = 0
        while let block = try handle.read(upToCount: 4 << 20), !block.isEmpty {
            block.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                var start = 0
                while start < bytes.count {
                    let end = memchr(base + start, 0x0A, bytes.count - start).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) }
                    let stop = end ?? bytes.count
                    if head.count < 24 { head += UnsafeBufferPointer(start: base + start, count: min(24 - head.count, stop - start)) }
                    length += stop - start
                    guard end != nil else { break }
                    let first = head.prefix { $0 != UInt8(ascii: ",") }
                    result.append((String(decoding: first, as: UTF8.self), length))
                    head = []
                    length = 0
                    start = stop + 1
                }
            }
        }
        return result
    }

    /// The rejects file holds the header, then every rejected row in file order, whole.
    static func expectEveryRejectedRow(in path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let lines = try lines(of: path)
        let expected = (0..<rows).filter { !isValid($0) }.map { "bad\($0)" }
        #expect(lines.first?.first == "external_id", sourceLocation: sourceLocation)
        #expect(lines.count == expected.count + 1, sourceLocation: sourceLocation)
        #expect(lines.dropFirst().map(\.first) == expected, sourceLocation: sourceLocation)
        #expect(lines.dropFirst().allSatisfy { $0.length > noteWidth }, "a rejected row was cut", sourceLocation: sourceLocation)
    }

    @Test func wideRejectedRowsLoadInBoundedMemoryWithRejectsAndThroughProcessDir() throws {
        let folder = try TemporaryDirectory()
        let file = folder.path("wide.csv")
        try Self.writeWideFile(file)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        try #require(size > 140_000_000, "the file is \(size) bytes")
        let rejected = Self.rows - (0..<Self.rows).filter(Self.isValid).count
        // process-dir, which always writes a rejects file, loads a copy of it from an INBOX.
        try FileManager.default.createDirectory(atPath: folder.path("in"), withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: file, toPath: folder.path("in/wide.csv"))

        // Both at once (each measures its own peak): `process --rejects`, every row in the one default
        // batch, and `process-dir`.
        let runs: [[String]] = [
            ["process", file, "--db", folder.path("a.sqlite"), "--rejects", folder.path("wide.rejects.csv"),
             "--report", folder.path("wide.report.json"), "--quiet"],
            ["process-dir", folder.path("in"), "--db", folder.path("b.sqlite"), "--quiet"],
        ]
        let results = Mutex<[Int: Result<MeasuredRun, any Error>]>([:])
        let url = folder.url
        DispatchQueue.concurrentPerform(iterations: runs.count) { index in
            let result = Result { try MeasuredRun.run(runs[index], in: url) }
            results.withLock { $0[index] = result }
        }
        let process = try #require(results.withLock { $0[0] }).get()
        let inbox = try #require(results.withLock { $0[1] }).get()

        #expect(process.status == 1, "\(process.stderr)")
        #expect(process.peakResidentBytes < Self.memoryCeiling, "process --rejects: peak RSS \(process.peakResidentBytes >> 20) MiB")
        let counts = try #require(try readJSON(folder.path("wide.report.json"))["counts"] as? [String: Int])
        #expect(counts == ["rows": Self.rows, "created": Self.rows - rejected, "replayed": 0, "updated": 0, "rejected": rejected])
        try Self.expectEveryRejectedRow(in: folder.path("wide.rejects.csv"))

        #expect(inbox.status == 1, "\(inbox.stderr)")
        #expect(inbox.peakResidentBytes < Self.memoryCeiling, "process-dir: peak RSS \(inbox.peakResidentBytes >> 20) MiB")
        #expect(FileManager.default.fileExists(atPath: folder.path("in/done/wide.csv")))
        try Self.expectEveryRejectedRow(in: folder.path("in/reports/wide.csv.rejects.csv"))
    }

    /// Rows of thousands of one-character cells (every row rejected: over 50 metadata keys): each kept cell
    /// weighs far more than its input byte, so the hand-overs close by what they hold, and the kept record
    /// carries no mapped card (829 MiB before, 362 MiB with the rejects written as they come).
    @Test func rowsOfManyTinyCellsLoadInBoundedMemoryWithRejects() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("narrow.csv")
        let columns = 5_000
        try #require(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let header = "external_id,account_id,entity_id,details.last_four," + (0..<columns).map { "metadata.k\($0)" }.joined(separator: ",") + "\n"
        try handle.write(contentsOf: Data(header.utf8))
        let tail = String(repeating: ",x", count: columns)
        var block = ""
        for index in 0..<3_000 {
            block += "n\(index),account_a,entity_e,0001" + tail + "\n"
            if block.utf8.count >= 4 << 20 {
                try handle.write(contentsOf: Data(block.utf8))
                block = ""
            }
        }
        try handle.write(contentsOf: Data(block.utf8))
        try handle.close()
        let run = try MeasuredRun.run(
            ["process", path, "--db", folder.path("c.sqlite"), "--rejects", folder.path("narrow.rejects.csv"), "--quiet"],
            in: folder.url)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.peakResidentBytes < Self.memoryCeiling, "peak RSS \(run.peakResidentBytes >> 20) MiB")
        let lines = try Self.lines(of: folder.path("narrow.rejects.csv"))
        #expect(lines.count == 3_001)
        #expect(lines.dropFirst().map(\.first) == (0..<3_000).map { "n\($0)" })
    }
}
