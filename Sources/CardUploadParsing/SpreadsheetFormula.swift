/// The cell starts a spreadsheet runs as a formula (SPEC §6): `=` `+` `-` `@` tab, CR, NUL and the
/// full-width `＝` `＋` `－` `＠`. Every CSV output puts a `'` before such a cell (unless it is a plain number);
/// the rejects file and the CSV export protect more (`SpreadsheetConversion`, which includes these).
package enum SpreadsheetFormula {
    /// The full-width forms, U+FF1D U+FF0B U+FF0D U+FF20, are `EF BC` and one of these bytes in UTF-8.
    private static let fullWidthLastBytes: [UInt8] = [0x9D, 0x8B, 0x8D, 0xA0]

    /// Whether `bytes` (a cell's UTF-8, or what follows its leading `'`s) begin with a formula start.
    package static func begins<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first else { return false }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D, 0x00:
            return true
        case 0xEF:
            var rest = bytes.dropFirst().makeIterator()
            guard rest.next() == 0xBC, let last = rest.next() else { return false }
            return fullWidthLastBytes.contains(last)
        default:
            return false
        }
    }
}
