@testable import CardUploadStore
import Foundation
import Testing

/// A created row's outcome lives on its card; every other outcome in upload_rows. Reading an upload's rows
/// merges both in line order, for stores written by this version and by version 1.
@Suite struct UploadOutcomeTests {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-\(UUID().uuidString).sqlite").path
    }

    private func insertCard(_ database: Database, id: String, key: String, seq: Int64, line: Int?) throws {
        // A store from before version 4 has no key_hash; from version 4 on, a card must have its key's hash.
        let hashed = try database.prepare("SELECT count(*) FROM pragma_table_info('cards') WHERE name = 'key_hash'")
            .queryOne([]) { $0.integer(0) } == 1
        try database.prepare(
            "INSERT INTO cards (id, external_id, account_id, entity_id, type, status, last_four, upload_seq, created_at, updated_at"
                + (hashed ? ", key_hash" : "") + ") VALUES (?1, ?2, 'account_a', 'entity_e', 'virtual', 'active', '0001', ?3,"
                + " 'now', 'now'" + (hashed ? ", card_key_hash('entity_e', ?2)" : "") + ")"
        ).execute([.text(id), .text(key), .integer(seq)])
        if let line {
            try database.prepare("UPDATE cards SET upload_line = ? WHERE id = ?").execute([.integer(Int64(line)), .text(id)])
        }
    }

    private func begin(_ log: UploadLog, _ id: String) throws -> Int64 {
        try log.begin(
            id: id, file: "\(id).csv", startedAt: "now", dryRun: false, format: "csv", delimiter: ",",
            encoding: "utf-8", compression: "none")
    }

    /// A store at the current version, and its log.
    private func openStore(_ path: String) throws -> (Database, UploadLog) {
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        return (database, UploadLog(database: database))
    }

    private func lines(_ log: UploadLog, _ id: String, rejectedOnly: Bool = false) throws -> [String] {
        var result: [String] = []
        try log.forEachRow(uploadID: id, rejectedOnly: rejectedOnly) { row in
            result.append("\(row.line) \(row.outcome.rawValue) \(row.cardID ?? "-") \(row.externalID ?? "-")")
        }
        return result
    }

    @Test func createdRowsComeFromTheirCardsInLineOrderWithTheOtherOutcomes() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (database, log) = try openStore(path)
        let seq = try begin(log, "upload_one")
        let otherSeq = try begin(log, "upload_other")
        try database.writeTransaction {
            try insertCard(database, id: "card_a", key: "k1", seq: seq, line: 2)
            let first = database.lastInsertedRowID
            try log.recordRow(uploadSeq: seq, line: 3, externalID: "k2", entityID: "entity_e", outcome: .rejected([]))
            // Another upload's card between this one's: inside the rowid range, not its outcome.
            try insertCard(database, id: "card_other", key: "k9", seq: otherSeq, line: 3)
            try insertCard(database, id: "card_b", key: "k3", seq: seq, line: 4)
            try log.addBatch(uploadSeq: seq, counts: UploadCounts(), bytes: 0, createdRowIDs: first...database.lastInsertedRowID)
            // A replayed row's key is its card's: recorded without it.
            try log.recordRow(uploadSeq: seq, line: 5, externalID: nil, entityID: nil, outcome: .replayed(cardID: "card_a"))
            // A card without a line (a dry run's) is not an outcome of its own.
            try insertCard(database, id: "card_c", key: "k4", seq: seq, line: nil)
        }
        #expect(try lines(log, "upload_one") == ["2 created card_a k1", "3 rejected - k2", "4 created card_b k3", "5 replayed card_a k1"])
        #expect(try lines(log, "upload_one", rejectedOnly: true) == ["3 rejected - k2"])
        let viewKeys = try database.prepare(
            "SELECT group_concat(line || ':' || external_id || ':' || entity_id, ' ') FROM"
                + " (SELECT * FROM upload_outcomes WHERE upload_seq = ? ORDER BY line)"
        ).queryOne([.integer(seq)]) { $0.text(0) }
        #expect(viewKeys == "2:k1:entity_e 3:k2:entity_e 4:k3:entity_e 5:k1:entity_e")
        let viewCount = try database.prepare("SELECT count(*) FROM upload_outcomes WHERE upload_seq = ?")
            .queryOne([.integer(seq)]) { $0.integer(0) }
        #expect(viewCount == 4)
        #expect(try lines(log, "upload_other") == [])
        #expect(try lines(log, "upload_missing").isEmpty)
    }

    @Test func aVersionOneStoreKeepsItsCreatedRowsAfterTheMigration() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try Database(path: path, mode: .readWriteCreate)
        try database.writeTransaction {
            try database.execute(Schema.migrations[0])
            try database.execute("PRAGMA user_version = 1")
        }
        let log = UploadLog(database: database)
        let seq = try begin(log, "upload_old")
        try database.writeTransaction {
            try insertCard(database, id: "card_old", key: "k1", seq: seq, line: nil)
            try log.recordRow(uploadSeq: seq, line: 2, externalID: "k1", entityID: "entity_e", outcome: .created(cardID: "card_old"))
        }
        try Schema.migrate(database)
        #expect(try Schema.userVersion(database) == Schema.currentVersion)
        #expect(try lines(log, "upload_old") == ["2 created card_old k1"])
    }

    @Test func rowsOfARolledBackBatchAreNeverWrittenIntoALaterOne() throws {
        struct Abort: Error {}
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (database, log) = try openStore(path)
        let seq = try begin(log, "upload_rb")
        // Recorded rows are held back and written together: these two are pending when the batch rolls back.
        #expect(throws: Abort.self) {
            try database.writeTransaction {
                try log.recordRow(uploadSeq: seq, line: 2, externalID: "k1", entityID: "entity_e", outcome: .rejected([]))
                try log.recordRow(uploadSeq: seq, line: 3, externalID: "k2", entityID: "entity_e", outcome: .rejected([]))
                throw Abort()
            }
        }
        try database.writeTransaction {
            try log.recordRow(uploadSeq: seq, line: 4, externalID: "k3", entityID: "entity_e", outcome: .rejected([]))
        }
        #expect(try lines(log, "upload_rb") == ["4 rejected - k3"])
        // More than one statement's worth (64) in one batch: every row written, in order.
        try database.writeTransaction {
            for line in 5..<205 {
                try log.recordRow(uploadSeq: seq, line: line, externalID: "k\(line)", entityID: "entity_e", outcome: .rejected([]))
            }
        }
        let all = try lines(log, "upload_rb")
        #expect(all.count == 201)
        #expect(all.last == "204 rejected - k204")
    }
}
