import CardUploadModel

/// Lead's card types (SPEC §9, `card_type`).
package enum LeadCardType: String, Sendable, CaseIterable {
    case hsa, fsa, consumer, commercial
}

/// A Lead card file's row that passed every field rule and cross-field validation of SPEC §9 that needs no
/// store: each value in its normalised form, the one the store keeps and an export writes.
///
/// Its values live in one shared, copy-on-write box: a row's card is handed from the reading thread to the
/// writing one and passed down through the store's checks, and a copy of fourteen values took a reference
/// count on each of its strings (about ten), where a copy of the box takes one.
package struct LeadCard: Sendable, Equatable {
    /// The values; shared by copies until one of them changes a value (`values`' setter copies it first).
    private final class Values: @unchecked Sendable {
        var clientCardID: String
        var accountID: String
        var entityID: String
        var productName: String
        var isVirtual: Bool
        var cardType: LeadCardType
        var createdAt: String
        var status: CardStatus
        var activatedAt: String
        var expiryDate: String
        var closedAt: String?
        var closedReason: String?
        var replacedBy: String?
        var generatedAt: String

        init(
            clientCardID: String, accountID: String, entityID: String, productName: String, isVirtual: Bool,
            cardType: LeadCardType, createdAt: String, status: CardStatus, activatedAt: String, expiryDate: String,
            closedAt: String?, closedReason: String?, replacedBy: String?, generatedAt: String
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

        func copy() -> Values {
            Values(
                clientCardID: clientCardID, accountID: accountID, entityID: entityID, productName: productName,
                isVirtual: isVirtual, cardType: cardType, createdAt: createdAt, status: status, activatedAt: activatedAt,
                expiryDate: expiryDate, closedAt: closedAt, closedReason: closedReason, replacedBy: replacedBy,
                generatedAt: generatedAt)
        }
    }

    private var values: Values

    /// The box, to change a value in: copied first when another card shares it.
    private var unique: Values {
        mutating get {
            if !isKnownUniquelyReferenced(&values) { values = values.copy() }
            return values
        }
    }

    package var clientCardID: String {
        get { values.clientCardID }
        set { unique.clientCardID = newValue }
    }
    package var accountID: String {
        get { values.accountID }
        set { unique.accountID = newValue }
    }
    package var entityID: String {
        get { values.entityID }
        set { unique.entityID = newValue }
    }
    package var productName: String {
        get { values.productName }
        set { unique.productName = newValue }
    }
    package var isVirtual: Bool {
        get { values.isVirtual }
        set { unique.isVirtual = newValue }
    }
    package var cardType: LeadCardType {
        get { values.cardType }
        set { unique.cardType = newValue }
    }
    /// Date-times are UTC instants truncated to milliseconds, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    package var createdAt: String {
        get { values.createdAt }
        set { unique.createdAt = newValue }
    }
    package var status: CardStatus {
        get { values.status }
        set { unique.status = newValue }
    }
    package var activatedAt: String {
        get { values.activatedAt }
        set { unique.activatedAt = newValue }
    }
    /// `YYYY-MM-DD`.
    package var expiryDate: String {
        get { values.expiryDate }
        set { unique.expiryDate = newValue }
    }
    package var closedAt: String? {
        get { values.closedAt }
        set { unique.closedAt = newValue }
    }
    package var closedReason: String? {
        get { values.closedReason }
        set { unique.closedReason = newValue }
    }
    /// The client_card_id of the card that replaces this one.
    package var replacedBy: String? {
        get { values.replacedBy }
        set { unique.replacedBy = newValue }
    }
    /// `YYYY-MM-DD`; not part of the card's record (a replay ignores it).
    package var generatedAt: String {
        get { values.generatedAt }
        set { unique.generatedAt = newValue }
    }

    package init(
        clientCardID: String, accountID: String, entityID: String, productName: String, isVirtual: Bool,
        cardType: LeadCardType, createdAt: String, status: CardStatus, activatedAt: String, expiryDate: String,
        closedAt: String? = nil, closedReason: String? = nil, replacedBy: String? = nil, generatedAt: String
    ) {
        values = Values(
            clientCardID: clientCardID, accountID: accountID, entityID: entityID, productName: productName,
            isVirtual: isVirtual, cardType: cardType, createdAt: createdAt, status: status, activatedAt: activatedAt,
            expiryDate: expiryDate, closedAt: closedAt, closedReason: closedReason, replacedBy: replacedBy,
            generatedAt: generatedAt)
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
