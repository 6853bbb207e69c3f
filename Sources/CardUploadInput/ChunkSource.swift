import CardUploadModel

/// Something that hands out the decoded bytes of an upload, chunk by chunk.
///
/// `nextChunk()` returns nil at the end; a chunk is never empty. Tests use `ArrayChunkSource`
/// to feed a parser one byte at a time.
package protocol ChunkSource: AnyObject {
    func nextChunk() throws(FileError) -> [UInt8]?
}

/// A chunk source over bytes in memory, cut into chunks of a fixed size (1 = one byte per chunk).
package final class ArrayChunkSource: ChunkSource {
    private let bytes: [UInt8]
    private let chunkSize: Int
    private var position = 0

    package init(_ bytes: [UInt8], chunkSize: Int = 1 << 16) {
        precondition(chunkSize > 0)
        self.bytes = bytes
        self.chunkSize = chunkSize
    }

    package convenience init(_ text: String, chunkSize: Int = 1 << 16) {
        self.init(Array(text.utf8), chunkSize: chunkSize)
    }

    package func nextChunk() throws(FileError) -> [UInt8]? {
        guard position < bytes.count else { return nil }
        let end = min(position + chunkSize, bytes.count)
        defer { position = end }
        return Array(bytes[position..<end])
    }
}
