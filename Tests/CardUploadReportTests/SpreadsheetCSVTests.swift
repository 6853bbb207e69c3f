import CardUploadInput
import CardUploadModel
import CardUploadParsing
@testable import CardUploadReport
import Foundation
import Testing

/// Cells the tool writes into CSV: formulas neutralised (OWASP), numbers left alone, quoting per RFC 4180.
@Suite struct SpreadsheetCSVTests {
    static let comma = UInt8(ascii: ",")
    static let delimiters = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "|"), 0x09]

    @Test(arguments: [
        "=SUM(A1)", "+cmd", "-2+3", "@import", "\tTab", "\rCR", "-", "+",
        // SPEC §6: NUL and the full-width forms, which spreadsheets also take for formula starts.
        "\u{0}=1", "＝SUM(A1)", "＋cmd", "－2+3", "＠import", "＝",
    ])
    func formulaStartsGetAQuote(cell: String) {
        #expect(SpreadsheetCSV.neutralized(cell) == "'" + cell)
    }

    @Test(arguments: ["-12.5", "+3", "-0", "1e5", "-.5", "+1.5E-3", "42"])
    func plainNumbersAreLeftAlone(cell: String) {
        #expect(SpreadsheetCSV.neutralized(cell) == cell)
    }

    /// Other full-width characters, and characters sharing the full-width forms' first UTF-8 bytes, are text.
    @Test(arguments: ["＃x", "＄5", "（1）", "\u{FF1C}x", "ｘ", "\u{FF0C}", "x＝1"])
    func otherFullWidthCharactersAreLeftAlone(cell: String) {
        #expect(SpreadsheetCSV.neutralized(cell) == cell)
    }

    @Test func aCellThatAlreadyLooksNeutralisedGetsAnotherQuoteSoItRoundTrips() {
        #expect(SpreadsheetCSV.neutralized("'=x") == "''=x")
        #expect(SpreadsheetCSV.neutralized("'plain") == "'plain")
        // Found by fuzz-rules: any run of `'` before a formula character gets one more.
        #expect(SpreadsheetCSV.neutralized("''=x") == "'''=x")
        #expect(SpreadsheetCSV.neutralized("'''@x") == "''''@x")
        #expect(SpreadsheetCSV.neutralized("''x") == "''x")
        #expect(SpreadsheetCSV.neutralized("'＝x") == "''＝x")
        #expect(SpreadsheetCSV.neutralized("''\u{0}x") == "'''\u{0}x")
    }

    /// A rejects-file cell read back by the upload reader (a file with an annotation column) is the masked
    /// text again, whatever apostrophes and formula characters it starts with. Found by fuzz-rules.
    @Test(arguments: [
        "=x", "'=x", "''=x", "'''=x", "''''@SUM", "'+", "''", "'", "'a", "-12.5", "'-12.5", "''\t", "4111 1111 1111 1111",
        "＝x", "'＝x", "''＋1", "－", "＠SUM(A1)", "'＄5", "emp-1;=cmd|' /C calc'!A0",
    ])
    func aCellReadsBackAsTheMaskedText(text: String) throws {
        let file = "external_id,account_id,entity_id,details.last_four,_note\n,,,," + SpreadsheetCSV.cell(text, delimiter: Self.comma) + "\n"
        let reader = try CSVRecordReader(source: ArrayChunkSource(file), options: CSVOptions(delimiter: Self.comma))
        let record = try #require(try reader.next())
        #expect(record.cells?.last == CardNumber.mask(text))
    }

    @Test func cellsAreQuotedWhenTheyHoldTheDelimiterAQuoteOrALineBreak() {
        #expect(SpreadsheetCSV.cell("a,b", delimiter: Self.comma) == "\"a,b\"")
        #expect(SpreadsheetCSV.cell("say \"hi\"", delimiter: Self.comma) == "\"say \"\"hi\"\"\"")
        #expect(SpreadsheetCSV.cell("two\nlines", delimiter: Self.comma) == "\"two\nlines\"")
        #expect(SpreadsheetCSV.cell("a;b", delimiter: UInt8(ascii: ";")) == "\"a;b\"")
        #expect(SpreadsheetCSV.cell("plain", delimiter: Self.comma) == "plain")
    }

    /// SPEC §6: a spreadsheet that splits on another separator (Excel does on `;` in many locales) must not
    /// find a new cell, formula or not, inside one: `,` `;` `|` and tab are quoted whatever the delimiter.
    @Test(arguments: delimiters)
    func cellsHoldingAnySeparatorAreQuotedWhateverTheDelimiter(delimiter: UInt8) {
        #expect(SpreadsheetCSV.cell("emp-1;=cmd|' /C calc'!A0", delimiter: delimiter) == "\"emp-1;=cmd|' /C calc'!A0\"")
        for text in ["a,b", "a;b", "a|b", "a\tb"] {
            #expect(SpreadsheetCSV.cell(text, delimiter: delimiter) == "\"" + text + "\"", "\(text.debugDescription)")
        }
        #expect(SpreadsheetCSV.cell("a:b/c", delimiter: delimiter) == "a:b/c")
    }

    /// A rejects file written with each delimiter and read back through the upload reader (sniffing the
    /// delimiter, as a re-upload does): every cell the writer protected — formula starts, full-width forms,
    /// separators — is the value again, byte for byte.
    @Test(arguments: delimiters)
    func aRejectsFileOfProtectedValuesRoundTrips(delimiter: UInt8) throws {
        let values = [
            "emp-1;=cmd|' /C calc'!A0", "=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "＝1+2", "＋cmd", "－2", "＠SUM(A1)",
            "'=x", "''＝x", "'＠", "-12.5", "'-12.5", "a,b", "a;b", "a|b", "a\tb", "say \"hi\"", "two\nlines", "plain", "'plain",
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rejects-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let columns = ["external_id", "account_id", "entity_id", "details.last_four", "metadata.note"]
        let output = try OutputFile(path: folder + "/rejects.csv")
        let writer = try RejectsWriter(output: output, form: .csv(columns: columns, delimiter: delimiter))
        for (index, value) in values.enumerated() {
            let cells = Array(repeating: value, count: columns.count)
            let error = RowError(field: "metadata.note", code: .invalidFormat, message: "bad; got \(value)")
            try writer.write(RawRecord(line: index + 2, offset: 0, content: .card(RawCard()), cells: cells), errors: [error])
        }
        try output.commit()

        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/rejects.csv")))
        let reader = try CSVRecordReader(source: ArrayChunkSource(bytes), options: CSVOptions())
        #expect(reader.delimiter == delimiter)
        var read: [[String]] = []
        while let record = try reader.next() { read.append(try #require(record.cells)) }
        try #require(read.count == values.count)
        for (cells, value) in zip(read, values) {
            #expect(Array(cells.prefix(columns.count)) == Array(repeating: value, count: columns.count), "\(value.debugDescription)")
        }
    }

    @Test func cardNumbersAreMasked() {
        #expect(SpreadsheetCSV.cell("4111-1111-1111-1111", delimiter: Self.comma) == "'****-****-****-1111".dropFirst().description)
    }
}
