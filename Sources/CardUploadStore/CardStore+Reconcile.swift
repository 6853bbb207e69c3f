import CardUploadModel
import CardUploadRules

extension CardStore {
    /// What the store holds for a row's key, compared with the row (SPEC §7).
    package enum StoredComparison: Sendable {
        /// No card has the key.
        case missing
        /// The card with the key; `differing` names the fields whose stored value is not byte-equal to the
        /// row's (`account_id`, `type`, `details.last_four`, `details.replacement_for`, `metadata`), empty for a match.
        case found(cardID: String, rowID: Int64, differing: [String])
    }

    /// The read-only queries of `reconcile`, prepared once and reused for every row. Nothing here writes.
    ///
    /// Cards are told apart by their SQLite rowid: a number the store assigns in insertion order, so the cards a
    /// file mentions fit in a bitset of `largestRowID()` bits whatever the file's size.
    package final class Reconciliation {
        private let database: Database

        private lazy var selectByKey = prepared(
            "SELECT rowid, id, account_id, type, last_four, replacement_for, metadata FROM cards"
                + " WHERE " + CardKey.matchSQL())
        private lazy var selectLeadByKey = prepared(LeadCardStore.selectByKeySQL)
        private lazy var selectRowIDByKey = prepared("SELECT rowid FROM cards WHERE " + CardKey.matchSQL())
        // One entity's cards: the merged ones in its range of the key hashes (`CardKey.entityRange`), in
        // either level, and the pending ones (after `card_key_bounds.through`); SQLite sorts them by external_id.
        private lazy var selectEntityCards = prepared(
            "SELECT rowid, id, external_id FROM cards WHERE (seq IN (SELECT card FROM card_keys WHERE key_hash"
                + " BETWEEN ?2 AND ?3 UNION ALL SELECT card FROM card_keys_recent WHERE key_hash BETWEEN ?2 AND ?3)"
                + " OR seq > (SELECT through FROM card_key_bounds)) AND entity_id = ?1"
                + " ORDER BY external_id")

        package init(database: Database) {
            self.database = database
        }

        private func prepared(_ sql: String) -> Result<Statement, DatabaseError> {
            Result { () throws(DatabaseError) in try database.prepare(sql) }
        }

        /// Runs `body` in one read transaction, so every row and the extra cards are compared with the same
        /// snapshot of the store even while another process loads into it.
        package func readSnapshot<T>(_ body: () throws -> T) throws -> T {
            try database.readSnapshot(body)
        }

        /// The largest rowid of the cards table (0 when it is empty).
        package func largestRowID() throws(DatabaseError) -> Int64 {
            try database.prepare("SELECT coalesce(max(rowid), 0) FROM cards").queryOne([]) { $0.integer(0) ?? 0 } ?? 0
        }

        /// Compares `request` with the card stored under its key: account_id, type, details and metadata, byte for
        /// byte (status, status_reason and timestamps are not part of a row's body).
        package func compare(_ request: CardRequest) throws(DatabaseError) -> StoredComparison {
            let lookup = try selectByKey.get()
            try lookup.bind([.text(request.entityID), .text(request.externalID)])
            defer { lookup.reset() }
            guard try lookup.step() else { return .missing }
            let rowID = lookup.integer(0) ?? 0
            let cardID = lookup.text(1) ?? ""
            return .found(cardID: cardID, rowID: rowID, differing: CardStore.differingBody(lookup, from: 2, request))
        }

        /// Compares a Lead row with the card stored under its key: every Lead column but generated_at, card_status
        /// included, each normalised (SPEC §9); `differing` names Lead's columns.
        package func compare(_ card: LeadCard) throws(DatabaseError) -> StoredComparison {
            guard let stored = try selectLeadByKey.get().queryOne([.text(card.entityID), .text(card.clientCardID)], StoredLeadCard.init(row:))
            else { return .missing }
            return .found(cardID: stored.id, rowID: stored.rowID, differing: stored.differingColumns(from: card).map(\.name))
        }

        /// The rowid of the card with the key, or nil (for rows that failed the rules but still name a key).
        package func rowID(entityID: String, externalID: String) throws(DatabaseError) -> Int64? {
            try selectRowIDByKey.get().queryOne([.text(entityID), .text(externalID)]) { $0.integer(0) ?? 0 }
        }

        /// Streams the cards of `entityID` in external_id byte order: rowid, card id, external_id.
        package func forEachCard(
            ofEntity entityID: String, _ body: (_ rowID: Int64, _ cardID: String, _ externalID: String) throws -> Void
        ) throws {
            let range = CardKey.entityRange(entityID)
            try selectEntityCards.get().forEachRow([.text(entityID), .integer(range.lowerBound), .integer(range.upperBound)]) { row in
                try body(row.integer(0) ?? 0, row.text(1) ?? "", row.text(2) ?? "")
            }
        }
    }
}
