/// An error that fails a whole file (bad header, broken CSV or JSON structure, corrupt gzip, empty file).
///
/// `line` is the 1-based line where the problem was found; `offset` counts bytes of the decompressed
/// stream, except for `corrupt_gzip`, where it counts bytes of the file as stored.
package struct FileError: Error, Sendable, Equatable {
    package var code: ErrorCode
    package var message: String
    package var line: Int?
    package var offset: Int?
    /// What to tell the person fixing the file besides the error itself (SPEC §10): stderr and the report.
    package var hints: [FileHint] = []

    package init(code: ErrorCode, message: String, line: Int? = nil, offset: Int? = nil, hints: [FileHint] = []) {
        self.code = code
        self.message = message
        self.line = line
        self.offset = offset
        self.hints = hints
    }

    /// The same error placed at `line` when it has no line yet (a gzip stream that breaks mid-file is
    /// reported at the line the decoded text had reached).
    package func placed(atLine line: Int) -> FileError {
        var placed = self
        if placed.line == nil { placed.line = line }
        return placed
    }
}
