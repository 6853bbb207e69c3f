/// A filter of the merged key hashes, in either level (ARCHITECTURE.md, "Keys"): "no" means no merged card has
/// the hash, so a look-up of a new key skips the search of both levels (in a store of millions of cards, a
/// random page of an index bigger than the cache for every row). Read from `card_keys_filter`, where the merge
/// that held it last wrote it, or else built by one pass over both levels, once a load has looked up enough keys to
/// pay for it (`Database.mergedKeysMayHold`); kept in step with every merge after it, this connection's or
/// another's, up to `through`.
///
/// A Bloom filter of one 64-bit word per hash, three bits in it, about 12 bits per card: a few hashes in a
/// hundred answer "maybe" wrongly and are searched, never one in the index answers "no".
final class MergedKeyFilter {
    /// The merged rowid it holds every card up to.
    var through: Int64
    @exclusivity(unchecked) private var words: [UInt64]
    private let shift: UInt64
    private(set) var count = 0

    /// A filter sized for `expected` hashes (12 bits each, and as many again to come), at most `maxBytes`,
    /// holding none yet.
    init(expected: Int, through: Int64, maxBytes: Int = .max) {
        let bits = Self.bits(expected: expected, maxBytes: maxBytes)
        words = [UInt64](repeating: 0, count: 1 << (bits - 6))
        shift = UInt64(64 - (bits - 6))
        self.through = through
    }

    /// The bytes of a filter made for `expected` hashes, at most `maxBytes`, without making it.
    static func byteCount(expected: Int, maxBytes: Int) -> Int { (1 << bits(expected: expected, maxBytes: maxBytes)) / 8 }

    private static func bits(expected: Int, maxBytes: Int) -> Int {
        var bits = 16
        while (1 << bits) < max(expected, 1) * 12, (1 << (bits + 1)) / 8 <= maxBytes { bits += 1 }
        return bits
    }

    /// A filter of `byteCount` bytes of words (read into it with `withMutableBytes`), holding `count` hashes up
    /// to `through`; nil when that is not a filter's size (a power of two of 64-bit words, at least 1,024, at
    /// most 2 GiB).
    init?(byteCount: Int, count: Int, through: Int64) {
        guard Self.isFilterSize(byteCount) else { return nil }
        let wordCount = byteCount / 8
        words = [UInt64](repeating: 0, count: wordCount)
        shift = UInt64(64 - wordCount.trailingZeroBitCount)
        self.count = count
        self.through = through
    }

    /// Whether `byteCount` is a filter's size: a power of two of 64-bit words, at least 1,024, at most 2 GiB.
    static func isFilterSize(_ byteCount: Int) -> Bool {
        let wordCount = byteCount / 8
        return byteCount % 8 == 0 && wordCount >= 1024 && byteCount <= Int(Int32.max) && wordCount & (wordCount - 1) == 0
    }

    func withMutableBytes<T>(_ body: (UnsafeMutableRawBufferPointer) throws -> T) rethrows -> T {
        try words.withUnsafeMutableBytes(body)
    }

    /// Whether a filter's bytes can be kept in the store: its words are written little-endian, as this machine
    /// holds them (a big-endian machine keeps none and builds its own).
    static let isStorable = UInt64(1).littleEndian == 1

    /// The filter's bytes, for `card_keys_filter`.
    func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try words.withUnsafeBytes(body)
    }

    @inline(__always) private func place(_ hash: Int64) -> (word: Int, mask: UInt64) {
        let mixed = UInt64(bitPattern: hash) &* 0x9E37_79B9_7F4A_7C15
        let mask: UInt64 = 1 << (mixed & 63) | 1 << ((mixed >> 6) & 63) | 1 << ((mixed >> 12) & 63)
        return (Int(truncatingIfNeeded: mixed >> shift), mask)
    }

    func insert(_ hash: Int64) {
        let (word, mask) = place(hash)
        words[word] |= mask
        count += 1
    }

    /// Adds several hashes in one loop: their words are independent, so the processor fetches them together
    /// (a merge's entries, one at a time between its statements, each waited for its word's cache miss).
    func insert(contentsOf hashes: UnsafeBufferPointer<Int64>) {
        words.withUnsafeMutableBufferPointer { words in
            for hash in hashes {
                let (word, mask) = place(hash)
                words[word] |= mask
            }
        }
        count += hashes.count
    }

    func mayContain(_ hash: Int64) -> Bool {
        let (word, mask) = place(hash)
        return words[word] & mask == mask
    }

    /// The memory its words take.
    var byteCount: Int { words.count * 8 }

    /// Whether it holds so many hashes for its size that it answers "maybe" too often (under 6 bits each).
    var isCrowded: Bool { Int64(count) > Self.crowdedCount(byteCount: words.count * 8) }

    /// The most hashes a filter of `byteCount` bytes holds before it is crowded (fewer than 6 bits a hash).
    static func crowdedCount(byteCount: Int) -> Int64 { Int64(byteCount) * 8 / 6 }
}
