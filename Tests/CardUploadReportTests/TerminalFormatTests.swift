import CardUploadReport
import Testing

/// Numbers, counts, durations and widths as the terminal shows them (SPEC §10).
@Suite struct TerminalFormatTests {
    @Test(arguments: [
        (0, "0"), (7, "7"), (999, "999"), (1000, "1,000"), (9999, "9,999"), (12345, "12,345"), (300_000, "300,000"),
        (1_234_567, "1,234,567"), (-1, "-1"), (-1000, "-1,000"), (-999_999, "-999,999"),
    ])
    func numbersFromFourDigitsOnHaveThousandsSeparators(value: Int, text: String) {
        #expect(TerminalFormat.number(value) == text)
    }

    @Test func theMinimumIntegerIsGroupedToo() {
        #expect(TerminalFormat.number(Int.min) == "-9,223,372,036,854,775,808")
    }

    @Test func oneIsSingular() {
        #expect(TerminalFormat.count(1, "row") == "1 row")
        #expect(TerminalFormat.count(0, "row") == "0 rows")
        #expect(TerminalFormat.count(2, "file") == "2 files")
        #expect(TerminalFormat.count(300_000, "row") == "300,000 rows")
        #expect(TerminalFormat.count(1, "batch", plural: "batches") == "1 batch")
        #expect(TerminalFormat.count(3, "batch", plural: "batches") == "3 batches")
    }

    @Test(arguments: [
        (0.0, "0.00 s"), (0.414, "0.41 s"), (9.994, "9.99 s"), (9.996, "10.0 s"), (12.34, "12.3 s"), (59.9, "59.9 s"),
        (59.96, "1 min 00 s"), (245.4, "4 min 05 s"), (3599.4, "59 min 59 s"), (7380, "2 h 03 min"), (-1, "0.00 s"),
        (.infinity, "0.00 s"),
    ])
    func durationsUseTheUnitThatSuitsThem(seconds: Double, text: String) {
        #expect(TerminalFormat.duration(seconds: seconds) == text)
    }

    @Test func wideCharactersTakeTwoColumnsAndCombiningMarksNone() {
        #expect(TerminalFormat.columns("abc") == 3)
        #expect(TerminalFormat.columns("カード") == 6)
        #expect(TerminalFormat.columns("e\u{301}") == 1)
        #expect(TerminalFormat.columns("📦") == 2)
    }

    @Test func textIsCutToItsColumnsWithAnEllipsis() {
        #expect(TerminalFormat.cut("short", toColumns: 10) == "short")
        #expect(TerminalFormat.cut("exactly10!", toColumns: 10) == "exactly10!")
        #expect(TerminalFormat.cut("eleven-char", toColumns: 10) == "eleven-ch…")
        #expect(TerminalFormat.cut("カードカード", toColumns: 6) == "カー…")
        #expect(TerminalFormat.columns(TerminalFormat.cut("カードカード", toColumns: 6)) <= 6)
        #expect(TerminalFormat.cut("abc", toColumns: 0) == "")
        #expect(TerminalFormat.cut("abc", toColumns: 1) == "…")
    }
}
