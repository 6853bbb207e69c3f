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
            if text.utf8.count < 4, text.utf8.allSatisfy(ASCII.isDigit) {
                return .invalid(RowError(field: field, code: .invalidFormat, message: Message.droppedZeros(text)))
            }
            return .invalid(RowError(field: field, code: .invalidFormat, message: Message.format(text)))
        }
        return .valid(text)
    }

    enum Message {
        static func format(_ text: String) -> String {
            "details.last_four must be exactly four digits 0-9 (got \(Echo.quoted(text)))"
        }

        /// One to three digits: what a spreadsheet leaves of `0042` (SPEC §10).
        static func droppedZeros(_ text: String) -> String {
            format(text) + " — did a spreadsheet drop leading zeros? \"\(padded(text))\""
        }

        /// The hint for a row whose last_four is one to three digits, or nil (SPEC §10): asked only of rejected rows.
        static func droppedZerosHint(_ value: RawValue?) -> FileHint? {
            guard case .string(let text)? = value, (1...3).contains(text.utf8.count), text.utf8.allSatisfy(ASCII.isDigit)
            else { return nil }
            return droppedZerosHint(text)
        }

        static func droppedZerosHint(_ text: String) -> FileHint {
            FileHint(
                .leadingZeros,
                "details.last_four \"\(text)\" has fewer than four digits: did a spreadsheet drop leading zeros? Write"
                    + " \"\(padded(text))\", and format the column as text before saving")
        }

        private static func padded(_ text: String) -> String { String(repeating: "0", count: 4 - text.utf8.count) + text }
    }
}
