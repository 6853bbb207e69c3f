import CardUploadInput
import CardUploadModel
@testable import CardUploadParsing
import Testing

/// SPEC §6: the cells a spreadsheet would change on opening, and the one `'` the reader of a file with `_`
/// columns takes off a cell whose rest is one of them.
@Suite struct SpreadsheetConversionTests {
    /// What LibreOffice Calc changed in the issue (18) that asked for this, and the rest of §6's list.
    @Test(arguments: [
        "000124", "0042", "1234567890123457", "12345678901234567890", "1e6", "12/01", "-012.50", "50%", "(100)", "$5",
        "€5", "£5", ".5", "+1", "-1", "0", "9abc", "1-Jan",
        "true", "false", "TRUE", "False", "tRuE", "FALSE",
        "'", "'5", "''0042", "'x", "''",
        "=1+1", "@SUM(A1)", "+cmd", "-", "\tTab", "\rCR", "\u{0}x", "＝1", "＋1", "－1", "＠x",
    ])
    func changes(cell: String) {
        #expect(SpreadsheetConversion.changes(cell.utf8))
    }

    @Test(arguments: [
        "", "plain", "account_a", "x1", "(x)", "(", "$", "$x", "€", "€x", "£", "£x", ".", ".x", "truer", "tru", "t", "f",
        "falsey", "yes", "＄5", "（1）", "ｔrue", "é1", " 42", "emp-1", "card_abc",
    ])
    func leavesAlone(cell: String) {
        #expect(!SpreadsheetConversion.changes(cell.utf8))
    }

    @Test(arguments: [
        ("'0042", "0042"), ("''0042", "'0042"), ("'''=x", "''=x"), ("'TRUE", "TRUE"), ("'€5", "€5"), ("'(100)", "(100)"),
        ("''", "'"), ("'=1+1", "=1+1"), ("'＝1", "＝1"),
        // Nothing a spreadsheet changes after the `'`: the cell is read as it is.
        ("'", "'"), ("'x", "'x"), ("'$x", "'$x"), ("0042", "0042"), ("x'1", "x'1"), ("'truer", "'truer"), ("' 42", "' 42"),
    ])
    func removingApostrophe(written: String, read: String) {
        #expect(SpreadsheetConversion.removingApostrophe(written) == read)
    }

    /// Only a file with `_` columns (one this tool wrote) loses the `'`; any other is read verbatim.
    @Test(arguments: csvChunkSizes)
    func theReaderStripsOneApostropheOnlyInAFileWithAnnotationColumns(chunkSize: Int) throws {
        let row = "'0042,''0042,'TRUE,'x,\"'12/01\"\n"
        let header = "external_id,account_id,entity_id,details.last_four,metadata.d"
        let annotated = try readCells(header + ",_line\n" + row.dropLast() + ",2\n", chunkSize: chunkSize)
        #expect(annotated == [["0042", "'0042", "TRUE", "'x", "12/01", "2"]])
        let plain = try readCells(header + "\n" + row, chunkSize: chunkSize)
        #expect(plain == [["'0042", "''0042", "'TRUE", "'x", "'12/01"]])
    }

    /// The `'` comes off the decoded text: a rejects file a spreadsheet saved in Windows-1252 (`€` is 0x80).
    @Test func aWindows1252CellLosesItsApostropheToo() throws {
        let bytes = Array("external_id,account_id,entity_id,details.last_four,_line\n'".utf8) + [0x80] + Array("5,a,e,'0042,2\n".utf8)
        let reader = try CSVRecordReader(source: ArrayChunkSource(bytes), options: CSVOptions(encoding: .cp1252))
        let record = try #require(try reader.next())
        #expect(record.cells == ["€5", "a", "e", "0042", "2"])
    }

    private func readCells(_ text: String, chunkSize: Int) throws -> [[String]] {
        let reader = try CSVRecordReader(
            source: ArrayChunkSource(Array(text.utf8), chunkSize: chunkSize), options: CSVOptions(delimiter: UInt8(ascii: ",")))
        var rows: [[String]] = []
        while let record = try reader.next() { rows.append(try #require(record.cells)) }
        return rows
    }
}
