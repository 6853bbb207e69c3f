import Foundation
import Testing

/// Hostile text: invalid UTF-8, NUL bytes, odd line ends, huge headers and rows, escapes and SQL-looking values.
extension HostileInputTests {
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
        // Strict UTF-8: under `auto` (the default) this file, ASCII before line 2, would be read as Windows-1252.
        let load = try Self.load(folder, "bytes.csv", ["--encoding", "utf-8"])
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

    /// SPEC §1: a right-to-left override or a line separator in a file name or a value would reorder or split
    /// a line of the summary or the cron log; both are escaped (`\u202e`, `\u2028`), by `process` and `process-dir`.
    @Test func formatCharactersAndLineSeparatorsNeverReachStderrRaw() throws {
        let folder = try TemporaryDirectory()
        func holdsRaw(_ text: String) -> Bool { text.unicodeScalars.contains { $0 == "\u{202E}" || $0 == "\u{2028}" } }
        let name = "rlo\u{202E}vsc\u{2028}.csv"
        let badHeader = Self.header + ",col\u{202E}\u{2028}x\n"
        try folder.write(name, Self.header + "\nk1,account_a,entity_e,0001\n")
        try folder.write("head\u{2028}.csv", badHeader)
        let good = try Self.load(folder, name)
        #expect(good.result.status == 0, "\(good.result.stderr)")
        #expect(good.result.stderr.contains("rlo\\u202evsc\\u2028.csv: 1 row:"), "\(good.result.stderr.debugDescription)")
        let header = try Self.load(folder, "head\u{2028}.csv")
        #expect(header.result.status == 65)
        #expect(header.result.stderr.contains(#"col\u202e\u2028x"#), "\(header.result.stderr.debugDescription)")
        for result in [good.result, header.result] {
            #expect(!holdsRaw(result.stderr), "\(result.stderr.debugDescription)")
        }

        // The cron log: the file names, the moves, the reports and a file-level error naming the column.
        let box = try ProcessDirTests.Inbox()
        try box.add(name, Self.header + "\nk2,account_a,entity_e,0002\n")
        try box.add("head\u{2028}.csv", badHeader)
        let run = try box.run()
        #expect(run.status == 65, "\(run.stderr)")
        #expect(box.names("done") == [name] && box.names("failed") == ["head\u{2028}.csv"])
        #expect(run.stderr.contains("rlo\\u202evsc\\u2028.csv: completed"), "\(run.stderr.debugDescription)")
        #expect(run.stderr.contains("done/rlo\\u202evsc\\u2028.csv"), "\(run.stderr.debugDescription)")
        #expect(run.stderr.contains(#"col\u202e\u2028x"#), "\(run.stderr.debugDescription)")
        #expect(!holdsRaw(run.stderr), "\(run.stderr.debugDescription)")
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
