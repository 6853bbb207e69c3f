import CardUploadModel
import CardUploadStore

/// The card object in the API's shape (SPEC §3, §9), as one line of compact JSON.
///
/// `client_card_id` (the API's name for the key a file gave) equals `external_id`, which stays. The fields a
/// Lead card file carries appear in `details` only where the card has them; `last_four` is always there,
/// null for a card without one (a Lead card's).
package enum CardJSON {
    package static func render(_ card: Card) -> String {
        var text = "{\"id\":\(JSONString.quoted(card.id)),"
        text += "\"external_id\":\(JSONString.quotedOrNull(card.externalID)),"
        text += "\"client_card_id\":\(JSONString.quotedOrNull(card.externalID)),"
        text += "\"account_id\":\(JSONString.quoted(card.accountID)),"
        text += "\"entity_id\":\(JSONString.quoted(card.entityID)),"
        text += "\"type\":\(JSONString.quoted(card.type)),"
        text += "\"status\":\"\(card.status.rawValue)\","
        text += "\"status_reason\":\(JSONString.quotedOrNull(card.statusReason)),"
        text += "\"created_at\":\(JSONString.quoted(card.createdAt)),"
        text += "\"updated_at\":\(JSONString.quoted(card.updatedAt)),"
        text += "\"details\":{\"last_four\":\(JSONString.quotedOrNull(card.lastFour)),"
        text += "\"replacement_for\":\(JSONString.quotedOrNull(card.replacementFor))"
        if let productName = card.productName { text += ",\"card_product_name\":\(JSONString.quoted(productName))" }
        if let isVirtual = card.isVirtual { text += ",\"is_virtual\":\(isVirtual)" }
        if let cardType = card.cardType { text += ",\"card_type\":\(JSONString.quoted(cardType))" }
        if let expiryDate = card.expiryDate { text += ",\"expiry_date\":\(JSONString.quoted(expiryDate))" }
        if let activatedAt = card.activatedAt { text += ",\"activated_at\":\(JSONString.quoted(activatedAt))" }
        if let closedAt = card.closedAt { text += ",\"closed_at\":\(JSONString.quoted(closedAt))" }
        text += "},"
        text += "\"replaced_by\":\(JSONString.quotedOrNull(card.replacedBy)),"
        text += "\"metadata\":\(card.metadataJSON)}"
        return text
    }
}
