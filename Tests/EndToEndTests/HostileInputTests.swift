import Foundation
import Testing

/// Hostile and broken input through the real binary: every case ends in a row error or a file error that
/// names its line (in the report and the rejects file), never a crash, never memory that grows with the
/// input. Cases already covered elsewhere are not repeated here: a truncated gzip (FileErrorTests), a NUL
/// escaped inside a JSON value (StorageFidelityTests), a card number in a header or a file name
/// (HardeningTests).
@Suite struct HostileInputTests {
    static let header = "external_id,account_id,entity_id,details.last_four"
    /// Far above what one chunk, one record and one batch need (about 30 MiB), far below a gibibyte.
    static let memoryCeiling = 200 << 20

    /// One load of `file` with a report and a rejects file; the report parsed.
    struct Load {
        var result: CardUploadBinary.Result
        var report: [String: Any]
        var rejects: String

        var rows: [[String: Any]] { report["rows"] as? [[String: Any]] ?? [] }
        var counts: [String: Int] { report["counts"] as? [String: Int] ?? [:] }
        var error: [String: Any]? { report["error"] as? [String: Any] }

        /// Each row's line and its first error code ("" for a row without errors).
        var lineCodes: [Int: String] {
            var result: [Int: String] = [:]
            for row in rows {
                let errors = row["errors"] as? [[String: Any]] ?? []
                result[row["line"] as? Int ?? -1] = errors.first?["code"] as? String ?? ""
            }
            return result
        }

        func message(line: Int) -> String {
            let row = rows.first { $0["line"] as? Int == line }
            return ((row?["errors"] as? [[String: Any]])?.first?["message"] as? String) ?? ""
        }
    }

    static func load(_ folder: TemporaryDirectory, _ file: String, _ extra: [String] = []) throws -> Load {
        let report = folder.path("\(file).report.json")
        let rejects = folder.path("\(file).rejects")
        let result = try CardUploadBinary.run(
            ["process", file, "--db", "cards.sqlite", "--report", report, "--rejects", rejects] + extra, in: folder.url)
        #expect(result.status != 70 && result.status < 128, "a crash or internal error: \(result.status) \(result.stderr)")
        let rejectsText = (try? Data(contentsOf: URL(fileURLWithPath: rejects))).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return Load(result: result, report: try readJSON(report), rejects: rejectsText)
    }

    // MARK: - Huge lines and a gzip bomb: bounded memory

    @Test func aGibibyteCSVLineWithoutANewlineIsRecordTooLargeInFlatMemory() throws {
        let folder = try TemporaryDirectory()
        let run = try MeasuredRun.run(
            ["process", "-", "--format", "csv", "--db", folder.path("cards.sqlite"), "--report", folder.path("r.json"),
             "--rejects", folder.path("rejects.csv")],
            in: folder.url,
            generator: "printf '\(Self.header)\\n'; head -c 1073741824 /dev/zero | tr '\\0' a")
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.peakResidentBytes > 1 << 20 && run.peakResidentBytes < Self.memoryCeiling, "peak RSS \(run.peakResidentBytes >> 20) MiB")
        let report = try readJSON(folder.path("r.json"))
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["line"] as? Int == 2)
        let error = try #require((rows.first?["errors"] as? [[String: Any]])?.first)
        #expect(error["code"] as? String == "record_too_large")
        #expect((error["message"] as? String)?.contains("1073741824 bytes") == true, "\(error)")
        // The rejects row names the line and carries none of the record.
        let rejects = try String(contentsOfFile: folder.path("rejects.csv"), encoding: .utf8)
        #expect(rejects.utf8.count < 1024 && rejects.contains(",2,\"record_too_large: "), "\(rejects.prefix(300))")
        #expect(run.stderr.contains("record_too_large      1  2"), "\(run.stderr)")
    }

    @Test func aGibibyteJSONLineWithoutANewlineIsRecordTooLargeInFlatMemory() throws {
        let folder = try TemporaryDirectory()
        let run = try MeasuredRun.run(
            ["process", "-", "--format", "jsonl", "--db", folder.path("cards.sqlite"), "--report", folder.path("r.json"),
             "--rejects", folder.path("rejects.jsonl")],
            in: folder.url,
            generator: #"printf '{"external_id":"'; head -c 1073741824 /dev/zero | tr '\0' a"#)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.peakResidentBytes > 1 << 20 && run.peakResidentBytes < Self.memoryCeiling, "peak RSS \(run.peakResidentBytes >> 20) MiB")
        let report = try readJSON(folder.path("r.json"))
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["line"] as? Int == 1)
        #expect(((rows.first?["errors"] as? [[String: Any]])?.first?["code"] as? String) == "record_too_large")
        let rejects = try String(contentsOfFile: folder.path("rejects.jsonl"), encoding: .utf8)
        #expect(rejects.utf8.count < 1024 && rejects.contains(#""_line":1"#), "\(rejects.prefix(300))")
    }

    @Test func aGzipBombIsInflatedAsAStreamInFlatMemory() throws {
        let folder = try TemporaryDirectory()
        // A header, 1 GiB of zeros (one record of NULs without a line end), then a good row: about 1 MiB.
        let make = try CardUploadBinary.run(
            ["-c", "{ printf '\(Self.header)\\n'; head -c 1073741824 /dev/zero; printf '\\nk1,account_a,entity_e,0001\\n'; }"
                + " | gzip -9 > bomb.csv.gz"],
            in: folder.url, executable: "/bin/sh")
        try #require(make.status == 0, "gzip: \(make.stderr)")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: folder.path("bomb.csv.gz"))[.size] as? Int)
        try #require(size < 2 << 20, "the bomb is \(size) bytes")

        let run = try MeasuredRun.run(
            ["process", folder.path("bomb.csv.gz"), "--db", folder.path("cards.sqlite"), "--report", folder.path("r.json"),
             "--rejects", folder.path("rejects.csv")],
            in: folder.url)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.peakResidentBytes > 1 << 20 && run.peakResidentBytes < Self.memoryCeiling, "peak RSS \(run.peakResidentBytes >> 20) MiB")
        let report = try readJSON(folder.path("r.json"))
        #expect(report["compression"] as? String == "gzip")
        #expect(report["bytes"] as? Int == size)
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.map { $0["line"] as? Int } == [2, 3])
        #expect(((rows.first?["errors"] as? [[String: Any]])?.first?["code"] as? String) == "record_too_large")
        #expect(rows.last?["outcome"] as? String == "created", "the row after the bomb is loaded")
        #expect(try StoreInspector(folder.path("cards.sqlite")).count("SELECT count(*) FROM cards") == 1)
    }

    // MARK: - Broken gzip

    /// A small gzip CSV: header, k1 and k2 (lines 2 and 3).
    static func gzipped(_ folder: TemporaryDirectory, _ name: String, _ text: String) throws -> [UInt8] {
        try folder.write(name, text)
        let gzip = try CardUploadBinary.run(["-n", "-f", name], in: folder.url, executable: "/usr/bin/gzip")
        try #require(gzip.status == 0, "\(gzip.stderr)")
        return Array(try Data(contentsOf: URL(fileURLWithPath: folder.path(name + ".gz"))))
    }

    @Test func aGzipWithABadChecksumOrLengthFailsTheFileAfterItsRows() throws {
        let folder = try TemporaryDirectory()
        let good = try Self.gzipped(folder, "plain.csv", Self.header + "\nk1,account_a,entity_e,0001\nk2,account_a,entity_e,0002\n")
        // The trailer: CRC-32 (4 bytes), then the length (4 bytes).
        for (name, index, reason) in [("crc.csv.gz", good.count - 8, "incorrect data check"), ("size.csv.gz", good.count - 2, "incorrect length check")] {
            var bytes = good
            bytes[index] ^= 0xFF
            try folder.write(name, bytes: bytes)
            let load = try Self.load(folder, name)
            #expect(load.result.status == 65, "\(name): \(load.result.stderr)")
            #expect(load.report["status"] as? String == "failed")
            let error = try #require(load.error, "\(name)")
            #expect(error["code"] as? String == "corrupt_gzip")
            #expect((error["message"] as? String)?.contains(reason) == true, "\(error)")
            #expect(error["line"] as? Int == 4, "the line the text had reached: \(error)")
            #expect((error["offset"] as? Int).map { $0 > 0 && $0 <= good.count } == true, "\(error)")
            // The rows the stream held are there and committed (the check comes at the member's end).
            #expect(load.lineCodes == [2: "", 3: ""], "\(name): \(load.rows)")
            #expect(load.result.stderr.contains("corrupt_gzip"))
        }
        #expect(try StoreInspector(folder.path("cards.sqlite")).count("SELECT count(*) FROM cards") == 2)
    }

    @Test func concatenatedGzipMembersAreOneStreamEvenInsideARecord() throws {
        let folder = try TemporaryDirectory()
        // The second member starts in the middle of row k2 and of a JSON object.
        let first = try Self.gzipped(folder, "a.csv", Self.header + "\nk1,account_a,entity_e,0001\nk2,account_")
        let second = try Self.gzipped(folder, "b.csv", "a,entity_e,0002\nk3,account_a,entity_e,0003\n")
        let third = try Self.gzipped(folder, "c.csv", "")
        try folder.write("multi.csv.gz", bytes: first + second + third)
        let load = try Self.load(folder, "multi.csv.gz")
        #expect(load.result.status == 0, "\(load.result.stderr)")
        #expect(load.lineCodes == [2: "", 3: "", 4: ""])
        #expect(load.report["compression"] as? String == "gzip")
        #expect(try StoreInspector(folder.path("cards.sqlite")).value("SELECT account_id FROM cards WHERE external_id = 'k2'") == "account_a")

        let jsonFirst = try Self.gzipped(folder, "a.jsonl", #"{"external_id":"j1","account_id":"acc"#)
        let jsonSecond = try Self.gzipped(folder, "b.jsonl", #"ount_a","entity_id":"entity_e","details":{"last_four":"0001"}}"# + "\n")
        try folder.write("multi.jsonl.gz", bytes: jsonFirst + jsonSecond)
        let json = try Self.load(folder, "multi.jsonl.gz")
        #expect(json.result.status == 0, "\(json.result.stderr)")
        #expect(json.lineCodes == [1: ""])
    }

    @Test func dataAfterAGzipMemberThatIsNotAMemberFailsTheFileWithItsOffset() throws {
        let folder = try TemporaryDirectory()
        let good = try Self.gzipped(folder, "plain.csv", Self.header + "\nk1,account_a,entity_e,0001\n")
        try folder.write("tail.csv.gz", bytes: good + Array("k2,account_a,entity_e,0002\n".utf8))
        let load = try Self.load(folder, "tail.csv.gz")
        #expect(load.result.status == 65)
        let error = try #require(load.error)
        #expect(error["code"] as? String == "corrupt_gzip")
        #expect(error["offset"] as? Int == good.count, "\(error)")
        #expect(error["line"] as? Int == 3)
        #expect(load.lineCodes == [2: ""])
    }

    @Test func aGzNameWithoutTheMagicBytesIsReadAsPlainText() throws {
        let folder = try TemporaryDirectory()
        try folder.write("plain.csv.gz", Self.header + "\nk1,account_a,entity_e,0001\nk2,account_a,entity_e,bad\n")
        let load = try Self.load(folder, "plain.csv.gz")
        #expect(load.result.status == 1, "\(load.result.stderr)")
        #expect(load.report["compression"] as? String == "none")
        #expect(load.lineCodes == [2: "", 3: "invalid_format"])
        // Only the magic bytes, or a header that is not deflate: corrupt_gzip at once, line 1.
        try folder.write("magic.csv.gz", bytes: [0x1f, 0x8b])
        try folder.write("method.csv.gz", bytes: [0x1f, 0x8b] + Array(repeating: UInt8(ascii: "x"), count: 20))
        for name in ["magic.csv.gz", "method.csv.gz"] {
            let broken = try Self.load(folder, name)
            #expect(broken.result.status == 65, "\(name)")
            #expect(broken.error?["code"] as? String == "corrupt_gzip", "\(name)")
            #expect(broken.error?["line"] as? Int == 1, "\(name)")
        }
    }

    // MARK: - Bytes that are not text
}
