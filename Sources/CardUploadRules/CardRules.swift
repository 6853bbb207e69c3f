import CardUploadModel

/// The card rules of SPEC §3 that need no store: a `RawCard` becomes a `CardRequest` or all of its row errors.
///
/// STUB — the rules helper replaces this file.
package enum CardRules {
    package static func validate(_ raw: RawCard, defaultEntity: String?) -> Result<CardRequest, RowErrors> {
        fatalError("unimplemented")
    }
}

/// All the errors of one row, in field order.
package struct RowErrors: Error, Sendable {
    package var errors: [RowError]
    package init(_ errors: [RowError]) { self.errors = errors }
}

extension CardRules {
    /// STUB until the rules land: why `value` is not a valid entity_id, or nil.
    package static func entityIDError(_ value: String) -> RowError? { nil }
}
