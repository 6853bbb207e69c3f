import CardUploadModel
import CardUploadParsing

/// The rejects file (SPEC §6): the rejected rows in the input's own form, plus `_line` and `_errors`,
/// so it can be fixed in a spreadsheet and uploaded again as it is. Card numbers are masked and CSV
/// cells neutralised; the `_` columns and keys are ignored when the file is uploaded again.
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

    /// Writes the CSV header line at once.
    package init(output: OutputFile, form: Form) throws(OutputError) {
        self.output = output
        self.form = form
        switch form {
        case .csv(let columns, let delimiter):
            keptColumns = columns.indices.filter { !Self.ownAnnotations.contains(columns[$0]) }
            let names = keptColumns.map { columns[$0] } + ["_line", "_errors", "_raw"]
            try output.write(names.map { SpreadsheetCSV.cell($0, delimiter: delimiter) }.joined(separator: Self.separator(delimiter)) + "\n")
        case .jsonLines:
            keptColumns = []
        }
    }

    /// Appends one rejected row.
    package func write(_ record: RawRecord, errors: [RowError]) throws(OutputError) {
        switch form {
        case .csv(_, let delimiter):
            try output.write(csvLine(record, errors: errors, delimiter: delimiter))
        case .jsonLines:
            try output.write(jsonLine(record, errors: errors))
        }
    }

    private static func separator(_ delimiter: UInt8) -> String { String(UnicodeScalar(delimiter)) }

    private func csvLine(_ record: RawRecord, errors: [RowError], delimiter: UInt8) -> String {
        var cells: [String] = []
        cells.reserveCapacity(keptColumns.count + 3)
        for index in keptColumns {
            let value = record.cells.flatMap { index < $0.count ? $0[index] : nil } ?? ""
            cells.append(SpreadsheetCSV.cell(value, delimiter: delimiter))
        }
        cells.append(String(record.line))
        let summary = errors.map { "\($0.code.rawValue): \($0.message)" }.joined(separator: "; ")
        cells.append(SpreadsheetCSV.cell(summary, delimiter: delimiter))
        cells.append(record.cells == nil ? SpreadsheetCSV.cell(record.source ?? "", delimiter: delimiter) : "")
        return cells.joined(separator: Self.separator(delimiter)) + "\n"
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
        if parsed == nil {
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
