@testable import CardUploadLoad
import CardUploadModel
import CardUploadStore
import Foundation
import Testing

/// `ReconcileJob` (SPEC §7) against a store a real load filled: match, differs, missing, invalid, extra.
@Suite struct ReconcileJobTests {
    /// Loads `text` as `name` into the folder's store, checking that every valid row was created.
    private func loaded(_ folder: LoadFolder, _ name: String, _ text: String, created: Int) throws {
        let result = load(try folder.write(name, text), into: folder.db)
        try #require(result.failure == nil && result.counts.created == created, "\(result.counts)")
    }

    private func reconcile(
        _ folder: LoadFolder, _ file: String, extra: Bool = false, report: String? = nil
    ) throws -> ReconcileSummary {
        var options = ReconcileOptions(file: file)
        options.listsExtra = extra
        options.reportPath = report
        let summary = ReconcileJob(options: options, store: LoadStore(path: folder.db, dryRun: false), stop: StopToken()).run()
        if let failure = summary.failure { throw failure }
        return summary
    }

    private func readReport(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func theFileJustLoadedMatchesEveryRow() throws {
        let folder = try LoadFolder()
        let text = Cards.csv(count: 5)
        try loaded(folder, "a.csv", text, created: 5)
        let storeBefore = try folder.bytes("cards.sqlite")

        let summary = try reconcile(folder, folder.path("a.csv"), extra: true)
        #expect(summary.counts.match == 5)
        #expect(summary.counts.rows == 5)
        #expect(summary.counts.missing == 0 && summary.counts.differs == 0 && summary.counts.invalid == 0)
        #expect(summary.counts.extra == 0)
        #expect(summary.fileError == nil)
        #expect(summary.everythingMatches)
        #expect(summary.firstLines.isEmpty)
        #expect(try folder.bytes("cards.sqlite") == storeBefore, "reconcile changed the store")
    }

    @Test func aFileWithInvalidRowsMatchesItsValidRowsOnly() throws {
        let folder = try LoadFolder()
        let text = Cards.csv(count: 3) + Cards.row("bad", lastFour: "12")
        try loaded(folder, "a.csv", text, created: 3)

        let summary = try reconcile(folder, folder.path("a.csv"))
        #expect(summary.counts.match == 3)
        #expect(summary.counts.invalid == 1)
        #expect(summary.counts.rows == 4)
        #expect(!summary.everythingMatches)
        #expect(summary.firstLines.map { "\($0.result) \($0.line)" } == ["invalid 5"])
    }

    @Test func aChangedRowDiffersAndNamesItsFields() throws {
        let folder = try LoadFolder()
        try loaded(folder, "a.csv", Cards.csv(count: 3), created: 3)
        let changed = try folder.write(
            "b.csv", Cards.header + Cards.row("k0") + Cards.row("k1", lastFour: "0042", team: "finance") + Cards.row("k2"))

        let summary = try reconcile(folder, changed, report: folder.path("r.json"))
        #expect(summary.counts.match == 2)
        #expect(summary.counts.differs == 1)
        #expect(!summary.everythingMatches)
        #expect(summary.firstLines.map { "\($0.result) \($0.line)" } == ["differs 3"])
        let rows = try #require(try readReport(folder.path("r.json"))["rows"] as? [[String: Any]])
        #expect(rows.map { $0["result"] as? String } == ["match", "differs", "match"])
        #expect(rows[1]["fields"] as? [String] == ["details.last_four", "metadata"])
        #expect(rows[1]["card_id"] as? String == (try StoreProbe(folder.db).card("k1")?.id))
        // Reconcile changes nothing: the stored card keeps its body.
        #expect(try StoreProbe(folder.db).card("k1")?.lastFour == "0001")
    }

    @Test func aRowThatWasNotLoadedIsMissing() throws {
        let folder = try LoadFolder()
        try loaded(folder, "a.csv", Cards.csv(count: 2), created: 2)
        let file = try folder.write("b.csv", Cards.csv(count: 2) + Cards.row("new") + Cards.row("k1", entity: "entity_other"))

        let summary = try reconcile(folder, file)
        #expect(summary.counts.match == 2)
        #expect(summary.counts.missing == 2)
        #expect(summary.counts.rows == 4)
        #expect(!summary.everythingMatches)
        #expect(summary.firstLines.map { "\($0.result) \($0.line)" } == ["missing 4"])
        #expect(try StoreProbe(folder.db).cardCount == 2)
    }

    @Test func extraCountsAStoredCardOfTheFilesEntitiesThatTheFileDoesNotMention() throws {
        let folder = try LoadFolder()
        try loaded(
            folder, "a.csv", Cards.csv(count: 3) + Cards.row("elsewhere", entity: "entity_other"), created: 4)
        // k2 is not mentioned; the card of entity_other is not of the file's entities.
        let file = try folder.write("b.csv", Cards.csv(count: 2))

        let plain = try reconcile(folder, file)
        #expect(plain.counts.extra == 0)
        #expect(plain.everythingMatches, "without listsExtra a stored card the file does not mention is not looked for")

        let summary = try reconcile(folder, file, extra: true, report: folder.path("r.json"))
        #expect(summary.counts.match == 2)
        #expect(summary.counts.extra == 1)
        #expect(!summary.everythingMatches)
        let extra = try #require(try readReport(folder.path("r.json"))["extra"] as? [[String: Any]])
        #expect(extra.map { $0["external_id"] as? String } == ["k2"])
        #expect(extra.first?["card_id"] as? String == (try StoreProbe(folder.db).card("k2")?.id))
    }

    @Test func aMissingStoreIsTheFailureAndIsNotCreated() throws {
        let folder = try LoadFolder()
        let file = try folder.write("a.csv", Cards.csv(count: 1))
        do {
            _ = try reconcile(folder, file)
            Issue.record("reconcile of a missing store did not fail")
        } catch {
            #expect(error is DatabaseMissingError, "\(error)")
            #expect(FailureKind(of: error) == .inputUnavailable)
        }
        #expect(!folder.exists("cards.sqlite"))
    }
}
