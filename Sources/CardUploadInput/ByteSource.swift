import CardUploadModel

/// Why an input could not be opened (exit 66; no upload is recorded).
package struct InputOpenError: Error, Sendable {
    package var path: String
    package var message: String
}

/// The decoded bytes of one upload file or standard input, read in large chunks, gzip inflated on the fly.
///
/// STUB — the input helper replaces this file.
package final class ByteSource: ChunkSource {
    /// Opens `path` ("-" = standard input). A missing or unreadable file throws `InputOpenError`.
    package static func open(path: String) throws(InputOpenError) -> ByteSource {
        fatalError("unimplemented")
    }

    /// Whether the stream is gzip; known after the first `nextChunk()`.
    package private(set) var compression: Compression = .none
    /// Bytes read from the file as stored (compressed, for gzip).
    package private(set) var bytesRead: Int = 0
    /// The file's size when it is a regular file (for progress), else nil.
    package private(set) var size: Int?

    package func nextChunk() throws(FileError) -> [UInt8]? {
        fatalError("unimplemented")
    }
}
