import CardUploadReport
import CardUploadRules
import CardUploadStore
import Foundation

/// The settings of one prune (`uploads prune`, `process-dir --keep-days`).
package struct PruneOptions: Sendable {
    /// Uploads that finished before this instant (RFC 3339 UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`) lose their rows.
    package var cutoff: String
    /// `--dry-run`: say what would go, change nothing (the store is opened read-only).
    package var dryRun = false

    package init(cutoff: String, dryRun: Bool = false) {
        self.cutoff = cutoff
        self.dryRun = dryRun
    }

    /// The cutoff `--keep-days days` means: now less that many days.
    package static func keeping(days: Int, dryRun: Bool = false) -> PruneOptions {
        PruneOptions(cutoff: Timestamp.daysAgo(days), dryRun: dryRun)
    }

    /// The cutoff of exactly one of `--before DATE` (a date, meaning its midnight UTC, or a date-time) and
    /// `--keep-days N`.
    package static func parse(before: String?, keepDays: Int?, dryRun: Bool) throws(PruneOptionsError) -> PruneOptions {
        switch (before, keepDays) {
        case (nil, nil):
            throw PruneOptionsError(message: "say which uploads to prune: --before DATE or --keep-days N")
        case (.some, .some):
            throw PruneOptionsError(message: "--before and --keep-days contradict each other: choose one")
        case (nil, let days?):
            return .keeping(days: days, dryRun: dryRun)
        case (let given?, nil):
            if LeadDateTime.isCalendarDate(given) { return PruneOptions(cutoff: given + "T00:00:00.000Z", dryRun: dryRun) }
            guard let instant = LeadDateTime.normalized(given) else {
                throw PruneOptionsError(
                    message: "--before must be a date YYYY-MM-DD or a date-time such as 2026-12-05T00:00:00Z (got '\(given)')")
            }
            return PruneOptions(cutoff: instant, dryRun: dryRun)
        }
    }
}

/// `uploads prune` was not told which uploads, or told it twice or wrongly (a usage error).
package struct PruneOptionsError: Error {
    package var message: String
}

/// What a prune did (or, for a dry run, would do).
package struct PruneResult: Sendable {
    /// The store, as named.
    package var database: String
    package var cutoff: String
    package var dryRun: Bool
    /// Uploads whose rows were pruned (would be).
    package var uploads = 0
    /// Per-line outcomes deleted (would be).
    package var rows = 0
    /// The store's size (pages × page size) before and after; equal for a dry run.
    package var bytesBefore: Int64 = 0
    package var bytesAfter: Int64 = 0

    /// Bytes given back to the file system.
    package var bytesFreed: Int64 { max(0, bytesBefore - bytesAfter) }
}

/// `uploads prune` (SPEC §10): deletes the per-line outcomes of the uploads that finished before the
/// cutoff — never a card, never an upload's summary, never a running upload — then gives the free pages
/// back (incremental vacuum) and checkpoints the WAL, so the file itself shrinks. Prints nothing.
package struct PruneJob {
    private let options: PruneOptions
    private let path: String
    private let stop: StopToken

    package init(options: PruneOptions, storePath: String, stop: StopToken) {
        self.options = options
        self.path = storePath
        self.stop = stop
    }

    /// Runs; throws a store error (74, 75), `DatabaseMissingError` (66), or `Stopped` after the slice that
    /// was being deleted when a stop was requested (what is marked stays marked; the next prune ends it).
    package func run() throws -> PruneResult {
        var result = PruneResult(database: path, cutoff: options.cutoff, dryRun: options.dryRun)
        if options.dryRun {
            let database = try StoreOpening.openReadOnly(path)
            let retention = UploadRetention(database: database)
            let uploads = try retention.prunable(before: options.cutoff)
            result.uploads = uploads.count
            result.rows = uploads.reduce(0) { $0 + $1.rows }
            result.bytesBefore = try retention.size().bytes
            result.bytesAfter = result.bytesBefore
            return result
        }
        let database = try StoreOpening.openExistingForWriting(path)
        database.stopWaiting = { [stop] in stop.isRequested }
        let retention = UploadRetention(database: database)
        result.bytesBefore = try retention.size().bytes
        let now = Timestamp.now()
        for upload in try retention.prunable(before: options.cutoff) {
            try stop.check()
            result.rows += try retention.prune(upload, at: now, shouldStop: { stop.isRequested })
            result.uploads += 1
        }
        try stop.check()
        try retention.giveBackFreePages(shouldStop: { stop.isRequested })
        database.checkpoint()
        result.bytesAfter = try retention.size().bytes
        return result
    }
}

extension PruneResult {
    /// What a prune did, in one line naming the store: `./cards.sqlite: pruned 2 uploads that finished
    /// before …: 300,000 rows removed; 15,204,352 bytes (15.2 MB) back (40,960,000 → 25,755,648 bytes)`.
    package var summary: String {
        let store = TerminalText.safe(database)
        let uploads = TerminalFormat.count(self.uploads, "upload")
        let rows = TerminalFormat.count(self.rows, "row")
        if dryRun {
            return "\(store): would prune \(uploads) that finished before \(cutoff): \(rows) (dry run: nothing changed)"
        }
        let megabytes = Double(bytesFreed) / 1_000_000
        let number = TerminalFormat.number
        return "\(store): pruned \(uploads) that finished before \(cutoff): \(rows) removed; "
            + "\(number(Int(bytesFreed))) bytes (\(String(format: "%.1f", megabytes)) MB) back "
            + "(\(number(Int(bytesBefore))) → \(number(Int(bytesAfter))) bytes)"
    }
}
