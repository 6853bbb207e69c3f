/// The store's schema, migrated forward on open; its version lives in `PRAGMA user_version`.
package enum Schema {
    /// Migrations in order; migration `i` takes the database from version `i` to `i + 1`.
    static let migrations: [String] = [
        // 0 -> 1: cards, uploads, and the outcome of every row of every upload.
        """
        CREATE TABLE uploads (
            seq           INTEGER PRIMARY KEY,
            id            TEXT NOT NULL UNIQUE,
            file          TEXT NOT NULL,
            format        TEXT,
            delimiter     TEXT,
            encoding      TEXT,
            compression   TEXT,
            bytes         INTEGER NOT NULL DEFAULT 0,
            started_at    TEXT NOT NULL,
            finished_at   TEXT,
            status        TEXT NOT NULL CHECK (status IN
                              ('running', 'completed', 'completed_with_errors', 'failed', 'interrupted')),
            committed     INTEGER NOT NULL DEFAULT 1,
            dry_run       INTEGER NOT NULL DEFAULT 0,
            rows          INTEGER NOT NULL DEFAULT 0,
            created       INTEGER NOT NULL DEFAULT 0,
            replayed      INTEGER NOT NULL DEFAULT 0,
            updated       INTEGER NOT NULL DEFAULT 0,
            rejected      INTEGER NOT NULL DEFAULT 0,
            error_code    TEXT,
            error_message TEXT,
            error_line    INTEGER,
            error_offset  INTEGER,
            owner         TEXT
        );
        CREATE INDEX uploads_by_start ON uploads (started_at);
        CREATE TABLE cards (
            id              TEXT PRIMARY KEY NOT NULL,
            external_id     TEXT NOT NULL,
            account_id      TEXT NOT NULL,
            entity_id       TEXT NOT NULL,
            type            TEXT NOT NULL CHECK (type IN ('virtual', 'physical')),
            status          TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'closed')),
            status_reason   TEXT CHECK (status_reason IS NULL OR status_reason <> ''),
            last_four       TEXT NOT NULL,
            replacement_for TEXT REFERENCES cards (id),
            replaced_by     TEXT REFERENCES cards (id),
            metadata        TEXT NOT NULL DEFAULT '{}',
            upload_seq      INTEGER REFERENCES uploads (seq),
            created_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL
        );
        CREATE UNIQUE INDEX cards_by_key ON cards (entity_id, external_id);
        CREATE UNIQUE INDEX cards_by_replacement ON cards (replacement_for) WHERE replacement_for IS NOT NULL;
        CREATE TABLE upload_rows (
            upload_seq  INTEGER NOT NULL REFERENCES uploads (seq),
            line        INTEGER NOT NULL,
            external_id TEXT,
            entity_id   TEXT,
            outcome     TEXT NOT NULL CHECK (outcome IN ('created', 'replayed', 'updated', 'rejected')),
            card_id     TEXT,
            errors      TEXT,
            PRIMARY KEY (upload_seq, line)
        ) WITHOUT ROWID;
        """,
        // 1 -> 2, for speed (issue 6). A created row's outcome is the card itself (its upload and line), not
        // a row of its own: one B-tree write per new card instead of a second statement. An upload's created
        // cards are found without an index of their own: an upload applies its rows in file order and
        // SQLite numbers new rows max(rowid) + 1, so they lie between the upload's first and last card
        // rowid, in line order; `cards.seq` names the rowid, so VACUUM keeps it. A replayed or updated row
        // records its card but not the key again (NULL external_id and entity_id: the card's key is the
        // row's). `upload_outcomes` shows every row whole.
        //
        // The per-row tables' CHECKs are spelled with OR, never `IN (...)`: SQLite builds an ephemeral table
        // for an IN list of more than two values each time the INSERT runs — a temporary B-tree per row, a
        // quarter of the writer's work in a load (callgrind). Changing a CHECK or adding a rowid alias takes
        // a new table: cards and upload_rows are rebuilt (SQLite's documented procedure; `migrate` turns
        // foreign keys off around it and checks them after), keeping every rowid.
        """
        CREATE TABLE cards_v2 (
            seq             INTEGER PRIMARY KEY,
            id              TEXT NOT NULL UNIQUE,
            external_id     TEXT NOT NULL,
            account_id      TEXT NOT NULL,
            entity_id       TEXT NOT NULL,
            type            TEXT NOT NULL CHECK (type = 'virtual' OR type = 'physical'),
            status          TEXT NOT NULL CHECK (status = 'active' OR status = 'inactive' OR status = 'closed'),
            status_reason   TEXT CHECK (status_reason IS NULL OR status_reason <> ''),
            last_four       TEXT NOT NULL,
            replacement_for TEXT REFERENCES cards (id),
            replaced_by     TEXT REFERENCES cards (id),
            metadata        TEXT NOT NULL DEFAULT '{}',
            upload_seq      INTEGER REFERENCES uploads (seq),
            created_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL,
            upload_line     INTEGER
        );
        INSERT INTO cards_v2 (seq, id, external_id, account_id, entity_id, type, status, status_reason, last_four,
                              replacement_for, replaced_by, metadata, upload_seq, created_at, updated_at)
            SELECT rowid, id, external_id, account_id, entity_id, type, status, status_reason, last_four,
                   replacement_for, replaced_by, metadata, upload_seq, created_at, updated_at
            FROM cards ORDER BY rowid;
        DROP TABLE cards;
        ALTER TABLE cards_v2 RENAME TO cards;
        CREATE UNIQUE INDEX cards_by_key ON cards (entity_id, external_id);
        CREATE UNIQUE INDEX cards_by_replacement ON cards (replacement_for) WHERE replacement_for IS NOT NULL;
        CREATE TABLE upload_rows_v2 (
            upload_seq  INTEGER NOT NULL REFERENCES uploads (seq),
            line        INTEGER NOT NULL,
            external_id TEXT,
            entity_id   TEXT,
            outcome     TEXT NOT NULL CHECK (outcome = 'replayed' OR outcome = 'rejected' OR outcome = 'updated'
                                            OR outcome = 'created'),
            card_id     TEXT,
            errors      TEXT,
            PRIMARY KEY (upload_seq, line)
        ) WITHOUT ROWID;
        INSERT INTO upload_rows_v2 SELECT upload_seq, line, external_id, entity_id, outcome, card_id, errors FROM upload_rows;
        DROP TABLE upload_rows;
        ALTER TABLE upload_rows_v2 RENAME TO upload_rows;
        ALTER TABLE uploads ADD COLUMN first_card_rowid INTEGER;
        ALTER TABLE uploads ADD COLUMN last_card_rowid INTEGER;
        CREATE VIEW upload_outcomes AS
            SELECT upload_seq, line,
                coalesce(external_id, (SELECT c.external_id FROM cards AS c WHERE c.id = upload_rows.card_id)) AS external_id,
                coalesce(entity_id, (SELECT c.entity_id FROM cards AS c WHERE c.id = upload_rows.card_id)) AS entity_id,
                outcome, card_id, errors
            FROM upload_rows
            UNION ALL
            SELECT upload_seq, upload_line, external_id, entity_id, 'created', id, NULL FROM cards
            WHERE upload_line IS NOT NULL;
        """,
        // 2 -> 3: Lead card files (SPEC §9). A card remembers which kind of file created it (`file_kind`: a key
        // belongs to that kind) and keeps Lead's fields where known: product_name, is_virtual (0/1), card_type,
        // expiry_date (YYYY-MM-DD), activated_at and closed_at (UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`) and
        // closed_reason, Lead's own (the card object shows it as `status_reason`, which also holds it, but a
        // `cards set-status inactive --reason` changes status_reason, never the record Lead's file compares
        // with). A status may be `expired`. A Lead card has no last_four, so the
        // column takes NULL — a native card still always has one (the CHECK). A client_card_id is unique among
        // Lead cards across entities: `cards_by_lead_id`.
        //
        // A new CHECK and a nullable column take a new table: cards is rebuilt as in 1 -> 2, every column and
        // rowid kept (`seq` names it). The view reads cards, and SQLite's RENAME refuses to run while a view
        // names a table that is gone: it is dropped first and made again, the same.
        """
        DROP VIEW upload_outcomes;
        CREATE TABLE cards_v3 (
            seq             INTEGER PRIMARY KEY,
            id              TEXT NOT NULL UNIQUE,
            external_id     TEXT NOT NULL,
            account_id      TEXT NOT NULL,
            entity_id       TEXT NOT NULL,
            type            TEXT NOT NULL CHECK (type = 'virtual' OR type = 'physical'),
            status          TEXT NOT NULL CHECK (status = 'active' OR status = 'inactive' OR status = 'closed'
                                                 OR status = 'expired'),
            status_reason   TEXT CHECK (status_reason IS NULL OR status_reason <> ''),
            last_four       TEXT,
            replacement_for TEXT REFERENCES cards (id),
            replaced_by     TEXT REFERENCES cards (id),
            metadata        TEXT NOT NULL DEFAULT '{}',
            upload_seq      INTEGER REFERENCES uploads (seq),
            created_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL,
            upload_line     INTEGER,
            file_kind       TEXT NOT NULL DEFAULT 'native' CHECK (file_kind = 'native' OR file_kind = 'lead'),
            product_name    TEXT,
            is_virtual      INTEGER CHECK (is_virtual = 0 OR is_virtual = 1),
            card_type       TEXT,
            expiry_date     TEXT,
            activated_at    TEXT,
            closed_at       TEXT,
            closed_reason   TEXT,
            CHECK (last_four IS NOT NULL OR file_kind = 'lead')
        );
        INSERT INTO cards_v3 (seq, id, external_id, account_id, entity_id, type, status, status_reason, last_four,
                              replacement_for, replaced_by, metadata, upload_seq, created_at, updated_at, upload_line)
            SELECT seq, id, external_id, account_id, entity_id, type, status, status_reason, last_four,
                   replacement_for, replaced_by, metadata, upload_seq, created_at, updated_at, upload_line
            FROM cards ORDER BY seq;
        DROP TABLE cards;
        ALTER TABLE cards_v3 RENAME TO cards;
        CREATE UNIQUE INDEX cards_by_key ON cards (entity_id, external_id);
        CREATE UNIQUE INDEX cards_by_replacement ON cards (replacement_for) WHERE replacement_for IS NOT NULL;
        CREATE UNIQUE INDEX cards_by_lead_id ON cards (external_id) WHERE file_kind = 'lead';
        CREATE VIEW upload_outcomes AS
            SELECT upload_seq, line,
                coalesce(external_id, (SELECT c.external_id FROM cards AS c WHERE c.id = upload_rows.card_id)) AS external_id,
                coalesce(entity_id, (SELECT c.entity_id FROM cards AS c WHERE c.id = upload_rows.card_id)) AS entity_id,
                outcome, card_id, errors
            FROM upload_rows
            UNION ALL
            SELECT upload_seq, upload_line, external_id, entity_id, 'created', id, NULL FROM cards
            WHERE upload_line IS NOT NULL;
        """,
        // 3 -> 4: the key index holds a 64-bit hash of the key instead of its two strings (`CardKey`,
        // ARCHITECTURE.md "Keys"): random client ids (UUIDs) made the text index several times the page cache
        // in a store of millions of cards, and every batch rewrote most of its pages. `cards_by_key_hash` is
        // unique; a card whose key's hash another key already has is stored with key_hash NULL and found
        // through `cards_by_key_overflow`, a unique index of the two strings of those cards only. Such a card
        // says so (key_overflow = 1): a CHECK refuses a card with neither, so a writer that knows nothing of
        // the hash (the release before, still running when a newer one migrated the store) fails instead of
        // storing a key no look-up sees. The text index also gave one entity's cards (reconcile's extra
        // cards): the hash's top 16 bits are the entity's, so its cards are one range of the hash index.
        // A card's key never changes (a trigger refuses it), and cards are never deleted, so a hash once taken
        // stays its card's.
        // ADD COLUMN keeps every row and rowid (and checks its CHECK on every row: key_overflow comes once
        // every card has its hash); the UPDATEs fill key_hash (`card_key_hash` is registered on every
        // connection) and move every card but the first of a hash to the overflow.
        """
        ALTER TABLE cards ADD COLUMN key_hash INTEGER;
        UPDATE cards SET key_hash = card_key_hash(entity_id, external_id);
        ALTER TABLE cards ADD COLUMN key_overflow INTEGER CHECK (key_hash IS NOT NULL OR key_overflow IS 1);
        UPDATE cards SET key_hash = NULL, key_overflow = 1 WHERE rowid IN (
            SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY key_hash ORDER BY seq) AS n FROM cards)
            WHERE n > 1);
        DROP INDEX cards_by_key;
        CREATE UNIQUE INDEX cards_by_key_hash ON cards (key_hash);
        CREATE UNIQUE INDEX cards_by_key_overflow ON cards (entity_id, external_id) WHERE key_hash IS NULL;
        CREATE TRIGGER cards_key_fixed BEFORE UPDATE OF entity_id, external_id, key_hash, key_overflow ON cards
            WHEN NEW.entity_id IS NOT OLD.entity_id OR NEW.external_id IS NOT OLD.external_id
                OR NEW.key_hash IS NOT OLD.key_hash OR NEW.key_overflow IS NOT OLD.key_overflow
            BEGIN SELECT RAISE(ABORT, 'a card''s key (entity_id, external_id) never changes'); END;
        """,
        // 4 -> 5: retention (SPEC §10). `uploads prune` deletes the per-line outcomes (upload_rows) of old
        // uploads and keeps their summary: `rows_pruned_at` says when (a report of the upload then lists no
        // rows: `"rows_included": "pruned"`), and `rejected_by_code` keeps what the report's
        // `rejected_by_code` and the summary's table were computed from — `{"code": {"rows": n,
        // "first_line": l}}` — taken in the same transaction as the first rows deleted. Cards are never
        // touched: a created row's outcome is its card (`upload_seq`, `upload_line`), which stays.
        // `hints` keeps the upload's hints (SPEC §10: what to fix, once per file), a JSON array of strings or
        // NULL when there were none, written when the upload is finished (`UploadLog.finish`), so a report
        // rebuilt later (`uploads show`) lists them as the load's did; an upload recorded before this
        // version has NULL (its hints were not kept). Unlike the per-line outcomes, a prune keeps them.
        // The store is put in incremental auto-vacuum mode after this migration commits, outside any
        // transaction (VACUUM cannot run inside one): `useIncrementalVacuum`.
        """
        ALTER TABLE uploads ADD COLUMN rows_pruned_at TEXT;
        ALTER TABLE uploads ADD COLUMN rejected_by_code TEXT;
        ALTER TABLE uploads ADD COLUMN hints TEXT;
        """,
        // 5 -> 6: the key index becomes two parts (`PendingCardKeys`, ARCHITECTURE.md "Keys"). `card_keys`
        // holds the key hash of every card up to `card_keys_merged.through`, in hash order, with the card's
        // rowid (two keys may share a hash: the look-up compares the strings); a card created since is pending,
        // found through each connection's table of the pending cards, and merged into `card_keys` in hash order
        // when its upload finishes or a million are pending. A batch of random ids then no longer rewrites the
        // key index's pages at each commit: it is written once per merge. The store still enforces the keys
        // itself: every look-up and insert runs in the write transaction that SQLite's one write lock
        // serialises (SPEC §4), and each reads the pending cards again when its transaction begins.
        // `card_keys_filter` keeps the filter of the merged keys (`MergedKeyFilter`) a merge last held, up to its
        // `through`, so a load reads it instead of making it again from all of `card_keys`.
        // The unique indexes of the hash and of the overflow keys go; the cards stored without a hash
        // (key_overflow) get theirs in `card_keys`. The cards' key_hash column stays (the merge reads it).
        """
        CREATE TABLE card_keys (
            key_hash INTEGER NOT NULL,
            card     INTEGER NOT NULL,
            PRIMARY KEY (key_hash, card)
        ) WITHOUT ROWID;
        INSERT INTO card_keys (key_hash, card)
            SELECT coalesce(key_hash, card_key_hash(entity_id, external_id)), seq FROM cards ORDER BY 1, 2;
        CREATE TABLE card_keys_merged (through INTEGER NOT NULL);
        INSERT INTO card_keys_merged (through) SELECT coalesce(max(seq), 0) FROM cards;
        CREATE TABLE card_keys_filter (through INTEGER NOT NULL, hashes INTEGER NOT NULL, bits BLOB NOT NULL);
        DROP INDEX cards_by_key_hash;
        DROP INDEX cards_by_key_overflow;
        """,
        // 6 -> 7: the merged keys in two levels (ARCHITECTURE.md "Keys"): `card_keys` holds the cards up to
        // `card_key_levels.main_through`, `card_keys_recent` those after it up to `through`. A merge into a store
        // of a million cards or more puts its cards into the recent level while that level stays at most half
        // the main one's size, and otherwise moves the recent level into the main one with them: a daily load
        // of random ids then rewrites the small level's pages, not every page of the big one each time. Every
        // merged card is in one level: the look-up searches both. A store of version 6 has every merged card in
        // `card_keys`: its main level ends at `through`. The merged rowid moves from `card_keys_merged` into
        // `card_key_levels`: a version-6 release still running when this one migrates its store fails at its
        // next transaction ("no such table") instead of missing the recent level's cards.
        """
        CREATE TABLE card_keys_recent (
            key_hash INTEGER NOT NULL,
            card     INTEGER NOT NULL,
            PRIMARY KEY (key_hash, card)
        ) WITHOUT ROWID;
        CREATE TABLE card_key_levels (through INTEGER NOT NULL, main_through INTEGER NOT NULL);
        INSERT INTO card_key_levels (through, main_through) SELECT through, through FROM card_keys_merged;
        DROP TABLE card_keys_merged;
        """,
        // 7 -> 8: one client_card_id names one Lead card across entities (SPEC §9) through the key index, not
        // `cards_by_lead_id` (ARCHITECTURE.md, "Keys"). A Lead card has a second entry in the merged keys, at the
        // hash of its client_card_id alone (`CardKey.leadIDHash`: an empty entity_id, which no card has), pending
        // and merged with its key's; a new Lead card's id is looked up there (mostly the filter's "no"). The
        // index of the ids' text took a B-tree insert at a scattered place per Lead card: about a sixth of a Lead
        // file's load. The merged Lead cards get their entry in their level (none when it is their key's hash:
        // `OR IGNORE`), and the stored filter goes (it lacks them: the next load makes one by a pass). The
        // bounds of the levels move from `card_key_levels` into `card_key_bounds`: a version-7 release still
        // running when this one migrates its store fails at its next transaction ("no such table") instead of
        // creating Lead cards without their second entry.
        """
        ALTER TABLE card_key_levels RENAME TO card_key_bounds;
        INSERT OR IGNORE INTO card_keys (key_hash, card)
            SELECT card_key_hash('', external_id), seq FROM cards
            WHERE file_kind = 'lead' AND seq <= (SELECT main_through FROM card_key_bounds) ORDER BY 1, 2;
        INSERT OR IGNORE INTO card_keys_recent (key_hash, card)
            SELECT card_key_hash('', external_id), seq FROM cards
            WHERE file_kind = 'lead' AND seq > (SELECT main_through FROM card_key_bounds)
                AND seq <= (SELECT through FROM card_key_bounds) ORDER BY 1, 2;
        DELETE FROM card_keys_filter;
        DROP INDEX cards_by_lead_id;
        """,
    ]

    /// The version this build writes.
    package static var currentVersion: Int32 { Int32(migrations.count) }

    /// Brings the database to `currentVersion`; refuses one from a newer version. True when this call made
    /// the card store (the file had no schema yet: a new database), so the caller can say so.
    @discardableResult
    package static func migrate(_ database: Database) throws -> Bool {
        try migrate(database, to: currentVersion)
    }

    /// What `migrateReporting` did: made the store, or moved an earlier release's forward (the version it
    /// found under the write lock), or rewrote it for incremental auto-vacuum; and how long that work took,
    /// from when it held the lock (waiting for another writer is not counted).
    package struct Work: Sendable, Equatable {
        package var created = false
        package var migratedFrom: Int32?
        package var vacuumed = false
        package var seconds: Double = 0
    }

    /// `migrate`, saying what it did (a load says when it upgraded a store an earlier release made).
    package static func migrateReporting(_ database: Database) throws -> Work {
        try migrateReporting(database, to: currentVersion)
    }

    /// Brings the database to `target` with the first `target` migrations, as the card-upload whose schema
    /// version that is does (tests play an earlier release with it: migrations are only ever appended).
    @discardableResult
    static func migrate(_ database: Database, to target: Int32) throws -> Bool {
        try migrateReporting(database, to: target).created
    }

    private static func migrateReporting(_ database: Database, to target: Int32) throws -> Work {
        let version = try userVersion(database)
        if version > target {
            throw NewerSchemaError(found: version, supported: target)
        }
        var work = Work()
        if version < target { try runMigrations(database, to: target, work: &work) }
        if target >= incrementalVacuumVersion {
            // Best effort on a writer's open: a load must not fail for want of the disk space or the lock the
            // conversion needs (a store of gigabytes, a small $TMPDIR, a long load holding the lock). It waits
            // for a later writer; until then the store works as before, and a prune frees pages for reuse
            // without giving them back (`uploads prune` itself converts, and says why when it cannot).
            do {
                let started = ContinuousClock.now
                if try useIncrementalVacuum(database) {
                    work.vacuumed = true
                    work.seconds += Self.seconds(since: started)
                }
            } catch let error as DatabaseError where error.defersConversion {
            }
        }
        return work
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    /// Runs the migrations from the store's version to `target` in one write transaction; `work` says
    /// whether the store had no schema at all under the write lock (a new store), or which version it had.
    private static func runMigrations(_ database: Database, to target: Int32, work: inout Work) throws {
        var created = false
        var migratedFrom: Int32?
        var started = ContinuousClock.now
        // A migration may rebuild a table: foreign keys are off while it does (they cannot change inside a
        // transaction) and checked before it commits.
        try database.execute("PRAGMA foreign_keys = OFF")
        defer { try? database.execute("PRAGMA foreign_keys = ON") }
        try database.writeTransaction {
            // Read again under the write lock: another process may have migrated meanwhile.
            started = ContinuousClock.now
            let lockedVersion = try userVersion(database)
            if lockedVersion > target {
                throw NewerSchemaError(found: lockedVersion, supported: target)
            }
            created = lockedVersion == 0
            if lockedVersion > 0, lockedVersion < target { migratedFrom = lockedVersion }
            for step in Int(lockedVersion)..<Int(target) {
                try database.execute(migrations[step])
            }
            let violations = try database.prepare("PRAGMA foreign_key_check").queryOne([]) { $0.text(0) ?? "?" }
            if let table = violations {
                throw DatabaseError(resultCode: 19, message: "migrating the store broke a reference in \(table)")
            }
            try database.execute("PRAGMA user_version = \(target)")
        }
        work.created = created
        work.migratedFrom = migratedFrom
        if migratedFrom != nil { work.seconds += seconds(since: started) }
    }

    /// The version from which a store is in incremental auto-vacuum mode.
    static let incrementalVacuumVersion: Int32 = 5

    /// Puts a store that is not in incremental auto-vacuum mode (one created before version 5) in it:
    /// `PRAGMA auto_vacuum = INCREMENTAL`, then a VACUUM, which rewrites the whole file in that mode. Run on
    /// every open for writing outside a transaction (a dry run's open, inside its transaction, skips it);
    /// one read of the header when there is nothing to do. VACUUM is one transaction (written through the
    /// WAL): a process killed in the middle leaves the store whole, still in its old mode, and the next
    /// writer's open does it again. Readers go on reading their snapshot meanwhile; writers wait for it like
    /// for any transaction (the busy timeout). It needs free disk space for a temporary copy of the store
    /// and for the WAL.
    /// True when this call rewrote the store (another process may have done it while this one waited).
    @discardableResult
    package static func useIncrementalVacuum(_ database: Database) throws -> Bool {
        guard !database.isInTransaction, !database.isReadOnly else { return false }
        guard try autoVacuumMode(database) != 2 else { return false }
        // Read again under the write lock: another process may have converted it while this one waited.
        guard try database.writeTransaction({ try autoVacuumMode(database) != 2 }) else { return false }
        try database.execute("PRAGMA auto_vacuum = INCREMENTAL")
        try database.execute("VACUUM")
        return true
    }

    /// `PRAGMA auto_vacuum`: 0 none, 1 full, 2 incremental.
    package static func autoVacuumMode(_ database: Database) throws(DatabaseError) -> Int64 {
        try database.prepare("PRAGMA auto_vacuum").queryOne([]) { $0.integer(0) ?? 0 } ?? 0
    }

    /// Checks, without writing, that a database opened read-only has a schema this build can read.
    package static func checkReadable(_ database: Database) throws {
        try checkReadable(database, as: currentVersion)
    }

    /// `checkReadable` as the card-upload whose schema version is `readerVersion` does (tests play an
    /// earlier release with it).
    static func checkReadable(_ database: Database, as readerVersion: Int32) throws {
        let version = try userVersion(database)
        if version > readerVersion {
            throw NewerSchemaError(found: version, supported: readerVersion)
        }
        if version == 0 {
            throw DatabaseError(resultCode: 1, message: "the database has no card store (schema version 0)")
        }
        if version < readerVersion {
            throw DatabaseError(
                resultCode: 1,
                message: "the card store was written by an earlier card-upload (schema version \(version)); a load"
                    + " (`card-upload process`) brings it to version \(readerVersion), then it can be read")
        }
    }

    package static func userVersion(_ database: Database) throws(DatabaseError) -> Int32 {
        let statement = try database.prepare("PRAGMA user_version")
        return Int32(try statement.queryOne([]) { $0.integer(0) ?? 0 } ?? 0)
    }
}
