/// The cells a spreadsheet would change on opening (SPEC §6): run as a formula (`SpreadsheetFormula`), read as
/// a number, a date, a percentage, an amount or a truth value, or stripped of a leading `'`. The rejects file and
/// the CSV export put a `'` before such a cell; the reader of a file this tool wrote (one with `_` columns)
/// takes one `'` off a cell whose rest is such a cell (`'0042` is read `0042`, `''0042` is read `'0042`). Both
/// ask `changes`, so the writer protects exactly the cells the reader strips, and every value round-trips.
package enum SpreadsheetConversion {
    /// `€` and `£` in UTF-8.
    private static let euro: [UInt8] = [0xE2, 0x82, 0xAC]
    private static let pound: [UInt8] = [0xC2, 0xA3]

    /// Whether a spreadsheet would change the cell `bytes` (its UTF-8) on opening: it starts with `'`, a
    /// digit, or `+` `-` `.` `(` `$` `€` `£` followed by a digit (leading zeros, long ids, exponent forms,
    /// dates, percentages, amounts), it is `true` or `false` in any letter case, or it starts a formula.
    package static func changes<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first else { return false }
        if first == CSVByte.apostrophe || isDigit(first) { return true }
        switch first {
        case UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: "$"):
            return startsWithDigit(bytes.dropFirst())
        case 0xE2:
            return bytes.starts(with: euro) && startsWithDigit(bytes.dropFirst(euro.count))
        case 0xC2:
            return bytes.starts(with: pound) && startsWithDigit(bytes.dropFirst(pound.count))
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            return isWord("true", bytes) || isWord("false", bytes)
        default:
            return SpreadsheetFormula.begins(bytes)
        }
    }

    /// `cell` as read from a file this tool wrote: without the one `'` the writer put before a cell a
    /// spreadsheet would change. Any other cell comes back as it is (no copy).
    package static func removingApostrophe(_ cell: String) -> String {
        let bytes = cell.utf8
        guard bytes.first == CSVByte.apostrophe, changes(bytes.dropFirst()) else { return cell }
        return String(decoding: bytes.dropFirst(), as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func startsWithDigit<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        bytes.first.map(isDigit) ?? false
    }

    /// Whether `bytes` is `word` (lowercase ASCII) in any letter case.
    private static func isWord<Bytes: Collection<UInt8>>(_ word: StaticString, _ bytes: Bytes) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        var index = 0
        for byte in bytes {
            guard byte | 0x20 == word.utf8Start[index] else { return false }
            index += 1
        }
        return true
    }
}
