/// A stored card, in the API's shape (SPEC §3).
package struct Card: Sendable {
    package var id: String
    package var externalID: String?
    package var accountID: String
    package var entityID: String
    package var type: String
    package var status: CardStatus
    package var statusReason: String?
    package var createdAt: String
    package var updatedAt: String
    package var lastFour: String
    package var replacementFor: String?
    package var replacedBy: String?
    /// The metadata object as compact JSON with sorted keys (`{}` when none).
    package var metadataJSON: String
    package var uploadID: String?
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
