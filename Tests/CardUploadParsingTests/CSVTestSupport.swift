import CardUploadInput
import CardUploadModel
@testable import CardUploadParsing

/// Chunk sizes every edge case is fed with: one byte per chunk, a few awkward sizes, and the default.
let csvChunkSizes = [1, 2, 3, 5, 7, 64, 1 << 16]

/// A record as the tests write it: line and fields (nil = record too large).
struct CSVExpected: Equatable, CustomStringConvertible {
    var line: Int
    var fields: [String]?
    var offset: Int?

    init(_ line: Int, _ fields: [String]?, offset: Int? = nil) {
        self.line = line
        self.fields = fields
        self.offset = offset
    }

    var description: String { "line \(line)\(offset.map { " @\($0)" } ?? ""): \(fields.map { "\($0)" } ?? "TOO LARGE")" }
}

/// Tokenizes `bytes` through `CSVRecordStream` fed `chunkSize` bytes at a time.
func tokenize(
    _ bytes: [UInt8], delimiter: UInt8? = UInt8(ascii: ","), chunkSize: Int, maxRecordBytes: Int = 1 << 20
) throws(FileError) -> [CSVRecordStream.DecodedRecord] {
    let stream = try CSVRecordStream(
        source: ArrayChunkSource(bytes, chunkSize: chunkSize), delimiter: delimiter, maxRecordBytes: maxRecordBytes)
    return try stream.readAll()
}

/// The records of `bytes`, compared with `expected` (offsets only where given).
func matches(_ records: [CSVRecordStream.DecodedRecord], _ expected: [CSVExpected]) -> Bool {
    guard records.count == expected.count else { return false }
    return zip(records, expected).allSatisfy { record, want in
        record.line == want.line && record.fields == want.fields && (want.offset == nil || want.offset == record.offset)
    }
}

/// Reads every record of a CSV upload through `CSVRecordReader`.
func readUpload(
    _ bytes: [UInt8], options: CSVOptions = CSVOptions(), chunkSize: Int = 1 << 16
) throws(FileError) -> (reader: CSVRecordReader, records: [RawRecord]) {
    let reader = try CSVRecordReader(source: ArrayChunkSource(bytes, chunkSize: chunkSize), options: options)
    var records: [RawRecord] = []
    while let record = try reader.next() { records.append(record) }
    return (reader, records)
}

func readUpload(
    _ text: String, options: CSVOptions = CSVOptions(), chunkSize: Int = 1 << 16
) throws(FileError) -> (reader: CSVRecordReader, records: [RawRecord]) {
    try readUpload(Array(text.utf8), options: options, chunkSize: chunkSize)
}

/// The error `body` throws, or nil.
func fileError(_ body: () throws(FileError) -> Void) -> FileError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

extension RawRecord {
    var card: RawCard? {
        if case .card(let card) = content { return card }
        return nil
    }

    var rowError: RowError? {
        if case .unreadable(let error) = content { return error }
        return nil
    }
}

/// The required columns, in a header, for reader tests.
let uploadHeader = "external_id,account_id,entity_id,details.last_four"
