import CardUploadLoad
import CardUploadModel
import CardUploadReport
import CardUploadStore
import Foundation

/// `card-upload uploads list|show|prune`.
enum UploadsCommand {
    /// Runs `uploads SUB` with its parsed arguments.
    static func run(_ sub: String, _ arguments: ParsedArguments, console: Console) throws -> ExitCode {
        let command = "uploads \(sub)"
        switch sub {
        case "list":
            try arguments.expectNoPositionals(command: command)
            var limit: Int?
            if let text = arguments.value("limit") {
                guard let parsed = Int(text), parsed >= 0 else {
                    throw UsageError(message: "--limit must be a whole number (got '\(text)')", command: command)
                }
                limit = parsed
            }
            let log = UploadLog(database: try StoreOpening.openReadOnly(StoreAccess.path(arguments)))
            let uploads = try log.uploads(limit: limit)
            let stdout = StandardOutput()
            try stdout.stream { emit in
                if arguments.flag("json") {
                    for upload in uploads { try emit(UploadListing.json(upload) + "\n") }
                } else {
                    try emit(UploadListing.table(uploads, aligned: isatty(STDOUT_FILENO) == 1))
                }
            }
            return .success
        case "show":
            let id = try arguments.single("UPLOAD_ID", command: command)
            let rows = try RetentionOptions.reportRows(arguments, command: command)
            let log = UploadLog(database: try StoreOpening.openReadOnly(StoreAccess.path(arguments)))
            guard try log.upload(id: id) != nil else {
                throw NotFoundError(what: id)
            }
            signal(SIGPIPE, SIG_IGN)
            let output = try OutputFile(path: "-")
            do {
                try ReportWriter.write(uploadID: id, log: log, rows: rows, to: output)
                try output.commit()
            } catch let error as OutputError where error.isBrokenPipe {
                // `| head`: the reader had enough.
            }
            return .success
        case "prune":
            try arguments.expectNoPositionals(command: command)
            try StoreAccess.validate(arguments, command: command)
            let options = try RetentionOptions.pruneOptions(arguments, command: command)
            let result = try PruneJob(options: options, storePath: StoreAccess.path(arguments), stop: StopSignal.install()).run()
            if !arguments.flag("quiet") { console.err(result.summary + "\n") }
            return .success
        default:
            throw UsageError(message: "unknown subcommand '\(sub)'", command: "uploads")
        }
    }
}
