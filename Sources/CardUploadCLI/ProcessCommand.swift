import CardUploadLoad
import CardUploadModel
import CardUploadReport

/// `card-upload process FILE...`: load upload files into the store.
struct ProcessCommand {
    static let options: [String: OptionKind] = [
        "db": .value, "quiet": .flag, "format": .value, "delimiter": .value, "encoding": .value,
        "entity": .value, "report": .value, "rejects": .value, "results": .value, "html": .value,
        "dry-run": .flag, "atomic": .flag, "partial": .flag, "on-conflict": .value, "batch-size": .value, "cache-size": .value,
        "max-rows": .value, "max-bytes": .value,
    ]

    let arguments: ParsedArguments
    let console: Console

    init(_ words: ArraySlice<String>, console: Console) throws(UsageError) {
        self.arguments = try ParsedArguments(words, known: Self.options, command: "process")
        self.console = console
    }

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
        try checkOutputs(options.outputs, files: files)
        if files.filter({ $0 == "-" }).count > 1 { throw usage("standard input (-) can be read only once") }
        try StoreAccess.validate(arguments, command: "process")
        return options
    }

    /// Outputs take one FILE, and none may be an input, the card store, or another output (SPEC §6).
    private func checkOutputs(_ outputs: OutputPaths, files: [String]) throws(UsageError) {
        func usage(_ message: String) -> UsageError { UsageError(message: message, command: "process") }
        let named = outputs.named
        if files.count > 1, let first = named.first {
            throw usage("--\(first.option) takes one FILE; with several files use process-dir --reports DIR")
        }
        let database = StoreAccess.path(arguments)
        for (index, output) in named.enumerated() {
            guard !output.path.isEmpty else { throw usage("--\(output.option) needs a path") }
            if output.path == "-" {
                if output.option != "report" { throw usage("--\(output.option) needs a file path; only --report may be -") }
                continue
            }
            if let input = files.first(where: { $0 != "-" && PathIdentity.same($0, output.path) }) {
                throw usage("--\(output.option) \(output.path) is the input file \(input); choose another path")
            }
            if StoreAccess.isStoreFile(output.path, database: database) {
                throw usage("--\(output.option) \(output.path) is the card store \(database); choose another path")
            }
            if let other = named[..<index].first(where: { PathIdentity.same($0.path, output.path) }) {
                throw usage("--\(output.option) and --\(other.option) name the same file \(output.path)")
            }
        }
    }

    func run() throws -> ExitCode {
        if arguments.wantsHelp {
            console.out(Help.text(for: "process"))
            return .success
        }
        var options = try validate()
        options.summarizesRejections = !quiet
        let stop = StopSignal.install()
        var exit = ExitCode.success
        let store = LoadStore(path: StoreAccess.path(arguments), dryRun: options.dryRun, cacheMiB: options.cacheMiB)
        defer { store.discard() }
        for file in arguments.positionals {
            let result = UploadJob(
                file: file, options: options, store: store, stop: stop,
                progress: ProgressLine.make(file: file, quiet: quiet)
            ).run()
            let code = ExitCode.of(.upload(result))
            printSummary(result)
            printHints(result)
            exit = exit.combined(with: code)
            if [.ioError, .temporaryFailure, .interrupted, .terminated].contains(code) { break }
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
            } else {
                console.err("\(name): Error: \(TerminalText.safe(describeFailure(failure)))\n")
            }
            return
        }
        if let fileError = result.fileError {
            console.err("\(name): failed: \(TerminalText.safe(describeFailure(fileError)))\n")
        }
        guard !quiet, let status = result.status, let uploadID = result.uploadID else { return }
        let counts = result.counts
        let note = result.dryRun ? "dry run: nothing recorded" : result.committed ? nil
            : result.allOrNothingByDefault ? "a Lead card file loads all or nothing: nothing committed; fix the rejected rows, or load the valid ones with --partial"
            : "atomic: nothing committed"
        console.err(
            "\(name): \(counts.rows) rows: \(counts.created) created, \(counts.replayed) replayed, "
                + "\(counts.updated) updated, \(counts.rejected) rejected — \(status.rawValue)\(note.map { " (\($0))" } ?? ""), "
                + "upload \(uploadID)\n")
        guard counts.rejected > 0, !result.rejections.isEmpty else { return }
        let width = max(4, result.rejections.map(\.code.count).max() ?? 4)
        console.err("  " + "code".padding(toLength: width, withPad: " ", startingAt: 0) + "   rows  first line\n")
        for entry in result.rejections {
            let rows = String(entry.rows)
            console.err(
                "  " + entry.code.padding(toLength: width, withPad: " ", startingAt: 0) + " "
                    + String(repeating: " ", count: max(0, 6 - rows.count)) + rows + "  \(entry.firstLine)\n")
        }
    }
}
