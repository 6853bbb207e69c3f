import CardUploadModel
import CardUploadRules
import CardUploadStore

/// `card-upload process FILE...`: load upload files into the store.
struct ProcessCommand {
    static let options: [String: OptionKind] = [
        "db": .value, "quiet": .flag, "format": .value, "delimiter": .value, "encoding": .value,
        "entity": .value, "report": .value, "rejects": .value, "results": .value, "html": .value,
        "dry-run": .flag, "atomic": .flag, "on-conflict": .value, "batch-size": .value,
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
        options.outputs = OutputPaths(
            report: arguments.value("report"), rejects: arguments.value("rejects"),
            results: arguments.value("results"), html: arguments.value("html"))
        try checkOutputs(options.outputs, files: files)
        if files.filter({ $0 == "-" }).count > 1 { throw usage("standard input (-) can be read only once") }
        options.quiet = arguments.flag("quiet")
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
            if ["", "-wal", "-shm", "-journal", "-uploads.lock"].contains(where: { PathIdentity.same(database + $0, output.path) }) {
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
        let options = try validate()
        let databasePath = StoreAccess.path(arguments)
        StopSignal.install()
        var exit = ExitCode.success
        let dryRun = options.dryRun ? DryRunStore(path: databasePath) : nil
        defer { dryRun?.discard() }
        for file in arguments.positionals {
            let runner = UploadRunner(file: file, databasePath: databasePath, options: options, console: console)
            runner.dryRunDatabase = try dryRun?.database()
            let code = runner.run()
            exit = exit.combined(with: code)
            if [.ioError, .temporaryFailure, .interrupted, .terminated].contains(code) { break }
        }
        return exit
    }
}

/// The settings of one load.
struct LoadOptions {
    var format: InputFormat?
    var delimiter: UInt8?
    var encoding: TextEncoding = .utf8
    var encodingGiven = false
    var defaultEntity: String?
    var conflictPolicy: ConflictPolicy = .reject
    var batchSize = 100_000
    /// A batch also closes after this much work, so a concurrent run never waits long.
    var batchSeconds = 5.0
    var outputs = OutputPaths()
    /// `--dry-run`: every check, the file in one transaction that is rolled back; nothing recorded.
    var dryRun = false
    /// `--atomic`: the file in one transaction, committed only when no row is rejected.
    var atomic = false

    /// Whether the file is loaded in one transaction rather than in batches.
    var wholeFile: Bool { dryRun || atomic }
    var quiet = false
}

/// Where `process` writes its outputs; nil when not asked for.
struct OutputPaths {
    var report: String?
    var rejects: String?
    var results: String?
    var html: String?

    /// The outputs asked for, with their option names.
    var named: [(option: String, path: String)] {
        [("report", report), ("rejects", rejects), ("results", results), ("html", html)]
            .compactMap { entry in entry.1.map { (option: entry.0, path: $0) } }
    }
}
