import CardUploadModel

/// Chooses the upload format: from the file name (a trailing `.gz` ignored), else sniffed from the first bytes.
///
/// STUB — the input helper replaces this file.
package enum FormatDetection {
    /// The format a file name implies (`a.csv`, `a.tsv.gz`, `a.jsonl`), or nil for standard input or another name.
    package static func format(forFileName name: String) -> InputFormat? {
        fatalError("unimplemented")
    }

    /// Sniffs decoded leading bytes: a first non-blank byte `{` means JSON lines, anything else CSV.
    package static func sniff(_ prefix: some Collection<UInt8>) -> InputFormat {
        fatalError("unimplemented")
    }
}
