import CardUploadModel
import Foundation

/// What `reconcile` found for one row (SPEC §7).
package enum ReconcileResult: Sendable {
    /// The stored card has the row's body.
    case match(cardID: String)
    /// No card has the row's key.
    case missing
    /// The stored card differs in `fields` (`account_id`, `type`, `details.last_four`, `details.replacement_for`, `metadata`).
    case differs(cardID: String, fields: [String])
    /// The row fails the card rules or could not be read.
    case invalid([RowError])

    /// The word the report and the summary use.
    package var name: String {
        switch self {
        case .match: "match"
        case .missing: "missing"
        case .differs: "differs"
        case .invalid: "invalid"
        }
    }
}

/// One row's entry in the reconcile report: external_id and entity_id as given (card numbers masked), nil when absent.
package struct ReconcileRow: Sendable {
    package var line: Int
    package var externalID: String?
    package var entityID: String?
    package var result: ReconcileResult

    package init(line: Int, externalID: String?, entityID: String?, result: ReconcileResult) {
        self.line = line
        self.externalID = externalID
        self.entityID = entityID
        self.result = result
    }
}

/// The counts of a reconcile run; `extra` stays 0 without `--extra`.
package struct ReconcileCounts: Sendable, Equatable {
    package var match = 0
    package var missing = 0
    package var differs = 0
    package var invalid = 0
    package var extra = 0

    package init() {}

    /// Every row read.
    package var rows: Int { match + missing + differs + invalid }

    /// Counts `result`.
    package mutating func add(_ result: ReconcileResult) {
        switch result {
        case .match: match += 1
        case .missing: missing += 1
        case .differs: differs += 1
        case .invalid: invalid += 1
        }
    }
}

/// Writes the JSON report of `reconcile` (SPEC §7; `schemas/reconcile-report.schema.json` says it exactly).
///
/// Nothing of a reconcile run is stored, so the rows cannot be read back at the end like `process`'s; and the
/// counts, which come first in the document, are known only at the end. The rows and extra cards are therefore
/// streamed to an unlinked spool file (owner-only, in the temporary folder) and copied after the counts by
/// `finish`: memory stays one 64 KiB buffer whatever the file's size. Each row is one line of the document.
package final class ReconcileReportWriter {
    private let output: OutputFile
    private let spool: Int32
    private var buffer: [UInt8] = []
    private var rowsWritten = 0
    private var extrasWritten = 0
    private var inExtras = false

    /// Opens the spool file for `output` (already opened by the caller); the spool is unlinked at once, so a
    /// crash leaves nothing behind.
    package init(output: OutputFile) throws(OutputError) {
        self.output = output
        var template = Array((FileManager.default.temporaryDirectory.path + "/.card-upload-reconcile.XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw OutputError(path: output.path, reason: "cannot create a spool file: \(SystemCall.errorText(errno))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        spool = descriptor
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        close(spool)
    }

    /// Appends one row's entry.
    package func write(_ row: ReconcileRow) throws(OutputError) {
        var text = rowsWritten == 0 ? "\n" : ",\n"
        rowsWritten += 1
        text += "{\"line\":\(row.line),\"external_id\":\(JSONString.quotedOrNull(row.externalID)),"
        text += "\"entity_id\":\(JSONString.quotedOrNull(row.entityID)),\"result\":\"\(row.result.name)\""
        switch row.result {
        case .match(let cardID):
            text += ",\"card_id\":\(JSONString.quoted(cardID))"
        case .missing:
            break
        case .differs(let cardID, let fields):
            text += ",\"card_id\":\(JSONString.quoted(cardID)),\"fields\":["
            text += fields.map(JSONString.quoted).joined(separator: ",") + "]"
        case .invalid(let errors):
            text += ",\"errors\":\(errors.json)"
        }
        try spooled(text + "}")
    }

    /// Appends one card of the file's entities that the file does not mention. Call after the last row.
    package func writeExtra(cardID: String, externalID: String, entityID: String) throws(OutputError) {
        if !inExtras {
            inExtras = true
            try spooled("],\"extra\":[")
        }
        let text = (extrasWritten == 0 ? "\n" : ",\n")
            + "{\"card_id\":\(JSONString.quoted(cardID)),\"external_id\":\(JSONString.quoted(externalID)),"
            + "\"entity_id\":\(JSONString.quoted(entityID))}"
        extrasWritten += 1
        try spooled(text)
    }

    /// Writes the counts and the file-level error, then the spooled rows and extra cards, and commits the output.
    package func finish(counts: ReconcileCounts, error: FileError?) throws(OutputError) {
        if !inExtras {
            inExtras = true
            try spooled("],\"extra\":[")
        }
        try spooled("]}\n")
        try flushSpool()

        var head = "{\"counts\":{\"match\":\(counts.match),\"missing\":\(counts.missing),\"differs\":\(counts.differs),"
        head += "\"invalid\":\(counts.invalid),\"extra\":\(counts.extra)},"
        head += "\"error\":\(ReportWriter.errorJSON(error)),\"rows\":["
        try output.write(head)
        guard lseek(spool, 0, SEEK_SET) == 0 else { throw spoolError() }
        // Copied up to the last line break read so far, so a chunk never ends inside a UTF-8 sequence.
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { SystemCall.readRetrying(spool, $0) }
            guard count >= 0 else { throw spoolError() }
            if count == 0 { break }
            pending.append(contentsOf: chunk[..<count])
            if let lastBreak = pending.lastIndex(of: 0x0A) {
                try output.write(String(decoding: pending[...lastBreak], as: UTF8.self))
                pending.removeSubrange(...lastBreak)
            }
        }
        if !pending.isEmpty { try output.write(String(decoding: pending, as: UTF8.self)) }
        try output.commit()
    }

    private func spooled(_ text: String) throws(OutputError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flushSpool() }
    }

    private func flushSpool() throws(OutputError) {
        if let code = SystemCall.writeAll(spool, buffer) { throw spoolError(code) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func spoolError(_ code: Int32 = errno) -> OutputError {
        OutputError(path: output.path, reason: "spool file: \(SystemCall.errorText(code))")
    }
}
