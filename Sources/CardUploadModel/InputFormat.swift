/// The upload file formats.
package enum InputFormat: String, Sendable, CaseIterable {
    case csv, tsv, jsonl
}

/// The text encodings accepted for CSV and TSV (`--encoding`).
package enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case latin1
    case cp1252
}

/// How the input was stored.
package enum Compression: String, Sendable {
    case none, gzip
}
