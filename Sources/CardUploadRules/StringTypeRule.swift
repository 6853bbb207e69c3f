import CardUploadModel

/// The first check of every field: present or not, and a JSON string when present.
///
/// Absent, `null` and `""` all mean absent (SPEC §4): a CSV cell cannot tell them apart, so JSON
/// lines must not either. Any other JSON value where text belongs is `invalid_type`.
enum StringTypeRule {
    /// The text of `value`; `.absent` when it is absent or empty; `invalid_type` when it is not a string.
    static func text(_ value: RawValue?, field: String) -> FieldCheck<String> {
        switch value {
        case nil:
            return .absent
        case .string(let text):
            return text.utf8.isEmpty ? .absent : .valid(text)
        case let other?:
            return .invalid(RowError(field: field, code: .invalidType, message: Message.notAString(field, other)))
        }
    }

    /// Like `text`, but a required field that is absent is `missing_field`.
    static func requiredText(_ value: RawValue?, field: String) -> FieldCheck<String> {
        let check = text(value, field: field)
        if case .absent = check {
            return .invalid(RowError(field: field, code: .missingField, message: Message.missing(field)))
        }
        return check
    }

    /// A card number in the text of `field`: `pan_detected`, with the value masked in the message.
    static func cardNumberError(_ text: String, field: String) -> RowError? {
        guard CardNumber.contains(text) else { return nil }
        return RowError(field: field, code: .panDetected, message: Message.cardNumber(field, text))
    }

    enum Message {
        static func notAString(_ field: String, _ value: RawValue) -> String {
            "\(field) must be a string (got \(Echo.describe(value)))"
        }

        static func missing(_ field: String) -> String {
            "\(field) is required"
        }

        static func cardNumber(_ field: String, _ text: String) -> String {
            "\(field) must not hold a card number (got \(Echo.quoted(text)))"
        }
    }
}
