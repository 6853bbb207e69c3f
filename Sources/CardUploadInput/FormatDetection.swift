import CardUploadModel

/// Chooses the upload format: from the file name (a trailing `.gz` ignored), else sniffed from the first bytes.
package enum FormatDetection {
    /// The format a file name implies (`a.csv`, `a.tsv.gz`, `a.jsonl`, `a.ndjson`), or nil for standard input or another name.
    ///
    /// Only the last path component counts, compared without regard to ASCII case. `.json` is
    /// not JSON lines (a `.json` file is usually one document), so it is nil and left to `sniff`.
    package static func format(forFileName name: String) -> InputFormat? {
        guard name != "-" else { return nil }
        let fileName = name.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? name
        var lowercased = fileName.lowercased()
        if lowercased.hasSuffix(".gz") {
            lowercased.removeLast(3)
        }
        guard let dot = lowercased.lastIndex(of: "."), dot != lowercased.startIndex else { return nil }
        switch lowercased[lowercased.index(after: dot)...] {
        case "csv": return .csv
        case "tsv": return .tsv
        case "jsonl", "ndjson": return .jsonl
        default: return nil
        }
    }

    /// Sniffs decoded leading bytes: a first non-blank byte `{` means JSON lines, anything else CSV.
    ///
    /// A UTF-8 byte order mark at the very start is skipped, then JSON white space (space, tab,
    /// CR, LF). No bytes, or only blanks, is CSV.
    package static func sniff(_ prefix: some Collection<UInt8>) -> InputFormat {
        var bytes = prefix[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes = bytes.dropFirst(3)
        }
        let firstNonBlank = bytes.first { byte in
            byte != .space && byte != .tab && byte != .carriageReturn && byte != .lineFeed
        }
        return firstNonBlank == .openingBrace ? .jsonl : .csv
    }
}

extension UInt8 {
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let tab = UInt8(ascii: "\t")
    fileprivate static let carriageReturn = UInt8(ascii: "\r")
    fileprivate static let lineFeed = UInt8(ascii: "\n")
    fileprivate static let openingBrace = UInt8(ascii: "{")
}
