import CardUploadModel

/// `details.last_four`: required; exactly four ASCII digits `0-9`, kept as text (`"0042"`).
///
/// Other scripts' digits (`٠١٢٣`) and a trailing newline are not allowed; a JSON number is `invalid_type`.
enum LastFourRule {
    static let field = "details.last_four"

    static func check(_ value: RawValue?) -> FieldCheck<String> {
        let check = StringTypeRule.requiredText(value, field: field)
        guard case .valid(let text) = check else { return check }
        guard text.utf8.count == 4, text.utf8.allSatisfy(ASCII.isDigit) else {
            return .invalid(RowError(field: field, code: .invalidFormat, message: Message.format(text)))
        }
        return .valid(text)
    }

    enum Message {
        static func format(_ text: String) -> String {
            "details.last_four must be exactly four digits 0-9 (got \(Echo.quoted(text)))"
        }
    }
}
