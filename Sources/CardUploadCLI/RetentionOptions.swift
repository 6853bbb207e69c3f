import CardUploadLoad
import CardUploadReport
import CardUploadRules
import CardUploadStore
import Foundation

/// The options of retention and report size (SPEC §10): `--report-rows`, `--keep-days`, and `uploads prune`'s
/// cutoff (`PruneOptions.parse` reads its dates).
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

    /// `uploads prune`'s cutoff: exactly one of `--before DATE` and `--keep-days N`.
    static func pruneOptions(_ arguments: ParsedArguments, command: String) throws(UsageError) -> PruneOptions {
        let days = try keepDays(arguments, command: command)
        do {
            return try PruneOptions.parse(before: arguments.value("before"), keepDays: days, dryRun: arguments.flag("dry-run"))
        } catch {
            throw UsageError(message: error.message, command: command)
        }
    }
}
