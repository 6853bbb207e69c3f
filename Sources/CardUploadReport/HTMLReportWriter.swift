import CardUploadModel
import CardUploadStore

/// The HTML report of an upload (SPEC §6): one self-contained file with the counts, a bar chart of
/// rejections by error code (inline SVG) and the first 1,000 rejected rows.
///
/// STUB — the HTML helper replaces this file.
package enum HTMLReportWriter {
    /// The most rejected rows listed.
    package static let rowLimit = 1_000

    /// Writes the HTML report of upload `uploadID` to `output`.
    package static func write(uploadID: String, log: UploadLog, to output: OutputFile) throws {
        try output.write("<!doctype html><title>card-upload report</title>\n")
    }
}
