import CardUploadModel

/// The card types of the API. Only `virtual` can be created today.
package enum CardType: String, Sendable {
    case virtual, physical
}

/// A validated create-card request: every field rule passed.
package struct CardRequest: Sendable {
    package var externalID: String
    package var accountID: String
    package var entityID: String
    package var type: CardType
    package var lastFour: String
    package var replacementFor: String?
    /// Metadata sorted by key, byte for byte (UTF-8 order), each key once.
    package let metadata: [(key: String, value: String)]
    /// The metadata alone, as a compact JSON object with sorted keys (`{}` when empty): made once, with
    /// the request (on the reading thread), since the store binds and compares it.
    package let metadataJSON: String

    /// A request with `metadata` sorted by key byte for byte; of two entries with the same key bytes, the later one is kept.
    package init(
        externalID: String,
        accountID: String,
        entityID: String,
        type: CardType = .virtual,
        lastFour: String,
        replacementFor: String? = nil,
        metadata: [(key: String, value: String)] = []
    ) {
        self.externalID = externalID
        self.accountID = accountID
        self.entityID = entityID
        self.type = type
        self.lastFour = lastFour
        self.replacementFor = replacementFor
        self.metadata = Self.sortedByKeyBytes(metadata)
        self.metadataJSON = Self.canonicalJSON(metadata: self.metadata)
    }

    /// `entries` sorted by the UTF-8 bytes of their keys (not Swift's `<`, which compares canonical
    /// equivalents as equal), keeping only the last entry of each key.
    package static func sortedByKeyBytes(_ entries: [(key: String, value: String)]) -> [(key: String, value: String)] {
        var isSortedAndUnique = true
        for index in entries.indices.dropFirst()
        where !FieldText.bytesPrecede(entries[index - 1].key, entries[index].key) {
            isSortedAndUnique = false
            break
        }
        if isSortedAndUnique { return entries }

        // Sort positions by (key bytes, position), so that of equal keys the last one ends up last.
        let order = entries.indices.sorted { left, right in
            let leftKey = entries[left].key, rightKey = entries[right].key
            if FieldText.bytesPrecede(leftKey, rightKey) { return true }
            if FieldText.bytesPrecede(rightKey, leftKey) { return false }
            return left < right
        }
        var result: [(key: String, value: String)] = []
        result.reserveCapacity(entries.count)
        for position in order {
            let entry = entries[position]
            if let last = result.last, last.key.utf8.elementsEqual(entry.key.utf8) {
                result[result.count - 1] = entry
            } else {
                result.append(entry)
            }
        }
        return result
    }
}
