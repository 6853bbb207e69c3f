/// A value as the input gave it, before the card rules: CSV cells are always `.string`;
/// JSON lines keep their type so the rules can report `invalid_type`. `null` never gets here: it means absent.
package enum RawValue: Sendable, Equatable {
    case string(String)
    /// A JSON number, as its literal text.
    case number(String)
    case bool(Bool)
    case array
    case object

    /// Equal texts are equal bytes, never Swift's canonical equivalence.
    package static func == (lhs: RawValue, rhs: RawValue) -> Bool {
        switch (lhs, rhs) {
        case let (.string(left), .string(right)), let (.number(left), .number(right)):
            left.utf8.elementsEqual(right.utf8)
        case let (.bool(left), .bool(right)): left == right
        case (.array, .array), (.object, .object): true
        default: false
        }
    }
}

/// The fields of one upload row, mapped from a CSV record or a JSON-lines object; `nil` means absent.
///
/// CSV: an empty cell is absent. JSON lines: `null` is absent; a metadata value `null` or `""` drops the key.
/// Keys starting with `_` (annotations) never get here.
package struct RawCard: Sendable, Equatable {
    package var externalID: RawValue?
    package var accountID: RawValue?
    package var entityID: RawValue?
    package var type: RawValue?
    package var lastFour: RawValue?
    package var replacementFor: RawValue?
    /// JSON lines only: `details` was given but is not an object (one `invalid_type` on `details`).
    package var detailsNotObject: RawValue?
    /// Metadata entries in input order; keys are compared byte for byte, never by Swift `==`.
    package var metadata: [(key: String, value: RawValue)]
    /// JSON lines only: `metadata` was given but is not an object (one `invalid_type` on `metadata`).
    package var metadataNotObject: RawValue?
    /// JSON lines only: keys the rules must reject — `unknown_field` or `field_not_settable` —
    /// named as a column would be (`status`, `details.foo`).
    package var extraFields: [(field: String, code: ErrorCode)]

    package init(
        externalID: RawValue? = nil,
        accountID: RawValue? = nil,
        entityID: RawValue? = nil,
        type: RawValue? = nil,
        lastFour: RawValue? = nil,
        replacementFor: RawValue? = nil,
        detailsNotObject: RawValue? = nil,
        metadata: [(key: String, value: RawValue)] = [],
        metadataNotObject: RawValue? = nil,
        extraFields: [(field: String, code: ErrorCode)] = []
    ) {
        self.externalID = externalID
        self.accountID = accountID
        self.entityID = entityID
        self.type = type
        self.lastFour = lastFour
        self.replacementFor = replacementFor
        self.detailsNotObject = detailsNotObject
        self.metadata = metadata
        self.metadataNotObject = metadataNotObject
        self.extraFields = extraFields
    }

    package static func == (lhs: RawCard, rhs: RawCard) -> Bool {
        lhs.externalID == rhs.externalID && lhs.accountID == rhs.accountID
            && lhs.entityID == rhs.entityID && lhs.type == rhs.type
            && lhs.lastFour == rhs.lastFour && lhs.replacementFor == rhs.replacementFor
            && lhs.detailsNotObject == rhs.detailsNotObject
            && lhs.metadata.count == rhs.metadata.count
            && zip(lhs.metadata, rhs.metadata).allSatisfy { $0.key.utf8.elementsEqual($1.key.utf8) && $0.value == $1.value }
            && lhs.metadataNotObject == rhs.metadataNotObject
            && lhs.extraFields.count == rhs.extraFields.count
            && zip(lhs.extraFields, rhs.extraFields).allSatisfy {
                $0.field.utf8.elementsEqual($1.field.utf8) && $0.code == $1.code
            }
    }
}
