import CardUploadLoad
import CardUploadReport
import CardUploadRules
import CardUploadStore
import Foundation

/// The options of retention and report size (SPEC §10): `--report-rows`, `--before`, `--keep-days`, and the
/// line that says what a prune did.
enum RetentionOptions {
    /// `--report-rows all|rejected|none`, default all.
    static func reportRows(_ arguments: ParsedArguments, command: String) throws(UsageError) -> ReportRows {
        guard let given = arguments.value("report-rows") else { return .all }
        guard let rows = ReportRows(rawValue: given) else {
            throw UsageError(message: "--report-rows must be all, rejected or none (got '\(given)')", command: command)
        }
        return rows
    }

    /// The most days `--keep-days` takes (a century).
    static let mostDays = 36_500

    /// `--keep-days N`, a whole number of days from 0 to `mostDays`, when given.
    static func keepDays(_ arguments: ParsedArguments, command: String) throws(UsageError) -> Int? {
        guard let given = arguments.value("keep-days") else { return nil }
        guard let days = Int(given), days >= 0, days <= mostDays else {
            throw UsageError(
                message: "--keep-days must be a whole number of days from 0 to \(mostDays) (got '\(given)')", command: command)
        }
        return days
    }

    /// `uploads prune`'s cutoff: exactly one of `--before DATE` (a date, meaning its midnight UTC, or a
    /// date-time) and `--keep-days N`.
    static func pruneOptions(_ arguments: ParsedArguments, command: String) throws(UsageError) -> PruneOptions {
        let dryRun = arguments.flag("dry-run")
        switch (arguments.value("before"), try keepDays(arguments, command: command)) {
        case (nil, nil):
            throw UsageError(message: "say which uploads to prune: --before DATE or --keep-days N", command: command)
        case (.some, .some):
            throw UsageError(message: "--before and --keep-days contradict each other: choose one", command: command)
        case (nil, let days?):
            return .keeping(days: days, dryRun: dryRun)
        case (let given?, nil):
            if LeadDateTime.isCalendarDate(given) { return PruneOptions(cutoff: given + "T00:00:00.000Z", dryRun: dryRun) }
            guard let instant = LeadDateTime.normalized(given) else {
                throw UsageError(
                    message: "--before must be a date YYYY-MM-DD or a date-time such as 2026-12-05T00:00:00Z (got '\(given)')",
                    command: command)
            }
            return PruneOptions(cutoff: instant, dryRun: dryRun)
        }
    }

    /// What a prune did, in one line naming the store: `./cards.sqlite: pruned 2 uploads that finished
    /// before …: 300,000 rows removed; 15,204,352 bytes (15.2 MB) back (40,960,000 → 25,755,648 bytes)`.
    static func summary(_ result: PruneResult) -> String {
        let store = TerminalText.safe(result.database.contains("/") ? result.database : "./" + result.database)
        let uploads = counted(result.uploads, "upload")
        let rows = counted(result.rows, "row")
        if result.dryRun {
            return "\(store): would prune \(uploads) that finished before \(result.cutoff): \(rows) (dry run: nothing changed)"
        }
        let megabytes = Double(result.bytesFreed) / 1_000_000
        return "\(store): pruned \(uploads) that finished before \(result.cutoff): \(rows) removed; "
            + "\(grouped(Int(result.bytesFreed))) bytes (\(String(format: "%.1f", megabytes)) MB) back "
            + "(\(grouped(Int(result.bytesBefore))) → \(grouped(Int(result.bytesAfter))) bytes)"
    }

    /// `1 upload`, `2 uploads`, `300,000 rows`.
    private static func counted(_ count: Int, _ noun: String) -> String {
        "\(grouped(count)) \(noun)\(count == 1 ? "" : "s")"
    }

    /// A number with thousands separators from four digits on: `1,000`, `300,000`.
    private static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return (number < 0 ? "-" : "") + result
    }
}
