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

    @Test func invalidUTF8InEveryFieldIsAMalformedRecordOnItsLine() throws {
        let folder = try TemporaryDirectory()
        var csv = Array((Self.header + ",metadata.k\n").utf8)
        // Line 2: a bad byte in every field; lines 3-6: an overlong "/" (C0 AF), a UTF-8 surrogate
        // (ED A0 80), a cut sequence (E2 82), a lone continuation byte (80) — one per field.
        csv += [0xFF, 0x31, 0x2C] + Array("account_".utf8) + [0xFE, 0x2C] + Array("entity_".utf8) + [0xC3, 0x2C]
            + Array("00".utf8) + [0xE2, 0x82, 0x2C, 0x76, 0xED, 0xA0, 0x80, 0x0A]
        csv += [0xC0, 0xAF] + Array(",account_a,entity_e,0003,v\n".utf8)
        csv += Array("k4,account_a,entity_e,0004,".utf8) + [0xED, 0xA0, 0x80, 0x0A]
        csv += Array("k5,account_a,entity_".utf8) + [0xE2, 0x82] + Array(",0005,v\n".utf8)
        csv += Array("k6,account_a,entity_e,000".utf8) + [0x80] + Array(",v\n".utf8)
        csv += Array("k7,account_a,entity_e,0007,v\n".utf8)
        try folder.write("bytes.csv", bytes: csv)
        let load = try Self.load(folder, "bytes.csv")
        #expect(load.result.status == 1)
        #expect(load.lineCodes == [
            2: "malformed_record", 3: "malformed_record", 4: "malformed_record", 5: "malformed_record",
            6: "malformed_record", 7: "",
        ], "\(load.rows)")
        #expect(load.message(line: 2).contains("not valid UTF-8"), "\(load.message(line: 2))")
        #expect(load.message(line: 6).contains("field 4"), "\(load.message(line: 6))")
        // The rejects file keeps each record whole in `_raw` (bad bytes shown as U+FFFD), with its line.
        for line in 2...6 { #expect(load.rejects.contains(",\(line),\"malformed_record: "), "line \(line)") }
        #expect(load.rejects.contains("\u{FFFD}1,account_\u{FFFD}"))

        let object = #"{"external_id":"X","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0001"}}"#
        func line(_ value: [UInt8]) -> [UInt8] {
            let parts = object.components(separatedBy: "X")
            return Array(parts[0].utf8) + value + Array(parts[1].utf8) + [0x0A]
        }
        var jsonl: [UInt8] = []
        jsonl += line([0xFF])                                   // 1: not UTF-8
        jsonl += line([0xC0, 0xAF])                             // 2: overlong "/"
        jsonl += line([0xED, 0xA0, 0x80])                       // 3: a surrogate encoded in UTF-8
        jsonl += line(Array(#"k\ud800"#.utf8))                  // 4: a lone high surrogate escape
        jsonl += line(Array(#"k\udc00x"#.utf8))                 // 5: a lone low surrogate escape
        jsonl += line(Array(#"k\ud800\u0041"#.utf8))            // 6: a high surrogate before a non-surrogate
        jsonl += line(Array(#"k\ud83d\ude00"#.utf8))            // 7: a proper pair: fine
        try folder.write("bytes.jsonl", bytes: jsonl)
        let json = try Self.load(folder, "bytes.jsonl")
        #expect(json.result.status == 1)
        #expect(json.lineCodes == [
            1: "malformed_record", 2: "malformed_record", 3: "malformed_record", 4: "malformed_record",
            5: "malformed_record", 6: "malformed_record", 7: "",
        ], "\(json.rows)")
        #expect(json.message(line: 1).contains("invalid UTF-8 at column 17"), "\(json.message(line: 1))")
        #expect(json.message(line: 4).contains("surrogate"), "\(json.message(line: 4))")
        #expect(try StoreInspector(folder.path("cards.sqlite")).value("SELECT external_id FROM cards WHERE last_four = '0001'") == "k\u{1F600}")
    }

    @Test func nulBytesAreMalformedRecordsOrAMalformedHeader() throws {
        let folder = try TemporaryDirectory()
        try folder.write("nul.csv", bytes: Array((Self.header + "\nk1,account_a,entity_e,00").utf8) + [0]
            + Array("1\nk2,account_a,entity_e,0002\n".utf8) + [0] + Array("\n".utf8))
        let csv = try Self.load(folder, "nul.csv")
        #expect(csv.result.status == 1)
        #expect(csv.lineCodes == [2: "malformed_record", 3: "", 4: "malformed_record"], "\(csv.rows)")
        #expect(csv.message(line: 2).contains("NUL"))

        let object = #"{"external_id":"X","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0001"}}"#
        let parts = object.components(separatedBy: "X")
        try folder.write("nul.jsonl", bytes: Array((parts[0] + "n").utf8) + [0] + Array((parts[1] + "\n").utf8)
            + Array((parts[0] + "ok" + parts[1]).utf8) + [0, 0x0A] + [0, 0x0A])
        let json = try Self.load(folder, "nul.jsonl")
        #expect(json.lineCodes == [1: "malformed_record", 2: "malformed_record", 3: "malformed_record"], "\(json.rows)")

        try folder.write("header.csv", bytes: Array("external_id,account_id".utf8) + [0] + Array(",entity_id,details.last_four\n".utf8))
        let header = try Self.load(folder, "header.csv")
        #expect(header.result.status == 65)
        #expect(header.error?["code"] as? String == "malformed_header")
        #expect(header.error?["line"] as? Int == 1)
    }

    @Test func aByteOrderMarkInTheMiddleIsData() throws {
        let folder = try TemporaryDirectory()
        // Two files joined with `cat` (and a blank line): the second header, BOM and all, is the row of line 4.
        try folder.write("joined.csv", "\u{FEFF}" + Self.header + "\nb1,account_a,entity_e,0001\n\n\u{FEFF}" + Self.header
            + "\n\u{FEFF}b2,account_a,entity_e,0002\n")
        let csv = try Self.load(folder, "joined.csv")
        #expect(csv.result.status == 1)
        #expect(csv.lineCodes == [2: "", 4: "invalid_format", 5: ""], "\(csv.rows)")
        // Cells are verbatim (SPEC §2): the mark stays part of the value, so it is a key of its own.
        #expect(try StoreInspector(folder.path("cards.sqlite")).count(
            "SELECT count(*) FROM cards WHERE hex(external_id) = 'EFBBBF6232'") == 1)

        let object = #"{"external_id":"j1","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0001"}}"#
        try folder.write("bom.jsonl", "\u{FEFF}" + object + "\n\u{FEFF}" + object.replacingOccurrences(of: "j1", with: "j2") + "\n")
        let json = try Self.load(folder, "bom.jsonl")
        #expect(json.lineCodes == [1: "", 2: "malformed_record"], "\(json.rows)")
    }

    @Test func carriageReturnLineEndsCountLines() throws {
        let folder = try TemporaryDirectory()
        try folder.write("cr.csv", Self.header + "\rc1,account_a,entity_e,0001\rc2,account_a,entity_e,00x2\r\r\"c3\r\",account_a,entity_e,0003\rc4,account_a,entity_e,0004")
        let load = try Self.load(folder, "cr.csv")
        #expect(load.result.status == 1)
        #expect(load.lineCodes == [2: "", 3: "invalid_format", 5: "invalid_format", 7: ""], "\(load.rows)")
        #expect(load.rejects.contains(",3,\"invalid_format: "))
        #expect(try StoreInspector(folder.path("cards.sqlite")).count("SELECT count(*) FROM cards") == 2)
    }

    // MARK: - Sizes and shapes

    @Test func tenThousandColumns() throws {
        let folder = try TemporaryDirectory()
        let keys = (0..<9_996).map { "metadata.m\($0)" }
        try folder.write("wide.csv", Self.header + "," + keys.joined(separator: ",") + "\n"
            + "w1,account_a,entity_e,0001," + Array(repeating: "v", count: keys.count).joined(separator: ",") + "\n"
            + "w2,account_a,entity_e,0002" + String(repeating: ",", count: keys.count) + "\n")
        let wide = try Self.load(folder, "wide.csv")
        #expect(wide.lineCodes == [2: "metadata_limit", 3: ""], "\(wide.rows)")

        try folder.write("fields.csv", Self.header + "\nx1,account_a,entity_e,0001" + String(repeating: ",", count: 9_996) + "\nx2,account_a,entity_e,0002\n")
        let fields = try Self.load(folder, "fields.csv")
        #expect(fields.lineCodes == [2: "malformed_record", 3: ""])
        #expect(fields.message(line: 2) == "record has 10000 fields, the header has 4")

        try folder.write("unknown.csv", Self.header + "," + (0..<9_996).map { "bad\($0)" }.joined(separator: ",") + "\nq,account_a,entity_e,0001\n")
        let unknown = try Self.load(folder, "unknown.csv")
        #expect(unknown.result.status == 65)
        let error = try #require(unknown.error)
        #expect(error["code"] as? String == "unknown_column")
        #expect(error["line"] as? Int == 1)
        let message = try #require(error["message"] as? String)
        #expect(message.contains("9996 problems") && message.contains("and 9976 more") && message.utf8.count < 4096, "\(message.prefix(200))")
    }

    @Test func aHeaderOverOneMebibyteIsMalformedAndOneJustUnderIsRead() throws {
        let folder = try TemporaryDirectory()
        let limit = 1 << 20
        // An annotation column pads the header to exactly the limit, then one byte over it.
        let padding = limit - (Self.header + ",_").utf8.count
        try folder.write("at.csv", Self.header + ",_" + String(repeating: "p", count: padding) + "\nh1,account_a,entity_e,0001,x\n")
        let at = try Self.load(folder, "at.csv")
        #expect(at.result.status == 0, "\(at.result.stderr.prefix(300))")
        #expect(at.lineCodes == [2: ""])

        try folder.write("over.csv", Self.header + ",_" + String(repeating: "p", count: padding + 1) + "\nh2,account_a,entity_e,0002,x\n")
        let over = try Self.load(folder, "over.csv")
        #expect(over.result.status == 65)
        #expect(over.error?["code"] as? String == "malformed_header")
        #expect(over.error?["line"] as? Int == 1)
        #expect((over.error?["message"] as? String)?.contains("over 1 MiB") == true)
        #expect(over.result.stderr.utf8.count < 2048, "the header is not echoed")
    }

    @Test func deepNestingAndHugeNumbersInJSONAreRowErrors() throws {
        let folder = try TemporaryDirectory()
        let base = #""account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0001"}"#
        let lines = [
            String(repeating: "[", count: 10_000),
            #"{"external_id":"d2",\#(base),"metadata":{"k":"# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}}",
            #"{"external_id":"d3",\#(base),"metadata":{"k":"# + String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000) + "}}",
            #"{"external_id":"d4",\#(base),"metadata":{"k":"# + String(repeating: "7", count: 10_000) + "}}",
            #"{"external_id":"d5",\#(base),"metadata":{"k":-0."# + String(repeating: "9", count: 10_000) + "e-99999999999999999999}}",
            #"{"external_id":"d6","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"# + String(repeating: "1", count: 10_000) + "}}",
            #"{"external_id":"# + String(repeating: "1", count: 10_000) + ",\(base)}",
            #"{"external_id":"ok",\#(base)}"#,
        ]
        try folder.write("hostile.jsonl", lines.joined(separator: "\n") + "\n")
        let load = try Self.load(folder, "hostile.jsonl")
        #expect(load.result.status == 1)
        #expect(load.lineCodes == [
            1: "malformed_record", 2: "malformed_record", 3: "malformed_record", 4: "invalid_type", 5: "invalid_type",
            6: "invalid_type", 7: "invalid_type", 8: "",
        ], "\(load.rows)")
        #expect(load.message(line: 1).contains("nesting deeper than 64"))
        for line in 4...7 {
            // The number is named, cut short: a message never carries 10,000 digits.
            #expect(load.message(line: line).contains("number") && load.message(line: line).utf8.count < 300, "\(load.message(line: line))")
        }
        #expect(load.report.description.utf8.count < 200_000)
    }

    // MARK: - Values aimed at terminals and SQL

    @Test func terminalEscapesInValuesNamesAndFileNamesNeverReachStderrRaw() throws {
        let folder = try TemporaryDirectory()
        let esc = "\u{1B}"
        let name = "esc\(esc)[2J.csv"
        try folder.write(name, Self.header + ",metadata.note,_x\(esc)]0;title\u{07}\n"
            + "\(esc)[2Jk1,account_a,entity_e,0001,v,a\n"
            + "k2,account_\(esc)[31m,entity_e,0002,v,b\n"
            + "k3,account_a,entity_e,0003,\"\(esc)[5mblink \u{9B}31m\",c\n"
            + "k4,account_a,entity_e,00\(esc)4,v,d\n")
        let load = try Self.load(folder, name)
        #expect(load.result.status == 1)
        #expect(load.lineCodes == [2: "invalid_format", 3: "invalid_format", 4: "", 5: "invalid_format"], "\(load.rows)")
        let controls: [Character] = ["\u{1B}", "\u{07}", "\u{9B}"]
        #expect(!load.result.stderr.contains { controls.contains($0) }, "\(load.result.stderr.debugDescription)")
        #expect(load.result.stderr.contains("esc\\x1b[2J.csv"), "\(load.result.stderr)")
        // A metadata value may hold them (SPEC §3 has no rule against it): stored verbatim, printed as JSON
        // (which escapes C0 controls such as ESC; U+009B needs no escape in JSON).
        let id = try #require(try StoreInspector(folder.path("cards.sqlite")).value("SELECT id FROM cards WHERE external_id = 'k3'"))
        let card = try CardUploadBinary.run(["cards", "get", id, "--db", "cards.sqlite"], in: folder.url)
        #expect(card.status == 0)
        #expect(card.stdout.contains(#""note":"\u001b[5mblink "# + "\u{9B}31m\""), "\(card.stdout)")

        // File-level errors and the listing of uploads: escaped as well.
        try folder.write("head.csv", Self.header + ",col\(esc)[2J\u{07}\n")
        let header = try Self.load(folder, "head.csv")
        #expect(header.result.status == 65)
        #expect(header.result.stderr.contains(#"col\x1b[2J\x07"#), "\(header.result.stderr)")
        #expect(!header.result.stderr.contains { controls.contains($0) })
        let listing = try CardUploadBinary.run(["uploads", "list", "--db", "cards.sqlite"], in: folder.url)
        #expect(listing.status == 0)
        #expect(!listing.stdout.contains { controls.contains($0) }, "\(listing.stdout.debugDescription)")
        let missing = try CardUploadBinary.run(["cards", "get", "card_\(esc)[2J", "--db", "cards.sqlite"], in: folder.url)
        #expect(missing.status == 1)
        #expect(!missing.stderr.contains { controls.contains($0) }, "\(missing.stderr.debugDescription)")
    }

    @Test func sqlLookingValuesAreStoredAndReadBackVerbatim() throws {
        let folder = try TemporaryDirectory()
        let externalID = "'); DROP TABLE cards;--"
        let key = "x');DROP TABLE uploads;--"
        let value = "1' OR '1'='1\"; DELETE FROM cards; -- %_\\"
        try folder.write("sql.csv", Self.header + ",\"metadata.\(key)\",metadata.q\n"
            + "\"\(externalID)\",account_a,entity_e,0001,v,\"\(value.replacingOccurrences(of: "\"", with: "\"\""))\"\n"
            + "plain,account_a,entity_e,0002,,%\n")
        let load = try Self.load(folder, "sql.csv")
        #expect(load.result.status == 0, "\(load.result.stderr)")
        let found = try CardUploadBinary.run(
            ["cards", "find", "--entity", "entity_e", "--external-id", externalID, "--db", "cards.sqlite"], in: folder.url)
        #expect(found.status == 0, "\(found.stderr)")
        let card = try parseJSON(found.stdout)
        #expect(card["external_id"] as? String == externalID)
        let metadata = try #require(card["metadata"] as? [String: Any])
        #expect(metadata.count == 2 && metadata[key] as? String == "v" && metadata["q"] as? String == value, "\(metadata)")
        let got = try CardUploadBinary.run(["cards", "get", try #require(card["id"] as? String), "--db", "cards.sqlite"], in: folder.url)
        #expect(try canonicalJSON(parseJSON(got.stdout)) == canonicalJSON(card))
        // A LIKE-style value finds nothing else; every table is still there.
        let notFound = try CardUploadBinary.run(
            ["cards", "find", "--entity", "entity_e", "--external-id", "%", "--db", "cards.sqlite"], in: folder.url)
        #expect(notFound.status == 1)
        let store = try StoreInspector(folder.path("cards.sqlite"))
        #expect(try store.count("SELECT count(*) FROM cards") == 2)
        #expect(try store.count("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('cards', 'uploads', 'upload_rows')") == 3)
        #expect(try store.value("SELECT external_id FROM cards WHERE last_four = '0001'") == externalID)
    }
}
