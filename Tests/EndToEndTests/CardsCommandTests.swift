import Foundation
import Testing

/// `cards get|find|list`, standard input, and the card object's shape.
@Suite struct CardsCommandTests {
    @Test func listGetAndFindPrintCardsInTheAPIShape() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let file = try folder.write(
            "a.csv",
            "external_id,account_id,entity_id,details.last_four,metadata.k\nk1,account_a,entity_e,0001,v\nk2,account_b,entity_e,0002,\nk3,account_a,entity_f,0003,\n")
        #expect(try CardUploadBinary.run(["process", file, "--db", db], in: folder.url).status == 0)

        let all = try CardUploadBinary.run(["cards", "list", "--db", db], in: folder.url)
        #expect(all.status == 0)
        let cards = try all.stdout.split(separator: "\n").map { try parseJSON(String($0)) }
        #expect(cards.count == 3)
        let first = try #require(cards.first)
        #expect(Set(first.keys) == ["id", "external_id", "client_card_id", "account_id", "entity_id", "type", "status",
                                    "status_reason", "created_at", "updated_at", "details", "replaced_by", "metadata"])
        #expect(first["status"] as? String == "active")
        #expect(first["status_reason"] is NSNull)
        #expect(first["type"] as? String == "virtual")
        #expect(first["metadata"] as? [String: String] == ["k": "v"])
        #expect((cards[1]["metadata"] as? [String: String]) == [:])
        let id = try #require(first["id"] as? String)
        #expect(id.hasPrefix("card_") && id.count == 25)
        #expect(id.dropFirst(5).allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) })
        let created = try #require(first["created_at"] as? String)
        #expect(created.count == 24 && created.hasSuffix("Z") && created == first["updated_at"] as? String)

        let filtered = try CardUploadBinary.run(["cards", "list", "--entity", "entity_e", "--account", "account_a", "--db", db], in: folder.url)
        #expect(filtered.stdout.split(separator: "\n").count == 1)

        let got = try CardUploadBinary.run(["cards", "get", id, "--db", db], in: folder.url)
        #expect(try parseJSON(got.stdout)["external_id"] as? String == "k1")
        let missing = try CardUploadBinary.run(["cards", "get", "whatever", "--db", db], in: folder.url)
        #expect(missing.status == 1 && missing.stderr.contains("not found"))
        let notFound = try CardUploadBinary.run(["cards", "find", "--entity", "entity_e", "--external-id", "k3", "--db", db], in: folder.url)
        #expect(notFound.status == 1)
    }

    @Test func standardInputIsSniffedAndTheDatabaseComesFromTheEnvironment() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("env.sqlite")
        let json = #"{"external_id":"s1","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0001"}}"# + "\n"
        let result = try CardUploadBinary.run(["process", "-"], in: folder.url, stdin: Data(json.utf8), environment: ["CARD_UPLOAD_DB": db])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 1)
        #expect(try StoreInspector(db).value("SELECT format FROM uploads") == "jsonl")
        #expect(try StoreInspector(db).value("SELECT file FROM uploads") == "-")
        #expect(result.stderr.hasPrefix("created the card store \(db)\nstandard input: 1 row: 1 created"), "\(result.stderr)")
    }

    @Test func aPipeThatStartsWithBlankLinesIsStillSniffedAsJSONLines() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let pipe = Pipe()
        let process = Process()
        process.executableURL = CardUploadBinary.url
        process.arguments = ["process", "-", "--db", db, "--quiet"]
        process.standardInput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        pipe.fileHandleForWriting.write(Data("\n\n".utf8))
        usleep(300_000)
        pipe.fileHandleForWriting.write(Data((#"{"external_id":"s1","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0001"}}"# + "\n").utf8))
        try pipe.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try StoreInspector(db).value("SELECT format FROM uploads") == "jsonl")
    }

    @Test func uploadsShowRebuildsTheReportWrittenAtLoadTime() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let file = samplesDirectory.appendingPathComponent("cards.csv").path
        _ = try CardUploadBinary.run(["process", file, "--db", db, "--report", folder.path("r.json")], in: folder.url)
        let written = try readJSON(folder.path("r.json"))
        let id = try #require(written["upload_id"] as? String)
        let shown = try CardUploadBinary.run(["uploads", "show", id, "--db", db], in: folder.url)
        #expect(shown.status == 0)
        let rebuilt = try parseJSON(shown.stdout)
        #expect(try canonicalJSON(rebuilt) == canonicalJSON(written))
        #expect((rebuilt["rows"] as? [Any])?.count == 37)
        let listed = try CardUploadBinary.run(["uploads", "list", "--json", "--db", db], in: folder.url)
        let upload = try parseJSON(String(listed.stdout.split(separator: "\n").first ?? ""))
        #expect(upload["upload_id"] as? String == id)
        #expect(upload["rows"] as? Int == 37)
    }
}
