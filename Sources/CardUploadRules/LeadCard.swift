import CardUploadModel

/// Lead's card types (SPEC §9, `card_type`).
package enum LeadCardType: String, Sendable, CaseIterable {
    case hsa, fsa, consumer, commercial
}

/// A Lead card file's row that passed every field rule and cross-field validation of SPEC §9 that needs no
/// store: each value in its normalised form, the one the store keeps and an export writes.
package struct LeadCard: Sendable, Equatable {
    package var clientCardID: String
    package var accountID: String
    package var entityID: String
    package var productName: String
    package var isVirtual: Bool
    package var cardType: LeadCardType
    /// Date-times are UTC instants truncated to milliseconds, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    package var createdAt: String
    package var status: CardStatus
    package var activatedAt: String
    /// `YYYY-MM-DD`.
    package var expiryDate: String
    package var closedAt: String?
    package var closedReason: String?
    /// The client_card_id of the card that replaces this one.
    package var replacedBy: String?
    /// `YYYY-MM-DD`; not part of the card's record (a replay ignores it).
    package var generatedAt: String

    package init(
        clientCardID: String, accountID: String, entityID: String, productName: String, isVirtual: Bool,
        cardType: LeadCardType, createdAt: String, status: CardStatus, activatedAt: String, expiryDate: String,
        closedAt: String? = nil, closedReason: String? = nil, replacedBy: String? = nil, generatedAt: String
    ) {
        self.clientCardID = clientCardID
        self.accountID = accountID
        self.entityID = entityID
        self.productName = productName
        self.isVirtual = isVirtual
        self.cardType = cardType
        self.createdAt = createdAt
        self.status = status
        self.activatedAt = activatedAt
        self.expiryDate = expiryDate
        self.closedAt = closedAt
        self.closedReason = closedReason
        self.replacedBy = replacedBy
        self.generatedAt = generatedAt
    }

    /// Byte-for-byte equality of every column but generated_at.
    package static func == (lhs: LeadCard, rhs: LeadCard) -> Bool {
        func same(_ left: String?, _ right: String?) -> Bool {
            switch (left, right) {
            case (nil, nil): true
            case let (left?, right?): left.utf8.elementsEqual(right.utf8)
            default: false
            }
        }
        return same(lhs.clientCardID, rhs.clientCardID) && same(lhs.accountID, rhs.accountID)
            && same(lhs.entityID, rhs.entityID) && same(lhs.productName, rhs.productName)
            && lhs.isVirtual == rhs.isVirtual && lhs.cardType == rhs.cardType && same(lhs.createdAt, rhs.createdAt)
            && lhs.status == rhs.status && same(lhs.activatedAt, rhs.activatedAt) && same(lhs.expiryDate, rhs.expiryDate)
            && same(lhs.closedAt, rhs.closedAt) && same(lhs.closedReason, rhs.closedReason)
            && same(lhs.replacedBy, rhs.replacedBy)
    }
}
