import Foundation

/// The page cache a load gives SQLite (issue 17): the key index of every stored card is written at random
/// places by a load of random ids (UUIDs), so such a load into a big store reads and rewrites it all; a
/// cache that holds it saves a read from disk for most rows. SQLite takes cache memory only as it reads
/// pages, so a small store never uses more than it needs, and a big one trades memory for speed up to a cap.
package enum PageCache {
    /// The cache every connection starts with (64 MiB): every index a load touches, for a store of up to
    /// about 1.6 million cards.
    package static let baseKiB = 65_536
    /// Cache per stored card: its key index entry (about 18 bytes, in pages 70–100% full) and the pages of
    /// the other indexes a load touches.
    static let bytesPerCard: Int64 = 40
    /// The share of the memory the process may use that the automatic size never exceeds.
    static let memoryShare: UInt64 = 8
    /// What a load keeps out of its cache for the key tables: the pending cards' table at its largest.
    static let keyTablesReserveKiB = 16_384
    /// The largest `--cache-size`, in MiB (SQLite's cache size is a 32-bit number of KiB).
    package static let largestMiB = 1_048_576

    /// The cache for a load into a store of `cards` cards, in KiB: `requestedMiB` (`--cache-size`) when
    /// given, else 40 bytes per card, at least 64 MiB and at most an eighth of `memory`.
    package static func kibibytes(cards: Int64, requestedMiB: Int?, memory: UInt64) -> Int {
        if let requestedMiB { return min(requestedMiB, largestMiB) * 1024 }
        let wanted = max(0, cards) * bytesPerCard / 1024
        let cap = Int64(min(memory / memoryShare / 1024, UInt64(Int32.max)))
        return Int(max(Int64(baseKiB), min(wanted, cap)))
    }

    /// Sizes `database`'s cache for a load into it (its cards counted by their largest rowid); the KiB set.
    @discardableResult
    package static func sizeForLoad(_ database: Database, requestedMiB: Int?) throws(DatabaseError) -> Int {
        let cards = try database.prepare("SELECT coalesce(max(seq), 0) FROM cards").queryOne([]) { $0.integer(0) ?? 0 } ?? 0
        let budget = kibibytes(cards: cards, requestedMiB: requestedMiB, memory: availableMemory())
        // The pending cards' table takes up to 16 MiB of the budget (`PendingCardKeys`): kept out of the cache
        // from the start, since a cache that is full when the table grows keeps its memory.
        // `--cache-size` is the cache itself.
        let size = requestedMiB == nil ? max(16_384, budget - keyTablesReserveKiB) : budget
        try database.execute("PRAGMA cache_size = -\(size)")
        database.loadCacheKiB = budget
        database.cacheKiB = size
        // A cache sized by `--cache-size` stays that size; the key tables come on top of it.
        database.keyTablesKiB = budget - size
        database.cacheSizeIsAsked = requestedMiB != nil
        return size
    }

    /// The memory this process may use: the machine's, or its control group's limit when lower (a
    /// container's `memory.max`, cgroup v2).
    static func availableMemory() -> UInt64 {
        let physical = ProcessInfo.processInfo.physicalMemory
        guard let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
              let limit = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return physical }
        return min(physical, limit)
    }
}
