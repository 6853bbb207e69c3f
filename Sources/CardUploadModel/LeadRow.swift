/// The 14 columns of Lead's card file (SPEC §9), in the order an export writes them.
package enum LeadColumn: Int, Sendable, CaseIterable {
    case clientCardID, accountID, entityID, productName, isVirtual, cardType, createdAt, cardStatus,
         activatedAt, expiryDate, closedAt, closedReason, replacedBy, generatedAt

    /// The column's name in the file, exact and case-sensitive.
    package var name: String {
        switch self {
        case .clientCardID: "client_card_id"
        case .accountID: "account_id"
        case .entityID: "entity_id"
        case .productName: "client_card_product_name"
        case .isVirtual: "is_virtual"
        case .cardType: "card_type"
        case .createdAt: "created_at"
        case .cardStatus: "card_status"
        case .activatedAt: "activated_at"
        case .expiryDate: "expiry_date"
        case .closedAt: "closed_at"
        case .closedReason: "closed_reason"
        case .replacedBy: "replaced_by"
        case .generatedAt: "generated_at"
        }
    }

    /// The column named `name`, byte for byte; nil for any other name.
    package init?(name: String) {
        guard let column = Self.allCases.first(where: { $0.name.utf8.elementsEqual(name.utf8) }) else { return nil }
        self = column
    }
}

/// One row of a Lead card file as read, before the rules: each column's value, nil when the cell is empty
/// (Lead: an optional field is sent as an empty value).
package struct LeadRawRow: Sendable, Equatable {
    private var values: [String?]

    package init() {
        values = Array(repeating: nil, count: LeadColumn.allCases.count)
    }

    package subscript(column: LeadColumn) -> String? {
        get { values[column.rawValue] }
        set { values[column.rawValue] = newValue }
    }

    package static func == (lhs: LeadRawRow, rhs: LeadRawRow) -> Bool {
        zip(lhs.values, rhs.values).allSatisfy { left, right in
            switch (left, right) {
            case (nil, nil): true
            case let (left?, right?): left.utf8.elementsEqual(right.utf8)
            default: false
            }
        }
    }
}
