import CardUploadModel
import CardUploadReport
import CardUploadRules
import CardUploadStore
import Foundation

/// `card-upload process-dir INBOX`: load every upload file waiting in a folder (cron), SPEC §1.
///
/// Each file is loaded by `UploadRunner` like `process` would, its report (and rejects file) written to
/// REPORTS, then the file moved to DONE — or to FAILED after a file-level error (65). A file that gives
/// 64, 66 or 73 stays in INBOX and the run goes on; a database error (74), a busy store (75), a stop
/// signal or a bug (70) stops the run, the remaining files left in INBOX for the next one.
enum ProcessDirCommand {
    static let options: [String: OptionKind] = [
        "db": .value, "quiet": .flag, "delimiter": .value, "encoding": .value, "entity": .value,
        "dry-run": .flag, "atomic": .flag, "on-conflict": .value, "batch-size": .value,
        "done": .value, "failed": .value, "reports": .value, "min-age": .value,
        // Known only to say why they do not apply here.
        "format": .value, "report": .value, "rejects": .value, "results": .value, "html": .value,
    ]

    static func run(_ words: ArraySlice<String>, console: Console) throws -> ExitCode {
        let arguments = try ParsedArguments(words, known: options, command: "process-dir")
        if arguments.wantsHelp {
            console.out(Help.text(for: "process-dir"))
            return .success
        }
        let settings = try ProcessDirSettings(arguments)
        do throws(InboxError) {
            return try ProcessDirRun(settings: settings, console: console).run()
        } catch {
            console.err("\(Timestamp.now()) Error: \(TerminalText.safe(error.message))\n")
            return error.code
        }
    }
}

/// The checked options of one `process-dir` run.
struct ProcessDirSettings {
    var inbox: String
    var done: String
    var failed: String
    var reports: String
    var minimumAge: Double = 0
    var dryRun = false
    var databasePath: String
    /// The row options every file is loaded with (outputs and quiet are set per file).
    var load = LoadOptions()

    init(_ arguments: ParsedArguments) throws(UsageError) {
        func usage(_ message: String) -> UsageError { UsageError(message: message, command: "process-dir") }
        guard let inbox = arguments.positionals.first else { throw usage("missing INBOX (the folder to load)") }
        guard arguments.positionals.count == 1 else {
            throw usage("one INBOX only (got \(arguments.positionals.count) folders)")
        }
        guard !inbox.isEmpty else { throw usage("INBOX needs a folder path") }
        // `in/` and `in` are one folder; the paths in the log and the store read the same either way.
        var trimmed = Substring(inbox)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        self.inbox = String(trimmed)
        if arguments.value("format") != nil {
            throw usage("--format does not apply: process-dir reads each file's format from its name (.csv, .tsv, .jsonl, optionally .gz)")
        }
        for output in ["report", "rejects", "results", "html"] where arguments.value(output) != nil {
            throw usage("--\(output) does not apply: process-dir writes each file's report and rejects to --reports DIR")
        }
        var folders: [String: String] = [:]
        for folder in ["done", "failed", "reports"] {
            let path = arguments.value(folder) ?? (self.inbox == "/" ? "" : self.inbox) + "/" + folder
            guard !path.isEmpty else { throw usage("--\(folder) needs a folder path") }
            // Files moved or written into INBOX itself would be loaded again by the next run.
            if PathIdentity.same(path, inbox) { throw usage("--\(folder) must not be INBOX itself") }
            folders[folder] = path
        }
        done = folders["done"]!
        failed = folders["failed"]!
        reports = folders["reports"]!
        if let age = arguments.value("min-age") {
            guard let parsed = Double(age), parsed.isFinite, parsed >= 0 else {
                throw usage("--min-age must be a number of seconds, 0 or more (got '\(age)')")
            }
            minimumAge = parsed
        }
        // process's row options, checked the way process checks them (no --format: each name says it).
        load = try LoadOptions(arguments, command: "process-dir", allowsFormat: false)
        dryRun = arguments.flag("dry-run")
        load.dryRun = dryRun
        load.atomic = arguments.flag("atomic")
        load.quiet = arguments.flag("quiet")
        try StoreAccess.validate(arguments, command: "process-dir")
        databasePath = StoreAccess.path(arguments)
    }


    /// The options file `name` is loaded with: its format from its name; `--delimiter` for CSV files only
    /// (a TSV is tab-separated) and `--encoding` for CSV and TSV only, so one inbox may mix formats.
    func loadOptions(for name: String, report: String, rejects: String) -> LoadOptions {
        var options = load
        let format = InboxNames.format(of: name)
        options.format = format
        if format != .csv { options.delimiter = nil }
        if format == .jsonl {
            options.encoding = .utf8
            options.encodingGiven = false
        }
        // The runner prints nothing but errors: process-dir prints one line per file itself.
        options.quiet = true
        options.outputs = OutputPaths(report: report, rejects: rejects)
        return options
    }
}
