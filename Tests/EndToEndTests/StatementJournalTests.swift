import Foundation
import Testing

/// Statement journals stay in memory (`Database.statementJournalSpillBytes`, set before SQLite's first use in the
/// process): with SQLite's default of 64 KiB, one statement that journalled a few more pages sent its journal to
/// a temporary file, and every later statement's journal of the transaction went there too (a Lead file of
/// 1,000,000 cards in one transaction wrote 516 MB to `/var/tmp`). Through the binary: in the test process,
/// another test may have started SQLite before the setting.
@Suite struct StatementJournalTests {
    /// A store whose replacing Lead card `new` has a row of `bytes` bytes (made by hand), and a Lead file whose
    /// card `old` names it in replaced_by: linking them rewrites `new`'s row, overflow pages and all, and the
    /// link's UPDATE journals each of them (it sets a column that references a card: a statement journal).
    private func storeWithALargeCard(_ bytes: Int, in folder: TemporaryDirectory) throws -> (db: String, file: String) {
        let db = folder.path("cards.sqlite")
        let first = folder.path("first.csv")
        try (LeadCardFileTests.header + LeadCardFileTests.row("new")).write(toFile: first, atomically: true, encoding: .utf8)
        let created = try CardUploadBinary.run(["process", first, "--db", db], in: folder.url)
        #expect(created.status == 0, "\(created.stderr)")
        try Fault.execute("UPDATE cards SET closed_reason = printf('%0\(bytes)d', 1) WHERE external_id = 'new'", on: db)
        let second = folder.path("second.csv")
        try (LeadCardFileTests.header + LeadCardFileTests.row("old", status: "closed", closed: true, replacedBy: "new"))
            .write(toFile: second, atomically: true, encoding: .utf8)
        return (db, second)
    }

    private func expectLinked(_ db: String) throws {
        let links = try StoreInspector(db).rows(
            "SELECT o.external_id, n.external_id FROM cards AS o JOIN cards AS n ON n.id = o.replaced_by AND n.replacement_for = o.id")
        #expect(links == [["old", "new"]])
    }

    /// Runs `arguments` under strace; the SQLite temporary files the run opened (`etilqs_…`).
    private func temporaryFilesOpened(_ arguments: [String], in folder: TemporaryDirectory) throws -> [String] {
        let log = folder.path("openat-\(UUID().uuidString).log")
        let result = try Fault.runTraced(arguments, straceOptions: ["-e", "trace=openat"], log: log, in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        return try Fault.logLines(log).filter { $0.contains("etilqs_") }
    }

    @Test func aLinkThatJournalsAHundredKilobytesKeepsItsStatementJournalInMemory() throws {
        let folder = try TemporaryDirectory()
        // The link journals about 23 pages (the row is deleted and written again, its overflow pages reused, and a
        // few pages of the table and its indexes): more than SQLite's default of 64 KiB (16 pages), well under the
        // store's 124 KiB (30).
        let (db, file) = try storeWithALargeCard(70_000, in: folder)
        let temporary = try temporaryFilesOpened(["process", file, "--db", db], in: folder)
        #expect(temporary.isEmpty, "SQLite wrote a temporary file: \(temporary)")
        try expectLinked(db)
    }

    /// A journal that outgrows its memory goes on in a temporary file. SQLite writes the memory into that file
    /// one chunk of the setting's size at a time, and its Unix file layer writes at most 128 KiB − 1 bytes per
    /// call (it masks the length): a setting of 4 MiB made that first write 0 bytes, and the load failed with
    /// "database or disk is full" (a Lead file of 5,000,000 cards with `--partial`).
    @Test func aLinkThatJournalsMegabytesGoesOnInATemporaryFile() throws {
        let folder = try TemporaryDirectory()
        let (db, file) = try storeWithALargeCard(5_000_000, in: folder)
        let temporary = try temporaryFilesOpened(["process", file, "--db", db], in: folder)
        #expect(!temporary.isEmpty, "the journal was expected to go to a file")
        try expectLinked(db)
    }

    /// A few new cards merged into a `card_keys` of many pages change a page or more per entry: the merge's
    /// statements (64 entries each) take no statement journal (`INSERT OR FAIL`), which went to a temporary file
    /// for every upload of random ids into a large store.
    @Test func aSmallUploadIntoALargeStoreMergesItsKeysWithoutATemporaryFile() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let header = "external_id,account_id,entity_id,details.last_four\n"
        let many = try folder.write("many.csv", header + (0..<30_000).map { _ in
            "\(UUID().uuidString.lowercased()),account_a,entity_e,0001\n" }.joined())
        let loaded = try CardUploadBinary.run(["process", many, "--db", db], in: folder.url)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let few = try folder.write("few.csv", header + (0..<300).map { _ in
            "\(UUID().uuidString.lowercased()),account_a,entity_e,0001\n" }.joined())
        let temporary = try temporaryFilesOpened(["process", few, "--db", db], in: folder)
        #expect(temporary.isEmpty, "SQLite wrote a temporary file: \(temporary)")
        let store = try StoreInspector(db)
        #expect(try store.count("SELECT count(*) FROM card_keys") == 30_300)
        #expect(try store.count("SELECT count(*) FROM cards") == 30_300)
    }
}
