import CardUploadInput
import CardUploadModel
import Testing

@testable import CardUploadParsing

/// One tokenizer edge case: input bytes and the records expected from it.
struct CSVTokenizerCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: [UInt8]
    var delimiter: UInt8 = UInt8(ascii: ",")
    var expected: [(line: Int, fields: [String]?, offset: Int?)]
    var maxRecordBytes = 1 << 20

    var testDescription: String { name }

    init(_ name: String, _ input: String, delimiter: UInt8 = UInt8(ascii: ","), maxRecordBytes: Int = 1 << 20,
         _ expected: [CSVExpected]) {
        self.name = name
        self.input = Array(input.utf8)
        self.delimiter = delimiter
        self.maxRecordBytes = maxRecordBytes
        self.expected = expected.map { ($0.line, $0.fields, $0.offset) }
    }

    var expectedRecords: [CSVExpected] { expected.map { CSVExpected($0.line, $0.fields, offset: $0.offset) } }
}

let csvTokenizerCases: [CSVTokenizerCase] = [
    .init("simple LF", "a,b\n1,2\n", [.init(1, ["a", "b"], offset: 0), .init(2, ["1", "2"], offset: 4)]),
    .init("no final line break", "a,b\n1,2", [.init(1, ["a", "b"]), .init(2, ["1", "2"], offset: 4)]),
    .init("CRLF records", "a,b\r\n1,2\r\n", [.init(1, ["a", "b"]), .init(2, ["1", "2"], offset: 5)]),
    .init("lone CR records", "a,b\r1,2\r3,4", [.init(1, ["a", "b"]), .init(2, ["1", "2"], offset: 4), .init(3, ["3", "4"], offset: 8)]),
    .init("mixed terminators and empty lines", "a\n\r\nb\r\rc\n",
          [.init(1, ["a"]), .init(3, ["b"], offset: 4), .init(5, ["c"], offset: 7)]),
    .init("empty lines before the first record", "\n\r\n\ra,b\n", [.init(4, ["a", "b"], offset: 4)]),
    .init("empty lines among records", "a\n\n\nb\n\n", [.init(1, ["a"]), .init(4, ["b"], offset: 4)]),
    .init("BOM skipped but counted in offsets", "\u{FEFF}a,b\n1,2\n", [.init(1, ["a", "b"], offset: 3), .init(2, ["1", "2"], offset: 7)]),
    .init("BOM then an empty line", "\u{FEFF}\na\n", [.init(2, ["a"], offset: 4)]),
    .init("BOM only", "\u{FEFF}", []),
    .init("nothing", "", []),
    .init("only empty lines", "\n\r\n\r", []),
    .init("quoted delimiter", "\"a,b\",c\n", [.init(1, ["a,b", "c"])]),
    .init("escaped quotes", "\"a\"\"b\",\"\"\"\"\n", [.init(1, ["a\"b", "\""])]),
    .init("LF inside quotes", "\"a\nb\",c\nd,e\n", [.init(1, ["a\nb", "c"]), .init(3, ["d", "e"], offset: 8)]),
    .init("CRLF inside quotes", "\"a\r\nb\",c\r\nd,e\r\n", [.init(1, ["a\r\nb", "c"]), .init(3, ["d", "e"], offset: 10)]),
    .init("lone CR inside quotes", "\"a\rb\",c\rd,e", [.init(1, ["a\rb", "c"]), .init(3, ["d", "e"])]),
    .init("empty lines inside quotes are data and count", "\"\n\n\",x\ny", [.init(1, ["\n\n", "x"]), .init(4, ["y"])]),
    .init("CR then LF split by a quote", "\"a\r\"\nb", [.init(1, ["a\r"]), .init(3, ["b"])]),
    .init("bare quote in an unquoted field is data", "ab\"c,d\"\n", [.init(1, ["ab\"c", "d\""])]),
    .init("text after a closing quote is appended", "\"ab\"cd,e\n", [.init(1, ["abcd", "e"])]),
    .init("quotes after the closing quote are data", "\"ab\"c\"d\"\n", [.init(1, ["abc\"d\""])]),
    .init("empty fields", ",,\na,\n\"\",x\n", [.init(1, ["", "", ""]), .init(2, ["a", ""]), .init(3, ["", "x"])]),
    .init("delimiter at the end of input", "a,", [.init(1, ["a", ""])]),
    .init("quoted field ended by CR", "\"a\"\rb", [.init(1, ["a"]), .init(2, ["b"])]),
    .init("quoted field at the end of input", "x\n\"a\"", [.init(1, ["x"]), .init(2, ["a"])]),
    .init("cells are never trimmed", " a , b \n \n", [.init(1, [" a ", " b "]), .init(2, [" "])]),
    .init("a lone empty quoted field is a record", "\"\"\n", [.init(1, [""])]),
    .init("quote not at field start after spaces is data", " \"a,b\"\n", [.init(1, [" \"a", "b\""])]),
    .init("UTF-8 text", "é,ü€\n", [.init(1, ["é", "ü€"])]),
    .init("tab delimiter", "a\tb,c\n\"x\ty\"\tz\n", delimiter: 9, [.init(1, ["a", "b,c"]), .init(2, ["x\ty", "z"])]),
    .init("semicolon delimiter", "a;b,c\n", delimiter: UInt8(ascii: ";"), [.init(1, ["a", "b,c"])]),
    .init("record of exactly the limit", "0123456789\nx", maxRecordBytes: 10, [.init(1, ["0123456789"]), .init(2, ["x"])]),
    .init("record over the limit is skipped", "a,b\n0123456789A\nc,d\n", maxRecordBytes: 10,
          [.init(1, ["a", "b"]), .init(2, nil, offset: 4), .init(3, ["c", "d"], offset: 16)]),
    .init("quoted record over the limit keeps tracking quotes", "\"x\ny\nz\n,\n\"\"\n\",w\r\nc,d", maxRecordBytes: 6,
          [.init(1, nil), .init(7, ["c", "d"])]),
    .init("many small fields over the limit", ",,,,,,,,,,,,\nok", maxRecordBytes: 6, [.init(1, nil), .init(2, ["ok"])]),
    .init("last record over the limit without a line break", "a\n0123456789", maxRecordBytes: 5, [.init(1, ["a"]), .init(2, nil)]),
]

@Suite("CSV tokenizer")
struct CSVTokenizerTests {
    @Test(arguments: csvTokenizerCases, csvChunkSizes)
    func edgeCase(_ testCase: CSVTokenizerCase, chunkSize: Int) throws {
        let records = try tokenize(
            testCase.input, delimiter: testCase.delimiter, chunkSize: chunkSize, maxRecordBytes: testCase.maxRecordBytes)
        #expect(
            matches(records, testCase.expectedRecords),
            "got \(records.map { CSVExpected($0.line, $0.fields, offset: $0.offset) }), want \(testCase.expectedRecords)")
    }

    @Test(arguments: csvChunkSizes)
    func unterminatedQuoteFailsWithTheRecordsLine(chunkSize: Int) throws {
        let input = Array("a,b\r\n1,2\n\n\"open,\nstill open\r\n".utf8)
        let stream = try CSVRecordStream(source: ArrayChunkSource(input, chunkSize: chunkSize), delimiter: UInt8(ascii: ","))
        #expect(try stream.next() == .record)
        #expect(try stream.next() == .record)
        #expect(stream.tokenizer.fields == [Array("1".utf8), Array("2".utf8)])
        #expect(try stream.next() == .unterminatedQuote)
        #expect(stream.tokenizer.recordLine == 4)
        #expect(stream.tokenizer.recordOffset == 10)
        #expect(try stream.next() == .end)
        let error = fileError { () throws(FileError) in _ = try tokenize(input, chunkSize: chunkSize) }
        #expect(error?.code == .malformedCSV)
        #expect(error?.line == 4)
    }

    @Test(arguments: csvChunkSizes)
    func nulBytesAreFlagged(chunkSize: Int) throws {
        let input: [UInt8] = Array("a,b\nx\0y,z\n\"q\0\",r\nok,ok".utf8)
        let stream = try CSVRecordStream(source: ArrayChunkSource(input, chunkSize: chunkSize), delimiter: UInt8(ascii: ","))
        var flags: [Bool] = []
        while try stream.next() == .record { flags.append(stream.tokenizer.recordHasNUL) }
        #expect(flags == [false, true, true, false])
    }

    @Test(arguments: csvChunkSizes)
    func recordLengthOfATooLargeRecord(chunkSize: Int) throws {
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 100)
        let input = Array("h\n".utf8) + big + Array("\r\nnext".utf8)
        let stream = try CSVRecordStream(
            source: ArrayChunkSource(input, chunkSize: chunkSize), delimiter: UInt8(ascii: ","), maxRecordBytes: 50)
        #expect(try stream.next() == .record)
        #expect(try stream.next() == .recordTooLarge)
        #expect(stream.tokenizer.recordLength == 100)
        #expect(stream.tokenizer.fieldCount == 0)
        #expect(stream.tokenizer.withFieldBytes { $0.count } == 0)
        #expect(try stream.next() == .record)
        #expect(stream.tokenizer.recordLine == 3)
    }

    @Test("delimiter sniffing", arguments: [
        ("a;b;c\n1,2,3,4,5\n", ";"),
        ("a|b|c\n", "|"),
        ("a\tb\tc|d\n", "\t"),
        ("a,b;c\n", ","),          // tie between , and ; -> ,
        ("a;b|c\n", ","),          // tie without a comma -> ,
        ("abc\n", ","),            // nothing -> ,
        ("\"x;y;z\";b\n", ";"),    // quoted delimiters do not count
        ("\"a,b,c\"|d\n", "|"),
        ("\n\r\na;b\n", ";"),      // leading empty lines skipped
        ("\u{FEFF}a;b\n", ";"),
        ("a;b", ";"),              // header only, no line break
        ("", ","),
    ])
    func sniffing(input: String, expected: String) throws {
        for chunkSize in csvChunkSizes {
            let stream = try CSVRecordStream(source: ArrayChunkSource(input, chunkSize: chunkSize), delimiter: nil)
            #expect(stream.delimiter == UInt8(ascii: Unicode.Scalar(expected)!), "chunk size \(chunkSize)")
        }
    }

    @Test func sniffedStreamStillReadsEverything() throws {
        for chunkSize in csvChunkSizes {
            let stream = try CSVRecordStream(source: ArrayChunkSource("a;b\n1;2\n", chunkSize: chunkSize), delimiter: nil)
            let records = try stream.readAll()
            #expect(records.map(\.fields) == [["a", "b"], ["1", "2"]])
        }
    }
}
