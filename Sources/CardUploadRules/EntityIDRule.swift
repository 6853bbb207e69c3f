import CardUploadModel

/// `entity_id`: required unless a default entity is given (`--entity`); `^entity_[^\s]{1,33}$`
/// — 1 to 33 characters after `entity_`, none of them White_Space; no card number.
enum EntityIDRule {
    static let field = "entity_id"
    static let maxSuffixScalars = 33

    /// The row's entity, or `defaultEntity` when the row has none; the default is checked like a value.
    static func check(_ value: RawValue?, defaultEntity: String?) -> FieldCheck<String> {
        var check = StringTypeRule.text(value, field: field)
        if case .absent = check {
            guard let defaultEntity else {
                return .invalid(RowError(field: field, code: .missingField, message: StringTypeRule.Message.missing(field)))
            }
            check = .valid(defaultEntity)
        }
        guard case .valid(let text) = check else { return check }
        if let error = error(text) { return .invalid(error) }
        return .valid(text)
    }

    /// The one error of an entity id, checks in the order format, card number; nil when it is valid.
    static func error(_ text: String) -> RowError? {
        if !hasValidFormat(text) {
            return RowError(field: field, code: .invalidFormat, message: Message.format(text))
        }
        return StringTypeRule.cardNumberError(text, field: field)
    }

    /// `^entity_[^\s]{1,33}$`, read from the bytes; scalars are decoded only when the suffix is not ASCII.
    private static func hasValidFormat(_ text: String) -> Bool {
        guard FieldText.hasPrefix(text, "entity_") else { return false }
        let suffix = text.utf8.dropFirst(7)
        var scalars = 0
        var nonASCII = false
        for byte in suffix {
            if byte < 0x80 {
                if ASCII.isWhitespace(byte) { return false }
            } else {
                nonASCII = true
            }
            if byte & 0xC0 != 0x80 { scalars += 1 }
        }
        guard scalars >= 1, scalars <= maxSuffixScalars else { return false }
        // Every other White_Space scalar is outside ASCII.
        return !nonASCII || !text.unicodeScalars.contains { $0.value >= 0x80 && $0.properties.isWhitespace }
    }

    enum Message {
        static func format(_ text: String) -> String {
            "entity_id must be \"entity_\" followed by 1-\(maxSuffixScalars) characters without white space (got \(Echo.quoted(text)))"
        }
    }
}
