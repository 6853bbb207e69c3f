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
    static func run(_ arguments: ParsedArguments, console: Console) throws -> ExitCode {
        let settings = try checkedSettings(arguments)
        let stop = StopSignal.install()
        let started = ContinuousClock.now
        // Opened before anything is loaded: a metrics file that cannot be created is 73 with nothing done.
        let metricsOutput = try arguments.value("metrics").map { path throws(OutputError) in try RunMetrics.open(path) }
        let store = LoadStore(path: StoreAccess.path(arguments), dryRun: settings.dryRun, cacheMiB: settings.load.cacheMiB)
        defer { store.discard() }
        let log = InboxLog(console: console, minimumAge: settings.minimumAge, store: store, quiet: arguments.flag("quiet"))
        var exit: ExitCode
        var run: InboxResult?
        do throws(InboxError) {
            let result = try InboxRun(settings: settings, store: store, stop: stop, progress: log).run()
            run = result
            exit = ExitCode.of(.inbox(result))
            if let last = result.files.last, result.notReached > 0 {
                log.write(nil, "stopped after \(TerminalText.safe(last.name)) (exit \(ExitCode.of(.inboxFile(last)).rawValue)): "
                    + "\(TerminalFormat.count(result.notReached, "file")) left in INBOX for the next run")
            }
            // --keep-days: what the prune after the files did (a cron log line even with --quiet), or why not.
            if let pruned = result.pruned { log.write(nil, pruned.summary) }
            if let failure = result.pruneFailure { log.write(nil, "prune failed: \(TerminalText.safe(describeFailure(failure)))") }
            if !arguments.flag("quiet") {
                log.write(nil, "\(TerminalFormat.count(result.ready, "file")): \(TerminalFormat.number(result.done)) done, "
                    + "\(TerminalFormat.number(result.failed)) failed, \(TerminalFormat.number(result.left)) left in INBOX, "
                    + "\(TerminalFormat.number(result.waiting)) waiting — exit \(exit.rawValue)")
            }
        } catch {
            log.write(nil, "Error: \(TerminalText.safe(error.message))")
            exit = .of(.error(error))
        }
        if let metricsOutput {
            exit = Monitoring.write(metricsOutput, exit: exit, started: started, console: console) { metrics in
                if let run { metrics.add(run) } else { metrics.files = (done: 0, failed: 0, left: 0) }
            }
        }
        return exit
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
        if arguments.value("format") != nil {
            throw usage("--format does not apply: process-dir reads each file's format from its name (.csv, .tsv, .jsonl, optionally .gz)")
        }
        for output in ["report", "rejects", "results", "html"] where arguments.value(output) != nil {
            throw usage("--\(output) does not apply: process-dir writes each file's report and rejects to --reports DIR")
        }
        var settings: InboxSettings
        do throws(InboxSettingsError) {
            settings = try InboxSettings(
                inbox: given, done: arguments.value("done"), failed: arguments.value("failed"), reports: arguments.value("reports"),
                work: arguments.value("work"), minimumAge: arguments.value("min-age"))
        } catch {
            throw usage(error.message)
        }
        // process's row options, checked the way process checks them (no --format: each name says it).
        settings.load = try LoadOptions(arguments, command: "process-dir", allowsFormat: false)
        if let error = settings.load.input.defaultEntityError { throw UsageError(message: error, command: "process-dir") }
        settings.load.dryRun = arguments.flag("dry-run")
        settings.load.atomic = arguments.flag("atomic")
        settings.load.reportRows = try RetentionOptions.reportRows(arguments, command: "process-dir")
        settings.keepDays = try RetentionOptions.keepDays(arguments, command: "process-dir")
        try StoreAccess.validate(arguments, command: "process-dir")
        if let problem = OutputPaths().problem(files: [], database: StoreAccess.path(arguments), metrics: arguments.value("metrics")) {
            throw UsageError(message: problem, command: "process-dir")
        }
        return settings
    }
}
