import Foundation
import Testing

/// Statement journals stay in memory (`Database.statementJournalSpillBytes`, set before SQLite's first use in the
/// process): with SQLite's default of 64 KiB, one statement that journalled a few more pages sent its journal to
/// a temporary file, and every later statement's journal of the transaction went there too (a Lead file of
/// 1,000,000 cards in one transaction wrote 516 MB to `/var/tmp`). Through the binary: in the test process,
/// another test may have started SQLite before the setting.
@Suite struct StatementJournalTests {
    @Test func aLinkThatRewritesALargeCardKeepsItsStatementJournalInMemory() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let first = folder.path("first.csv")
        try (LeadCardFileTests.header + LeadCardFileTests.row("new")).write(toFile: first, atomically: true, encoding: .utf8)
        let created = try CardUploadBinary.run(["process", first, "--db", db], in: folder.url)
        #expect(created.status == 0, "\(created.stderr)")
        // The replacing card's row made about 400 KiB (by hand): linking it rewrites its overflow pages, and the
        // link's UPDATE journals each of them (it references another card: a statement journal).
        try Fault.execute("UPDATE cards SET closed_reason = printf('%0400000d', 1) WHERE external_id = 'new'", on: db)

        let second = folder.path("second.csv")
        try (LeadCardFileTests.header + LeadCardFileTests.row("old", status: "closed", closed: true, replacedBy: "new"))
            .write(toFile: second, atomically: true, encoding: .utf8)
        let log = folder.path("openat.log")
        let linked = try Fault.runTraced(
            ["process", second, "--db", db], straceOptions: ["-e", "trace=openat"], log: log, in: folder.url)
        #expect(linked.status == 0, "\(linked.stderr)")
        let temporary = try Fault.logLines(log).filter { $0.contains("etilqs_") }
        #expect(temporary.isEmpty, "SQLite wrote a temporary file: \(temporary)")
        let links = try StoreInspector(db).rows(
            "SELECT o.external_id, n.external_id FROM cards AS o JOIN cards AS n ON n.id = o.replaced_by AND n.replacement_for = o.id")
        #expect(links == [["old", "new"]])
    }
}
