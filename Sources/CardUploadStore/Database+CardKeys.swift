import CSQLite

/// The key index's parts on one connection (ARCHITECTURE.md, "Keys"): the merged cards' key hashes in hash
/// order, in two levels (`card_keys` up to `card_key_bounds.main_through`, `card_keys_recent` after it), and
/// the pending cards after `card_key_bounds.through`, held in memory (`PendingCardKeys`) and read again
/// whenever another transaction may have changed them.
extension Database {
    /// The SQL function that names the pending card with a key hash: `card_pending_seq(hash)`, its rowid or NULL.
    static let pendingCardFunction = "card_pending_seq"

    private func keyStatement(_ sql: String) throws(DatabaseError) -> Statement {
        if let statement = keyStatements[sql] { return statement }
        let statement = try prepare(sql)
        keyStatements[sql] = statement
        return statement
    }

    /// Steps `statement` with `values` through every row (reset after).
    private func forEachRow(_ statement: Statement, _ values: [SQLValue?], _ body: (Statement) -> Void) throws(DatabaseError) {
        try statement.bind(values)
        defer { statement.reset() }
        while try statement.step() { body(statement) }
    }

    /// Whether this connection holds the write lock (a write transaction is open).
    private var isWriting: Bool { sqlite3_txn_state(sqliteConnection, "main") == SQLITE_TXN_WRITE }

    /// Brings `pendingKeys` to what this transaction sees: kept within one transaction (this connection's
    /// own inserts are added as they happen), otherwise the merged rowid is read again — a merge since empties
    /// the table, a rollback too (its cards are gone and their rowids will be used again) — and the cards after
    /// the last one read are added. Outside a transaction it is read for every statement.
    func refreshPendingKeys() throws(DatabaseError) {
        if isInTransaction, pendingKeysSerial == transactionSerial, pendingKeysRollbacks == rollbacks { return }
        let through = try keyStatement("SELECT through FROM card_key_bounds").queryOne([]) { $0.integer(0) ?? 0 } ?? 0
        let rolledBack = pendingKeysRollbacks != rollbacks
        if rolledBack, pendingKeysRollbacks >= 0 {
            // The filter may hold a rolled-back merge's cards up to its `through`, and not the cards another run
            // has since put at those rowids: made again (or read) when needed.
            mergedKeyFilter = nil
            mergedKeySearches = 0
            triedStoredKeyFilter = false
        }
        if let filter = mergedKeyFilter { try catchUp(filter, to: through, usingPending: !rolledBack) }
        if through != pendingKeys.mergedThrough || rolledBack {
            pendingKeys.reset(mergedThrough: through)
        }
        let scan = try keyStatement(
            "SELECT seq, coalesce(key_hash, card_key_hash(entity_id, external_id)), "
                + CardKey.leadIDHashSQL + " FROM cards WHERE seq > ? ORDER BY seq")
        try scan.bind([.integer(pendingKeys.scannedThrough)])
        var overflows = false
        while try scan.step() {
            let seq = scan.integer(0) ?? 0
            let hash = scan.integer(1) ?? 0
            if !pendingKeys.add(hash: hash, seq: seq) {
                overflows = true
                break
            }
            if let leadIDHash = scan.integer(2) { pendingKeys.addLeadID(hash: leadIDHash, seq: seq) }
        }
        scan.reset()
        if overflows {
            // Pending cards the table cannot hold: two with one hash, or more than it holds (only cards written by
            // hand leave that: a load never leaves more than a million). A writer merges them now; a reader
            // cannot, and reads them again at its next statement.
            guard isWriting else {
                pendingKeys.reset(mergedThrough: through)
                throw DatabaseError(
                    resultCode: SQLITE_ERROR,
                    message: "the card store has cards after the last merge that a reader cannot tell apart (written"
                        + " by hand?); a load (`card-upload process`) merges them")
            }
            pendingKeysSerial = transactionSerial
            pendingKeysRollbacks = rollbacks
            try mergeCardKeys()
            return
        }
        pendingKeysSerial = transactionSerial
        pendingKeysRollbacks = rollbacks
    }

    /// Brings the filter of merged keys to `through` (a merge by another connection since, or a stored filter
    /// written before the last merges): the cards it gained are added — from the pending cards this connection
    /// holds where it can, else from their rows. (After a rollback of this connection the filter is dropped
    /// before this: it may hold a rolled-back merge.)
    private func catchUp(_ filter: MergedKeyFilter, to through: Int64, usingPending: Bool) throws(DatabaseError) {
        guard through > filter.through else {
            filter.through = through
            return
        }
        var from = filter.through
        if usingPending, pendingKeys.mergedThrough <= filter.through {
            let low = filter.through
            pendingKeys.forEach { hash, seq in
                if seq > low, seq <= through { filter.insert(hash) }
            }
            from = max(from, min(through, pendingKeys.scannedThrough))
        }
        if through > from {
            try forEachRow(keyStatement(
                "SELECT coalesce(key_hash, card_key_hash(entity_id, external_id)), " + CardKey.leadIDHashSQL
                    + " FROM cards WHERE seq > ? AND seq <= ?"
            ), [.integer(from), .integer(through)]) { row in
                filter.insert(row.integer(0) ?? 0)
                if let leadIDHash = row.integer(1) { filter.insert(leadIDHash) }
            }
        }
        filter.through = through
        // Too full: made again by a pass — when a bigger one may be made (a store of Lead cards has two entries
        // a card, and its filter may be as full as its size allows from the start: it is kept).
        if filter.isCrowded, filter.byteCount * 2 <= keyFilterMaxBytes {
            mergedKeyFilter = nil
            mergedKeySearches = 0
        }
    }

    /// Whether `card_keys` may hold `hash` (false: no merged card has it, and the search is skipped). Until the
    /// filter exists every hash may be there. After 1,024 searches this connection reads the filter the last
    /// merge that held one wrote (`card_keys_filter`), and catches it up with the cards merged since, from their
    /// rows (one too full for the store is still used: this load's merge makes it again); with none, it makes
    /// one by a pass over both levels once it has searched them for 4,096 keys and for one in 32 of the merged
    /// cards (a pass costs about as much as 32 random searches, so a small load into a big store never makes it).
    func mergedKeysMayHold(_ hash: Int64) throws(DatabaseError) -> Bool {
        try refreshPendingKeys()
        // No card merged yet: both levels are empty (a Lead file's references into an empty store made a filter
        // of nothing, then filled it with the file's cards at the merge and made it again by a pass).
        if pendingKeys.mergedThrough == 0 { return false }
        if let filter = mergedKeyFilter { return filter.mayContain(hash) }
        mergedKeySearches += 1
        guard mergedKeySearches >= 1024 else { return true }
        if !triedStoredKeyFilter {
            triedStoredKeyFilter = true
            if let stored = try storedKeyFilter() {
                try catchUp(stored, to: pendingKeys.mergedThrough, usingPending: false)
                // Even a crowded one (a store that outgrew it) says no to most new keys; this load's merge makes
                // it again for the cards there are then.
                try install(stored)
                return stored.mayContain(hash)
            }
        }
        guard mergedKeySearches >= 4096, Int64(mergedKeySearches) * 32 >= pendingKeys.mergedThrough else { return true }
        let filter = try keyFilterOfCardKeys(through: pendingKeys.mergedThrough, maxBytes: keyFilterMaxBytes)
        try install(filter)
        return filter.mayContain(hash)
    }

    /// A filter of every merged hash (up to `through`), by one pass over both levels.
    /// `expected`: the entries known to be there, when more than the cards (a Lead card has two). A pass that
    /// finds it crowded for want of that (more entries than cards) runs once more, sized for what it counted.
    private func keyFilterOfCardKeys(through: Int64, expected: Int = 0, maxBytes: Int) throws(DatabaseError) -> MergedKeyFilter {
        var entries = max(Int(through), expected)
        while true {
            let filter = MergedKeyFilter(expected: entries, through: through, maxBytes: maxBytes)
            try forEachRow(keyStatement("SELECT key_hash FROM card_keys UNION ALL SELECT key_hash FROM card_keys_recent"), []) {
                row in filter.insert(row.integer(0) ?? 0)
            }
            guard filter.isCrowded, filter.count > entries,
                  MergedKeyFilter.byteCount(expected: filter.count, maxBytes: maxBytes) > filter.byteCount
            else { return filter }
            entries = filter.count
        }
    }

    /// The largest filter this connection makes or reads: `keyFilterMaxBytes(cards:)` of the store as its load
    /// began (`PageCache.sizeForLoad`), so a load's memory stays bounded whatever the file's size. A store
    /// that grew past its filter during a load (20,000,000 cards loaded into an empty store leave an 8 MiB
    /// filter, 3.4 bits a card) gets one its size from the next load: it uses the crowded one, and its merge
    /// makes the new one (before, it ignored the crowded one and searched both levels for most new keys).
    var keyFilterMaxBytes: Int { Self.keyFilterMaxBytes(cards: keyFilterStoreCards) }

    /// The largest filter for a store of `cards` merged cards: 8 MiB (12 bits a card for 5,000,000 cards), or
    /// an eighth of a load's memory budget for a store of that size where that is more (`PageCache`: 5 bytes
    /// a card, at most a 64th of `memory`) — it grows with the store, never past that share of the memory.
    static func keyFilterMaxBytes(cards: Int64, memory: UInt64 = PageCache.memory) -> Int {
        max(8 << 20, PageCache.kibibytes(cards: cards, requestedMiB: nil, memory: memory) * 1024 / 8)
    }

    /// The bytes of the filter of merged keys a load of `rows` new cards into a store of `cards` ends with, as
    /// its merges make it (`mergePendingCards`, one every `merge` new cards and one at the end): the filter it
    /// starts with — the store's (`startBytes`, `storedKeyFilterByteCount`), else one made by a pass for its
    /// cards, and into an empty store one for the cards of its first merge — made again by each merge that
    /// finds it crowded and adds a 32nd of the store or more, for the cards there are then. Its page cache
    /// leaves room for that from the start (`PageCache.sizeForLoad`): a full cache that gives way later keeps
    /// its memory (its freed pages stay in the process's heap; `malloc_trim` after the commit that freed them
    /// gave none back).
    static func keyFilterBytes(
        cards: Int64, adding rows: Int64, startBytes: Int? = nil, merge: Int64 = Int64(PendingCardKeys.maximumCount),
        memory: UInt64 = PageCache.memory
    ) -> Int {
        let cards = max(0, cards)
        let last = cards + min(max(0, rows), 1 << 40)
        func bytes(_ cards: Int64) -> Int {
            MergedKeyFilter.byteCount(expected: Int(cards), maxBytes: keyFilterMaxBytes(cards: cards, memory: memory))
        }
        var size: Int? = cards > 0 ? startBytes ?? bytes(cards) : nil
        var merged = cards
        while merged < last {
            let next = min(last, merged + merge)
            defer { merged = next }
            guard let filter = size else {
                size = bytes(next)
                continue
            }
            if next > MergedKeyFilter.crowdedCount(byteCount: filter), (next - merged) * 32 >= next,
               filter * 2 <= keyFilterMaxBytes(cards: next, memory: memory) {
                size = bytes(next)
            }
        }
        return size ?? bytes(0)
    }

    /// The bytes of the filter `card_keys_filter` holds that a load of this store would read (`storedKeyFilter`),
    /// or nil: none, or one it would make again by a pass.
    func storedKeyFilterByteCount() throws(DatabaseError) -> Int? {
        try storedKeyFilterHeader()?.byteCount
    }

    /// The row of `card_keys_filter` when a load would read it: none written, one too big for this connection
    /// (`keyFilterMaxBytes`) or not a filter's size, and nil.
    private func storedKeyFilterHeader() throws(DatabaseError) -> (through: Int64, count: Int, byteCount: Int)? {
        guard MergedKeyFilter.isStorable else { return nil }
        let row = try keyStatement("SELECT through, hashes, length(bits) FROM card_keys_filter WHERE rowid = 1")
            .queryOne([]) { ($0.integer(0) ?? 0, Int($0.integer(1) ?? 0), Int($0.integer(2) ?? 0)) }
        guard let row, row.2 <= keyFilterMaxBytes, MergedKeyFilter.isFilterSize(row.2) else { return nil }
        return (row.0, row.1, row.2)
    }

    /// Makes `filter` this connection's, and gives the page cache as much less memory (16 MiB left at least),
    /// so a load's memory stays what it was with the filter in it: the filter saves the searches the cache
    /// would have served.
    private func install(_ filter: MergedKeyFilter) throws(DatabaseError) {
        mergedKeyFilter = filter
        try makeRoomForKeyTables()
    }

    /// Gives the page cache less memory by as much as the key tables (the pending cards at their most, and the
    /// filter) take — 16 MiB left at least —, so a load's peak memory stays what it was without them: a new
    /// card's key no longer touches an index per row, and the filter saves the searches the cache served.
    private func makeRoomForKeyTables(adding: Int = 0) throws(DatabaseError) {
        let held = (pendingKeys.byteCount + (mergedKeyFilter?.byteCount ?? 0) + adding) / 1024
        guard !cacheSizeIsAsked, held > keyTablesKiB + 1024 else { return }
        keyTablesKiB = held
        let kib = max(16_384, loadCacheKiB - held)
        if kib < cacheKiB {
            try execute("PRAGMA cache_size = -\(kib)")
            cacheKiB = kib
        }
    }

    /// The filter `card_keys_filter` holds, or nil (none written, or not one this machine can read). Its bytes
    /// are read straight into the filter's words (`sqlite3_blob_read`), without a copy of the blob first.
    private func storedKeyFilter() throws(DatabaseError) -> MergedKeyFilter? {
        guard let stored = try storedKeyFilterHeader(),
              let filter = MergedKeyFilter(byteCount: stored.byteCount, count: stored.count, through: stored.through)
        else { return nil }
        var blob: OpaquePointer?
        var code = sqlite3_blob_open(sqliteConnection, "main", "card_keys_filter", "bits", 1, 0, &blob)
        if code == SQLITE_OK {
            code = filter.withMutableBytes { bytes in sqlite3_blob_read(blob, bytes.baseAddress, Int32(bytes.count), 0) }
        }
        sqlite3_blob_close(blob)
        guard code == SQLITE_OK else { throw error(code, sql: "card_keys_filter.bits") }
        return filter
    }

    /// Writes `filter` (held up to the merged rowid) into `card_keys_filter`, in the merge's transaction: a blob
    /// of zeros, then the words written into it in place (`sqlite3_blob_write`), without a copy of them first.
    private func storeKeyFilter(_ filter: MergedKeyFilter) throws(DatabaseError) {
        guard MergedKeyFilter.isStorable else { return }
        try keyStatement("DELETE FROM card_keys_filter").execute()
        try keyStatement("INSERT INTO card_keys_filter (rowid, through, hashes, bits) VALUES (1, ?, ?, zeroblob(?))")
            .execute([.integer(filter.through), .integer(Int64(filter.count)), .integer(Int64(filter.byteCount))])
        var blob: OpaquePointer?
        var code = sqlite3_blob_open(sqliteConnection, "main", "card_keys_filter", "bits", 1, 1, &blob)
        if code == SQLITE_OK {
            code = filter.withBytes { bytes in sqlite3_blob_write(blob, bytes.baseAddress, Int32(bytes.count), 0) }
        }
        let closed = sqlite3_blob_close(blob)
        guard code == SQLITE_OK, closed == SQLITE_OK else {
            throw error(code == SQLITE_OK ? closed : code, sql: "card_keys_filter.bits")
        }
    }

    /// Whether no stored card can have a key with hash `hash` — none pending has it, and no level can (no card
    /// is merged yet, or the filter of merged keys says no) — so a new key needs no look-up at all. Until the
    /// filter exists the answer is "maybe" (false), and the look-up that follows counts its searches
    /// (`card_keys_may_hold` in `CardKey.matchSQL`): one for each level it searches.
    package func noCardHasKeyHash(_ hash: Int64) throws(DatabaseError) -> Bool {
        try refreshPendingKeys()
        if pendingKeys.seq(forHash: hash) != nil { return false }
        return noMergedEntryHas(hash)
    }

    /// Whether no level can hold `hash`: no card is merged yet, or the filter of merged keys says no.
    private func noMergedEntryHas(_ hash: Int64) -> Bool {
        if pendingKeys.mergedThrough == 0 { return true }
        return mergedKeyFilter.map { !$0.mayContain(hash) } ?? false
    }

    /// Whether no Lead card can have a client_card_id with hash `hash` (`CardKey.leadIDHash`): none pending has
    /// it, and no level can (no card is merged yet, or the filter of merged keys says no). "Maybe" (false) asks
    /// `leadCardSeqs`.
    package func noLeadCardHasIDHash(_ hash: Int64) throws(DatabaseError) -> Bool {
        try refreshPendingKeys()
        if pendingKeys.hasLeadID(hash: hash) { return false }
        return noMergedEntryHas(hash)
    }

    /// The rowids that may be a Lead card whose client_card_id has hash `hash`: the pending ones with that hash,
    /// and the merged cards at that hash in either level (which the caller compares, like any look-up).
    package func leadCardSeqs(idHash hash: Int64) throws(DatabaseError) -> [Int64] {
        try refreshPendingKeys()
        var seqs = pendingKeys.leadSeqs(forHash: hash)
        if pendingKeys.mergedThrough > 0, try mergedKeysMayHold(hash) {
            try forEachRow(keyStatement(
                "SELECT card FROM card_keys WHERE key_hash = ?1 UNION ALL SELECT card FROM card_keys_recent WHERE key_hash = ?1"
            ), [.integer(hash)]) { row in seqs.append(row.integer(0) ?? 0) }
        }
        return seqs
    }

    /// Records a card this connection just inserted in its write transaction (a Lead card with the hash of its
    /// client_card_id, `leadIDHash`); merges the pending entries, this card's with them, when there were
    /// `keyMergeThreshold` of them before it, or when its hash is another pending card's.
    package func cardInserted(seq: Int64, keyHash: Int64, leadIDHash: Int64? = nil) throws(DatabaseError) {
        try refreshPendingKeys()
        if seq <= pendingKeys.scannedThrough { return }  // read by the refresh just now
        // A full table is merged when the next card comes (this one, from its row), not when it fills: a file
        // whose last card fills it merges once it has committed, beside the commit's checkpoint
        // (`commitCheckpointingAside`).
        if pendingKeys.isFull(threshold: keyMergeThreshold) {
            try mergeCardKeys()
            return
        }
        guard pendingKeys.add(hash: keyHash, seq: seq) else {
            // Merged with its second entry, if any, from its row.
            try mergeCardKeys()
            return
        }
        if let leadIDHash { pendingKeys.addLeadID(hash: leadIDHash, seq: seq) }
        if pendingKeys.byteCount / 1024 > keyTablesKiB + 1024 { try makeRoomForKeyTables() }
    }

    /// Puts every pending card into a level of merged keys (`mergeLevel`), in hash order (each page written
    /// once), and moves `card_key_bounds.through` to the last card. Inside the caller's write transaction. The pending cards
    /// this connection holds go in from memory, sorted here (the cards' own rows are not read again); a card it
    /// could not hold (after a refused `add`) is read from the table.
    package func mergeCardKeys() throws(DatabaseError) {
        do {
            try mergePendingCards()
        } catch {
            // The sort spent the table: read the pending cards again at the next use (the caller rolls back).
            pendingKeys.reset(mergedThrough: pendingKeys.mergedThrough)
            pendingKeysSerial = -1
            pendingKeysRollbacks = -1
            mergedKeyFilter = nil
            mergedKeySearches = 0
            throw error
        }
    }

    /// Which level a merge from the merged rowid `from` (the main level ends at `mainThrough`) to card `last`
    /// puts its cards into (ARCHITECTURE.md, "Keys"): the recent level while the main one holds
    /// `recentKeyLevelMinimum` cards or more and the recent one then holds at most half as many; otherwise the
    /// main level, and the recent level moves into it with them (`movesRecent`).
    static func mergeLevel(
        from: Int64, mainThrough: Int64, last: Int64, recentMinimum: Int64
    ) -> (intoRecent: Bool, movesRecent: Bool) {
        if mainThrough >= recentMinimum, (last - mainThrough) * 2 <= mainThrough { return (true, false) }
        return (false, from > mainThrough)
    }

    private func mergePendingCards() throws(DatabaseError) {
        try refreshPendingKeys()
        let from = pendingKeys.mergedThrough
        let last = try keyStatement("SELECT coalesce(max(seq), 0) FROM cards").queryOne([]) { $0.integer(0) ?? 0 } ?? 0
        guard last > from else { return }
        let mainThrough = try keyStatement("SELECT main_through FROM card_key_bounds")
            .queryOne([]) { $0.integer(0) ?? 0 } ?? from
        let level = Self.mergeLevel(from: from, mainThrough: mainThrough, last: last, recentMinimum: recentKeyLevelMinimum)
        // Cards that join a recent level that then moves go into it first: the main level is rewritten once.
        let table = level.intoRecent || level.movesRecent ? "card_keys_recent" : "card_keys"
        // `OR FAIL`: a statement of several rows that may abort takes a statement journal, a copy of every page
        // it changes, and a merge into a large `card_keys` changes a page or more per row — past what SQLite keeps
        // in memory (`statementJournalSpillBytes`), so the journals of the rest of the transaction went to a
        // temporary file. No entry can be there already; if one were, the statement fails and the caller's
        // transaction rolls back, rows and all, as it does for any error of the merge.
        let insert = try keyStatement("INSERT OR FAIL INTO \(table) (key_hash, card) VALUES (?, ?)")
        // 64 entries a statement: the per-statement work is most of an entry's cost.
        let rows = 64
        let insertMany = try keyStatement(
            "INSERT OR FAIL INTO \(table) (key_hash, card) VALUES "
                + Array(repeating: "(?, ?)", count: rows).joined(separator: ", "))
        var filter = mergedKeyFilter
        // The first merge of a Lead load into an empty store, in the middle of its file (a Lead card takes two
        // entries: its merges come twice as often): the filter is made of the entries as they go in, or the
        // cards after them would be looked up until one is made by a pass. It is installed once the pending
        // entries are gone (the cache gives way to it, not to them).
        var made: MergedKeyFilter?
        if filter == nil, from == 0, pendingKeys.entryCount > pendingKeys.count, pendingKeys.isFull(threshold: keyMergeThreshold) {
            made = MergedKeyFilter(
                expected: pendingKeys.entryCount, through: from, maxBytes: Self.keyFilterMaxBytes(cards: last))
            filter = made
        }
        var chunk: [(hash: Int64, seq: Int64)] = []
        chunk.reserveCapacity(rows)
        var chunkHashes: [Int64] = []
        chunkHashes.reserveCapacity(rows)
        // Each entry into the chunk; a full chunk into the filter (in one loop) and one statement.
        func add(_ hash: Int64, _ seq: Int64) throws(DatabaseError) {
            chunk.append((hash, seq))
            chunkHashes.append(hash)
            guard chunk.count == rows else { return }
            insertIntoFilter()
            insertMany.rewind()
            for (index, entry) in chunk.enumerated() {
                try insertMany.bind(Int32(2 * index + 1), entry.hash)
                try insertMany.bind(Int32(2 * index + 2), entry.seq)
            }
            try insertMany.run()
            chunk.removeAll(keepingCapacity: true)
        }
        func insertIntoFilter() {
            if let filter { chunkHashes.withUnsafeBufferPointer { filter.insert(contentsOf: $0) } }
            chunkHashes.removeAll(keepingCapacity: true)
        }
        try pendingKeys.sortedByHash { (hash, seq) throws(DatabaseError) in try add(hash, seq) }
        if last > pendingKeys.scannedThrough {
            // Cards it could not hold: read from their rows.
            var rest: [(hash: Int64, seq: Int64)] = []
            try forEachRow(keyStatement(
                "SELECT coalesce(key_hash, card_key_hash(entity_id, external_id)) AS hash, seq FROM cards WHERE seq > ?1"
                    + " UNION SELECT " + CardKey.leadIDHashSQL + ", seq FROM cards WHERE seq > ?1 AND file_kind = 'lead'"
                    + " ORDER BY 1, 2"
            ), [.integer(pendingKeys.scannedThrough)]) { row in rest.append((row.integer(0) ?? 0, row.integer(1) ?? 0)) }
            for (hash, seq) in rest { try add(hash, seq) }
        }
        insertIntoFilter()
        for entry in chunk {
            insert.rewind()
            try insert.bind(1, entry.hash)
            try insert.bind(2, entry.seq)
            try insert.run()
        }
        if level.movesRecent {
            // In key order (the recent level's own), so each page of the main level is written once.
            try keyStatement("INSERT OR FAIL INTO card_keys (key_hash, card) SELECT key_hash, card FROM card_keys_recent")
                .execute()
            try keyStatement("DELETE FROM card_keys_recent").execute()
        }
        filter?.through = last
        // Too full to say "no" often: made again for the cards there are now, by a pass over both levels — by a
        // merge of a 32nd of the store or more (a pass costs about as much as 32 random searches; a small load into
        // a big store keeps it as it is, caught up), up to the size for the store as it is now. The crowded one
        // goes first, and the cache gives way to the new one before it is made (a cache already full keeps its
        // memory: `PageCache.sizeForLoad` leaves room for this one from the start, `keyFilterBytes`).
        let maxBytes = Self.keyFilterMaxBytes(cards: last)
        let remake = filter.map { $0.isCrowded && (last - from) * 32 >= last && $0.byteCount * 2 <= maxBytes } ?? false
        if remake {
            // As many entries as the crowded one holds (a Lead card has two), at least one per card.
            let entries = max(Int(last), filter?.count ?? 0)
            filter = nil
            mergedKeyFilter = nil
            try makeRoomForKeyTables(adding: MergedKeyFilter.byteCount(expected: entries, maxBytes: maxBytes))
            let remade = try keyFilterOfCardKeys(through: last, expected: entries, maxBytes: maxBytes)
            try install(remade)
            filter = remade
        }
        if let filter { try storeKeyFilter(filter) }
        try keyStatement("UPDATE card_key_bounds SET through = ?, main_through = ?")
            .execute([.integer(last), .integer(level.intoRecent ? mainThrough : last)])
        pendingKeys.reset(mergedThrough: last)
        pendingKeysSerial = transactionSerial
        pendingKeysRollbacks = rollbacks
        if let made { try install(made) }
    }

    /// The SQL function that says whether `card_keys` may hold a key hash: `card_keys_may_hold(hash)`, 0 or 1.
    static let mergedKeyFunction = "card_keys_may_hold"

    /// The connection and the hash of a call of one of these functions; nil when the argument is not an integer.
    private static func call(
        _ context: OpaquePointer?, _ count: Int32, _ arguments: UnsafeMutablePointer<OpaquePointer?>?
    ) -> (database: Database, hash: Int64)? {
        guard count == 1, let arguments, let user = sqlite3_user_data(context),
              sqlite3_value_type(arguments[0]) == SQLITE_INTEGER
        else { return nil }
        return (Unmanaged<Database>.fromOpaque(user).takeUnretainedValue(), sqlite3_value_int64(arguments[0]))
    }

    /// Registers `card_pending_seq` and `card_keys_may_hold` on a connection: not deterministic (the pending
    /// cards change), and only for statements, never the schema.
    func registerPendingCardFunctions(on handle: OpaquePointer) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_create_function_v2(
            handle, Self.pendingCardFunction, 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, context,
            { context, count, arguments in
                guard let (database, hash) = Database.call(context, count, arguments) else {
                    sqlite3_result_null(context)
                    return
                }
                do {
                    try database.refreshPendingKeys()
                } catch {
                    sqlite3_result_error(context, (error as? DatabaseError)?.message ?? "\(error)", -1)
                    return
                }
                if let seq = database.pendingKeys.seq(forHash: hash) {
                    sqlite3_result_int64(context, seq)
                } else {
                    sqlite3_result_null(context)
                }
            }, nil, nil, nil)
        sqlite3_create_function_v2(
            handle, Self.mergedKeyFunction, 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, context,
            { context, count, arguments in
                guard let (database, hash) = Database.call(context, count, arguments) else {
                    sqlite3_result_int(context, 1)
                    return
                }
                do {
                    sqlite3_result_int(context, try database.mergedKeysMayHold(hash) ? 1 : 0)
                } catch {
                    sqlite3_result_error(context, (error as? DatabaseError)?.message ?? "\(error)", -1)
                }
            }, nil, nil, nil)
    }
}
