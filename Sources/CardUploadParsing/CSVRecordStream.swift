import CardUploadInput
import CardUploadModel

/// Pulls chunks from a `ChunkSource` through a `CSVTokenizer`: skips a leading UTF-8 BOM, sniffs the delimiter
/// when none is given, and hands out one record at a time (read them from `tokenizer`).
///
/// Holds the current chunk and the current record only — except while sniffing, when the chunks up to the end of
/// the header line (at most about `maxRecordBytes` plus one chunk) are kept to be tokenized next.
package final class CSVRecordStream {
    /// The delimiter in use (given or sniffed).
    package let delimiter: UInt8
    /// Whether the stream began with a UTF-8 BOM (skipped; it still counts in offsets).
    package let hadByteOrderMark: Bool
    /// The tokenizer; after `next()` returns `.record` or `.recordTooLarge`, the record is in it.
    package private(set) var tokenizer: CSVTokenizer

    private let source: any ChunkSource
    private var chunk: [UInt8] = []
    private var chunkPosition = 0
    /// Chunks read ahead (BOM check, sniffing), tokenized before the source is asked again.
    private var readAhead: [[UInt8]] = []
    private var readAheadIndex = 0
    private var sourceEnded = false
    private var ended = false

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Opens the stream; `delimiter` nil means sniff it from the header line.
    package init(source: any ChunkSource, delimiter: UInt8?, maxRecordBytes: Int = 1 << 20) throws(FileError) {
        self.source = source

        // The first three bytes, for the BOM (a source may hand out one byte per chunk).
        var first: [UInt8] = []
        var sourceEnded = false
        while first.count < 3 {
            let fetched: [UInt8]?
            do { fetched = try source.nextChunk() } catch { throw error.placed(atLine: 1) }
            guard let next = fetched else {
                sourceEnded = true
                break
            }
            first.append(contentsOf: next)
        }
        let hasBOM = first.count >= 3 && first[0..<3].elementsEqual(Self.byteOrderMark)
        if hasBOM { first.removeFirst(3) }
        hadByteOrderMark = hasBOM

        var readAhead: [[UInt8]] = first.isEmpty ? [] : [first]
        if let delimiter {
            self.delimiter = delimiter
        } else {
            var sniffer = CSVDelimiterSniffer()
            sniffer.feed(first)
            while !sniffer.isDone, !sourceEnded, sniffer.bytesSeen <= maxRecordBytes + 4 {
                let fetched: [UInt8]?
                do { fetched = try source.nextChunk() } catch { throw error.placed(atLine: 1) }
                guard let next = fetched else {
                    sourceEnded = true
                    break
                }
                sniffer.feed(next)
                readAhead.append(next)
            }
            self.delimiter = sniffer.delimiter
        }
        self.readAhead = readAhead
        self.sourceEnded = sourceEnded
        tokenizer = CSVTokenizer(
            delimiter: self.delimiter, maxRecordBytes: maxRecordBytes, startOffset: hasBOM ? 3 : 0)
    }

    /// Scans to the end of the next record: `.record`, `.recordTooLarge`, `.unterminatedQuote` (the input ended
    /// inside quotes; the stream is over) or `.end`.
    package func next() throws(FileError) -> CSVTokenizer.Step {
        if ended { return .end }
        while true {
            if chunkPosition < chunk.count {
                let position = chunkPosition
                let (consumed, step) = chunk.withUnsafeBufferPointer { buffer in
                    tokenizer.consume(UnsafeBufferPointer(rebasing: buffer[position...]))
                }
                chunkPosition += consumed
                if step != .needInput { return step }
            }
            guard try loadChunk() else {
                let step = tokenizer.finish()
                if step == .end || step == .unterminatedQuote { ended = true }
                return step
            }
        }
    }

    /// Makes the next chunk current; false at the end of the input.
    private func loadChunk() throws(FileError) -> Bool {
        chunkPosition = 0
        if readAheadIndex < readAhead.count {
            chunk = readAhead[readAheadIndex]
            readAhead[readAheadIndex] = []
            readAheadIndex += 1
            if readAheadIndex == readAhead.count {
                readAhead = []
                readAheadIndex = 0
            }
            return true
        }
        chunk = []
        if sourceEnded { return false }
        let fetched: [UInt8]?
        do { fetched = try source.nextChunk() } catch { throw error.placed(atLine: tokenizer.line) }
        guard let next = fetched else {
            sourceEnded = true
            return false
        }
        chunk = next
        return true
    }
}

extension CSVRecordStream {
    /// One record as the tokenizer split it, decoded as UTF-8 (lossily) — for tests and tools.
    package struct DecodedRecord: Equatable, Sendable {
        package var line: Int
        package var offset: Int
        /// nil for a record over the size limit.
        package var fields: [String]?
    }

    /// Reads every remaining record; throws `malformed_csv` for a quote left open at the end.
    package func readAll() throws(FileError) -> [DecodedRecord] {
        var records: [DecodedRecord] = []
        while true {
            switch try next() {
            case .record:
                let fields = tokenizer.fields.map { String(decoding: $0, as: UTF8.self) }
                records.append(DecodedRecord(line: tokenizer.recordLine, offset: tokenizer.recordOffset, fields: fields))
            case .recordTooLarge:
                records.append(DecodedRecord(line: tokenizer.recordLine, offset: tokenizer.recordOffset, fields: nil))
            case .unterminatedQuote:
                throw FileError(
                    code: .malformedCSV, message: "a quoted field is never closed",
                    line: tokenizer.recordLine, offset: tokenizer.recordOffset)
            case .end, .needInput:
                return records
            }
        }
    }
}
