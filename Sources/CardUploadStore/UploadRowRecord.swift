import CardUploadModel

/// The recorded outcome of one row of an upload, as the store writes it and reads it back.
package struct UploadRowRecord: Sendable, Equatable {
    package var line: Int
    package var externalID: String?
    package var entityID: String?
    package var outcome: RowOutcomeKind
    package var cardID: String?
    /// The row's errors, masked; `.none` when it has none.
    package var errors: StoredErrors

    package init(
        line: Int, externalID: String?, entityID: String?, outcome: RowOutcomeKind, cardID: String?,
        errors: StoredErrors = .none
    ) {
        self.line = line
        self.externalID = externalID
        self.entityID = entityID
        self.outcome = outcome
        self.cardID = cardID
        self.errors = errors
    }

    /// The record of a row with `outcome`, its errors masked (`RowError.masked`): the rules mask what they
    /// echo; this is the store's own guarantee, whatever stage made the error.
    package init(line: Int, externalID: String?, entityID: String?, outcome: RowOutcome) {
        var errors = StoredErrors.none
        if case .rejected(let rowErrors) = outcome { errors = .errors(rowErrors.map(\.masked)) }
        self.init(
            line: line, externalID: externalID, entityID: entityID, outcome: outcome.kind, cardID: outcome.cardID,
            errors: errors)
    }
}
