import CardUploadModel

extension CardExportReader {
    /// Streams the Lead records of the cards matching `filter` (updated at or after `updatedSince`, a
    /// normalised instant, when given), oldest first: Lead's 14 columns in `LeadColumn` order, generated_at
    /// nil, each value as stored (normalised) — replaced_by as the replacing card's client_card_id. A card
    /// that lacks a required Lead field (a native card, say) comes as nil.
    package func forEachLeadRecord(
        matching filter: CardStore.ListFilter, updatedSince: String?, _ body: ([String?]?) throws -> Void
    ) throws {
        var extra: [String] = []
        if updatedSince != nil { extra.append("updated_at >= ?") }
        var (whereClause, values) = filter.sql(and: extra)
        if let updatedSince { values.insert(.text(updatedSince), at: 0) }
        let statement = try database.prepare(
            "SELECT external_id, account_id, entity_id, product_name, is_virtual, card_type, created_at, status,"
                + " activated_at, expiry_date, closed_at, closed_reason,"
                + " (SELECT r.external_id FROM cards AS r WHERE r.id = cards.replaced_by)"
                + " FROM cards WHERE \(whereClause) ORDER BY rowid")
        try statement.forEachRow(values) { row in
            var fields: [String?] = (0..<12).map { row.text(Int32($0)) }
            fields[LeadColumn.isVirtual.rawValue] = row.integer(4).map { $0 != 0 ? "true" : "false" }
            fields.append(row.text(12))
            fields.append(nil)
            let required: [LeadColumn] = [
                .clientCardID, .accountID, .entityID, .productName, .isVirtual, .cardType, .createdAt, .cardStatus,
                .activatedAt, .expiryDate,
            ]
            let closed = fields[LeadColumn.cardStatus.rawValue] == CardStatus.closed.rawValue
            let missing = required.contains { fields[$0.rawValue] == nil }
                || (closed && (fields[LeadColumn.closedAt.rawValue] == nil || fields[LeadColumn.closedReason.rawValue] == nil))
            try body(missing ? nil : fields)
        }
    }
}
