import CardUploadInput
import CardUploadModel
import CardUploadParsing

/// Something that yields upload records one by one (the CSV/TSV and JSON-lines readers).
protocol RecordReader: AnyObject {
    func next() throws(FileError) -> RawRecord?
}

extension CSVRecordReader: RecordReader {}
extension JSONLinesRecordReader: RecordReader {}

/// A chunk source that hands out an already-read first chunk, then the rest of the input.
final class PrefixedChunkSource: ChunkSource {
    private var first: [UInt8]?
    private let rest: any ChunkSource

    init(first: [UInt8]?, rest: any ChunkSource) {
        self.first = first
        self.rest = rest
    }

    func nextChunk() throws(FileError) -> [UInt8]? {
        if let chunk = first {
            first = nil
            return chunk
        }
        return try rest.nextChunk()
    }
}
