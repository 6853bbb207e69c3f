import CardUploadModel
import CardUploadStore

/// The card object in the API's shape (SPEC §3), as one line of compact JSON.
package enum CardJSON {
    package static func render(_ card: Card) -> String {
        var text = "{\"id\":\(JSONString.quoted(card.id)),"
        text += "\"external_id\":\(JSONString.quotedOrNull(card.externalID)),"
        text += "\"account_id\":\(JSONString.quoted(card.accountID)),"
        text += "\"entity_id\":\(JSONString.quoted(card.entityID)),"
        text += "\"type\":\(JSONString.quoted(card.type)),"
        text += "\"status\":\"\(card.status.rawValue)\","
        text += "\"status_reason\":\(JSONString.quotedOrNull(card.statusReason)),"
        text += "\"created_at\":\(JSONString.quoted(card.createdAt)),"
        text += "\"updated_at\":\(JSONString.quoted(card.updatedAt)),"
        text += "\"details\":{\"last_four\":\(JSONString.quotedOrNull(card.lastFour)),"
        text += "\"replacement_for\":\(JSONString.quotedOrNull(card.replacementFor))},"
        text += "\"replaced_by\":\(JSONString.quotedOrNull(card.replacedBy)),"
        text += "\"metadata\":\(card.metadataJSON)}"
        return text
    }
}
