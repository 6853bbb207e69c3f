import CardUploadModel
import CardUploadRules
@testable import CardUploadStore
import Foundation
import Testing

/// One client_card_id names one Lead card across entities (SPEC §9), through the key index since schema version
/// 8 (ARCHITECTURE.md, "Keys"): a Lead card has a second entry at the hash of its client_card_id alone
/// (`CardKey.leadIDHash`), pending in memory and merged with its key's. A new Lead card's id is found whether
/// the other card is pending, merged (by a search or behind the filter of merged keys), another connection's, or
/// in a store migrated from version 7.
@Suite struct LeadIDKeysTests {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("lead-ids-\(UUID().uuidString).sqlite").path
    }

    private func open(_ path: String, threshold: Int = PendingCardKeys.maximumCount) throws -> Database {
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        database.keyMergeThreshold = threshold
        return database
    }

    private func card(_ id: String, _ entity: String) -> LeadCard {
        LeadCard(
            clientCardID: id, accountID: "acct_a", entityID: entity, productName: "HSA Debit", isVirtual: true,
            cardType: .hsa, createdAt: "2026-12-01T10:00:00.000Z", status: .active,
            activatedAt: "2026-12-01T10:00:00.000Z", expiryDate: "2029-12-31", generatedAt: "2026-12-05")
    }

    /// Each card's outcome in one write transaction on `database`: its kind, and a rejection's codes.
    private func outcomes(_ cards: [LeadCard], _ database: Database, commit: Bool = true) throws -> [String] {
        try database.beginWrite()
        let store = LeadCardStore(database: database)
        try store.beginFile()
        var kinds: [String] = []
        for (line, card) in cards.enumerated() {
            guard case .outcome(let outcome) = try store.apply(
                card, line: line + 2, uploadSeq: nil, uploadLine: nil, newCardID: nil, now: "2026-12-05T00:00:00.000Z",
                forward: .hold)
            else {
                kinds.append("held")
                continue
            }
            if case .rejected(let errors) = outcome {
                kinds.append("rejected " + errors.map(\.code.rawValue).joined(separator: ","))
            } else {
                kinds.append(outcome.kind.rawValue)
            }
        }
        if commit { try database.commit() } else { database.rollback() }
        return kinds
    }

    private func count(_ database: Database, _ sql: String) throws -> Int64 {
        try database.prepare(sql).queryOne([]) { $0.integer(0) ?? -1 } ?? -1
    }

    @Test func anIDOfAPendingLeadCardIsRefusedInAnotherEntityAndANativeOneIsNot() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try open(path)
        // Native cards with the id in other entities do not count; the Lead card in ent_e, still pending, does.
        try database.beginWrite()
        let native = CardStore(database: database)
        for entity in ["ent_f", "ent_g"] {
            _ = try native.apply(
                CardRequest(externalID: "L1", accountID: "acct_a", entityID: entity, lastFour: "0001"),
                policy: .reject, uploadSeq: nil, now: "now")
        }
        try database.commit()
        #expect(try outcomes([card("L1", "ent_e"), card("L1", "ent_h"), card("L2", "ent_h")], database)
            == ["created", "rejected immutable_field", "created"])
        // Two native cards, and two Lead cards of two entries each.
        #expect(database.pendingKeys.entryCount == 6)
        try database.beginWrite()
        try database.mergeCardKeys()
        try database.commit()
        // Every Lead card has its second entry in the merged keys, at the hash of its id alone.
        #expect(try count(database, "SELECT count(*) FROM card_keys") == 6)
        #expect(try count(database, "SELECT count(*) FROM card_keys AS k JOIN cards AS c ON c.seq = k.card"
                              + " WHERE c.file_kind = 'lead' AND k.key_hash = card_key_hash('', c.external_id)") == 2)
        #expect(try outcomes([card("L2", "ent_e"), card("L1", "ent_e"), card("L3", "ent_e")], database)
            == ["rejected immutable_field", "replayed", "created"])
    }

    /// A Lead card whose key hash is its client_card_id's hash (found by review: the entity's 16 bits and the
    /// id's 48 collide, a pair made on purpose) has one entry in the merged keys, and is found by its id while
    /// it is pending too — its own connection's, and another's that reads it from its row.
    @Test func aCardWhoseKeyHashIsItsIDsHashIsFoundPendingAndMergedAndMergesOnce() throws {
        let (entity, id) = ("ent_16909", "LC-BJDB80216")
        #expect(CardKey.hash(entityID: entity, externalID: id) == CardKey.leadIDHash(clientCardID: id))
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try open(path)
        let other = try open(path)
        #expect(try outcomes([card(id, entity), card(id, "ent_x")], database) == ["created", "rejected immutable_field"])
        #expect(try outcomes([card(id, "ent_y")], other, commit: false) == ["rejected immutable_field"])
        try database.beginWrite()
        try database.mergeCardKeys()
        try database.commit()
        #expect(try count(database, "SELECT count(*) FROM card_keys") == 1)
        #expect(try outcomes([card(id, "ent_x"), card(id, entity)], other) == ["rejected immutable_field", "replayed"])
    }

    @Test func idsAreFoundInEveryMergeAndBehindTheFilterOfMergedKeys() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A merge whenever a card finds 4 pending (each merge takes 5 cards, 10 entries: a Lead card has two);
        // the 3,000th card is one of those, so every card is merged at the end.
        let database = try open(path, threshold: 4)
        let ids = (1...3_000).map { "id-\($0)" }
        #expect(try outcomes(ids.map { card($0, "ent_e") }, database).allSatisfy { $0 == "created" })
        #expect(try count(database, "SELECT (SELECT count(*) FROM card_keys) + (SELECT count(*) FROM card_keys_recent)")
            == 6_000)
        // Enough searches for the filter to be made by a pass over both levels: every id is still found.
        #expect(try outcomes(ids.map { card($0, "ent_f") }, database, commit: false)
            .allSatisfy { $0 == "rejected immutable_field" })
        #expect(database.mergedKeyFilter != nil)
        let fresh = (1...3_000).map { card("new-\($0)", "ent_f") }
        #expect(try outcomes(fresh, database, commit: false).allSatisfy { $0 == "created" })
    }

    @Test func anotherConnectionsPendingLeadCardsAreFound() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try open(path)
        let second = try open(path)
        #expect(try outcomes([card("L1", "ent_e")], second) == ["created"])
        // Committed, not merged: the first connection reads it from its row (its hash computed there).
        #expect(try count(first, "SELECT through FROM card_key_bounds") == 0)
        #expect(try outcomes([card("L1", "ent_f"), card("L1", "ent_e")], first) == ["rejected immutable_field", "replayed"])
    }

    @Test func aVersionSevenStoresLeadCardsGetTheirEntriesAndAVersionSevenWriterFails() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let old = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(old, to: 7)
        // The version-7 release's store: Lead cards in both levels and pending, with the index of Lead ids.
        try old.execute(
            "UPDATE card_key_levels SET through = 3, main_through = 2;"
                + " INSERT INTO cards (seq, id, external_id, account_id, entity_id, type, status, last_four, created_at,"
                + " updated_at, file_kind, key_hash) VALUES"
                + " (1, 'card_a', 'M1', 'acct_a', 'ent_e', 'virtual', 'active', NULL, 'x', 'x', 'lead', card_key_hash('ent_e', 'M1')),"
                + " (2, 'card_b', 'M2', 'acct_a', 'ent_e', 'virtual', 'active', '0001', 'x', 'x', 'native', card_key_hash('ent_e', 'M2')),"
                + " (3, 'card_c', 'R3', 'acct_a', 'ent_e', 'virtual', 'active', NULL, 'x', 'x', 'lead', card_key_hash('ent_e', 'R3')),"
                + " (4, 'card_d', 'P4', 'acct_a', 'ent_e', 'virtual', 'active', NULL, 'x', 'x', 'lead', card_key_hash('ent_e', 'P4'));"
                + " INSERT INTO card_keys (key_hash, card) SELECT key_hash, seq FROM cards WHERE seq <= 2;"
                + " INSERT INTO card_keys_recent (key_hash, card) SELECT key_hash, seq FROM cards WHERE seq = 3;")
        let oldBounds = try old.prepare("SELECT through FROM card_key_levels")
        let database = try open(path)
        #expect(throws: DatabaseError.self) { try oldBounds.queryOne([]) { $0.integer(0) } }
        #expect(try count(database, "SELECT count(*) FROM sqlite_master WHERE name = 'cards_by_lead_id'") == 0)
        // The merged Lead cards' second entries, each in its card's level; the pending one is read from its row.
        #expect(try count(database, "SELECT count(*) FROM card_keys") == 3)
        #expect(try count(database, "SELECT count(*) FROM card_keys_recent") == 2)
        #expect(try outcomes([card("M1", "ent_f"), card("R3", "ent_f"), card("P4", "ent_f"), card("M2", "ent_f")], database)
            == ["rejected immutable_field", "rejected immutable_field", "rejected immutable_field", "created"])
    }
}
