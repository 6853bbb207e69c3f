import CardUploadModel
@testable import CardUploadStore
import Foundation
import Testing

/// The errors column read back in the one place that reads it, and written as it always was.
@Suite struct StoredErrorsTests {
    @Test func readsWhatTheStoreWrites() {
        let errors = [
            RowError(field: "details.last_four", code: .invalidFormat, message: "quote \" backslash \\ slash /"),
            RowError(field: nil, code: .malformedRecord, message: "controls \u{0}\u{1}\t\n\r\u{8}\u{C}\u{1F} end"),
            RowError(field: "metadata.k\u{E9}y", code: .panDetected, message: "caf\u{E9} \u{1F600} \u{2028} ok"),
        ]
        let stored = StoredErrors(column: errors.json)
        #expect(stored == .errors(errors))
        // The JSON report writes them back byte for byte.
        #expect(Array(stored.json.utf8) == Array(errors.json.utf8))
        #expect(StoredErrors(column: "[]") == .none)
        #expect(StoredErrors(column: nil) == .none)
    }

    @Test func readsStandardEscapesAndWhiteSpaceAndSkipsUnknownKeys() {
        let json = #" [ { "message" : "\u00e9\ud83d\ude00\/\"" , "code":"too_long", "field" : null, "extra": "x" } ] "#
        #expect(StoredErrors(column: json) == .errors([RowError(field: nil, code: .tooLong, message: "\u{E9}\u{1F600}/\"")]))
    }

    @Test(arguments: [
        "", "[", "[{}]", "{\"code\":\"x\"}", "[{\"code\":1}]", "[{\"code\":\"x\"}] x", "[{\"code\":\"x\",}]",
        "[{\"code\":\"\\ud800\"}]", "[{\"code\":\"\\udc00\"}]", "[{\"code\":\"\\x\"}]", "[{\"code\":\"a\nb\"}]",
        "[{\"code\":\"x\"},]", "[{\"code\":\"x\"", "[{\"code\":\"\\u12\"}]",
        "[{\"code\":\"too_long\"}]", "[{\"code\":\"too_long\",\"message\":\"m\",\"field\":1}]",
        // A code this build does not know: kept as text, not dropped or renamed.
        "[{\"field\":null,\"code\":\"no_such_code\",\"message\":\"m\"}]",
    ])
    func keepsOtherShapesAsText(json: String) {
        #expect(StoredErrors(column: json) == .unreadable(json))
        #expect(StoredErrors(column: json).json == json)
    }

    @Test func theColumnIsNullOnlyForARowWithoutErrorsThatWasNotRejected() {
        let errors = [RowError(field: nil, code: .tooLong, message: "m")]
        #expect(StoredErrors.none.column(for: .created) == nil)
        #expect(StoredErrors.none.column(for: .rejected) == "[]")
        #expect(StoredErrors.errors(errors).column(for: .rejected) == errors.json)
        #expect(StoredErrors.errors(errors).column(for: .updated) == errors.json)
        #expect(StoredErrors.unreadable("x").column(for: .replayed) == "x")
    }

    @Test func rowsRoundTripThroughTheStoreMaskedAndTyped() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stored-errors-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        let log = UploadLog(database: database)
        let seq = try log.begin(
            id: "upload_e", file: "e.csv", startedAt: "now", dryRun: false, format: "csv", delimiter: ",",
            encoding: "utf-8", compression: "none")
        let pan = "4111 1111 1111 1111"
        let error = RowError(field: "metadata.\(pan)", code: .panDetected, message: "holds \(pan)")
        try database.writeTransaction {
            try log.recordRow(uploadSeq: seq, line: 2, externalID: "k1", entityID: "e", outcome: .rejected([error]))
            try log.recordRow(uploadSeq: seq, line: 3, externalID: "k2", entityID: "e", outcome: .rejected([]))
            try log.recordRow(uploadSeq: seq, line: 4, externalID: nil, entityID: nil, outcome: .replayed(cardID: "card_x"))
            try log.writePendingRows()
            try database.prepare(
                "INSERT INTO upload_rows (upload_seq, line, outcome, errors) VALUES (?, 5, 'rejected', 'not json')"
            ).execute([.integer(seq)])
        }
        let columns = try database.prepare(
            "SELECT group_concat(line || '=' || coalesce(errors, 'NULL'), ' | ') FROM"
                + " (SELECT * FROM upload_rows WHERE upload_seq = ? ORDER BY line)"
        ).queryOne([.integer(seq)]) { $0.text(0) }
        let masked = [error.masked]
        #expect(masked[0].field == "metadata.**** **** **** 1111" && masked[0].message == "holds **** **** **** 1111")
        #expect(columns == "2=\(masked.json) | 3=[] | 4=NULL | 5=not json")
        var rows: [UploadRowRecord] = []
        try log.forEachRow(uploadID: "upload_e") { rows.append($0) }
        #expect(rows.map(\.outcome) == [.rejected, .rejected, .replayed, .rejected])
        #expect(rows.map(\.errors) == [.errors(masked), .none, .none, .unreadable("not json")])
    }
}
