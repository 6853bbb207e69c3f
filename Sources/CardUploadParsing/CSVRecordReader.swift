import CardUploadInput
import CardUploadModel

/// Options for reading CSV and TSV.
package struct CSVOptions: Sendable {
    /// `--delimiter`, or nil to sniff it from the header line.
    package var delimiter: UInt8?
    package var encoding: TextEncoding
    /// True when `--entity` was given, so `entity_id` is not a required column.
    package var hasDefaultEntity: Bool

    package init(delimiter: UInt8? = nil, encoding: TextEncoding = .utf8, hasDefaultEntity: Bool = false) {
        self.delimiter = delimiter
        self.encoding = encoding
        self.hasDefaultEntity = hasDefaultEntity
    }
}

/// Reads upload records from CSV or TSV, chunk by chunk: the header first, then one `RawRecord` per data record.
///
/// STUB — the parsing helper replaces this file.
package final class CSVRecordReader {
    /// The delimiter in use (given or sniffed).
    package let delimiter: UInt8
    /// The header's column names, in order.
    package let columns: [String]

    /// Reads and checks the header. Throws `FileError` for `empty_file`, `malformed_header`, `unknown_column`,
    /// `missing_column`, `duplicate_column`, `column_not_settable`.
    package init(source: any ChunkSource, options: CSVOptions) throws(FileError) {
        fatalError("unimplemented")
    }

    /// The next data record, or nil at the end. Throws `FileError` (`malformed_csv`) for a quote left open at the end.
    package func next() throws(FileError) -> RawRecord? {
        fatalError("unimplemented")
    }
}
