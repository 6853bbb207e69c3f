import CSQLite
@testable import CardUploadStore
import Foundation
import Testing

/// Opening, migrating and refusing databases.
@Suite struct SchemaTests {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite").path
    }

    @Test func aNewDatabaseIsMigratedToTheCurrentVersionInWALMode() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        #expect(try Schema.userVersion(database) == Schema.currentVersion)
        let journal = try database.prepare("PRAGMA journal_mode").queryOne([]) { $0.text(0) }
        #expect(journal == "wal")
        let synchronous = try database.prepare("PRAGMA synchronous").queryOne([]) { $0.integer(0) }
        #expect(synchronous == 2)
        let foreignKeys = try database.prepare("PRAGMA foreign_keys").queryOne([]) { $0.integer(0) }
        #expect(foreignKeys == 1)
        // Migrating again is a no-op.
        try Schema.migrate(database)
        #expect(try Schema.userVersion(database) == Schema.currentVersion)
    }

    /// A Lead file's held rows live in the temporary database, whose page cache is 512 KiB (SQLite's default, 2
    /// MB, took 1.8 MiB of the 128 a load of 5,000,000 Lead cards may use).
    @Test func theHeldRowsTemporaryDatabaseHasASmallCache() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        try LeadCardStore(database: database).beginFile()
        let size = try database.prepare("PRAGMA temp.cache_size").queryOne([]) { $0.integer(0) }
        #expect(size == -Int64(LeadCardStore.heldRowsCacheKiB))
        #expect(LeadCardStore.heldRowsCacheKiB == 512)
    }

    @Test func aDatabaseFromANewerVersionIsRefused() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let database = try Database(path: path, mode: .readWriteCreate)
            try database.execute("PRAGMA user_version = \(Schema.currentVersion + 1)")
        }
        let database = try Database(path: path, mode: .readWriteCreate)
        #expect(throws: NewerSchemaError.self) { try Schema.migrate(database) }
    }

    @Test func aFileThatIsNotADatabaseIsAnIOError() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(String(repeating: "not a database at all\n", count: 300).utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: DatabaseError.self) { _ = try Database(path: path, mode: .readWriteCreate) }
        #expect(error?.primaryCode == SQLITE_NOTADB)
    }

    /// A second card for a key is refused by the loads' look-up in the write transaction (schema 6: no unique index
    /// of the key; `CardStoreTests`); the unique index of replacements still refuses a second replacement.
    @Test func theUniqueIndexRefusesASecondReplacement() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        let insert = """
            INSERT INTO cards (id, external_id, account_id, entity_id, type, status, last_four, replacement_for, created_at, updated_at,
                               key_hash)
            VALUES (?1, ?2, 'account_a', 'entity_e', 'virtual', 'active', '0001', ?3, 'now', 'now', card_key_hash('entity_e', ?2))
            ON CONFLICT DO NOTHING
            """
        let statement = try database.prepare(insert)
        try statement.execute([.text("card_a"), .text("k1"), nil])
        #expect(database.changes == 1)
        try statement.execute([.text("card_c"), .text("k2"), .text("card_a")])
        #expect(database.changes == 1)
        try statement.execute([.text("card_d"), .text("k3"), .text("card_a")])
        #expect(database.changes == 0)
        // NOT NULL and CHECK failures are not swallowed the way INSERT OR IGNORE would.
        #expect(throws: DatabaseError.self) {
            try database.execute("INSERT INTO cards (id, external_id, account_id, entity_id, type, status, last_four, created_at, updated_at, key_hash) VALUES ('card_e', 'k9', 'account_a', 'entity_e', 'virtual', 'gone', '0001', 'now', 'now', card_key_hash('entity_e', 'k9')) ON CONFLICT DO NOTHING")
        }
    }
}
