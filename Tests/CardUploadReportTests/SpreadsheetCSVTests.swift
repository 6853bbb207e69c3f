import CardUploadInput
import CardUploadModel
import CardUploadParsing
@testable import CardUploadReport
import Testing

/// Cells the tool writes into CSV: formulas neutralised (OWASP), numbers left alone, quoting per RFC 4180.
@Suite struct SpreadsheetCSVTests {
    static let comma = UInt8(ascii: ",")

    @Test(arguments: ["=SUM(A1)", "+cmd", "-2+3", "@import", "\tTab", "\rCR", "-", "+"])
    func formulaStartsGetAQuote(cell: String) {
        #expect(SpreadsheetCSV.neutralized(cell) == "'" + cell)
    }

    @Test(arguments: ["-12.5", "+3", "-0", "1e5", "-.5", "+1.5E-3", "42"])
    func plainNumbersAreLeftAlone(cell: String) {
        #expect(SpreadsheetCSV.neutralized(cell) == cell)
    }

    @Test func aCellThatAlreadyLooksNeutralisedGetsAnotherQuoteSoItRoundTrips() {
        #expect(SpreadsheetCSV.neutralized("'=x") == "''=x")
        #expect(SpreadsheetCSV.neutralized("'plain") == "'plain")
        // Found by fuzz-rules: any run of `'` before a formula character gets one more.
        #expect(SpreadsheetCSV.neutralized("''=x") == "'''=x")
        #expect(SpreadsheetCSV.neutralized("'''@x") == "''''@x")
        #expect(SpreadsheetCSV.neutralized("''x") == "''x")
    }

    /// A rejects-file cell read back by the upload reader (a file with an annotation column) is the masked
    /// text again, whatever apostrophes and formula characters it starts with. Found by fuzz-rules.
    @Test(arguments: ["=x", "'=x", "''=x", "'''=x", "''''@SUM", "'+", "''", "'", "'a", "-12.5", "'-12.5", "''\t", "4111 1111 1111 1111"])
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
        #expect(SpreadsheetCSV.cell("a;b", delimiter: Self.comma) == "a;b")
        #expect(SpreadsheetCSV.cell("a;b", delimiter: UInt8(ascii: ";")) == "\"a;b\"")
    }

    @Test func cardNumbersAreMasked() {
        #expect(SpreadsheetCSV.cell("4111-1111-1111-1111", delimiter: Self.comma) == "'****-****-****-1111".dropFirst().description)
    }
}
