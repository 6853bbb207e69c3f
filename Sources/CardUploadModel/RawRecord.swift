/// One data record read from an upload file: where it starts, and either its fields or why it could not be read.
package struct RawRecord: Sendable {
    /// What the reader made of the record.
    package enum Content: Sendable {
        /// The record was split into fields and mapped to card fields.
        case card(RawCard)
        /// A Lead card file's record, split into its 14 columns (SPEC §9).
        case lead(LeadRawRow)
        /// The record could not be read (`malformed_record`, `record_too_large`); the load goes on.
        case unreadable(RowError)
    }

    /// 1-based line where the record starts (CSV: the header is line 1; JSON lines: the first object is).
    package var line: Int
    /// Byte offset of the record's first byte in the decompressed stream.
    package var offset: Int
    package var content: Content
    /// CSV: the record's cells in column order (decoded, annotation prefix removed); JSON lines: nil.
    /// Kept for the rejects file; nil when the record could not be split.
    package var cells: [String]?
    /// The record as text, for the rejects file: JSON lines, the line (when the reader keeps sources);
    /// CSV, a record that could not be split into its fields, rebuilt whole. Nil otherwise, and for a
    /// record over 1 MiB, which is never held.
    package var source: String?

    package init(line: Int, offset: Int, content: Content, cells: [String]? = nil, source: String? = nil) {
        self.line = line
        self.offset = offset
        self.content = content
        self.cells = cells
        self.source = source
    }
}
