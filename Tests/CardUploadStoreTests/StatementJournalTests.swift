@testable import CardUploadStore
import Foundation
import Testing

/// Statement journals stay in memory (`Database.statementJournalSpillBytes`): with SQLite's default of 64 KiB,
/// one statement that journalled a few more pages sent its journal to a temporary file, and every later
/// statement's journal of the transaction went there too (a Lead file of 1,000,000 cards in one transaction
/// wrote 516 MB to `/var/tmp`).
@Suite struct StatementJournalTests {
    /// SQLite's temporary files that this process holds open (they are unlinked when made): inode and size.
    private func openTemporaryFiles() -> [UInt64: Int] {
        var found: [UInt64: Int] = [:]
        let folder = "/proc/self/fd"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            let path = folder + "/" + name
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path),
                  target.contains("etilqs_")
            else { continue }
            var info = stat()
            if stat(path, &info) == 0 { found[UInt64(info.st_ino)] = Int(info.st_size) }
        }
        return found
    }

    @Test func aStatementThatJournalsAFewHundredKilobytesKeepsItsJournalInMemory() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        // 3,000 cards: about 190 pages of rows, in the store's real schema.
        try database.execute("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
            INSERT INTO cards (id, external_id, account_id, entity_id, type, status, last_four, created_at, updated_at,
                               key_hash, product_name)
            SELECT printf('card_%020d', i), printf('ext-%07d', i), 'account_a', 'entity_e', 'virtual', 'active', '0001',
                   'now', 'now', card_key_hash('entity_e', printf('ext-%07d', i)), printf('%0200d', i) FROM n
            """)
        try database.writeTransaction {
            let before = openTemporaryFiles()
            // An UPDATE of a column that references a card (and has CHECKs) needs a statement journal: every page it
            // changes is journalled, about 750 KiB here.
            try database.execute("UPDATE cards SET replaced_by = NULL, updated_at = 'later'")
            let grown = openTemporaryFiles().filter { before[$0.key] == nil && $0.value >= 256 << 10 }
            #expect(grown.isEmpty, "a statement journal went to a temporary file: \(grown)")
        }
        #expect(try database.prepare("SELECT count(*) FROM cards WHERE updated_at = 'later'").queryOne([]) { $0.integer(0) } == 3000)
    }
}
