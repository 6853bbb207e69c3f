@testable import CardUploadLoad
import CardUploadInput
import CardUploadModel
import CardUploadParsing
import Foundation
import Testing

/// The reading thread hands rows over in file order, checked, in bounded hand-overs, and stops cleanly
/// when the writer stops early.
@Suite struct RowPipelineTests {
    private func pipeline(rows: Int, keepsRecords: Bool = false) throws -> (RowPipeline, URL) {
        var text = "external_id,account_id,entity_id,details.last_four\n"
        for index in 0..<rows {
            text += index % 10 == 3 ? "k\(index),account a,entity_e,0001\n" : "k\(index),account_a,entity_e,0001\n"
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: url)
        let source = try ByteSource.open(path: url.path)
        let reader = try CSVRecordReader(source: source, options: CSVOptions())
        return (RowPipeline(reader: reader, source: source, defaultEntity: nil, keepsRecords: keepsRecords), url)
    }

    @Test func everyRowComesOnceInFileOrderChecked() throws {
        let (pipeline, url) = try pipeline(rows: 5_000)
        defer { try? FileManager.default.removeItem(at: url) }
        pipeline.start()
        defer { pipeline.finish() }
        var lines: [Int] = []
        var rejected = 0
        var ended = false
        while let handed = pipeline.next() {
            #expect(handed.rows.count <= 512)
            for row in handed.rows {
                lines.append(row.line)
                if row.card == nil { rejected += 1 } else { #expect(row.newCardID?.hasPrefix("card_") == true) }
                #expect(row.record == nil)
            }
            if case .finished? = handed.end { ended = true }
            pipeline.recycle(handed)
        }
        #expect(ended)
        #expect(lines == Array(2...5_001))
        #expect(rejected == 500)
    }

    @Test func aWriterThatStopsEarlyEndsTheReadingThread() throws {
        let (pipeline, url) = try pipeline(rows: 50_000, keepsRecords: true)
        defer { try? FileManager.default.removeItem(at: url) }
        pipeline.start()
        let first = try #require(pipeline.next())
        #expect(first.rows.first?.record?.line == 2)
        // The reader is blocked on a full queue by now; finishing must wake it and wait for it.
        pipeline.finish()
        #expect(pipeline.next() == nil)
        pipeline.finish()
    }
}
