import CSQLite
@testable import CardUploadStore
import Foundation
import Testing

/// The key's hash (schema version 4): stored in every card, so it may never change; the same in Swift and
/// in SQL; and the page cache a load sizes to the store.
@Suite struct CardKeyTests {
    @Test func theHashOfAKeyNeverChanges() {
        // Stored in every card's key_hash since schema version 4: a change would lose every stored key. The
        // values were computed apart, by a Python transcription of FNV-1a 64, MurmurHash3's fmix64 and the
        // parts (entity 16 bits, external_id but its counting digits 12, their value 17, whole key 19).
        #expect(CardKey.hash(entityID: "entity_e", externalID: "k1") == 6_972_568_724_302_230_010)
        #expect(CardKey.hash(entityID: "entity_acme", externalID: "3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b")
            == 6_685_574_561_581_414_192)
        #expect(CardKey.hash(entityID: "", externalID: "") == -1_166_330_593_354_864_425)
        #expect(CardKey.hash(entityID: "entity_e", externalID: "EMP-0001234") == 6_972_663_214_229_447_840)
    }

    @Test func twoRealKeysThatCollide() {
        // Found by trying four-letter words before the same count (the count's 17 bits are equal, so 31 bits
        // tell such ids apart): the tests use them for a collision nobody planted.
        #expect(CardKey.hash(entityID: "entity_e", externalID: "dveu-00001") == 6_972_443_379_977_013_945)
        #expect(CardKey.hash(entityID: "entity_e", externalID: "erpy-00001") == 6_972_443_379_977_013_945)
    }

    @Test func whereTheEntityEndsIsPartOfTheKey() {
        #expect(CardKey.hash(entityID: "entity_a", externalID: "bc") != CardKey.hash(entityID: "entity_ab", externalID: "c"))
        #expect(CardKey.hash(entityID: "e", externalID: "k1") != CardKey.hash(entityID: "e", externalID: "k2"))
        // Bytes, not characters: é precomposed and decomposed are two keys, as SPEC §4 compares them.
        #expect(CardKey.hash(entityID: "e", externalID: "caf\u{E9}") != CardKey.hash(entityID: "e", externalID: "cafe\u{301}"))
    }

    @Test func anEntitysKeysAreOneRangeAndCountedIdsStayClose() {
        let range = CardKey.entityRange("entity_e")
        #expect(range.upperBound - range.lowerBound == (1 << 48) - 1)
        for key in ["k1", "EMP-0001234", "3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b", "", "ключ"] {
            #expect(range.contains(CardKey.hash(entityID: "entity_e", externalID: key)), "\(key)")
        }
        #expect(!range.contains(CardKey.hash(entityID: "entity_f", externalID: "k1")))
        // Ids counted upwards go into the index in order, 100,000 at a time, wherever their digits are.
        let counted = (1000..<2000).map { CardKey.hash(entityID: "entity_e", externalID: "EMP-000\($0)") }
        #expect(counted == counted.sorted() && Set(counted).count == 1000)
        #expect(Set(counted.map { $0 >> 36 }).count == 1)
        #expect(CardKey.hash(entityID: "entity_e", externalID: "EMP-0100000") >> 36 != counted[0] >> 36)
        let staff = (1000..<2000).map { CardKey.hash(entityID: "entity_e", externalID: "\($0)-staff") }
        #expect(staff == staff.sorted() && Set(staff).count == 1000)
        // An id without a digit still has 64 bits of hash.
        #expect(CardKey.hash(entityID: "entity_e", externalID: "abc-x") != CardKey.hash(entityID: "entity_e", externalID: "abc-y"))
        #expect(CardKey.hash(entityID: "entity_e", externalID: "abc") == 6_972_591_114_402_914_931)
        // Ids without a digit (e-mail addresses, names) keep 48 bits each: no two of 17,576 share a hash.
        let names = (0..<17_576).map { n -> String in
            let letters = Array("abcdefghijklmnopqrstuvwxyz")
            return "user." + String(letters[n % 26]) + String(letters[n / 26 % 26]) + String(letters[n / 676 % 26]) + "@example.org"
        }
        #expect(Set(names).count == 17_576)
        #expect(Set(names.map { CardKey.hash(entityID: "entity_e", externalID: $0) }).count == 17_576)
    }

    @Test func sqlComputesTheSameHashAsSwift() throws {
        let database = try Database(path: ":memory:", mode: .readWriteCreate)
        let statement = try database.prepare("SELECT card_key_hash(?, ?)")
        for (entity, key) in [("entity_e", "k1"), ("entity_ü", "ключ-🙂"), ("", ""), ("a", "bc"), ("ab", "c")] {
            let fromSQL = try statement.queryOne([.text(entity), .text(key)]) { $0.integer(0) }
            #expect(fromSQL == CardKey.hash(entityID: entity, externalID: key), "\(entity) \(key)")
        }
        // Anything but two texts has no hash.
        #expect(try database.prepare("SELECT card_key_hash(NULL, 'k1') IS NULL, card_key_hash('e', 7) IS NULL")
            .queryOne([]) { [$0.integer(0), $0.integer(1)] } == [1, 1])
    }

    @Test func aLoadsCacheGrowsWithTheStoreUpToAnEighthOfMemory() {
        let gib: UInt64 = 1 << 30
        // An empty or small store: the 64 MiB every connection has (up to about 1.6 million cards).
        #expect(PageCache.kibibytes(cards: 0, requestedMiB: nil, memory: 24 * gib) == 65_536)
        #expect(PageCache.kibibytes(cards: 1_000_000, requestedMiB: nil, memory: 24 * gib) == 65_536)
        // 5 million cards: 40 bytes a card.
        #expect(PageCache.kibibytes(cards: 5_000_000, requestedMiB: nil, memory: 24 * gib) == 195_312)
        // 100 million cards on 24 GiB: capped at 3 GiB.
        #expect(PageCache.kibibytes(cards: 100_000_000, requestedMiB: nil, memory: 24 * gib) == 3 * 1_048_576)
        // A small machine never gets less than 64 MiB; --cache-size is taken as given, up to 1 TiB.
        #expect(PageCache.kibibytes(cards: 5_000_000, requestedMiB: nil, memory: 256 << 20) == 65_536)
        #expect(PageCache.kibibytes(cards: 5_000_000, requestedMiB: 16, memory: 24 * gib) == 16_384)
        #expect(PageCache.kibibytes(cards: 0, requestedMiB: Int.max, memory: 24 * gib) == 1_048_576 * 1024)
        #expect(PageCache.availableMemory() > 0 && PageCache.availableMemory() <= ProcessInfo.processInfo.physicalMemory)
    }

    @Test func aLoadsConnectionGetsTheSizedCache() throws {
        let database = try Database(path: ":memory:", mode: .readWriteCreate)
        try Schema.migrate(database)
        let cacheSize = { try database.prepare("PRAGMA cache_size").queryOne([]) { $0.integer(0) } }
        #expect(try cacheSize() == -65_536)
        try database.execute("""
            INSERT INTO cards (seq, id, external_id, account_id, entity_id, type, status, last_four, created_at, updated_at,
                               key_hash)
            VALUES (3000000, 'card_aaaaaaaaaaaaaaaaaaaa', 'k1', 'account_a', 'entity_e', 'virtual', 'active', '0001', 'now', 'now',
                    card_key_hash('entity_e', 'k1'))
            """)
        // The budget is 40 bytes a card (the key tables' bound); the cache stays 64 MiB less the 16 MiB kept for
        // the pending cards' table, however big the store (schema version 7: two levels of merged keys).
        #expect(try PageCache.sizeForLoad(database, requestedMiB: nil) == 65_536 - 16_384)
        #expect(try cacheSize() == -(65_536 - 16_384))
        #expect(database.loadCacheKiB == 65_536 + 8_192, "cache and key tables: 64 MiB and an 8 MiB filter")
        #expect(database.keyFilterMaxBytes == 117_187 * 1024 / 8, "an eighth of the budget of 3,000,000 cards")
        // A store of 20,000,000 cards holds a 32 MiB filter (12 bits a card, with 8 GiB or more of memory): the
        // cache leaves room for it from the start (a full cache that gives way later keeps its memory).
        try database.execute("""
            INSERT INTO cards (seq, id, external_id, account_id, entity_id, type, status, last_four, created_at, updated_at,
                               key_hash)
            VALUES (20000000, 'card_bbbbbbbbbbbbbbbbbbbb', 'k2', 'account_a', 'entity_e', 'virtual', 'active', '0001', 'now',
                    'now', card_key_hash('entity_e', 'k2'))
            """)
        if PageCache.memory >= 8 << 30 {
            #expect(try PageCache.sizeForLoad(database, requestedMiB: nil) == 65_536 + 8_192 - 16_384 - 32_768)
            #expect(database.keyFilterMaxBytes >= 32 << 20)
        }
        try PageCache.sizeForLoad(database, requestedMiB: 100)
        #expect(try cacheSize() == -102_400)
    }

    /// A load sizes its cache for the store its file makes: a file of 20,000,000 rows into an empty store leaves
    /// room for the 32 MiB filter it ends with (a cache full when the filter grows kept its memory: the load
    /// that built such a store peaked at 153.6 MiB); a file of 1,000,000 rows keeps the 48 MiB cache.
    @Test func aLoadsCacheLeavesRoomForTheFilterItsFileMakes() throws {
        let database = try Database(path: ":memory:", mode: .readWriteCreate)
        try Schema.migrate(database)
        #expect(try PageCache.sizeForLoad(database, requestedMiB: nil, expectedRows: 1_000_000) == 65_536 - 16_384)
        #expect(try PageCache.sizeForLoad(database, requestedMiB: nil, expectedRows: nil) == 65_536 - 16_384)
        // A 32 MiB filter needs 2 GiB of memory or more (a 64th of it at most).
        try #require(PageCache.memory >= 2 << 30, "this machine (or its control group) has less than 2 GiB")
        #expect(try PageCache.sizeForLoad(database, requestedMiB: nil, expectedRows: 20_000_000) == 65_536 + 8_192 - 16_384 - 32_768)
        #expect(try PageCache.sizeForLoad(database, requestedMiB: 100, expectedRows: 20_000_000) == 102_400, "--cache-size is the cache")
    }

    /// A load of a Lead file in one transaction keeps 36 MiB out of its cache for the pending cards' tables, not
    /// 16 (a million Lead cards and their second entries: merged once), and its cache is that much smaller: the
    /// same memory. Not when the cache is at its floor or set by `--cache-size` (the tables come on top of it).
    /// A load of a native file after it on the same connection goes back to 16 MiB.
    @Test func aLeadLoadsPendingCardsTakeTwentyMiBOfItsCache() throws {
        let database = try Database(path: ":memory:", mode: .readWriteCreate)
        try Schema.migrate(database)
        #expect(try PageCache.sizeForLoad(database, requestedMiB: nil, expectedRows: 1_000_000, leadCards: true) == 65_536 - 36_864)
        #expect(database.pendingKeys.maximumBytes == 36 << 20)
        #expect(database.keyTablesKiB == 8_192 + 36_864)
        #expect(try PageCache.sizeForLoad(database, requestedMiB: nil, expectedRows: 1_000_000) == 65_536 - 16_384)
        #expect(database.pendingKeys.maximumBytes == 16 << 20)
        #expect(try PageCache.sizeForLoad(database, requestedMiB: 100, leadCards: true) == 102_400, "--cache-size is the cache")
        #expect(database.pendingKeys.maximumBytes == 16 << 20, "the tables come on top of a cache set by --cache-size")
        // A store whose 32 MiB filter leaves the cache 24 MiB has 8 to give before its floor (16 MiB).
        if PageCache.memory >= 2 << 30 {
            #expect(try PageCache.sizeForLoad(database, requestedMiB: nil, expectedRows: 20_000_000, leadCards: true) == 16_384)
            #expect(database.pendingKeys.maximumBytes == 24 << 20)
        }
    }
}
