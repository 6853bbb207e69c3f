import Foundation

/// The memory a load gives SQLite's page cache and the key tables (issue 17). The page cache is 48 MiB, and
/// the pending cards' table takes up to 16 MiB beside it; the filter of merged keys takes 12 bits a stored
/// card, 8 MiB up to 5,000,000 cards. Past that the cache leaves room from the start (16 MiB left at least)
/// for the filter the load ends with (`Database.keyFilterBytes`): the store's, or, when the file's size is
/// known, that of the store the file makes (`expectedRows`) — a full cache that gives way later
/// (`Database.makeRoomForKeyTables`) keeps its memory. So a load's peak memory stays what it is at 5,000,000
/// cards however big the store (at 20,000,000 cards the filter is 32 MiB and the cache 24 MiB: 1,000,000
/// UUIDs loaded in 6.94 and 7.22 s against 6.40 and 6.66 s with 48 MiB and 26 MiB more memory; one file of
/// 20,000,000 new cards peaked at 115.8 MiB, 153.6 before). `--cache-size` is the cache
/// itself, never made smaller; the key tables come on top. Until schema 7 the cache grew with the store (40
/// bytes a card) to hold the key index every load rewrote; with two levels it only filled with the load's
/// own new pages, and the memory cost more to fill than the reads it saved — measured at 5,000,000 cards,
/// 1,000,000 UUIDs loaded in 5.45 s with 48 MiB against 5.91 s with 191 MiB, and replayed in 2.5 s against
/// 2.8–3.4 s. The store-sized budget (`kibibytes`) now bounds the filter alone (an eighth of it).
package enum PageCache {
    /// The cache every connection starts with (64 MiB), and a load's with its pending cards' table.
    package static let baseKiB = 65_536
    /// What a load's cache and key tables take together before the cache gives way to the filter: 64 MiB and
    /// the 8 MiB filter of 5,000,000 cards.
    static let loadKiB = baseKiB + 8_192
    /// A load's memory budget per stored card (the filter of merged keys takes up to an eighth of it).
    static let bytesPerCard: Int64 = 40
    /// The share of the memory the process may use that the automatic budget never exceeds.
    static let memoryShare: UInt64 = 8
    /// What a load keeps out of its cache for the key tables: the pending cards' table at its largest.
    static let keyTablesReserveKiB = PendingCardKeys.maximumByteCount / 1024
    /// The same for a load of a Lead file, whose cards take two entries each: 36 MiB, so a million of them are
    /// merged once (`PendingCardKeys.leadMaximumByteCount`); its cache is 20 MiB smaller (28 MiB), and the load
    /// takes the same memory. Measured on the bench's Lead file (1,000,000 rows), farm-bench pairs: a 28 MiB
    /// cache alone 0.94 of the time with 48 MiB, with one merge 0.83.
    static let leadKeyTablesReserveKiB = PendingCardKeys.leadMaximumByteCount / 1024
    /// The largest `--cache-size`, in MiB (SQLite's cache size is a 32-bit number of KiB).
    package static let largestMiB = 1_048_576

    /// The memory budget of a load into a store of `cards` cards, in KiB: `requestedMiB` (`--cache-size`, the
    /// cache itself) when given, else 40 bytes per card, at least 64 MiB and at most an eighth of `memory`.
    package static func kibibytes(cards: Int64, requestedMiB: Int?, memory: UInt64) -> Int {
        if let requestedMiB { return min(requestedMiB, largestMiB) * 1024 }
        let wanted = max(0, cards) * bytesPerCard / 1024
        let cap = Int64(min(memory / memoryShare / 1024, UInt64(Int32.max)))
        return Int(max(Int64(baseKiB), min(wanted, cap)))
    }

    /// Sizes `database`'s cache and budget for a load into it of about `expectedRows` new cards (nil: unknown,
    /// a pipe), its cards counted by their largest rowid, of a Lead file in one transaction when `leadCards`
    /// (its pending cards take what its cache gives up); the cache's KiB set.
    @discardableResult
    package static func sizeForLoad(
        _ database: Database, requestedMiB: Int?, expectedRows: Int64? = nil, leadCards: Bool = false
    ) throws(DatabaseError) -> Int {
        let cards = try database.prepare("SELECT coalesce(max(seq), 0) FROM cards").queryOne([]) { $0.integer(0) ?? 0 } ?? 0
        let budget = kibibytes(cards: cards, requestedMiB: requestedMiB, memory: memory)
        // The pending cards' table (up to 16 MiB, `PendingCardKeys`) and the filter the load ends with (12 bits a
        // card, and as many again to come: 8 MiB for 5,000,000 cards; `Database.keyFilterBytes`) are kept out of
        // the cache from the start, since a cache that is full when they grow keeps its memory. `--cache-size` is
        // the cache itself. The store's cards bound the filter it reads, so they are set first.
        database.keyFilterStoreCards = cards
        let filterKiB = Database.keyFilterBytes(
            cards: cards, adding: expectedRows ?? 0, startBytes: try database.storedKeyFilterByteCount()) / 1024
        /// The cache that leaves `reserve` KiB to the pending cards' tables.
        func cacheKiB(reserving reserve: Int) -> Int {
            requestedMiB == nil ? max(16_384, loadKiB - reserve - max(8_192, filterKiB)) : budget
        }
        // A Lead load's pending tables take what its cache gives up, up to 20 MiB more: none when the cache is
        // at its floor or set by `--cache-size` (the tables come on top of it: the same memory as before).
        let fullSize = cacheKiB(reserving: keyTablesReserveKiB)
        let size = leadCards ? cacheKiB(reserving: leadKeyTablesReserveKiB) : fullSize
        database.pendingKeys.maximumBytes = PendingCardKeys.maximumByteCount + (fullSize - size) * 1024
        try database.execute("PRAGMA cache_size = -\(size)")
        database.loadCacheKiB = requestedMiB == nil ? loadKiB : budget
        database.cacheKiB = size
        // A cache sized by `--cache-size` stays that size; the key tables come on top of it.
        database.keyTablesKiB = database.loadCacheKiB - size
        database.cacheSizeIsAsked = requestedMiB != nil
        return size
    }

    /// `availableMemory()`, read once.
    static let memory = availableMemory()

    /// The memory this process may use: the machine's, or its control group's limit when lower (a
    /// container's `memory.max`, cgroup v2).
    static func availableMemory() -> UInt64 {
        let physical = ProcessInfo.processInfo.physicalMemory
        guard let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
              let limit = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return physical }
        return min(physical, limit)
    }
}
