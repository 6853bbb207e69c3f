@testable import CardUploadCLI
import CardUploadReport
import Testing

/// The progress line's text: never wider than the terminal less one column, the name shortened first.
@Suite struct ProgressLineTests {
    @Test(arguments: [20, 40, 60, 80, 200])
    func theLineFitsTheTerminal(width: Int) {
        for name in ["a.csv", "a-very-long-file-name-from-the-nightly-export-of-the-bank.csv.gz", "カードの一覧ファイル名.csv"] {
            let text = TerminalFormat.progressLine(
                name: name, bytes: 12_345_678, total: 98_765_432, rows: 1_234_567, seconds: 3.5, width: width)
            #expect(TerminalFormat.columns(text) <= width - 1, "\(width): \(text)")
        }
    }

    @Test func aWideTerminalShowsEverythingWithSeparators() {
        let text = TerminalFormat.progressLine(name: "cards.csv", bytes: 50_000_000, total: 100_000_000, rows: 300_000, seconds: 10, width: 200)
        #expect(text == "cards.csv: 50.0 MB of 100.0 MB (50%), 300,000 rows, 30,000 rows/s, ETA 0:10")
    }

    @Test func theNameIsShortenedBeforeTheFigures() {
        let text = TerminalFormat.progressLine(
            name: "a-very-long-file-name-from-the-nightly-export.csv", bytes: 1_000_000, total: nil, rows: 1, seconds: 1, width: 50)
        #expect(text.hasSuffix(": 1.0 MB, 1 row, 1 rows/s"), "\(text)")
        #expect(text.contains("…"), "\(text)")
        #expect(TerminalFormat.columns(text) == 49, "\(text)")
    }
}
