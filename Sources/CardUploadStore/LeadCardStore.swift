import CardUploadModel
import CardUploadRules

/// Lead card files' store semantics (SPEC §9): a row is the whole current record of its card — created,
/// replayed, or an update that keeps Lead's immutable fields and lifecycle — and `replaced_by` links two
/// cards both ways, also to a card that comes later in the same file (the row is held until then).
///
/// Every write method expects the caller's open write transaction.
package final class LeadCardStore {
    private let database: Database
    private var identifiers = IdentifierGenerator()
    /// Whether the last row's key was already stored: the next row is then looked up before any insert.
    package private(set) var expectsStoredKeys = false
    private var createdRowIDs: ClosedRange<Int64>?
    /// Rows held in `lead_held` and not yet taken back: while there are none, no row asks whether its key is held.
    package private(set) var heldCount = 0
    /// The keys held so far, as bits of a fixed 128 KiB filter: a row asks the table only when its key's bit
    /// is set (no false negatives; memory stays the same however many rows are held).
    private var heldKeys = KeyFilter()

    /// A card's Lead record by its key (`StoredLeadCard.read` reads a row of it), its rowid last.
    static let selectByKeySQL =
        "SELECT c.id, c.file_kind, c.account_id, c.product_name, c.is_virtual, c.card_type, c.created_at, c.status,"
            + " c.activated_at, c.expiry_date, c.closed_at, c.closed_reason, r.external_id, c.rowid"
            + " FROM cards AS c LEFT JOIN cards AS r ON r.id = c.replaced_by"
            + " WHERE " + CardKey.matchSQL(alias: "c")
    private lazy var selectByKey = prepared(Self.selectByKeySQL)
    private lazy var selectLeadCard = prepared(
        "SELECT entity_id FROM cards WHERE seq = ? AND external_id = ? AND file_kind = 'lead'")
    private lazy var selectReference = prepared(
        "SELECT id, file_kind, replacement_for FROM cards WHERE " + CardKey.matchSQL())
    private lazy var insertCard = prepared(
        "INSERT INTO cards (id, external_id, account_id, entity_id, type, status, status_reason, last_four,"
            + " replacement_for, replaced_by, metadata, upload_seq, upload_line, created_at, updated_at, file_kind,"
            + " product_name, is_virtual, card_type, expiry_date, activated_at, closed_at, closed_reason, key_hash)"
            + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, NULL, ?19, '{}', ?8, ?9, ?10, ?11, 'lead',"
            + " ?12, ?13, ?14, ?15, ?16, ?17, ?7, ?18) ON CONFLICT DO NOTHING")
    private lazy var updateCard = prepared(
        "UPDATE cards SET product_name = ?1, status = ?2, status_reason = ?3, closed_reason = ?3, closed_at = ?4,"
            + " updated_at = ?5 WHERE id = ?6")
    private lazy var setReplacedBy = prepared("UPDATE cards SET replaced_by = ?, updated_at = ? WHERE id = ?")
    private lazy var selectReplacedBy = prepared("SELECT replaced_by FROM cards WHERE id = ?")
    private lazy var setReplacementFor = prepared(
        "UPDATE cards SET replacement_for = ?, updated_at = ? WHERE id = ? AND replacement_for IS NULL")
    private lazy var insertHeld = prepared(
        "INSERT INTO temp.lead_held (line, entity_id, client_card_id, fields, cells) VALUES (?, ?, ?, ?, ?)")
    private lazy var selectHeldKey = prepared(
        "SELECT 1 FROM temp.lead_held WHERE entity_id = ? AND client_card_id = ? AND line < ? LIMIT 1")
    private lazy var selectNextHeld = prepared(
        "SELECT line, fields, cells FROM temp.lead_held WHERE line > ? ORDER BY line LIMIT 1")
    private lazy var deleteHeld = prepared("DELETE FROM temp.lead_held WHERE line = ?")

    package init(database: Database) {
        self.database = database
    }

    private func prepared(_ sql: String) -> Result<Statement, DatabaseError> {
        Result { () throws(DatabaseError) in try database.prepare(sql) }
    }

    /// What a row whose `replaced_by` names no stored card does.
    package enum ForwardReferences: Sendable {
        /// Held, to be applied after the rest of the file (the file is still being read).
        case hold
        /// Held only when the card it names is itself held (the held rows are being applied, and may
        /// name each other); otherwise rejected.
        case holdWhenHeld
        /// Rejected `invalid_card_reference` (the last pass over the held rows, `--partial`).
        case reject
        /// Applied without its link when the card it names is held, linked by `linkAwaiting` once every
        /// row is applied (the last pass of a file in one transaction: cards that name each other).
        case linkAfterFile
    }

    /// Links waiting for `linkAwaiting`, by line: the card and the card its `replaced_by` names.
    private var awaitingLinks: [(line: Int, cardID: String, card: LeadCard)] = []

    /// Whether the row at `line` was applied without its link, which `linkAwaiting` makes.
    package func awaitsLink(line: Int) -> Bool {
        awaitingLinks.last?.line == line
    }

    /// Makes the links `.linkAfterFile` left waiting, now that every row is applied; the lines whose card
    /// never came (or is already the replacement of another), with their error.
    package func linkAwaiting() throws(DatabaseError) -> [Int: RowError] {
        var failed: [Int: RowError] = [:]
        for waiting in awaitingLinks {
            guard let replacedBy = waiting.card.replacedBy else { continue }
            switch try resolve(replacedBy, of: waiting.card, cardID: waiting.cardID, line: waiting.line, forward: .reject) {
            case .found(let reference):
                // A later row of the same card, applied while this one waited, may have set its replaced_by to
                // another card: a card is replaced once (linking it again made two cards the replacement of one,
                // and the load failed on the store's unique index).
                if let other = try selectReplacedBy.get().queryOne([.text(waiting.cardID)], { $0.text(0) }) ?? nil,
                   !bytesEqual(other, reference.id) {
                    failed[waiting.line] = RowError(
                        field: LeadColumn.replacedBy.name, code: .invalidCardReference,
                        message: "replaced_by \"\(replacedBy)\" cannot be linked: a later row of this file replaced card"
                            + " \"\(waiting.card.clientCardID)\" by another card first (the cards name each other); a card is"
                            + " replaced once: give \"\(waiting.card.clientCardID)\" one replaced_by in this file")
                    continue
                }
                try link(waiting.cardID, to: reference, now: Timestamp.now())
            case .held: break
            case .rejected(let error): failed[waiting.line] = error
            }
        }
        awaitingLinks = []
        return failed
    }

    /// Applies one checked Lead row at `line` in the open transaction (SPEC §9's store semantics).
    package func apply(
        _ card: LeadCard, line: Int, uploadSeq: Int64?, uploadLine: Int?, newCardID: String?, keyHash: Int64? = nil,
        idHash: Int64? = nil, now: String, forward: ForwardReferences
    ) throws(DatabaseError) -> AppliedRow {
        let keyHash = keyHash ?? CardKey.hash(entityID: card.entityID, externalID: card.clientCardID)
        // A later row of a held card's key waits for it.
        if heldCount > 0, heldKeys.mayContain(keyHash: keyHash),
           try isHeld(entityID: card.entityID, clientCardID: card.clientCardID, before: line) {
            return .held
        }
        // A key no stored card can have (`Database.noCardHasKeyHash`) needs no look-up.
        let stored = try database.noCardHasKeyHash(keyHash)
            ? nil : try storedCard(entityID: card.entityID, clientCardID: card.clientCardID)
        guard let stored else {
            expectsStoredKeys = false
            // A new key. Its client_card_id may be a Lead card of another entity: the key index has a second
            // entry for each Lead card, at the hash of its id alone, which mostly says "no" without a look-up.
            let idHash = idHash ?? CardKey.leadIDHash(clientCardID: card.clientCardID)
            if try !database.noLeadCardHasIDHash(idHash),
               let other = try leadEntity(ofClientCardID: card.clientCardID, idHash: idHash) {
                return .outcome(.rejected([RowError(
                    field: LeadColumn.entityID.name, code: .immutableField,
                    message: "client_card_id \"\(card.clientCardID)\" is already a Lead card of entity \(other);"
                        + " a card's entity_id cannot change (Lead: client_card_id is the card's unique id)")]))
            }
            var reference: Reference?
            var linksLater = false
            if let replacedBy = card.replacedBy {
                switch try resolve(replacedBy, of: card, cardID: nil, line: line, forward: forward) {
                case .found(let found): reference = found
                case .held where forward == .linkAfterFile: linksLater = true
                case .held: return .held
                case .rejected(let error): return .outcome(.rejected([error]))
                }
            }
            // A card whose replacement is stored goes in with its replaced_by (one UPDATE less: `linkBack`).
            guard let created = try insert(
                card, uploadSeq: uploadSeq, uploadLine: uploadLine, newCardID: newCardID, keyHash: keyHash,
                idHash: idHash, replacedBy: reference?.id, now: now)
            else {
                throw DatabaseError(resultCode: 19, message: "a Lead card's key was refused after it was looked up")
            }
            if let reference { try linkBack(created, to: reference, now: now) }
            if linksLater { awaitingLinks.append((line, created, card)) }
            return .outcome(.created(cardID: created))
        }
        expectsStoredKeys = true
        guard stored.isLead else {
            return .outcome(.rejected([RowError(
                field: nil, code: .idempotencyConflict,
                message: "client_card_id \"\(card.clientCardID)\" of \(card.entityID) was loaded by a native upload as"
                    + " \(stored.id); a card belongs to the kind of file that created it: change it with a native upload")]))
        }
        let changed = stored.differingColumns(from: card)
        if changed.isEmpty { return .outcome(.replayed(cardID: stored.id)) }
        if let errors = stored.updateErrors(to: card, changed: changed) {
            return .outcome(.rejected(errors))
        }
        var reference: Reference?
        if let replacedBy = card.replacedBy, stored.replacedBy == nil {
            switch try resolve(replacedBy, of: card, cardID: stored.id, line: line, forward: forward) {
            case .found(let found): reference = found
            case .held where forward == .linkAfterFile: awaitingLinks.append((line, stored.id, card))
            case .held: return .held
            case .rejected(let error): return .outcome(.rejected([error]))
            }
        }
        if changed.contains(where: { $0 != .replacedBy }) {
            try updateCard.get().execute([
                .text(card.productName), .text(card.status.rawValue), .text(card.closedReason), .text(card.closedAt),
                .text(now), .text(stored.id),
            ])
        }
        if let reference { try link(stored.id, to: reference, now: now) }
        return .outcome(.updated(cardID: stored.id))
    }

    /// The first and last rowid of the cards created since the last call (nil when none).
    package func takeCreatedRowIDs() -> ClosedRange<Int64>? {
        defer { createdRowIDs = nil }
        return createdRowIDs
    }

    // MARK: Held rows

    /// The page cache of the temporary database that holds the held rows: 512 KiB, not SQLite's 2 MB. They go
    /// in and come back in line order; a file of 5,000,000 cards (49,450 held) peaked at 125.2 MiB against 127.0
    /// with the default.
    package static let heldRowsCacheKiB = 512

    /// Starts a file: no row is held (a table of an earlier file on this connection is emptied).
    package func beginFile() throws(DatabaseError) {
        try database.execute(
            "PRAGMA temp.cache_size = -\(Self.heldRowsCacheKiB);"
                + " CREATE TEMP TABLE IF NOT EXISTS lead_held (line INTEGER PRIMARY KEY, entity_id TEXT NOT NULL,"
                + " client_card_id TEXT NOT NULL, fields TEXT NOT NULL, cells TEXT);"
                + " CREATE INDEX IF NOT EXISTS temp.lead_held_by_key ON lead_held (entity_id, client_card_id, line);"
                + " DELETE FROM temp.lead_held")
        heldCount = 0
        heldKeys = KeyFilter()
    }

    /// Holds `card` (read at `line`, with the record's `cells` when a rejects file wants them) until the
    /// rest of the file is applied: on disk, in the connection's temporary database.
    package func hold(_ card: LeadCard, line: Int, cells: [String]?) throws(DatabaseError) {
        try insertHeld.get().execute([
            .integer(Int64(line)), .text(card.entityID), .text(card.clientCardID), .text(HeldText.encode(card.fields)),
            .text(cells.map(HeldText.encodeCells)),
        ])
        heldCount += 1
        heldKeys.insert(keyHash: CardKey.hash(entityID: card.entityID, externalID: card.clientCardID))
    }

    /// The held row after `line` (in line order), or nil.
    package func nextHeld(after line: Int) throws(DatabaseError) -> (line: Int, card: LeadCard, cells: [String]?)? {
        let statement = try selectNextHeld.get()
        let row = try statement.queryOne([.integer(Int64(line))]) { row in
            (Int(row.integer(0) ?? 0), row.text(1) ?? "", row.text(2))
        }
        guard let (heldLine, fields, cells) = row, let card = LeadCard(fields: HeldText.decode(fields)) else { return nil }
        return (heldLine, card, cells.map(HeldText.decodeCells))
    }

    /// Forgets the held row at `line` (it was applied).
    package func release(line: Int) throws(DatabaseError) {
        try deleteHeld.get().execute([.integer(Int64(line))])
        heldCount -= 1
    }

    private func isHeld(entityID: String, clientCardID: String, before line: Int) throws(DatabaseError) -> Bool {
        let statement = try selectHeldKey.get()
        return try statement.queryOne([.text(entityID), .text(clientCardID), .integer(Int64(line))]) { _ in true } ?? false
    }

    // MARK: Writing

    /// Inserts `card` (its key and client_card_id looked up: neither is stored), with the hash of its key and of
    /// its client_card_id (`CardKey.leadIDHash`) for the key index; its id, or nil when a unique index refused
    /// it (its drawn card id).
    private func insert(
        _ card: LeadCard, uploadSeq: Int64?, uploadLine: Int?, newCardID: String?, keyHash: Int64, idHash: Int64,
        replacedBy: String? = nil, now: String
    ) throws(DatabaseError) -> String? {
        let cardID = newCardID ?? identifiers.cardID()
        let insert = try insertCard.get()
        insert.rewind()
        try insert.bind(1, cardID)
        try insert.bind(2, card.clientCardID)
        try insert.bind(3, card.accountID)
        try insert.bind(4, card.entityID)
        try insert.bind(5, card.isVirtual ? CardType.virtual.rawValue : CardType.physical.rawValue)
        try insert.bind(6, card.status.rawValue)
        try insert.bind(7, card.closedReason)
        try insert.bind(8, uploadSeq)
        try insert.bind(9, uploadLine.map(Int64.init))
        try insert.bind(10, card.createdAt)
        try insert.bind(11, now)
        try insert.bind(12, card.productName)
        try insert.bind(13, card.isVirtual ? 1 : 0)
        try insert.bind(14, card.cardType.rawValue)
        try insert.bind(15, card.expiryDate)
        try insert.bind(16, card.activatedAt)
        try insert.bind(17, card.closedAt)
        try insert.bind(18, keyHash)
        try insert.bind(19, replacedBy)
        try insert.run()
        guard database.changes > 0 else { return nil }
        let rowID = database.lastInsertedRowID
        try database.cardInserted(seq: rowID, keyHash: keyHash, leadIDHash: idHash)
        createdRowIDs = (createdRowIDs?.lowerBound ?? rowID)...rowID
        return cardID
    }

    /// Links card `cardID` to the card that replaces it, both ways.
    private func link(_ cardID: String, to reference: Reference, now: String) throws(DatabaseError) {
        try setReplacedBy.get().execute([.text(reference.id), .text(now), .text(cardID)])
        try linkBack(cardID, to: reference, now: now)
    }

    /// The replacing card's half of a link: its replacement_for names card `cardID`, unless it already names one.
    private func linkBack(_ cardID: String, to reference: Reference, now: String) throws(DatabaseError) {
        if reference.replacementFor == nil {
            try setReplacementFor.get().execute([.text(cardID), .text(now), .text(reference.id)])
        }
    }

    // MARK: Reading

    /// The card a `replaced_by` names.
    private struct Reference {
        var id: String
        var replacementFor: String?
    }

    private enum Resolution {
        case found(Reference)
        case held
        case rejected(RowError)
    }

    /// The card `clientCardID` that `card` (stored as `cardID`, nil when new) names in `replaced_by`.
    private func resolve(
        _ clientCardID: String, of card: LeadCard, cardID: String?, line: Int, forward: ForwardReferences
    ) throws(DatabaseError) -> Resolution {
        let field = LeadColumn.replacedBy.name
        let statement = try selectReference.get()
        let found = try statement.queryOne([.text(card.entityID), .text(clientCardID)]) { row in
            (row.text(0) ?? "", row.text(1) ?? "", row.text(2))
        }
        guard let (id, kind, replacementFor) = found, kind == "lead" else {
            // Whether a row of the file with that key is held (in the streaming pass every unknown card is held).
            var inFile = false
            if found == nil, forward != .hold {
                inFile = try isHeld(entityID: card.entityID, clientCardID: clientCardID, before: Int.max)
            }
            switch forward {
            case .hold where found == nil:
                return .held
            case .holdWhenHeld where inFile, .linkAfterFile where inFile:
                return .held
            default:
                break
            }
            if inFile {
                return .rejected(RowError(
                    field: field, code: .invalidCardReference,
                    message: "replaced_by \"\(clientCardID)\" names a card of this file that could not be applied"
                        + " before this row (its row names a card that is not stored yet either: the cards name each"
                        + " other); load the file whole (without --partial), or load the replacing card first"))
            }
            return .rejected(RowError(
                field: field, code: .invalidCardReference,
                message: "replaced_by \"\(clientCardID)\" is not a Lead card of \(card.entityID), neither stored nor"
                    + " in this file (Lead: Invalid Card Reference); give the client_card_id of the replacing card"))
        }
        if let replacementFor, cardID.map({ !bytesEqual($0, replacementFor) }) ?? true {
            return .rejected(RowError(
                field: field, code: .invalidCardReference,
                message: "card \"\(clientCardID)\" already replaces another card (\(replacementFor)); a card is the"
                    + " replacement of at most one card"))
        }
        return .found(Reference(id: id, replacementFor: replacementFor))
    }

    /// The entity of the Lead card with `clientCardID` (whose `CardKey.leadIDHash` is `idHash`), in whichever
    /// entity it is stored: the cards at that hash in the key index, compared.
    private func leadEntity(ofClientCardID clientCardID: String, idHash: Int64) throws(DatabaseError) -> String? {
        let statement = try selectLeadCard.get()
        for seq in try database.leadCardSeqs(idHash: idHash) {
            if let entity = try statement.queryOne([.integer(seq), .text(clientCardID)], { $0.text(0) ?? "" }) {
                return entity
            }
        }
        return nil
    }

    private func storedCard(entityID: String, clientCardID: String) throws(DatabaseError) -> StoredLeadCard? {
        let statement = try selectByKey.get()
        return try statement.queryOne([.text(entityID), .text(clientCardID)], StoredLeadCard.init(row:))
    }
}
