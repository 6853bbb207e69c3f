/// What `reconcile --extra` remembers of a file: the entities it names and the stored cards it mentions.
///
/// A mentioned card is remembered by its store rowid in a bitset, not by its key: memory is one bit per rowid of
/// the store (`largestRowID / 8` bytes: 1.2 MiB for ten million cards) plus the distinct entity ids of the file
/// (each at most 40 characters) — whatever the number of rows in the file, and however long their external ids are.
/// Rows whose key is not stored cost nothing.
struct ReconcileMentions {
    private var words: [UInt64] = []
    /// Entity ids by their UTF-8 bytes: Swift's `String` equality would merge canonically equivalent ids.
    private var entityBytes: Set<[UInt8]> = []

    /// Sized for the store's largest rowid; a larger one (which a read snapshot cannot see) grows the set.
    init(largestRowID: Int64) {
        words = Array(repeating: 0, count: Int(max(0, largestRowID) / 64) + 1)
    }

    /// Remembers that the file mentions the card with `rowID`.
    mutating func insert(rowID: Int64) {
        guard rowID >= 0 else { return }
        let word = Int(rowID / 64)
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        words[word] |= 1 << UInt64(rowID % 64)
    }

    /// Whether the file mentions the card with `rowID`.
    func contains(rowID: Int64) -> Bool {
        guard rowID >= 0 else { return false }
        let word = Int(rowID / 64)
        return word < words.count && words[word] & (1 << UInt64(rowID % 64)) != 0
    }

    /// Remembers an entity the file names.
    mutating func insert(entityID: String) {
        entityBytes.insert(Array(entityID.utf8))
    }

    /// The entities the file names, in byte order.
    var entityIDs: [String] {
        entityBytes.sorted { $0.lexicographicallyPrecedes($1) }.map { String(decoding: $0, as: UTF8.self) }
    }
}
