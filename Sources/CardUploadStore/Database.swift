import CSQLite
import CardUploadModel
import Foundation

/// One SQLite connection, owned by this object and closed in `deinit`.
package final class Database {
    let sqliteConnection: OpaquePointer
    /// The name the caller gave (for messages).
    package let path: String
    /// The store's real path (symbolic links and `./` resolved), which SQLite opened and beside which
    /// its `-wal`, `-shm` and the per-upload lock file are: the same for every spelling of one store.
    package let realPath: String
    /// The name SQLite opened (the real path; a URI for an immutable store).
    private let sqliteName: String
    /// True when a read-only open found the store on read-only media and opened it immutable (`StoreFile`).
    package let isImmutable: Bool
    package let isReadOnly: Bool
    /// Asked while waiting for another connection's lock: true gives up at once (a stop signal arrived).
    package var stopWaiting: (() -> Bool)?
    private var waitsWhenBusy = true
    private var busySince: ContinuousClock.Instant?
    private let busyTimeoutMilliseconds: Int32
    /// How many transactions this connection has rolled back (SQLite's rollback hook): writes held back
    /// for a transaction are dropped, not written into a later one, when it changes.
    package private(set) var rollbacks = 0
    /// The store's pending cards (`PendingCardKeys`), as read in transaction `pendingKeysSerial`.
    let pendingKeys = PendingCardKeys()
    var pendingKeysSerial = -1
    var pendingKeysRollbacks = -1
    /// The filter of the merged keys, once a load has looked up enough of them (`mergedKeysMayHold`).
    var mergedKeyFilter: MergedKeyFilter?
    /// Searches of `card_keys` since the filter was last dropped (or never made).
    var mergedKeySearches = 0
    /// Whether `card_keys_filter` was read (once per connection).
    var triedStoredKeyFilter = false
    /// What this connection's page cache and key tables (pending cards, filter of merged keys) may take
    /// together, in KiB (`PageCache`); `cacheKiB` is the cache now, `keyTablesKiB` what the key tables may
    /// take before the cache gives way to them.
    package internal(set) var loadCacheKiB = PageCache.baseKiB
    package internal(set) var cacheKiB = PageCache.baseKiB
    var keyTablesKiB = 0
    /// The store's cards when its load began (`PageCache.sizeForLoad`): they bound the filter of merged keys.
    var keyFilterStoreCards: Int64 = 0
    /// Whether the cache's size was asked for (`--cache-size`): it is then not made smaller for the key tables.
    var cacheSizeIsAsked = false
    /// Counts the transactions this connection opened, committed or rolled back: the pending cards are read
    /// again in a transaction whose number is not theirs (another process may have added or merged cards).
    private(set) var transactionSerial = 0
    /// How many pending cards a write merges into `card_keys` at most (tests make it small).
    package var keyMergeThreshold = PendingCardKeys.maximumCount
    /// The main level of merged keys a merge may leave as it is, putting its cards into the recent level
    /// (`Database.mergeLevel`): a million cards (tests make it small).
    package var recentKeyLevelMinimum: Int64 = 1_000_000
    /// The statements that read and merge the pending cards, prepared once.
    var keyStatements: [String: Statement] = [:]

    /// How to open the file.
    package enum Mode {
        /// Read-only; the file must exist. Immutable when its folder cannot be written and it has no `-wal`.
        case readOnly
        /// Read-write; the file is created (readable by its owner only) when missing.
        case readWriteCreate
        /// Read-write; the file must exist (a command that changes a store but never makes one).
        case readWrite
    }

    /// Opens `path` with the store's settings: WAL, synchronous=FULL, foreign keys, a busy timeout.
    package init(path: String, mode: Mode, busyTimeoutMilliseconds: Int32 = 60_000) throws(DatabaseError) {
        // SPEC §5, one store under one name: checked before SQLite opens anything (`StoreFile`).
        let file = path == ":memory:"
            ? nil : try StoreFile(path: path, create: mode == .readWriteCreate, readOnly: mode == .readOnly)
        _ = Self.libraryConfigured
        var handle: OpaquePointer?
        let flags = (mode == .readOnly ? SQLITE_OPEN_READONLY
                : mode == .readWrite ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX | (file?.isImmutable == true ? SQLITE_OPEN_URI : 0)
        let code = sqlite3_open_v2(file?.sqliteName ?? path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let handle { sqlite3_close_v2(handle) }
            throw DatabaseError(resultCode: code, message: "\(message): \(path)")
        }
        do throws(DatabaseError) {
            try file?.confirmUnchanged()
        } catch {
            sqlite3_close_v2(handle)
            throw error
        }
        self.sqliteConnection = handle
        self.path = path
        self.realPath = file?.realPath ?? path
        self.sqliteName = file?.sqliteName ?? path
        self.isImmutable = file?.isImmutable ?? false
        self.isReadOnly = mode == .readOnly
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        sqlite3_extended_result_codes(handle, 1)
        CardKey.register(on: handle)
        registerPendingCardFunctions(on: handle)
        sqlite3_rollback_hook(handle, { context in
            guard let context else { return }
            let database = Unmanaged<Database>.fromOpaque(context).takeUnretainedValue()
            database.rollbacks &+= 1
            database.transactionSerial &+= 1
        }, Unmanaged.passUnretained(self).toOpaque())
        // Our own busy handler: it polls often (another load frees the lock only for a moment between its
        // batches), gives up at the timeout, and at once when the caller is asked to stop.
        sqlite3_busy_handler(handle, { context, count in
            guard let context else { return 0 }
            return Unmanaged<Database>.fromOpaque(context).takeUnretainedValue().busyWait(count)
        }, Unmanaged.passUnretained(self).toOpaque())
        try execute("PRAGMA foreign_keys = ON")
        if mode != .readOnly {
            // A new store is in incremental auto-vacuum mode from its first page (`uploads prune` gives the
            // space back; SPEC §10). It must be said before anything is written: switching to WAL writes the
            // header. An existing store keeps its mode (`Schema.useIncrementalVacuum` converts one).
            if mode == .readWriteCreate, try prepare("PRAGMA page_count").queryOne([], { $0.integer(0) ?? 0 }) == 0 {
                try execute("PRAGMA auto_vacuum = INCREMENTAL")
            }
            // journal_mode answers with a row; a database that is not one fails here (SQLITE_NOTADB).
            // Switching a new file to WAL needs an exclusive lock and does not wait on the busy handler:
            // when another run is creating the same store at this moment, retry up to the busy timeout.
            let journal = try prepare("PRAGMA journal_mode = WAL")
            let deadline = ContinuousClock.now + .milliseconds(Int(busyTimeoutMilliseconds))
            while true {
                do {
                    _ = try journal.queryOne([]) { $0.text(0) }
                    break
                } catch let error where error.isBusy && ContinuousClock.now < deadline {
                    journal.reset()
                    usleep(10_000)
                }
            }
            try execute("PRAGMA synchronous = FULL")
            // 64 MiB of page cache; a load sizes it to the store (`PageCache`).
            try execute("PRAGMA cache_size = -\(PageCache.baseKiB)")
        } else {
            // Reading the schema proves the file is a database.
            let probe = try prepare("SELECT count(*) FROM sqlite_schema")
            _ = try probe.queryOne([]) { $0.integer(0) }
        }
    }

    deinit {
        joinCheckpointAside()
        sqlite3_close_v2(sqliteConnection)
    }

    /// Process-wide settings, made once before the first connection opens: no memory statistics (a
    /// global mutex on every allocation SQLite makes, for figures the store never reads); statement journals
    /// kept in memory up to `statementJournalSpillBytes`.
    private static let libraryConfigured: Void = {
        _ = csqlite_disable_memory_statistics()
        _ = csqlite_set_statement_journal_spill(statementJournalSpillBytes)
    }()

    /// How much of one statement's journal (and of the temporary database's rollback journal: `temp.lead_held`)
    /// SQLite keeps in memory before it writes it to a temporary file: 124 KiB. SQLite's default, 64 KiB, sent a
    /// link's `UPDATE` that journalled a few pages more to a file, and once a file, every later statement's
    /// journal of the transaction went there too (a Lead file of 1,000,000 cards in one transaction wrote 516 MB
    /// to `/var/tmp`). It cannot be much more: when a journal outgrows it, SQLite writes the memory to the file
    /// in one write of up to this size, and its Unix layer writes at most 131,071 bytes a call (it masks the
    /// length) — at 4 MiB that write was 0 bytes and the load failed with "database or disk is full"
    /// (`StatementJournalTests`).
    static let statementJournalSpillBytes: Int32 = 124 << 10

    /// Prepares a statement for reuse.
    package func prepare(_ sql: String) throws(DatabaseError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs one or more statements that take no parameters.
    package func execute(_ sql: String) throws(DatabaseError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(sqliteConnection, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            let extended = sqlite3_extended_errcode(sqliteConnection)
            throw DatabaseError(
                resultCode: extended,
                message: Self.describe(text, extendedCode: extended, systemError: sqlite3_system_errno(sqliteConnection)),
                sql: sql)
        }
    }

    /// The rowid of the last row inserted on this connection.
    package var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(sqliteConnection) }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    package var changes: Int { Int(sqlite3_changes(sqliteConnection)) }

    /// True while a transaction is open.
    package var isInTransaction: Bool { sqlite3_get_autocommit(sqliteConnection) == 0 }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction: committed when it returns, rolled back when it throws
    /// (the first error is kept). Inside a transaction already open (`--atomic`, `--dry-run` hold one for
    /// the whole file) it runs in that one, which its owner commits or rolls back.
    package func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction { return try body() }
        try beginWrite()
        do {
            let result = try body()
            try commit()
            return result
        } catch {
            rollback()
            throw error
        }
    }

    /// Opens a write transaction (`BEGIN IMMEDIATE`: the write lock now, waiting up to the busy timeout)
    /// that the caller ends with `commit` or `rollback` — for a transaction that spans more than one call
    /// (a load's batch, a dry run's whole run). Prefer `writeTransaction` where one closure will do.
    package func beginWrite() throws(DatabaseError) {
        transactionSerial &+= 1
        try execute("BEGIN IMMEDIATE")
    }

    /// Opens a read transaction (`BEGIN DEFERRED`): what follows reads one snapshot until `rollback`.
    /// Prefer `readSnapshot` where one closure will do.
    package func beginRead() throws(DatabaseError) {
        transactionSerial &+= 1
        try execute("BEGIN DEFERRED")
    }

    /// Writes what is held back for the open transaction (`willCommit`), then commits it.
    package func commit() throws {
        for write in willCommit { try write() }
        for close in willEndTransaction.values { close() }
        transactionSerial &+= 1
        try execute("COMMIT")
    }

    /// Writes held back until the transaction commits (a log's pending rows): run by `commit`, in order.
    package var willCommit: [() throws -> Void] = []

    /// Run before the transaction commits or rolls back, and by every `rollback` (SQLite may have rolled
    /// back on its own after an I/O error): readers that keep a statement open inside a transaction
    /// (`CardStore`'s cursor over the cards) close it there. Keyed by the reader, which removes itself.
    package var willEndTransaction: [ObjectIdentifier: () -> Void] = [:]

    /// Runs `body` inside one read transaction, so everything it reads comes from one snapshot of the store
    /// even while another process commits. Inside a transaction already open it uses that one.
    package func readSnapshot<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction { return try body() }
        try beginRead()
        defer { rollback() }
        return try body()
    }

    /// Rolls back the open transaction, if any, ignoring errors (the caller already has the first one).
    package func rollback() {
        for close in willEndTransaction.values { close() }
        transactionSerial &+= 1
        guard isInTransaction else { return }
        sqlite3_exec(sqliteConnection, "ROLLBACK", nil, nil, nil)
    }

    /// Commits the open transaction, then copies its pages from the WAL into the database file on a
    /// connection and thread of their own, while this connection goes on: a file loaded in one transaction
    /// merges its keys (`mergeCardKeys`) and writes its outputs meanwhile. Its commit would otherwise copy
    /// the whole file's pages before anything else (SQLite's automatic checkpoint). `checkpoint` and `deinit`
    /// wait for it; until then this connection makes no automatic checkpoint of its own.
    package func commitCheckpointingAside() throws {
        joinCheckpointAside()
        // Two threads on one file need SQLite's mutexes (a build without them: the commit's own checkpoint).
        guard sqlite3_threadsafe() != 0 else {
            try commit()
            return
        }
        sqlite3_wal_autocheckpoint(sqliteConnection, 0)
        do {
            try commit()
        } catch {
            sqlite3_wal_autocheckpoint(sqliteConnection, Self.autoCheckpointPages)
            throw error
        }
        let done = DispatchSemaphore(value: 0)
        let name = sqliteName
        Thread.detachNewThread {
            var handle: OpaquePointer?
            if sqlite3_open_v2(name, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK {
                // The schema read opens the WAL on this connection: without it the checkpoint finds no WAL and
                // copies nothing. A PASSIVE checkpoint never waits, and takes no lock the load's connection
                // needs to go on writing or reading; it holds the checkpoint lock meanwhile (another process's
                // checkpoint gets BUSY, as it did while the commit copied the pages itself).
                sqlite3_exec(handle, "PRAGMA synchronous = FULL; SELECT count(*) FROM sqlite_schema", nil, nil, nil)
                sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            }
            sqlite3_close_v2(handle)
            done.signal()
        }
        checkpointAside = done
    }

    /// Signalled when the checkpoint of `commitCheckpointingAside` is done.
    private var checkpointAside: DispatchSemaphore?

    /// SQLite's default, which the store never changes: a commit that leaves the WAL with more pages than this
    /// copies them back.
    private static let autoCheckpointPages: Int32 = 1000

    /// Waits for the checkpoint of `commitCheckpointingAside`, if any, and turns automatic checkpoints on again.
    func joinCheckpointAside() {
        guard let done = checkpointAside else { return }
        done.wait()
        checkpointAside = nil
        sqlite3_wal_autocheckpoint(sqliteConnection, Self.autoCheckpointPages)
    }

    /// Runs `body` with the busy handler off: a lock another connection holds fails at once (SQLITE_BUSY).
    package func withoutWaiting<T>(_ body: () throws -> T) rethrows -> T {
        waitsWhenBusy = false
        defer { waitsWhenBusy = true }
        return try body()
    }

    /// The pages after which a commit on this connection copies the WAL back (`PRAGMA wal_autocheckpoint`).
    var autoCheckpoint: Int64 {
        (try? prepare("PRAGMA wal_autocheckpoint").queryOne([]) { $0.integer(0) ?? -1 }) ?? -1
    }

    /// Copies the WAL into the database file so the file alone is complete — without waiting: a TRUNCATE
    /// checkpoint waits on the busy handler for readers while holding the writer lock, which would stall
    /// every other load behind a `cards list | less`. When readers are there, a PASSIVE one copies what it can.
    package func checkpoint() {
        joinCheckpointAside()
        withoutWaiting {
            let code = sqlite3_wal_checkpoint_v2(sqliteConnection, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
            if code & 0xFF == SQLITE_BUSY {
                sqlite3_wal_checkpoint_v2(sqliteConnection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            }
        }
    }

    /// One turn of the busy handler: sleep briefly and try again (1), or give up (0) at the timeout, when
    /// waiting is off (the final checkpoint), or when a stop was requested.
    fileprivate func busyWait(_ count: Int32) -> Int32 {
        guard waitsWhenBusy, stopWaiting?() != true else { return 0 }
        let now = ContinuousClock.now
        if count == 0 { busySince = now }
        guard let since = busySince, now - since < .milliseconds(Int(busyTimeoutMilliseconds)) else { return 0 }
        usleep(count < 50 ? 1_000 : 5_000)
        return 1
    }

    /// Builds the error for result code `code` from the connection's current message.
    func error(_ code: Int32, sql: String?) -> DatabaseError {
        let extended = sqlite3_extended_errcode(sqliteConnection)
        return DatabaseError(resultCode: extended != 0 ? extended : code, message: message(), sql: sql)
    }

    /// SQLite's message, with what failed and the system's reason when an I/O call failed: a full disk
    /// on fsync is otherwise only "disk I/O error".
    private func message() -> String {
        Self.describe(
            String(cString: sqlite3_errmsg(sqliteConnection)), extendedCode: sqlite3_extended_errcode(sqliteConnection),
            systemError: sqlite3_system_errno(sqliteConnection))
    }

    /// `text` with the failed I/O step (from SQLite's extended code) and the system's reason, when known.
    static func describe(_ text: String, extendedCode: Int32, systemError: Int32) -> String {
        var result = text
        if extendedCode & 0xFF == SQLITE_IOERR {
            switch extendedCode >> 8 {
            case 1, 2: result += " while reading the database"
            case 3: result += " while writing the database: the disk may be full or failing"
            case 4: result += " while syncing the database to disk: the disk may be full or failing"
            case 6: result += " while truncating the database file"
            default: break
            }
        }
        if systemError != 0 { result += " (\(SystemCall.errorText(systemError)))" }
        return result
    }
}
