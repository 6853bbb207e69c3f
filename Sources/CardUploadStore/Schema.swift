/// The store's schema, migrated forward on open; its version lives in `PRAGMA user_version`.
package enum Schema {
    /// Migrations in order; migration `i` takes the database from version `i` to `i + 1`.
    static let migrations: [String] = [
        // 0 -> 1: cards, uploads, and the outcome of every row of every upload.
        // The per-row tables spell their CHECKs with OR, never `IN (...)`: SQLite builds an ephemeral table
        // for an IN list of more than two values each time the INSERT runs — a temporary B-tree per row,
        // a quarter of the writer's work in a load (callgrind).
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
            seq             INTEGER PRIMARY KEY,
            id              TEXT NOT NULL UNIQUE,
            external_id     TEXT NOT NULL,
            account_id      TEXT NOT NULL,
            entity_id       TEXT NOT NULL,
            type            TEXT NOT NULL CHECK (type IN ('virtual', 'physical')),
            status          TEXT NOT NULL CHECK (status = 'active' OR status = 'inactive' OR status = 'closed'),
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
            outcome     TEXT NOT NULL CHECK (outcome = 'replayed' OR outcome = 'rejected' OR outcome = 'updated'
                                            OR outcome = 'created'),
            card_id     TEXT,
            errors      TEXT,
            PRIMARY KEY (upload_seq, line)
        ) WITHOUT ROWID;
        """,
        // 1 -> 2: a created row's outcome is the card itself (its upload and line), not a row of its own:
        // one B-tree write per new card instead of a second statement. An upload's created cards are found
        // without an index of their own: an upload applies its rows in file order and SQLite numbers new
        // rows max(rowid) + 1, so they lie between the upload's first and last card rowid, in line order
        // (`cards.seq` names the rowid, so VACUUM keeps it). A replayed or updated row records its card but
        // not the key again (NULL external_id and entity_id: the card's key is the row's).
        // `upload_outcomes` shows every row whole.
        """
        ALTER TABLE cards ADD COLUMN upload_line INTEGER;
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
    ]

    /// The version this build writes.
    package static var currentVersion: Int32 { Int32(migrations.count) }

    /// Brings the database to `currentVersion`; refuses one from a newer version.
    package static func migrate(_ database: Database) throws {
        let version = try userVersion(database)
        if version > currentVersion {
            throw NewerSchemaError(found: version, supported: currentVersion)
        }
        guard version < currentVersion else { return }
        try database.writeTransaction {
            // Read again under the write lock: another process may have migrated meanwhile.
            let lockedVersion = try userVersion(database)
            for step in Int(lockedVersion)..<migrations.count {
                try database.execute(migrations[step])
            }
            try database.execute("PRAGMA user_version = \(currentVersion)")
        }
    }

    /// Checks, without writing, that a database opened read-only has a schema this build can read.
    package static func checkReadable(_ database: Database) throws {
        let version = try userVersion(database)
        if version > currentVersion {
            throw NewerSchemaError(found: version, supported: currentVersion)
        }
        if version < currentVersion {
            throw DatabaseError(resultCode: 1, message: "the database has no card store (schema version \(version))")
        }
    }

    static func userVersion(_ database: Database) throws(DatabaseError) -> Int32 {
        let statement = try database.prepare("PRAGMA user_version")
        return Int32(try statement.queryOne([]) { $0.integer(0) ?? 0 } ?? 0)
    }
}
