/// The keys of the cards created since the last merge into `card_keys` (schema version 6; ARCHITECTURE.md,
/// "Keys"), held in memory by each connection: each pending card's key hash and rowid, for the cards after
/// `card_key_levels.through`.
///
/// A new card is not put into the key index when it is inserted: random client ids (UUIDs) would go in at
/// random places, and in a store of millions of cards every batch's commit would rewrite nearly every page
/// of that index. The cards after the merged rowid are the store's pending cards, found through this table;
/// a merge (`Database.mergeCardKeys`) puts them into `card_keys` in hash order — when their upload finishes,
/// or when `maximumCount` are pending — so the index's pages are written once for them, not once per batch.
///
/// The pending cards' hashes are kept in rowid order (the cards after the merged rowid are numbered one after
/// another), with an open-addressing table of their positions by hash. Two pending cards never share a hash:
/// `add` refuses a card whose hash a pending card has (two keys with one hash: rare, or made on purpose), and
/// the caller merges the pending cards then, so `seq(forHash:)` names at most one card, which the caller's
/// look-up still compares key to key. At most `maximumCount` cards: 8 bytes each and 8 MiB of table, whatever
/// the file's size.
package final class PendingCardKeys {
    /// The merged rowid: cards up to it are in `card_keys`.
    private(set) var mergedThrough: Int64 = 0
    /// The last rowid read into the table (cards after it were not seen yet).
    private(set) var scannedThrough: Int64 = 0
    @exclusivity(unchecked) private var hashes: [Int64] = []
    /// Positions in `hashes` + 1; 0 is an empty slot. A power of two, at most half full.
    @exclusivity(unchecked) private var slots: [UInt32] = []
    private var shift: UInt64 = 64

    /// Beyond this many pending cards, an insert merges them.
    package static let maximumCount = 1_000_000
    private static let initialBits = 12

    var count: Int { hashes.count }

    /// The memory its hashes and slots take.
    var byteCount: Int { hashes.count * 8 + slots.count * 4 }

    /// Empties the table: cards up to `mergedThrough` are in `card_keys`, none after it is known yet.
    func reset(mergedThrough: Int64) {
        self.mergedThrough = mergedThrough
        scannedThrough = mergedThrough
        if !hashes.isEmpty {
            hashes = []
            slots = []
            shift = 64
        }
    }

    @inline(__always) private func slot(of hash: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: hash) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The rowid of the pending card with key hash `hash`, or nil.
    func seq(forHash hash: Int64) -> Int64? {
        guard !hashes.isEmpty, !slots.isEmpty else { return nil }
        return slots.withUnsafeBufferPointer { slots in
            hashes.withUnsafeBufferPointer { hashes in
                let mask = slots.count - 1
                var index = slot(of: hash)
                while true {
                    let position = Int(slots[index])
                    if position == 0 { return nil }
                    if hashes[position - 1] == hash { return mergedThrough + Int64(position) }
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
        guard hashes.count < Self.maximumCount, seq == mergedThrough + Int64(hashes.count) + 1,
              self.seq(forHash: hash) == nil
        else { return false }
        if (hashes.count + 1) * 2 > slots.count { grow() }
        if hashes.isEmpty {
            // Room for the most there can be: memory is taken only as it is written, and never copied.
            hashes.reserveCapacity(Self.maximumCount)
        }
        hashes.append(hash)
        place(position: UInt32(hashes.count), hash: hash)
        scannedThrough = seq
        return true
    }

    private func place(position: UInt32, hash: Int64) {
        let mask = slots.count - 1
        var index = slot(of: hash)
        while slots[index] != 0 { index = (index + 1) & mask }
        slots[index] = position
    }

    /// Twice the slots (or as many as the cards need), each position placed again.
    private func grow() {
        var bits = slots.isEmpty ? Self.initialBits : slots.count.trailingZeroBitCount + 1
        while (1 << bits) < (hashes.count + 1) * 2 { bits += 1 }
        slots = [UInt32](repeating: 0, count: 1 << bits)
        shift = UInt64(64 - bits)
        for (offset, hash) in hashes.enumerated() { place(position: UInt32(offset + 1), hash: hash) }
    }

    /// Every pending card, in the order read.
    func forEach(_ body: (_ hash: Int64, _ seq: Int64) -> Void) {
        for index in hashes.indices { body(hashes[index], mergedThrough + Int64(index) + 1) }
    }

    /// The pending cards in `card_keys`' order: by hash (no two share one). The order is sorted in the table's
    /// own slots (at least twice as many as the cards), so a merge takes no more memory than the table: the
    /// table is spent after it, and the caller resets it.
    func sortedByHash<E: Error>(_ body: (_ hash: Int64, _ seq: Int64) throws(E) -> Void) throws(E) {
        let count = hashes.count
        guard count > 0 else { return }
        slots.withUnsafeMutableBufferPointer { slots in
            for index in 0..<count { slots[index] = UInt32(index) }
            hashes.withUnsafeBufferPointer { hashes in
                var prefix = UnsafeMutableBufferPointer(rebasing: slots[0..<count])
                prefix.sort { hashes[Int($0)] < hashes[Int($1)] }
            }
        }
        shift = 64
        let order = slots
        slots = []
        // The table no longer finds cards: the caller resets it after the merge.
        for index in order.prefix(count) { try body(hashes[Int(index)], mergedThrough + Int64(index) + 1) }
    }
}
