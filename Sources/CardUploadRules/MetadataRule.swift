import CardUploadModel

/// `metadata`: at most 50 keys; each key 1–40 characters with no control character (a key becomes a
/// column name in exports); each value a string of at most 500 characters; no card number in a key or a value.
///
/// A value `""` drops its key (SPEC §3: in CSV an empty cell is absent; JSON lines do the same).
/// Errors go on `metadata` (too many keys) and on `metadata.<key>`, one per key, in input order,
/// checks in the order type, length, format, card number.
enum MetadataRule {
    static let field = "metadata"
    static let maxKeys = 50
    static let maxKeyScalars = 40
    static let maxValueScalars = 500

    /// The entries that pass, in input order; every error appended to `errors`.
    static func check(_ entries: [(key: String, value: RawValue)], errors: inout [RowError]) -> [(key: String, value: String)] {
        var kept: [(key: String, value: String)] = []
        kept.reserveCapacity(entries.count)
        var keyCount = 0
        for entry in entries where !isDropped(entry.value) { keyCount += 1 }
        if keyCount > maxKeys {
            errors.append(RowError(field: field, code: .metadataLimit, message: Message.tooManyKeys(keyCount)))
        }
        for (key, value) in entries where !isDropped(value) {
            switch check(key: key, value: value) {
            case .valid(let text): kept.append((key, text))
            case .invalid(let error): errors.append(error)
            case .absent: break
            }
        }
        return kept
    }

    private static func isDropped(_ value: RawValue) -> Bool {
        if case .string(let text) = value { return text.utf8.isEmpty }
        return false
    }

    /// The one error of one entry, or its string value. The field name is built only for an error:
    /// masking it costs a scan and a copy, and most entries are fine.
    private static func check(key: String, value: RawValue) -> FieldCheck<String> {
        guard case .string(let text) = value else {
            let entryField = Echo.metadataField(key)
            return .invalid(RowError(field: entryField, code: .invalidType, message: StringTypeRule.Message.notAString(entryField, value)))
        }
        if key.utf8.isEmpty || FieldText.isLonger(key, than: maxKeyScalars) {
            return .invalid(RowError(field: Echo.metadataField(key), code: .metadataLimit, message: Message.keyLength(key)))
        }
        if FieldText.isLonger(text, than: maxValueScalars) {
            let entryField = Echo.metadataField(key)
            return .invalid(RowError(field: entryField, code: .metadataLimit, message: Message.valueLength(entryField, text)))
        }
        if FieldText.containsControl(key) {
            return .invalid(RowError(field: Echo.metadataField(key), code: .invalidFormat, message: Message.controlInKey(key)))
        }
        if CardNumber.contains(key) {
            return .invalid(RowError(field: Echo.metadataField(key), code: .panDetected, message: Message.cardNumberInKey(key)))
        }
        if CardNumber.contains(text) {
            let entryField = Echo.metadataField(key)
            return .invalid(RowError(field: entryField, code: .panDetected, message: StringTypeRule.Message.cardNumber(entryField, text)))
        }
        return .valid(text)
    }

    enum Message {
        static func tooManyKeys(_ count: Int) -> String {
            "metadata must have at most \(maxKeys) keys (got \(count))"
        }

        static func keyLength(_ key: String) -> String {
            "metadata key must be 1-\(maxKeyScalars) characters (got \(FieldText.scalarCount(key)): \(Echo.quoted(key)))"
        }

        static func valueLength(_ field: String, _ text: String) -> String {
            "\(field) must be at most \(maxValueScalars) characters (got \(FieldText.scalarCount(text)): \(Echo.quoted(text)))"
        }

        static func controlInKey(_ key: String) -> String {
            "metadata key must not contain control characters (got \(Echo.quoted(key)))"
        }

        static func cardNumberInKey(_ key: String) -> String {
            "metadata key must not hold a card number (got \(Echo.quoted(key)))"
        }
    }
}
