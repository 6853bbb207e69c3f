import CardUploadModel

/// `type`: optional, `virtual` when absent; `physical` is not supported yet; anything else is not a card type.
enum CardTypeRule {
    static let field = "type"

    static func check(_ value: RawValue?) -> FieldCheck<CardType> {
        switch StringTypeRule.text(value, field: field) {
        case .absent:
            return .valid(.virtual)
        case .invalid(let error):
            return .invalid(error)
        case .valid(let text):
            // Byte for byte: Swift `==` would accept a canonically equivalent spelling.
            if FieldText.isExactly(text, "virtual") { return .valid(.virtual) }
            if FieldText.isExactly(text, "physical") {
                return .invalid(RowError(field: field, code: .unsupportedCardType, message: Message.physical))
            }
            return .invalid(RowError(field: field, code: .invalidEnum, message: Message.notACardType(text)))
        }
    }

    enum Message {
        static let physical = "type \"physical\" is not supported yet: only \"virtual\" cards can be created"

        static func notACardType(_ text: String) -> String {
            "type must be \"virtual\" (got \(Echo.quoted(text)))"
        }
    }
}
