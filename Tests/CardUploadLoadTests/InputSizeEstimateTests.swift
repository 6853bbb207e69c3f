@testable import CardUploadLoad
import Foundation
import Testing

/// A load sizes its memory for the store its file makes (`PageCache.sizeForLoad`), from the rows the file holds,
/// estimated from its first bytes (`OpenedInput.estimatedRows`): the file's size times the lines of those bytes
/// per byte of the file behind them (for gzip, the compressed bytes they came from).
@Suite struct InputSizeEstimateTests {
    private func estimate(_ path: String) throws -> Int64? {
        let input = try OpenedInput(path: path, settings: InputSettings(), stop: StopToken())
        try input.detectFormat()
        return input.estimatedRows
    }

    /// `count` rows of one length, and a header.
    private func csv(count: Int) -> String {
        Cards.header + (0..<count).map { Cards.row(String(format: "k%07d", $0)) }.joined()
    }

    @Test func aPlainFilesRowsAreEstimatedFromItsSize() throws {
        let folder = try LoadFolder()
        // 100,000 rows, 3.8 MB: the first bytes read are a megabyte of them.
        let rows = try #require(try estimate(try folder.write("cards.csv", csv(count: 100_000))))
        #expect(abs(rows - 100_001) <= 1_000, "\(rows) lines estimated")
        // A small file is read whole: its lines, exactly.
        #expect(try estimate(try folder.write("small.csv", csv(count: 3))) == 4)
    }

    @Test func aGzipFilesRowsAreEstimatedFromHowItsFirstBytesInflated() throws {
        let folder = try LoadFolder()
        let plain = try folder.write("cards.csv", csv(count: 300_000))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-k", plain]
        try gzip.run()
        gzip.waitUntilExit()
        try #require(gzip.terminationStatus == 0)
        let rows = try #require(try estimate(plain + ".gz"))
        #expect(abs(rows - 300_001) <= 30_000, "\(rows) lines estimated (within a tenth)")
    }

    @Test func aFileOfCarriageReturnsCountsThem() throws {
        let folder = try LoadFolder()
        let text = csv(count: 3).replacingOccurrences(of: "\n", with: "\r")
        #expect(try estimate(try folder.write("mac.csv", text)) == 4)
    }

    @Test func aFileOfOneLineHasNoEstimate() throws {
        let folder = try LoadFolder()
        #expect(try estimate(try folder.write("header.csv", Cards.header)) == nil)
        #expect(try estimate(try folder.write("empty.csv", "")) == nil)
    }
}
