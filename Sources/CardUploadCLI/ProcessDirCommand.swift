import CardUploadLoad
import CardUploadReport
import Foundation

/// `card-upload process-dir INBOX`: load every upload file waiting in a folder (cron), SPEC §1.
///
/// Each file is loaded by `UploadJob` like `process` would, its report (and rejects file) written to
/// REPORTS, then the file moved to DONE — or to FAILED after a file-level error (65). A file that gives
/// 64, 66 or 73 stays in INBOX and the run goes on; a database error (74), a busy store (75), a stop
/// signal or a bug (70) stops the run, the remaining files left in INBOX for the next one.
enum ProcessDirCommand {
    static let options: [String: OptionKind] = [
        "db": .value, "quiet": .flag, "delimiter": .value, "encoding": .value, "entity": .value,
        "dry-run": .flag, "atomic": .flag, "partial": .flag, "on-conflict": .value, "batch-size": .value, "cache-size": .value,
        "max-rows": .value, "max-bytes": .value,
        "done": .value, "failed": .value, "reports": .value, "work": .value, "min-age": .value,
        // Known only to say why they do not apply here.
        "format": .value, "report": .value, "rejects": .value, "results": .value, "html": .value,
    ]

    static func run(_ words: ArraySlice<String>, console: Console) throws -> ExitCode {
        guard let arguments = try ParsedArguments.unlessHelp(words, known: options, command: "process-dir", console: console) else {
            return .success
        }
        let settings = try checkedSettings(arguments)
        let stop = StopSignal.install()
        let store = LoadStore(path: StoreAccess.path(arguments), dryRun: settings.dryRun, cacheMiB: settings.load.cacheMiB)
        defer { store.discard() }
        let log = InboxLog(console: console, minimumAge: settings.minimumAge, showsHints: !arguments.flag("quiet"))
        do throws(InboxError) {
            let result = try InboxRun(settings: settings, store: store, stop: stop, progress: log).run()
            let exit = ExitCode.of(.inbox(result))
            if let last = result.files.last, result.notReached > 0 {
                log.write(nil, "stopped after \(TerminalText.safe(last.name)) (exit \(ExitCode.of(.inboxFile(last)).rawValue)): "
                    + "\(result.notReached) file\(result.notReached == 1 ? "" : "s") left in INBOX for the next run")
            }
            if !arguments.flag("quiet") {
                let done = result.files.filter { $0.movedTo != nil && !$0.movedToFailed }.count
                let failed = result.files.filter(\.movedToFailed).count
                log.write(nil, "\(result.ready) file\(result.ready == 1 ? "" : "s"): \(done) done, \(failed) failed, "
                    + "\(result.left) left in INBOX, \(result.waiting) waiting — exit \(exit.rawValue)")
            }
            return exit
        } catch {
            log.write(nil, "Error: \(TerminalText.safe(error.message))")
            return .of(.error(error))
        }
    }
}

extension ProcessDirCommand {
    /// Checks the options and builds the run's settings.
    static func checkedSettings(_ arguments: ParsedArguments) throws(UsageError) -> InboxSettings {
        func usage(_ message: String) -> UsageError { UsageError(message: message, command: "process-dir") }
        guard let given = arguments.positionals.first else { throw usage("missing INBOX (the folder to load)") }
        guard arguments.positionals.count == 1 else {
            throw usage("one INBOX only (got \(arguments.positionals.count) folders)")
        }
        guard !given.isEmpty else { throw usage("INBOX needs a folder path") }
        // `in/` and `in` are one folder; the paths in the log and the store read the same either way.
        var trimmed = Substring(given)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let inbox = String(trimmed)
        if arguments.value("format") != nil {
            throw usage("--format does not apply: process-dir reads each file's format from its name (.csv, .tsv, .jsonl, optionally .gz)")
        }
        for output in ["report", "rejects", "results", "html"] where arguments.value(output) != nil {
            throw usage("--\(output) does not apply: process-dir writes each file's report and rejects to --reports DIR")
        }
        var folders: [String: String] = [:]
        for folder in ["done", "failed", "reports"] {
            let path = arguments.value(folder) ?? (inbox == "/" ? "" : inbox) + "/" + folder
            guard !path.isEmpty else { throw usage("--\(folder) needs a folder path") }
            // Files moved or written into INBOX itself would be loaded again by the next run.
            if PathIdentity.same(path, given) { throw usage("--\(folder) must not be INBOX itself") }
            folders[folder] = path
        }
        var settings = InboxSettings(inbox: inbox, done: folders["done"]!, failed: folders["failed"]!, reports: folders["reports"]!)
        if let work = arguments.value("work") {
            guard !work.isEmpty else { throw usage("--work needs a folder path") }
            if PathIdentity.same(work, given) { throw usage("--work must not be INBOX itself") }
            settings.work = work
        }
        if let age = arguments.value("min-age") {
            guard let parsed = Double(age), parsed.isFinite, parsed >= 0 else {
                throw usage("--min-age must be a number of seconds, 0 or more (got '\(age)')")
            }
            settings.minimumAge = parsed
        }
        // process's row options, checked the way process checks them (no --format: each name says it).
        settings.load = try LoadOptions(arguments, command: "process-dir", allowsFormat: false)
        if let error = settings.load.input.defaultEntityError { throw UsageError(message: error, command: "process-dir") }
        settings.load.dryRun = arguments.flag("dry-run")
        settings.load.atomic = arguments.flag("atomic")
        try StoreAccess.validate(arguments, command: "process-dir")
        return settings
    }
}
