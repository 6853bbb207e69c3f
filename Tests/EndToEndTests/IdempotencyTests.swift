import Foundation
import Testing

/// SPEC §4 end to end: created, replayed and idempotency_conflict within a file, across files, runs and formats.
@Suite struct IdempotencyTests {
    static let header = "external_id,account_id,entity_id,details.last_four,metadata.team\n"

    @Test func aRerunReplaysEveryRowWithTheSameCardIDs() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write("a.csv", Self.header + "k1,account_a,entity_e,0001,x\nk2,account_a,entity_e,0002,\n")
        let db = folder.path("cards.sqlite")
        let first = try CardUploadBinary.run(["process", file, "--db", db, "--report", folder.path("r1.json")], in: folder.url)
        let second = try CardUploadBinary.run(["process", file, "--db", db, "--report", folder.path("r2.json")], in: folder.url)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(second.status == 0, "\(second.stderr)")
        let rows1 = try #require(try readJSON(folder.path("r1.json"))["rows"] as? [[String: Any]])
        let rows2 = try #require(try readJSON(folder.path("r2.json"))["rows"] as? [[String: Any]])
        #expect(rows1.map { $0["outcome"] as? String } == ["created", "created"])
        #expect(rows2.map { $0["outcome"] as? String } == ["replayed", "replayed"])
        #expect(rows1.map { $0["card_id"] as? String } == rows2.map { $0["card_id"] as? String })
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 2)
    }

    @Test func withinOneFileALaterRowSeesAnEarlierOne() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write(
            "a.csv",
            Self.header + "k1,account_a,entity_e,0001,x\nk1,account_a,entity_e,0001,x\nk1,account_a,entity_e,0002,x\n"
                + "k1,account_a,entity_other,0002,x\n")
        let db = folder.path("cards.sqlite")
        let result = try CardUploadBinary.run(["process", file, "--db", db, "--report", folder.path("r.json")], in: folder.url)
        #expect(result.status == 1)
        let rows = try #require(try readJSON(folder.path("r.json"))["rows"] as? [[String: Any]])
        #expect(rows.map { $0["outcome"] as? String } == ["created", "replayed", "rejected", "created"])
        let errors = try #require(rows[2]["errors"] as? [[String: Any]])
        #expect(errors.map { $0["code"] as? String } == ["idempotency_conflict"])
        let store = try StoreInspector(db)
        #expect(try store.value("SELECT last_four FROM cards WHERE entity_id = 'entity_e' AND external_id = 'k1'") == "0001")
        #expect(try store.count("SELECT count(*) FROM cards") == 2)
    }

    @Test func aRejectedRowDoesNotUseUpItsKey() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let bad = try folder.write("bad.csv", Self.header + "k1,account_a,entity_e,12x4,\n")
        let good = try folder.write("good.csv", Self.header + "k1,account_a,entity_e,1234,\n")
        #expect(try CardUploadBinary.run(["process", bad, "--db", db], in: folder.url).status == 1)
        let fixed = try CardUploadBinary.run(["process", good, "--db", db, "--report", folder.path("r.json")], in: folder.url)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        let rows = try #require(try readJSON(folder.path("r.json"))["rows"] as? [[String: Any]])
        #expect(rows.first?["outcome"] as? String == "created")
    }

    @Test func csvAndJSONLinesGiveTheSameBodyWhateverTheMetadataOrder() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let csv = try folder.write(
            "a.csv",
            "metadata.b,external_id,metadata.a,account_id,entity_id,type,details.last_four\n"
                + "2,k1,1,account_a,entity_e,,0042\n")
        let jsonl = try folder.write(
            "b.jsonl",
            #"{"external_id":"k1","account_id":"account_a","entity_id":"entity_e","type":"virtual","details":{"last_four":"0042","replacement_for":null},"metadata":{"a":"1","b":"2","c":null,"d":""}}"# + "\n")
        #expect(try CardUploadBinary.run(["process", csv, "--db", db], in: folder.url).status == 0)
        let second = try CardUploadBinary.run(["process", jsonl, "--db", db, "--report", folder.path("r.json")], in: folder.url)
        #expect(second.status == 0, "\(second.stderr)")
        let rows = try #require(try readJSON(folder.path("r.json"))["rows"] as? [[String: Any]])
        #expect(rows.first?["outcome"] as? String == "replayed")
    }

    @Test func canonicallyEquivalentButDifferentBytesAreDifferentBodies() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let precomposed = try folder.write("a.csv", Self.header + "k1,account_a,entity_e,0001,caf\u{E9}\n")
        let decomposed = try folder.write("b.csv", Self.header + "k1,account_a,entity_e,0001,cafe\u{301}\n")
        #expect(try CardUploadBinary.run(["process", precomposed, "--db", db], in: folder.url).status == 0)
        let result = try CardUploadBinary.run(["process", decomposed, "--db", db, "--report", folder.path("r.json")], in: folder.url)
        #expect(result.status == 1)
        let rows = try #require(try readJSON(folder.path("r.json"))["rows"] as? [[String: Any]])
        #expect((rows.first?["errors"] as? [[String: Any]])?.first?["code"] as? String == "idempotency_conflict")
    }

    @Test func onConflictUpdateReplacesOnlyMetadata() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let first = try folder.write("a.csv", Self.header + "k1,account_a,entity_e,0001,x\nk2,account_a,entity_e,0002,x\n")
        let second = try folder.write("b.csv", Self.header + "k1,account_a,entity_e,0001,y\nk2,account_a,entity_e,0009,y\n")
        #expect(try CardUploadBinary.run(["process", first, "--db", db], in: folder.url).status == 0)
        let result = try CardUploadBinary.run(
            ["process", second, "--db", db, "--on-conflict", "update", "--report", folder.path("r.json")], in: folder.url)
        #expect(result.status == 1)
        let rows = try #require(try readJSON(folder.path("r.json"))["rows"] as? [[String: Any]])
        #expect(rows.map { $0["outcome"] as? String } == ["updated", "rejected"])
        let store = try StoreInspector(db)
        #expect(try store.value("SELECT metadata FROM cards WHERE external_id = 'k1'") == #"{"team":"y"}"#)
        #expect(try store.value("SELECT metadata FROM cards WHERE external_id = 'k2'") == #"{"team":"x"}"#)
    }
}
