import CardUploadModel

/// How a value from the file is echoed in an error message: masked first (a card number never
/// appears whole), then cut to a readable length.
package enum Echo {
    /// Values longer than this many scalars are cut, and end with `…`.
    static let maxScalars = 60

    /// `text` masked, cut (to `limit` scalars), and in double quotes: `"card_12"`.
    package static func quoted(_ text: String, limit: Int = maxScalars) -> String {
        "\"" + short(CardNumber.mask(text), limit: limit) + "\""
    }

    /// `text` cut to `limit` scalars with `…` after it. Mask before cutting (a card number cut in
    /// half is no longer recognised) and again after: a cut inside a run of 20 or more digits (not a card
    /// number) can leave 13–19 digits that are one.
    static func short(_ text: String, limit: Int = maxScalars) -> String {
        guard FieldText.isLonger(text, than: limit) else { return text }
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: text.unicodeScalars.prefix(limit))
        return CardNumber.mask(String(kept)) + "…"
    }

    /// A JSON value of the wrong type, described for a message: `number 42`, `true`, `an array`.
    static func describe(_ value: RawValue) -> String {
        switch value {
        case .string(let text): "string " + quoted(text)
        case .number(let literal): "number " + short(CardNumber.mask(literal))
        case .bool(let flag): flag ? "true" : "false"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The column name of a metadata key, masked: `metadata.cost_center`.
    static func metadataField(_ key: String) -> String {
        "metadata." + CardNumber.mask(key)
    }
}

/// The messages of the text rules every id-like field shares (native external_id, Lead's ids and texts): the
/// field named, the value echoed as `Echo.quoted` does.
enum FieldMessage {
    static func tooLong(_ field: String, _ text: String, limit: Int) -> String {
        "\(field) must be 1-\(limit) characters (got \(FieldText.scalarCount(text)): \(Echo.quoted(text)))"
    }

    static func control(_ field: String, _ text: String) -> String {
        "\(field) must not contain control characters (got \(Echo.quoted(text)))"
    }

    static func whitespaceAtEnds(_ field: String, _ text: String) -> String {
        "\(field) must not start or end with white space (got \(Echo.quoted(text)))"
    }
}
