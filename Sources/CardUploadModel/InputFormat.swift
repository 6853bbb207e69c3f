/// The upload file formats.
package enum InputFormat: String, Sendable, CaseIterable {
    case csv, tsv, jsonl
}

/// The text encodings a CSV or TSV file is read in: what the report's `encoding` says.
package enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    /// Windows-1252 as the WHATWG Encoding Standard reads it (0x80–0x9F are `€`, `‚`, …; five bytes have no
    /// character). Also what `--encoding latin1` reads: every browser treats the two names alike.
    case cp1252
}

/// `--encoding` (SPEC §1, §10): how to read a CSV or TSV file.
package enum EncodingChoice: String, Sendable, CaseIterable {
    /// UTF-8 until the first byte sequence that is not UTF-8; Windows-1252 from there on when every byte
    /// before it was ASCII (Excel's plain "CSV"). The default.
    case auto
    /// Strict UTF-8.
    case utf8 = "utf-8"
    /// Windows-1252 (`latin1`, `iso-8859-1`, `windows-1252`, `cp1252`).
    case cp1252

    /// The names `--encoding` accepts, any letter case (SPEC §1).
    package static let names: [String: EncodingChoice] = [
        "auto": .auto, "utf-8": .utf8, "utf8": .utf8,
        "cp1252": .cp1252, "windows-1252": .cp1252, "latin1": .cp1252, "iso-8859-1": .cp1252,
    ]

    /// The choice `name` spells (any letter case), or nil.
    package init?(name: String) {
        guard let choice = Self.names[name.lowercased()] else { return nil }
        self = choice
    }

    /// The encoding the file is read in before its bytes say otherwise.
    package var initial: TextEncoding { self == .cp1252 ? .cp1252 : .utf8 }
}

/// How the input was stored.
package enum Compression: String, Sendable {
    case none, gzip
}
