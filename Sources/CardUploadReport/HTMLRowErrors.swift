import CardUploadParsing

/// Reads a row's stored errors back: the JSON array the store writes (`[RowError].json`,
/// `[{"field":"…"|null,"code":"…","message":"…"}]`), for the HTML report's table.
///
/// A small strict reader for that shape only: an array of objects whose values are strings or null,
/// with JSON's escapes (`\uXXXX` surrogate pairs included); unknown keys are skipped. Anything else
/// gives nil, and the report shows the stored text as it is rather than dropping it.
package enum HTMLRowErrors {
    /// One stored error, as text.
    package struct Entry: Equatable, Sendable {
        package var field: String?
        package var code: String
        package var message: String

        package init(field: String?, code: String, message: String) {
            self.field = field
            self.code = code
            self.message = message
        }
    }

    /// The errors in `json`, or nil when it is not an array of that shape. Read with the project's
    /// strict JSON parser (the one the JSON-lines reader uses); unknown keys are skipped.
    package static func parse(_ json: String) -> [Entry]? {
        guard case .array(let items)? = try? JSONDocumentParser.parse(Array(json.utf8)) else { return nil }
        var entries: [Entry] = []
        entries.reserveCapacity(items.count)
        for item in items {
            guard case .object(let members) = item else { return nil }
            var field: String?
            var code: String?
            var message: String?
            for member in members {
                switch (member.key, member.value) {
                case ("field", .string(let text)): field = text
                case ("field", .null): field = nil
                case ("code", .string(let text)): code = text
                case ("message", .string(let text)): message = text
                case ("field", _), ("code", _), ("message", _): return nil
                default: continue
                }
            }
            guard let code, let message else { return nil }
            entries.append(Entry(field: field, code: code, message: message))
        }
        return entries
    }
}
