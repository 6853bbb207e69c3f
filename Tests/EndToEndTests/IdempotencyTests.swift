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

/// A file loaded again is replayed on a fast path (its rows are compared with the store before the rules
/// run; see `StoredForm`): it must answer exactly as the rules would, row by row.
@Suite struct ReplayFastPathTests {
    /// 6,000 rows, past the point where the reader knows keys are stored (its read-ahead is 4,096 rows),
    /// with a wrong row of each kind every so often and a duplicate of an earlier row.
    static func rows(changingMetadataAfter changed: Int = .max) -> String {
        var text = "external_id,account_id,entity_id,type,details.last_four,metadata.team,metadata.note\n"
        for index in 0..<6_000 {
            let team = index >= changed ? "moved" : "t\(index % 7)"
            switch index % 500 {
            case 11: text += "k\(index),account_a,entity_e,,12x4,\(team),\n"
            case 12: text += "k\(index),account_a,entity_e,physical,0001,\(team),\n"
            case 13: text += "k\(index),account_a,entity_e,,0001,\(team),card 4111 1111 1111 1111\n"
            case 14: text += "k\(index),account a,entity_e,,0001,\(team),\n"
            case 15: text += "k\(index - 1),account_a,entity_e,,0002,\(team),\n"  // conflicts with the row before
            case 16: text += "k\(index - 6),account_a,entity_e,,0001,t\((index - 6) % 7),\"a, \"\"quoted\"\" note\"\n"
            default: text += "k\(index),account_a,entity_e,,0001,\(team),\(index % 3 == 0 ? "\"a, \"\"quoted\"\" note\"" : "")\n"
            }
        }
        return text
    }

    private func outcomes(_ report: String) throws -> [String] {
        let rows = try #require(try readJSON(report)["rows"] as? [[String: Any]])
        return rows.map { row in
            let codes = (row["errors"] as? [[String: Any]] ?? []).map { "\($0["code"] ?? "")/\($0["field"] ?? "")" }
            return "\(row["line"] ?? "") \(row["card_id"] ?? "-") \(codes.joined(separator: ","))"
        }
    }

    @Test func aReplayAnswersEveryRowAsTheRulesDo() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write("a.csv", Self.rows())
        let db = folder.path("cards.sqlite")
        let first = try CardUploadBinary.run(["process", file, "--db", db, "--report", folder.path("r1.json")], in: folder.url)
        let second = try CardUploadBinary.run(["process", file, "--db", db, "--report", folder.path("r2.json")], in: folder.url)
        #expect(first.status == 1 && second.status == 1, "\(first.stderr)\(second.stderr)")
        let firstRows = try readJSON(folder.path("r1.json"))["rows"] as? [[String: Any]] ?? []
        let secondRows = try readJSON(folder.path("r2.json"))["rows"] as? [[String: Any]] ?? []
        #expect(firstRows.count == 6_000 && secondRows.count == 6_000)
        // Same card ids, same errors, line by line; created rows are replayed the second time.
        #expect(try outcomes(folder.path("r1.json")) == (try outcomes(folder.path("r2.json"))))
        let firstWords = firstRows.map { ($0["outcome"] as? String) == "created" ? "replayed" : ($0["outcome"] as? String ?? "") }
        #expect(firstWords == secondRows.map { $0["outcome"] as? String ?? "" })
        let firstCounts = try #require(try readJSON(folder.path("r1.json"))["counts"] as? [String: Int])
        let counts = try #require(try readJSON(folder.path("r2.json"))["counts"] as? [String: Int])
        #expect(counts["created"] == 0 && counts["rejected"] == firstCounts["rejected"] && counts["rejected"] ?? 0 >= 48)
    }

    @Test func changedRowsAfterTheFastPathStartsAreStillUpdatedOrConflicts() throws {
        func plain(changingMetadataAfter changed: Int) -> String {
            var text = "external_id,account_id,entity_id,details.last_four,metadata.team\n"
            for index in 0..<6_000 { text += "k\(index),account_a,entity_e,0001,\(index >= changed ? "moved" : "t")\n" }
            return text
        }
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let file = try folder.write("a.csv", plain(changingMetadataAfter: .max))
        #expect(try CardUploadBinary.run(["process", file, "--db", db], in: folder.url).status == 0)
        let changed = try folder.write("b.csv", plain(changingMetadataAfter: 5_000))
        let conflicts = try CardUploadBinary.run(["process", changed, "--db", db, "--report", folder.path("c.json")], in: folder.url)
        #expect(conflicts.status == 1)
        let conflictRows = try #require(try readJSON(folder.path("c.json"))["rows"] as? [[String: Any]])
        #expect(conflictRows.prefix(5_000).allSatisfy { $0["outcome"] as? String == "replayed" })
        #expect(conflictRows.suffix(1_000).allSatisfy {
            ($0["errors"] as? [[String: Any]])?.first?["code"] as? String == "idempotency_conflict"
        })
        let updates = try CardUploadBinary.run(
            ["process", changed, "--db", db, "--on-conflict", "update", "--report", folder.path("u.json")], in: folder.url)
        #expect(updates.status == 0, "\(updates.stderr)")
        let updateCounts = try #require(try readJSON(folder.path("u.json"))["counts"] as? [String: Int])
        #expect(updateCounts["replayed"] == 5_000 && updateCounts["updated"] == 1_000)
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards WHERE metadata LIKE '%moved%'") == 1_000)
        let again = try CardUploadBinary.run(["process", changed, "--db", db, "--report", folder.path("a.json")], in: folder.url)
        #expect(again.status == 0)
        #expect((try readJSON(folder.path("a.json"))["counts"] as? [String: Int])?["replayed"] == 6_000)
    }
}

/// A replayed row's card is read by stepping through the cards in creation order while the rows follow
/// it (`CardStore.replayedCardID`), and by its key otherwise. Whatever order the rows come in — the first
/// load's, reversed, with gaps, new keys, changed bodies, rows rejected again, batch ends and updates in
/// between — every row must get the outcome and the card its key says.
@Suite struct ReplayFollowsCardOrderTests {
    static let header = "external_id,account_id,entity_id,details.last_four,metadata.team\n"

    /// Row `index` of the first load: every 97th is wrong (`last_four` is not four digits). The bodies
    /// are all the same, so only the key tells one card from another.
    static func baseRow(_ index: Int, team: String = "t") -> String {
        "k\(index),account_a,entity_e,\(index % 97 == 5 ? "12x4" : "0001"),\(team)\n"
    }

    /// The expected outcome of each line of the mixed file, and the file.
    static func mixedFile() -> (text: String, expected: [(key: String, outcome: String)]) {
        var text = header
        var expected: [(String, String)] = []
        func add(_ index: Int, team: String = "t", outcome: String? = nil) {
            text += baseRow(index, team: team)
            expected.append(("k\(index)", outcome ?? (index % 97 == 5 ? "rejected" : "replayed")))
        }
        for index in 0..<2_000 { add(index) }  // the first load's order
        for index in 2_000..<3_000 {  // with new keys between
            add(index)
            if index % 10 == 0 {
                text += "n\(index),account_a,entity_e,0001,t\n"
                expected.append(("n\(index)", "created"))
            }
        }
        for index in (3_000..<4_000).reversed() { add(index) }  // against the order
        for index in 4_000..<5_000 { add(index, team: index % 50 == 0 ? "moved" : "t", outcome: index % 50 == 0 && index % 97 != 5 ? "conflict" : nil) }
        for index in stride(from: 5_000, to: 8_000, by: 2) { add(index) }  // every other card
        add(10)  // a card from the start again
        for index in 8_000..<9_000 { add(index) }
        return (text, expected)
    }

    private func rows(_ report: String) throws -> [[String: Any]] {
        try #require(try readJSON(report)["rows"] as? [[String: Any]])
    }

    @Test func everyRowGetsTheCardItsKeySaysWhateverTheOrder() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let base = try folder.write("base.csv", Self.header + (0..<9_000).map { Self.baseRow($0) }.joined())
        let first = try CardUploadBinary.run(["process", base, "--db", db, "--report", folder.path("base.json")], in: folder.url)
        #expect(first.status == 1, "\(first.stderr)")
        var cardOf: [String: String] = [:]
        for row in try rows(folder.path("base.json")) {
            if let card = row["card_id"] as? String, let key = row["external_id"] as? String { cardOf[key] = card }
        }
        #expect(cardOf.count == 9_000 - 93)

        let (text, expected) = Self.mixedFile()
        let mixed = try folder.write("mixed.csv", text)
        for (policy, conflict) in [("reject", "rejected"), ("update", "updated")] {
            let report = folder.path("mixed-\(policy).json")
            let run = try CardUploadBinary.run(
                ["process", mixed, "--db", db, "--batch-size", "333", "--on-conflict", policy, "--report", report], in: folder.url)
            #expect(run.status == 1, "\(run.stderr)")
            let got = try rows(report)
            try #require(got.count == expected.count)
            var mismatches: [String] = []
            for (row, want) in zip(got, expected) {
                let outcome = row["outcome"] as? String ?? "-"
                let card = row["card_id"] as? String
                let key = row["external_id"] as? String ?? "-"
                var ok = key == want.key
                switch want.outcome {
                case "replayed": ok = ok && outcome == "replayed" && card == cardOf[want.key]
                case "conflict": ok = ok && outcome == conflict && (policy == "reject" || card == cardOf[want.key])
                case "created": ok = ok && (outcome == (policy == "reject" ? "created" : "replayed")) && card != nil && cardOf[want.key] == nil
                default: ok = ok && outcome == "rejected"
                }
                if !ok, mismatches.count < 5 { mismatches.append("line \(row["line"] ?? "?"): \(key) \(outcome) \(card ?? "-"), want \(want)") }
            }
            #expect(mismatches.isEmpty, "\(policy): \(mismatches)")
        }
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards WHERE metadata LIKE '%moved%'") == 20)
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 9_000 - 93 + 100)
    }

    @Test func aDryRunOrAtomicReplayFollowsTheCardsInsideItsOneTransaction() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let text = Self.header + (0..<6_000).map { Self.baseRow($0 + 1) }.joined()
        let base = try folder.write("base.csv", text.replacingOccurrences(of: "12x4", with: "0005"))
        #expect(try CardUploadBinary.run(["process", base, "--db", db], in: folder.url).status == 0)
        for mode in ["--dry-run", "--atomic"] {
            let report = folder.path("r\(mode).json")
            let run = try CardUploadBinary.run(["process", base, "--db", db, mode, "--report", report], in: folder.url)
            #expect(run.status == 0, "\(mode): \(run.stderr)")
            let counts = try #require(try readJSON(report)["counts"] as? [String: Int])
            #expect(counts["replayed"] == 6_000, "\(mode): \(counts)")
        }
        #expect(try StoreInspector(db).value("PRAGMA integrity_check") == "ok")
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 6_000)
    }
}
