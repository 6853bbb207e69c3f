import CardUploadReport
import CardUploadStore

/// The words of a file's summary on stderr, shared by `process` and `process-dir`'s cron log (SPEC §10):
/// counts with thousands separators and singular nouns, what a run that committed nothing would have
/// done, how long the file took and the store it went to.
package enum UploadSummary {
    /// `37 rows: 22 created, 1 replayed, 0 updated, 14 rejected`; for an upload that committed nothing,
    /// what it would have done: `would create 22, …, would update 0`.
    package static func counts(_ result: UploadResult) -> String {
        let counts = result.counts
        let number = TerminalFormat.number
        let changed = result.committed
            ? "\(number(counts.created)) created, \(number(counts.replayed)) replayed, \(number(counts.updated)) updated"
            : "would create \(number(counts.created)), \(number(counts.replayed)) replayed, would update \(number(counts.updated))"
        return "\(TerminalFormat.count(counts.rows, "row")): \(changed), \(number(counts.rejected)) rejected"
    }

    /// Why an upload committed nothing (`nothing committed (atomic)`), nil when its rows are in the store.
    package static func nothingCommitted(_ result: UploadResult) -> String? {
        guard !result.committed else { return nil }
        let why = result.dryRun ? "dry run: nothing recorded"
            : result.allOrNothingByDefault
            ? "a Lead card file loads all or nothing: fix the rejected rows, or load the valid ones with --partial"
            : "atomic"
        return "nothing committed (\(why))"
    }

    /// `completed_with_errors in 0.41 s` or `completed, nothing committed (atomic) in 0.41 s`.
    package static func outcome(_ result: UploadResult, status: UploadStatus) -> String {
        status.rawValue + (nothingCommitted(result).map { ", " + $0 } ?? "")
            + " in \(TerminalFormat.duration(seconds: result.seconds))"
    }

    /// `upload upload_… → ./cards.sqlite`; a dry run's upload is checked against the store, not in it.
    package static func destination(_ result: UploadResult, uploadID: String, store: String) -> String {
        let name = TerminalText.safe(store)
        return result.dryRun ? "upload \(uploadID), checked against \(name)" : "upload \(uploadID) → \(name)"
    }

    /// `process`'s summary of a file (`file` already safe for a terminal): `cards.csv: 37 rows: 22 created, … —
    /// completed_with_errors in 0.41 s, upload upload_… → ./cards.sqlite`, then the rejections by code; nil for
    /// an upload that never began.
    package static func text(_ result: UploadResult, file: String, store: String) -> String? {
        guard let status = result.status, let uploadID = result.uploadID else { return nil }
        return "\(file): \(counts(result)) — \(outcome(result, status: status)), "
            + destination(result, uploadID: uploadID, store: store) + "\n" + rejectionTable(result)
    }

    /// What went wrong with a file's load, in one phrase for the cron log (nil when nothing did, or when it
    /// is the store's: that has a line of its own, naming the store).
    package static func problem(_ upload: UploadResult) -> String? {
        if let waiting = upload.stoppedWhileWaiting { return "stopped while waiting: \(waiting)" }
        if let failure = upload.failure {
            if upload.stopReason == nil, isStoreError(failure) { return nil }
            let text = describeFailure(failure)
            return upload.stopReason != nil ? "stopped before loading: \(text)" : text
        }
        return upload.fileError.map { describeFailure($0) }
    }

    /// The rejections by error code, two spaces in: `code  rows  first line`.
    package static func rejectionTable(_ result: UploadResult) -> String {
        guard result.counts.rejected > 0, !result.rejections.isEmpty else { return "" }
        let width = max(4, result.rejections.map(\.code.count).max() ?? 4)
        let rows = result.rejections.map { TerminalFormat.number($0.rows) }
        let rowsWidth = max(6, rows.map(\.count).max() ?? 6)
        var table = "  " + "code".padding(toLength: width, withPad: " ", startingAt: 0) + " "
            + String(repeating: " ", count: rowsWidth - 4) + "rows  first line\n"
        for (entry, count) in zip(result.rejections, rows) {
            table += "  " + entry.code.padding(toLength: width, withPad: " ", startingAt: 0) + " "
                + String(repeating: " ", count: rowsWidth - count.count) + count + "  \(TerminalFormat.number(entry.firstLine))\n"
        }
        return table
    }
}
