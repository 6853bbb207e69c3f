import CardUploadInput
import CardUploadModel
import Testing

@testable import CardUploadParsing

/// A record as tests compare it: where it starts and what the reader made of it.
enum JSONRecordSnapshot: Equatable, CustomStringConvertible {
    case card(line: Int, offset: Int, RawCard)
    case unreadable(line: Int, offset: Int, RowError)

    init(_ record: RawRecord) {
        switch record.content {
        case .card(let card): self = .card(line: record.line, offset: record.offset, card)
        case .unreadable(let error): self = .unreadable(line: record.line, offset: record.offset, error)
        case .lead: fatalError("a JSON-lines reader makes no Lead rows")
        }
    }

    var line: Int {
        switch self {
        case .card(let line, _, _), .unreadable(let line, _, _): line
        }
    }

    var error: RowError? {
        if case .unreadable(_, _, let error) = self { error } else { nil }
    }

    var card: RawCard? {
        if case .card(_, _, let card) = self { card } else { nil }
    }

    var description: String {
        switch self {
        case let .card(line, offset, card): "card(line \(line), offset \(offset), \(card))"
        case let .unreadable(line, offset, error): "unreadable(line \(line), offset \(offset), \(error))"
        }
    }
}

/// A source that hands out its chunks, then fails as a cut-short gzip stream would.
final class FailingChunkSource: ChunkSource {
    private var chunks: [[UInt8]]

    init(chunks: [[UInt8]]) {
        self.chunks = chunks
    }

    func nextChunk() throws(FileError) -> [UInt8]? {
        guard chunks.isEmpty else { return chunks.removeFirst() }
        throw FileError(code: .corruptGzip, message: "gzip stream cut short", offset: 10)
    }
}

@Suite struct JSONLinesRecordReaderTests {
    static func read(_ bytes: [UInt8], chunkSize: Int = 1 << 16) throws -> [JSONRecordSnapshot] {
        let reader = JSONLinesRecordReader(source: ArrayChunkSource(bytes, chunkSize: chunkSize))
        var records: [JSONRecordSnapshot] = []
        while let record = try reader.next() {
            #expect(record.cells == nil)
            records.append(JSONRecordSnapshot(record))
        }
        #expect(try reader.next() == nil, "the reader stays at its end")
        return records
    }

    static func read(_ text: String, chunkSize: Int = 1 << 16) throws -> [JSONRecordSnapshot] {
        try read(Array(text.utf8), chunkSize: chunkSize)
    }

    static func malformed(_ message: String) -> RowError {
        RowError(field: nil, code: .malformedRecord, message: message)
    }

    /// Every feature of the line splitter in one file: BOM, CRLF, blank lines, U+2028, a multi-byte character,
    /// a non-object, a syntax error, invalid UTF-8, and a last line without a line feed.
    static let mixedFile: [UInt8] =
        Array("\u{FEFF}{\"external_id\":\"e1\",\"details\":{\"last_four\":\"0042\"}}\r\n".utf8)  // line 1, offset 0
        + Array("\n".utf8)                                                                   // line 2, offset 57
        + Array("  \t\r\n".utf8)                                                             // line 3, offset 58
        + Array("{\"external_id\":\"a\u{2028}b\",\"metadata\":{\"k\":\"é😀\"}}\n".utf8)      // line 4, offset 62
        + Array("[1,2]\n".utf8)                                                              // line 5, offset 112
        + Array("{\"a\":1,}\n".utf8)                                                         // line 6, offset 118
        + [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D, 0x0A]                      // line 7, offset 127
        + Array("\r\n{\"type\":\"virtual\"}".utf8)                                           // line 8 blank, line 9, offset 139

    static let mixedFileRecords: [JSONRecordSnapshot] = [
        .card(line: 1, offset: 0, RawCard(externalID: .string("e1"), lastFour: .string("0042"))),
        .card(line: 4, offset: 62, RawCard(externalID: .string("a\u{2028}b"), metadata: [("k", .string("é😀"))])),
        .unreadable(line: 5, offset: 112, malformed("line is not a JSON object: it holds an array")),
        .unreadable(line: 6, offset: 118, malformed("line is not valid JSON: a trailing comma at column 7")),
        .unreadable(line: 7, offset: 127, malformed("line is not valid JSON: invalid UTF-8 at column 7")),
        .card(line: 9, offset: 139, RawCard(type: .string("virtual"))),
    ]

    @Test func readsAMixedFile() throws {
        let records = try Self.read(Self.mixedFile)
        #expect(records == Self.mixedFileRecords)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 7, 13, 64, 100, 1 << 20])
    func chunkSizeDoesNotChangeTheRecords(chunkSize: Int) throws {
        let records = try Self.read(Self.mixedFile, chunkSize: chunkSize)
        #expect(records == Self.mixedFileRecords)
    }

    @Test func emptyAndBlankFilesHaveNoRecords() throws {
        #expect(try Self.read("").isEmpty)
        #expect(try Self.read("\n\n \r\n\t\n").isEmpty)
        #expect(try Self.read("\u{FEFF}").isEmpty)
        #expect(try Self.read("\u{FEFF}\n", chunkSize: 1).isEmpty)
    }

    @Test func blankLinesCountForLineNumbers() throws {
        let records = try Self.read("\n\n{}\n \n\r\n{}\n\n", chunkSize: 1)
        #expect(records == [
            .card(line: 3, offset: 2, RawCard()),
            .card(line: 6, offset: 9, RawCard()),
        ])
    }

    @Test func crlfLineEndsAreWhiteSpace() throws {
        let records = try Self.read("{\"type\":\"a\"}\r\n{\"type\":\"b\"}\r\n", chunkSize: 1)
        #expect(records == [
            .card(line: 1, offset: 0, RawCard(type: .string("a"))),
            .card(line: 2, offset: 14, RawCard(type: .string("b"))),
        ])
    }

    @Test func aLoneCarriageReturnIsNotALineEnd() throws {
        let records = try Self.read("{\"type\":\"a\"}\r{\"type\":\"b\"}\n")
        #expect(records == [.unreadable(line: 1, offset: 0, Self.malformed(
            "line is not valid JSON: an unexpected character after the JSON value at column 14"))])
    }

    @Test func byteOrderMarkIsSkippedOnTheFirstLineOnly() throws {
        let records = try Self.read("\u{FEFF}{}\n\u{FEFF}{}\n", chunkSize: 1)
        #expect(records == [
            .card(line: 1, offset: 0, RawCard()),
            .unreadable(line: 2, offset: 6, Self.malformed(
                "line is not valid JSON: expected a value, found a non-ASCII byte at column 1")),
        ])
        // A BOM on a blank first line is skipped too, and the next line is still line 2 without its BOM skipped.
        #expect(try Self.read("\u{FEFF}\r\n{}") == [.card(line: 2, offset: 5, RawCard())])
    }

    @Test func lineSeparatorInsideAStringIsNotALineBreak() throws {
        let text = "{\"external_id\":\"x\u{2028}y\u{2029}z\u{85}\"}\n{\"type\":\"t\"}"
        for chunkSize in [1, 1 << 16] {
            let records = try Self.read(text, chunkSize: chunkSize)
            #expect(records == [
                .card(line: 1, offset: 0, RawCard(externalID: .string("x\u{2028}y\u{2029}z\u{85}"))),
                .card(line: 2, offset: 30, RawCard(type: .string("t"))),
            ])
        }
    }

    @Test func linesThatAreNotObjectsAreMalformed() throws {
        let records = try Self.read("[]\n\"s\"\n1\nnull\ntrue\n{}\n")
        #expect(records.map(\.error?.message) == [
            "line is not a JSON object: it holds an array",
            "line is not a JSON object: it holds a string",
            "line is not a JSON object: it holds a number",
            "line is not a JSON object: it holds null",
            "line is not a JSON object: it holds a boolean",
            nil,
        ])
        #expect(records.map(\.line) == [1, 2, 3, 4, 5, 6])
        #expect(records.allSatisfy { $0.error == nil || $0.error?.code == .malformedRecord && $0.error?.field == nil })
    }

    @Test func strictnessFailuresAreMalformedRecordsAndTheLoadGoesOn() throws {
        let deep = String(repeating: "{\"a\":", count: 64) + "{}" + String(repeating: "}", count: 64)
        let lines = [
            #"{"external_id":"a","external_id":"b"}"#,
            #"{"metadata":{"k":1,"k":2}}"#,
            #"{"external_id":"\ud800"}"#,
            #"{"external_id":"\udc00x"}"#,
            #"{"external_id":"a",}"#,
            #"{"external_id":"a"} x"#,
            deep,
            #"{"ok":true}"#,
        ]
        let records = try Self.read(lines.joined(separator: "\n"), chunkSize: 3)
        #expect(records.map(\.error?.message) == [
            "line is not valid JSON: a duplicate key at column 20",
            "line is not valid JSON: a duplicate key at column 20",
            "line is not valid JSON: a lone surrogate escape at column 17",
            "line is not valid JSON: a lone surrogate escape at column 17",
            "line is not valid JSON: a trailing comma at column 19",
            "line is not valid JSON: an unexpected character after the JSON value at column 21",
            "line is not valid JSON: nesting deeper than 64 levels at column 321",
            nil,
        ])
        #expect(records.map(\.line) == Array(1...8))
    }

    @Test func depth64IsAcceptedOnALine() throws {
        let deep = String(repeating: "{\"a\":", count: 63) + "{}" + String(repeating: "}", count: 63)
        #expect(try Self.read(deep) == [.card(line: 1, offset: 0, RawCard(extraFields: [("a", .unknownField)]))])
    }

    @Test func messagesNeverEchoTheLine() throws {
        let card = "4111111111111111"
        let lines = [
            "{\"external_id\":\"\(card)\",}", "[\"\(card)\"]", "{\"external_id\":\(card)x}", "\"\(card)\"",
            "{\"\(card)\":1,\"\(card)\":2}",
        ]
        let records = try Self.read(lines.joined(separator: "\n"))
        #expect(records.count == lines.count)
        for record in records {
            #expect(record.error?.message.contains("1111") == false, "\(record)")
        }
    }

    static func bigLine(length: Int) -> [UInt8] {
        // {"external_id":"xxx…"} padded to exactly `length` bytes.
        let prefix = Array("{\"external_id\":\"".utf8)
        let suffix = Array("\"}".utf8)
        return prefix + [UInt8](repeating: UInt8(ascii: "x"), count: length - prefix.count - suffix.count) + suffix
    }

    static let tooLarge = RowError(
        field: nil, code: .recordTooLarge,
        message: "line is 2097152 bytes long, over the limit of 1048576 bytes (1 MiB); skipped"
    )

    @Test(arguments: [1, 4096, 1 << 16, 4 << 20])
    func aLineOver1MiBIsSkippedAndTheNextLineIsRead(chunkSize: Int) throws {
        let bytes = Self.bigLine(length: 2 << 20) + [0x0A] + Array("{\"type\":\"t\"}\n".utf8)
        #expect(try Self.read(bytes, chunkSize: chunkSize) == [
            .unreadable(line: 1, offset: 0, Self.tooLarge),
            .card(line: 2, offset: (2 << 20) + 1, RawCard(type: .string("t"))),
        ])
    }

    @Test(arguments: [4096, 4 << 20])
    func theLimitIsExactly1MiB(chunkSize: Int) throws {
        let limit = JSONLinesRecordReader.maximumLineLength
        #expect(limit == 1_048_576)
        let atLimit = Self.bigLine(length: limit)
        let overLimit = Self.bigLine(length: limit + 1)
        let records = try Self.read(atLimit + [0x0A] + overLimit + [0x0A] + atLimit, chunkSize: chunkSize)
        #expect(records.map(\.line) == [1, 2, 3])
        #expect(records.map { $0.error?.code } == [nil, .recordTooLarge, nil])
        #expect(records[1].error?.message.hasPrefix("line is 1048577 bytes long") == true)
        #expect(records[2].card?.externalID == .string(String(repeating: "x", count: limit - 18)))
    }

    @Test(arguments: [4096, 4 << 20])
    func anOversizedLastLineWithoutLineFeedIsReported(chunkSize: Int) throws {
        let bytes = Array("{}\n".utf8) + Self.bigLine(length: 2 << 20)
        #expect(try Self.read(bytes, chunkSize: chunkSize) == [
            .card(line: 1, offset: 0, RawCard()),
            .unreadable(line: 2, offset: 3, Self.tooLarge),
        ])
    }

    @Test func aFailingSourceThrowsAfterTheRecordsBeforeIt() throws {
        let reader = JSONLinesRecordReader(source: FailingChunkSource(chunks: [Array("{}\n{\"type\"".utf8)]))
        let first = try #require(try reader.next())
        #expect(JSONRecordSnapshot(first) == .card(line: 1, offset: 0, RawCard()))
        // The error is placed at the line the decoded text had reached.
        #expect(throws: FileError(code: .corruptGzip, message: "gzip stream cut short", line: 2, offset: 10)) {
            try reader.next()
        }
    }
}
