import CardUploadModel

/// `external_id`: required; 1–255 characters; no control characters; no White_Space at either end;
/// not starting with `card_` (the store's own ids); no card number.
enum ExternalIDRule {
    static let field = "external_id"
    static let maxScalars = 255

    static func check(_ value: RawValue?) -> FieldCheck<String> {
        let check = StringTypeRule.requiredText(value, field: field)
        guard case .valid(let text) = check else { return check }
        if let error = error(text) { return .invalid(error) }
        return .valid(text)
    }

    /// The one error of a string value, checks in the order length, format, card number.
    private static func error(_ text: String) -> RowError? {
        if FieldText.isLonger(text, than: maxScalars) {
            return RowError(field: field, code: .tooLong, message: Message.tooLong(text))
        }
        if FieldText.containsControl(text) {
            return RowError(field: field, code: .invalidFormat, message: Message.control(text))
        }
        if FieldText.hasWhitespaceAtEnds(text) {
            return RowError(field: field, code: .invalidFormat, message: Message.whitespaceAtEnds(text))
        }
        if FieldText.hasPrefix(text, "card_") {
            return RowError(field: field, code: .invalidFormat, message: Message.cardPrefix(text))
        }
        return StringTypeRule.cardNumberError(text, field: field)
    }

    enum Message {
        static func tooLong(_ text: String) -> String { FieldMessage.tooLong("external_id", text, limit: maxScalars) }

        static func control(_ text: String) -> String { FieldMessage.control("external_id", text) }

        static func whitespaceAtEnds(_ text: String) -> String { FieldMessage.whitespaceAtEnds("external_id", text) }

        static func cardPrefix(_ text: String) -> String {
            "external_id must not start with \"card_\" (got \(Echo.quoted(text)))"
        }
    }
}
