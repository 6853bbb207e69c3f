import Foundation
import Testing

/// `cards list --format csv` (SPEC §8): the export is an upload file that loads into another store as it is.
@Suite struct CardExportTests {
    /// Cards with different metadata keys per card and values a spreadsheet or a CSV reader could mangle.
    static let variedCards = [
        #"{"external_id":"v1","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0001"},"#
            + #""metadata":{"note":"a, b","quote":"say \"hi\"","multi":"one\ntwo\r\nthree","formula":"=SUM(A1:A9)","#
            + #""cost":"-12.5","city":"Zürich 東京"}}"#,
        #"{"external_id":"v2","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0002"},"#
            + #""metadata":{"already":"'=kept","plus":"+1","at":"@handle","tab":"\tindent","apostrophe":"'plain"}}"#,
        #"{"external_id":"=v3","account_id":"account_b","entity_id":"entity_f","details":{"last_four":"0003"}}"#,
        // Keys equal under Unicode canonical equivalence but not byte for byte stay two columns; a line separator
        // (Zl) is not a control character (a key may not hold one, SPEC §3) and needs no quotes.
        #"{"external_id":"v4","account_id":"account_b","entity_id":"entity_f","details":{"last_four":"0004"},"#
            + #""metadata":{"caf\u00e9":"nfc","cafe\u0301":"nfd","a|b;c":"pipes","line\u2028key":"v"}}"#,
    ].joined(separator: "\n") + "\n"

    /// Every card's upload fields and metadata, as hex so the comparison is byte for byte, by key.
    static func cardBodies(_ db: String) throws -> [[String?]] {
        try StoreInspector(db).rows(
            "SELECT hex(entity_id), hex(external_id), hex(account_id), hex(type), hex(last_four),"
                + " hex(replacement_for), hex(metadata), status FROM cards ORDER BY entity_id, external_id")
    }

    @Test func anExportLoadsIntoANewStoreWithEveryValueByteForByte() throws {
        let folder = try TemporaryDirectory()
        let first = folder.path("first.sqlite")
        let input = try folder.write("varied.jsonl", Self.variedCards)
        let load = try CardUploadBinary.run(["process", input, "--db", first], in: folder.url)
        #expect(load.status == 0, "\(load.stderr)")

        let export = try CardUploadBinary.run(["cards", "list", "--format", "csv", "--db", first], in: folder.url)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stderr.isEmpty)
        let metadataColumns = [
            "metadata.already", "metadata.apostrophe", "metadata.at", "\"metadata.a|b;c\"", "metadata.cafe\u{301}",
            "metadata.caf\u{e9}", "metadata.city", "metadata.cost", "metadata.formula", "metadata.line\u{2028}key",
            "metadata.multi", "metadata.note", "metadata.plus", "metadata.quote", "metadata.tab",
        ]
        let expectedHeader = (["external_id", "account_id", "entity_id", "type", "details.last_four", "details.replacement_for"]
            + metadataColumns + ["_id", "_status", "_status_reason", "_replaced_by", "_created_at", "_updated_at"])
            .joined(separator: ",") + "\n"
        #expect(export.stdout.utf8.starts(with: expectedHeader.utf8), "\(export.stdout)")

        // Cells as written: every value a spreadsheet would change (a formula, a number, a leading zero, a date, a
        // leading `'`) behind a `'`, quoted per RFC 4180.
        let expectedCells: [[String]] = [
            ["v1", "account_a", "entity_e", "virtual", "'0001", "",
             "", "", "", "", "", "", "Zürich 東京", "'-12.5", "'=SUM(A1:A9)", "", "\"one\ntwo\r\nthree\"", "\"a, b\"", "",
             "\"say \"\"hi\"\"\"", ""],
            ["v2", "account_a", "entity_e", "virtual", "'0002", "",
             "''=kept", "''plain", "'@handle", "", "", "", "", "", "", "", "", "", "'+1", "", "\"'\tindent\""],
            ["'=v3", "account_b", "entity_f", "virtual", "'0003", "",
             "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
            ["v4", "account_b", "entity_f", "virtual", "'0004", "",
             "", "", "", "pipes", "nfd", "nfc", "", "", "", "v", "", "", "", "", ""],
        ]
        let cards = try StoreInspector(first).rows("SELECT id, created_at, updated_at FROM cards ORDER BY rowid")
        let expectedBody = zip(expectedCells, cards).map { cells, card in
            (cells + [card[0]!, "active", "", "", "'" + card[1]!, "'" + card[2]!]).joined(separator: ",") + "\n"
        }.joined()
        let body = export.stdout.utf8.dropFirst(expectedHeader.utf8.count)
        #expect(Array(body) == Array(expectedBody.utf8), "\(export.stdout)")

        // The export is an upload file: a new store gets the same cards, under its own ids.
        let exportFile = try folder.write("export.csv", export.stdout)
        let second = folder.path("second.sqlite")
        let reload = try CardUploadBinary.run(["process", exportFile, "--db", second], in: folder.url)
        #expect(reload.status == 0, "\(reload.stderr)")
        #expect(reload.stderr.contains("4 rows: 4 created"), "\(reload.stderr)")
        #expect(try Self.cardBodies(second) == Self.cardBodies(first))
        let firstIDs = Set(try StoreInspector(first).rows("SELECT id FROM cards").map { $0[0] })
        let secondIDs = Set(try StoreInspector(second).rows("SELECT id FROM cards").map { $0[0] })
        #expect(firstIDs.isDisjoint(with: secondIDs))

        // Loading it into the first store again finds every card already there.
        let replay = try CardUploadBinary.run(["process", exportFile, "--db", first], in: folder.url)
        #expect(replay.status == 0 && replay.stderr.contains("4 replayed"), "\(replay.stderr)")
    }

    @Test func filtersChooseTheCardsAndTheirMetadataColumns() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let one = try folder.write(
            "one.csv", "external_id,account_id,entity_id,details.last_four,metadata.color\na1,account_a,entity_e,0001,red\na2,account_a,entity_f,0002,\n")
        let two = try folder.write(
            "two.csv", "external_id,account_id,entity_id,details.last_four,metadata.size\nb1,account_b,entity_e,0003,L\n")
        #expect(try CardUploadBinary.run(["process", one, "--db", db], in: folder.url).status == 0)
        #expect(try CardUploadBinary.run(["process", two, "--db", db], in: folder.url).status == 0)
        let inspector = try StoreInspector(db)
        let firstUpload = try #require(try inspector.value("SELECT id FROM uploads ORDER BY seq LIMIT 1"))
        let b1 = try #require(try inspector.value("SELECT id FROM cards WHERE external_id = 'b1'"))
        let closed = try CardUploadBinary.run(["cards", "set-status", b1, "closed", "--reason", "=lost, stolen", "--db", db], in: folder.url)
        #expect(closed.status == 0, "\(closed.stderr)")

        func export(_ options: [String]) throws -> [String] {
            let result = try CardUploadBinary.run(["cards", "list", "--db", db, "--format=csv"] + options, in: folder.url)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        let upload = "external_id,account_id,entity_id,type,details.last_four,details.replacement_for,"
        let system = "_id,_status,_status_reason,_replaced_by,_created_at,_updated_at"

        let entity = try export(["--entity", "entity_e"])
        #expect(entity[0] == upload + "metadata.color,metadata.size," + system)
        #expect(entity.count == 4 && entity[1].hasPrefix("a1,") && entity[2].hasPrefix("b1,") && entity[3].isEmpty)

        let byUpload = try export(["--upload", firstUpload])
        #expect(byUpload[0] == upload + "metadata.color," + system)
        #expect(byUpload.count == 4 && byUpload[1].hasPrefix("a1,") && byUpload[2].hasPrefix("a2,"))

        let byStatus = try export(["--status", "closed"])
        #expect(byStatus[0] == upload + "metadata.size," + system)
        #expect(byStatus.count == 3)
        #expect(byStatus[1].hasPrefix("b1,account_b,entity_e,virtual,'0003,,L,\(b1),closed,\"'=lost, stolen\",,"), "\(byStatus[1])")

        // No card: the header alone, with no metadata columns.
        #expect(try export(["--account", "account_z"]) == [upload + system, ""])
    }

    @Test func aReaderThatStopsEarlyEndsTheExportQuietly() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        // Far more than a pipe holds, so the export is still writing when `head` goes away.
        var csv = "external_id,account_id,entity_id,details.last_four,metadata.note\n"
        for index in 0..<5_000 {
            csv += "x\(index),account_a,entity_e,\(String(format: "%04d", index % 10_000)),some note to make the line longer \(index)\n"
        }
        let file = try folder.write("many.csv", csv)
        #expect(try CardUploadBinary.run(["process", file, "--db", db], in: folder.url).status == 0)

        let script = #""$0" cards list --format csv --db "$1" | head -1; echo "exit=${PIPESTATUS[0]}" >&2"#
        let shell = try CardUploadBinary.run(
            ["-c", script, CardUploadBinary.url.path, db], in: folder.url, executable: "/bin/bash")
        #expect(shell.stdout.hasPrefix("external_id,account_id,"), "\(shell.stdout)")
        #expect(shell.stdout.split(separator: "\n").count == 1)
        #expect(shell.stderr == "exit=0\n", "\(shell.stderr)")
    }

    @Test func anUnknownFormatIsAUsageError() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let file = try folder.write("a.csv", "external_id,account_id,entity_id,details.last_four\nk1,account_a,entity_e,0001\n")
        #expect(try CardUploadBinary.run(["process", file, "--db", db], in: folder.url).status == 0)
        let xml = try CardUploadBinary.run(["cards", "list", "--format", "xml", "--db", db], in: folder.url)
        #expect(xml.status == 64)
        #expect(xml.stdout.isEmpty)
        #expect(xml.stderr.contains("--format must be jsonl, csv or lead-card"), "\(xml.stderr)")
    }
}
