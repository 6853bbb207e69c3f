import CardUploadModel

/// A row's fields as the store would hold them, read straight from the raw record, before the rules:
/// the replay fast path (SPEC §4).
///
/// A row whose key is stored with exactly these columns is `replayed`, and its fields are then byte for
/// byte those of a card that passed every rule when it was created: the rules look at each field alone
/// and change nothing but the defaults and the metadata's order (type absent is `virtual`, entity_id
/// absent is `--entity`, a metadata value "" drops its key, keys are sorted), which this form applies
/// the same way. So a loader may compare this form with the store first and run the rules only when it
/// does not match. Anything the rules would turn into an error on its own — a value that is not a
/// string, a field that may not be set, `details` or `metadata` that is not an object — has no form.
///
/// It assumes the stored card passes today's rules: it did when it was created, by this version or an
/// earlier one. Should a later version tighten a rule, a row equal to a card stored before is still
/// replayed (the store already holds it) where the rules alone would now reject it.
package struct StoredForm: Sendable {
    package var externalID: String
    package var entityID: String
    package var accountID: String
    package var type: String
    package var lastFour: String
    package var replacementFor: String?
    package var metadataJSON: String
}

extension CardRules {
    /// The stored form of `raw`, or nil when only the rules can say what it is.
    package static func storedForm(_ raw: RawCard, defaultEntity: String?) -> StoredForm? {
        guard raw.extraFields.isEmpty, raw.detailsNotObject == nil, raw.metadataNotObject == nil,
              case .string(let externalID)? = raw.externalID, !externalID.utf8.isEmpty,
              case .string(let accountID)? = raw.accountID, !accountID.utf8.isEmpty,
              case .string(let lastFour)? = raw.lastFour, !lastFour.utf8.isEmpty
        else { return nil }
        let entityID: String
        switch raw.entityID {
        case .string(let text)? where !text.utf8.isEmpty: entityID = text
        case nil, .string?:
            guard let defaultEntity else { return nil }
            entityID = defaultEntity
        default: return nil
        }
        let type: String
        switch raw.type {
        case nil: type = CardType.virtual.rawValue
        case .string(let text)? where text.utf8.isEmpty: type = CardType.virtual.rawValue
        case .string(let text)?: type = text
        default: return nil
        }
        var replacementFor: String?
        switch raw.replacementFor {
        case nil: break
        case .string(let text)?: replacementFor = text.utf8.isEmpty ? nil : text
        default: return nil
        }
        var metadata: [(key: String, value: String)] = []
        metadata.reserveCapacity(raw.metadata.count)
        for (key, value) in raw.metadata {
            guard case .string(let text) = value else { return nil }
            if !text.utf8.isEmpty { metadata.append((key, text)) }
        }
        let sorted = CardRequest.sortedByKeyBytes(metadata)
        return StoredForm(
            externalID: externalID, entityID: entityID, accountID: accountID, type: type, lastFour: lastFour,
            replacementFor: replacementFor, metadataJSON: CardRequest.canonicalJSON(metadata: sorted))
    }
}
