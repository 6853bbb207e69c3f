import CardUploadModel
@testable import CardUploadStore
import Foundation
import Testing

/// Retention in the store: the rows of finished uploads go, slice by slice; cards and summaries stay, the
/// rejections by code with them; a running upload (its owner alive) is never touched; a prune that stopped
/// half-way is ended by the next one.
@Suite struct UploadRetentionTests {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("retention-\(UUID().uuidString).sqlite").path
    }

    private func count(_ database: Database, _ sql: String) throws -> Int {
        Int(try database.prepare(sql).queryOne([]) { $0.integer(0) ?? 0 } ?? 0)
    }

    /// An upload of `rows` lines (every third rejected, the others replaying one card), finished at `finishedAt`
    /// (nil: still running, owned by this process, alive).
    private func upload(
        _ log: UploadLog, _ database: Database, id: String, rows: Int, finishedAt: String?
    ) throws -> Int64 {
        let seq = try log.begin(
            id: id, file: "\(id).csv", startedAt: "2026-01-01T00:00:00.000Z", dryRun: false, format: "csv",
            delimiter: ",", encoding: "utf-8", compression: "none")
        try database.writeTransaction {
            var counts = UploadCounts()
            for line in 2..<(rows + 2) {
                let outcome: RowOutcome = line % 3 == 0
                    ? .rejected([RowError(field: "details.last_four", code: line % 2 == 0 ? .invalidFormat : .missingField, message: "m")])
                    : .replayed(cardID: "card_aaaaaaaaaaaaaaaaaaaa")
                try log.recordRow(uploadSeq: seq, line: line, externalID: nil, entityID: nil, outcome: outcome)
                counts.add(outcome)
            }
            try log.addBatch(uploadSeq: seq, counts: counts, bytes: 100)
        }
        if let finishedAt {
            try log.finish(id: id, status: .completedWithErrors, committed: true, bytes: 100, error: nil, finishedAt: finishedAt, hints: [])
        }
        return seq
    }

    @Test func rowsOfFinishedUploadsGoCardsSummariesAndRunningUploadsStay() throws {
        let path = temporaryPath()
        defer { for suffix in ["", "-wal", "-shm", "-uploads.lock"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        try database.execute("""
            INSERT INTO cards (id, external_id, account_id, entity_id, type, status, last_four, created_at, updated_at, key_hash)
            VALUES ('card_aaaaaaaaaaaaaaaaaaaa', 'k1', 'account_a', 'entity_e', 'virtual', 'active', '0001', 'then', 'then',
                    card_key_hash('entity_e', 'k1'))
            """)
        let log = UploadLog(database: database)
        _ = try upload(log, database, id: "upload_old", rows: 1_000, finishedAt: "2026-01-02T00:00:00.000Z")
        _ = try upload(log, database, id: "upload_new", rows: 10, finishedAt: "2026-03-01T00:00:00.000Z")
        // Running, its owner (this process) alive, and started long before the cutoff.
        let runningLog = UploadLog(database: database)
        _ = try upload(runningLog, database, id: "upload_running", rows: 10, finishedAt: nil)
        let byCodeBefore = try log.rejectionsByCode(uploadID: "upload_old")
        #expect(byCodeBefore.map(\.code) == ["invalid_format", "missing_field"])
        let summaryBefore = try #require(try log.upload(id: "upload_old"))

        let retention = UploadRetention(database: database)
        let prunable = try retention.prunable(before: "2026-02-01T00:00:00.000Z")
        #expect(prunable.map(\.id) == ["upload_old"] && prunable.first?.rows == 1_000)

        // Slices of 300 rows: four transactions; a stop asked after the second leaves the upload marked.
        var slices = 0
        let firstPart = try retention.prune(prunable[0], at: "2026-04-01T00:00:00.000Z", rowsPerSlice: 300) {
            slices += 1
            return slices == 2
        }
        #expect(firstPart == 600)
        let marked = try #require(try log.upload(id: "upload_old"))
        #expect(marked.rowsPrunedAt == "2026-04-01T00:00:00.000Z")
        // Its report's rejections by code are what they were, from what the prune kept.
        #expect(try log.rejectionsByCode(uploadID: "upload_old").map { "\($0.code) \($0.rows) \($0.firstLine)" }
            == byCodeBefore.map { "\($0.code) \($0.rows) \($0.firstLine)" })
        // The next prune finds the rest and ends it, keeping the first mark.
        let rest = try retention.prunable(before: "2026-02-01T00:00:00.000Z")
        #expect(rest.map(\.id) == ["upload_old"] && rest.first?.rows == 400)
        #expect(try retention.prune(rest[0], at: "2026-05-01T00:00:00.000Z", rowsPerSlice: 300) == 400)
        #expect(try retention.prunable(before: "2026-02-01T00:00:00.000Z").isEmpty)
        #expect(try log.upload(id: "upload_old")?.rowsPrunedAt == "2026-04-01T00:00:00.000Z")

        // Every card, every summary, the other uploads' rows.
        #expect(try count(database, "SELECT count(*) FROM cards") == 1)
        #expect(try count(database, "SELECT count(*) FROM uploads") == 3)
        #expect(try count(database, "SELECT count(*) FROM upload_rows WHERE upload_seq = (SELECT seq FROM uploads WHERE id = 'upload_old')") == 0)
        #expect(try count(database, "SELECT count(*) FROM upload_rows") == 20)
        let summary = try #require(try log.upload(id: "upload_old"))
        #expect(summary.counts == summaryBefore.counts && summary.status == summaryBefore.status
            && summary.finishedAt == summaryBefore.finishedAt)
        var listed = 0
        try log.forEachRow(uploadID: "upload_new") { _ in listed += 1 }
        #expect(listed == 10)

        // A cutoff after everything: the finished upload goes, the running one (alive) stays.
        let later = try retention.prunable(before: "2027-01-01T00:00:00.000Z")
        #expect(later.map(\.id) == ["upload_new"])
        // Once its process is gone (its lock slot free: as if killed) it may go too.
        try database.execute("UPDATE uploads SET owner = 'slot:7 gone:1' WHERE id = 'upload_running'")
        #expect(try log.upload(id: "upload_running")?.status == .interrupted)
        #expect(try retention.prunable(before: "2027-01-01T00:00:00.000Z").map(\.id) == ["upload_new", "upload_running"])
    }

    @Test func theFreePagesGoBackToTheFileSystem() throws {
        let path = temporaryPath()
        defer { for suffix in ["", "-wal", "-shm", "-uploads.lock"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        let log = UploadLog(database: database)
        _ = try upload(log, database, id: "upload_old", rows: 5_000, finishedAt: "2026-01-02T00:00:00.000Z")
        database.checkpoint()
        let retention = UploadRetention(database: database)
        let before = try retention.size()
        let fileBefore = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        #expect(Int64(fileBefore) == before.bytes)
        for upload in try retention.prunable(before: "2026-02-01T00:00:00.000Z") {
            _ = try retention.prune(upload, at: "2026-04-01T00:00:00.000Z", rowsPerSlice: 1_000)
        }
        #expect(try retention.size().freeBytes > 0)
        try retention.giveBackFreePages(pagesPerStep: 8)
        database.checkpoint()
        let after = try retention.size()
        #expect(after.freeBytes == 0)
        #expect(after.bytes < before.bytes / 2, "\(before) → \(after)")
        let fileAfter = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        #expect(Int64(fileAfter) == after.bytes)
    }
}
