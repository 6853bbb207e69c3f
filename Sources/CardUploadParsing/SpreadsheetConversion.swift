/// The cells a spreadsheet would change on opening (SPEC §6): run as a formula (`SpreadsheetFormula`), read as
/// a number, a date, a time, a percentage, an amount or a truth value, or stripped of a leading `'`. The rejects
/// file and the CSV export put a `'` before such a cell; the reader of a file this tool wrote (one with `_`
/// columns) takes one `'` off a cell whose rest is such a cell (`'0042` is read `0042`, `''0042` is read
/// `'0042`). Both ask `changes`, so the writer protects exactly the cells the reader strips, and every value
/// round-trips.
///
/// The rule, as LibreOffice Calc 7.4 reads a CSV file with a double-click's options (`CSV:44,34,76,1`). After
/// any run of leading white space (Unicode White_Space: space, no-break space, the other Unicode spaces; Calc
/// reads a number after a space, U+00A0 or U+202F), a cell is changed when it
/// 1. starts a run of white space and `+` `-` `.` `(` `$` `€` `£` that is followed by a digit: `0042`, `1e6`,
///    `12/01`, `12:30`, `10 %`, `5 Jan`, ` 0042`, `-.5`, `($5)`, `$ 5`, `$-5`, `( 5)`;
/// 2. is `true` or `false` in any letter case, with nothing but white space after it (` true`, `TRUE `);
/// 3. starts with an English month name or its three-letter abbreviation (or `Sept`), any letter case, as a
///    whole word, optionally after a weekday name or its three-letter abbreviation (`Monday, Jan 5`,
///    `Mon Jan 5`), followed by a run of white space and `-` `/` `.` `,` and then a digit: `Jan 5`, `Mar-01`,
///    `Dec 2026`, `January 5, 2026`, `Sept. 5`.
/// A cell starting with `'`, or with a formula start, is changed too. Rule 3 protects a few cells Calc leaves
/// alone (`Jan,5`, `Mon, Jan 5`, `Feb 30`, `Jan 5th`): harmless, since the `'` comes off again on reading. Words
/// that only begin like a month (`Janet 5`, `Marco 5`) and month names without a digit after them are left alone.
package enum SpreadsheetConversion {
    /// Whether a spreadsheet would change the cell `bytes` (its UTF-8) on opening (see the type's rule).
    /// Allocates nothing; a cell starting with an ASCII letter that starts no month, weekday or truth value, or
    /// with `_` or another byte no rule looks at, is answered from its first byte.
    package static func changes<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first else { return false }
        switch first {
        case CSVByte.apostrophe, UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
            // Months start with a d f j m n o s, weekdays with f m s t w, truth values with f t.
            switch first | 0x20 {
            case UInt8(ascii: "a"), UInt8(ascii: "d"), UInt8(ascii: "f"), UInt8(ascii: "j"), UInt8(ascii: "m"),
                 UInt8(ascii: "n"), UInt8(ascii: "o"), UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "w"):
                return startsWithWords(bytes, from: bytes.startIndex)
            default:
                return false
            }
        case UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: "$"), 0x0A, 0x0B, 0x0C,
             0xC2, 0xE1, 0xE2, 0xE3:
            // White space, a sign, `$`, or the first byte of `£` `€` or a Unicode space.
            var index = bytes.startIndex
            while let length = whiteSpaceLength(bytes, at: index) { index = bytes.index(index, offsetBy: length) }
            if digitFollowsSigns(bytes, from: index) { return true }
            guard index < bytes.endIndex, isLetter(bytes[index]) else { return false }
            return startsWithWords(bytes, from: index)
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

    // MARK: - Rule 1: signs and white space, then a digit

    /// Whether a run of white space and `+` `-` `.` `(` `$` `€` `£` from `start` (maybe empty) is followed by a
    /// digit.
    private static func digitFollowsSigns<Bytes: Collection<UInt8>>(_ bytes: Bytes, from start: Bytes.Index) -> Bool {
        var index = start
        while index < bytes.endIndex {
            let byte = bytes[index]
            if isDigit(byte) { return true }
            let length: Int
            switch byte {
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: "$"): length = 1
            default:
                if let space = whiteSpaceLength(bytes, at: index) {
                    length = space
                } else if matches(bytes, at: index, euro) {
                    length = euro.count
                } else if matches(bytes, at: index, pound) {
                    length = pound.count
                } else {
                    return false
                }
            }
            index = bytes.index(index, offsetBy: length)
        }
        return false
    }

    // MARK: - Rules 2 and 3: words

    /// Whether the cell from `start` (a letter, after any leading white space) is a truth value with only white
    /// space after it, or a date with a month name (rule 3).
    private static func startsWithWords<Bytes: Collection<UInt8>>(_ bytes: Bytes, from start: Bytes.Index) -> Bool {
        var end = wordEnd(bytes, from: start)
        let word = bytes[start..<end]
        if isOne(of: truthValues, word) {
            var index = end
            while let length = whiteSpaceLength(bytes, at: index) { index = bytes.index(index, offsetBy: length) }
            return index == bytes.endIndex
        }
        var month = word
        if isOne(of: weekdays, word) {
            let next = separatorsEnd(bytes, from: end)
            guard next != end, next < bytes.endIndex, isLetter(bytes[next]) else { return false }
            end = wordEnd(bytes, from: next)
            month = bytes[next..<end]
        }
        guard isOne(of: months, month) else { return false }
        let next = separatorsEnd(bytes, from: end)
        return next != end && next < bytes.endIndex && isDigit(bytes[next])
    }

    private static let truthValues: [StaticString] = ["true", "false"]
    private static let months: [StaticString] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "january", "february", "march", "april", "june", "july", "august", "september", "october", "november", "december",
    ]
    private static let weekdays: [StaticString] = [
        "mon", "tue", "wed", "thu", "fri", "sat", "sun",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    ]

    /// The end of the run of ASCII letters from `start`.
    private static func wordEnd<Bytes: Collection<UInt8>>(_ bytes: Bytes, from start: Bytes.Index) -> Bytes.Index {
        var index = start
        while index < bytes.endIndex, isLetter(bytes[index]) { index = bytes.index(after: index) }
        return index
    }

    /// The end of the run of white space and `-` `/` `.` `,` from `start` (`start` itself if there is none).
    private static func separatorsEnd<Bytes: Collection<UInt8>>(_ bytes: Bytes, from start: Bytes.Index) -> Bytes.Index {
        var index = start
        while index < bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: ","):
                index = bytes.index(after: index)
            default:
                guard let length = whiteSpaceLength(bytes, at: index) else { return index }
                index = bytes.index(index, offsetBy: length)
            }
        }
        return index
    }

    /// Whether `word` (ASCII letters) is one of `words` (lowercase ASCII) in any letter case.
    private static func isOne<Word: Collection<UInt8>>(of words: [StaticString], _ word: Word) -> Bool {
        let count = word.count
        return words.contains { candidate in
            guard candidate.utf8CodeUnitCount == count else { return false }
            var offset = 0
            for byte in word {
                guard byte | 0x20 == candidate.utf8Start[offset] else { return false }
                offset += 1
            }
            return true
        }
    }

    // MARK: - Bytes

    /// `€` and `£` in UTF-8.
    private static let euro: [UInt8] = [0xE2, 0x82, 0xAC]
    private static let pound: [UInt8] = [0xC2, 0xA3]

    /// The length in UTF-8 of the White_Space character at `index`, or nil: tab, LF, VT, FF, CR, space, U+0085,
    /// U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
    private static func whiteSpaceLength<Bytes: Collection<UInt8>>(_ bytes: Bytes, at index: Bytes.Index) -> Int? {
        guard index < bytes.endIndex else { return nil }
        switch bytes[index] {
        case 0x09...0x0D, 0x20:
            return 1
        case 0xC2:
            let next = bytes.index(after: index)
            guard next < bytes.endIndex else { return nil }
            return bytes[next] == 0x85 || bytes[next] == 0xA0 ? 2 : nil
        case 0xE1, 0xE2, 0xE3:
            var iterator = bytes[index...].makeIterator()
            guard let lead = iterator.next(), let second = iterator.next(), let third = iterator.next() else { return nil }
            switch (lead, second) {
            case (0xE1, 0x9A): return third == 0x80 ? 3 : nil
            case (0xE2, 0x80): return (0x80...0x8A).contains(third) || third == 0xA8 || third == 0xA9 || third == 0xAF ? 3 : nil
            case (0xE2, 0x81): return third == 0x9F ? 3 : nil
            case (0xE3, 0x80): return third == 0x80 ? 3 : nil
            default: return nil
            }
        default:
            return nil
        }
    }

    /// Whether `bytes` hold `sequence` at `index`.
    private static func matches<Bytes: Collection<UInt8>>(_ bytes: Bytes, at index: Bytes.Index, _ sequence: [UInt8]) -> Bool {
        bytes[index...].starts(with: sequence)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
}
