import Foundation
import Testing

/// The reports the binary writes, in every situation SPEC §6 names, validated against
/// `schemas/report.schema.json` by Python's `jsonschema` (Draft 2020-12) — and the validator shown to reject
/// what the schema forbids, so a schema that accepts anything cannot pass. Without python3 or jsonschema
/// these tests fail: they never skip.
@Suite struct ReportSchemaTests {
    static let header = "external_id,account_id,entity_id,details.last_four,metadata.team\n"

    // MARK: The schema itself

    @Test func theSchemaIsAValidDraft202012SchemaNamingEveryErrorCode() throws {
        // `check_schema` runs before any document is validated; an empty batch runs only it.
        let folder = try TemporaryDirectory()
        #expect(try ReportSchema.violations([], in: folder).isEmpty)

        let schema = try readJSON(ReportSchema.path)
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        let definitions = try #require(schema["$defs"] as? [String: Any])
        let fileCodes = try #require((definitions["fileErrorCode"] as? [String: Any])?["enum"] as? [String])
        let rowCodes = try #require((definitions["rowErrorCode"] as? [String: Any])?["enum"] as? [String])
        #expect(Set(fileCodes).isDisjoint(with: rowCodes))
        // The product's own list of codes (SPEC's spelling): a code added there must be added to the schema.
        let source = try String(contentsOf: ReportSchema.repositoryRoot.appendingPathComponent(
            "Sources/CardUploadModel/ErrorCode.swift"), encoding: .utf8)
        let declared = Set(source.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("case "), let open = line.firstIndex(of: "\""), let close = line.lastIndex(of: "\""),
                  open < close else { return nil }
            return String(line[line.index(after: open)..<close])
        })
        #expect(declared.count >= 25, "parsed \(declared.sorted())")
        #expect(Set(fileCodes).union(rowCodes) == declared)
    }

    // MARK: Reports the binary writes

    @Test func theSampleCSVItsGzipAndItsJSONLinesTwinMatchTheSchema() throws {
        let folder = try TemporaryDirectory()
        let csv = samplesDirectory.appendingPathComponent("cards.csv").path
        var reports: [ReportFile] = []

        let db = folder.path("cards.sqlite")
        reports += try load(["process", csv, "--db", db], report: "csv", exit: 1, in: folder)
        let csvReport = try readJSON(folder.path("csv.json"))
        #expect(csvReport["status"] as? String == "completed_with_errors")
        let byCode = try #require(csvReport["rejected_by_code"] as? [String: Int])
        #expect(byCode.count >= 8, "the sample rejects rows for many codes: \(byCode)")
        let outcomes = Set(try rows(of: csvReport).compactMap { $0["outcome"] as? String })
        #expect(outcomes == ["created", "replayed", "rejected"])

        // The JSON-lines twin after the CSV: every good row replayed, the bad ones rejected again.
        reports += try load(
            ["process", samplesDirectory.appendingPathComponent("cards.jsonl").path, "--db", db],
            report: "jsonl-after-csv", exit: 1, in: folder)
        let twin = try readJSON(folder.path("jsonl-after-csv.json"))
        #expect(twin["format"] as? String == "jsonl" && twin["delimiter"] is NSNull)
        #expect((twin["counts"] as? [String: Int])?["created"] == 0)

        // The twin into an empty store (created rows from JSON lines), and the gzip sample (compression gzip).
        reports += try load(
            ["process", samplesDirectory.appendingPathComponent("cards.jsonl").path, "--db", folder.path("jsonl.sqlite")],
            report: "jsonl-fresh", exit: 1, in: folder)
        reports += try load(
            ["process", samplesDirectory.appendingPathComponent("cards.csv.gz").path, "--db", folder.path("gz.sqlite")],
            report: "csv-gz", exit: 1, in: folder)
        #expect(try readJSON(folder.path("csv-gz.json"))["compression"] as? String == "gzip")

        try expectValid(reports, in: folder)
    }

    @Test func zeroRowUploadsMatchTheSchema() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        var reports: [ReportFile] = []
        reports += try load(["process", try folder.write("header-only.csv", Self.header), "--db", db],
                            report: "header-only", exit: 0, in: folder)
        reports += try load(["process", try folder.write("empty.jsonl", ""), "--db", db],
                            report: "empty-jsonl", exit: 0, in: folder)
        for report in reports {
            let document = try readJSON(report.path)
            #expect(document["status"] as? String == "completed", "\(report.name)")
            #expect((document["counts"] as? [String: Int])?["rows"] == 0, "\(report.name)")
        }
        try expectValid(reports, in: folder)
    }

    @Test func failedUploadsMatchTheSchemaWithTheirError() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        var reports: [ReportFile] = []

        let badHeader = try folder.write(
            "bad-header.csv", "external_id,account_id,entity_id,details.last_four,status,colour\nk1,account_a,entity_e,0001,active,red\n")
        reports += try load(["process", badHeader, "--db", db], report: "bad-header", exit: 65, in: folder)
        reports += try load(["process", try folder.write("empty.csv", ""), "--db", db], report: "empty-file", exit: 65, in: folder)
        let openQuote = try folder.write(
            "open-quote.csv", Self.header + "q1,account_a,entity_e,0001,x\nq2,\"account_a,entity_e,0002,x\n")
        reports += try load(["process", openQuote, "--db", db], report: "open-quote", exit: 65, in: folder)

        // A gzip stream cut short after many rows: failed, corrupt_gzip with the file offset, earlier rows kept.
        var text = Self.header
        for index in 0..<5000 { text += "g\(index),account_a,entity_e,\(String(format: "%04d", index % 10000)),t\n" }
        let plain = try folder.write("big.csv", text)
        try gzip(plain)
        let compressed = try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
        let cut = try folder.write("cut.csv.gz", bytes: Array(compressed.prefix(compressed.count - 20)))
        reports += try load(["process", cut, "--db", db, "--batch-size", "100"], report: "corrupt-gzip", exit: 65, in: folder)

        let expected = ["bad-header": ["column_not_settable", "unknown_column"], "empty-file": ["empty_file"],
                        "open-quote": ["malformed_csv"], "corrupt-gzip": ["corrupt_gzip"]]
        for report in reports where !report.name.hasSuffix("(uploads show)") {
            let document = try readJSON(report.path)
            #expect(document["status"] as? String == "failed", "\(report.name)")
            let error = try #require(document["error"] as? [String: Any], "\(report.name)")
            #expect(expected[report.name]?.contains(error["code"] as? String ?? "") == true, "\(report.name): \(error)")
        }
        let gzipReport = try readJSON(folder.path("corrupt-gzip.json"))
        let gzipError = try #require(gzipReport["error"] as? [String: Any])
        #expect((gzipError["offset"] as? Int).map { $0 > 0 && $0 <= compressed.count - 20 } == true, "\(gzipError)")
        #expect(((gzipReport["counts"] as? [String: Int])?["created"] ?? 0) > 0, "rows before the cut stay committed")
        #expect(gzipReport["compression"] as? String == "gzip")

        try expectValid(reports, in: folder)
    }

    @Test func aRerunAndOnConflictUpdateMatchTheSchema() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let first = try folder.write("a.csv", Self.header + "u1,account_a,entity_e,0001,red\nu2,account_a,entity_e,0002,\nu3,account_a,entity_e,0003,blue\n")
        var reports: [ReportFile] = []
        reports += try load(["process", first, "--db", db], report: "first", exit: 0, in: folder)
        reports += try load(["process", first, "--db", db], report: "rerun", exit: 0, in: folder)
        let rerun = try readJSON(folder.path("rerun.json"))
        #expect(rerun["counts"] as? [String: Int] == ["rows": 3, "created": 0, "replayed": 3, "updated": 0, "rejected": 0])

        let changed = try folder.write("b.csv", Self.header + "u1,account_a,entity_e,0001,green\nu2,account_a,entity_e,0002,new\nu3,account_a,entity_e,0003,blue\n")
        reports += try load(["process", changed, "--db", db, "--on-conflict", "update"], report: "update", exit: 0, in: folder)
        let update = try readJSON(folder.path("update.json"))
        #expect(update["counts"] as? [String: Int] == ["rows": 3, "created": 0, "replayed": 1, "updated": 2, "rejected": 0])
        // Without --on-conflict update the same change is a conflict: rejected rows with their code.
        let conflicting = try folder.write("c.csv", Self.header + "u1,account_a,entity_e,0001,black\n")
        reports += try load(["process", conflicting, "--db", db], report: "conflict", exit: 1, in: folder)
        #expect(try readJSON(folder.path("conflict.json"))["rejected_by_code"] as? [String: Int] == ["idempotency_conflict": 1])

        try expectValid(reports, in: folder)
    }

    @Test func tsvLatin1AndStandardInputMatchTheSchema() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        var reports: [ReportFile] = []
        let tsv = try folder.write(
            "a.tsv", bytes: Array("external_id\taccount_id\tentity_id\tdetails.last_four\tmetadata.note\nt1\taccount_a\tentity_e\t0001\tcaf".utf8)
                + [0xE9] + Array("\nt2\taccount_a\tentity_e\t12\t\n".utf8))
        reports += try load(["process", tsv, "--db", db, "--encoding", "latin1"], report: "tsv-latin1", exit: 1, in: folder)
        let tsvReport = try readJSON(folder.path("tsv-latin1.json"))
        // latin1 is read as Windows-1252 (WHATWG), and the report says which table was used.
        #expect(tsvReport["delimiter"] as? String == "\t" && tsvReport["encoding"] as? String == "cp1252")
        #expect((tsvReport["hints"] as? [String])?.contains { $0.contains("\"12\"") } == true)

        let lines = #"{"external_id":"s1","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0001"}}"#
            + "\nnot json\n"
        reports += try load(["process", "-", "--db", db], report: "stdin-jsonl", exit: 1, in: folder, stdin: Data(lines.utf8))
        let stdinReport = try readJSON(folder.path("stdin-jsonl.json"))
        #expect(stdinReport["format"] as? String == "jsonl")
        #expect(stdinReport["rejected_by_code"] as? [String: Int] == ["malformed_record": 1])

        try expectValid(reports, in: folder)
    }

    // MARK: The validation is real

    @Test func dryRunsAndAtomicUploadsMatchTheSchema() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let sample = samplesDirectory.appendingPathComponent("cards.csv").path
        var reports = try load(["process", sample, "--db", db, "--dry-run"], report: "dry-run", exit: 1, in: folder, show: false)
        reports += try load(["process", sample, "--db", db, "--atomic"], report: "atomic-rejected", exit: 1, in: folder)
        let clean = try folder.write("clean.csv", "external_id,account_id,entity_id,details.last_four\nk1,account_a,entity_e,0001\nk1,account_a,entity_e,0001\n")
        reports += try load(["process", clean, "--db", db, "--atomic"], report: "atomic-committed", exit: 0, in: folder)
        reports += try load(["process", clean, "--db", db, "--dry-run"], report: "dry-run-replay", exit: 0, in: folder, show: false)
        try expectValid(reports, in: folder)
    }

    @Test func theValidatorRejectsWhatTheSchemaForbids() throws {
        let folder = try TemporaryDirectory()
        let reports = try load(
            ["process", samplesDirectory.appendingPathComponent("cards.csv").path, "--db", folder.path("cards.sqlite")],
            report: "sample", exit: 1, in: folder, show: false)
        let path = reports[0].path
        let sampleRows = try rows(of: try readJSON(path))
        let rejected = try #require(sampleRows.firstIndex { $0["outcome"] as? String == "rejected" })
        let created = try #require(sampleRows.firstIndex { $0["outcome"] as? String == "created" })
        let allCreated = sampleRows.indices.filter { sampleRows[$0]["outcome"] as? String == "created" }

        // Each case breaks one rule; `at` is where the validator must place the violation.
        let invalid: [(name: String, patch: [Patch], at: String)] = [
            ("extra top-level key", [.set(["unexpected"], "1")], "/"),
            ("rejected row without errors", [.set(["rows", rejected, "errors"], "[]")], "/rows/\(rejected)/errors"),
            ("rejected row with a card_id", [.set(["rows", rejected, "card_id"], #""card_aaaaaaaaaaaaaaaaaaaa""#)],
             "/rows/\(rejected)/card_id"),
            ("created row without a card_id", [.set(["rows", created, "card_id"], "null")], "/rows/\(created)/card_id"),
            ("created row with errors",
             [.set(["rows", created, "errors"], #"[{"field":null,"code":"invalid_format","message":"m"}]"#)],
             "/rows/\(created)/errors"),
            ("malformed card_id", [.set(["rows", created, "card_id"], #""card_123""#)], "/rows/\(created)/card_id"),
            ("extra key in a row", [.set(["rows", created, "entity_id"], #""entity_e""#)], "/rows/\(created)"),
            ("extra key in a row error", [.set(["rows", rejected, "errors", 0, "hint"], #""x""#)],
             "/rows/\(rejected)/errors/0"),
            ("file-level code as a row error",
             [.set(["rows", rejected, "errors"], #"[{"field":null,"code":"corrupt_gzip","message":"m"}]"#)],
             "/rows/\(rejected)/errors/0/code"),
            ("unknown outcome", [.set(["rows", created, "outcome"], #""skipped""#)], "/rows/\(created)/outcome"),
            ("row line 0", [.set(["rows", 0, "line"], "0")], "/rows/0/line"),
            ("CSV row on the header's line", [.set(["rows", 0, "line"], "1")], "/rows/0/line"),
            ("missing count", [.delete(["counts", "updated"])], "/counts"),
            ("negative count", [.set(["counts", "created"], "-1")], "/counts/created"),
            ("extra count", [.set(["counts", "skipped"], "0")], "/counts"),
            ("unknown code in rejected_by_code", [.set(["rejected_by_code", "no_such_code"], "1")], "/rejected_by_code"),
            ("zero in rejected_by_code", [.set(["rejected_by_code", "invalid_format"], "0")], "/rejected_by_code/invalid_format"),
            ("timestamp without milliseconds", [.set(["started_at"], #""2026-01-02T03:04:05Z""#)], "/started_at"),
            ("timestamp with an offset", [.set(["finished_at"], #""2026-01-02T03:04:05.123+01:00""#)], "/finished_at"),
            ("malformed upload_id", [.set(["upload_id"], #""upload_ABC""#)], "/upload_id"),
            ("running with a finished_at", [.set(["status"], #""running""#)], "/finished_at"),
            ("completed with rejected rows", [.set(["status"], #""completed""#)], "/counts/rejected"),
            ("finished_at null on a finished upload", [.set(["finished_at"], "null")], "/finished_at"),
            ("unknown format", [.set(["format"], #""xlsx""#)], "/format"),
            ("unknown encoding", [.set(["encoding"], #""utf-16""#)], "/encoding"),
            ("two-character delimiter", [.set(["delimiter"], #"",,""#)], "/delimiter"),
            ("JSON lines with a delimiter", [.set(["format"], #""jsonl""#)], "/delimiter"),
            ("negative bytes", [.set(["bytes"], "-1")], "/bytes"),
            ("bytes as a string", [.set(["bytes"], #""2710""#)], "/bytes"),
            ("committed as a string", [.set(["committed"], #""true""#)], "/committed"),
            ("missing rows", [.delete(["rows"])], "/"),
            ("missing hints", [.delete(["hints"])], "/"),
            ("an empty hint", [.set(["hints"], #"[""]"#)], "/hints/0"),
            ("error on a completed upload",
             [.set(["error"], #"{"code":"empty_file","message":"m","line":null,"offset":0}"#)], "/error"),
            ("error line 0", [.set(["status"], #""failed""#),
                              .set(["error"], #"{"code":"empty_file","message":"m","line":0,"offset":null}"#)], "/error"),
            ("error without offset", [.set(["status"], #""failed""#),
                                      .set(["error"], #"{"code":"empty_file","message":"m","line":1}"#)], "/error"),
            ("row code as the file error", [.set(["status"], #""failed""#),
                                            .set(["error"], #"{"code":"invalid_format","message":"m","line":1,"offset":null}"#)],
             "/error"),
            ("corrupt_gzip on an uncompressed file", [.set(["status"], #""failed""#),
                                                      .set(["error"], #"{"code":"corrupt_gzip","message":"m","line":2,"offset":9}"#)],
             "/compression"),
            ("dry run that committed", [.set(["dry_run"], "true")], "/committed"),
        ]
        // Controls: the untouched report, and changes the schema allows, must pass.
        let valid: [(name: String, patch: [Patch])] = [
            ("untouched", []),
            ("failed with a file-level error", [.set(["status"], #""failed""#),
                                                .set(["error"], #"{"code":"empty_file","message":"m","line":1,"offset":0}"#)]),
            ("interrupted before finishing", [.set(["status"], #""interrupted""#), .set(["finished_at"], "null")]),
            ("dry run: committed false, created rows without card_id",
             [.set(["dry_run"], "true"), .set(["committed"], "false")]
                + allCreated.map { .set(["rows", $0, "card_id"], "null") }),
        ]

        var checks = invalid.map { SchemaCheck(name: $0.name, path: path, patch: $0.patch) }
        checks += valid.map { SchemaCheck(name: "valid: " + $0.name, path: path, patch: $0.patch) }
        let violations = try ReportSchema.violations(checks, in: folder)
        for entry in invalid {
            let found = violations[entry.name] ?? []
            #expect(!found.isEmpty, "the schema accepted: \(entry.name)")
            #expect(found.contains { $0.hasPrefix(entry.at + ":") }, "\(entry.name): expected a violation at \(entry.at), got \(found)")
        }
        for entry in valid {
            #expect(violations["valid: " + entry.name] == [], "\(entry.name): \(violations["valid: " + entry.name] ?? [])")
        }
    }

    @Test func theValidatorRejectsAReportThatIsNotStrictJSON() throws {
        let folder = try TemporaryDirectory()
        let duplicate = try folder.write("dup.json", #"{"status":"completed","status":"failed"}"#)
        let error = #expect(throws: TestFailure.self) {
            try ReportSchema.violations([SchemaCheck(name: "dup", path: duplicate)], in: folder)
        }
        #expect(error?.description.contains("duplicate key") == true, "\(String(describing: error))")
    }

    // MARK: Helpers

    struct ReportFile {
        var name: String
        var path: String
    }

    /// Runs `process` with `--report` into `<report>.json`, checks the exit code and the invariants JSON Schema cannot
    /// state, then prints the same upload with `uploads show` and checks that it is the same document.
    private func load(
        _ arguments: [String], report name: String, exit status: Int32, in folder: TemporaryDirectory,
        stdin: Data? = nil, show: Bool = true
    ) throws -> [ReportFile] {
        let path = folder.path("\(name).json")
        let result = try CardUploadBinary.run(arguments + ["--report", path, "--quiet"], in: folder.url, stdin: stdin)
        #expect(result.status == status, "\(name): \(result.stderr)")
        let report = try readJSON(path)
        try checkInvariants(report, name: name)
        guard show else { return [ReportFile(name: name, path: path)] }

        let uploadID = try #require(report["upload_id"] as? String, "\(name)")
        let db = try #require(arguments.firstIndex(of: "--db").map { arguments[$0 + 1] })
        let shown = try CardUploadBinary.run(["uploads", "show", uploadID, "--db", db], in: folder.url)
        #expect(shown.status == 0, "\(name): uploads show: \(shown.stderr)")
        let shownPath = try folder.write("\(name).show.json", shown.stdout)
        // Hints are stored with the upload: `uploads show` is the same document, `hints` included (`[]` when none).
        #expect(report["hints"] is [String], "\(name): the load's report lists its hints")
        let rebuilt = try parseJSON(shown.stdout)
        #expect(try canonicalJSON(rebuilt) == canonicalJSON(report), "\(name): uploads show differs")
        return [ReportFile(name: name, path: path), ReportFile(name: "\(name) (uploads show)", path: shownPath)]
    }

    /// SPEC §6 rules across fields: counts.rows is the sum of the outcomes, one row entry per counted row, in line
    /// order, and rejected_by_code counts rejected rows per code.
    private func checkInvariants(_ report: [String: Any], name: String) throws {
        let counts = try #require(report["counts"] as? [String: Int], "\(name)")
        let rows = try rows(of: report)
        let outcomes = ["created", "replayed", "updated", "rejected"]
        #expect(counts["rows"] == outcomes.reduce(0) { $0 + (counts[$1] ?? 0) }, "\(name): \(counts)")
        #expect(rows.count == counts["rows"], "\(name)")
        for outcome in outcomes {
            #expect(rows.filter { $0["outcome"] as? String == outcome }.count == counts[outcome], "\(name): \(outcome)")
        }
        let lines = rows.compactMap { $0["line"] as? Int }
        #expect(lines.count == rows.count && zip(lines, lines.dropFirst()).allSatisfy { $0 < $1 }, "\(name): \(lines)")
        var byCode: [String: Int] = [:]
        for row in rows where row["outcome"] as? String == "rejected" {
            let codes = Set(((row["errors"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String })
            for code in codes { byCode[code, default: 0] += 1 }
        }
        #expect(report["rejected_by_code"] as? [String: Int] == byCode, "\(name)")
    }

    private func rows(of report: [String: Any]) throws -> [[String: Any]] {
        try #require(report["rows"] as? [[String: Any]])
    }

    /// Validates every report and expects no violation.
    private func expectValid(_ reports: [ReportFile], in folder: TemporaryDirectory) throws {
        #expect(reports.count >= 2)
        let violations = try ReportSchema.violations(reports.map { SchemaCheck(name: $0.name, path: $0.path) }, in: folder)
        for report in reports {
            let found = try #require(violations[report.name], "\(report.name) was not validated")
            #expect(found == [], "\(report.name) does not match the schema: \(found)")
        }
    }

    private func gzip(_ path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-k", path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}

/// A change made to a parsed report before it is validated.
enum Patch {
    /// Sets the value at `path` (object keys and array indexes) to the JSON text `json`.
    case set([Any], String)
    case delete([Any])

    var json: [String: Any] {
        switch self {
        case .set(let path, let value): return ["op": "set", "path": path, "value": value]
        case .delete(let path): return ["op": "delete", "path": path]
        }
    }
}

/// One document to validate: a file, optionally changed first.
struct SchemaCheck {
    var name: String
    var path: String
    var patch: [Patch] = []
}

/// `schemas/report.schema.json` and Python's `jsonschema` validator.
enum ReportSchema {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let path = repositoryRoot.appendingPathComponent("schemas/report.schema.json").path

    /// Validates `checks` against the report schema: `SchemaValidator.violations`.
    static func violations(_ checks: [SchemaCheck], in folder: TemporaryDirectory) throws -> [String: [String]] {
        try SchemaValidator.violations(checks, schema: path, in: folder)
    }
}
