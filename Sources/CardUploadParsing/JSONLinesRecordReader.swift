import CardUploadInput
import CardUploadModel

/// Reads upload records from JSON lines: one strict RFC 8259 object per line, blank lines skipped.
///
/// STUB — the parsing helper replaces this file.
package final class JSONLinesRecordReader {
    package init(source: any ChunkSource) {
        fatalError("unimplemented")
    }

    /// The next record, or nil at the end.
    package func next() throws(FileError) -> RawRecord? {
        fatalError("unimplemented")
    }
}
