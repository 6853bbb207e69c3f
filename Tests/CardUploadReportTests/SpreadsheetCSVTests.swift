import CardUploadInput
import CardUploadModel
import CardUploadParsing
@testable import CardUploadReport
import Foundation
import Testing

/// Cells the tool writes into CSV (SPEC §6): every output neutralises formulas (OWASP) and leaves numbers alone;
/// the rejects file and the CSV export protect every cell a spreadsheet would change; quoting per RFC 4180 and
/// around any separator a spreadsheet may split on, whatever the delimiter.
@Suite struct SpreadsheetCSVTests {
    static let comma = UInt8(ascii: ",")
    static let delimiters = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "|"), 0x09]

    static func formulas(_ text: String) -> String { SpreadsheetCSV.cell(text, delimiter: comma, protection: .formulas) }
    static func conversions(_ text: String) -> String { SpreadsheetCSV.cell(text, delimiter: comma, protection: .conversions) }

    @Test(arguments: [
        "=SUM(A1)", "+cmd", "-2+3", "@import", "-", "+",
        // SPEC §6: NUL and the full-width forms, which spreadsheets also take for formula starts.
        "\u{0}=1", "＝SUM(A1)", "＋cmd", "－2+3", "＠import", "＝",
    ])
    func formulaStartsGetAQuote(cell: String) {
        #expect(Self.formulas(cell) == "'" + cell)
        #expect(Self.conversions(cell) == "'" + cell)
    }

    /// A tab or a CR start is a formula start too; the cell is quoted as well (a tab is a separator).
    @Test(arguments: ["\tTab", "\rCR"])
    func tabAndCarriageReturnStartsGetAQuoteInsideQuotes(cell: String) {
        #expect(Self.formulas(cell) == "\"'" + cell + "\"")
        #expect(Self.conversions(cell) == "\"'" + cell + "\"")
    }

    /// The lighter rule of every CSV output (the results file): plain numbers, leading zeros, dates, truth
    /// values and a leading `'` are left as they are.
    @Test(arguments: ["-12.5", "+3", "-0", "1e5", "-.5", "+1.5E-3", "42", "0042", "TRUE", "'5", "'=x", "12/01", "(100)", "$5"])
    func everyCSVOutputLeavesNumbersAlone(cell: String) {
        #expect(Self.formulas(cell) == cell)
    }

    /// The rejects file and the CSV export: every cell a spreadsheet would change gets the `'`.
    @Test(arguments: [
        "000124", "0042", "1234567890123457", "12345678901234567890", "1e6", "12/01", "-012.50", "50%", "(100)", "$5",
        "€5", "£5", ".5", "-12.5", "+3", "TRUE", "false", "'5", "'", "'=x", "''x", "1-Jan", "2026-12-07T00:15:25Z",
    ])
    func rejectsAndExportCellsASpreadsheetWouldChangeGetAQuote(cell: String) {
        #expect(Self.conversions(cell) == "'" + cell)
    }

    /// Other full-width characters, characters sharing the full-width forms' first UTF-8 bytes, and text that
    /// only looks a little like a number are left alone.
    @Test(arguments: ["＃x", "＄5", "（1）", "\u{FF1C}x", "ｘ", "\u{FF0C}", "x＝1", "x1", "(x)", "$x", "truer", "plain", ""])
    func otherCellsAreLeftAlone(cell: String) {
        #expect(Self.formulas(cell) == cell)
        #expect(Self.conversions(cell) == cell)
    }

    /// A rejects-file cell read back by the upload reader (a file with an annotation column) is the masked
    /// text again, whatever apostrophes and formula characters it starts with. Found by fuzz-rules.
    @Test(arguments: [
        "=x", "'=x", "''=x", "'''=x", "''''@SUM", "'+", "''", "'", "'a", "-12.5", "'-12.5", "''\t", "4111 1111 1111 1111",
        "＝x", "'＝x", "''＋1", "－", "＠SUM(A1)", "'＄5", "emp-1;=cmd|' /C calc'!A0", "0042", "'0042", "''0042", "TRUE",
        "'\u{301}5", "'\u{301}", "€5", "'£5",
    ])
    func aCellReadsBackAsTheMaskedText(text: String) throws {
        let file = "external_id,account_id,entity_id,details.last_four,_note\n,,,," + Self.conversions(text) + "\n"
        let reader = try CSVRecordReader(source: ArrayChunkSource(file), options: CSVOptions(delimiter: Self.comma))
        let record = try #require(try reader.next())
        #expect(record.cells?.last == CardNumber.mask(text))
    }

    @Test func cellsAreQuotedWhenTheyHoldTheDelimiterAQuoteOrALineBreak() {
        #expect(Self.conversions("a,b") == "\"a,b\"")
        #expect(Self.conversions("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(Self.conversions("two\nlines") == "\"two\nlines\"")
        #expect(Self.conversions("0042\r\n") == "\"'0042\r\n\"")
        #expect(SpreadsheetCSV.cell("a;b", delimiter: UInt8(ascii: ";"), protection: .formulas) == "\"a;b\"")
        #expect(Self.conversions("plain") == "plain")
    }

    /// SPEC §6: a spreadsheet that splits on another separator (Excel does on `;` in many locales) must not
    /// find a new cell, formula or not, inside one: `,` `;` `|` and tab are quoted whatever the delimiter, in
    /// every CSV output.
    @Test(arguments: delimiters)
    func cellsHoldingAnySeparatorAreQuotedWhateverTheDelimiter(delimiter: UInt8) {
        for protection in [SpreadsheetCSV.Protection.formulas, .conversions] {
            #expect(SpreadsheetCSV.cell("emp-1;=cmd|' /C calc'!A0", delimiter: delimiter, protection: protection) == "\"emp-1;=cmd|' /C calc'!A0\"")
            for text in ["a,b", "a;b", "a|b", "a\tb"] {
                #expect(SpreadsheetCSV.cell(text, delimiter: delimiter, protection: protection) == "\"" + text + "\"", "\(text.debugDescription)")
            }
            #expect(SpreadsheetCSV.cell("a:b/c", delimiter: delimiter, protection: protection) == "a:b/c")
        }
        #expect(SpreadsheetCSV.cell("0042;x", delimiter: delimiter, protection: .conversions) == "\"'0042;x\"")
    }

    @Test func cardNumbersAreMasked() {
        #expect(Self.conversions("4111-1111-1111-1111") == "****-****-****-1111")
        #expect(Self.conversions("4111111111111111") == "************1111")
    }
}
