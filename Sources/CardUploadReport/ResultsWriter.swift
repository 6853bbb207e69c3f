import CardUploadModel
import CardUploadStore

/// The results file (SPEC §6): CSV `line,external_id,entity_id,outcome,card_id` for every row of an
/// upload, rebuilt from the store and streamed — the mapping from the client's ids to ours.
package enum ResultsWriter {
    package static func write(uploadID: String, log: UploadLog, to output: OutputFile) throws {
        let comma = UInt8(ascii: ",")
        try output.write("line,external_id,entity_id,outcome,card_id\n")
        try log.readSnapshot {
            try log.forEachRow(uploadID: uploadID) { row in
                let cells = [
                    String(row.line), SpreadsheetCSV.cell(row.externalID ?? "", delimiter: comma, protection: .formulas),
                    SpreadsheetCSV.cell(row.entityID ?? "", delimiter: comma, protection: .formulas), row.outcome.rawValue, row.cardID ?? "",
                ]
                try output.write(cells.joined(separator: ",") + "\n")
            }
        }
    }
}
