import CardUploadParsing
import CardUploadStore

/// `cards list --format csv` (SPEC §8): the cards as an upload file — the upload columns, one `metadata.<key>`
/// column per key any listed card has, then the system fields as `_` annotation columns — so an export loads
/// into another store as it is.
///
/// Streamed in two passes over one snapshot: the metadata keys first (memory holds only their set), then
/// the cards, one line each. Every cell copied from the store goes through `SpreadsheetCSV` with the protection
/// of a rejects file (`.conversions`): its `'` before a value a spreadsheet would change (`0042`, `=x`, `TRUE`)
/// is what our reader takes off again in a file with `_` columns, so values round-trip byte for byte.
package enum CardCSVExport {
    /// The upload columns before the metadata.
    static let uploadColumns = [
        "external_id", "account_id", "entity_id", "type", "details.last_four", "details.replacement_for",
    ]
    /// The system fields after the metadata, as annotation columns the reader ignores.
    static let annotationColumns = ["_id", "_status", "_status_reason", "_replaced_by", "_created_at", "_updated_at"]

    private static let comma = UInt8(ascii: ",")

    /// A stored card that does not read back as an export row (its metadata is not an object of strings, or
    /// has a key the first pass did not see): a bug, never a reason to drop a value silently.
    package struct InconsistentCard: Error, CustomStringConvertible {
        package var cardID: String?
        package var reason: String
        package var description: String { "cannot export \(cardID.map { "card " + $0 } ?? "a card"): \(reason)" }
    }

    /// Writes the header and one line per card matching `filter` through `emit`.
    package static func write(
        from reader: CardExportReader, matching filter: CardStore.ListFilter, emit: (String) throws -> Void
    ) throws {
        try reader.readSnapshot {
            let keys = try metadataKeys(from: reader, matching: filter)
            try emit(header(metadataKeys: keys))
            var columnOfKey: [[UInt8]: Int] = [:]
            for (column, key) in keys.enumerated() { columnOfKey[key] = column }
            try reader.forEachCard(matching: filter) { card in
                try emit(try line(for: card, columnOfKey: columnOfKey))
            }
        }
    }

    /// The distinct metadata keys of the listed cards, as UTF-8 bytes (keys differ byte for byte, not by
    /// Swift's canonical equivalence: `é` and `e` + U+0301 are two keys), sorted byte for byte.
    static func metadataKeys(from reader: CardExportReader, matching filter: CardStore.ListFilter) throws -> [[UInt8]] {
        var keys: Set<[UInt8]> = []
        try reader.forEachMetadataJSON(matching: filter) { json in
            guard case .object(let members) = try JSONDocumentParser.parse(json) else {
                throw InconsistentCard(cardID: nil, reason: "stored metadata is not a JSON object")
            }
            for member in members { keys.insert(Array(member.key.utf8)) }
        }
        return keys.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// The header line: upload columns, `metadata.<key>` columns, annotation columns.
    static func header(metadataKeys: [[UInt8]]) -> String {
        // `SpreadsheetCSV.cell` quotes a key holding another delimiter candidate (`;` `|` tab) too: the reader
        // sniffs the delimiter from the header outside quotes, so such a key cannot make it pick the wrong one.
        let metadataColumns = metadataKeys.map {
            SpreadsheetCSV.cell("metadata." + String(decoding: $0, as: UTF8.self), delimiter: comma, protection: .formulas)
        }
        return (uploadColumns + metadataColumns + annotationColumns).joined(separator: ",") + "\n"
    }

    /// One card as a CSV line, its metadata values under their key's column.
    static func line(for card: Card, columnOfKey: [[UInt8]: Int]) throws -> String {
        var metadata = [String](repeating: "", count: columnOfKey.count)
        var json = card.metadataJSON
        let parsed = try json.withUTF8 { bytes throws(JSONSyntaxError) in try JSONDocumentParser.parse(bytes) }
        guard case .object(let members) = parsed else {
            throw InconsistentCard(cardID: card.id, reason: "stored metadata is not a JSON object")
        }
        for member in members {
            guard let column = columnOfKey[Array(member.key.utf8)] else {
                throw InconsistentCard(cardID: card.id, reason: "a metadata key is missing from the header")
            }
            guard case .string(let value) = member.value else {
                throw InconsistentCard(cardID: card.id, reason: "a metadata value is not a string")
            }
            metadata[column] = value
        }
        var line: [UInt8] = []
        var first = true
        func append(_ value: String) {
            if !first { line.append(comma) }
            first = false
            SpreadsheetCSV.append(value, delimiter: comma, protection: .conversions, to: &line)
        }
        for value in [card.externalID ?? "", card.accountID, card.entityID, card.type, card.lastFour ?? "", card.replacementFor ?? ""] {
            append(value)
        }
        for value in metadata { append(value) }
        for value in [card.id, card.status.rawValue, card.statusReason ?? "", card.replacedBy ?? "", card.createdAt, card.updatedAt] {
            append(value)
        }
        line.append(0x0A)
        return String(decoding: line, as: UTF8.self)
    }
}
