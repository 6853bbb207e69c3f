import CardUploadInput
import CardUploadModel
import Foundation
import Testing

@testable import CardUploadParsing

/// The csv-spectrum corpus (Fixtures/csv-spectrum, BSD-2-Clause, see its NOTICE.md), every case, through the
/// tokenizer: the records after the header, keyed by header, must equal the expected JSON.
@Suite("csv-spectrum corpus")
struct CSVSpectrumTests {
    static let directory: URL = Bundle.module.resourceURL!
        .appendingPathComponent("Fixtures/csv-spectrum", isDirectory: true)

    static let caseNames: [String] = {
        let csvs = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("csvs").path)) ?? []
        return csvs.filter { $0.hasSuffix(".csv") }.map { String($0.dropLast(4)) }.sorted()
    }()

    static func rows(_ name: String, chunkSize: Int) throws -> [[String: String]] {
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent("csvs/\(name).csv")))
        let records = try tokenize(bytes, delimiter: nil, chunkSize: chunkSize)
        let header = try #require(records.first?.fields)
        return try records.dropFirst().map { record in
            let fields = try #require(record.fields)
            #expect(fields.count == header.count, "\(name) line \(record.line)")
            return Dictionary(zip(header, fields), uniquingKeysWith: { first, _ in first })
        }
    }

    static func expected(_ name: String) throws -> [[String: String]] {
        let data = try Data(contentsOf: directory.appendingPathComponent("json/\(name).json"))
        let json = try JSONSerialization.jsonObject(with: data)
        // location_coordinates.json is a single object, not an array (a corpus bug).
        if let objects = json as? [[String: String]] { return objects }
        return [try #require(json as? [String: String])]
    }

    @Test func corpusIsComplete() {
        #expect(Self.caseNames.count == 12)
    }

    @Test(arguments: caseNames.filter { $0 != "location_coordinates" }, csvChunkSizes)
    func corpusCase(_ name: String, chunkSize: Int) throws {
        #expect(try Self.rows(name, chunkSize: chunkSize) == Self.expected(name))
    }

    /// location_coordinates: the CSV holds a bare `"` inside an unquoted field (`37°36'37.8"N`). Our lenient rule
    /// (SPEC §2, as Python's csv) keeps it as data, which gives exactly the JSON's coordinate value. The JSON's
    /// phone number (1234567890) does not match the CSV's (2095257564): a corpus bug, so we assert what the CSV
    /// says, and that every other column matches the JSON.
    @Test(arguments: csvChunkSizes)
    func locationCoordinates(chunkSize: Int) throws {
        let rows = try Self.rows("location_coordinates", chunkSize: chunkSize)
        var expected = try #require(Self.expected("location_coordinates").first)
        #expect(expected["Contact Phone Number"] == "1234567890")
        expected["Contact Phone Number"] = "2095257564"
        #expect(rows == [expected])
        #expect(rows.first?["Location Coordinates"] == "37\u{FFFD}36'37.8\"N 121\u{FFFD}2'17.9\"W")
    }

    @Test func crlfFixturesReallyHaveCRLF() throws {
        for name in ["empty_crlf", "newlines_crlf", "simple_crlf"] {
            let bytes = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent("csvs/\(name).csv")))
            #expect(bytes.contains(0x0D), "\(name)")
        }
    }
}
