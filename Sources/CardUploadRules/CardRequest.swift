import CardUploadModel

/// The card types of the API. Only `virtual` can be created today.
package enum CardType: String, Sendable {
    case virtual, physical
}

/// A validated create-card request: every field rule passed.
///
/// STUB — the rules helper replaces this file (keep the names).
package struct CardRequest: Sendable {
    package var externalID: String
    package var accountID: String
    package var entityID: String
    package var type: CardType
    package var lastFour: String
    package var replacementFor: String?
    /// Metadata sorted by key, byte for byte (UTF-8 order).
    package var metadata: [(key: String, value: String)]

    /// The canonical body (SPEC §4): compact JSON of account_id, details, entity_id, metadata, type with sorted keys.
    /// Two requests have the same body exactly when these bytes are equal.
    package var canonicalBody: String { fatalError("unimplemented") }

    /// The metadata as a compact JSON object with sorted keys (`{}` when empty).
    package var metadataJSON: String { fatalError("unimplemented") }
}
