import CardUploadModel
import CardUploadStore

/// `cards list --format lead-card` (SPEC §9): the cards as Lead's daily card file — `|`, Lead's 14 columns in
/// their order, values verbatim in their normalised form (Lead's file, not a spreadsheet's: no `'`), so a
/// file loaded and exported again has the same records and the export loads back as all replayed.
package enum LeadCardExport {
    /// Writes the header and one line per card matching `filter` that has every required Lead field;
    /// returns how many matching cards were left out for a missing field.
    package static func write(
        from reader: CardExportReader, matching filter: CardStore.ListFilter, updatedSince: String?,
        generatedAt: String, emit: (String) throws -> Void
    ) throws -> Int {
        var leftOut = 0
        try reader.readSnapshot {
            try emit(LeadColumn.allCases.map(\.name).joined(separator: "|") + "\n")
            try reader.forEachLeadRecord(matching: filter, updatedSince: updatedSince) { record in
                guard var fields = record else {
                    leftOut += 1
                    return
                }
                fields[LeadColumn.generatedAt.rawValue] = generatedAt
                try emit(fields.map { cell($0 ?? "") }.joined(separator: "|") + "\n")
            }
        }
        return leftOut
    }

    /// A value as a pipe-delimited CSV cell: quoted when it holds `|`, a quote or a line break.
    static func cell(_ value: String) -> String {
        let needsQuotes = value.utf8.contains { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { return value }
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        for byte in value.utf8 {
            quoted.append(byte)
            if byte == UInt8(ascii: "\"") { quoted.append(byte) }
        }
        quoted.append(UInt8(ascii: "\""))
        return String(decoding: quoted, as: UTF8.self)
    }
}
