import CSQLite
import CardUploadModel
@testable import CardUploadStore
import Foundation
import Testing

/// Migrations 2 -> 3 (Lead card files), 3 -> 4 (hashed keys) and 4 -> 5 (retention, incremental
/// auto-vacuum, stored hints): a store written by the release before them keeps every card, rowid, upload and outcome; the
/// new columns, indexes and rules hold after them; a release that knows an earlier version refuses it.
@Suite struct SchemaMigrationTests {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("migration-\(UUID().uuidString).sqlite").path
    }

    /// Every row of `sql` as text cells (NULL -> nil), integers as their decimal text.
    private func rows(_ database: Database, _ sql: String, _ values: [SQLValue?] = []) throws -> [[String?]] {
        let statement = try database.prepare(sql)
        var result: [[String?]] = []
        try statement.forEachRow(values) { row in
            result.append((0..<sqlite3_column_count(row.sqliteStatement)).map { row.text($0) })
        }
        return result
    }

    private func value(_ database: Database, _ sql: String) throws -> String? {
        try rows(database, sql).first?.first ?? nil
    }

    /// The columns version 2 had, in its order, with the rowid.
    private static let versionTwoCardColumns =
        "rowid, seq, id, external_id, account_id, entity_id, type, status, status_reason, last_four, replacement_for,"
        + " replaced_by, metadata, upload_seq, created_at, updated_at, upload_line"

    /// The columns of uploads before version 5, in their order.
    private static let versionFourUploadColumns =
        "seq, id, file, format, delimiter, encoding, compression, bytes, started_at, finished_at, status, committed,"
        + " dry_run, rows, created, replayed, updated, rejected, error_code, error_message, error_line, error_offset,"
        + " owner, first_card_rowid, last_card_rowid"

    /// A store as the release with schema version 2 wrote it: its two migrations (never edited since, only
    /// appended to), then cards, uploads and outcomes of every kind through plain SQL. Rowids have gaps (a
    /// dry run's cards rolled back), one card replaces another, one card has no line (a dry run's).
    private func makeVersionTwoStore(_ path: String) throws -> Database {
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database, to: 2)
        // A new store is in incremental auto-vacuum mode from its creation today; a release before version 5
        // made none.
        try database.execute("PRAGMA auto_vacuum = NONE; VACUUM")
        #expect(try Schema.autoVacuumMode(database) == 0)
        #expect(try Schema.userVersion(database) == 2)
        #expect(try value(database, "SELECT count(*) FROM pragma_table_info('cards') WHERE name = 'file_kind'") == "0")
        try database.writeTransaction {
            try database.execute("""
                INSERT INTO uploads (seq, id, file, format, delimiter, encoding, compression, bytes, started_at, finished_at,
                                     status, committed, dry_run, rows, created, replayed, updated, rejected,
                                     first_card_rowid, last_card_rowid)
                VALUES (1, 'upload_one', 'one.csv', 'csv', ',', 'utf-8', 'none', 120, '2026-01-02T03:04:05.000Z',
                        '2026-01-02T03:04:06.000Z', 'completed_with_errors', 1, 0, 4, 3, 0, 0, 1, 1, 5),
                       (2, 'upload_two', 'two.jsonl', 'jsonl', NULL, NULL, 'gzip', 80, '2026-01-03T03:04:05.000Z',
                        '2026-01-03T03:04:06.000Z', 'completed_with_errors', 1, 0, 3, 0, 1, 1, 1, NULL, NULL);
                INSERT INTO cards (seq, id, external_id, account_id, entity_id, type, status, status_reason, last_four,
                                   replacement_for, replaced_by, metadata, upload_seq, created_at, updated_at, upload_line)
                VALUES (1, 'card_aaaaaaaaaaaaaaaaaaaa', 'k1', 'account_a', 'entity_e', 'virtual', 'closed', 'lost', '0001',
                        NULL, NULL, '{"team":"ops"}', 1, '2026-01-02T03:04:05.100Z', '2026-01-02T03:04:05.300Z', 2),
                       (2, 'card_bbbbbbbbbbbbbbbbbbbb', 'k2', 'account_a', 'entity_e', 'virtual', 'active', NULL, '0002',
                        'card_aaaaaaaaaaaaaaaaaaaa', NULL, '{}', 1, '2026-01-02T03:04:05.200Z', '2026-01-02T03:04:05.200Z', 3),
                       (5, 'card_cccccccccccccccccccc', 'k3', 'account_b', 'entity_f', 'virtual', 'inactive', 'frozen', '0042',
                        NULL, NULL, '{"a":"1","b":"2"}', 1, '2026-01-02T03:04:05.250Z', '2026-01-03T03:04:05.500Z', 5),
                       (9, 'card_dddddddddddddddddddd', 'k4', 'account_b', 'entity_f', 'virtual', 'active', NULL, '0004',
                        NULL, NULL, '{}', 2, '2026-01-03T03:04:05.100Z', '2026-01-03T03:04:05.100Z', NULL);
                UPDATE cards SET replaced_by = 'card_bbbbbbbbbbbbbbbbbbbb' WHERE id = 'card_aaaaaaaaaaaaaaaaaaaa';
                INSERT INTO upload_rows (upload_seq, line, external_id, entity_id, outcome, card_id, errors)
                VALUES (1, 4, 'bad', 'entity_e', 'rejected', NULL,
                        '[{"field":"details.last_four","code":"invalid_format","message":"m"}]'),
                       (2, 1, NULL, NULL, 'replayed', 'card_aaaaaaaaaaaaaaaaaaaa', NULL),
                       (2, 2, NULL, NULL, 'updated', 'card_cccccccccccccccccccc', NULL),
                       (2, 3, 'k9', 'entity_e', 'rejected', NULL, '[{"field":null,"code":"idempotency_conflict","message":"m"}]');
                """)
        }
        return database
    }

    @Test func aVersionTwoStoreKeepsEveryCardRowidUploadAndOutcome() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try makeVersionTwoStore(path)
        let cardsBefore = try rows(database, "SELECT \(Self.versionTwoCardColumns) FROM cards ORDER BY rowid")
        let uploadsBefore = try rows(database, "SELECT \(Self.versionFourUploadColumns) FROM uploads ORDER BY seq")
        let rowsBefore = try rows(database, "SELECT * FROM upload_rows ORDER BY upload_seq, line")
        let outcomesBefore = try rows(database, "SELECT * FROM upload_outcomes ORDER BY upload_seq, line")
        let viewBefore = try value(database, "SELECT sql FROM sqlite_master WHERE name = 'upload_outcomes'")
        #expect(cardsBefore.map { $0[0] } == ["1", "2", "5", "9"])
        #expect(outcomesBefore.count == 7)

        try Schema.migrate(database)

        #expect(try Schema.userVersion(database) == 8)
        #expect(Schema.currentVersion == 8)
        #expect(try rows(database, "SELECT \(Self.versionTwoCardColumns) FROM cards ORDER BY rowid") == cardsBefore)
        #expect(try rows(database, "SELECT \(Self.versionFourUploadColumns) FROM uploads ORDER BY seq") == uploadsBefore)
        #expect(try rows(database, "SELECT * FROM upload_rows ORDER BY upload_seq, line") == rowsBefore)
        #expect(try rows(database, "SELECT * FROM upload_outcomes ORDER BY upload_seq, line") == outcomesBefore)
        #expect(try value(database, "SELECT sql FROM sqlite_master WHERE name = 'upload_outcomes'") == viewBefore)
        // Today's reader of outcomes (the report's) sees the same rows.
        var lines: [String] = []
        try UploadLog(database: database).forEachRow(uploadID: "upload_one", rejectedOnly: false) { row in
            lines.append("\(row.line) \(row.outcome.rawValue) \(row.cardID ?? "-") \(row.externalID ?? "-")")
        }
        #expect(lines == ["2 created card_aaaaaaaaaaaaaaaaaaaa k1", "3 created card_bbbbbbbbbbbbbbbbbbbb k2",
                          "4 rejected - bad", "5 created card_cccccccccccccccccccc k3"])

        // Every old card is a native one, with none of Lead's fields.
        #expect(try rows(database, "SELECT DISTINCT file_kind, product_name, is_virtual, card_type, expiry_date,"
                             + " activated_at, closed_at FROM cards") == [["native", nil, nil, nil, nil, nil, nil]])
        let store = CardStore(database: database)
        let migrated = try #require(try store.card(id: "card_aaaaaaaaaaaaaaaaaaaa"))
        #expect(migrated.fileKind == .native && migrated.lastFour == "0001" && migrated.replacedBy == "card_bbbbbbbbbbbbbbbbbbbb")
        #expect(migrated.status == .closed && migrated.statusReason == "lost" && migrated.uploadID == "upload_one")
        #expect(migrated.productName == nil && migrated.isVirtual == nil && migrated.closedAt == nil)

        // The store is whole: references, pages, indexes.
        #expect(try rows(database, "PRAGMA foreign_key_check").isEmpty)
        #expect(try rows(database, "PRAGMA integrity_check") == [["ok"]])
        #expect(try value(database, "PRAGMA foreign_keys") == "1")
        let indexes = try rows(database, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cards'"
                                   + " AND sql IS NOT NULL ORDER BY name").map { $0[0] ?? "" }
        // Version 8: no index of Lead ids (a Lead card's second entry in the key index instead).
        #expect(indexes == ["cards_by_replacement"])
        // Every card has its key's hash, in the card and in `card_keys` (version 6), all merged, and is found by
        // its key through it.
        #expect(try value(database, "SELECT count(*) FROM cards WHERE key_hash IS NULL"
                              + " OR key_hash <> card_key_hash(entity_id, external_id)") == "0")
        #expect(try rows(database, "SELECT key_hash, card FROM card_keys ORDER BY card")
            == rows(database, "SELECT key_hash, seq FROM cards ORDER BY seq"))
        #expect(try value(database, "SELECT through FROM card_key_bounds") == "9")
        // Version 7: every merged card is in the main level; the recent one is empty.
        #expect(try value(database, "SELECT main_through FROM card_key_bounds") == "9")
        #expect(try value(database, "SELECT count(*) FROM card_keys_recent") == "0")
        for (entity, key, id) in [("entity_e", "k1", "card_aaaaaaaaaaaaaaaaaaaa"), ("entity_e", "k2", "card_bbbbbbbbbbbbbbbbbbbb"),
                                  ("entity_f", "k3", "card_cccccccccccccccccccc"), ("entity_f", "k4", "card_dddddddddddddddddddd")] {
            #expect(try store.card(entityID: entity, externalID: key)?.id == id)
        }
        #expect(try store.card(entityID: "entity_f", externalID: "k1") == nil)
        #expect(try value(database, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'cards_v%'") == "0")

        // expired is a status now. A second card with a stored key is refused by the loads' write transaction
        // from version 6 on (a look-up under the write lock before every insert: CardStoreTests,
        // ConcurrencyTests), no longer by an index; a replacement still is, and a key never changes.
        try database.execute("UPDATE cards SET status = 'expired', status_reason = 'end of life' WHERE seq = 9")
        #expect(try store.card(id: "card_dddddddddddddddddddd")?.status == .expired)
        // A writer that knows nothing of the hash (the version-3 release, still running when a newer one
        // migrated the store) is refused: a card has its hash or is marked an overflow card.
        let oldWriter = #expect(throws: DatabaseError.self) {
            try database.execute("""
                INSERT INTO cards (id, external_id, account_id, entity_id, type, status, last_four, created_at, updated_at)
                VALUES ('card_ffffffffffffffffffff', 'k8', 'account_a', 'entity_e', 'virtual', 'active', '0005', 'now', 'now')
                """)
        }
        #expect(oldWriter?.description.contains("CHECK") == true)
        #expect(throws: DatabaseError.self) {
            try database.execute("UPDATE cards SET external_id = 'k7' WHERE seq = 1")
        }
        #expect(throws: DatabaseError.self) {
            try database.execute("UPDATE cards SET key_hash = NULL WHERE seq = 1")
        }
        #expect(throws: DatabaseError.self) {
            try database.execute("""
                INSERT INTO cards (id, external_id, account_id, entity_id, type, status, last_four, replacement_for,
                                   created_at, updated_at, key_hash)
                VALUES ('card_eeeeeeeeeeeeeeeeeeee', 'k5', 'account_a', 'entity_e', 'virtual', 'active', '0005',
                        'card_aaaaaaaaaaaaaaaaaaaa', 'now', 'now', card_key_hash('entity_e', 'k5'))
                """)
        }
        // Migrating again is a no-op.
        try Schema.migrate(database)
        #expect(try rows(database, "SELECT \(Self.versionTwoCardColumns) FROM cards WHERE seq <> 9 ORDER BY rowid")
            == cardsBefore.filter { $0[0] != "9" })
    }

    @Test func migrationFourGivesTheSecondOfTwoKeysWithOneHashTheOverflow() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database, to: 3)
        // dveu-00001 and erpy-00001 of entity_e hash alike (CardKeyTests.twoRealKeysThatCollide).
        try database.execute("""
            INSERT INTO cards (seq, id, external_id, account_id, entity_id, type, status, last_four, created_at, updated_at)
            VALUES (1, 'card_aaaaaaaaaaaaaaaaaaaa', 'erpy-00001', 'account_a', 'entity_e', 'virtual', 'active', '0001', 'then', 'then'),
                   (2, 'card_bbbbbbbbbbbbbbbbbbbb', 'k1', 'account_a', 'entity_e', 'virtual', 'active', '0002', 'then', 'then'),
                   (3, 'card_cccccccccccccccccccc', 'dveu-00001', 'account_a', 'entity_e', 'virtual', 'active', '0003', 'then', 'then')
            """)
        try Schema.migrate(database)
        #expect(try rows(database, "SELECT seq, key_hash IS NULL, key_overflow FROM cards ORDER BY seq")
            == [["1", "0", nil], ["2", "0", nil], ["3", "1", "1"]])
        let store = CardStore(database: database)
        #expect(try store.card(entityID: "entity_e", externalID: "erpy-00001")?.id == "card_aaaaaaaaaaaaaaaaaaaa")
        #expect(try store.card(entityID: "entity_e", externalID: "dveu-00001")?.id == "card_cccccccccccccccccccc")
        #expect(try rows(database, "PRAGMA integrity_check") == [["ok"]])
    }

    @Test func aVersionFourStoreIsVacuumedIntoIncrementalModeWithEveryRowKept() throws {
        let path = temporaryPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            // The version-4 release's store: its four migrations, no auto-vacuum, cards, uploads and outcomes,
            // and a few thousand outcomes of a replay, some of them deleted (free pages VACUUM gives back).
            let database = try makeVersionTwoStore(path)
            try Schema.migrate(database, to: 4)
            try database.writeTransaction {
                try database.execute("""
                    WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 4000)
                    INSERT INTO upload_rows (upload_seq, line, external_id, entity_id, outcome, card_id, errors)
                    SELECT 2, value + 10, 'x' || value, 'entity_e', 'rejected', NULL,
                           '[{"field":null,"code":"invalid_format","message":"' || printf('%.200c', 'm') || '"}]'
                    FROM n;
                    DELETE FROM upload_rows WHERE upload_seq = 2 AND line > 2010;
                    """)
            }
            #expect(try Schema.userVersion(database) == 4)
        }
        let database = try Database(path: path, mode: .readWriteCreate)
        #expect(try Schema.autoVacuumMode(database) == 0)
        let freeBefore = try value(database, "PRAGMA freelist_count").flatMap { Int($0) } ?? 0
        #expect(freeBefore > 50, "the deleted rows left free pages")
        let cardsBefore = try rows(database, "SELECT \(Self.versionTwoCardColumns), key_hash, key_overflow FROM cards ORDER BY rowid")
        let uploadsBefore = try rows(database, "SELECT \(Self.versionFourUploadColumns) FROM uploads ORDER BY seq")
        let rowsBefore = try rows(database, "SELECT * FROM upload_rows ORDER BY upload_seq, line")
        #expect(rowsBefore.count == 2_004)

        try Schema.migrate(database)

        #expect(try Schema.userVersion(database) == 8)
        #expect(try Schema.autoVacuumMode(database) == 2)
        #expect(try value(database, "PRAGMA freelist_count") == "0", "VACUUM gave every free page back")
        #expect(try rows(database, "SELECT \(Self.versionTwoCardColumns), key_hash, key_overflow FROM cards ORDER BY rowid")
            == cardsBefore)
        #expect(try rows(database, "SELECT \(Self.versionFourUploadColumns) FROM uploads ORDER BY seq") == uploadsBefore)
        #expect(try rows(database, "SELECT DISTINCT rows_pruned_at, rejected_by_code, hints FROM uploads") == [[nil, nil, nil]])
        #expect(try rows(database, "SELECT * FROM upload_rows ORDER BY upload_seq, line") == rowsBefore)
        #expect(try rows(database, "PRAGMA integrity_check") == [["ok"]])
        #expect(try rows(database, "PRAGMA foreign_key_check").isEmpty)
        #expect(try value(database, "PRAGMA journal_mode") == "wal")

        // A conversion a kill interrupted (VACUUM is one transaction: the store stays whole, in its old mode)
        // is done again by the next writer's open.
        try database.execute("PRAGMA auto_vacuum = NONE; VACUUM")
        #expect(try Schema.autoVacuumMode(database) == 0)
        let reopened = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(reopened)
        #expect(try Schema.autoVacuumMode(reopened) == 2)
        #expect(try rows(reopened, "SELECT * FROM upload_rows ORDER BY upload_seq, line") == rowsBefore)

        // Another writer holding the lock (a long load): the conversion waits for a later open, and this open
        // still works — it never fails a load for the lock or the space the VACUUM needs.
        try reopened.execute("PRAGMA auto_vacuum = NONE; VACUUM")
        let holder = try Database(path: path, mode: .readWriteCreate)
        try holder.beginWrite()
        let impatient = try Database(path: path, mode: .readWriteCreate, busyTimeoutMilliseconds: 100)
        _ = try Schema.migrate(impatient)
        #expect(try Schema.autoVacuumMode(impatient) == 0)
        holder.rollback()
        _ = try Schema.migrate(impatient)
        #expect(try Schema.autoVacuumMode(impatient) == 2)

        // Inside a transaction (a dry run's open) there is no VACUUM: the migration is rolled back with it.
        try reopened.execute("PRAGMA auto_vacuum = NONE; VACUUM")
        try reopened.beginWrite()
        try Schema.migrate(reopened)
        reopened.rollback()
        #expect(try Schema.autoVacuumMode(reopened) == 0)
    }

    @Test func aVersionFourStoreGetsTheHintsColumnAndItsUploadsKeepTheirHints() throws {
        let path = temporaryPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try makeVersionTwoStore(path)
        try Schema.migrate(database, to: 4)
        #expect(try value(database, "SELECT count(*) FROM pragma_table_info('uploads') WHERE name = 'hints'") == "0")

        try Schema.migrate(database)

        #expect(try rows(database, "SELECT type FROM pragma_table_info('uploads') WHERE name = 'hints'") == [["TEXT"]])
        let log = UploadLog(database: database)
        // An upload of the version-4 release kept no hints: it has none.
        #expect(try log.upload(id: "upload_one")?.hints == [])
        // Finished now, an upload keeps its hints in order (a JSON array of strings), and none as NULL.
        let hints = [#"details.last_four "42" has fewer than four digits — "0042"?"#, "did you mean 'details.last_four'?"]
        try log.begin(
            id: "upload_new", file: "new.csv", startedAt: "2026-12-07T00:00:00.000Z", dryRun: false, format: "csv",
            delimiter: ",", encoding: "utf-8", compression: "none")
        try log.finish(
            id: "upload_new", status: .completedWithErrors, committed: true, bytes: 10, error: nil,
            finishedAt: "2026-12-07T00:00:01.000Z", hints: hints)
        #expect(try log.upload(id: "upload_new")?.hints == hints)
        #expect(try value(database, "SELECT json_array_length(hints) FROM uploads WHERE id = 'upload_new'") == "2")
        try log.finish(
            id: "upload_two", status: .completedWithErrors, committed: true, bytes: 80, error: nil,
            finishedAt: "2026-01-03T03:04:06.000Z", hints: [])
        #expect(try value(database, "SELECT hints IS NULL FROM uploads WHERE id = 'upload_two'") == "1")
        #expect(try rows(database, "PRAGMA integrity_check") == [["ok"]])
    }

    @Test func aNewStoreHasTheHintsColumnAsMigrationFiveMakesIt() throws {
        let path = temporaryPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let fresh = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(fresh)
        let stepped = try makeVersionTwoStore(path + "-stepped")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + "-stepped" + suffix) } }
        for version in Int32(3)...Schema.currentVersion { try Schema.migrate(stepped, to: version) }
        let columns = "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info('uploads') ORDER BY cid"
        #expect(try rows(fresh, columns) == rows(stepped, columns))
        #expect(try rows(fresh, columns).last == ["hints", "TEXT", "0", nil])
    }

    @Test func aNewStoreIsInIncrementalAutoVacuumModeFromItsFirstPage() throws {
        let path = temporaryPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try Database(path: path, mode: .readWriteCreate)
        #expect(try Schema.autoVacuumMode(database) == 2)
        try Schema.migrate(database)
        #expect(try Schema.autoVacuumMode(database) == 2)
        #expect(try value(database, "PRAGMA journal_mode") == "wal")
    }

    @Test func aVersionOneStoreIsBroughtThroughBothMigrations() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database, to: 1)
        try database.execute("""
            INSERT INTO cards (id, external_id, account_id, entity_id, type, status, last_four, created_at, updated_at)
            VALUES ('card_aaaaaaaaaaaaaaaaaaaa', 'k1', 'account_a', 'entity_e', 'virtual', 'inactive', '0001', 'then', 'then')
            """)
        try Schema.migrate(database)
        #expect(try Schema.userVersion(database) == Schema.currentVersion)
        #expect(try rows(database, "SELECT seq, id, status, last_four, file_kind FROM cards")
            == [["1", "card_aaaaaaaaaaaaaaaaaaaa", "inactive", "0001", "native"]])
        #expect(try rows(database, "PRAGMA integrity_check") == [["ok"]])
    }

    @Test func aReleaseThatKnowsVersionTwoRefusesAMigratedStore() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let database = try makeVersionTwoStore(path)
            try Schema.migrate(database)
        }
        let database = try Database(path: path, mode: .readWriteCreate)
        // The version-2 release's writer (`migrate`) and reader (`checkReadable`) both refuse it: 74 in the CLI.
        let written = #expect(throws: NewerSchemaError.self) { try Schema.migrate(database, to: 2) }
        #expect(written?.found == 8 && written?.supported == 2)
        let read = #expect(throws: NewerSchemaError.self) { try Schema.checkReadable(database, as: 2) }
        #expect(read?.found == 8 && read?.supported == 2)
        // The version-3 release (Lead card files, text keys) and the version-4 one (before retention)
        // refuse it the same way.
        #expect(throws: NewerSchemaError.self) { try Schema.migrate(database, to: 3) }
        #expect(throws: NewerSchemaError.self) { try Schema.checkReadable(database, as: 3) }
        #expect(throws: NewerSchemaError.self) { try Schema.migrate(database, to: 4) }
        #expect(throws: NewerSchemaError.self) { try Schema.checkReadable(database, as: 4) }
        // The version-5 release (one unique index of the key hashes) too: it would insert without a look-up
        // of the pending cards.
        #expect(throws: NewerSchemaError.self) { try Schema.migrate(database, to: 5) }
        #expect(throws: NewerSchemaError.self) { try Schema.checkReadable(database, as: 5) }
        // The version-6 release (merged keys in one level) too: it would neither search nor merge the recent level.
        #expect(throws: NewerSchemaError.self) { try Schema.migrate(database, to: 6) }
        #expect(throws: NewerSchemaError.self) { try Schema.checkReadable(database, as: 6) }
        // The version-7 release (an index of Lead ids) too: it would create Lead cards without their second entry.
        #expect(throws: NewerSchemaError.self) { try Schema.migrate(database, to: 7) }
        #expect(throws: NewerSchemaError.self) { try Schema.checkReadable(database, as: 7) }
        // Nothing was changed by the refusal; this release reads it.
        #expect(try Schema.userVersion(database) == 8)
        try Schema.checkReadable(database)
        // This release refuses the next one's store the same way.
        try database.execute("PRAGMA user_version = \(Schema.currentVersion + 1)")
        #expect(throws: NewerSchemaError.self) { try Schema.checkReadable(database) }
        #expect(throws: NewerSchemaError.self) { try Schema.migrate(database) }
    }

    @Test func cardsRememberTheirKindOfFileAndLeadsFields() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        func insert(_ id: String, key: String, entity: String, kind: String?, lastFour: String?, isVirtual: Int64? = 1) throws {
            let columns = kind == nil ? "" : ", file_kind"
            let values = kind == nil ? "" : ", ?8"
            try database.prepare("""
                INSERT INTO cards (id, external_id, account_id, entity_id, type, status, last_four, is_virtual,
                                   created_at, updated_at, key_hash\(columns))
                VALUES (?1, ?2, 'acct-1', ?3, 'virtual', 'active', ?4, ?5, ?6, ?7, card_key_hash(?3, ?2)\(values))
                """).execute([.text(id), .text(key), .text(entity), .text(lastFour), isVirtual.map(SQLValue.integer),
                              .text("2026-01-02T03:04:05.000Z"), .text("2026-01-02T03:04:05.000Z")] + (kind.map { [.text($0)] } ?? []))
        }
        // A native card (the default kind) must have last_four; a Lead card has none.
        try insert("card_native000000000000", key: "n1", entity: "entity_e", kind: nil, lastFour: "0001", isVirtual: nil)
        #expect(throws: DatabaseError.self) {
            try insert("card_native000000000001", key: "n2", entity: "entity_e", kind: nil, lastFour: nil)
        }
        try insert("card_lead00000000000000", key: "L1", entity: "entity_e", kind: "lead", lastFour: nil)
        // A client_card_id is unique among Lead cards across entities (the loader's look-up in the key index since
        // version 8: `LeadCardStoreTests`), not among native ones.
        try insert("card_native000000000002", key: "L1", entity: "entity_f", kind: "native", lastFour: "0002")
        try insert("card_native000000000003", key: "n1", entity: "entity_f", kind: nil, lastFour: "0003")
        // Only the two kinds, and is_virtual only 0 or 1.
        #expect(throws: DatabaseError.self) {
            try insert("card_other0000000000000", key: "o1", entity: "entity_e", kind: "api", lastFour: "0001")
        }
        #expect(throws: DatabaseError.self) {
            try insert("card_lead00000000000002", key: "L2", entity: "entity_e", kind: "lead", lastFour: nil, isVirtual: 2)
        }
        try database.execute("""
            UPDATE cards SET product_name = 'Benefits Card', is_virtual = 0, card_type = 'hsa', expiry_date = '2029-12-31',
                activated_at = '2026-01-02T04:00:00.000Z', status = 'expired', status_reason = 'expired on schedule'
            WHERE id = 'card_lead00000000000000'
            """)
        let store = CardStore(database: database)
        let lead = try #require(try store.card(id: "card_lead00000000000000"))
        #expect(lead.fileKind == .lead && lead.lastFour == nil && lead.status == .expired)
        #expect(lead.productName == "Benefits Card" && lead.isVirtual == false && lead.cardType == "hsa")
        #expect(lead.expiryDate == "2029-12-31" && lead.activatedAt == "2026-01-02T04:00:00.000Z" && lead.closedAt == nil)
        let native = try #require(try store.card(id: "card_native000000000000"))
        #expect(native.fileKind == .native && native.isVirtual == nil && native.lastFour == "0001")
    }
}
