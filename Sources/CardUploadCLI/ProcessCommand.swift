import CardUploadLoad
import CardUploadModel
import CardUploadReport

/// `card-upload process FILE...`: load upload files into the store.
struct ProcessCommand {
    let arguments: ParsedArguments
    let console: Console

    /// Checks the options and builds the load settings.
    func validate() throws(UsageError) -> LoadOptions {
        func usage(_ message: String) -> UsageError { UsageError(message: message, command: "process") }
        let files = arguments.positionals
        guard !files.isEmpty else { throw usage("missing FILE (use - for standard input)") }
        var options = try LoadOptions(arguments, command: "process")
        options.dryRun = arguments.flag("dry-run")
        options.atomic = arguments.flag("atomic")
        options.outputs.report = arguments.value("report")
        options.outputs.rejects = arguments.value("rejects")
        options.outputs.results = arguments.value("results")
        options.outputs.html = arguments.value("html")
        options.reportRows = try RetentionOptions.reportRows(arguments, command: "process")
        if let problem = options.outputs.problem(files: files, database: StoreAccess.path(arguments), metrics: arguments.value("metrics")) {
            throw usage(problem)
        }
        if files.filter({ $0 == "-" }).count > 1 { throw usage("standard input (-) can be read only once") }
        try StoreAccess.validate(arguments, command: "process")
        return options
    }

    func run() throws -> ExitCode {
        var options = try validate()
        options.summarizesRejections = !quiet
        let stop = StopSignal.install()
        let started = ContinuousClock.now
        // Opened before anything is loaded: a metrics file that cannot be created is 73 with nothing done.
        let metricsOutput = try arguments.value("metrics").map { path throws(OutputError) in try RunMetrics.open(path) }
        var exit = ExitCode.success
        let store = LoadStore(path: StoreAccess.path(arguments), dryRun: options.dryRun, cacheMiB: options.cacheMiB)
        defer { store.discard() }
        var results: [UploadResult] = []
        for file in arguments.positionals {
            let announced = store.created
            let result = UploadJob(
                file: file, options: options, store: store, stop: stop,
                progress: ProgressLine.make(file: file, quiet: quiet)
            ).run()
            let code = ExitCode.of(.upload(result))
            if store.created, !announced, !quiet {
                console.err("created the card store \(TerminalText.safe(store.path))\n")
            }
            if let upgrade = result.storeUpgrade, !quiet { console.err(TerminalText.safe(upgrade.text(store: store.path)) + "\n") }
            printSummary(result)
            printHints(result)
            results.append(result)
            exit = exit.combined(with: code)
            if [.ioError, .temporaryFailure, .interrupted, .terminated].contains(code) { break }
        }
        if let metricsOutput {
            exit = Monitoring.write(metricsOutput, exit: exit, started: started, console: console) { metrics in
                for result in results { metrics.add(result) }
            }
        }
        return exit
    }

    private var quiet: Bool { arguments.flag("quiet") }

    /// What to fix, one line per hint after the summary (SPEC §10); none with `--quiet`.
    private func printHints(_ result: UploadResult) {
        guard !quiet else { return }
        let name = TerminalText.safe(result.file == "-" ? "standard input" : result.file)
        for hint in result.hints.texts { console.err("\(name): hint: \(TerminalText.safe(hint))\n") }
    }

    /// The file's summary on stderr: what went wrong, the counts and status, and the rejections by code.
    private func printSummary(_ result: UploadResult) {
        let name = TerminalText.safe(result.file == "-" ? "standard input" : result.file)
        let store = StoreAccess.path(arguments)
        for note in result.notes { console.err("\(name): note: \(note)\n") }
        if let waiting = result.stoppedWhileWaiting {
            console.err("\(name): stopped while waiting: \(TerminalText.safe(waiting))\n")
        }
        if let failure = result.failure {
            if result.stopReason != nil {
                // Stopped while waiting (for the store's lock, say) before anything of the file was loaded.
                console.err("\(name): stopped before loading: \(TerminalText.safe(describeFailure(failure)))\n")
            } else if let usage = failure as? OptionConflictError {
                CardUploadCLI.printUsage(UsageError(message: usage.message, command: "process"), console: console)
            } else if isStoreError(failure) {
                // The store failed, not the file: the message names the store.
                console.err("Error: \(TerminalText.safe(describeStoreError(failure, store: store))) (loading \(name))\n")
            } else if failureNamesInput(failure) {
                // The message names the file already ("cannot open FILE: reason").
                console.err("Error: \(TerminalText.safe(describeFailure(failure)))\n")
            } else {
                console.err("\(name): Error: \(TerminalText.safe(describeFailure(failure)))\n")
            }
            return
        }
        if let fileError = result.fileError {
            console.err("\(name): failed: \(TerminalText.safe(describeFailure(fileError)))\n")
        }
        guard !quiet, let summary = UploadSummary.text(result, file: name, store: store) else { return }
        console.err(summary)
    }
}
