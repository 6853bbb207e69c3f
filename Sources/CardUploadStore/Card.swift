/// A stored card, in the API's shape (SPEC §3, and §9's fields for cards a Lead card file created).
package struct Card: Sendable {
    /// Which kind of file created a card (`cards.file_kind`): a key belongs to that kind (SPEC §9).
    package enum FileKind: String, Sendable, CaseIterable {
        /// CSV, TSV or JSON lines with the API body's fields (SPEC §2).
        case native
        /// Lead's card file (SPEC §9).
        case lead
    }

    package var id: String
    package var externalID: String?
    package var accountID: String
    package var entityID: String
    package var type: String
    package var status: CardStatus
    /// The reason of the last status change; a Lead card's closed_reason.
    package var statusReason: String?
    package var createdAt: String
    package var updatedAt: String
    /// Always set on a native card; nil on a Lead card (Lead's file does not carry it).
    package var lastFour: String?
    package var replacementFor: String?
    package var replacedBy: String?
    /// The metadata object as compact JSON with sorted keys (`{}` when none).
    package var metadataJSON: String
    package var uploadID: String?
    package var fileKind: FileKind
    /// Lead's client_card_product_name; nil when not known (as for every field below).
    package var productName: String?
    package var isVirtual: Bool?
    /// Lead's card_type: hsa, fsa, consumer or commercial.
    package var cardType: String?
    /// `YYYY-MM-DD`.
    package var expiryDate: String?
    /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`, as `closedAt`.
    package var activatedAt: String?
    package var closedAt: String?
}

/// The four outcomes a row can have; the raw value is the word the store (`upload_rows.outcome`) and the
/// reports spell it with.
package enum RowOutcomeKind: String, Sendable, CaseIterable {
    case created, replayed, updated, rejected
}

/// What happened to one row.
package enum RowOutcome: Sendable {
    case created(cardID: String)
    case replayed(cardID: String)
    case updated(cardID: String)
    case rejected([CardUploadModel.RowError])

    /// Which of the four outcomes this is, without its card or errors.
    package var kind: RowOutcomeKind {
        switch self {
        case .created: .created
        case .replayed: .replayed
        case .updated: .updated
        case .rejected: .rejected
        }
    }

    /// Whether the row created a card.
    package var isCreated: Bool {
        if case .created = self { return true }
        return false
    }

    /// The card the row created or found, if any.
    package var cardID: String? {
        switch self {
        case .created(let id), .replayed(let id), .updated(let id): id
        case .rejected: nil
        }
    }
}

import CardUploadModel

/// What `--on-conflict` asks for when a key was loaded before with a different body.
package enum ConflictPolicy: String, Sendable {
    /// Reject the row with `idempotency_conflict`.
    case reject
    /// A body that differs only in metadata replaces the card's metadata; anything else is still a conflict.
    case update
}
