import CardUploadModel
import CardUploadRules
import Foundation

/// An upload as recorded in the store.
package struct UploadRecord: Sendable {
    package var id: String
    package var file: String
    package var format: String?
    package var delimiter: String?
    package var encoding: String?
    package var compression: String?
    package var bytes: Int
    package var startedAt: String
    package var finishedAt: String?
    package var status: UploadStatus
    package var committed: Bool
    package var dryRun: Bool
    package var counts: UploadCounts
    package var error: FileError?
    /// When `uploads prune` deleted its per-line outcomes (its report then lists no rows), or nil.
    package var rowsPrunedAt: String?
    /// What to fix (SPEC §10), as the load found them, in order; empty when there were none (or the upload was
    /// recorded before the store kept them, schema version 5).
    package var hints: [String] = []
}

/// Rows by outcome.
package struct UploadCounts: Sendable, Equatable {
    package var created = 0
    package var replayed = 0
    package var updated = 0
    package var rejected = 0
    package var rows: Int { created + replayed + updated + rejected }

    package init() {}

    /// Counts one more row with `outcome`.
    package mutating func add(_ outcome: RowOutcome) {
        switch outcome {
        case .created: created += 1
        case .replayed: replayed += 1
        case .updated: updated += 1
        case .rejected: rejected += 1
        }
    }
}

/// The uploads table and the per-row outcomes: written in the same transactions as the cards.
package final class UploadLog {
    private let database: Database
    private let ownership: UploadOwnership
    private lazy var insertRow = Result { () throws(DatabaseError) in
        try database.prepare(
            "INSERT INTO upload_rows (upload_seq, line, external_id, entity_id, outcome, card_id, errors)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")
    }
    /// Row outcomes recorded but not yet written: written `rowsPerInsert` at a time by one statement (a
    /// replay records a row per line; one statement per row was a third of its work), and always before
    /// the batch's counts (`addBatch`), a read of the rows, and the commit (`Database.willCommit`).
    private var pendingRows: [UploadRowRecord] = []
    private var pendingSeq: Int64 = 0
    /// `Database.rollbacks` when the pending rows were recorded: rows of a rolled-back batch are dropped.
    private var pendingRollbacks = 0
    private static let rowsPerInsert = 64
    private lazy var insertRows = Result { () throws(DatabaseError) in
        try database.prepare(
            "INSERT INTO upload_rows (upload_seq, line, external_id, entity_id, outcome, card_id, errors) VALUES "
                + Array(repeating: "(?, ?, ?, ?, ?, ?, ?)", count: Self.rowsPerInsert).joined(separator: ", "))
    }
    private lazy var addCounts = Result { () throws(DatabaseError) in
        try database.prepare(
            "UPDATE uploads SET rows = rows + ?, created = created + ?, replayed = replayed + ?,"
                + " updated = updated + ?, rejected = rejected + ?, bytes = ?,"
                + " first_card_rowid = coalesce(first_card_rowid, ?8), last_card_rowid = coalesce(?9, last_card_rowid)"
                + " WHERE seq = ?7")
    }

    private static let uploadColumns =
        "id, file, format, delimiter, encoding, compression, bytes, started_at, finished_at, status, committed,"
        + " dry_run, created, replayed, updated, rejected, error_code, error_message, error_line, error_offset, owner,"
        + " rows_pruned_at, hints"

    package init(database: Database) {
        self.database = database
        self.ownership = UploadOwnership(databasePath: database.realPath)
        database.willCommit.append { [weak self] in try self?.writePendingRows() }
    }

    /// Records a new upload as `running`, owned by this process; returns its sequence number, the key its
    /// rows and cards refer to.
    @discardableResult
    package func begin(
        id: String, file: String, startedAt: String, dryRun: Bool, format: String, delimiter: String?,
        encoding: String, compression: String
    ) throws -> Int64 {
        try database.writeTransaction {
            try database.prepare(
                "INSERT INTO uploads (id, file, started_at, status, committed, dry_run, owner, format, delimiter,"
                    + " encoding, compression) VALUES (?, ?, ?, 'running', 1, ?, ?, ?, ?, ?, ?)"
            ).execute([
                .text(id), .text(CardNumber.mask(file)), .text(startedAt), .integer(dryRun ? 1 : 0),
                .text(dryRun ? nil : ownership.claim()), .text(format), .text(delimiter), .text(encoding), .text(compression),
            ])
            return database.lastInsertedRowID
        }
    }

    /// Records the encoding the input turned out to be in (`--encoding auto`, a byte order mark).
    package func recordEncoding(id: String, encoding: String) throws {
        try database.writeTransaction {
            try database.prepare("UPDATE uploads SET encoding = ? WHERE id = ?").execute([.text(encoding), .text(id)])
        }
    }

    /// Records the encoding in the open transaction of a batch whose rows were read in it (`RowLoader`).
    package func recordEncoding(uploadSeq: Int64, encoding: String) throws(DatabaseError) {
        try database.prepare("UPDATE uploads SET encoding = ? WHERE seq = ?").execute([.text(encoding), .integer(uploadSeq)])
    }

    /// Records the delimiter the CSV reader settled on (the one sniffed from the whole header line).
    package func recordDelimiter(id: String, delimiter: String) throws {
        try database.writeTransaction {
            try database.prepare("UPDATE uploads SET delimiter = ? WHERE id = ?").execute([.text(delimiter), .text(id)])
        }
    }

    /// Records one row's outcome, in the caller's open transaction (written with the next rows, at the
    /// latest by `addBatch`, a read of the rows or the commit). A replayed or updated row of a
    /// committed upload may leave out its key (nil `externalID` and `entityID`): it is its card's.
    package func recordRow(
        uploadSeq: Int64, line: Int, externalID: String?, entityID: String?, outcome: RowOutcome
    ) throws(DatabaseError) {
        if pendingRows.isEmpty || pendingSeq != uploadSeq || pendingRollbacks != database.rollbacks {
            try writePendingRows()
            pendingSeq = uploadSeq
            pendingRollbacks = database.rollbacks
        }
        pendingRows.append(UploadRowRecord(line: line, externalID: externalID, entityID: entityID, outcome: outcome))
        if pendingRows.count == Self.rowsPerInsert { try writePendingRows() }
    }

    /// Writes the recorded rows not yet written, in the caller's open transaction; rows of a transaction
    /// that was rolled back since are dropped.
    package func writePendingRows() throws(DatabaseError) {
        guard !pendingRows.isEmpty else { return }
        defer { pendingRows.removeAll(keepingCapacity: true) }
        // Rows of a transaction that rolled back are dropped with it.
        guard pendingRollbacks == database.rollbacks else { return }
        guard database.isInTransaction else {
            // Their transaction committed without them: a commit that bypassed `Database.commit`.
            throw DatabaseError(
                resultCode: 21, message: "internal error: \(pendingRows.count) row outcomes were held past their commit")
        }
        if pendingRows.count == Self.rowsPerInsert {
            let insert = try insertRows.get()
            insert.rewind()
            for (offset, row) in pendingRows.enumerated() {
                try bind(row, seq: pendingSeq, to: insert, from: Int32(offset * 7))
            }
            try insert.run()
        } else {
            let insert = try insertRow.get()
            for row in pendingRows {
                insert.rewind()
                try bind(row, seq: pendingSeq, to: insert, from: 0)
                try insert.run()
            }
        }
    }

    private func bind(_ row: UploadRowRecord, seq: Int64, to insert: Statement, from base: Int32) throws(DatabaseError) {
        try insert.bind(base + 1, seq)
        try insert.bind(base + 2, Int64(row.line))
        try insert.bind(base + 3, row.externalID)
        try insert.bind(base + 4, row.entityID)
        try insert.bind(base + 5, row.outcome.rawValue)
        try insert.bind(base + 6, row.cardID)
        try insert.bind(base + 7, row.errors.column(for: row.outcome))
    }

    /// Records a row outcome kept aside while an atomic upload's transaction was open (it committed
    /// nothing, so a created row has no card id), in the caller's open transaction.
    package func recordKeptRow(uploadSeq: Int64, _ row: UploadRowRecord) throws(DatabaseError) {
        try writePendingRows()
        try insertRow.get().execute([
            .integer(uploadSeq), .integer(Int64(row.line)), .text(row.externalID), .text(row.entityID),
            .text(row.outcome.rawValue), .text(row.cardID), .text(row.errors.column(for: row.outcome)),
        ])
    }

    /// Takes the card id off the rows of an upload that committed nothing (a dry run, before its rollback;
    /// an atomic upload, after it) wherever the card is one this upload made, or is gone: created rows,
    /// and rows that replayed a card created earlier in the same file.
    package func forgetUncommittedCards(uploadSeq: Int64) throws(DatabaseError) {
        try writePendingRows()
        try database.prepare(
            "UPDATE upload_rows SET card_id = NULL WHERE upload_seq = ?1 AND card_id IS NOT NULL AND ("
                + "NOT EXISTS (SELECT 1 FROM cards WHERE cards.id = upload_rows.card_id)"
                + " OR EXISTS (SELECT 1 FROM cards WHERE cards.id = upload_rows.card_id AND cards.upload_seq = ?1))"
        ).execute([.integer(uploadSeq)])
    }

    /// Adds a batch's counts, in the caller's open transaction, with the first and last rowid of the cards
    /// the batch created whose outcome is the card (`upload_line` set): how `forEachRow` finds them.
    package func addBatch(
        uploadSeq: Int64, counts: UploadCounts, bytes: Int, createdRowIDs: ClosedRange<Int64>? = nil
    ) throws(DatabaseError) {
        try writePendingRows()
        try addCounts.get().execute([
            .integer(Int64(counts.rows)), .integer(Int64(counts.created)), .integer(Int64(counts.replayed)),
            .integer(Int64(counts.updated)), .integer(Int64(counts.rejected)), .integer(Int64(bytes)), .integer(uploadSeq),
            createdRowIDs.map { .integer($0.lowerBound) }, createdRowIDs.map { .integer($0.upperBound) },
        ])
    }

    /// Reads the upload's row, so that its page stays in SQLite's cache through a long transaction: a page
    /// that is written, left alone, spilled to the log and then written again is written in place there, and
    /// the commit then reads the whole log back from it to make its checksums again (`walRewriteChecksums`) —
    /// an upload's row is written when it begins and again when its counts are added up, at the end of a file
    /// in one transaction.
    package func touch(uploadSeq: Int64) throws(DatabaseError) {
        _ = try selectRowCount.get().queryOne([.integer(uploadSeq)]) { $0.integer(0) }
    }

    private lazy var selectRowCount = Result { () throws(DatabaseError) in
        try database.prepare("SELECT rows FROM uploads WHERE seq = ?")
    }

    /// Closes the upload with its final status and its hints (SPEC §10, in the order found; stored as a JSON
    /// array of strings, NULL when there are none), which its report lists, at load time and in `uploads show`.
    package func finish(
        id: String, status: UploadStatus, committed: Bool, bytes: Int, error: FileError?, finishedAt: String?,
        hints: [String], mergesKeys: Bool = true
    ) throws {
        try database.writeTransaction {
            // The upload's new cards go into the key index now, in hash order (`PendingCardKeys`): a finished
            // upload leaves none pending for the next run or a reader to read. A file loaded all or nothing
            // merges them in a transaction of its own once it has committed (`mergesKeys` false: `UploadJob`).
            if committed, mergesKeys { try database.mergeCardKeys() }
            try database.prepare(
                "UPDATE uploads SET status = ?, committed = ?, bytes = ?, finished_at = ?, error_code = ?,"
                    + " error_message = ?, error_line = ?, error_offset = ?, hints = ?, owner = NULL WHERE id = ?"
            ).execute([
                .text(status.rawValue), .integer(committed ? 1 : 0), .integer(Int64(bytes)), .text(finishedAt),
                .text(error?.code.rawValue), .text(error.map { CardNumber.mask($0.message) }), .integer(error?.line),
                .integer(error?.offset), .text(Self.hintsColumn(hints)),
                .text(id),
            ])
        }
        ownership.releaseAll()
    }

    /// The `hints` column of `hints`: a JSON array of strings (card numbers masked), or nil when there are none.
    static func hintsColumn(_ hints: [String]) -> String? {
        hints.isEmpty ? nil : "[" + hints.map { JSONString.quoted(CardNumber.mask($0)) }.joined(separator: ",") + "]"
    }

    /// The hints stored in a `hints` column (nil, or not an array of strings: none).
    static func hints(column: String?) -> [String] {
        guard let column, let data = column.data(using: .utf8),
              let list = try? JSONSerialization.jsonObject(with: data) as? [String]
        else { return [] }
        return list
    }

    /// Marks `interrupted` every upload still `running` whose process is gone; returns their ids.
    /// An upload owned by a live process (or one on another host, which cannot be checked) is left alone.
    @discardableResult
    package func markAbandonedUploads() throws -> [String] {
        var candidates: [(id: String, owner: String?)] = []
        try database.prepare("SELECT id, owner FROM uploads WHERE status = 'running'").forEachRow([]) { row in
            candidates.append((row.text(0) ?? "", row.text(1)))
        }
        let abandoned = candidates.filter { !UploadOwnership.isAlive($0.owner, databasePath: database.realPath) }.map(\.id)
        guard !abandoned.isEmpty else { return [] }
        try database.writeTransaction {
            let mark = try database.prepare(
                "UPDATE uploads SET status = 'interrupted', owner = NULL WHERE id = ? AND status = 'running'")
            for id in abandoned { try mark.execute([.text(id)]) }
        }
        return abandoned
    }

    /// Runs `body` inside one read transaction, so everything it reads comes from one snapshot.
    package func readSnapshot<T>(_ body: () throws -> T) throws -> T {
        try database.readSnapshot(body)
    }

    /// The upload with `id`, or nil.
    package func upload(id: String) throws -> UploadRecord? {
        try database.prepare("SELECT \(Self.uploadColumns) FROM uploads WHERE id = ?").queryOne([.text(id)]) { self.readUpload($0) }
    }

    /// Uploads, newest first.
    package func uploads(limit: Int?) throws -> [UploadRecord] {
        var records: [UploadRecord] = []
        let limitClause = limit.map { " LIMIT \($0)" } ?? ""
        try database.prepare("SELECT \(Self.uploadColumns) FROM uploads ORDER BY started_at DESC, rowid DESC\(limitClause)")
            .forEachRow([]) { records.append(self.readUpload($0)) }
        return records
    }

    /// Streams the recorded rows of upload `id` in line order (only the rejected ones, and at most
    /// `limit` of them, when asked).
    ///
    /// Two sorted streams merged here: `upload_rows` in line order (its primary key), and the cards the
    /// upload created between its first and last card rowid, in rowid order, which is line order (an upload
    /// applies its rows in file order; SQLite numbers new rows upwards). Neither needs a sort or an index
    /// of its own, so a million-row upload streams in constant memory.
    package func forEachRow(
        uploadID: String, rejectedOnly: Bool = false, limit: Int? = nil, _ body: (UploadRowRecord) throws -> Void
    ) throws {
        try writePendingRows()
        let found = try database.prepare("SELECT seq, first_card_rowid, last_card_rowid FROM uploads WHERE id = ?")
            .queryOne([.text(uploadID)]) { ($0.integer(0) ?? 0, $0.integer(1), $0.integer(2)) }
        guard let (seq, firstCard, lastCard) = found else { return }
        // A replayed or updated row's key is its card's (recorded once, on the card).
        let rows = try database.prepare(
            "SELECT line,"
                + " coalesce(external_id, (SELECT c.external_id FROM cards AS c WHERE c.id = upload_rows.card_id)),"
                + " coalesce(entity_id, (SELECT c.entity_id FROM cards AS c WHERE c.id = upload_rows.card_id)),"
                + " outcome, card_id, errors FROM upload_rows WHERE upload_seq = ?1"
                + (rejectedOnly ? " AND outcome = 'rejected'" : "") + " ORDER BY line")
        let created = try database.prepare(
            "SELECT upload_line, external_id, entity_id, 'created', id, NULL FROM cards"
                + " WHERE rowid BETWEEN ?2 AND ?3 AND upload_seq = ?1 AND upload_line IS NOT NULL ORDER BY rowid")
        try rows.bind([.integer(seq)])
        defer { rows.reset() }
        var rowsLeft = try rows.step()
        var createdLeft = false
        if !rejectedOnly, let firstCard, let lastCard {
            try created.bind([.integer(seq), .integer(firstCard), .integer(lastCard)])
            createdLeft = try created.step()
        }
        defer { created.reset() }
        var remaining = limit ?? Int.max
        while (rowsLeft || createdLeft) && remaining > 0 {
            let takesRow = rowsLeft && (!createdLeft || (rows.integer(0) ?? 0) < (created.integer(0) ?? 0))
            let source = takesRow ? rows : created
            // A card in the range is a created row; only upload_rows spells its outcome.
            try body(readRow(source, outcome: takesRow ? try storedOutcome(rows) : .created))
            remaining -= 1
            if takesRow { rowsLeft = try rows.step() } else { createdLeft = try created.step() }
        }
    }

    /// The row `forEachRow` stands on (line, external_id, entity_id, outcome, card_id, errors), with its outcome.
    private func readRow(_ row: Statement, outcome: RowOutcomeKind) -> UploadRowRecord {
        UploadRowRecord(
            line: Int(row.integer(0) ?? 0), externalID: row.text(1), entityID: row.text(2), outcome: outcome,
            cardID: row.text(4), errors: StoredErrors(column: row.text(5)))
    }

    /// The outcome word of an `upload_rows` row (its CHECK allows only the four).
    private func storedOutcome(_ row: Statement) throws(DatabaseError) -> RowOutcomeKind {
        guard let outcome = row.text(3).flatMap(RowOutcomeKind.init(rawValue:)) else {
            throw DatabaseError(resultCode: 11, message: "line \(row.integer(0) ?? 0) of upload_rows has an unknown outcome")
        }
        return outcome
    }

    /// Rejected rows by error code: how many rows, and the first line of each — from the rows, or for an
    /// upload whose rows were pruned, from what the prune kept of them (`rejected_by_code`).
    package func rejectionsByCode(uploadID: String) throws -> [(code: String, rows: Int, firstLine: Int)] {
        try writePendingRows()
        var result: [(String, Int, Int)] = []
        let kept = try database.prepare("SELECT rejected_by_code FROM uploads WHERE id = ?").queryOne([.text(uploadID)]) {
            $0.text(0)
        } ?? nil
        if let kept {
            try database.prepare(
                "SELECT key, json_extract(value, '$.rows'), json_extract(value, '$.first_line') FROM json_each(?)"
                    + " ORDER BY key"
            ).forEachRow([.text(kept)]) { row in
                result.append((row.text(0) ?? "", Int(row.integer(1) ?? 0), Int(row.integer(2) ?? 0)))
            }
            return result
        }
        try database.prepare(
            "SELECT code, count(DISTINCT line), min(line) FROM (SELECT DISTINCT upload_rows.line AS line,"
                + " json_extract(e.value, '$.code') AS code FROM upload_rows, json_each(upload_rows.errors) AS e"
                + " WHERE upload_rows.upload_seq = (SELECT seq FROM uploads WHERE id = ?)"
                + " AND upload_rows.outcome = 'rejected') GROUP BY code ORDER BY code"
        ).forEachRow([.text(uploadID)]) { row in
            result.append((row.text(0) ?? "", Int(row.integer(1) ?? 0), Int(row.integer(2) ?? 0)))
        }
        return result
    }

    /// The upload in `row`; a `running` upload whose process is gone is shown as `interrupted` even before
    /// a writer marks it (read-only commands never write).
    private func readUpload(_ row: Statement) -> UploadRecord {
        var record = Self.readUploadColumns(row)
        if record.status == .running, !UploadOwnership.isAlive(row.text(20), databasePath: database.realPath) {
            record.status = .interrupted
        }
        return record
    }

    private static func readUploadColumns(_ row: Statement) -> UploadRecord {
        var counts = UploadCounts()
        counts.created = Int(row.integer(12) ?? 0)
        counts.replayed = Int(row.integer(13) ?? 0)
        counts.updated = Int(row.integer(14) ?? 0)
        counts.rejected = Int(row.integer(15) ?? 0)
        var error: FileError?
        if let code = row.text(16) {
            error = FileError(
                code: ErrorCode(rawValue: code) ?? .malformedRecord, message: row.text(17) ?? "",
                line: row.integer(18).map { Int($0) }, offset: row.integer(19).map { Int($0) })
        }
        return UploadRecord(
            id: row.text(0) ?? "", file: row.text(1) ?? "", format: row.text(2), delimiter: row.text(3),
            encoding: row.text(4), compression: row.text(5), bytes: Int(row.integer(6) ?? 0),
            startedAt: row.text(7) ?? "", finishedAt: row.text(8), status: UploadStatus(rawValue: row.text(9) ?? "") ?? .failed,
            committed: row.integer(10) == 1, dryRun: row.integer(11) == 1, counts: counts, error: error,
            rowsPrunedAt: row.text(21), hints: hints(column: row.text(22)))
    }
}

/// The host and process, recorded beside an upload's lock slot for whoever reads the store by hand.
package enum ProcessIdentity {
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        return buffer.withUnsafeBufferPointer { String(validatingCString: $0.baseAddress!) ?? "" }
    }
}
