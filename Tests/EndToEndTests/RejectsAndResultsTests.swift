import Foundation
import Testing

/// `--rejects` and `--results` (SPEC §6) through the binary: fix the rejects file, upload it again.
@Suite struct RejectsAndResultsTests {
    /// Loads `csv` (as `a.csv`) into `cards.sqlite` in `folder`, with `--rejects rejects.csv --results results.csv`.
    static func loadWithRejectsAndResults(_ folder: TemporaryDirectory, _ csv: String) throws -> CardUploadBinary.Result {
        let input = try folder.write("a.csv", csv)
        return try CardUploadBinary.run(
            ["process", input, "--db", folder.path("cards.sqlite"), "--rejects", folder.path("rejects.csv"),
             "--results", folder.path("results.csv")],
            in: folder.url)
    }

    @Test func theCSVRejectsFileKeepsTheInputsColumnsAndRoundTrips() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let first = try Self.loadWithRejectsAndResults(
            folder,
            "external_id;account_id;entity_id;details.last_four;metadata.note\n"
                + "k1;account_a;entity_e;0001;fine\n"
                + "k2;account_a;entity_e;12;=HYPERLINK(\"x\")\n"
                + "k3;account_a;entity_e;0003;'=kept as typed\n"
                + "k4;account_a;entity_e;0004;card 4111 1111 1111 1111\n"
                + "k5;account_a\n")
        #expect(first.status == 1, "\(first.stderr)")
        let rejects = try String(contentsOfFile: folder.path("rejects.csv"), encoding: .utf8)
        let lines = rejects.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "external_id;account_id;entity_id;details.last_four;metadata.note;_line;_errors;_raw")
        #expect(lines.count == 5, "\(rejects)")  // header, k2, k4, k5, trailing newline
        #expect(lines[1].hasPrefix(#"k2;account_a;entity_e;'12;"'=HYPERLINK(""x"")";3;"#), "\(lines[1])")
        #expect(lines[2].contains("card **** **** **** 1111"))
        #expect(lines[3].hasPrefix(";;;;;6;"))
        #expect(lines[3].hasSuffix(#";"k5;account_a""#))
        #expect(!rejects.contains("4111 1111 1111 1111"))

        let results = try String(contentsOfFile: folder.path("results.csv"), encoding: .utf8)
        let resultLines = results.split(separator: "\n")
        #expect(resultLines.first == "line,external_id,entity_id,outcome,card_id")
        #expect(resultLines.count == 6)
        #expect(resultLines[1].hasPrefix("2,k1,entity_e,created,card_"))
        #expect(resultLines[2] == "3,k2,entity_e,rejected,")

        // k3's metadata was stored as typed: the reader took off nothing in a file without `_` columns.
        #expect(try StoreInspector(db).value("SELECT metadata FROM cards WHERE external_id = 'k3'") == #"{"note":"'=kept as typed"}"#)

        // Fix k2 in place (the formula stays as the user typed it), upload the rejects file as it is.
        let fixed = rejects.replacingOccurrences(of: "k2;account_a;entity_e;'12;", with: "k2;account_a;entity_e;'0002;")
        try fixed.write(toFile: folder.path("rejects.csv"), atomically: true, encoding: .utf8)
        let second = try CardUploadBinary.run(
            ["process", folder.path("rejects.csv"), "--db", db, "--report", folder.path("r.json"),
             "--rejects", folder.path("rejects2.csv")], in: folder.url)
        #expect(second.status == 1)
        let report = try readJSON(folder.path("r.json"))
        #expect((report["counts"] as? [String: Int])?["created"] == 1)
        #expect(try StoreInspector(db).value("SELECT metadata FROM cards WHERE external_id = 'k2'") == #"{"note":"=HYPERLINK(\"x\")"}"#)
        // The second rejects file replaces the annotations instead of repeating them.
        let again = try String(contentsOfFile: folder.path("rejects2.csv"), encoding: .utf8)
        #expect(again.split(separator: "\n").first == "external_id;account_id;entity_id;details.last_four;metadata.note;_line;_errors;_raw")
    }

    /// SPEC §6 (issue 15): a formula after a `;` or `|` inside a cell of a comma file must not become a cell
    /// of its own in a spreadsheet that splits there, and NUL and full-width starts are neutralised — in the
    /// results, the rejects and the export — while the fixed rejects file still loads every value as it was.
    @Test func separatorsAndEveryFormulaStartAreProtectedInEveryCSVOutput() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let attack = "emp-1;=cmd|' /C calc'!A0"
        let first = try Self.loadWithRejectsAndResults(
            folder,
            "external_id,account_id,entity_id,details.last_four,metadata.note\n"
                + "\"\(attack)\",account_a,entity_e,0001,\"x|@SUM(A1)\"\n"
                + "＋SUM(A1),account_a,entity_e,12,＝1+2\n")
        #expect(first.status == 1, "\(first.stderr)")
        let results = try String(contentsOfFile: folder.path("results.csv"), encoding: .utf8).split(separator: "\n")
        #expect(results.count == 3 && results[1].hasPrefix("2,\"\(attack)\",entity_e,created,card_"), "\(results)")
        #expect(results[2] == "3,'＋SUM(A1),entity_e,rejected,", "\(results)")
        let rejects = try String(contentsOfFile: folder.path("rejects.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rejects.count == 2 && rejects[1].hasPrefix("'＋SUM(A1),account_a,entity_e,'12,'＝1+2,3,"), "\(rejects)")

        let export = try CardUploadBinary.run(["cards", "list", "--format", "csv", "--db", db], in: folder.url)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("\n\"\(attack)\",account_a,entity_e,virtual,'0001,,\"x|@SUM(A1)\",card_"), "\(export.stdout)")

        // NUL: only JSON lines can carry one into a value; its results cell is neutralised too.
        let jsonl = try folder.write("b.jsonl", #"{"external_id":"\u0000=1","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0002"}}"# + "\n")
        let nul = try CardUploadBinary.run(["process", jsonl, "--db", db, "--results", folder.path("results2.csv")], in: folder.url)
        #expect(nul.status == 1, "\(nul.stderr)")
        #expect(try String(contentsOfFile: folder.path("results2.csv"), encoding: .utf8).contains("\n1,'\u{0}=1,entity_e,rejected,"))

        // The rejects file, fixed and loaded again: the `'` comes off, the values are stored as typed.
        let fixed = try String(contentsOfFile: folder.path("rejects.csv"), encoding: .utf8)
            .replacingOccurrences(of: ",entity_e,'12,", with: ",entity_e,0003,")
        try fixed.write(toFile: folder.path("rejects.csv"), atomically: true, encoding: .utf8)
        let second = try CardUploadBinary.run(["process", folder.path("rejects.csv"), "--db", db], in: folder.url)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try StoreInspector(db).value("SELECT metadata FROM cards WHERE external_id = '＋SUM(A1)'") == #"{"note":"＝1+2"}"#)
    }

    @Test func theJSONLinesRejectsFileKeepsTheObjectsAndRoundTrips() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let input = try folder.write(
            "a.jsonl",
            #"{"external_id":"j1","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0001"}}"# + "\n"
                + #"{"external_id":"j2","account_id":"account_a","entity_id":"entity_e","details":{"last_four":12},"_note":"kept"}"# + "\n"
                + "not json at all\n")
        let result = try CardUploadBinary.run(["process", input, "--db", db, "--rejects", folder.path("rejects.jsonl")], in: folder.url)
        #expect(result.status == 1)
        let lines = try String(contentsOfFile: folder.path("rejects.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let j2 = try parseJSON(String(lines[0]))
        #expect(j2["external_id"] as? String == "j2")
        #expect(j2["_note"] as? String == "kept")
        #expect(j2["_line"] as? Int == 2)
        #expect(((j2["_errors"] as? [[String: Any]])?.first?["code"] as? String) == "invalid_type")
        let raw = try parseJSON(String(lines[1]))
        #expect(raw["_raw"] as? String == "not json at all")

        // Fixed and uploaded again as it is: the `_` keys are ignored.
        let fixed = String(lines[0]).replacingOccurrences(of: #""last_four":12"#, with: #""last_four":"0012""#)
        let again = try folder.write("fixed.jsonl", fixed + "\n")
        #expect(try CardUploadBinary.run(["process", again, "--db", db], in: folder.url).status == 0)
        #expect(try StoreInspector(db).value("SELECT last_four FROM cards WHERE external_id = 'j2'") == "0012")
    }

    @Test func outputsAreOwnerOnlyAndARejectsFileIsRefusedWithSeveralFiles() throws {
        let folder = try TemporaryDirectory()
        let input = try folder.write("a.csv", "external_id,account_id,entity_id,details.last_four\nk1,account_a,entity_e,1\n")
        let db = folder.path("cards.sqlite")
        #expect(try CardUploadBinary.run(["process", input, input, "--db", db, "--rejects", folder.path("r.csv")], in: folder.url).status == 64)
        #expect(try CardUploadBinary.run(["process", input, "--db", db, "--rejects", folder.path("x"), "--results", folder.path("x")], in: folder.url).status == 64)
        #expect(try CardUploadBinary.run(["process", input, "--db", db, "--rejects", "-"], in: folder.url).status == 64)
        #expect(try CardUploadBinary.run(["process", input, "--db", db, "--rejects", folder.path("r.csv"), "--results", folder.path("s.csv")], in: folder.url).status == 1)
        for name in ["r.csv", "s.csv"] {
            let permissions = try FileManager.default.attributesOfItem(atPath: folder.path(name))[.posixPermissions] as? Int
            #expect(permissions == 0o600)
        }
    }

    @Test func theHTMLReportIsWrittenBesideTheOthers() throws {
        let folder = try TemporaryDirectory()
        let result = try CardUploadBinary.run(
            ["process", samplesDirectory.appendingPathComponent("cards.csv").path, "--db", folder.path("cards.sqlite"),
             "--html", folder.path("report.html"), "--report", folder.path("report.json")],
            in: folder.url)
        #expect(result.status == 1)
        let html = try String(contentsOfFile: folder.path("report.html"), encoding: .utf8)
        #expect(html.contains(#"id="count-rejected">14<"#))
        #expect(html.contains(#"id="count-created">22<"#))
        #expect(html.components(separatedBy: "<rect").count - 1 == 9, "one bar per error code")
        #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("<script"))
        #expect(!html.contains("4111 1111 1111 1111"))
    }

    @Test func aCellThatAlreadyStartsWithAQuoteAndAFormulaRoundTripsByteForByte() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let input = try folder.write("q.csv", "external_id,account_id,entity_id,details.last_four,metadata.q\nq1,account_1,entity_1,bad,'=already\n")
        #expect(try CardUploadBinary.run(["process", input, "--db", db, "--rejects", folder.path("r.csv")], in: folder.url).status == 1)
        let fixed = try String(contentsOfFile: folder.path("r.csv"), encoding: .utf8).replacingOccurrences(of: ",bad,", with: ",0001,")
        let again = try folder.write("fixed.csv", fixed)
        #expect(try CardUploadBinary.run(["process", again, "--db", db], in: folder.url).status == 0)
        #expect(try StoreInspector(db).value("SELECT metadata FROM cards") == #"{"q":"'=already"}"#)
    }

    /// SPEC §6: the results file keeps the lighter rule of every CSV output — a `'` before a formula only, numbers,
    /// leading zeros and truth values as they are, separators quoted — while the rejects file of the same upload
    /// protects every cell a spreadsheet would change.
    @Test func theResultsFileNeutralisesFormulasOnlyAndTheRejectsFileEveryConversion() throws {
        let folder = try TemporaryDirectory()
        let result = try Self.loadWithRejectsAndResults(
            folder,
            "external_id,account_id,entity_id,details.last_four\n"
                + "0042,account_a,entity_e,0001\n-12.5,account_a,entity_e,0002\nTRUE,account_a,entity_e,0003\n"
                + "=1+1,account_a,entity_e,0004\n\"a;b\",account_a,entity_e,0005\n'5,account_a,entity_e,12\n")
        #expect(result.status == 1, "\(result.stderr)")
        let results = try String(contentsOfFile: folder.path("results.csv"), encoding: .utf8).split(separator: "\n")
        #expect(results.count == 7, "\(results)")
        #expect(results.dropFirst().map { $0.split(separator: ",", maxSplits: 2)[1] } == ["0042", "-12.5", "TRUE", "'=1+1", "\"a;b\"", "'5"])
        let rejects = try String(contentsOfFile: folder.path("rejects.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rejects.count == 2 && rejects[1].hasPrefix("''5,account_a,entity_e,'12,7,"), "\(rejects)")
    }

    /// SPEC §6: a malformed row uploaded again unfixed (its cells empty, its `_raw` set) keeps its text in the
    /// next rejects file, and the one after; filled in from it, it loads.
    @Test func anUnfixedMalformedRowKeepsItsRawThroughTwoMoreRejectsFiles() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let raw = "0042,account_a,=1+1;x"  // three fields of four
        var file = try folder.write("a.csv", "external_id,account_id,entity_id,details.last_four\nk1,account_a,entity_e,12\n\(raw)\n")
        var rejects = ""
        for generation in 1...3 {
            let path = folder.path("rejects\(generation).csv")
            let result = try CardUploadBinary.run(["process", file, "--db", db, "--rejects", path], in: folder.url)
            #expect(result.status == 1, "\(result.stderr)")
            rejects = try String(contentsOfFile: path, encoding: .utf8)
            let lines = rejects.split(separator: "\n")
            #expect(lines.count == 3, "generation \(generation): \(rejects)")
            #expect(lines[1].hasPrefix("k1,account_a,entity_e,'12,"), "generation \(generation): \(lines[1])")
            #expect(lines[1].hasSuffix(","), "an ordinary row's _raw is empty: \(lines[1])")
            #expect(lines[2].hasPrefix(generation == 1 ? ",,,,3,\"malformed_record: " : ",,,,3,\"missing_field: "), "\(lines[2])")
            #expect(lines[2].hasSuffix(",\"'\(raw)\""), "generation \(generation): \(lines[2])")
            file = path
        }
        // Filled in from `_raw` and with k1 fixed, the file loads.
        let fixed = rejects.replacingOccurrences(of: ",'12,", with: ",0001,")
            .replacingOccurrences(of: "\n,,,,3,", with: "\n'0042,account_a,entity_e,0002,3,")
        let again = try CardUploadBinary.run(["process", try folder.write("fixed.csv", fixed), "--db", db], in: folder.url)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try StoreInspector(db).rows("SELECT external_id FROM cards ORDER BY external_id") == [["0042"], ["k1"]])
    }

    /// The same in JSON lines: a line that was not JSON keeps its `_raw` through the next rejects file.
    @Test func anUnfixedJSONLineKeepsItsRawThroughTheNextRejectsFile() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let raw = #"{"external_id":"0042", oops"#
        var file = try folder.write("a.jsonl", raw + "\n")
        for generation in 1...3 {
            let path = folder.path("rejects\(generation).jsonl")
            let result = try CardUploadBinary.run(["process", file, "--db", db, "--rejects", path], in: folder.url)
            #expect(result.status == 1, "\(result.stderr)")
            let line = try parseJSON(try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .newlines))
            #expect(line["_raw"] as? String == raw, "generation \(generation): \(line)")
            #expect(line["_line"] as? Int == 1)
            file = path
        }
    }

    @Test func aJSONLineWithInvalidUTF8GoesWholeIntoRaw() throws {
        let folder = try TemporaryDirectory()
        var bytes = Array(#"{"external_id":"bad"#.utf8) + [0xFF] + Array(#"","account_id":"account_1","entity_id":"entity_1","details":{"last_four":"0001"}}"#.utf8)
        bytes.append(0x0A)
        let input = try folder.write("a.jsonl", bytes: bytes)
        #expect(try CardUploadBinary.run(["process", input, "--db", folder.path("c.sqlite"), "--rejects", folder.path("r.jsonl")], in: folder.url).status == 1)
        let line = try parseJSON(try String(contentsOfFile: folder.path("r.jsonl"), encoding: .utf8).trimmingCharacters(in: .newlines))
        #expect(line["external_id"] == nil)
        #expect((line["_raw"] as? String)?.hasPrefix(#"{"external_id":"bad"#) == true)
    }

    @Test func whenAnOutputFailsTheReportWrittenAtLoadTimeStillEqualsUploadsShow() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        try #require(FileManager.default.fileExists(atPath: "/dev/full"))
        let input = try folder.write("a.csv", "external_id,account_id,entity_id,details.last_four\nk1,account_a,entity_e,0001\nk2,account_a,entity_e,12\n")
        for option in ["--rejects", "--results", "--html"] {
            let result = try CardUploadBinary.run(
                ["process", input, "--db", db, option, "/dev/full", "--report", folder.path("r.json")], in: folder.url)
            #expect(result.status == 73, "\(option)")
            let written = try readJSON(folder.path("r.json"))
            #expect(written["status"] as? String == "failed", "\(option)")
            #expect((written["error"] as? [String: Any])?["code"] as? String == "output_error", "\(option)")
            let id = try #require(written["upload_id"] as? String)
            let shown = try CardUploadBinary.run(["uploads", "show", id, "--db", db], in: folder.url)
            #expect(try canonicalJSON(parseJSON(shown.stdout)) == canonicalJSON(written), "\(option)")
        }
    }
}
