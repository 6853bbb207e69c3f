import CardUploadModel
import CardUploadParsing

/// CSV cells the tool writes: safe to open in a spreadsheet (SPEC §6) and read back by our own reader.
package enum SpreadsheetCSV {
    /// `text` as one CSV cell: masked, neutralised, and quoted when it holds the delimiter, a quote, a line
    /// break, or a separator a spreadsheet may split on (`,` `;` `|` tab) whatever the delimiter: one that
    /// splits on `;` must not find a new cell, formula or not, inside a cell of a comma file.
    package static func cell(_ text: String, delimiter: UInt8) -> String {
        let safe = neutralized(CardNumber.mask(text))
        let needsQuotes = safe.utf8.contains {
            $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D || CSVDelimiterSniffer.candidates.contains($0)
        }
        guard needsQuotes else { return safe }
        var quoted = "\""
        for character in safe.unicodeScalars {
            if character == "\"" { quoted += "\"\"" } else { quoted.unicodeScalars.append(character) }
        }
        return quoted + "\""
    }

    /// A cell a spreadsheet would run as a formula — one starting with `=` `+` `-` `@` tab, CR, NUL or a
    /// full-width `＝` `＋` `－` `＠` (`SpreadsheetFormula`), unless it is a plain number such as `-12.5` — gets
    /// a `'` in front, as OWASP recommends. So does a cell that already starts with one or more `'` and one of
    /// those, so the reader, which takes one `'` off, gives it back whole (`''=x` is written `'''=x`).
    package static func neutralized(_ text: String) -> String {
        let bytes = text.utf8
        if SpreadsheetFormula.begins(bytes) {
            return isPlainNumber(text) ? text : "'" + text
        }
        if bytes.first == UInt8(ascii: "'"), SpreadsheetFormula.begins(bytes.drop { $0 == UInt8(ascii: "'") }) {
            return "'" + text
        }
        return text
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
