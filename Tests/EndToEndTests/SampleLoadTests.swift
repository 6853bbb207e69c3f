import Foundation
import Testing

/// Loads the shipped samples with the real binary and checks the exit code, the store and the report.
@Suite struct SampleLoadTests {
    static let expectedCodes: Set<String> = [
        "missing_field", "invalid_format", "invalid_enum", "unsupported_card_type", "card_not_found",
        "pan_detected", "metadata_limit", "idempotency_conflict", "malformed_record",
    ]

    @Test func csvSampleCreatesTheGoodRowsAndRejectsEachBadOneWithItsCode() throws {
        let folder = try TemporaryDirectory()
        let result = try CardUploadBinary.run(
            ["process", samplesDirectory.appendingPathComponent("cards.csv").path, "--db", folder.path("cards.sqlite"),
             "--report", folder.path("report.json")],
            in: folder.url)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("37 rows: 22 created, 1 replayed, 0 updated, 14 rejected"), "\(result.stderr)")

        let report = try readJSON(folder.path("report.json"))
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(counts == ["rows": 37, "created": 22, "replayed": 1, "updated": 0, "rejected": 14])
        #expect(report["status"] as? String == "completed_with_errors")
        #expect(report["format"] as? String == "csv")
        #expect(report["delimiter"] as? String == ",")
        #expect(report["compression"] as? String == "none")
        let byCode = try #require(report["rejected_by_code"] as? [String: Int])
        #expect(Set(byCode.keys) == Self.expectedCodes)
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.count == 37)
        // The multi-line quoted note makes line numbers skip: every line is distinct and increasing.
        let lines = rows.compactMap { $0["line"] as? Int }
        #expect(lines == lines.sorted() && Set(lines).count == 37 && lines.first == 2)

        let store = try StoreInspector(folder.path("cards.sqlite"))
        #expect(try store.count("SELECT count(*) FROM cards") == 22)
        #expect(try store.count("SELECT count(*) FROM upload_outcomes") == 37)
        let note = try store.value("SELECT metadata FROM cards WHERE external_id = 'emp-0005'")
        #expect(note == #"{"cost_center":"CC-300","note":"line one\nline two"}"#)
        let lastFour = try store.value("SELECT last_four FROM cards WHERE external_id = 'emp-0001'")
        #expect(lastFour == "0042")
    }

    @Test func jsonLinesTwinReplaysWhatTheCSVCreated() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        try CardUploadBinary.run(["process", samplesDirectory.appendingPathComponent("cards.csv").path, "--db", db], in: folder.url)
        let result = try CardUploadBinary.run(
            ["process", samplesDirectory.appendingPathComponent("cards.jsonl").path, "--db", db,
             "--report", folder.path("report.json")],
            in: folder.url)
        #expect(result.status == 1, "\(result.stderr)")
        let report = try readJSON(folder.path("report.json"))
        let counts = try #require(report["counts"] as? [String: Int])
        // Same canonical body across formats: nothing new, nothing conflicting but the deliberate conflict.
        #expect(counts == ["rows": 37, "created": 0, "replayed": 23, "updated": 0, "rejected": 14])
        #expect(report["format"] as? String == "jsonl")
        #expect(report["delimiter"] is NSNull)
        let store = try StoreInspector(db)
        #expect(try store.count("SELECT count(*) FROM cards") == 22)
    }

    @Test func gzipSampleLoadsLikeThePlainOne() throws {
        let folder = try TemporaryDirectory()
        let result = try CardUploadBinary.run(
            ["process", samplesDirectory.appendingPathComponent("cards.csv.gz").path, "--db", folder.path("cards.sqlite"),
             "--report", folder.path("report.json")],
            in: folder.url)
        #expect(result.status == 1, "\(result.stderr)")
        let report = try readJSON(folder.path("report.json"))
        #expect(report["compression"] as? String == "gzip")
        #expect((report["counts"] as? [String: Int])?["created"] == 22)
        let size = try FileManager.default.attributesOfItem(atPath: samplesDirectory.appendingPathComponent("cards.csv.gz").path)[.size] as? Int
        #expect(report["bytes"] as? Int == size)
    }

    @Test func theCardNumberInTheSampleIsStoredNowhere() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        var printed = ""
        for sample in ["cards.csv", "cards.jsonl"] {
            let run = try CardUploadBinary.run(
                ["process", samplesDirectory.appendingPathComponent(sample).path, "--db", db,
                 "--report", folder.path("\(sample).report.json"), "--rejects", folder.path("\(sample).rejects"),
                 "--results", folder.path("\(sample).results.csv"), "--html", folder.path("\(sample).html"),
                 "--batch-size", "5"],
                in: folder.url)
            printed += run.stdout + run.stderr
        }
        printed += try CardUploadBinary.run(["cards", "list", "--db", db], in: folder.url).stdout
        printed += try CardUploadBinary.run(["cards", "list", "--format", "csv", "--db", db], in: folder.url).stdout
        for needle in ["4111111111111111", "4111 1111 1111 1111", "41111111", "4111 1111"] {
            #expect(!printed.contains(needle), "\(needle) printed")
        }
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        #expect(written.count >= 9, "\(written)")
        for file in written {
            let bytes = try Data(contentsOf: folder.url.appendingPathComponent(file))
            for needle in ["4111111111111111", "4111 1111 1111 1111", "41111111", "4111 1111"] {
                #expect(bytes.range(of: Data(needle.utf8)) == nil, "\(needle) found in \(file)")
            }
        }
        let report = try String(contentsOfFile: folder.path("cards.csv.report.json"), encoding: .utf8)
        #expect(report.contains("pan_detected"))
        #expect(report.contains("**** **** **** 1111"))
    }
}
