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
        if let format = arguments.value("format") {
            guard let parsed = InputFormat(rawValue: format) else {
                throw usage("--format must be csv, tsv or jsonl (got '\(format)')")
            }
            options.format = parsed
        }
        if let delimiter = arguments.value("delimiter") {
            let name = delimiter == "\\t" || delimiter == "tab" ? "\t" : delimiter
            guard name.utf8.count == 1, let byte = name.utf8.first, byte != UInt8(ascii: "\""),
                  byte != 0x0A, byte != 0x0D, byte != 0 else {
                throw usage("--delimiter must be one ASCII character other than a quote or a line break (got '\(delimiter)')")
            }
            options.delimiter = byte
        }
        if let encoding = arguments.value("encoding") {
            guard let parsed = TextEncoding(rawValue: encoding.lowercased()) else {
                throw usage("--encoding must be utf-8, latin1 or cp1252 (got '\(encoding)')")
            }
            options.encoding = parsed
            options.encodingGiven = true
            if options.format == .jsonl { throw usage("--encoding applies to CSV and TSV only, not JSON lines") }
        }
        if let entity = arguments.value("entity") {
            if let error = CardRules.entityIDError(entity) { throw usage("--entity: \(error.message)") }
            options.defaultEntity = entity
        }
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
