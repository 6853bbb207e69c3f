/// Retention (SPEC §10): the per-line outcomes (`upload_rows`) of uploads that finished before a cutoff are
/// deleted and the space given back to the file system; every card and every upload's summary row stay.
///
/// An upload is pruned in slices of rows, each its own write transaction, so a load running at the same
/// time gets the store between them. The first slice's transaction also marks the upload pruned
/// (`rows_pruned_at`) and keeps its rejections by code: from that commit on its report lists no rows, never
/// a part of them. A prune killed in the middle leaves an upload marked with rows still there; the next
/// prune finds it (`prunable` takes it again) and deletes the rest.
package final class UploadRetention {
    private let database: Database

    package init(database: Database) {
        self.database = database
    }

    /// An upload whose per-line outcomes may go.
    package struct PrunableUpload: Sendable {
        package var seq: Int64
        package var id: String
        /// Its rows in `upload_rows` (a created row of a committed upload is its card, not a row here).
        package var rows: Int
    }

    /// Uploads that finished before `cutoff` (an RFC 3339 UTC timestamp, compared as text with
    /// `finished_at`; an interrupted upload that never finished counts from its start) and whose rows are
    /// not yet pruned, or not all (a prune was killed). Never a running upload whose owner is alive (a
    /// writer has marked every other one `interrupted` when it opened the store; a reader skips only
    /// those alive, as `uploads list` shows them).
    package func prunable(before cutoff: String) throws -> [PrunableUpload] {
        var found: [PrunableUpload] = []
        try database.readSnapshot {
            try database.prepare(
                "SELECT seq, id, status, owner, (SELECT count(*) FROM upload_rows WHERE upload_seq = uploads.seq)"
                    + " FROM uploads WHERE coalesce(finished_at, started_at) < ?1"
                    + " AND (rows_pruned_at IS NULL OR EXISTS (SELECT 1 FROM upload_rows WHERE upload_seq = uploads.seq))"
                    + " ORDER BY seq"
            ).forEachRow([.text(cutoff)]) { row in
                if row.text(2) == "running", UploadOwnership.isAlive(row.text(3), databasePath: database.realPath) {
                    return
                }
                found.append(PrunableUpload(seq: row.integer(0) ?? 0, id: row.text(1) ?? "", rows: Int(row.integer(4) ?? 0)))
            }
        }
        return found
    }

    /// Deletes the rows of `upload`, `rowsPerSlice` per transaction; returns how many it deleted. Marks it
    /// pruned at `now` in the first transaction (with the rejections by code its report keeps). Stops
    /// between slices when `shouldStop` says so (the upload stays marked; the next prune deletes the rest).
    /// An upload that is running again (it cannot be, but the check is under the write lock) is left alone.
    package func prune(
        _ upload: PrunableUpload, at now: String, rowsPerSlice: Int = 50_000, shouldStop: () -> Bool = { false }
    ) throws -> Int {
        let mark = try database.prepare(
            "UPDATE uploads SET rows_pruned_at = ?2, rejected_by_code = ("
                + "SELECT json_group_object(code, json_object('rows', n, 'first_line', f)) FROM ("
                + "SELECT code, count(DISTINCT line) AS n, min(line) AS f FROM (SELECT DISTINCT r.line AS line,"
                + " json_extract(e.value, '$.code') AS code FROM upload_rows AS r, json_each(r.errors) AS e"
                + " WHERE r.upload_seq = ?1 AND r.outcome = 'rejected') GROUP BY code ORDER BY code))"
                + " WHERE seq = ?1 AND rows_pruned_at IS NULL")
        let isRunning = try database.prepare("SELECT status = 'running' FROM uploads WHERE seq = ?")
        // The slice ends at its last line: the primary key (upload_seq, line) finds both ends.
        let deleteSlice = try database.prepare(
            "DELETE FROM upload_rows WHERE upload_seq = ?1 AND line <= coalesce("
                + "(SELECT line FROM upload_rows WHERE upload_seq = ?1 ORDER BY line LIMIT 1 OFFSET ?2), 9223372036854775807)")
        var deleted = 0
        while true {
            let removed: Int? = try database.writeTransaction {
                guard try isRunning.queryOne([.integer(upload.seq)], { $0.integer(0) ?? 1 }) == 0 else { return nil }
                try mark.execute([.integer(upload.seq), .text(now)])
                try deleteSlice.execute([.integer(upload.seq), .integer(Int64(rowsPerSlice - 1))])
                return database.changes
            }
            guard let removed else { return deleted }
            deleted += removed
            if removed < rowsPerSlice || shouldStop() { return deleted }
        }
    }

    /// The store's size as SQLite sees it: pages × page size (the file's size once the WAL is checkpointed),
    /// and the free pages among them.
    package func size() throws(DatabaseError) -> (bytes: Int64, freeBytes: Int64) {
        let pageSize = try pragma("page_size")
        return (try pragma("page_count") * pageSize, try pragma("freelist_count") * pageSize)
    }

    /// Gives the free pages back to the file system: `PRAGMA incremental_vacuum`, `pagesPerStep` pages per
    /// transaction, so other writers get in between. A store not in incremental auto-vacuum mode (a kill
    /// interrupted its conversion) is converted now: its VACUUM gives every free page back too.
    package func giveBackFreePages(pagesPerStep: Int = 4_096, shouldStop: () -> Bool = { false }) throws {
        guard try Schema.autoVacuumMode(database) == 2 else {
            try Schema.useIncrementalVacuum(database)
            return
        }
        var free = try pragma("freelist_count")
        while free > 0, !shouldStop() {
            try database.execute("PRAGMA incremental_vacuum(\(pagesPerStep))")
            let left = try pragma("freelist_count")
            if left >= free { return }
            free = left
        }
    }

    private func pragma(_ name: String) throws(DatabaseError) -> Int64 {
        try database.prepare("PRAGMA \(name)").queryOne([]) { $0.integer(0) ?? 0 } ?? 0
    }
}
