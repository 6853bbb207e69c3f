import CardUploadModel
import CardUploadParsing

/// A row's errors as the store keeps them in `upload_rows.errors`: the JSON array `[RowError].json` writes,
/// `[{"field":"…"|null,"code":"…","message":"…"}]`, read back here and nowhere else.
///
/// Text the store did not write in that shape (not that JSON, or a code this build does not know) is kept
/// as it is, `unreadable`: the reports show it rather than drop it, and the JSON report writes it back unchanged.
package enum StoredErrors: Sendable, Equatable {
    case errors([RowError])
    case unreadable(String)

    /// A row without errors (computed: no lazy-global check on every row).
    package static var none: StoredErrors { .errors([]) }

    /// The errors in the column's text; nil (a row that was not rejected) is `none`.
    ///
    /// Read with the project's strict JSON parser (the one the JSON-lines reader uses): an array of objects
    /// whose `field` is a string or null and whose `code` and `message` are strings; unknown keys are skipped.
    package init(column: String?) {
        guard let column else {
            self = .none
            return
        }
        self = Self.decode(column).map(StoredErrors.errors) ?? .unreadable(column)
    }

    private static func decode(_ json: String) -> [RowError]? {
        guard case .array(let items)? = try? JSONDocumentParser.parse(Array(json.utf8)) else { return nil }
        var errors: [RowError] = []
        errors.reserveCapacity(items.count)
        for item in items {
            guard case .object(let members) = item else { return nil }
            var field: String?
            var code: ErrorCode?
            var message: String?
            for member in members {
                switch (member.key, member.value) {
                case ("field", .string(let text)): field = text
                case ("field", .null): field = nil
                case ("code", .string(let text)):
                    guard let known = ErrorCode(rawValue: text) else { return nil }
                    code = known
                case ("message", .string(let text)): message = text
                case ("field", _), ("code", _), ("message", _): return nil
                default: continue
                }
            }
            guard let code, let message else { return nil }
            errors.append(RowError(field: field, code: code, message: message))
        }
        return errors
    }

    /// As the JSON report writes them: the array, or the stored text as it is.
    package var json: String {
        switch self {
        case .errors(let errors): errors.isEmpty ? "[]" : errors.json
        case .unreadable(let text): text
        }
    }

    /// The column's text for a row with `outcome`: NULL for a row without errors that was not rejected,
    /// else the JSON array (`[]` for a rejected row without errors).
    func column(for outcome: RowOutcomeKind) -> String? {
        if case .errors(let errors) = self, errors.isEmpty, outcome != .rejected { return nil }
        return json
    }
}
