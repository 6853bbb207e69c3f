import CardUploadModel
import CardUploadReport
import CardUploadStore
import Foundation
import Testing

/// The HTML report (SPEC §6) written from a real store and read back with an HTML parser.
@Suite struct HTMLReportWriterTests {
    static let hostileID = "<script>alert(1)</script>"
    static let quotesID = "\"&'"
    static let codes: [ErrorCode] = [.invalidFormat, .missingField, .tooLong]

    /// Five created rows, then `rejected` rejected rows in line order, their codes taking turns; the
    /// first two rejected rows carry hostile external_ids, the third two errors.
    static func rows(rejected: Int) -> [HTMLReportStore.Row] {
        var rows = (0..<5).map { HTMLReportStore.Row(line: $0 + 2, externalID: "ok_\($0)", outcome: .created(cardID: "card_\($0)")) }
        for index in 0..<rejected {
            let externalID = index == 0 ? hostileID : index == 1 ? quotesID : "ext_\(index)"
            var errors = [
                RowError(
                    field: "details.last_four", code: codes[index % codes.count],
                    message: "value \"<b>\(index)</b>\" & more is not 'four digits'")
            ]
            if index == 2 { errors.append(RowError(field: nil, code: .missingField, message: "account_id is missing")) }
            rows.append(HTMLReportStore.Row(line: index + 7, externalID: externalID, outcome: .rejected(errors)))
        }
        return rows
    }

    /// Rejected rows by code, the way the report counts them (rows, not errors).
    static func expectedByCode(_ rows: [HTMLReportStore.Row]) -> [String: Int] {
        var byCode: [String: Int] = [:]
        for row in rows {
            guard case .rejected(let errors) = row.outcome else { continue }
            for code in Set(errors.map(\.code.rawValue)) { byCode[code, default: 0] += 1 }
        }
        return byCode
    }

    @Test func countsChartAndTheFirstThousandRejectedRows() throws {
        let store = try HTMLReportStore()
        let rows = Self.rows(rejected: 1_001)
        try store.record(id: "upload_aaaaaaaaaaaaaaaaaaaa", file: "cards <may>.csv", rows: rows, status: "completed_with_errors")
        let html = try store.html(of: "upload_aaaaaaaaaaaaaaaaaaaa")
        let page = try HTMLPageInspection.inspect(html)

        #expect(page.problems == [])
        #expect(page.doctype)
        #expect(page.texts["count-rows"] == "1006")
        #expect(page.texts["count-created"] == "5")
        #expect(page.texts["count-replayed"] == "0")
        #expect(page.texts["count-updated"] == "0")
        #expect(page.texts["count-rejected"] == "1001")
        #expect(page.texts["status"] == "completed_with_errors")
        #expect(page.texts["file"] == "cards <may>.csv")
        #expect(page.texts["upload-id"] == "upload_aaaaaaaaaaaaaaaaaaaa")
        #expect(page.texts["started-at"] == "2024-05-01T09:30:00.000Z")
        #expect(page.texts["finished-at"] == "2024-05-01T09:30:02.500Z")
        #expect(page.texts["file-error"] == nil)
        #expect(html.contains("<title>Upload report: cards &lt;may&gt;.csv (upload_aaaaaaaaaaaaaaaaaaaa)</title>"))

        // One bar per code, with its count of rows.
        #expect(page.tags["svg"] == 1)
        var bars: [String: Int] = [:]
        for bar in page.bars { bars[bar.code ?? "?"] = Int(bar.count ?? "") }
        #expect(page.bars.count == 3)
        #expect(bars == Self.expectedByCode(rows))

        // Exactly the first 1,000 rejected rows, in line order, and a note for the one left.
        #expect(page.rows.count == HTMLReportWriter.rowLimit)
        #expect(page.rows.map(\.line) == (7..<1_007).map(String.init))
        #expect(page.texts["rows-not-listed"] == "1 more rejected row is not listed.")
        #expect(!html.contains("data-line=\"1007\""))

        // Every row shows its codes and messages; two errors show both.
        #expect(page.rows[2].cells[2] == "too_longmissing_field")
        #expect(page.rows[2].cells[3] == "details.last_four: value \"<b>2</b>\" & more is not 'four digits'account_id is missing")
    }

    @Test func storeValuesAreEscaped() throws {
        let store = try HTMLReportStore()
        try store.record(id: "upload_bbbbbbbbbbbbbbbbbbbb", file: "f.csv", rows: Self.rows(rejected: 3), status: "completed_with_errors")
        let html = try store.html(of: "upload_bbbbbbbbbbbbbbbbbbbb")
        let page = try HTMLPageInspection.inspect(html)

        #expect(page.problems == [])
        #expect(page.rows[0].cells[1] == Self.hostileID)
        #expect(page.rows[1].cells[1] == Self.quotesID)
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;&amp;&#39;"))
        #expect(html.contains("&lt;b&gt;0&lt;/b&gt;"))
        #expect(page.tags["script"] == nil)
        #expect(page.tags["b"] == nil)
        #expect(!html.lowercased().contains("<script"))
    }

    @Test(arguments: [1_001, 1_000, 3])
    func selfContained(rejected: Int) throws {
        let store = try HTMLReportStore()
        try store.record(id: "upload_cccccccccccccccccccc", file: "f.csv", rows: Self.rows(rejected: rejected), status: "completed_with_errors")
        let html = try store.html(of: "upload_cccccccccccccccccccc")
        let page = try HTMLPageInspection.inspect(html)

        #expect(page.problems == [])
        let lowered = html.lowercased()
        #expect(!lowered.contains("src="))
        #expect(!lowered.contains("href="))
        #expect(!lowered.contains("<script"))
        #expect(!lowered.contains("url("))
        #expect(!lowered.contains("@import"))
        #expect(!page.attributes.contains("src"))
        #expect(!page.attributes.contains("href"))
        #expect(!page.attributes.contains { $0.hasPrefix("on") })
        for tag in ["script", "link", "img", "iframe", "object", "embed", "a", "base", "form"] {
            #expect(page.tags[tag] == nil, "unexpected <\(tag)>")
        }
        #expect(page.tags["style"] == 1)
        #expect(page.rows.count == min(rejected, HTMLReportWriter.rowLimit))
        #expect((page.texts["rows-not-listed"] != nil) == (rejected > HTMLReportWriter.rowLimit))
    }

    @Test func noRejectionsMeansNoBarsAndNoTable() throws {
        let store = try HTMLReportStore()
        try store.record(id: "upload_dddddddddddddddddddd", file: "f.csv", rows: Self.rows(rejected: 0), status: "completed")
        let page = try HTMLPageInspection.inspect(try store.html(of: "upload_dddddddddddddddddddd"))

        #expect(page.problems == [])
        #expect(page.texts["status"] == "completed")
        #expect(page.texts["count-rows"] == "5")
        #expect(page.texts["count-created"] == "5")
        #expect(page.texts["count-rejected"] == "0")
        #expect(page.bars.isEmpty)
        #expect(page.tags["svg"] == nil)
        #expect(page.tags["table"] == nil)
        #expect(page.texts["no-rejections"] == "No row was rejected.")
        #expect(page.texts["rows-not-listed"] == nil)
    }

    @Test func failedUploadShowsItsError() throws {
        let store = try HTMLReportStore()
        let rows = [
            HTMLReportStore.Row(line: 2, externalID: "a", outcome: .created(cardID: "card_a")),
            HTMLReportStore.Row(
                line: 3, externalID: "b",
                outcome: .rejected([RowError(field: "account_id", code: .invalidFormat, message: "bad")])),
            HTMLReportStore.Row(
                line: 4, externalID: nil,
                outcome: .rejected([RowError(field: "account_id", code: .missingField, message: "account_id is required")])),
        ]
        let error = FileError(code: .corruptGzip, message: "gzip stream <ends> & is \"cut\"", line: 9, offset: 4_096)
        try store.record(id: "upload_eeeeeeeeeeeeeeeeeeee", file: "f.csv.gz", rows: rows, status: "failed", error: error)
        let page = try HTMLPageInspection.inspect(try store.html(of: "upload_eeeeeeeeeeeeeeeeeeee"))

        #expect(page.problems == [])
        #expect(page.texts["status"] == "failed")
        #expect(page.texts["file-error-code"] == "corrupt_gzip")
        #expect(page.texts["file-error-message"] == "gzip stream <ends> & is \"cut\"")
        #expect(page.texts["file-error"]?.contains("line 9, byte offset 4096") == true)
        #expect(page.texts["count-rows"] == "3")
        #expect(page.texts["count-rejected"] == "2")
        #expect(page.bars.count == 2)
        // The field is named once: before a message that does not name it, not before one that does.
        #expect(page.rows.map(\.cells) == [
            ["3", "b", "invalid_format", "account_id: bad"],
            ["4", "none", "missing_field", "account_id is required"],
        ])
    }

    @Test func failedUploadWithNoRows() throws {
        let store = try HTMLReportStore()
        let error = FileError(code: .missingColumn, message: "missing column: external_id", line: 1)
        try store.record(id: "upload_ffffffffffffffffffff", file: "f.csv", rows: [], status: "failed", error: error)
        let page = try HTMLPageInspection.inspect(try store.html(of: "upload_ffffffffffffffffffff"))

        #expect(page.problems == [])
        #expect(page.texts["status"] == "failed")
        #expect(page.texts["file-error-code"] == "missing_column")
        #expect(page.texts["count-rows"] == "0")
        #expect(page.tags["svg"] == nil)
        #expect(page.tags["table"] == nil)
    }

    @Test func unfinishedUploadSaysSo() throws {
        let store = try HTMLReportStore()
        try store.record(id: "upload_gggggggggggggggggggg", file: "f.csv", rows: Self.rows(rejected: 1), status: "", finished: false)
        let page = try HTMLPageInspection.inspect(try store.html(of: "upload_gggggggggggggggggggg"))

        #expect(page.problems == [])
        #expect(page.texts["finished-at"] == "not finished")
        #expect(page.rows.count == 1)
    }

    @Test func unknownUploadIsAnError() throws {
        let store = try HTMLReportStore()
        #expect(throws: HTMLReportError.uploadNotFound("upload_nope")) { try store.html(of: "upload_nope") }
    }
}
