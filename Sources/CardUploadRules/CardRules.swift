import CardUploadModel

/// The card rules of SPEC §3 that need no store: a `RawCard` becomes a `CardRequest` or all of its row errors.
///
/// Each field gets at most one error; a row gets every field's error at once, in the order
/// external_id, account_id, entity_id, type, details, details.last_four, details.replacement_for,
/// metadata, metadata.<key>… (input order), then the fields an upload may not set.
package enum CardRules {
    /// What to tell the person fixing the file about a rejected row (SPEC §10): a last_four a spreadsheet
    /// took the leading zeros off. Asked only of rejected rows, so valid rows pay nothing for it.
    package static func hints(for raw: RawCard) -> [FileHint] {
        [LastFourRule.Message.droppedZerosHint(raw.lastFour)].compactMap { $0 }
    }

    /// The request for `raw`, or all of its errors. `defaultEntity` (`--entity`) is used when the row has no entity_id.
    package static func validate(_ raw: RawCard, defaultEntity: String?) -> Result<CardRequest, RowErrors> {
        var errors: [RowError] = []
        let externalID = ExternalIDRule.check(raw.externalID).value(collecting: &errors)
        let accountID = AccountIDRule.check(raw.accountID).value(collecting: &errors)
        let entityID = EntityIDRule.check(raw.entityID, defaultEntity: defaultEntity).value(collecting: &errors)
        let type = CardTypeRule.check(raw.type).value(collecting: &errors)

        let detailsError = ShapeRule.detailsError(raw.detailsNotObject)
        if let detailsError { errors.append(detailsError) }
        var lastFour: String? = nil
        if detailsError == nil || raw.lastFour != nil {
            // `details` that is not an object is one error, not one more for the missing last_four.
            lastFour = LastFourRule.check(raw.lastFour).value(collecting: &errors)
        }
        let replacementFor = ReplacementForRule.check(raw.replacementFor).value(collecting: &errors)

        if let metadataError = ShapeRule.metadataError(raw.metadataNotObject) { errors.append(metadataError) }
        let metadata = MetadataRule.check(raw.metadata, errors: &errors)

        if !raw.extraFields.isEmpty { errors.append(contentsOf: ShapeRule.extraFieldErrors(raw.extraFields)) }

        guard errors.isEmpty, let externalID, let accountID, let entityID, let type, let lastFour else {
            return .failure(RowErrors(errors))
        }
        return .success(CardRequest(
            externalID: externalID,
            accountID: accountID,
            entityID: entityID,
            type: type,
            lastFour: lastFour,
            replacementFor: replacementFor,
            metadata: metadata
        ))
    }

    /// The error of an entity id given on the command line (`--entity`), or nil when it is valid,
    /// so the CLI can refuse a bad one before any row is read. The message masks a card number.
    package static func entityIDError(_ value: String) -> RowError? {
        if value.utf8.isEmpty {
            return RowError(field: EntityIDRule.field, code: .missingField, message: StringTypeRule.Message.missing(EntityIDRule.field))
        }
        return EntityIDRule.error(value)
    }
}

/// All the errors of one row, in field order.
package struct RowErrors: Error, Sendable {
    package var errors: [RowError]
    package init(_ errors: [RowError]) { self.errors = errors }
}
