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
                    for upload in uploads { try emit(json(upload) + "\n") }
                } else {
                    try emit(table(uploads, aligned: isatty(STDOUT_FILENO) == 1))
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

    private static let columns = [
        "upload_id", "file", "started_at", "status", "committed", "rows", "created", "replayed", "updated", "rejected",
    ]
    /// Where the numbers start (right-aligned, with thousands separators on a terminal).
    private static let firstNumber = 5

    /// The text fields of an upload and its numbers (the `committed` column says `yes` or `no`).
    private static func fields(_ upload: UploadRecord) -> (text: [String], numbers: [Int]) {
        let counts = upload.counts
        return ([upload.id, upload.file, upload.startedAt, upload.status.rawValue, upload.committed ? "yes" : "no"],
                [counts.rows, counts.created, counts.replayed, counts.updated, counts.rejected])
    }

    private static func json(_ upload: UploadRecord) -> String {
        let (text, numbers) = fields(upload)
        let values = text.prefix(4).map(JSONString.quoted) + [upload.committed ? "true" : "false"] + numbers.map(String.init)
        return "{" + zip(columns, values).map { "\"\($0)\":\($1)" }.joined(separator: ",") + "}"
    }

    private static func table(_ uploads: [UploadRecord], aligned: Bool) -> String {
        let rows = [columns] + uploads.map { upload in
            let (text, numbers) = fields(upload)
            return text.map(TerminalText.safe) + numbers.map { aligned ? TerminalFormat.number($0) : String($0) }
        }
        guard aligned else { return rows.map { $0.joined(separator: "\t") + "\n" }.joined() }
        let widths = columns.indices.map { index in rows.map { $0[index].count }.max() ?? 0 }
        return rows.map { row in
            row.indices.map { index in
                index >= firstNumber ? String(repeating: " ", count: widths[index] - row[index].count) + row[index]
                    : row[index].padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ") + "\n"
        }.joined()
    }
}
