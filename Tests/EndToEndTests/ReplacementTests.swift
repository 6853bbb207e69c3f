import Foundation
import Testing

/// details.replacement_for with status changes, end to end through `process` and `cards set-status`.
@Suite struct ReplacementTests {
    static let header = "external_id,account_id,entity_id,details.last_four,details.replacement_for\n"

    private func cardID(_ folder: TemporaryDirectory, _ db: String, entity: String, external: String) throws -> String {
        let found = try CardUploadBinary.run(["cards", "find", "--entity", entity, "--external-id", external, "--db", db], in: folder.url)
        #expect(found.status == 0, "\(found.stderr)")
        return try #require(try parseJSON(found.stdout)["id"] as? String)
    }

    @Test func aClosedCardCanBeReplacedOnceAndTheChainIsRecorded() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let base = try folder.write("a.csv", Self.header + "old,account_a,entity_e,0001,\nother,account_a,entity_f,0002,\n")
        #expect(try CardUploadBinary.run(["process", base, "--db", db], in: folder.url).status == 0)
        let old = try cardID(folder, db, entity: "entity_e", external: "old")
        let other = try cardID(folder, db, entity: "entity_f", external: "other")

        // Active: not closed yet. Another entity's card: not found.
        let early = try folder.write(
            "b.csv", Self.header + "new,account_a,entity_e,0003,\(old)\nnew2,account_a,entity_e,0004,\(other)\n")
        let refused = try CardUploadBinary.run(["process", early, "--db", db, "--report", folder.path("r1.json")], in: folder.url)
        #expect(refused.status == 1)
        let refusedRows = try #require(try readJSON(folder.path("r1.json"))["rows"] as? [[String: Any]])
        #expect(refusedRows.map { ($0["errors"] as? [[String: Any]])?.first?["code"] as? String }
            == ["replaced_card_not_closed", "card_not_found"])

        // Inactive needs a reason; closing is allowed from active.
        #expect(try CardUploadBinary.run(["cards", "set-status", old, "closed", "--db", db], in: folder.url).status == 64)
        let closed = try CardUploadBinary.run(["cards", "set-status", old, "closed", "--reason", "lost", "--db", db], in: folder.url)
        #expect(closed.status == 0, "\(closed.stderr)")
        #expect(try parseJSON(closed.stdout)["status"] as? String == "closed")
        #expect(try parseJSON(closed.stdout)["status_reason"] as? String == "lost")
        let reopen = try CardUploadBinary.run(["cards", "set-status", old, "active", "--db", db], in: folder.url)
        #expect(reopen.status == 1)
        #expect(reopen.stderr.contains("invalid_status_transition"))

        // The replacement is created, the old card points at it; a second replacement is refused.
        let replacing = try folder.write(
            "c.csv", Self.header + "new,account_a,entity_e,0003,\(old)\nnewer,account_a,entity_e,0005,\(old)\n")
        let result = try CardUploadBinary.run(["process", replacing, "--db", db, "--report", folder.path("r2.json")], in: folder.url)
        #expect(result.status == 1)
        let rows = try #require(try readJSON(folder.path("r2.json"))["rows"] as? [[String: Any]])
        #expect(rows.map { $0["outcome"] as? String } == ["created", "rejected"])
        #expect((rows[1]["errors"] as? [[String: Any]])?.first?["code"] as? String == "card_already_replaced")
        let newID = try #require(rows[0]["card_id"] as? String)
        let oldCard = try parseJSON(try CardUploadBinary.run(["cards", "get", old, "--db", db], in: folder.url).stdout)
        #expect(oldCard["replaced_by"] as? String == newID)
        let newCard = try parseJSON(try CardUploadBinary.run(["cards", "get", newID, "--db", db], in: folder.url).stdout)
        #expect((newCard["details"] as? [String: Any])?["replacement_for"] as? String == old)

        // A replay of the replacing row is not checked against the replacement rules again.
        let replay = try CardUploadBinary.run(["process", replacing, "--db", db, "--report", folder.path("r3.json")], in: folder.url)
        let replayRows = try #require(try readJSON(folder.path("r3.json"))["rows"] as? [[String: Any]])
        #expect(replay.status == 1)
        #expect(replayRows.first?["outcome"] as? String == "replayed")
    }
}
