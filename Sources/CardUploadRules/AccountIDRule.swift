import CardUploadModel

/// `account_id`: required; `^account_\w+$` with ASCII word characters; no card number.
enum AccountIDRule {
    static let field = "account_id"

    static func check(_ value: RawValue?) -> FieldCheck<String> {
        let check = StringTypeRule.requiredText(value, field: field)
        guard case .valid(let text) = check else { return check }
        if !FieldText.isPrefixedWord(text, "account_") {
            return .invalid(RowError(field: field, code: .invalidFormat, message: Message.format(text)))
        }
        if let error = StringTypeRule.cardNumberError(text, field: field) { return .invalid(error) }
        return .valid(text)
    }

    enum Message {
        static func format(_ text: String) -> String {
            "account_id must be \"account_\" followed by letters, digits or _ (got \(Echo.quoted(text)))"
        }
    }
}
