import CardUploadModel
import CardUploadRules

/// `card-upload reconcile FILE`: compare a file with the store, change nothing (SPEC §7).
enum ReconcileCommand {
    static let options: [String: OptionKind] = [
        "db": .value, "quiet": .flag, "format": .value, "delimiter": .value, "encoding": .value,
        "entity": .value, "extra": .flag, "report": .value,
    ]

    static func run(_ words: ArraySlice<String>, console: Console) throws -> ExitCode {
        let arguments = try ParsedArguments(words, known: options, command: "reconcile")
        if arguments.wantsHelp {
            console.out(Help.text(for: "reconcile"))
            return .success
        }
        let settings = try validate(arguments)
        StopSignal.install()
        return try ReconcileRunner(options: settings, console: console).run()
    }

    /// Checks the options and builds the run's settings: `process`'s input options, `--extra` and `--report`.
    static func validate(_ arguments: ParsedArguments) throws(UsageError) -> ReconcileOptions {
        func usage(_ message: String) -> UsageError { UsageError(message: message, command: "reconcile") }
        let files = arguments.positionals
        guard let file = files.first else { throw usage("missing FILE (use - for standard input)") }
        guard files.count == 1 else { throw usage("reconcile takes one FILE (got \(files.count))") }
        try StoreAccess.validate(arguments, command: "reconcile")
        var options = ReconcileOptions(file: file, databasePath: StoreAccess.path(arguments))
        let input = try InputOptions(arguments, command: "reconcile")
        options.format = input.format
        options.delimiter = input.delimiter
        options.encoding = input.encoding
        options.encodingGiven = input.encodingGiven
        options.defaultEntity = input.defaultEntity
        if let report = arguments.value("report") {
            guard !report.isEmpty else { throw usage("--report needs a path") }
            if report != "-" {
                if file != "-", PathIdentity.same(file, report) {
                    throw usage("--report \(report) is the input file; choose another path")
                }
                let database = options.databasePath
                if ["", "-wal", "-shm", "-journal", "-uploads.lock"].contains(where: { PathIdentity.same(database + $0, report) }) {
                    throw usage("--report \(report) is the card store \(database); choose another path")
                }
            }
            options.reportPath = report
        }
        options.listsExtra = arguments.flag("extra")
        options.quiet = arguments.flag("quiet")
        return options
    }
}

/// The settings of one reconcile run.
struct ReconcileOptions {
    var file: String
    var databasePath: String
    var format: InputFormat?
    var delimiter: UInt8?
    var encoding: TextEncoding = .utf8
    var encodingGiven = false
    var defaultEntity: String?
    /// `--extra`: also list the cards of the file's entities that the file does not mention.
    var listsExtra = false
    var reportPath: String?
    var quiet = false
}
