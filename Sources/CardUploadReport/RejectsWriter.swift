import CardUploadModel
import CardUploadParsing

/// The rejects file (SPEC §6): the rejected rows in the input's own form, plus `_line` and `_errors`,
/// so it can be fixed in a spreadsheet and uploaded again as it is. Card numbers are masked, and a CSV cell a
/// spreadsheet would change on opening gets a `'` (`SpreadsheetCSV.Protection.conversions`) that the reader
/// takes off again; the `_` columns and keys are ignored when the file is uploaded again. A record that could
/// not be split goes whole into `_raw`, and keeps it through every later rejects file until it is fixed.
package final class RejectsWriter {
    /// The shape of the input.
    package enum Form {
        /// CSV or TSV: the header's columns, in order, and the delimiter.
        case csv(columns: [String], delimiter: UInt8)
        case jsonLines
    }

    /// The annotations this writer adds; an input that already has them (a rejects file uploaded
    /// again) gets them replaced, not repeated.
    private static let ownAnnotations: Set<String> = ["_line", "_errors", "_raw"]

    private let output: OutputFile
    private let form: Form
    /// CSV: the indexes of the input columns written out.
    private let keptColumns: [Int]
    /// CSV: the indexes of the input's card columns (not `_`), and of its `_raw` column (a rejects file's).
    private let cardColumns: [Int]
    private let rawColumn: Int?
    /// CSV: the line being written, its storage reused from row to row.
    private var line: [UInt8] = []

    /// Writes the CSV header line at once.
    package init(output: OutputFile, form: Form) throws(OutputError) {
        self.output = output
        self.form = form
        switch form {
        case .csv(let columns, let delimiter):
            keptColumns = columns.indices.filter { !Self.ownAnnotations.contains(columns[$0]) }
            cardColumns = columns.indices.filter { columns[$0].utf8.first != UInt8(ascii: "_") }
            rawColumn = columns.firstIndex { $0.utf8.elementsEqual("_raw".utf8) }
            let names = keptColumns.map { columns[$0] } + ["_line", "_errors", "_raw"]
            let header = names.map { SpreadsheetCSV.cell($0, delimiter: delimiter, protection: .formulas) }
            try output.write(header.joined(separator: Self.separator(delimiter)) + "\n")
        case .jsonLines:
            keptColumns = []
            cardColumns = []
            rawColumn = nil
        }
    }

    /// Appends one rejected row.
    package func write(_ record: RawRecord, errors: [RowError]) throws(OutputError) {
        switch form {
        case .csv(_, let delimiter):
            line.removeAll(keepingCapacity: true)
            appendCSVLine(record, errors: errors, delimiter: delimiter)
            try output.write(line)
        case .jsonLines:
            try output.write(jsonLine(record, errors: errors))
        }
    }

    private static func separator(_ delimiter: UInt8) -> String { String(UnicodeScalar(delimiter)) }

    /// Appends the row to `line`: every cell but `_line` (a plain number) protected, as the reader strips them.
    private func appendCSVLine(_ record: RawRecord, errors: [RowError], delimiter: UInt8) {
        for index in keptColumns {
            let value = record.cells.flatMap { index < $0.count ? $0[index] : nil } ?? ""
            SpreadsheetCSV.append(value, delimiter: delimiter, protection: .conversions, to: &line)
            line.append(delimiter)
        }
        line.append(contentsOf: String(record.line).utf8)
        line.append(delimiter)
        let summary = errors.map { "\($0.code.rawValue): \($0.message)" }.joined(separator: "; ")
        SpreadsheetCSV.append(summary, delimiter: delimiter, protection: .conversions, to: &line)
        line.append(delimiter)
        SpreadsheetCSV.append(raw(of: record), delimiter: delimiter, protection: .conversions, to: &line)
        line.append(0x0A)
    }

    /// The row's `_raw`: the text of a record that could not be split into fields; or, for a row read from a
    /// rejects file with its card cells still empty and its `_raw` still set, that `_raw` (SPEC §6), so an
    /// unfixed row never loses its text; else empty.
    private func raw(of record: RawRecord) -> String {
        guard let cells = record.cells else { return record.source ?? "" }
        guard let rawColumn, rawColumn < cells.count, !cells[rawColumn].isEmpty,
              cardColumns.allSatisfy({ $0 < cells.count && cells[$0].isEmpty })
        else { return "" }
        return cells[rawColumn]
    }

    private func jsonLine(_ record: RawRecord, errors: [RowError]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        func key(_ name: String) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            JSONString.append(CardNumber.mask(name), to: &bytes)
            bytes.append(UInt8(ascii: ":"))
        }
        // Only a line that was read as an object is written back as one; any other goes whole into `_raw`.
        var parsed: [(key: String, value: JSONValue)]?
        if case .card = record.content, let source = record.source,
           case .object(let members)? = try? JSONDocumentParser.parse(Array(source.utf8)) {
            parsed = members
        }
        for member in parsed ?? [] where !Self.ownAnnotations.contains(member.key) {
            key(member.key)
            Self.append(member.value, to: &bytes)
        }
        key("_line")
        bytes += Array(String(record.line).utf8)
        key("_errors")
        bytes += Array(errors.map(\.masked).json.utf8)
        if let parsed {
            // A rejects file's line uploaded again with no card key yet and its `_raw` still set keeps it.
            if parsed.allSatisfy({ $0.key.utf8.first == UInt8(ascii: "_") }),
               let raw = parsed.last(where: { $0.key == "_raw" }), case .string(let text) = raw.value, !text.isEmpty {
                key("_raw")
                JSONString.append(CardNumber.mask(text), to: &bytes)
            }
        } else {
            key("_raw")
            JSONString.append(CardNumber.mask(record.source ?? ""), to: &bytes)
        }
        bytes += [UInt8(ascii: "}"), 0x0A]
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A JSON value written back compactly, every string masked (a parsed line is at most 64 deep).
    private static func append(_ value: JSONValue, to bytes: inout [UInt8]) {
        switch value {
        case .null: bytes += Array("null".utf8)
        case .bool(let flag): bytes += Array((flag ? "true" : "false").utf8)
        case .number(let literal):
            // A number that is a card number is written as its masked text: still valid JSON.
            if CardNumber.contains(literal) {
                JSONString.append(CardNumber.mask(literal), to: &bytes)
            } else {
                bytes += Array(literal.utf8)
            }
        case .string(let text): JSONString.append(CardNumber.mask(text), to: &bytes)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                append(item, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONString.append(CardNumber.mask(member.key), to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                append(member.value, to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}
