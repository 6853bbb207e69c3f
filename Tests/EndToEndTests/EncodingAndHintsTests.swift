import Foundation
import Testing

/// SPEC §10 through the built binary: encodings as spreadsheets write them, spreadsheet padding, and the hints
/// that say what to fix — on stderr after the summary (none with `--quiet`) and as `hints` in the JSON report.
@Suite struct EncodingAndHintsTests {
    static let header = "external_id,account_id,entity_id,details.last_four,metadata.note\n"

    /// Runs `process FILE --db … --report report.json` plus `extra`; returns the run and the report.
    private func process(
        _ file: String, _ extra: [String] = [], exit: Int32, in folder: TemporaryDirectory
    ) throws -> (run: CardUploadBinary.Result, report: [String: Any]) {
        let report = folder.path("report-\(UUID().uuidString).json")
        let run = try CardUploadBinary.run(
            ["process", file, "--db", folder.path("cards.sqlite"), "--report", report] + extra, in: folder.url)
        #expect(run.status == exit, "\(run.stderr)")
        let json = try readJSON(report)
        let violations = try ReportSchema.violations([SchemaCheck(name: "report", path: report)], in: folder)
        #expect(violations.values.allSatisfy { $0.isEmpty }, "\(violations)")
        return (run, json)
    }

    private func hintLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.contains(": hint: ") }
    }

    // MARK: Encodings

    /// The encoding `auto` settled on is recorded with the first batch that commits rows read in it, not when
    /// the rows end: a run killed after that batch leaves an upload that says how its committed rows were read
    /// (it said utf-8, a reviewer's finding). The rows come through a pipe that then stays open, so the load
    /// commits what it has and waits; it is killed there.
    /// With `--batch-size 4` the batches commit in the middle of the one hand-over, and the last row ends one
    /// (a reviewer's finding: the encoding was still not recorded then).
    @Test(arguments: [[], ["--batch-size", "4"]])
    func aLoadKilledAfterAutoSettledOnWindows1252SaysSo(_ extra: [String]) throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let (process, input) = try CardUploadBinary.startFedByPipe(["process", "-", "--db", db, "--quiet"] + extra, in: folder.url)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        var bytes = Array(Self.header.utf8)
        for index in 0..<10 { bytes += Array("k\(index),account_a,entity_e,0042,plain\n".utf8) }
        bytes += Array("cafe,account_a,entity_e,0042,caf".utf8) + [0xE9, 0x0A]
        for index in 10..<15 { bytes += Array("k\(index),account_a,entity_e,0042,plain\n".utf8) }
        input.write(Data(bytes))
        // The 16 rows are committed once the load waits on the pipe.
        let deadline = Date().addingTimeInterval(60)
        var committed = 0
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: db),
               let count = try? StoreInspector(db).count("SELECT count(*) FROM cards"), count == 16 {
                committed = count
                break
            }
            usleep(20_000)
        }
        try #require(committed == 16)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let store = try StoreInspector(db)
        #expect(try store.value("SELECT encoding FROM uploads") == "cp1252")
        #expect(try store.value("SELECT status FROM uploads") == "running")
        #expect(try store.value("SELECT json_extract(metadata, '$.note') FROM cards WHERE external_id = 'cafe'") == "café")
        // The next run finds it interrupted, and `uploads show` prints how it was read.
        let list = try CardUploadBinary.run(["uploads", "list", "--json", "--db", db], in: folder.url)
        #expect(list.stdout.contains("\"status\":\"interrupted\""), "\(list.stdout)")
        let id = try #require(try store.value("SELECT id FROM uploads"))
        let shown = try CardUploadBinary.run(["uploads", "show", id, "--db", db], in: folder.url)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        #expect(report["encoding"] as? String == "cp1252", "\(shown.stdout.prefix(300))")
    }

    @Test func excelsWindows1252FileLoadsWholeUnderAuto() throws {
        let folder = try TemporaryDirectory()
        // The first non-ASCII byte on line 100,002: far past the first chunk read.
        var bytes = Array(Self.header.utf8)
        for index in 0..<100_000 { bytes += Array("k\(index),account_a,entity_e,0042,plain\n".utf8) }
        bytes += Array("cafe,account_a,entity_e,0042,caf".utf8) + [0xE9, 0x20, 0x80, 0x0A]
        bytes += Array("last,account_a,entity_e,0042,na".utf8) + [0xEF, 0x76, 0x65, 0x0A]
        let file = try folder.write("excel.csv", bytes: bytes)
        let (run, report) = try process(file, exit: 0, in: folder)
        #expect(report["encoding"] as? String == "cp1252")
        #expect((report["counts"] as? [String: Int])?["created"] == 100_002)
        let store = try StoreInspector(folder.path("cards.sqlite"))
        #expect(try store.value("SELECT json_extract(metadata, '$.note') FROM cards WHERE external_id = 'cafe'") == "café €")
        #expect(try store.value("SELECT json_extract(metadata, '$.note') FROM cards WHERE external_id = 'last'") == "naïve")
        #expect(try store.value("SELECT json_extract(metadata, '$.note') FROM cards WHERE external_id = 'k99999'") == "plain")
        #expect(try store.value("SELECT encoding FROM uploads") == "cp1252")
        let hints = hintLines(run.stderr)
        #expect(hints.count == 1 && hints[0].contains("not UTF-8 from line 100002 on (byte 0xE9)"), "\(run.stderr)")
        #expect((report["hints"] as? [String])?.first?.contains("from line 100002") == true)

        // One valid UTF-8 character before it: the file is UTF-8, and only the bad row is rejected.
        var utf8 = Array(Self.header.utf8) + Array("first,account_a,entity_e,0042,café\n".utf8)
        for index in 0..<20_000 { utf8 += Array("k\(index),account_a,entity_e,0042,plain\n".utf8) }
        utf8 += bytes.suffix(from: bytes.firstIndex(of: 0xE9)! - 32)
        let mixed = try folder.write("mixed.csv", bytes: utf8)
        let (mixedRun, mixedReport) = try process(mixed, ["--db", folder.path("other.sqlite")], exit: 1, in: folder)
        #expect(mixedReport["encoding"] as? String == "utf-8")
        #expect(mixedReport["rejected_by_code"] as? [String: Int] == ["malformed_record": 2])
        #expect((mixedReport["counts"] as? [String: Int])?["created"] == 20_001)
        #expect(hintLines(mixedRun.stderr).isEmpty, "\(mixedRun.stderr)")
    }

    @Test func theEncodingNamesUsersType() throws {
        let folder = try TemporaryDirectory()
        let bytes = Array(Self.header.utf8) + Array("k1,account_a,entity_e,0042,".utf8) + [0x80, 0x0A]
        let file = try folder.write("euro.csv", bytes: bytes)
        for name in ["latin1", "ISO-8859-1", "windows-1252", "CP1252"] {
            let db = folder.path("\(name).sqlite")
            let (_, report) = try process(file, ["--encoding", name, "--db", db], exit: 0, in: folder)
            #expect(report["encoding"] as? String == "cp1252", "\(name)")
            #expect(try StoreInspector(db).value("SELECT json_extract(metadata, '$.note') FROM cards") == "€", "\(name): not a control character")
        }
        for name in ["utf8", "UTF-8"] {
            let (_, report) = try process(file, ["--encoding", name, "--db", folder.path("\(name).sqlite")], exit: 1, in: folder)
            #expect(report["rejected_by_code"] as? [String: Int] == ["malformed_record": 1], "\(name): strict")
        }
        let wrong = try CardUploadBinary.run(["process", file, "--encoding", "latin-2", "--db", folder.path("x.sqlite")], in: folder.url)
        #expect(wrong.status == 64)
        #expect(wrong.stderr.contains("--encoding must be auto, utf-8"), "\(wrong.stderr)")
        // auto is what a JSON-lines file is read as anyway; any other name is still refused for one.
        let jsonl = try folder.write("a.jsonl", #"{"external_id":"j","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0042"}}"# + "\n")
        _ = try process(jsonl, ["--encoding", "AUTO"], exit: 0, in: folder)
        let refused = try CardUploadBinary.run(["process", jsonl, "--encoding", "cp1252", "--db", folder.path("cards.sqlite")], in: folder.url)
        #expect(refused.status == 64)
    }

    @Test func aByteOrderMarkWinsOverEncoding() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write("bom.csv", bytes: [0xEF, 0xBB, 0xBF] + Array((Self.header + "k1,account_a,entity_e,0042,café\n").utf8))
        let (run, report) = try process(file, ["--encoding", "cp1252"], exit: 0, in: folder)
        #expect(report["encoding"] as? String == "utf-8")
        #expect(try StoreInspector(folder.path("cards.sqlite")).value("SELECT json_extract(metadata, '$.note') FROM cards") == "café")
        #expect(hintLines(run.stderr).first?.contains("byte order mark: it was read as UTF-8") == true, "\(run.stderr)")
    }

    // MARK: Spreadsheet padding

    @Test func aHeaderPaddedWithEmptyColumnsLoads() throws {
        let folder = try TemporaryDirectory()
        let text = "external_id,account_id,entity_id,details.last_four,,\nk1,account_a,entity_e,0042,,\nk2,account_a,entity_e,0042,,stray\n"
        let rejects = folder.path("rejects.csv")
        let (_, report) = try process(try folder.write("padded.csv", text), ["--rejects", rejects], exit: 1, in: folder)
        #expect((report["counts"] as? [String: Int])?["created"] == 1)
        let rows = try #require(report["rows"] as? [[String: Any]])
        let message = (rows[1]["errors"] as? [[String: Any]])?.first?["message"] as? String
        #expect(message?.contains("field 6 holds a value, but its column has no name") == true, "\(String(describing: message))")
        // The rejects file keeps the named columns; the stray record goes to _raw whole.
        let written = try String(contentsOfFile: rejects, encoding: .utf8)
        #expect(written.hasPrefix("external_id,account_id,entity_id,details.last_four,_line,_errors,_raw"), "\(written)")
        #expect(written.contains("k2,account_a,entity_e,'0042,,stray") || written.contains("k2,account_a,entity_e,0042,,stray"), "\(written)")
    }

    // MARK: Hints

    @Test func aLastFourWithoutItsLeadingZerosHintsOnceAndSaysSoInTheRow() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write("zeros.csv", Self.header + "k1,account_a,entity_e,42,\nk2,account_a,entity_e,7,\nk3,account_a,entity_e,0042,\n")
        let (run, report) = try process(file, exit: 1, in: folder)
        let hints = hintLines(run.stderr)
        #expect(hints.count == 1, "once per file: \(run.stderr)")
        #expect(hints.first?.hasPrefix("\(file): hint: details.last_four \"42\" has fewer than four digits") == true, "\(run.stderr)")
        #expect((report["hints"] as? [String])?.count == 1)
        let rows = try #require(report["rows"] as? [[String: Any]])
        let message = (rows[1]["errors"] as? [[String: Any]])?.first?["message"] as? String
        #expect(message?.hasSuffix(#"(got "7") — did a spreadsheet drop leading zeros? "0007""#) == true, "\(String(describing: message))")
        // The hint comes after the summary line, and not at all with --quiet.
        let lines = run.stderr.split(separator: "\n")
        let summary = try #require(lines.firstIndex { $0.contains(" rows: ") })
        let hint = try #require(lines.firstIndex { $0.contains(": hint: ") })
        #expect(summary < hint)
        let quiet = try CardUploadBinary.run(["process", file, "--db", folder.path("q.sqlite"), "--quiet"], in: folder.url)
        #expect(quiet.status == 1 && !quiet.stderr.contains("hint"), "\(quiet.stderr)")
    }

    @Test func mistypedColumnsAreNamedWithWhatTheyMayMean() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write("columns.csv", "external_id,account_id,entity_id,last_four,cost_center,Details.Last_Four\nk1,account_a,entity_e,0042,cc,x\n")
        let (run, report) = try process(file, exit: 65, in: folder)
        let error = try #require(report["error"] as? [String: Any])
        #expect(error["code"] as? String == "unknown_column")
        let message = try #require(error["message"] as? String)
        #expect(message.contains(#"column 4 "last_four" is not an upload column (unknown_column); did you mean 'details.last_four'?"#), "\(message)")
        #expect(message.contains("did you mean 'metadata.cost_center'? (metadata columns are named metadata.<key>)"), "\(message)")
        let hints = try #require(report["hints"] as? [String])
        #expect(hints.count == 3, "\(hints)")
        #expect(hintLines(run.stderr).count == 3, "\(run.stderr)")
        #expect(hintLines(run.stderr).last?.contains(#"column "Details.Last_Four": did you mean 'details.last_four'?"#) == true)

        let noEntity = try folder.write("noentity.csv", "external_id,account_id,details.last_four\nk1,account_a,0042\n")
        let (entityRun, entityReport) = try process(noEntity, exit: 65, in: folder)
        #expect((entityReport["error"] as? [String: Any])?["message"] as? String
            == #"header has 1 problem: required column "entity_id" is missing (missing_column); or give --entity ENTITY_ID"#)
        #expect(hintLines(entityRun.stderr).first?.contains("add it, or give --entity ENTITY_ID") == true, "\(entityRun.stderr)")
    }

    @Test func anExcelWorkbookIsNotATextFile() throws {
        let folder = try TemporaryDirectory()
        let workbooks: [(String, [UInt8])] = [
            ("cards.xlsx", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00] + Array(repeating: 0, count: 60)),
            ("cards.xls", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + Array(repeating: 0, count: 60)),
        ]
        for (name, bytes) in workbooks {
            let (run, report) = try process(try folder.write(name, bytes: bytes), exit: 65, in: folder)
            #expect((report["error"] as? [String: Any])?["code"] as? String == "not_a_text_file", "\(name)")
            #expect(run.stderr.contains("not_a_text_file"), "\(run.stderr)")
            #expect(hintLines(run.stderr).first?.contains("this is an Excel workbook: save it as CSV") == true, "\(run.stderr)")
        }
    }

    @Test func aFolderGivenAsFileSaysToUseProcessDir() throws {
        let folder = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.path("inbox"), withIntermediateDirectories: false)
        let run = try CardUploadBinary.run(["process", "inbox", "--db", folder.path("cards.sqlite")], in: folder.url)
        #expect(run.status == 66)
        #expect(run.stderr.contains("'inbox' is a folder — to load a folder, use process-dir"), "\(run.stderr)")
    }

    @Test func aConflictNamesEachDifferingMetadataKeyWithBothValues() throws {
        let folder = try TemporaryDirectory()
        let header = "external_id,account_id,entity_id,details.last_four,metadata.amount,metadata.team\n"
        _ = try process(try folder.write("first.csv", header + "k1,account_a,entity_e,0042,1.50,ops\n"), exit: 0, in: folder)
        let (run, report) = try process(try folder.write("again.csv", header + "k1,account_a,entity_e,0042,1.5,ops\n"), exit: 1, in: folder)
        let rows = try #require(report["rows"] as? [[String: Any]])
        let message = try #require((rows[0]["errors"] as? [[String: Any]])?.first?["message"] as? String)
        #expect(message.contains(#"(metadata.amount: "1.50" stored, "1.5" in the file)"#), "\(message)")
        #expect(!message.contains("metadata.team"))
        #expect(message.contains("--on-conflict update"))
        #expect(hintLines(run.stderr).first?.contains(#"metadata.amount: "1.50" stored, "1.5" in the file"#) == true, "\(run.stderr)")
    }

    @Test func apostrophesOfARejectsFileWithoutItsAnnotationColumnsAreKeptAndHinted() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write("stripped.csv", Self.header + "k1,account_a,entity_e,0042,'=SUM(A1)\n")
        let (run, _) = try process(file, exit: 0, in: folder)
        #expect(try StoreInspector(folder.path("cards.sqlite")).value("SELECT json_extract(metadata, '$.note') FROM cards") == "'=SUM(A1)")
        #expect(hintLines(run.stderr).first?.contains("keep the _ columns when you fix a rejects file") == true, "\(run.stderr)")
    }

    /// The hints are stored with the upload: `uploads show`, rebuilt from the store, lists the load's hints and is
    /// the same document as the load's report — for a plain load, for an atomic Lead file that committed nothing
    /// (its outcomes and hints recorded after the rollback), and `[]` in both for a file without hints. A dry run's
    /// report, written from its transaction before the rollback, lists them too.
    @Test func uploadsShowListsTheHintsOfTheLoadsReport() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let zeros = try folder.write("zeros.csv", Self.header + "k1,account_a,entity_e,42,\nk2,account_a,entity_e,0042,\n")
        let lead = try folder.write(
            "lead.csv", LeadCardFileTests.header + LeadCardFileTests.row("a1") + LeadCardFileTests.row("a2", status: "bogus"))
        let clean = try folder.write("clean.csv", Self.header + "k9,account_a,entity_e,0042,\n")
        let loads: [(file: String, exit: Int32, hint: String?)] = [
            (zeros, 1, #"details.last_four "42" has fewer than four digits"#),
            (lead, 1, #"created_at "2026-12-01 10:00" has no time zone"#),
            (clean, 0, nil),
        ]
        for load in loads {
            let (run, report) = try process(load.file, exit: load.exit, in: folder)
            let hints = try #require(report["hints"] as? [String], "\(load.file)")
            if let expected = load.hint {
                #expect(hints.count == 1 && hints[0].hasPrefix(expected), "\(load.file): \(hints)")
                #expect(hintLines(run.stderr).count == 1 && hintLines(run.stderr)[0].hasSuffix(hints[0]), "\(run.stderr)")
            } else {
                #expect(hints.isEmpty && hintLines(run.stderr).isEmpty, "\(load.file): \(hints) \(run.stderr)")
            }
            let uploadID = try #require(report["upload_id"] as? String)
            let shown = try CardUploadBinary.run(["uploads", "show", uploadID, "--db", db], in: folder.url)
            #expect(shown.status == 0, "\(shown.stderr)")
            let rebuilt = try parseJSON(shown.stdout)
            #expect(rebuilt["hints"] as? [String] == hints, "\(load.file): \(shown.stdout)")
            #expect(try canonicalJSON(rebuilt) == canonicalJSON(report), "\(load.file): uploads show differs")
        }
        #expect(try StoreInspector(db).rows("SELECT file, hints FROM uploads ORDER BY seq").map { $0[1] == nil } == [false, false, true],
                "a JSON array when there are hints, NULL when none")

        let (_, dry) = try process(zeros, ["--dry-run"], exit: 1, in: folder)
        #expect((dry["hints"] as? [String])?.first?.hasPrefix(#"details.last_four "42""#) == true, "\(dry)")
    }

    @Test func aLeadDateTimeWithoutAZoneIsReadAsUTCWithAHint() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write("lead.csv", LeadCardFileTests.header + LeadCardFileTests.row("a1") + LeadCardFileTests.row("a2"))
        let (run, report) = try process(file, exit: 0, in: folder)
        #expect(try StoreInspector(folder.path("cards.sqlite")).value("SELECT created_at FROM cards WHERE external_id = 'a1'") == "2026-12-01T10:00:00.000Z")
        let hints = try #require(report["hints"] as? [String])
        #expect(hints.count == 1 && hints[0].hasPrefix(#"created_at "2026-12-01 10:00" has no time zone"#), "\(hints)")
        #expect(hintLines(run.stderr).count == 1, "\(run.stderr)")
    }
}
