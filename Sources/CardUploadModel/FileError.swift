/// An error that fails a whole file (bad header, broken CSV or JSON structure, corrupt gzip, empty file).
///
/// `line` is the 1-based line where the problem was found; `offset` counts bytes of the decompressed
/// stream, except for `corrupt_gzip`, where it counts bytes of the file as stored.
package struct FileError: Error, Sendable, Equatable {
    package var code: ErrorCode
    package var message: String
    package var line: Int?
    package var offset: Int?

    package init(code: ErrorCode, message: String, line: Int? = nil, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.line = line
        self.offset = offset
    }
}
