import CardUploadInput
import CardUploadModel
import CardUploadReport
import CardUploadStore

/// What became of one file's load: everything a caller needs to print a summary and choose an exit code.
package struct UploadResult {
    /// The path as given (`-` for standard input).
    package var file: String
    /// The upload recorded for the file; nil when the load failed before there was one.
    package var uploadID: String?
    /// The upload's final status; nil when the load failed before the upload was recorded (`failure`).
    package var status: UploadStatus?
    /// The rows by outcome (committed ones; a dry run's and a rolled-back atomic run's as checked).
    package var counts = UploadCounts()
    /// Whether the rows' cards are in the store (never for a dry run; for an atomic run only a clean file).
    package var committed = false
    package var dryRun = false
    /// The error the upload records: a file-level error (the rest of the file unread) or `output_error`.
    package var fileError: FileError?
    /// An output (report, rejects, results, HTML) that could not be written.
    package var outputError: OutputError?
    /// Set when a stop was requested: the open batch was rolled back.
    package var stopReason: StopReason?
    /// A wait for another run's lock that the stop ended: the store's message.
    package var stoppedWhileWaiting: String?
    /// The error that kept the file from loading at all, or ended its load early (the input or an output
    /// cannot be opened, a database error, a bug). `stopReason` is set too when a stop caused it.
    package var failure: (any Error)?
    /// Rejected rows by error code, with the first line of each (when `LoadOptions.summarizesRejections`).
    package var rejections: [(code: String, rows: Int, firstLine: Int)] = []
    /// How many batches the rows were recorded in (in one transaction: the times their counts were added up).
    package var batches = 0
    /// Options that did not apply to the file and were ignored (a note each, for stderr).
    package var notes: [String] = []
    /// The file was loaded all or nothing because its kind is (a Lead card file without `--partial`).
    package var allOrNothingByDefault = false
    /// How long the file took, from opening it to its last output, in seconds (without `storeUpgrade`'s).
    package var seconds: Double = 0
    /// What opening the store did to a store an earlier release made, before this file's rows.
    package var storeUpgrade: StoreUpgrade?
    /// What the person fixing the file should be told, once each (SPEC §10): stderr and the report's `hints`.
    package var hints = FileHints()

    package init(file: String) {
        self.file = file
    }
}

/// The kinds of failure SPEC §1's exit codes tell apart; the CLI turns a kind into its code.
package enum FailureKind: Sendable, Equatable {
    /// A usage error (64).
    case usage
    /// The input or the store cannot be opened or read (66).
    case inputUnavailable
    /// The file breaks a file-level rule (65).
    case badFile
    /// An output cannot be created or written (73).
    case outputUnavailable
    /// The store failed (74).
    case storeFailed
    /// Another run holds the store or the inbox (75).
    case busy
    /// A bug (70).
    case bug

    /// The kind of `error`.
    package init(of error: any Error) {
        switch error {
        case is OptionConflictError: self = .usage
        case is InputOpenError, is DatabaseMissingError, is DatabaseUnreadableError: self = .inputUnavailable
        case is FileError: self = .badFile
        case let database as DatabaseError: self = database.isBusy ? .busy : .storeFailed
        case is NewerSchemaError: self = .storeFailed
        case is OutputError: self = .outputUnavailable
        case let inbox as InboxError: self = inbox.kind
        default: self = .bug
        }
    }

    /// Whether a `process-dir` run stops after a file that failed this way (the store or the program is
    /// in trouble: the files after it would fail the same way).
    package var stopsRun: Bool { self == .storeFailed || self == .busy || self == .bug }
}

/// Whether `describeFailure(error)` names the input itself (an input that cannot be opened): a caller then
/// does not put the file's name before it.
package func failureNamesInput(_ error: any Error) -> Bool { error is InputOpenError }

/// A one-line description of an error for stderr and the cron log.
package func describeFailure(_ error: any Error) -> String {
    switch error {
    case let input as InputOpenError: input.isFolder ? input.message : "cannot open \(input.path): \(input.message)"
    case let file as FileError: "\(file.code.rawValue): \(file.message)" + (file.line.map { " (line \($0))" } ?? "")
    case let database as DatabaseError: "database: \(database.message)"
    case let conflict as OptionConflictError: conflict.message
    default: "\(error)"
    }
}

/// Whether `error` is the store's (it failed, is busy, or is from a newer release), not the input's.
package func isStoreError(_ error: any Error) -> Bool {
    error is DatabaseError || error is NewerSchemaError
}

/// A store error that names the store: `database ./cards.sqlite: disk I/O error` (a message that already
/// names it is left as it is; SPEC §10: errors about the database name the database).
package func describeStoreError(_ error: any Error, store: String) -> String {
    let text = (error as? DatabaseError)?.message ?? describeFailure(error)
    return text.contains(store) ? text : "database \(store): \(text)"
}
