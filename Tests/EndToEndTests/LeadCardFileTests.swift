import Foundation
import Testing

/// Lead card files through the built binary (SPEC §9): recognition, all or nothing, the sample day, export and
/// reload, reconcile, and process-dir.
@Suite struct LeadCardFileTests {
    static let header = "client_card_id|account_id|entity_id|client_card_product_name|is_virtual|card_type|created_at"
        + "|card_status|activated_at|expiry_date|closed_at|closed_reason|replaced_by|generated_at\n"

    static func row(_ id: String, status: String = "active", closed: Bool = false, replacedBy: String = "", product: String = "HSA Debit") -> String {
        let closure = closed ? "2026-12-05T08:00:00+01:00|lost" : "|"
        return "\(id)|acct_a|ent_e|\(product)|true|hsa|2026-12-01 10:00|\(status)|2026-12-01T10:00:00Z|2029-12-31|\(closure)|\(replacedBy)|2026-12-05\n"
    }

    static let clean = header + row("old", status: "closed", closed: true, replacedBy: "new") + row("a1") + row("new")
        + row("\"p|ipe\"", product: "\"Quote \"\"and\"\" pipe | in name\"")

    private func run(_ arguments: [String], in folder: TemporaryDirectory) throws -> CardUploadBinary.Result {
        try CardUploadBinary.run(arguments, in: folder.url)
    }

    @Test func theSampleDayCommitsNothingUntilItsBadRowsAreFixedOrPartialIsGiven() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let sample = samplesDirectory.appendingPathComponent("lead-cards.csv").path
        let report = folder.path("report.json")
        let first = try run(["process", sample, "--db", db, "--report", report, "--rejects", folder.path("rejects.csv")], in: folder)
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stderr.contains("nothing committed (a Lead card file loads all or nothing"), "\(first.stderr)")
        let json = try readJSON(report)
        #expect(json["format"] as? String == "lead-card")
        #expect(json["committed"] as? Bool == false)
        let violations = try ReportSchema.violations([SchemaCheck(name: "report", path: report)], in: folder)
        #expect(violations.values.allSatisfy { $0.isEmpty }, "\(violations)")
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 0)
        let rejects = try String(contentsOfFile: folder.path("rejects.csv"), encoding: .utf8)
        #expect(rejects.hasPrefix("client_card_id|account_id|"), "\(rejects)")

        let partial = try run(["process", sample, "--db", db, "--partial"], in: folder)
        #expect(partial.status == 1, "\(partial.stderr)")
        let store = try StoreInspector(db)
        #expect(try store.count("SELECT count(*) FROM cards") == 6)
        // The closure and its replacement, later in the file, are linked both ways.
        let linked = try store.rows(
            "SELECT o.external_id, n.external_id FROM cards AS o JOIN cards AS n ON n.id = o.replaced_by AND n.replacement_for = o.id")
        #expect(linked == [["emp-0871-hsa", "emp-0871-hsa-r1"]])
    }

    @Test func aLeadHeaderIsRecognisedAndItsDelimiterChecked() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let commas = try folder.write("commas.csv", (Self.header + Self.row("a1")).replacingOccurrences(of: "|", with: ","))
        let refused = try run(["process", commas, "--db", db], in: folder)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("invalid_delimiter"), "\(refused.stderr)")
        let wrongCase = try folder.write("case.csv", Self.header.replacingOccurrences(of: "card_type", with: "Card_Type") + Self.row("a1"))
        let header = try run(["process", wrongCase, "--db", db], in: folder)
        #expect(header.status == 65)
        #expect(header.stderr.contains("unknown_column") && header.stderr.contains("\"card_type\""), "\(header.stderr)")
        let plain = try folder.write("plain.txt", Self.header + Self.row("a1"))
        let entity = try run(["process", plain, "--db", db, "--entity", "ent_other", "--format", "lead-card"], in: folder)
        #expect(entity.status == 0, "\(entity.stderr)")
        #expect(entity.stderr.contains("--entity does not apply to a Lead card file"), "\(entity.stderr)")
        #expect(try StoreInspector(db).rows("SELECT entity_id FROM cards") == [["ent_e"]])
        // A native file still needs a native entity id.
        let native = try folder.write("native.csv", "external_id,account_id,details.last_four\nk1,account_a,0001\n")
        let usage = try run(["process", native, "--db", folder.path("other.sqlite"), "--entity", "ent_other"], in: folder)
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("--entity: entity_id must be"), "\(usage.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("other.sqlite")))
    }

    @Test func anExportIsLeadsFileAndLoadsBackAsReplayed() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let file = try folder.write("day.csv", Self.clean)
        let loaded = try run(["process", file, "--db", db], in: folder)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let native = try folder.write("native.csv", "external_id,account_id,entity_id,details.last_four\nn1,account_a,entity_e,0001\n")
        #expect(try run(["process", native, "--db", db], in: folder).status == 0)

        let export = try run(["cards", "list", "--db", db, "--format", "lead-card", "--generated-at", "2026-12-07"], in: folder)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stderr.contains("1 card"), "\(export.stderr)")
        let lines = export.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == String(Self.header.dropLast()))
        #expect(lines.count == 5)
        #expect(lines.contains("old|acct_a|ent_e|HSA Debit|true|hsa|2026-12-01T10:00:00.000Z|closed|2026-12-01T10:00:00.000Z|2029-12-31|2026-12-05T07:00:00.000Z|lost|new|2026-12-07"))
        #expect(lines.allSatisfy { !$0.contains("'") })
        let exported = try folder.write("export.csv", export.stdout)
        let again = try run(["process", exported, "--db", db, "--report", folder.path("again.json")], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        let counts = try #require(try readJSON(folder.path("again.json"))["counts"] as? [String: Int])
        #expect(counts == ["rows": 4, "created": 0, "replayed": 4, "updated": 0, "rejected": 0])
    }

    @Test func reconcileNamesLeadsColumns() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        #expect(try run(["process", try folder.write("day.csv", Self.clean), "--db", db], in: folder).status == 0)
        let changed = Self.header + Self.row("a1", status: "inactive") + Self.row("new") + Self.row("zz")
        let report = folder.path("reconcile.json")
        let result = try run(["reconcile", try folder.write("check.csv", changed), "--db", db, "--report", report], in: folder)
        #expect(result.status == 1, "\(result.stderr)")
        let rows = try #require(try readJSON(report)["rows"] as? [[String: Any]])
        #expect(rows.map { $0["result"] as? String } == ["differs", "match", "missing"])
        #expect(rows.first?["fields"] as? [String] == ["card_status"])
        let violations = try ReconcileSchema.violations([SchemaCheck(name: "reconcile", path: report)], in: folder)
        #expect(violations.values.allSatisfy { $0.isEmpty }, "\(violations)")
    }

    @Test func processDirMovesALeadFileThatCommittedNothingToFailed() throws {
        let folder = try TemporaryDirectory()
        let inbox = folder.path("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try (Self.header + Self.row("a1") + Self.row("card_bad")).write(toFile: inbox + "/bad.csv", atomically: true, encoding: .utf8)
        try (Self.header + Self.row("b1")).write(toFile: inbox + "/good.csv", atomically: true, encoding: .utf8)
        let result = try run(["process-dir", inbox, "--db", folder.path("cards.sqlite")], in: folder)
        #expect(result.status == 1, "\(result.stderr)")
        let failed = (try? FileManager.default.contentsOfDirectory(atPath: inbox + "/failed")) ?? []
        let done = (try? FileManager.default.contentsOfDirectory(atPath: inbox + "/done")) ?? []
        #expect(failed.contains { $0.hasPrefix("bad.csv") }, "\(failed)")
        #expect(done.contains { $0.hasPrefix("good.csv") }, "\(done)")
        let reports = (try? FileManager.default.contentsOfDirectory(atPath: inbox + "/reports")) ?? []
        #expect(reports.contains("bad.csv.rejects.csv"), "\(reports)")
        #expect(try StoreInspector(folder.path("cards.sqlite")).rows("SELECT external_id FROM cards") == [["b1"]])
    }
}
