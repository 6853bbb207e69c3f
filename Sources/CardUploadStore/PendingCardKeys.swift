/// The keys of the cards created since the last merge into `card_keys` (schema version 6; ARCHITECTURE.md,
/// "Keys"), held in memory by each connection: each pending card's key hash and rowid, for the cards after
/// `card_key_bounds.through`.
///
/// A new card is not put into the key index when it is inserted: random client ids (UUIDs) would go in at
/// random places, and in a store of millions of cards every batch's commit would rewrite nearly every page
/// of that index. The cards after the merged rowid are the store's pending cards, found through this table;
/// a merge (`Database.mergeCardKeys`) puts them into `card_keys` in hash order — when their upload finishes,
/// or when a card comes while `maximumCount` cards or `maximumBytes` bytes are pending — so the index's pages are written
/// once for them, not once per batch. A Lead card has a second entry, at the hash of its client_card_id
/// (schema version 8; `addLeadID`), in a table of its own.
///
/// The pending cards' hashes are kept in rowid order (the cards after the merged rowid are numbered one after
/// another), with an open-addressing table of their positions by hash. Two pending cards never share a hash:
/// `add` refuses a card whose hash a pending card has (two keys with one hash: rare, or made on purpose), and
/// the caller merges the pending cards then, so `seq(forHash:)` names at most one card, which the caller's
/// look-up still compares key to key. At most `maximumCount` cards and `maximumBytes` (a card takes 8 bytes and
/// its slots; a Lead card's second entry 12 bytes and its slots), whatever the file's size: 16 MiB, or 36 MiB
/// for a load of a Lead file, whose page cache is that much smaller (`PageCache.sizeForLoad`).
package final class PendingCardKeys {
    /// The merged rowid: cards up to it are in `card_keys`.
    private(set) var mergedThrough: Int64 = 0
    /// The last rowid read into the table (cards after it were not seen yet).
    private(set) var scannedThrough: Int64 = 0
    @exclusivity(unchecked) private var hashes: [Int64] = []
    /// Positions in `hashes` + 1 in their low 20 bits, with 12 more bits of their hash above (`tagged`); 0 is
    /// an empty slot. A power of two, at most half full.
    @exclusivity(unchecked) private var slots: [UInt32] = []
    private var shift: UInt64 = 64
    /// The pending Lead cards' second entries, at the hash of their client_card_id alone
    /// (`CardKey.leadIDHash`): the hash, the card's rowid after the merged one, and an open-addressing table of
    /// their positions by hash. Several may share a hash (each is compared by its caller).
    @exclusivity(unchecked) private var leadHashes: [Int64] = []
    @exclusivity(unchecked) private var leadOffsets: [UInt32] = []
    @exclusivity(unchecked) private var leadSlots: [UInt32] = []
    private var leadShift: UInt64 = 64

    /// Beyond this many pending cards, an insert merges them (a Lead card's second entry is not counted).
    package static let maximumCount = 1_000_000  // under 2^20: a slot's position has 20 bits (`tagged`)
    /// Beyond this much memory (16 MiB: a full table of `maximumCount` native cards takes 16.4 MB), an insert
    /// merges them: a connection's limit unless a load sets `maximumBytes`.
    package static let maximumByteCount = 16 << 20
    /// The limit a load of a Lead file sets (`PageCache.sizeForLoad`): 36 MiB, a full table of `maximumCount`
    /// Lead cards (36.8 MB), each with its second entry. At 16 MiB such a load merged about every 420,000
    /// cards, and each merge after the first rewrote the key index's pages the load had already written in
    /// its one transaction: SQLite then wrote those pages again in place in its log, and at the commit read
    /// the whole log back to make its checksums again (`walRewriteChecksums`).
    package static let leadMaximumByteCount = 36 << 20
    /// Beyond this much memory an insert merges the pending entries.
    var maximumBytes = maximumByteCount
    private static let initialBits = 12

    var count: Int { hashes.count }

    /// The pending entries: one per card, and a second one per Lead card (`addLeadID`).
    var entryCount: Int { hashes.count + leadHashes.count }

    /// Whether the entries are to be merged when the next card comes: `threshold` cards
    /// (`Database.keyMergeThreshold`), or `maximumBytes` of memory.
    func isFull(threshold: Int) -> Bool { count >= threshold || byteCount >= maximumBytes }

    /// The memory its hashes and slots take.
    var byteCount: Int { hashes.count * 8 + slots.count * 4 + leadHashes.count * 12 + leadSlots.count * 4 }

    /// Empties the table: cards up to `mergedThrough` are in `card_keys`, none after it is known yet.
    func reset(mergedThrough: Int64) {
        self.mergedThrough = mergedThrough
        scannedThrough = mergedThrough
        if !hashes.isEmpty {
            hashes = []
            slots = []
            shift = 64
        }
        if !leadHashes.isEmpty {
            leadHashes = []
            leadOffsets = []
            leadSlots = []
            leadShift = 64
        }
    }

    @inline(__always) private func slot(of hash: Int64) -> Int { Self.slot(of: hash, shift: shift) }

    /// The bits of a slot that hold a position: at most `maximumCount` cards (and as many second entries),
    /// fewer than 2^20.
    private static let positionMask: UInt32 = (1 << 20) - 1

    /// `position` with the hash's low 12 bits above it (hashed from the whole key, `CardKey.hash`; the slot comes
    /// from all its bits mixed): a look-up reads an entry's hash only when these match, so a hash no pending card
    /// has mostly costs one memory access, not two.
    @inline(__always) private static func tagged(_ position: UInt32, hash: Int64) -> UInt32 {
        assert(position <= positionMask, "a position past 20 bits")
        return tag(of: hash) | position
    }

    @inline(__always) private static func tag(of hash: Int64) -> UInt32 {
        UInt32(truncatingIfNeeded: hash) << 20
    }

    /// A hash's first slot in a table of 2^(64 - `shift`) slots (both tables).
    @inline(__always) private static func slot(of hash: Int64, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: hash) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Puts `position` into the first free slot from `hash`'s (both tables).
    private static func place(_ position: UInt32, hash: Int64, in slots: inout [UInt32], shift: UInt64) {
        let mask = slots.count - 1
        var index = slot(of: hash, shift: shift)
        while slots[index] != 0 { index = (index + 1) & mask }
        slots[index] = tagged(position, hash: hash)
    }

    /// Slots for `hashes` and one more (twice as many as before, or as many as they need), each position
    /// placed again, and their shift (both tables).
    private static func grown(_ slots: [UInt32], for hashes: [Int64]) -> (slots: [UInt32], shift: UInt64) {
        var bits = slots.isEmpty ? initialBits : slots.count.trailingZeroBitCount + 1
        while (1 << bits) < (hashes.count + 1) * 2 { bits += 1 }
        var grown = [UInt32](repeating: 0, count: 1 << bits)
        let shift = UInt64(64 - bits)
        for (offset, hash) in hashes.enumerated() { place(UInt32(offset + 1), hash: hash, in: &grown, shift: shift) }
        return (grown, shift)
    }

    /// The rowid of the pending card with key hash `hash`, or nil.
    func seq(forHash hash: Int64) -> Int64? {
        guard !hashes.isEmpty, !slots.isEmpty else { return nil }
        return slots.withUnsafeBufferPointer { slots in
            hashes.withUnsafeBufferPointer { hashes in
                let mask = slots.count - 1
                let tag = Self.tag(of: hash)
                var index = slot(of: hash)
                while true {
                    let tagged = slots[index]
                    if tagged == 0 { return nil }
                    if tagged & ~Self.positionMask == tag {
                        let position = Int(tagged & Self.positionMask)
                        if hashes[position - 1] == hash { return mergedThrough + Int64(position) }
                    }
                    index = (index + 1) & mask
                }
            }
        }
    }

    /// Adds the card `seq`, the next rowid (`scannedThrough` + 1: SQLite numbers a new row after the largest,
    /// and cards are never deleted), with key hash `hash`; false when it cannot be held (a pending card has its
    /// hash, `maximumCount` are pending, or the rowid is not the next: a card written by hand): the caller
    /// merges the pending cards instead.
    func add(hash: Int64, seq: Int64) -> Bool {
        guard count < Self.maximumCount, seq == mergedThrough + Int64(hashes.count) + 1,
              self.seq(forHash: hash) == nil
        else { return false }
        if (hashes.count + 1) * 2 > slots.count { (slots, shift) = Self.grown(slots, for: hashes) }
        if hashes.isEmpty {
            // Room for the most there can be: memory is taken only as it is written, and never copied.
            hashes.reserveCapacity(Self.maximumCount)
        }
        hashes.append(hash)
        Self.place(UInt32(hashes.count), hash: hash, in: &slots, shift: shift)
        scannedThrough = seq
        return true
    }

    /// Adds the second entry of the Lead card `seq` (already added with its key: `seq` is at most
    /// `scannedThrough`), at the hash of its client_card_id — also when that hash is its key's: `leadSeqs` then
    /// finds it here, and `sortedByHash` gives the pair once (it is `card_keys`' primary key).
    func addLeadID(hash: Int64, seq: Int64) {
        precondition(seq > mergedThrough && seq <= scannedThrough, "a Lead card's second entry before its key's")
        if (leadHashes.count + 1) * 2 > leadSlots.count { (leadSlots, leadShift) = Self.grown(leadSlots, for: leadHashes) }
        if leadHashes.isEmpty {
            // Room for the most there can be (one a card), taken only as it is written.
            leadHashes.reserveCapacity(Self.maximumCount)
            leadOffsets.reserveCapacity(Self.maximumCount)
        }
        leadHashes.append(hash)
        leadOffsets.append(UInt32(truncatingIfNeeded: seq - mergedThrough))
        Self.place(UInt32(leadHashes.count), hash: hash, in: &leadSlots, shift: leadShift)
    }

    /// The rowids of the pending Lead cards whose client_card_id has hash `hash` (none, one, or several
    /// whose ids share a hash).
    func leadSeqs(forHash hash: Int64) -> [Int64] {
        guard !leadHashes.isEmpty, !leadSlots.isEmpty else { return [] }
        var found: [Int64] = []
        let mask = leadSlots.count - 1
        let tag = Self.tag(of: hash)
        var index = Self.slot(of: hash, shift: leadShift)
        while true {
            let tagged = leadSlots[index]
            if tagged == 0 { return found }
            let position = Int(tagged & Self.positionMask)
            if tagged & ~Self.positionMask == tag, leadHashes[position - 1] == hash {
                found.append(mergedThrough + Int64(leadOffsets[position - 1]))
            }
            index = (index + 1) & mask
        }
    }

    /// Whether a pending Lead card's client_card_id may have hash `hash` (no look-up is needed when not).
    func hasLeadID(hash: Int64) -> Bool {
        guard !leadHashes.isEmpty, !leadSlots.isEmpty else { return false }
        return leadSlots.withUnsafeBufferPointer { slots in
            leadHashes.withUnsafeBufferPointer { hashes in
                let mask = slots.count - 1
                let tag = Self.tag(of: hash)
                var index = Self.slot(of: hash, shift: leadShift)
                while true {
                    let tagged = slots[index]
                    if tagged == 0 { return false }
                    if tagged & ~Self.positionMask == tag, hashes[Int(tagged & Self.positionMask) - 1] == hash { return true }
                    index = (index + 1) & mask
                }
            }
        }
    }


    /// Every pending entry: the cards in the order read, then the Lead cards' second entries.
    func forEach(_ body: (_ hash: Int64, _ seq: Int64) -> Void) {
        for index in hashes.indices { body(hashes[index], mergedThrough + Int64(index) + 1) }
        for index in leadHashes.indices { body(leadHashes[index], mergedThrough + Int64(leadOffsets[index])) }
    }

    /// The pending entries in `card_keys`' order: by hash, then rowid (no two cards share a hash; a Lead card's
    /// second entry may share one with another's). The order is sorted in the tables' own slots (at least twice
    /// as many as the entries), so a merge takes no more memory than the tables: they are spent after it, and
    /// the caller resets them.
    func sortedByHash<E: Error>(_ body: (_ hash: Int64, _ seq: Int64) throws(E) -> Void) throws(E) {
        let count = hashes.count
        let leadCount = leadHashes.count
        guard count > 0 else { return }
        slots.withUnsafeMutableBufferPointer { slots in
            for index in 0..<count { slots[index] = UInt32(index) }
            hashes.withUnsafeBufferPointer { hashes in
                var prefix = UnsafeMutableBufferPointer(rebasing: slots[0..<count])
                prefix.sort { hashes[Int($0)] < hashes[Int($1)] }
            }
        }
        leadSlots.withUnsafeMutableBufferPointer { slots in
            for index in 0..<leadCount { slots[index] = UInt32(index) }
            leadHashes.withUnsafeBufferPointer { hashes in
                leadOffsets.withUnsafeBufferPointer { offsets in
                    var prefix = UnsafeMutableBufferPointer(rebasing: slots[0..<leadCount])
                    prefix.sort { (hashes[Int($0)], offsets[Int($0)]) < (hashes[Int($1)], offsets[Int($1)]) }
                }
            }
        }
        shift = 64
        leadShift = 64
        let order = slots
        let leadOrder = leadSlots
        slots = []
        leadSlots = []
        // The tables no longer find cards: the caller resets them after the merge. The two sorted runs, merged;
        // a Lead card's second entry equal to its key's (the same hash and card) is given once.
        var lead = 0
        for index in order.prefix(count) {
            let hash = hashes[Int(index)]
            let seq = mergedThrough + Int64(index) + 1
            while lead < leadCount {
                let position = Int(leadOrder[lead])
                let leadHash = leadHashes[position]
                let leadSeq = mergedThrough + Int64(leadOffsets[position])
                guard (leadHash, leadSeq) <= (hash, seq) else { break }
                if (leadHash, leadSeq) != (hash, seq) { try body(leadHash, leadSeq) }
                lead += 1
            }
            try body(hash, seq)
        }
        while lead < leadCount {
            let position = Int(leadOrder[lead])
            try body(leadHashes[position], mergedThrough + Int64(leadOffsets[position]))
            lead += 1
        }
    }
}
