import CardUploadLoad
import CardUploadReport

/// `card-upload reconcile FILE`: compare a file with the store, change nothing (SPEC §7).
enum ReconcileCommand {
    static func run(_ arguments: ParsedArguments, console: Console) throws -> ExitCode {
        let settings = try validate(arguments)
        let stop = StopSignal.install()
        let quiet = arguments.flag("quiet")
        let job = ReconcileJob(
            options: settings, store: LoadStore(path: StoreAccess.path(arguments), dryRun: false), stop: stop,
            progress: ProgressLine.make(file: settings.file, quiet: quiet))
        let summary = job.run()
        if let failure = summary.failure {
            if let conflict = failure as? OptionConflictError {
                throw UsageError(message: conflict.message, command: "reconcile")
            }
            throw failure
        }
        if summary.stopReason == nil {
            printSummary(summary, settings: settings, store: StoreAccess.path(arguments), quiet: quiet, console: console)
        }
        return .of(.reconcile(summary))
    }

    /// Checks the options and builds the run's settings: `process`'s input options, `--extra` and `--report`.
    static func validate(_ arguments: ParsedArguments) throws(UsageError) -> ReconcileOptions {
        func usage(_ message: String) -> UsageError { UsageError(message: message, command: "reconcile") }
        let files = arguments.positionals
        guard let file = files.first else { throw usage("missing FILE (use - for standard input)") }
        guard files.count == 1 else { throw usage("reconcile takes one FILE (got \(files.count))") }
        try StoreAccess.validate(arguments, command: "reconcile")
        var options = ReconcileOptions(file: file)
        options.input = try InputOptions.parse(arguments, command: "reconcile")
        if let report = arguments.value("report") {
            guard !report.isEmpty else { throw usage("--report needs a path") }
            if report != "-" {
                if file != "-", PathIdentity.same(file, report) {
                    throw usage("--report \(report) is the input file; choose another path")
                }
                let database = StoreAccess.path(arguments)
                if OutputPaths.isStoreFile(report, database: database) {
                    throw usage("--report \(report) is the card store \(database); choose another path")
                }
            }
            options.reportPath = report
        }
        options.listsExtra = arguments.flag("extra")
        return options
    }

    /// The comparison's summary on stderr: the counts, the verdict, and the first line of each difference.
    private static func printSummary(
        _ summary: ReconcileSummary, settings: ReconcileOptions, store: String, quiet: Bool, console: Console
    ) {
        let name = TerminalText.safe(settings.file == "-" ? "standard input" : settings.file)
        if let fileError = summary.fileError {
            console.err("\(name): failed: \(TerminalText.safe(describeFailure(fileError)))\n")
        }
        guard !quiet else { return }
        console.err(summary.text(file: name, store: TerminalText.safe(store), listsExtra: settings.listsExtra))
    }
}
