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

    @Test func aLinkThatJournalsAHundredKilobytesKeepsItsStatementJournalInMemory() throws {
        let folder = try TemporaryDirectory()
        // About 22 pages: more than SQLite's default of 64 KiB, less than the store's setting.
        let (db, file) = try storeWithALargeCard(90_000, in: folder)
        let log = folder.path("openat.log")
        let linked = try Fault.runTraced(
            ["process", file, "--db", db], straceOptions: ["-e", "trace=openat"], log: log, in: folder.url)
        #expect(linked.status == 0, "\(linked.stderr)")
        let temporary = try Fault.logLines(log).filter { $0.contains("etilqs_") }
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
        let linked = try CardUploadBinary.run(["process", file, "--db", db], in: folder.url)
        #expect(linked.status == 0, "\(linked.stderr)")
        try expectLinked(db)
    }
}
