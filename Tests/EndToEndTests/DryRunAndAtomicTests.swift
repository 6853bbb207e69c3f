import CSQLite
import Foundation
import Testing

/// `--dry-run` (every check, nothing recorded) and `--atomic` (all rows or none), SPEC §5.
@Suite struct DryRunAndAtomicTests {
    static let header = "external_id,account_id,entity_id,details.last_four,details.replacement_for,metadata.n\n"

    /// Per line: the outcome and the error codes.
    private func outcomes(_ report: [String: Any]) throws -> [String] {
        let rows = try #require(report["rows"] as? [[String: Any]])
        return rows.map { row in
            let codes = (row["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            return "\(row["line"] ?? "?") \(row["outcome"] ?? "?") \(codes.joined(separator: ","))"
        }
    }

    @Test func aDryRunGivesTheOutcomesOfARealRunAndRecordsNothing() throws {
        let folder = try TemporaryDirectory()
        // One store with history: a closed card to replace, a key to conflict with.
        let base = folder.path("base.sqlite")
        let seed = try folder.write("seed.csv", Self.header + "old,account_a,entity_e,0001,,\nk2,account_a,entity_e,0002,,x\n")
        #expect(try CardUploadBinary.run(["process", seed, "--db", base], in: folder.url).status == 0)
        let oldID = try #require(try StoreInspector(base).value("SELECT id FROM cards WHERE external_id = 'old'"))
        #expect(try CardUploadBinary.run(["cards", "set-status", oldID, "closed", "--reason", "lost", "--db", base], in: folder.url).status == 0)
        let file = try folder.write(
            "a.csv",
            Self.header
                + "new,account_a,entity_e,0003,\(oldID),\n"   // replaces the closed card
                + "newer,account_a,entity_e,0004,\(oldID),\n" // already replaced by the row above
                + "k2,account_a,entity_e,0002,,x\n"           // replayed from the store
                + "k2,account_a,entity_e,0009,,x\n"           // conflict
                + "k3,account_a,entity_e,0005,,\n"            // created
                + "k3,account_a,entity_e,0005,,\n"            // replays the row above
                + "k4,account_a,entity_e,12,,\n")             // invalid
        // Two copies of the one store: dry run on one, real run on the other.
        let dryDB = folder.path("dry.sqlite"), realDB = folder.path("real.sqlite")
        for copy in [dryDB, realDB] {
            #expect(try CardUploadBinary.run(["process", try folder.write("noop.csv", Self.header), "--db", base, "--quiet"], in: folder.url).status == 0)
            try FileManager.default.copyItem(atPath: base, toPath: copy)
        }
        let before = try StoreInspector(dryDB).rows("SELECT (SELECT count(*) FROM cards), (SELECT count(*) FROM uploads), (SELECT count(*) FROM upload_outcomes), (SELECT group_concat(id || replaced_by) FROM cards)")

        let dry = try CardUploadBinary.run(["process", file, "--db", dryDB, "--dry-run", "--report", folder.path("dry.json")], in: folder.url)
        let real = try CardUploadBinary.run(["process", file, "--db", realDB, "--report", folder.path("real.json")], in: folder.url)
        #expect(dry.status == real.status)
        #expect(real.status == 1)
        let dryReport = try readJSON(folder.path("dry.json")), realReport = try readJSON(folder.path("real.json"))
        #expect(try outcomes(dryReport) == outcomes(realReport))
        #expect(try outcomes(realReport) == [
            "2 created ", "3 rejected card_already_replaced", "4 replayed ", "5 rejected idempotency_conflict",
            "6 created ", "7 replayed ", "8 rejected invalid_format",
        ])
        #expect(dryReport["status"] as? String == realReport["status"] as? String)
        #expect(dryReport["committed"] as? Bool == false && dryReport["dry_run"] as? Bool == true)
        #expect(realReport["committed"] as? Bool == true && realReport["dry_run"] as? Bool == false)
        let dryRows = try #require(dryReport["rows"] as? [[String: Any]])
        #expect(dryRows[0]["card_id"] is NSNull, "a dry run creates no card")
        #expect(dryRows[5]["card_id"] is NSNull, "nor does it replay one it did not create")
        #expect(dryRows[2]["card_id"] as? String != nil, "a card already stored is named")

        let after = try StoreInspector(dryDB).rows("SELECT (SELECT count(*) FROM cards), (SELECT count(*) FROM uploads), (SELECT count(*) FROM upload_outcomes), (SELECT group_concat(id || replaced_by) FROM cards)")
        #expect(before == after, "the dry run recorded something")
        #expect(try CardUploadBinary.run(["uploads", "show", try #require(dryReport["upload_id"] as? String), "--db", dryDB], in: folder.url).status == 1)
    }

    @Test func anAtomicUploadWithARejectedRowCommitsNothingButIsRecorded() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let file = try folder.write(
            "a.csv", Self.header + "a1,account_a,entity_e,0001,,\na1,account_a,entity_e,0001,,\na2,account_a,entity_e,0002,,\nbad,account_a,entity_e,x,,\n")
        let result = try CardUploadBinary.run(["process", file, "--db", db, "--atomic", "--report", folder.path("r.json")], in: folder.url)
        #expect(result.status == 1)
        let store = try StoreInspector(db)
        #expect(try store.count("SELECT count(*) FROM cards") == 0)
        #expect(try store.rows("SELECT status, committed, rows, created, replayed, rejected FROM uploads") == [["completed_with_errors", "0", "4", "2", "1", "1"]])
        let report = try readJSON(folder.path("r.json"))
        #expect(report["committed"] as? Bool == false)
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.map { $0["outcome"] as? String } == ["created", "replayed", "created", "rejected"])
        #expect(rows.allSatisfy { $0["card_id"] is NSNull })
        let shown = try CardUploadBinary.run(["uploads", "show", try #require(report["upload_id"] as? String), "--db", db], in: folder.url)
        #expect(try canonicalJSON(parseJSON(shown.stdout)) == canonicalJSON(report))

        // Fixed, the same file commits whole.
        let fixed = try folder.write("b.csv", Self.header + "a1,account_a,entity_e,0001,,\na2,account_a,entity_e,0002,,\n")
        #expect(try CardUploadBinary.run(["process", fixed, "--db", db, "--atomic"], in: folder.url).status == 0)
        #expect(try store.count("SELECT count(*) FROM cards") == 2)
        #expect(try store.value("SELECT committed FROM uploads ORDER BY seq DESC LIMIT 1") == "1")
    }

    @Test func anAtomicUploadThatFailsMidFileKeepsNothingOfIt() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let file = try folder.write("a.csv", Self.header + "a1,account_a,entity_e,0001,,\na2,\"account_a,entity_e,0002,,\n")
        let result = try CardUploadBinary.run(["process", file, "--db", db, "--atomic", "--report", folder.path("r.json")], in: folder.url)
        #expect(result.status == 65)
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 0)
        let report = try readJSON(folder.path("r.json"))
        #expect(report["status"] as? String == "failed")
        #expect(report["committed"] as? Bool == false)
        #expect((report["error"] as? [String: Any])?["code"] as? String == "malformed_csv")
        // A failed upload's report holds its committed rows only: an atomic one committed none.
        #expect((report["rows"] as? [Any])?.isEmpty == true)
        #expect((report["counts"] as? [String: Int])?["rows"] == 0)
    }

    @Test func aDryRunOfSeveralFilesSeesWhatTheEarlierFilesWouldHaveWritten() throws {
        let folder = try TemporaryDirectory()
        let first = try folder.write("1.csv", Self.header + "k1,account_a,entity_e,0001,,\nk2,account_a,entity_e,0002,,\n")
        let second = try folder.write("2.csv", Self.header + "k1,account_a,entity_e,0001,,\nk2,account_a,entity_e,9999,,\n")
        let dry = try CardUploadBinary.run(["process", first, second, "--db", folder.path("dry.sqlite"), "--dry-run"], in: folder.url)
        let real = try CardUploadBinary.run(["process", first, second, "--db", folder.path("real.sqlite")], in: folder.url)
        #expect(dry.status == 1 && real.status == 1, "\(dry.stderr)")
        #expect(dry.stderr.contains("2.csv: 2 rows: would create 0, 1 replayed, would update 0, 1 rejected — completed_with_errors, nothing committed (dry run: nothing recorded) in "), "\(dry.stderr)")
        #expect(dry.stderr.contains(", checked against \(folder.path("dry.sqlite"))\n"), "\(dry.stderr)")
        #expect(real.stderr.contains("2.csv: 2 rows: 0 created, 1 replayed, 0 updated, 1 rejected — completed_with_errors in "), "\(real.stderr)")
        #expect(real.stderr.contains(" → \(folder.path("real.sqlite"))\n"), "\(real.stderr)")
        // The dry run wrote nothing: not even the database file.
        #expect(!FileManager.default.fileExists(atPath: folder.path("dry.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: folder.path("dry.sqlite-uploads.lock")))
    }

    @Test func aDryRunLeavesAnAbandonedUploadAsItFoundIt() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let seed = try folder.write("seed.csv", Self.header + "k1,account_a,entity_e,0001,,\n")
        #expect(try CardUploadBinary.run(["process", seed, "--db", db], in: folder.url).status == 0)
        // An upload left running by a process that is gone.
        var handle: OpaquePointer?
        sqlite3_open(db, &handle)
        sqlite3_exec(handle, "UPDATE uploads SET status = 'running', owner = 'slot:1 gone:1'", nil, nil, nil)
        sqlite3_close(handle)
        #expect(try CardUploadBinary.run(["process", seed, "--db", db, "--dry-run"], in: folder.url).status == 0)
        #expect(try StoreInspector(db).value("SELECT status FROM uploads") == "running")
        // A real run marks it.
        #expect(try CardUploadBinary.run(["process", seed, "--db", db], in: folder.url).status == 0)
        #expect(try StoreInspector(db).value("SELECT status FROM uploads ORDER BY seq LIMIT 1") == "interrupted")
    }
}
