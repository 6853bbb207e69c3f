import CardUploadModel
import CardUploadStore

/// Which rows a JSON report lists (`--report-rows`, SPEC §10); the counts are always complete.
package enum ReportRows: String, Sendable, CaseIterable {
    /// One entry per data record (the default).
    case all
    /// Only the rejected rows.
    case rejected
    /// No rows: the summary alone.
    case none
}

/// Writes the JSON report of an upload (SPEC §6), rebuilt from the store's tables and streamed row by row,
/// so the report written at load time and `uploads show` are the same document.
package enum ReportWriter {
    /// Writes the report of upload `uploadID` to `output`, listing the rows `rows` asks for. The report
    /// says which in `rows_included`: `rows`'s value, or `pruned` for an upload whose rows `uploads prune`
    /// deleted (it then lists none). `hints` (SPEC §10) are the ones `UploadLog.finish` stored with the
    /// upload: always listed, `[]` when there are none, so the load's report and `uploads show` agree.
    package static func write(uploadID: String, log: UploadLog, rows: ReportRows = .all, to output: OutputFile) throws {
        // One read transaction: the counts and the rows come from the same snapshot of the store.
        try log.readSnapshot { try writeReport(uploadID: uploadID, log: log, rows: rows, to: output) }
    }

    private static func writeReport(uploadID: String, log: UploadLog, rows: ReportRows, to output: OutputFile) throws {
        guard let upload = try log.upload(id: uploadID) else { return }
        let pruned = upload.rowsPrunedAt != nil
        let byCode = try log.rejectionsByCode(uploadID: uploadID)
        var head = "{"
        head += "\"upload_id\":\(JSONString.quoted(upload.id)),"
        head += "\"file\":\(JSONString.quoted(upload.file)),"
        head += "\"format\":\(JSONString.quotedOrNull(upload.format)),"
        head += "\"delimiter\":\(JSONString.quotedOrNull(upload.delimiter)),"
        head += "\"encoding\":\(JSONString.quotedOrNull(upload.encoding)),"
        head += "\"compression\":\(JSONString.quotedOrNull(upload.compression)),"
        head += "\"bytes\":\(upload.bytes),"
        head += "\"started_at\":\(JSONString.quoted(upload.startedAt)),"
        head += "\"finished_at\":\(JSONString.quotedOrNull(upload.finishedAt)),"
        head += "\"status\":\(JSONString.quoted(upload.status.rawValue)),"
        head += "\"committed\":\(upload.committed),"
        head += "\"dry_run\":\(upload.dryRun),"
        let counts = upload.counts
        head += "\"counts\":{\"rows\":\(counts.rows),\"created\":\(counts.created),\"replayed\":\(counts.replayed),"
        head += "\"updated\":\(counts.updated),\"rejected\":\(counts.rejected)},"
        head += "\"rejected_by_code\":{"
        head += byCode.map { "\(JSONString.quoted($0.code)):\($0.rows)" }.joined(separator: ",")
        head += "},"
        head += "\"error\":\(errorJSON(upload.error)),"
        head += "\"hints\":[\(upload.hints.map(JSONString.quoted).joined(separator: ","))],"
        head += "\"rows_included\":\"\(pruned ? "pruned" : rows.rawValue)\","
        head += "\"rows\":["
        try output.write(head)
        guard !pruned, rows != .none else {
            try output.write("]}\n")
            return
        }
        var first = true
        try log.forEachRow(uploadID: uploadID, rejectedOnly: rows == .rejected) { row in
            var line = first ? "\n" : ",\n"
            first = false
            line += "{\"line\":\(row.line),\"external_id\":\(JSONString.quotedOrNull(row.externalID)),"
            line += "\"outcome\":\"\(row.outcome.rawValue)\",\"card_id\":\(JSONString.quotedOrNull(row.cardID)),"
            line += "\"errors\":\(row.errors.json)}"
            try output.write(line)
        }
        try output.write("]}\n")
    }

    /// A file-level error as the report's `error` object, or `null`.
    package static func errorJSON(_ error: FileError?) -> String {
        guard let error else { return "null" }
        return "{\"code\":\"\(error.code.rawValue)\",\"message\":\(JSONString.quoted(error.message)),"
            + "\"line\":\(error.line.map(String.init) ?? "null"),\"offset\":\(error.offset.map(String.init) ?? "null")}"
    }
}
