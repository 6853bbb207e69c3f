import CardUploadInput
import CardUploadModel
import Testing

/// Format from the file name, else from the first bytes.
@Suite struct FormatDetectionTests {
    @Test(arguments: [
        ("cards.csv", InputFormat.csv),
        ("cards.CSV", .csv),
        ("cards.csv.gz", .csv),
        ("cards.Csv.GZ", .csv),
        ("/var/feeds/daily.2024-01-01.tsv", .tsv),
        ("daily.tsv.gz", .tsv),
        ("cards.jsonl", .jsonl),
        ("cards.JSONL.gz", .jsonl),
        ("cards.ndjson", .jsonl),
        ("cards.ndjson.gz", .jsonl),
        ("dir.with.dots/cards.csv", .csv),
    ])
    func nameImpliesFormat(name: String, expected: InputFormat) {
        #expect(FormatDetection.format(forFileName: name) == expected)
    }

    @Test(arguments: [
        "-", "cards", "cards.json", "cards.json.gz", "cards.txt", "cards.gz", "cards.csv.bak",
        "cards.csv.gz.gz", "cards.csvx", "feeds.csv/cards", ".gz", "",
    ])
    func otherNamesImplyNothing(name: String) {
        #expect(FormatDetection.format(forFileName: name) == nil)
    }

    @Test(arguments: [
        ("{\"external_id\":\"x\"}\n", InputFormat.jsonl),
        ("\u{FEFF}{\"a\":1}", .jsonl),
        (" \t\r\n\n{", .jsonl),
        ("\u{FEFF}\n  {", .jsonl),
        ("{", .jsonl),
        ("external_id,account_id\n", .csv),
        ("\u{FEFF}external_id\t{x}\n", .csv),
        ("", .csv),
        (" \n\t", .csv),
        ("[{\"a\":1}]", .csv),
        ("\u{00A0}{", .csv),  // a no-break space is not JSON white space
        ("\u{FEFF}\u{FEFF}{", .csv),  // only one BOM, at the very start, is skipped
    ])
    func sniffLooksAtTheFirstNonBlankByte(text: String, expected: InputFormat) {
        #expect(FormatDetection.sniff(Array(text.utf8)) == expected)
        #expect(FormatDetection.sniff(Array(text.utf8)[...]) == expected, "an ArraySlice answers the same")
    }
}
