import CardUploadInput
import CardUploadModel
import CardUploadParsing
@testable import CardUploadReport
import Foundation
import Testing

/// The rejects file (SPEC §6) written by `RejectsWriter` and read back by the upload reader: every value
/// round-trips byte for byte, and a row that could not be split keeps its `_raw` until it is fixed.
@Suite struct RejectsWriterTests {
    static let uploadColumns = ["external_id", "account_id", "entity_id", "details.last_four", "metadata.note"]
    static let leadColumns = LeadColumn.allCases.map(\.name)

    /// The kinds of file a rejects file is written for: CSV, TSV, and a Lead card file (its columns, `|`).
    static let forms: [(name: String, columns: [String], delimiter: UInt8)] = [
        ("csv", uploadColumns, UInt8(ascii: ",")), ("tsv", uploadColumns, 0x09), ("lead", leadColumns, UInt8(ascii: "|")),
    ]

    /// Pieces a generated value is made of: every character the spreadsheet rule, the quoting or the reader
    /// looks at (apostrophes, digits, signs, currencies, formula starts, full-width forms, truth-value letters,
    /// white space of every kind the rule knows and one it does not, month and weekday names and words that begin
    /// like them, separators, quotes, line breaks), a combining mark, and plain letters.
    static let pieces: [String] = [
        "'", "'", "'", "0", "4", "2", "9", "+", "-", ".", "(", ")", "$", "€", "£", "%", "/", "e", "E", "=", "@",
        "\t", "\r", "\n", "\r\n", ",", ";", "|", "\"", " ", "t", "r", "u", "T", "R", "U", "f", "a", "l", "s", "F",
        "A", "L", "S", "x", "＝", "＋", "－", "＠", "＄", "é", "\u{301}", "'0042", "true", "FALSE", "1e6",
        " ", " ", "\u{00A0}", "\u{202F}", "\u{3000}", "\u{200B}", ":", "Jan", "jan", "SEPT", "May", "December", "Mon",
        "Monday", "Janet", "Ma", "_",
    ]

    /// A generated value: up to six pieces, chosen by a seeded generator so a failure can be replayed.
    static func value(_ random: inout SplitMix64) -> String {
        let count = Int(random.next() % 7)
        return (0..<count).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
    }

    /// Property: a rejects file of generated values, read back by the upload reader (the delimiter sniffed, as a
    /// re-upload does), gives every value back byte for byte — for CSV, TSV and Lead's pipe files.
    @Test(arguments: 0..<forms.count)
    func generatedValuesRoundTripByteForByte(form index: Int) throws {
        let form = Self.forms[index]
        var random = SplitMix64(seed: 18 + UInt64(index))
        var rows: [[String]] = []
        for _ in 0..<1_500 { rows.append(form.columns.map { _ in Self.value(&random) }) }
        // The values the old rule (formula starts only) lost or the reader changed, each at least once.
        rows.append(form.columns.map { _ in "'0042" })
        rows.append(["0042", "''0042", "TRUE", "'", "''", "-012.50", "(100)", "€5", "'\u{301}5", "12/01", "50%", "1e6", "$5", "x"]
            .prefix(form.columns.count).map { $0 })
        // What Calc 7.4 changed that the first rule let through, and `'` before some of them.
        let calc = [
            " 0042", "\u{00A0}12", "\u{202F}1e6", " -1.50", "($5)", "$ 5", "$-5", "(.5)", "-.5", " true", "TRUE ", "Jan 5",
            "Mar-01", "Sep-26", "Dec 2026", "January 5, 2026", "Jan 5 2026 10:00", "Monday, Jan 5", " Jan 5", "'Jan 5",
            "' 12", "''\u{00A0}12", "12:30", "10 %", "Janet", "Marco 5",
        ]
        for start in stride(from: 0, to: calc.count, by: form.columns.count) {
            rows.append((0..<form.columns.count).map { calc[(start + $0) % calc.count] })
        }

        let bytes = try Self.writeRejects(rows, columns: form.columns, delimiter: form.delimiter)
        let text = String(decoding: bytes, as: UTF8.self)
        let reader = try CSVRecordReader(source: ArrayChunkSource(bytes, chunkSize: 4096), options: CSVOptions())
        #expect(reader.delimiter == form.delimiter)
        #expect(reader.isLead == (form.name == "lead"))
        var read: [[String]] = []
        while let record = try reader.next() { read.append(try #require(record.cells)) }
        try #require(read.count == rows.count)
        var protected = 0
        for (line, (cells, written)) in zip(read, rows).enumerated() {
            #expect(Array(cells.prefix(form.columns.count)) == written, "row \(line): \(written.map(\.debugDescription))")
            #expect(cells[form.columns.count] == String(line + 2), "_line is a plain number")
            protected += written.filter { SpreadsheetConversion.changes($0.utf8) }.count
        }
        // The property was exercised: many values needed the `'`, and the file holds them with it.
        #expect(protected > rows.count, "\(protected) protected values")
        #expect(text.contains("'0042"))
    }

    /// The values of issue 18, in a comma file: exactly these bytes, each with its `'`.
    @Test func theCellsOfIssue18AreWrittenWithTheirApostrophe() throws {
        let values = ["000124", "0042", "1234567890123457", "12345678901234567890", "1e6", "12/01", "-012.50", "50%", "(100)"]
        let bytes = try Self.writeRejects([values], columns: values.indices.map { "metadata.k\($0)" }, delimiter: UInt8(ascii: ","))
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[1] == "'000124,'0042,'1234567890123457,'12345678901234567890,'1e6,'12/01,'-012.50,'50%,'(100),2,invalid_format: bad,")
    }

    /// SPEC §6: a row read from a rejects file with its cells still empty and its `_raw` set keeps that `_raw`
    /// in the next rejects file; a row whose cells were filled in, or an ordinary row, has an empty `_raw`.
    @Test func aRawRowKeepsItsRawThroughTheNextRejectsFile() throws {
        let columns = ["external_id", "account_id", "entity_id", "details.last_four", "_note", "_line", "_errors", "_raw"]
        let raw = "0042,\"unclosed;=1"
        let rows: [[String]] = [
            ["", "", "", "", "a note", "7", "malformed_record: x", raw],
            ["k1", "", "", "", "", "8", "malformed_record: x", raw],
            ["k2", "a", "e", "12", "", "9", "missing: y", ""],
        ]
        let bytes = try Self.writeRejects(rows, columns: columns, delimiter: UInt8(ascii: ","))
        let reader = try CSVRecordReader(source: ArrayChunkSource(bytes), options: CSVOptions(delimiter: UInt8(ascii: ",")))
        #expect(reader.columns == ["external_id", "account_id", "entity_id", "details.last_four", "_note", "_line", "_errors", "_raw"])
        var raws: [String] = []
        while let record = try reader.next() { raws.append(try #require(record.cells?.last)) }
        #expect(raws == [raw, "", ""])
    }

    /// The same in JSON lines: a line holding only `_` keys and a `_raw` string keeps it.
    @Test func aRawJSONLineKeepsItsRawThroughTheNextRejectsFile() throws {
        let raw = #"{"external_id":"k1", oops"#
        let lines = [
            #"{"_line":3,"_errors":[],"_raw":"{\"external_id\":\"k1\", oops"}"#,
            #"{"external_id":"k2","_raw":"{\"external_id\":\"k1\", oops"}"#,
        ]
        let bytes = try Self.write(.jsonLines) { writer in
            for (index, line) in lines.enumerated() {
                let record = RawRecord(line: index + 1, offset: 0, content: .card(RawCard()), source: line)
                try writer.write(record, errors: [RowError(field: nil, code: .missingColumn, message: "missing")])
            }
        }
        let written = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { String($0) }
        try #require(written.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        #expect(first["_raw"] as? String == raw)
        #expect(first["_line"] as? Int == 1)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(written[1].utf8)) as? [String: Any])
        #expect(second["_raw"] == nil)
        #expect(second["external_id"] as? String == "k2")
    }

    /// Writes `rows` (each row's cells under `columns`) as rejected rows, lines 2, 3, …, each with one error.
    static func writeRejects(_ rows: [[String]], columns: [String], delimiter: UInt8) throws -> [UInt8] {
        try write(.csv(columns: columns, delimiter: delimiter)) { writer in
            for (index, cells) in rows.enumerated() {
                let error = RowError(field: nil, code: .invalidFormat, message: "bad")
                try writer.write(RawRecord(line: index + 2, offset: 0, content: .card(RawCard()), cells: cells), errors: [error])
            }
        }
    }

    static func write(_ form: RejectsWriter.Form, _ body: (RejectsWriter) throws -> Void) throws -> [UInt8] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rejects-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = try OutputFile(path: folder + "/rejects")
        try body(try RejectsWriter(output: output, form: form))
        try output.commit()
        return Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/rejects")))
    }
}

/// A small seeded generator (SplitMix64), so a generated case can be replayed.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
