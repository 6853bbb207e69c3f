import CardUploadModel

/// `details.replacement_for`: optional; `^card_\w+$` with ASCII word characters; no card number.
///
/// Whether the card exists, is closed and is not replaced already is the store's check, not this one.
enum ReplacementForRule {
    static let field = "details.replacement_for"

    static func check(_ value: RawValue?) -> FieldCheck<String> {
        let check = StringTypeRule.text(value, field: field)
        guard case .valid(let text) = check else { return check }
        if !FieldText.isPrefixedWord(text, "card_") {
            return .invalid(RowError(field: field, code: .invalidFormat, message: Message.format(text)))
        }
        if let error = StringTypeRule.cardNumberError(text, field: field) { return .invalid(error) }
        return .valid(text)
    }

    enum Message {
        static func format(_ text: String) -> String {
            "details.replacement_for must be a card id, \"card_\" followed by letters, digits or _ (got \(Echo.quoted(text)))"
        }
    }
}
