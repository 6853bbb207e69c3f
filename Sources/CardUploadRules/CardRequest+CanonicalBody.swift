import CardUploadModel

/// The canonical body of a request (SPEC §4): the bytes two requests are compared by.
///
/// Compact JSON with sorted keys:
/// `{"account_id":…,"details":{"last_four":…[,"replacement_for":…]},"entity_id":…,"metadata":{…},"type":…}`.
/// Metadata keys are sorted byte for byte and `metadata` is `{}` when empty; `replacement_for` is left
/// out when absent. Strings are escaped one way only: `"` and `\` with a backslash, U+0000–U+001F as
/// `\b \t \n \f \r` or `\u00xx`; every other character is its own UTF-8 bytes, never normalised.
///
/// Compare bodies by their bytes (`a.utf8.elementsEqual(b.utf8)`, or SQLite's BINARY collation),
/// never with Swift `==`, which takes `é` and `e\u{301}` for the same string.
extension CardRequest {
    /// The canonical body as a string.
    package var canonicalBody: String {
        String(decoding: canonicalBodyBytes, as: UTF8.self)
    }

    /// The canonical body as UTF-8 bytes.
    package var canonicalBodyBytes: [UInt8] {
        var json = CanonicalJSON()
        json.append(raw: "{\"account_id\":")
        json.append(string: accountID)
        json.append(raw: ",\"details\":{\"last_four\":")
        json.append(string: lastFour)
        if let replacementFor {
            json.append(raw: ",\"replacement_for\":")
            json.append(string: replacementFor)
        }
        json.append(raw: "},\"entity_id\":")
        json.append(string: entityID)
        json.append(raw: ",\"metadata\":")
        json.append(metadata: metadata)
        json.append(raw: ",\"type\":")
        json.append(string: type.rawValue)
        json.append(raw: "}")
        return json.bytes
    }

    /// `entries` (already sorted by key bytes) as a compact JSON object (`{}` when empty).
    static func canonicalJSON(metadata entries: [(key: String, value: String)]) -> String {
        if entries.isEmpty { return "{}" }
        var json = CanonicalJSON()
        json.append(metadata: entries)
        return String(decoding: json.bytes, as: UTF8.self)
    }
}

/// A byte buffer that JSON is written into the canonical way.
struct CanonicalJSON {
    private(set) var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(256)
    }

    /// Appends JSON text as it is.
    mutating func append(raw text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends `entries`, already sorted by key bytes, as a JSON object.
    mutating func append(metadata entries: [(key: String, value: String)]) {
        bytes.append(UInt8(ascii: "{"))
        for (index, entry) in entries.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            append(string: entry.key)
            bytes.append(UInt8(ascii: ":"))
            append(string: entry.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends `text` as a JSON string, escaped the one canonical way (`JSONString`, shared by every output).
    mutating func append(string text: String) {
        JSONString.append(text, to: &bytes)
    }
}
