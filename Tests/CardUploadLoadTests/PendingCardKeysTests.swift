import CardUploadRules
@testable import CardUploadStore
import Foundation
import Testing

/// The key index in two parts (schema version 6): the merged cards in `card_keys`, the pending ones after
/// `card_key_bounds.through` in each connection's memory (`PendingCardKeys`), merged at a threshold, at the
/// end of an upload, or when two pending cards share a hash; and the filter of merged keys
/// (`MergedKeyFilter`). Every test checks outcomes through `CardStore.apply` (a load's own path) and that
/// `card_keys` ends up with one entry per card.
@Suite struct PendingCardKeysTests {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString).sqlite").path
    }

    private func open(_ path: String) throws -> Database {
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        return database
    }

    private func request(_ key: String, lastFour: String = "0001") -> CardRequest {
        CardRequest(externalID: key, accountID: "account_a", entityID: "entity_e", lastFour: lastFour)
    }

    /// The kind of each key's outcome, applied in one write transaction (committed).
    private func apply(
        _ keys: [String], to database: Database, commit: Bool = true, mergeBeforeEnd: Bool = false
    ) throws -> [String] {
        let store = CardStore(database: database)
        try database.beginWrite()
        let kinds = try keys.map { key in
            try store.apply(request(key), policy: .reject, uploadSeq: nil, now: "now").kind.rawValue
        }
        if mergeBeforeEnd { try database.mergeCardKeys() }
        if commit { try database.commit() } else { database.rollback() }
        return kinds
    }

    private func count(_ database: Database, _ sql: String) throws -> Int64 {
        try database.prepare(sql).queryOne([]) { $0.integer(0) ?? -1 } ?? -1
    }

    // MARK: The table

    @Test func theTableFindsEachCardByItsHashRefusesASharedHashAndSortsByHash() {
        let table = PendingCardKeys()
        table.reset(mergedThrough: 100)
        // Enough to grow the table several times; hashes that differ only in their low bits too.
        let hashes = (0..<20_000).map { Int64($0) &* 7_919 &- 9_999 }
        for (offset, hash) in hashes.enumerated() {
            #expect(table.add(hash: hash, seq: 101 + Int64(offset)))
        }
        #expect(table.count == 20_000 && table.scannedThrough == 20_100)
        for (offset, hash) in hashes.enumerated() where offset % 97 == 0 {
            #expect(table.seq(forHash: hash) == 101 + Int64(offset))
        }
        #expect(table.seq(forHash: 123_456_789_012) == nil)
        // A second card at a taken hash is refused (the caller merges), and nothing changes.
        #expect(!table.add(hash: hashes[5], seq: 20_101))
        #expect(table.count == 20_000 && table.seq(forHash: hashes[5]) == 106)
        // A rowid at or before the merged one cannot be pending, and one after a gap (a card written by hand) is
        // not held: the caller merges.
        #expect(!table.add(hash: 42, seq: 100))
        #expect(!table.add(hash: 42, seq: 20_102))
        var sorted: [(Int64, Int64)] = []
        table.sortedByHash { hash, seq in sorted.append((hash, seq)) }
        #expect(sorted.map(\.0) == hashes.sorted())
        let seqOfHash = Dictionary(uniqueKeysWithValues: hashes.enumerated().map { ($1, 101 + Int64($0)) })
        #expect(sorted.allSatisfy { seqOfHash[$0.0] == $0.1 })
        // The sort used the table's slots: it finds nothing until it is reset (a merge resets it).
        #expect(table.seq(forHash: hashes[5]) == nil)
        table.reset(mergedThrough: 20_100)
        #expect(table.count == 0 && table.seq(forHash: hashes[0]) == nil && table.scannedThrough == 20_100)
    }

    /// A slot holds its entry's position and 12 bits of its hash, so a look-up reads an entry's hash only when
    /// those match: hashes alike in those bits (and in their slot's) are still told apart, in both tables.
    @Test func hashesThatShareTheirTagBitsAreToldApart() {
        let table = PendingCardKeys()
        table.reset(mergedThrough: 0)
        // The same low 12 bits throughout; then hashes that differ in those bits only.
        let sameTag = (0..<5_000).map { Int64($0) << 12 | 0xABC }
        let tagOnly = (0..<4_096).map { Int64(1) << 40 | Int64($0) }
        for (offset, hash) in (sameTag + tagOnly).enumerated() {
            #expect(table.add(hash: hash, seq: 1 + Int64(offset)))
            table.addLeadID(hash: hash ^ 0x5A5A_0000_0000, seq: 1 + Int64(offset))
        }
        for (offset, hash) in (sameTag + tagOnly).enumerated() {
            #expect(table.seq(forHash: hash) == 1 + Int64(offset))
            #expect(table.hasLeadID(hash: hash ^ 0x5A5A_0000_0000))
            #expect(table.leadSeqs(forHash: hash ^ 0x5A5A_0000_0000) == [1 + Int64(offset)])
        }
        #expect(table.seq(forHash: 5_000 << 12 | 0xABC) == nil && !table.hasLeadID(hash: 0xABC))
    }

    /// A million pending Lead cards, each with its second entry, fit in a Lead load's limit
    /// (`leadMaximumByteCount`): its file of a million cards merges once, at its end. The 16 MiB limit of any
    /// other load is reached at about 420,000 of them.
    @Test func aMillionLeadCardsFitTheLimitOfALeadLoad() {
        let table = PendingCardKeys()
        table.reset(mergedThrough: 0)
        table.maximumBytes = PendingCardKeys.leadMaximumByteCount
        var fullAtDefault: Int?
        var refused = 0
        var fullBefore = 0
        for index in 1...PendingCardKeys.maximumCount {
            let hash = Int64(bitPattern: UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
            if !table.add(hash: hash, seq: Int64(index)) { refused += 1 }
            table.addLeadID(hash: ~hash, seq: Int64(index))
            if fullAtDefault == nil, table.byteCount >= PendingCardKeys.maximumByteCount { fullAtDefault = index }
            if index < PendingCardKeys.maximumCount, table.isFull(threshold: PendingCardKeys.maximumCount) { fullBefore += 1 }
        }
        #expect(refused == 0 && fullBefore == 0)
        #expect(table.byteCount < PendingCardKeys.leadMaximumByteCount)
        #expect(table.isFull(threshold: PendingCardKeys.maximumCount), "full at a million cards")
        #expect(!table.add(hash: 42, seq: Int64(PendingCardKeys.maximumCount) + 1), "no more than a million")
        #expect((400_000...440_000).contains(fullAtDefault ?? 0), "\(fullAtDefault ?? 0)")
    }

    @Test func theFilterNeverSaysNoToAHashItHolds() {
        let filter = MergedKeyFilter(expected: 50_000, through: 0)
        let held = (0..<50_000).map { CardKey.hash(entityID: "entity_e", externalID: "k\($0)") }
        for hash in held { filter.insert(hash) }
        #expect(held.allSatisfy(filter.mayContain))
        let others = (0..<50_000).map { CardKey.hash(entityID: "entity_f", externalID: "k\($0)") }
        let maybes = others.filter(filter.mayContain).count
        #expect(maybes < 2_500, "about 12 bits per hash: a few in a hundred say maybe (\(maybes))")
        #expect(!filter.isCrowded)
    }

    // MARK: Through the store

    @Test func pendingCardsAreFoundAndMergedAtTheThresholdAndOnRequest() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try open(path)
        database.keyMergeThreshold = 3
        let keys = (1...7).map { "k\($0)" }
        #expect(try apply(keys + ["k2", "k7"], to: database) == Array(repeating: "created", count: 7) + ["replayed", "replayed"])
        // Full at 3 pending, merged when the next card comes, with it: k5 to k7 still pending (the table is full
        // again, and no card came after it), found all the same.
        #expect(try count(database, "SELECT count(*) FROM card_keys") == 4)
        #expect(try count(database, "SELECT through FROM card_key_bounds") == 4)
        #expect(database.pendingKeys.count == 3)
        #expect(try apply(keys, to: database) == Array(repeating: "replayed", count: 7))
        try database.writeTransaction { try database.mergeCardKeys() }
        #expect(try count(database, "SELECT count(*) FROM card_keys") == 7)
        #expect(try count(database, "SELECT count(*) FROM card_keys AS k JOIN cards AS c ON c.seq = k.card"
                                + " WHERE k.key_hash = c.key_hash") == 7)
        // A new connection (another run) finds every card too.
        let other = try open(path)
        #expect(try apply(keys + ["k9"], to: other) == Array(repeating: "replayed", count: 7) + ["created"])
    }

    @Test func anotherConnectionsPendingAndMergedCardsAreSeenAtItsNextTransaction() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let one = try open(path)
        let two = try open(path)
        #expect(try apply(["a1", "a2"], to: one) == ["created", "created"])
        // two has read nothing yet; a1 is pending (not merged), committed by one.
        #expect(try apply(["a1", "b1"], to: two) == ["replayed", "created"])
        #expect(try apply(["b1", "a2", "c1"], to: one) == ["replayed", "replayed", "created"])
        // two merges everything: one's table is stale, and is read again.
        try two.writeTransaction { try two.mergeCardKeys() }
        #expect(try apply(["a1", "b1", "c1", "d1"], to: one) == ["replayed", "replayed", "replayed", "created"])
        #expect(try apply(["d1"], to: two) == ["replayed"])
        #expect(try count(two, "SELECT count(*) FROM cards") == 5)
    }

    @Test func aRolledBackTransactionsCardsAreForgottenWhenTheirRowidsComeBackWithOtherKeys() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let one = try open(path)
        let two = try open(path)
        #expect(try apply(["x1"], to: one) == ["created"])
        // one creates r1 and r2 (rowids 2 and 3), then rolls back: the rowids are free again.
        #expect(try apply(["r1", "r2"], to: one, commit: false) == ["created", "created"])
        // two takes rowids 2 and 3 with other keys.
        #expect(try apply(["s1", "s2"], to: two) == ["created", "created"])
        #expect(try count(two, "SELECT max(seq) FROM cards") == 3)
        // one must see s1 and s2 (not its rolled-back r1 and r2 at those rowids).
        #expect(try apply(["s1", "s2", "r1", "x1"], to: one) == ["replayed", "replayed", "created", "replayed"])
        #expect(try count(one, "SELECT count(*) FROM cards WHERE external_id = 's1'") == 1)
    }

    /// Found by review: a merge rolled back had moved the filter's `through` past cards another run then put at
    /// those rowids and merged, so the filter said "no" to them and a second card was created for each key.
    @Test func aRolledBackMergeDoesNotHideTheCardsAnotherRunMergesAtItsRowids() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let one = try open(path)
        #expect(try apply((0..<3_000).map { "old-\($0)" }, to: one).allSatisfy { $0 == "created" })
        try one.writeTransaction { try one.mergeCardKeys() }
        let two = try open(path)
        #expect(try apply((0..<4_100).map { "new-\($0)" }, to: two).allSatisfy { $0 == "created" })
        #expect(two.mergedKeyFilter != nil)
        try two.writeTransaction { try two.mergeCardKeys() }
        // two creates r1…r20 (rowids 7,101–7,120) and merges them as the table fills, then rolls back.
        two.keyMergeThreshold = 5
        _ = try apply((1...20).map { "r\($0)" }, to: two, commit: false)
        two.keyMergeThreshold = PendingCardKeys.maximumCount
        // one puts s1…s20 at those rowids and merges them.
        #expect(try apply((1...20).map { "s\($0)" }, to: one, mergeBeforeEnd: true).allSatisfy { $0 == "created" })
        let kinds = try apply((1...20).map { "s\($0)" }, to: two)
        #expect(kinds.allSatisfy { $0 == "replayed" }, "\(kinds)")
        #expect(try count(two, "SELECT count(*) FROM cards WHERE external_id = 's1'") == 1)
    }

    @Test func theFilterIsMadeForALargeLoadAndFollowsEveryMerge() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let one = try open(path)
        let stored = (0..<3_000).map { "old-\($0)" }
        #expect(try apply(stored, to: one).allSatisfy { $0 == "created" })
        try one.writeTransaction { try one.mergeCardKeys() }
        // A second run looks up 4,100 new keys: the filter is made on the way (4,096 searches and one in 32 of
        // the merged cards), and new keys no longer search card_keys.
        let two = try open(path)
        let fresh = (0..<4_100).map { "new-\($0)" }
        #expect(try apply(fresh, to: two).allSatisfy { $0 == "created" })
        #expect(two.mergedKeyFilter != nil)
        #expect(try apply(stored.suffix(50) + fresh.prefix(50), to: two).allSatisfy { $0 == "replayed" })
        // two's own merge goes into its filter; so does one's, read at two's next transaction.
        try two.writeTransaction { try two.mergeCardKeys() }
        #expect(try apply(fresh.suffix(50), to: two).allSatisfy { $0 == "replayed" })
        #expect(try apply(["late-1", "late-2"], to: one) == ["created", "created"])
        try one.writeTransaction { try one.mergeCardKeys() }
        #expect(try apply(["late-1", "late-2", "new-1", "old-1"], to: two) == ["replayed", "replayed", "replayed", "replayed"])
        #expect(try count(two, "SELECT count(*) FROM cards") == 7_102)
        #expect(try count(two, "SELECT count(*) FROM card_keys") == 7_102)
        // two's merge wrote its filter (up to its merge: one merged late-1 and late-2 after it, without one).
        #expect(try count(two, "SELECT through FROM card_keys_filter") == 7_100)
        // A third run reads it after 1,024 searches instead of a pass over card_keys, and catches it up with
        // the cards merged since, from their rows.
        let three = try open(path)
        let third = (0..<1_100).map { "third-\($0)" }
        #expect(try apply(third, to: three).allSatisfy { $0 == "created" })
        #expect(three.mergedKeyFilter?.through == 7_102)
        #expect(try apply(["late-1", "late-2", "old-2999", "new-4099"] + third.suffix(3), to: three).allSatisfy { $0 == "replayed" })
        // A filter that is not one (the wrong size) is not read: the run makes its own.
        try three.writeTransaction {
            try three.mergeCardKeys()
            try three.execute("UPDATE card_keys_filter SET bits = x'0102'")
        }
        let four = try open(path)
        #expect(try apply(third, to: four).allSatisfy { $0 == "replayed" })
        #expect(try apply((0..<5_000).map { "fourth-\($0)" }, to: four).allSatisfy { $0 == "created" })
        #expect(four.mergedKeyFilter != nil && four.triedStoredKeyFilter)
    }
}
