import CardUploadInput
import CardUploadModel
import Foundation

/// Reads upload records from JSON lines: one strict RFC 8259 object per line, blank lines skipped.
///
/// Lines end at byte 0x0A only (a CR before it is JSON white space; a U+2028 inside a string is data).
/// Each byte is scanned for the line end once: a line that spans chunks is stitched in a buffer, and a
/// line within one chunk is parsed where it lies. A line over `maximumLineLength` bytes is reported as
/// `record_too_large` and skipped to its end without being kept, so memory never grows with the file.
package final class JSONLinesRecordReader {
    /// The longest line accepted, in bytes, not counting its line feed (1 MiB).
    package static let maximumLineLength = 1 << 20

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    private let source: any ChunkSource
    private var chunk: [UInt8] = []
    /// Next byte of `chunk` to scan.
    private var chunkIndex = 0
    /// Stream offset of `chunk[0]`.
    private var chunkOffset = 0
    private var isAtEnd = false

    /// Bytes of the current line taken from earlier chunks (empty once the line is too large).
    private var pendingLine: [UInt8] = []
    /// Length of the current line so far, including bytes not kept.
    private var pendingLength = 0
    /// 1-based physical line number of the current line.
    private var lineNumber = 1
    /// Stream offset of the current line's first byte.
    private var lineOffset = 0

    /// Keep each line's text in `RawRecord.source` (for the rejects file).
    package var keepsSourceText = false

    package init(source: any ChunkSource) {
        self.source = source
    }

    /// The next record, or nil at the end. Throws only what the source throws (`corrupt_gzip`).
    package func next() throws(FileError) -> RawRecord? {
        while !isAtEnd {
            if chunkIndex == chunk.count {
                chunkOffset += chunk.count
                chunk = []
                chunkIndex = 0
                let fetched: [UInt8]?
                do { fetched = try source.nextChunk() } catch { throw error.placed(atLine: lineNumber) }
                guard let nextChunk = fetched else {
                    isAtEnd = true
                    // The last line has no line feed.
                    if pendingLength > 0 {
                        return finishLine(endingAt: chunkOffset, fromChunk: nil)
                    }
                    return nil
                }
                chunk = nextChunk
                continue
            }
            if let lineFeed = nextLineFeed() {
                let record: RawRecord?
                if pendingLength == 0 {
                    record = finishLine(endingAt: chunkOffset + lineFeed + 1, fromChunk: chunkIndex..<lineFeed)
                } else {
                    keep(chunk[chunkIndex..<lineFeed])
                    record = finishLine(endingAt: chunkOffset + lineFeed + 1, fromChunk: nil)
                }
                chunkIndex = lineFeed + 1
                if let record {
                    return record
                }
            } else {
                keep(chunk[chunkIndex...])
                chunkIndex = chunk.count
            }
        }
        return nil
    }

    /// The index of the first line feed in `chunk` from `chunkIndex` on (`memchr`: a 1 GiB line without one
    /// is scanned at memory speed, also in a debug build).
    private func nextLineFeed() -> Int? {
        chunk.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, chunkIndex < buffer.count,
                  let found = memchr(base + chunkIndex, Int32(JSONByte.lineFeed), buffer.count - chunkIndex)
            else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Adds bytes to the current line, or only counts them once the line is too large.
    private func keep(_ bytes: ArraySlice<UInt8>) {
        pendingLength += bytes.count
        guard pendingLength <= Self.maximumLineLength else {
            if !pendingLine.isEmpty {
                pendingLine = []
            }
            return
        }
        pendingLine.append(contentsOf: bytes)
    }

    /// Reads the line that just ended — `chunk[range]` when it lies in one chunk, else `pendingLine` —
    /// and starts the next line at `nextLineOffset`.
    private func finishLine(endingAt nextLineOffset: Int, fromChunk range: Range<Int>?) -> RawRecord? {
        defer {
            pendingLine.removeAll(keepingCapacity: pendingLine.capacity <= Self.maximumLineLength / 16)
            pendingLength = 0
            lineNumber += 1
            lineOffset = nextLineOffset
        }
        let length = range?.count ?? pendingLength
        guard length <= Self.maximumLineLength else {
            let error = RowError(
                field: nil,
                code: .recordTooLarge,
                message: "line is \(length) bytes long, over the limit of \(Self.maximumLineLength) bytes (1 MiB); skipped"
            )
            return RawRecord(line: lineNumber, offset: lineOffset, content: .unreadable(error))
        }
        if let range {
            return record(from: chunk[range])
        }
        return record(from: pendingLine[...])
    }

    /// The record of one complete line (without its line feed), or nil for a blank line.
    private func record(from line: ArraySlice<UInt8>) -> RawRecord? {
        var body = line
        var columnBase = 1
        if lineNumber == 1, body.starts(with: Self.byteOrderMark) {
            body = body.dropFirst(Self.byteOrderMark.count)
            columnBase += Self.byteOrderMark.count
        }
        guard body.contains(where: { !JSONByte.isWhitespace($0) }) else {
            return nil
        }
        let content: RawRecord.Content
        if let card = JSONDocumentParser.commonShapeCard(body) {
            // Most lines: straight into the card (see `commonShapeCard`); the rest are parsed in full.
            content = .card(card)
        } else {
            content = Self.parsedInFull(body, columnBase: columnBase)
        }
        let text = keepsSourceText ? String(decoding: body, as: UTF8.self) : nil
        return RawRecord(line: lineNumber, offset: lineOffset, content: content, source: text)
    }

    /// A line parsed into a `JSONValue` and mapped: its card, or why it is not one.
    private static func parsedInFull(_ body: ArraySlice<UInt8>, columnBase: Int) -> RawRecord.Content {
        let content: RawRecord.Content
        do {
            let value = try JSONDocumentParser.parse(body)
            if case .object(let members) = value {
                content = .card(JSONCardMapping.card(from: members))
            } else {
                content = .unreadable(RowError(
                    field: nil,
                    code: .malformedRecord,
                    message: "line is not a JSON object: it holds \(value.kindDescription)"
                ))
            }
        } catch {
            content = .unreadable(RowError(
                field: nil,
                code: .malformedRecord,
                message: "line is not valid JSON: \(error.message) at column \(error.offset + columnBase)"
            ))
        }
        return content
    }
}
