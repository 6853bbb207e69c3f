import CardUploadModel

/// The shape of a JSON-lines object: `details` and `metadata` must be objects, and only the
/// upload's fields may be set (the parser names the others; system-managed ones are `field_not_settable`).
enum ShapeRule {
    /// `details` given but not an object: one `invalid_type` on `details`.
    static func detailsError(_ value: RawValue?) -> RowError? {
        value.map { RowError(field: "details", code: .invalidType, message: Message.notAnObject("details", $0)) }
    }

    /// `metadata` given but not an object: one `invalid_type` on `metadata`.
    static func metadataError(_ value: RawValue?) -> RowError? {
        value.map { RowError(field: "metadata", code: .invalidType, message: Message.notAnObject("metadata", $0)) }
    }

    /// One error per key the upload may not set, in the parser's order; field names masked.
    static func extraFieldErrors(_ fields: [(field: String, code: ErrorCode)]) -> [RowError] {
        fields.map { field, code in
            let name = CardNumber.mask(field)
            return RowError(field: name, code: code, message: Message.extra(name, code))
        }
    }

    enum Message {
        static func notAnObject(_ field: String, _ value: RawValue) -> String {
            "\(field) must be an object (got \(Echo.describe(value)))"
        }

        static func extra(_ field: String, _ code: ErrorCode) -> String {
            let shown = Echo.short(field)
            switch code {
            case .fieldNotSettable: return "\(shown) is system-managed and cannot be set by an upload"
            case .unknownField: return "\(shown) is not a card field"
            default: return "\(shown) cannot be set by an upload"
            }
        }
    }
}
