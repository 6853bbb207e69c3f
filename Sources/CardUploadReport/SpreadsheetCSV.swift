import CardUploadModel
import CardUploadParsing

/// CSV cells the tool writes (SPEC §6): masked, protected against what a spreadsheet does on opening, and
/// quoted so that no spreadsheet finds a new cell inside one.
package enum SpreadsheetCSV {
    /// How much of what a spreadsheet does on opening a cell is protected against.
    package enum Protection {
        /// Every CSV output (the results file, column names): a `'` before a cell a spreadsheet would run as a
        /// formula (`SpreadsheetFormula`), unless it is a plain number such as `-12.5`, as OWASP recommends.
        case formulas
        /// The rejects file and the CSV export, made to be opened, fixed, saved and read back: a `'` before every
        /// cell a spreadsheet would change (`SpreadsheetConversion`: `0042`, ` 0042`, `1e6`, `12/01`, `Jan 5`,
        /// `($5)`, `TRUE`, `'5`, a formula), exactly the cells whose `'` the reader of a file with `_` columns
        /// takes off again.
        case conversions
    }

    private static let quote = UInt8(ascii: "\"")
    private static let apostrophe = UInt8(ascii: "'")

    /// `text` as one CSV cell (see `append`).
    package static func cell(_ text: String, delimiter: UInt8, protection: Protection) -> String {
        var bytes: [UInt8] = []
        append(text, delimiter: delimiter, protection: protection, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text` as one CSV cell to `line`: card numbers masked, a `'` in front as `protection` says, and
    /// quoted when it holds the delimiter, a quote, a line break, or a separator a spreadsheet may split on (`,`
    /// `;` `|` tab) whatever the delimiter: one that splits on `;` must not find a new cell inside a cell of a
    /// comma file. Copies bytes only: nothing is allocated for a cell but `line`'s growth (and a masked copy of
    /// a cell holding a card number).
    package static func append(_ text: String, delimiter: UInt8, protection: Protection, to line: inout [UInt8]) {
        let masked = CardNumber.mask(text)
        let bytes = masked.utf8
        let protects: Bool
        switch protection {
        case .formulas: protects = SpreadsheetFormula.begins(bytes) && !isPlainNumber(masked)
        case .conversions: protects = SpreadsheetConversion.changes(bytes)
        }
        let needsQuotes = bytes.contains { byte in
            switch byte {
            // The delimiter, a quote, a line break, and every `CSVDelimiterSniffer` candidate.
            case delimiter, quote, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "|"), 0x09: true
            default: false
            }
        }
        if needsQuotes { line.append(quote) }
        if protects { line.append(apostrophe) }
        if needsQuotes {
            for byte in bytes {
                line.append(byte)
                if byte == quote { line.append(quote) }
            }
            line.append(quote)
        } else {
            line.append(contentsOf: bytes)
        }
    }

    /// `[+-]?(digits[.digits]|.digits)([eE][+-]?digits)?`
    static func isPlainNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        func digits() -> Int {
            let count = bytes.prefix { $0 >= 0x30 && $0 <= 0x39 }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        var mantissa = digits()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissa += digits()
        }
        guard mantissa > 0 else { return false }
        if let exponent = bytes.first, exponent == UInt8(ascii: "e") || exponent == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}
