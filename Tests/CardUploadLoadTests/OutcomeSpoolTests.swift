@testable import CardUploadLoad
import CardUploadModel
import CardUploadStore
import Testing

/// The atomic upload's spool gives back every row as it was appended, in order, whatever its size.
@Suite struct OutcomeSpoolTests {
    private func readBack(_ spool: OutcomeSpool) throws -> [UploadRowRecord] {
        var rows: [UploadRowRecord] = []
        try spool.forEach { rows.append($0) }
        return rows
    }

    @Test func rowsComeBackAsAppendedInOrder() throws {
        let long = String(repeating: "m\u{E9}\u{1F600}", count: (1 << 20) / 7 + 1)
        var rows: [UploadRowRecord] = [
            UploadRowRecord(line: 2, externalID: nil, entityID: nil, outcome: .created, cardID: nil),
            UploadRowRecord(line: 3, externalID: "", entityID: "", outcome: .replayed, cardID: ""),
            UploadRowRecord(line: 4, externalID: "caf\u{E9} \u{1F600}", entityID: "entit\u{E9}", outcome: .updated, cardID: "card_\u{2028}"),
            UploadRowRecord(line: 5, externalID: "k5", entityID: "e", outcome: .rejected, cardID: nil, errors: .errors([
                RowError(field: nil, code: .malformedRecord, message: ""),
                RowError(field: "", code: .tooLong, message: "quote \" nul \u{0} newline \n"),
                RowError(field: "metadata.k\u{E9}y", code: .panDetected, message: long),
            ])),
            UploadRowRecord(line: 6, externalID: "k6", entityID: nil, outcome: .rejected, cardID: nil),
            UploadRowRecord(line: 7, externalID: nil, entityID: nil, outcome: .rejected, cardID: nil, errors: .unreadable("not json")),
            UploadRowRecord(line: Int(Int32.max) + 8, externalID: long, entityID: nil, outcome: .created, cardID: "card_big"),
        ]
        // Well past one 64 KiB buffer of rows in total, so rows and texts span its edges.
        for line in 100..<6_100 {
            let errors: StoredErrors = line % 3 == 0
                ? .errors([RowError(field: line % 2 == 0 ? nil : "account_id", code: .invalidFormat, message: "bad \(line)")])
                : .none
            rows.append(UploadRowRecord(
                line: line, externalID: "key_\(line)", entityID: line % 5 == 0 ? nil : "entity_\(line % 7)",
                outcome: line % 3 == 0 ? .rejected : .created, cardID: line % 3 == 0 ? nil : "card_\(line)", errors: errors))
        }
        let spool = try OutcomeSpool()
        for row in rows { try spool.append(row) }
        let read = try readBack(spool)
        #expect(read.count == rows.count)
        #expect(read == rows)
        // Byte for byte, not only by Swift's ==.
        #expect(read.map { Array(($0.externalID ?? "nil").utf8) } == rows.map { Array(($0.externalID ?? "nil").utf8) })
        // Read twice, and appended to after reading.
        let more = UploadRowRecord(line: 9_999, externalID: "last", entityID: nil, outcome: .updated, cardID: "card_z")
        try spool.append(more)
        #expect(try readBack(spool) == rows + [more])
    }

    @Test func anOutcomeIsKeptWithItsErrorsMasked() throws {
        let pan = "4111111111111111"
        let spool = try OutcomeSpool()
        try spool.append(line: 2, externalID: "k", entityID: "e", outcome: .created(cardID: "card_a"))
        try spool.append(
            line: 3, externalID: "k3", entityID: nil,
            outcome: .rejected([RowError(field: "metadata.\(pan)", code: .panDetected, message: "holds \(pan)")]))
        #expect(try readBack(spool) == [
            UploadRowRecord(line: 2, externalID: "k", entityID: "e", outcome: .created, cardID: "card_a"),
            UploadRowRecord(line: 3, externalID: "k3", entityID: nil, outcome: .rejected, cardID: nil, errors: .errors([
                RowError(field: "metadata.************1111", code: .panDetected, message: "holds ************1111"),
            ])),
        ])
    }

    @Test func anEmptySpoolReadsNothing() throws {
        #expect(try readBack(OutcomeSpool()).isEmpty)
    }
}
