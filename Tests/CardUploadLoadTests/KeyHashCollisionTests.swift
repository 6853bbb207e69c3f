@testable import CardUploadLoad
import CardUploadModel
@testable import CardUploadStore
import Foundation
import Testing

/// Two keys with one hash (`CardKey`; schema version 6): both cards keep the hash, `card_keys` holds both at
/// it, and a look-up compares the strings, so each key finds its own card. Two pending cards never share a
/// hash (`PendingCardKeys`): the second one's insert merges the pending cards into `card_keys` at once. A real
/// 64-bit collision is rare, so most tests first store a card under another key at the hash of the key the
/// file then loads: to the store, the two keys collide.
@Suite struct KeyHashCollisionTests {
    /// Creates the store and a card `taken` in `entity` whose key_hash is the hash of (entity, `key`).
    private func occupyHash(of key: String, entity: String, in db: String, by taken: String = "occupant") throws {
        let database = try Database(path: db, mode: .readWriteCreate)
        try Schema.migrate(database)
        try database.execute("""
            INSERT INTO cards (id, external_id, account_id, entity_id, type, status, last_four, created_at, updated_at,
                               key_hash)
            VALUES ('card_zzzzzzzzzzzzzzzzzzzz', '\(taken)', 'account_a', '\(entity)', 'virtual', 'active', '0009',
                    'then', 'then', \(CardKey.hash(entityID: entity, externalID: key)))
            """)
    }

    /// Each card's key and its hash in `card_keys` (every card is merged when its upload finishes).
    private func keyHashes(_ db: String) throws -> [String] {
        let probe = try StoreProbe(db)
        var values: [String] = []
        try probe.database.prepare(
            "SELECT c.external_id || ' ' || coalesce(k.key_hash, 'none') FROM cards AS c LEFT JOIN card_keys AS k"
                + " ON k.card = c.seq ORDER BY c.seq"
        ).forEachRow([]) { values.append($0.text(0) ?? "") }
        return values
    }

    @Test func aNativeKeyWhoseHashIsTakenIsStoredWithItAndFoundByItsKey() throws {
        let folder = try LoadFolder()
        try occupyHash(of: "k2", entity: "entity_e", in: folder.db)
        let file = try folder.write("day.csv", Cards.header + Cards.row("k1") + Cards.row("k2") + Cards.row("k2"))
        let first = load(file, into: folder.db)
        #expect(first.counts == counts(created: 2, replayed: 1))
        let hashOfK1 = CardKey.hash(entityID: "entity_e", externalID: "k1")
        let hashOfK2 = CardKey.hash(entityID: "entity_e", externalID: "k2")
        #expect(try keyHashes(folder.db) == ["occupant \(hashOfK2)", "k1 \(hashOfK1)", "k2 \(hashOfK2)"])
        let probe = try StoreProbe(folder.db)
        let k2 = try #require(try probe.card("k2"))
        #expect(k2.lastFour == "0001")

        // Loaded again: replayed, nothing created; another body is a conflict, as for any key.
        let again = load(file, into: folder.db)
        #expect(again.counts == counts(replayed: 3))
        let changed = try folder.write("changed.csv", Cards.header + Cards.row("k2", lastFour: "0002"))
        let conflict = load(changed, into: folder.db)
        #expect(conflict.counts == counts(rejected: 1))
        #expect(try StoreProbe(folder.db).outcomes(conflict.uploadID) == ["2 rejected idempotency_conflict"])
        #expect(try StoreProbe(folder.db).cardCount == 3)
        #expect(try StoreProbe(folder.db).card("k2")?.id == k2.id)
    }

    @Test func twoKeysWithOneRealHashAreTwoCards() throws {
        // dveu-00001 and erpy-00001 of entity_e hash alike (CardKeyTests.twoRealKeysThatCollide).
        let folder = try LoadFolder()
        let file = try folder.write("day.csv", Cards.header + Cards.row("dveu-00001") + Cards.row("erpy-00001", lastFour: "0002"))
        #expect(load(file, into: folder.db).counts == counts(created: 2))
        let hash = CardKey.hash(entityID: "entity_e", externalID: "dveu-00001")
        // The second of the two was pending beside the first: its insert merged both into card_keys at once.
        #expect(try keyHashes(folder.db) == ["dveu-00001 \(hash)", "erpy-00001 \(hash)"])
        #expect(try StoreProbe(folder.db).count("SELECT count(*) FROM card_keys WHERE key_hash = \(hash)") == 2)
        #expect(try StoreProbe(folder.db).card("erpy-00001")?.lastFour == "0002")
        #expect(try StoreProbe(folder.db).card("dveu-00001")?.lastFour == "0001")
        // Either order, any later run: each key is its one card.
        let again = try folder.write("again.csv", Cards.header + Cards.row("erpy-00001", lastFour: "0002") + Cards.row("dveu-00001"))
        #expect(load(again, into: folder.db).counts == counts(replayed: 2))
        #expect(try StoreProbe(folder.db).cardCount == 2)
    }

    @Test func aKeyAtATakenHashIsStillUniqueAgainstASecondRun() throws {
        // Two runs at once are serialised by the write lock; one after the other is the same path: the
        // second run's look-up finds the card among the two at the hash.
        let folder = try LoadFolder()
        try occupyHash(of: "k2", entity: "entity_e", in: folder.db)
        let one = try folder.write("one.csv", Cards.header + Cards.row("k2"))
        let two = try folder.write("two.jsonl", Cards.jsonLine("k2"))
        #expect(load(one, into: folder.db).counts == counts(created: 1))
        #expect(load(two, into: folder.db).counts == counts(replayed: 1))
        #expect(try StoreProbe(folder.db).count("SELECT count(*) FROM cards WHERE external_id = 'k2'") == 1)
    }

    @Test func aLeadCardWhoseHashIsTakenIsStoredWithItAndReplayed() throws {
        let folder = try LoadFolder()
        try occupyHash(of: "emp-2", entity: "ent_e", in: folder.db)
        let text = Lead.header + Lead.row("emp-1") + Lead.row("emp-2")
        let file = try folder.write("lead.csv", text)
        let first = load(file, into: folder.db)
        #expect(first.failure == nil && first.fileError == nil)
        #expect(first.counts == counts(created: 2))
        #expect(try keyHashes(folder.db).last == "emp-2 \(CardKey.hash(entityID: "ent_e", externalID: "emp-2"))")
        let again = load(file, into: folder.db)
        #expect(again.counts == counts(replayed: 2))
        #expect(try StoreProbe(folder.db).card("emp-2", entity: "ent_e")?.fileKind == .lead)
        #expect(try StoreProbe(folder.db).cardCount == 3)
    }
}
