import Foundation

/// The page cache a load gives SQLite (issue 17): the key index of every stored card is written at random
/// places, so a load into a big store reads and rewrites it all; a cache that holds it saves a read from
/// disk for most rows. SQLite takes cache memory only as it reads pages, so a small store never uses more
/// than it needs, and a big one trades memory for speed up to a cap.
package enum PageCache {
    /// The cache every connection starts with (64 MiB): enough for every index of a store of about a million
    /// cards.
    package static let baseKiB = 65_536
    /// Cache per stored card: the key index (about 18 bytes an entry, pages 70–100% full) and the pages of
    /// the other indexes a load touches.
    static let bytesPerCard = 32
    /// The share of physical memory the automatic size never exceeds.
    static let physicalMemoryShare: UInt64 = 8

    /// The cache for a load into a store of `cards` cards, in KiB: `requestedMiB` (`--cache-size`) when
    /// given, else 64 MiB plus 32 bytes per card, at most an eighth of physical memory and never below 64 MiB.
    package static func kibibytes(cards: Int64, requestedMiB: Int?, physicalMemory: UInt64) -> Int {
        if let requestedMiB { return requestedMiB * 1024 }
        let wanted = Int64(baseKiB) + max(0, cards) * Int64(bytesPerCard) / 1024
        let cap = Int64(min(physicalMemory / physicalMemoryShare / 1024, UInt64(Int64.max)))
        return Int(max(Int64(baseKiB), min(wanted, cap)))
    }

    /// Sizes `database`'s cache for a load into it (its cards counted by their largest rowid); the KiB set.
    @discardableResult
    package static func sizeForLoad(_ database: Database, requestedMiB: Int?) throws(DatabaseError) -> Int {
        let cards = try database.prepare("SELECT coalesce(max(seq), 0) FROM cards").queryOne([]) { $0.integer(0) ?? 0 } ?? 0
        let size = kibibytes(cards: cards, requestedMiB: requestedMiB, physicalMemory: ProcessInfo.processInfo.physicalMemory)
        try database.execute("PRAGMA cache_size = -\(size)")
        return size
    }
}
