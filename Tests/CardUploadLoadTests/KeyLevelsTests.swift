import CardUploadRules
@testable import CardUploadStore
import Foundation
import Testing

/// The merged keys in two levels (schema version 7; ARCHITECTURE.md, "Keys"): `card_keys` up to
/// `card_key_bounds.main_through`, `card_keys_recent` after it up to `through`. A merge into a main level of
/// `recentKeyLevelMinimum` cards or more puts its cards into the recent level while that level stays at most
/// half the main one; otherwise the recent level moves into the main one with them. Tests make the minimum
/// small; every card is found by its key in whichever level it is, by a look-up, by another connection and by
/// reconcile's listing of an entity.
@Suite struct KeyLevelsTests {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("levels-\(UUID().uuidString).sqlite").path
    }

    private func open(_ path: String, minimum: Int64 = 4) throws -> Database {
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        database.recentKeyLevelMinimum = minimum
        return database
    }

    /// The kind of each key's outcome, applied through `store` in the open write transaction.
    private func kinds(of keys: [String], through store: CardStore) throws -> [String] {
        try keys.map { key in
            try store.apply(
                CardRequest(externalID: key, accountID: "account_a", entityID: "entity_e", lastFour: "0001"),
                policy: .reject, uploadSeq: nil, now: "now"
            ).kind.rawValue
        }
    }

    /// The kind of each key's outcome in one write transaction, merged before it ends (committed or not).
    private func apply(_ keys: [String], to database: Database, commit: Bool = true) throws -> [String] {
        try database.beginWrite()
        let kinds = try kinds(of: keys, through: CardStore(database: database))
        try database.mergeCardKeys()
        if commit { try database.commit() } else { database.rollback() }
        return kinds
    }

    private func count(_ database: Database, _ sql: String) throws -> Int64 {
        try database.prepare(sql).queryOne([]) { $0.integer(0) ?? -1 } ?? -1
    }

    /// (entries in `card_keys`, entries in `card_keys_recent`, through, main_through).
    private func levels(_ database: Database) throws -> [Int64] {
        [
            try count(database, "SELECT count(*) FROM card_keys"), try count(database, "SELECT count(*) FROM card_keys_recent"),
            try count(database, "SELECT through FROM card_key_bounds"),
            try count(database, "SELECT main_through FROM card_key_bounds"),
        ]
    }

    /// Every entry of both levels is its card's hash, and every card up to `through` has exactly one.
    private func entriesMatchTheirCards(_ database: Database) throws -> Bool {
        let entries = try count(database,
            "SELECT count(*) FROM (SELECT * FROM card_keys UNION ALL SELECT * FROM card_keys_recent) AS k"
                + " JOIN cards AS c ON c.seq = k.card AND c.key_hash = k.key_hash")
        let main = try count(database, "SELECT count(*) FROM card_keys AS k JOIN card_key_bounds AS m ON k.card > m.main_through")
        let recent = try count(database,
            "SELECT count(*) FROM card_keys_recent AS k JOIN card_key_bounds AS m"
                + " ON k.card <= m.main_through OR k.card > m.through")
        return entries == (try count(database, "SELECT through FROM card_key_bounds")) && main == 0 && recent == 0
    }

    @Test func theLevelOfAMerge() {
        let million: Int64 = 1_000_000
        // A main level below the minimum takes every merge (a new store's first load), and the recent level with it.
        #expect(Database.mergeLevel(from: 0, mainThrough: 0, last: 500_000, recentMinimum: million) == (false, false))
        #expect(Database.mergeLevel(from: 10, mainThrough: 8, last: 12, recentMinimum: million) == (false, true))
        // A daily load into a big store goes into the recent level while it stays at most half the main one.
        #expect(Database.mergeLevel(from: 5 * million, mainThrough: 5 * million, last: 6 * million, recentMinimum: million)
            == (true, false))
        #expect(Database.mergeLevel(from: 6 * million, mainThrough: 4 * million, last: 6 * million + 1, recentMinimum: million)
            == (false, true))
        #expect(Database.mergeLevel(from: 5 * million, mainThrough: 4 * million, last: 6 * million, recentMinimum: million)
            == (true, false))
    }

    @Test func theFilterOfMergedKeysIsSizedForTheStoreItIsFor() throws {
        let memory: UInt64 = 24 << 30
        // 8 MiB up to 5,000,000 cards (12 bits a card); past that it grows with the store, not with the budget
        // of the store the load began with (a load of 20,000,000 cards into an empty store left 8 MiB: 3.4 bits
        // a card, and the next load searched the levels for most of its new keys); at most a 64th of the memory.
        #expect(Database.keyFilterMaxBytes(cards: 0, memory: memory) == 8 << 20)
        #expect(Database.keyFilterMaxBytes(cards: 1_000_000_000, memory: memory) == 384 << 20)
        let big: Int64 = 20_000_000
        let filter = MergedKeyFilter(
            expected: Int(big), through: big, maxBytes: Database.keyFilterMaxBytes(cards: big, memory: memory))
        #expect(filter.byteCount == 32 << 20, "12 bits a card, rounded up to a power of two")
    }

    /// A load's page cache leaves room for the filter the load ends with (`PageCache.sizeForLoad`), foreseen by
    /// `keyFilterBytes` as the merges make it: for the store's cards (into an empty store, the first merge's),
    /// then again for the cards there are when it is crowded, if that merge adds a 32nd of the store.
    @Test func theFilterALoadEndsWithIsForeseen() throws {
        let memory: UInt64 = 24 << 30
        func foreseen(_ cards: Int64, _ rows: Int64) -> Int { Database.keyFilterBytes(cards: cards, adding: rows, memory: memory) }
        // 20,000,000 cards from one file: 2 MiB at the first merge, 8 MiB at 3,000,000, 32 MiB at 12,000,000.
        #expect(foreseen(0, 20_000_000) == 32 << 20)
        #expect(foreseen(20_000_000, 0) == 32 << 20)
        #expect(foreseen(0, 5_000_000) == 8 << 20)
        #expect(foreseen(5_000_000, 1_000_000) == 8 << 20, "crowded past 11,184,810 cards")
        #expect(foreseen(0, 1_000_000) == 2 << 20)
        #expect(foreseen(0, 0) == 8 << 10)
        // Past 32,000,000 cards a merge of 1,000,000 adds less than a 32nd of the store: a crowded one is kept.
        #expect(foreseen(40_000_000, 60_000_000) == 64 << 20)
        // A real load of 60,000 cards merged 5,000 at a time: made for 5,000 (8 KiB), again at 15,000 (32 KiB) and
        // at 45,000 (128 KiB).
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try open(path)
        database.keyMergeThreshold = 5_000
        try database.beginWrite()
        #expect(try kinds(of: (1...60_000).map { "k\($0)" }, through: CardStore(database: database)).allSatisfy { $0 == "created" })
        try database.commit()
        let made = try #require(database.mergedKeyFilter).byteCount
        #expect(made == 128 << 10)
        #expect(made == Database.keyFilterBytes(cards: 0, adding: 60_000, merge: 5_000))
    }

    /// A load into a store that has cards starts from the filter the store holds, which an earlier load made
    /// smaller than one for the store's cards: the forecast starts there too. 10,000 cards leave an 8 KiB filter
    /// (made for 5,000); 45,000 more make it again at 15,000 (32 KiB) and at 45,000 (128 KiB). Started from a
    /// filter for 10,000 cards (16 KiB) it foresaw 64 KiB, and the load's cache left too little room.
    @Test func aLoadIntoAStoreWithCardsStartsFromTheFilterTheStoreHolds() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try open(path)
        first.keyMergeThreshold = 5_000
        #expect(try apply((1...10_000).map { "a\($0)" }, to: first).allSatisfy { $0 == "created" })
        let database = try open(path)
        database.keyMergeThreshold = 5_000
        let stored = try database.storedKeyFilterByteCount()
        #expect(stored == 8 << 10)
        let foreseen = Database.keyFilterBytes(cards: 10_000, adding: 45_000, startBytes: stored, merge: 5_000)
        #expect(try apply((1...45_000).map { "b\($0)" }, to: database).allSatisfy { $0 == "created" })
        let made = try #require(database.mergedKeyFilter).byteCount
        #expect(made == 128 << 10)
        #expect(foreseen == made)
    }

    /// A filter made by a pass while cards are in the recent level holds them: a replay of those keys is
    /// looked up, not created again (without the recent level in the pass, the filter said no and each was
    /// created a second time).
    @Test func aFilterMadeByAPassHoldsTheRecentLevel() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try open(path)
        #expect(try apply(["k1", "k2", "k3", "k4"], to: database).allSatisfy { $0 == "created" })
        #expect(try apply(["k5", "k6"], to: database).allSatisfy { $0 == "created" })
        #expect(try levels(database) == [4, 2, 6, 4])
        // 3,000 new keys: every look-up searches both levels (two searches counted), and past 4,096 searches
        // the connection makes the filter by a pass; then the recent level's keys are replayed.
        database.keyMergeThreshold = 1_000_000
        let news = (1...3_000).map { "n\($0)" }
        try database.beginWrite()
        let kinds = try kinds(of: news + ["k5", "k6", "k1"], through: CardStore(database: database))
        #expect(database.mergedKeyFilter != nil, "the filter was made")
        try database.commit()
        #expect(kinds.suffix(3) == ["replayed", "replayed", "replayed"])
        #expect(kinds.dropLast(3).allSatisfy { $0 == "created" })
        #expect(try count(database, "SELECT count(*) FROM cards") == 3_006)
    }

    /// Before the first merge both levels are empty: a look-up searches neither and makes no filter (a Lead
    /// file's references into an empty store made a filter of nothing, filled it with the file's cards at the
    /// merge, then made it again by a pass over both levels).
    @Test func noLevelIsSearchedBeforeTheFirstMerge() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try open(path)
        database.keyMergeThreshold = 1_000_000
        try database.beginWrite()
        #expect(try kinds(of: ["k1", "k2", "k3"], through: CardStore(database: database)).allSatisfy { $0 == "created" })
        let reconciliation = CardStore.Reconciliation(database: database)
        for index in 1...5_000 { #expect(try reconciliation.rowID(entityID: "entity_e", externalID: "x\(index)") == nil) }
        #expect(try reconciliation.rowID(entityID: "entity_e", externalID: "k2") == 2)
        #expect(database.mergedKeyFilter == nil && database.mergedKeySearches == 0)
        try database.commit()
    }

    /// A version-6 release still running when this one migrates the store would search and merge one level
    /// only: its statements on the merged rowid's table fail once the migration replaced the table.
    @Test func aVersionSixWritersStatementsFailAfterTheMigration() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let old = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(old, to: 6)
        let through = try old.prepare("SELECT through FROM card_keys_merged")
        #expect(try through.queryOne([]) { $0.integer(0) } == 0)
        let new = try Database(path: path, mode: .readWrite)
        try Schema.migrate(new)
        #expect(throws: DatabaseError.self) { try through.queryOne([]) { $0.integer(0) } }
        #expect(try count(new, "SELECT main_through FROM card_key_bounds") == 0)
    }

    @Test func cardsInEitherLevelAreFoundAndTheRecentLevelMovesWhenItOutgrowsHalfTheMainOne() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try open(path)
        let keys = (1...9).map { "k\($0)" }
        // Below the minimum: into the main level.
        #expect(try apply(Array(keys[0..<4]), to: database) == Array(repeating: "created", count: 4))
        #expect(try levels(database) == [4, 0, 4, 4])
        // Two more: half the main level, into the recent one.
        #expect(try apply(Array(keys[4..<6]), to: database) == ["created", "created"])
        #expect(try levels(database) == [4, 2, 6, 4])
        #expect(try entriesMatchTheirCards(database))
        // Found in both levels, by this connection and by another one (another run), and listed by reconcile.
        #expect(try apply(Array(keys[0..<6]) + ["k7"], to: database) == Array(repeating: "replayed", count: 6) + ["created"])
        // k7 made the recent level three cards, more than half of four: both levels are one now.
        #expect(try levels(database) == [7, 0, 7, 7])
        #expect(try entriesMatchTheirCards(database))
        #expect(try apply(["k8", "k9"], to: database) == ["created", "created"])
        #expect(try levels(database) == [7, 2, 9, 7])
        let other = try open(path)
        #expect(try apply(keys, to: other) == Array(repeating: "replayed", count: 9))
        let reconciliation = CardStore.Reconciliation(database: other)
        var listed: [String] = []
        try reconciliation.forEachCard(ofEntity: "entity_e") { _, _, externalID in listed.append(externalID) }
        #expect(listed == keys)
        #expect(try reconciliation.rowID(entityID: "entity_e", externalID: "k9") == 9)
        #expect(try reconciliation.rowID(entityID: "entity_e", externalID: "k1") == 1)
    }

    @Test func aRolledBackMoveLeavesBothLevelsAsTheyWere() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try open(path)
        #expect(try apply(["k1", "k2", "k3", "k4"], to: database).allSatisfy { $0 == "created" })
        #expect(try apply(["k5", "k6"], to: database).allSatisfy { $0 == "created" })
        // This merge moves the recent level into the main one, and is rolled back.
        #expect(try apply(["k7", "k8", "k9"], to: database, commit: false).allSatisfy { $0 == "created" })
        #expect(try levels(database) == [4, 2, 6, 4])
        #expect(try entriesMatchTheirCards(database))
        #expect(try apply(["k1", "k5", "k7"], to: database) == ["replayed", "replayed", "created"])
        #expect(try levels(database) == [7, 0, 7, 7])
    }

    @Test func twoKeysWithOneHashInTheTwoLevelsAreTwoCards() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try open(path)
        // dveu-00001 and erpy-00001 of entity_e hash alike (CardKeyTests.twoRealKeysThatCollide).
        #expect(try apply(["dveu-00001", "a1", "a2", "a3"], to: database).allSatisfy { $0 == "created" })
        #expect(try apply(["erpy-00001"], to: database) == ["created"])
        #expect(try levels(database) == [4, 1, 5, 4])
        let hash = CardKey.hash(entityID: "entity_e", externalID: "dveu-00001")
        #expect(try count(database, "SELECT count(*) FROM card_keys WHERE key_hash = \(hash)") == 1)
        #expect(try count(database, "SELECT count(*) FROM card_keys_recent WHERE key_hash = \(hash)") == 1)
        #expect(try apply(["erpy-00001", "dveu-00001"], to: database) == ["replayed", "replayed"])
        let reconciliation = CardStore.Reconciliation(database: database)
        #expect(try reconciliation.rowID(entityID: "entity_e", externalID: "dveu-00001") == 1)
        #expect(try reconciliation.rowID(entityID: "entity_e", externalID: "erpy-00001") == 5)
    }
}
