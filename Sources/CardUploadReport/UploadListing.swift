import CardUploadModel
import CardUploadStore

/// `uploads list` (SPEC §1, §10): past uploads as JSON lines, a tab-separated table, or — on a terminal —
/// a table aligned for a person, its numbers with thousands separators; the `committed` column says whether
/// the upload's rows are in the store.
package enum UploadListing {
    private static let columns = [
        "upload_id", "file", "started_at", "status", "committed", "rows", "created", "replayed", "updated", "rejected",
    ]
    /// Where the numbers start (right-aligned on a terminal).
    private static let firstNumber = 5

    /// The text fields of an upload and its numbers (the `committed` column says `yes` or `no`).
    private static func fields(_ upload: UploadRecord) -> (text: [String], numbers: [Int]) {
        let counts = upload.counts
        return ([upload.id, upload.file, upload.startedAt, upload.status.rawValue, upload.committed ? "yes" : "no"],
                [counts.rows, counts.created, counts.replayed, counts.updated, counts.rejected])
    }

    /// One upload as a JSON object on one line (`committed` a boolean).
    package static func json(_ upload: UploadRecord) -> String {
        let (text, numbers) = fields(upload)
        let values = text.prefix(4).map(JSONString.quoted) + [upload.committed ? "true" : "false"] + numbers.map(String.init)
        return "{" + zip(columns, values).map { "\"\($0)\":\($1)" }.joined(separator: ",") + "}"
    }

    /// The uploads as a table with a header: `aligned` for a terminal, else tab-separated with plain numbers.
    package static func table(_ uploads: [UploadRecord], aligned: Bool) -> String {
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
