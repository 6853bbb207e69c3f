import Foundation
import Testing

/// `reconcile FILE` through the built binary (SPEC §7): a file loaded with `process` is compared with the store row
/// by row; every report is validated against `schemas/reconcile-report.schema.json` by Python's `jsonschema`
/// (missing python3 or jsonschema fails the test, never skips it), and the store is shown to be left untouched.
@Suite struct ReconcileTests {
    static let header = "external_id,account_id,entity_id,details.last_four,metadata.team,metadata.site\n"
    static let loaded = header + """
        k1,account_a,entity_a,0001,red,
        k2,account_a,entity_a,0002,red,north
        k3,account_a,entity_a,0003,,
        k4,account_a,entity_a,0004,blue,
        k5,account_a,entity_a,0005,blue,
        k6,account_a,entity_a,0006,,
        caf\u{E9},account_a,entity_a,0007,,
        b1,account_b,entity_b,0101,,

        """

    /// A store loaded with `loaded`, and its path.
    private func loadedStore(in folder: TemporaryDirectory) throws -> String {
        let db = folder.path("cards.sqlite")
        let result = try CardUploadBinary.run(["process", try folder.write("loaded.csv", Self.loaded), "--db", db, "--quiet"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        return db
    }

    /// Runs `reconcile` with `--report` into `<name>.json`, checks the exit code, the invariants the schema cannot
    /// state, and returns the report.
    @discardableResult
    private func reconcile(
        _ arguments: [String], report name: String, exit status: Int32, in folder: TemporaryDirectory,
        reports: inout [String]
    ) throws -> [String: Any] {
        let path = folder.path("\(name).json")
        let result = try CardUploadBinary.run(["reconcile"] + arguments + ["--report", path], in: folder.url)
        #expect(result.status == status, "\(name): \(result.stderr)")
        let report = try readJSON(path)
        let counts = try #require(report["counts"] as? [String: Int], "\(name)")
        let rows = try #require(report["rows"] as? [[String: Any]], "\(name)")
        for result in ["match", "missing", "differs", "invalid"] {
            #expect(rows.filter { $0["result"] as? String == result }.count == counts[result], "\(name): \(result)")
        }
        #expect((report["extra"] as? [Any])?.count == counts["extra"], "\(name): extra")
        let lines = rows.compactMap { $0["line"] as? Int }
        #expect(lines.count == rows.count && zip(lines, lines.dropFirst()).allSatisfy { $0 < $1 }, "\(name): \(lines)")
        reports.append(path)
        return report
    }

    private func rows(_ report: [String: Any]) -> [[String: Any]] { report["rows"] as? [[String: Any]] ?? [] }

    private func byExternalID(_ report: [String: Any]) -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        for row in rows(report) { if let id = row["external_id"] as? String { result[id] = row } }
        return result
    }

    // MARK: Results

    @Test func theLoadedFileAndItsJSONLinesTwinMatchAndNothingIsWritten() throws {
        let folder = try TemporaryDirectory()
        let db = try loadedStore(in: folder)
        let store = try StoreInspector(db)
        let cardIDs = Dictionary(uniqueKeysWithValues: try store.rows("SELECT external_id, id FROM cards").map { ($0[0]!, $0[1]!) })
        // A status change is not a difference (status is not part of the body).
        let closed = try CardUploadBinary.run(["cards", "set-status", cardIDs["k6"]!, "closed", "--reason", "lost", "--db", db], in: folder.url)
        #expect(closed.status == 0, "\(closed.stderr)")
        let uploadsBefore = try store.rows("SELECT * FROM uploads")
        let rowsBefore = try store.count("SELECT count(*) FROM upload_outcomes")
        let storeFiles = [db, db + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
        let bytesBefore = try storeFiles.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let modifiedBefore = try storeFiles.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }
        Thread.sleep(forTimeInterval: 0.05)

        var reports: [String] = []
        let csv = try reconcile([folder.path("loaded.csv"), "--db", db, "--extra"], report: "csv", exit: 0, in: folder, reports: &reports)
        #expect(csv["counts"] as? [String: Int] == ["match": 8, "missing": 0, "differs": 0, "invalid": 0, "extra": 0])
        for (externalID, row) in byExternalID(csv) {
            #expect(row["result"] as? String == "match")
            #expect(row["card_id"] as? String == cardIDs[externalID], "\(externalID)")
        }

        // The same cards as JSON lines: metadata keys in another order, an empty metadata object, a null value.
        let lines = [
            #"{"external_id":"k1","account_id":"account_a","entity_id":"entity_a","details":{"last_four":"0001"},"metadata":{"team":"red"}}"#,
            #"{"metadata":{"site":"north","team":"red"},"external_id":"k2","account_id":"account_a","entity_id":"entity_a","type":"virtual","details":{"last_four":"0002","replacement_for":null}}"#,
            #"{"external_id":"k3","account_id":"account_a","entity_id":"entity_a","details":{"last_four":"0003"},"metadata":{}}"#,
            #"{"external_id":"k6","account_id":"account_a","entity_id":"entity_a","details":{"last_four":"0006"},"metadata":{"team":null}}"#,
        ].joined(separator: "\n") + "\n"
        let jsonl = try reconcile([try folder.write("twin.jsonl", lines), "--db", db], report: "jsonl", exit: 0, in: folder, reports: &reports)
        #expect(jsonl["counts"] as? [String: Int] == ["match": 4, "missing": 0, "differs": 0, "invalid": 0, "extra": 0])

        // Standard input, the report on standard output.
        let piped = try CardUploadBinary.run(
            ["reconcile", "-", "--db", db, "--report", "-", "--quiet"], in: folder.url, stdin: Data(lines.utf8))
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stderr.isEmpty, "--quiet prints no summary: \(piped.stderr)")
        #expect((try parseJSON(piped.stdout)["counts"] as? [String: Int])?["match"] == 4)

        // Nothing was written: the database file, its modification time, the uploads and their rows.
        #expect(try storeFiles.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == bytesBefore)
        #expect(try storeFiles.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date } == modifiedBefore)
        let after = try StoreInspector(db)
        #expect(try after.rows("SELECT * FROM uploads") == uploadsBefore)
        #expect(try after.count("SELECT count(*) FROM upload_outcomes") == rowsBefore)
        #expect(try after.count("SELECT count(*) FROM cards") == 8)
        try expectValid(reports, in: folder)
    }

    @Test func eachDifferenceIsNamedAndAnUnknownKeyIsMissing() throws {
        let folder = try TemporaryDirectory()
        let db = try loadedStore(in: folder)
        let header = "external_id,account_id,entity_id,details.last_four,details.replacement_for,metadata.team,metadata.site\n"
        let file = try folder.write("changed.csv", header + """
            k1,account_a,entity_a,0001,,red,
            k2,account_z,entity_a,0002,,red,north
            k3,account_a,entity_a,9993,,,
            k4,account_a,entity_a,0004,card_aaaaaaaaaaaaaaaaaaaa,blue,
            k5,account_a,entity_a,0005,,green,
            k6,account_a,entity_a,0006,,,east
            k1,account_a,entity_a,1111,,blue,
            cafe\u{301},account_a,entity_a,0007,,,
            k9,account_a,entity_a,0009,,,
            b1,account_b,entity_c,0101,,,

            """)
        var reports: [String] = []
        let report = try reconcile([file, "--db", db], report: "changed", exit: 1, in: folder, reports: &reports)
        #expect(report["counts"] as? [String: Int] == ["match": 1, "missing": 3, "differs": 6, "invalid": 0, "extra": 0])
        let expected: [(line: Int, result: String, fields: [String]?)] = [
            (2, "match", nil), (3, "differs", ["account_id"]), (4, "differs", ["details.last_four"]),
            (5, "differs", ["details.replacement_for"]), (6, "differs", ["metadata"]), (7, "differs", ["metadata"]),
            (8, "differs", ["details.last_four", "metadata"]),
            // "café" written with a combining accent is another key, byte for byte (not Swift's canonical equality).
            (9, "missing", nil), (10, "missing", nil),
            // The key is (entity_id, external_id): b1 of another entity is not the stored b1.
            (11, "missing", nil),
        ]
        let found = rows(report)
        #expect(found.count == expected.count)
        for (row, want) in zip(found, expected) {
            #expect(row["line"] as? Int == want.line)
            #expect(row["result"] as? String == want.result, "line \(want.line)")
            #expect(row["fields"] as? [String] == want.fields, "line \(want.line)")
            #expect(((row["card_id"] as? String)?.hasPrefix("card_") ?? false) == (want.result != "missing"), "line \(want.line)")
        }
        try expectValid(reports, in: folder)
    }

    @Test func invalidRowsCarryTheirErrorsWithCardNumbersMasked() throws {
        let folder = try TemporaryDirectory()
        let db = try loadedStore(in: folder)
        var reports: [String] = []
        let csv = try folder.write("bad.csv", Self.header + """
            k1,account_a,entity_a,0001,red,
            k2,account_a,entity_a,12,red,north
            ,not-an-account,entity_a,0003,,
            4111111111111111,account_a,entity_a,0004,,
            k5,account_a,entity_a,0005,blue
            k6,account_a,entity_a,0006,,

            """)
        let report = try reconcile([csv, "--db", db], report: "invalid-csv", exit: 1, in: folder, reports: &reports)
        #expect(report["counts"] as? [String: Int] == ["match": 2, "missing": 0, "differs": 0, "invalid": 4, "extra": 0])
        let found = rows(report)
        func codes(_ index: Int) -> [String] {
            (found[index]["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        }
        #expect(codes(1) == ["invalid_format"])
        #expect(Set(codes(2)) == ["missing_field", "invalid_format"])
        #expect(codes(3) == ["pan_detected"])
        #expect(found[3]["external_id"] as? String == "************1111")
        #expect(codes(4) == ["malformed_record"])
        let text = try String(contentsOfFile: folder.path("invalid-csv.json"), encoding: .utf8)
        #expect(!text.contains("4111111111111111"))

        let jsonl = try folder.write("bad.jsonl", """
            {"external_id":"k1","account_id":"account_a","entity_id":"entity_a","details":{"last_four":"0001"},"metadata":{"team":"red"}}
            not json
            {"external_id":"k2","account_id":"account_a","entity_id":"entity_a","details":{"last_four":2},"status":"active"}

            """)
        let lines = try reconcile([jsonl, "--db", db], report: "invalid-jsonl", exit: 1, in: folder, reports: &reports)
        let jsonRows = rows(lines)
        #expect(jsonRows.map { $0["result"] as? String } == ["match", "invalid", "invalid"])
        #expect(jsonRows[1]["external_id"] is NSNull && jsonRows[1]["entity_id"] is NSNull)
        let codes2 = Set((jsonRows[2]["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String })
        #expect(codes2 == ["invalid_type", "field_not_settable"])
        try expectValid(reports, in: folder)
    }

    @Test func extraListsTheUnmentionedCardsOfTheFilesEntitiesOnly() throws {
        let folder = try TemporaryDirectory()
        let db = try loadedStore(in: folder)
        let cardIDs = Dictionary(uniqueKeysWithValues: try StoreInspector(db).rows("SELECT external_id, id FROM cards").map { ($0[0]!, $0[1]!) })
        var reports: [String] = []
        let part = try folder.write("part.csv", Self.header + "k1,account_a,entity_a,0001,red,\nk2,account_a,entity_a,0002,red,north\n")
        // Every row matches: 0 without --extra, 1 with it (six cards of entity_a are not in the file; entity_b's are not listed).
        try reconcile([part, "--db", db], report: "part", exit: 0, in: folder, reports: &reports)
        let extra = try reconcile([part, "--db", db, "--extra"], report: "part-extra", exit: 1, in: folder, reports: &reports)
        let listed = try #require(extra["extra"] as? [[String: String]])
        #expect(listed.map { $0["external_id"]! } == ["caf\u{E9}", "k3", "k4", "k5", "k6"].sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for card in listed {
            #expect(card["entity_id"] == "entity_a")
            #expect(card["card_id"] == cardIDs[card["external_id"]!])
        }
        #expect((extra["counts"] as? [String: Int])?["extra"] == 5)

        // A row that fails the rules still mentions its key; a row of another entity brings that entity's cards in.
        let mixed = try folder.write("mixed.csv", Self.header + """
            k1,account_a,entity_a,0001,red,
            k3,account_a,entity_a,bad,,
            k4,account_a,entity_a,0004,green,
            zz,account_a,entity_a,0100,,
            caf\u{E9},account_a,entity_a,0007,,
            k5,account_a,entity_a,0005,blue,
            k6,account_a,entity_a,0006,,
            nb,account_b,entity_b,0102,,

            """)
        let mixedReport = try reconcile([mixed, "--db", db, "--extra"], report: "mixed", exit: 1, in: folder, reports: &reports)
        let mixedExtra = try #require(mixedReport["extra"] as? [[String: String]])
        #expect(mixedExtra.map { "\($0["entity_id"]!)/\($0["external_id"]!)" } == ["entity_a/k2", "entity_b/b1"])
        #expect(mixedReport["counts"] as? [String: Int] == ["match": 4, "missing": 2, "differs": 1, "invalid": 1, "extra": 2])
        try expectValid(reports, in: folder)
    }

    @Test func entityFillsRowsWithoutOneAndIsRequiredWithoutTheColumn() throws {
        let folder = try TemporaryDirectory()
        let db = try loadedStore(in: folder)
        var reports: [String] = []
        let noEntity = try folder.write("no-entity.csv", "external_id,account_id,details.last_four,metadata.team\nk1,account_a,0001,red\nk3,account_a,0003,\n")
        let report = try reconcile([noEntity, "--db", db, "--entity", "entity_a"], report: "entity", exit: 0, in: folder, reports: &reports)
        #expect(rows(report).map { $0["entity_id"] as? String } == ["entity_a", "entity_a"])
        // Another entity: the same external ids are other keys.
        let other = try reconcile([noEntity, "--db", db, "--entity", "entity_b"], report: "entity-b", exit: 1, in: folder, reports: &reports)
        #expect((other["counts"] as? [String: Int])?["missing"] == 2)
        // Without --entity the header lacks a required column: the file fails, the report says why.
        let failed = try reconcile([noEntity, "--db", db], report: "no-entity", exit: 65, in: folder, reports: &reports)
        #expect((failed["error"] as? [String: Any])?["code"] as? String == "missing_column")
        #expect(rows(failed).isEmpty)
        let bad = try CardUploadBinary.run(["reconcile", noEntity, "--db", db, "--entity", "nope"], in: folder.url)
        #expect(bad.status == 64, "\(bad.stderr)")
        try expectValid(reports, in: folder)
    }

    // MARK: Exit codes

    @Test func usageErrorsAre64() throws {
        let folder = try TemporaryDirectory()
        let db = try loadedStore(in: folder)
        let csv = folder.path("loaded.csv")
        let jsonl = try folder.write("a.jsonl", "")
        let cases: [[String]] = [
            [], [csv, csv], [csv, "--nope"], [csv, "--format", "xlsx"], [csv, "--delimiter", "ab"],
            [csv, "--encoding", "utf-16"], [jsonl, "--encoding", "latin1"], [csv, "--report", csv], [csv, "--report", db],
            [csv, "--report", ""], [csv, "--db", ""], [csv, "--extra=yes"], [csv, "--dry-run"],
        ]
        for arguments in cases {
            let result = try CardUploadBinary.run(["reconcile"] + arguments + (arguments.contains("--db") ? [] : ["--db", db]), in: folder.url)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("Error: ") && result.stderr.contains("help reconcile"), "\(arguments): \(result.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: csv))
        let help = try CardUploadBinary.run(["reconcile", "--help"], in: folder.url)
        #expect(help.status == 0 && !help.stdout.isEmpty)
    }

    @Test func aMissingDatabaseOrInputIs66AndNoDatabaseIsCreated() throws {
        let folder = try TemporaryDirectory()
        let csv = try folder.write("a.csv", Self.loaded)
        let missingDB = try CardUploadBinary.run(["reconcile", csv, "--db", folder.path("none.sqlite"), "--report", folder.path("r.json")], in: folder.url)
        #expect(missingDB.status == 66, "\(missingDB.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("none.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: folder.path("r.json")))
        // $CARD_UPLOAD_DB is used too.
        let fromEnvironment = try CardUploadBinary.run(["reconcile", csv], in: folder.url, environment: ["CARD_UPLOAD_DB": folder.path("env.sqlite")])
        #expect(fromEnvironment.status == 66 && fromEnvironment.stderr.contains("env.sqlite"), "\(fromEnvironment.stderr)")

        let db = try loadedStore(in: folder)
        let missingInput = try CardUploadBinary.run(["reconcile", folder.path("nope.csv"), "--db", db, "--report", folder.path("r.json")], in: folder.url)
        #expect(missingInput.status == 66, "\(missingInput.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("r.json")))
        let output = try CardUploadBinary.run(["reconcile", csv, "--db", db, "--report", folder.path("no/such/dir/r.json")], in: folder.url)
        #expect(output.status == 73, "\(output.stderr)")
    }

    @Test func fileLevelErrorsAre65WithTheReportsError() throws {
        let folder = try TemporaryDirectory()
        let db = try loadedStore(in: folder)
        var reports: [String] = []
        let badHeader = try folder.write("bad-header.csv", "external_id,account_id,entity_id,details.last_four,colour\nk1,account_a,entity_a,0001,red\n")
        let header = try reconcile([badHeader, "--db", db, "--extra"], report: "bad-header", exit: 65, in: folder, reports: &reports)
        #expect((header["error"] as? [String: Any])?["code"] as? String == "unknown_column")
        let empty = try reconcile([try folder.write("empty.csv", ""), "--db", db], report: "empty", exit: 65, in: folder, reports: &reports)
        #expect((empty["error"] as? [String: Any])?["code"] as? String == "empty_file")

        // A gzip stream cut short: the rows before the cut are compared, the error has the file offset, no extras.
        var text = Self.header
        for index in 0..<3000 { text += "g\(index),account_a,entity_a,\(String(format: "%04d", index)),,\n" }
        let plain = try folder.write("big.csv", text)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-k", plain]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        let compressed = try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
        let cut = try folder.write("cut.csv.gz", bytes: Array(compressed.prefix(compressed.count - 20)))
        let result = try CardUploadBinary.run(["reconcile", cut, "--db", db, "--extra", "--report", folder.path("cut.json")], in: folder.url)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("corrupt_gzip"), "\(result.stderr)")
        let report = try readJSON(folder.path("cut.json"))
        reports.append(folder.path("cut.json"))
        let error = try #require(report["error"] as? [String: Any])
        #expect(error["code"] as? String == "corrupt_gzip")
        #expect((error["offset"] as? Int).map { $0 > 0 && $0 <= compressed.count - 20 } == true, "\(error)")
        let counts = try #require(report["counts"] as? [String: Int])
        #expect((counts["missing"] ?? 0) > 0 && counts["extra"] == 0, "\(counts)")
        #expect((report["extra"] as? [Any])?.isEmpty == true)
        try expectValid(reports, in: folder)
    }

    // MARK: The schema

    @Test func theSchemaStandsAloneWithTheReportSchemasErrorDefinitions() throws {
        let schema = try readJSON(ReconcileSchema.path)
        let report = try readJSON(ReportSchema.path)
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        let ours = try #require(schema["$defs"] as? [String: Any])
        let theirs = try #require(report["$defs"] as? [String: Any])
        for name in ["fileErrorCode", "rowErrorCode", "fileError", "rowError"] {
            let mine = try #require(ours[name] as? [String: Any], "\(name)")
            let original = try #require(theirs[name] as? [String: Any], "\(name)")
            #expect(try canonicalJSON(mine) == canonicalJSON(original), "\(name) drifted from report.schema.json")
        }
    }

    @Test func theValidatorRejectsWhatTheSchemaForbids() throws {
        let folder = try TemporaryDirectory()
        let db = try loadedStore(in: folder)
        var reports: [String] = []
        let file = try folder.write("all.csv", Self.header + "k1,account_a,entity_a,0001,red,\nk2,account_a,entity_a,0009,red,north\nzz,account_a,entity_a,0001,,\nk4,account_a,entity_a,1,,\n")
        try reconcile([file, "--db", db, "--extra"], report: "all", exit: 1, in: folder, reports: &reports)
        let path = reports[0]
        let invalid: [(name: String, patch: [Patch], at: String)] = [
            ("extra top-level key", [.set(["unexpected"], "1")], "/"),
            ("missing extra", [.delete(["extra"])], "/"),
            ("missing count", [.delete(["counts", "differs"])], "/counts"),
            ("negative count", [.set(["counts", "match"], "-1")], "/counts/match"),
            ("match without card_id", [.delete(["rows", 0, "card_id"])], "/rows/0"),
            ("match with fields", [.set(["rows", 0, "fields"], #"["metadata"]"#)], "/rows/0"),
            ("differs without fields", [.delete(["rows", 1, "fields"])], "/rows/1"),
            ("unknown field", [.set(["rows", 1, "fields"], #"["status"]"#)], "/rows/1/fields/0"),
            ("missing with a card_id", [.set(["rows", 2, "card_id"], #""card_aaaaaaaaaaaaaaaaaaaa""#)], "/rows/2"),
            ("invalid without errors", [.delete(["rows", 3, "errors"])], "/rows/3"),
            ("file-level code as a row error", [.set(["rows", 3, "errors", 0, "code"], #""corrupt_gzip""#)], "/rows/3/errors/0/code"),
            ("unknown result", [.set(["rows", 0, "result"], #""replayed""#)], "/rows/0/result"),
            ("malformed card_id", [.set(["extra", 0, "card_id"], #""card_1""#)], "/extra/0/card_id"),
            ("extras on a failed file", [.set(["error"], #"{"code":"empty_file","message":"m","line":1,"offset":0}"#)], "/extra"),
        ]
        var checks = invalid.map { SchemaCheck(name: $0.name, path: path, patch: $0.patch) }
        checks.append(SchemaCheck(name: "untouched", path: path))
        let violations = try ReconcileSchema.violations(checks, in: folder)
        for entry in invalid {
            let found = violations[entry.name] ?? []
            #expect(found.contains { $0.hasPrefix(entry.at + ":") }, "\(entry.name): expected a violation at \(entry.at), got \(found)")
        }
        #expect(violations["untouched"] == [])
    }

    /// Validates every report and expects no violation.
    private func expectValid(_ paths: [String], in folder: TemporaryDirectory) throws {
        #expect(!paths.isEmpty)
        let violations = try ReconcileSchema.violations(paths.map { SchemaCheck(name: $0, path: $0) }, in: folder)
        for path in paths {
            let found = try #require(violations[path], "\(path) was not validated")
            #expect(found == [], "\(path) does not match the schema: \(found)")
        }
    }
}

/// `schemas/reconcile-report.schema.json` and Python's `jsonschema` validator (Draft 2020-12).
enum ReconcileSchema {
    static let path = ReportSchema.repositoryRoot.appendingPathComponent("schemas/reconcile-report.schema.json").path

    /// Validates `checks` against the reconcile report schema: `SchemaValidator.violations`.
    static func violations(_ checks: [SchemaCheck], in folder: TemporaryDirectory) throws -> [String: [String]] {
        try SchemaValidator.violations(checks, schema: path, in: folder)
    }
}
