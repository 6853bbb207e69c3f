import CardUploadModel
import CardUploadParsing
import CardUploadRules

/// The card table: idempotent creation (SPEC §4), replacement rules, look-ups and status changes.
///
/// Every write method expects the caller's open write transaction.
package final class CardStore {
    private let database: Database
    private var identifiers = IdentifierGenerator()
    /// Whether the last row's key was already stored: the next row is then looked up before any insert.
    package private(set) var expectsStoredKeys = false
    /// The rowids of the cards created since `takeCreatedRowIDs` last ran: first and last (rows are
    /// numbered in insertion order, so these bound them all).
    private var createdRowIDs: ClosedRange<Int64>?
    /// The hint of the first `idempotency_conflict` this store refused (SPEC §10): what differed, for the file's hints.
    package private(set) var conflictHint: FileHint?

    private lazy var selectByKey = prepared(
        "SELECT id, account_id, type, last_four, replacement_for, metadata, seq, file_kind FROM cards"
            + " WHERE " + CardKey.matchSQL())
    /// The cards after a given rowid, in rowid (creation) order: a file loaded again names its cards in the
    /// order its first load created them, so a replayed row's card is most often the one after the last
    /// row's, read by stepping this statement instead of seeking the key index and then the table.
    private lazy var cardsAfter = prepared(
        "SELECT id, account_id, type, last_four, replacement_for, metadata, seq, entity_id, external_id"
            + " FROM cards WHERE seq > ? ORDER BY seq")
    private lazy var selectReplaced = prepared("SELECT entity_id, status, replaced_by FROM cards WHERE id = ?")
    private lazy var insertCard = prepared(
        "INSERT INTO cards (id, external_id, account_id, entity_id, type, status, status_reason, last_four,"
            + " replacement_for, replaced_by, metadata, upload_seq, upload_line, created_at, updated_at, key_hash)"
            + " VALUES (?1, ?2, ?3, ?4, ?5, 'active', NULL, ?6, ?7, NULL, ?8, ?9, ?10, ?11, ?11, ?12) ON CONFLICT DO NOTHING")
    private lazy var markReplaced = prepared(
        "UPDATE cards SET replaced_by = ?, updated_at = ? WHERE id = ? AND replaced_by IS NULL")
    private lazy var updateMetadata = prepared("UPDATE cards SET metadata = ?, updated_at = ? WHERE id = ?")

    private static let cardColumns =
        "id, external_id, account_id, entity_id, type, status, status_reason, created_at, updated_at,"
        + " last_four, replacement_for, replaced_by, metadata,"
        + " (SELECT uploads.id FROM uploads WHERE uploads.seq = cards.upload_seq),"
        + " file_kind, product_name, is_virtual, card_type, expiry_date, activated_at, closed_at"

    /// Whether `cardsAfter` is open: rows have been following the cards' order (the last two replayed
    /// rows' cards were neighbours). It is closed before anything writes a card and before the transaction
    /// ends (`Database.willEndTransaction`).
    private var followsCards = false
    /// Whether `cardsAfter` stands on a card no row has matched yet (the last row was not that card's:
    /// a row rejected again, say); the next row is compared with it before the cursor moves on.
    private var followedCardIsPending = false
    /// The rowid of the card the last replayed row named.
    private var lastReplayedSeq: Int64?

    package init(database: Database) {
        self.database = database
        database.willEndTransaction[ObjectIdentifier(self)] = { [weak self] in self?.stopFollowingCards() }
    }

    deinit {
        database.willEndTransaction[ObjectIdentifier(self)] = nil
    }

    private func prepared(_ sql: String) -> Result<Statement, DatabaseError> {
        Result { () throws(DatabaseError) in try database.prepare(sql) }
    }

    // MARK: Loading rows

    /// Applies one validated row in the open transaction: replayed, conflict, updated or created (SPEC §4).
    ///
    /// The stored body is the card's own columns (account_id, type, last_four, replacement_for and the
    /// canonical metadata JSON; entity_id is part of the key), so the same body means every one of them is
    /// equal byte for byte — the same comparison as `CardRequest.canonicalBody`, without storing it twice.
    ///
    /// The key is looked up before the insert (no unique index refuses a second card for a key: the look-up,
    /// in the write transaction, does), except where no stored card can have the key's hash — none pending has
    /// it, and no card is merged yet or the filter of merged keys says no (`Database.noCardHasKeyHash`) — so a
    /// file of new keys is one statement per row.
    ///
    /// A created card records `uploadSeq` and, when given, `uploadLine`: the card is then the row's recorded
    /// outcome (`upload_outcomes`), and the caller records no `upload_rows` row for it.
    ///
    /// `newCardID` is the id the card gets if it is created (one is drawn here when nil), and `keyHash` its
    /// key's `CardKey.hash` (computed here when nil): a loader makes both on its reading thread, off the
    /// writer's path.
    package func apply(
        _ request: CardRequest, policy: ConflictPolicy, uploadSeq: Int64?, uploadLine: Int? = nil,
        newCardID: String? = nil, keyHash: Int64? = nil, now: String
    ) throws(DatabaseError) -> RowOutcome {
        stopFollowingCards()
        let keyHash = keyHash ?? CardKey.hash(entityID: request.entityID, externalID: request.externalID)
        // A key no stored card can have (`Database.noCardHasKeyHash`) needs no look-up.
        if try !database.noCardHasKeyHash(keyHash),
           let outcome = try outcomeForExistingKey(request, policy: policy, now: now) {
            expectsStoredKeys = true
            return outcome
        }
        expectsStoredKeys = false
        if let replaced = request.replacementFor, let error = try replacementError(replaced, entityID: request.entityID) {
            return .rejected([error])
        }
        let cardID = newCardID ?? identifiers.cardID()
        try runInsert(request, cardID: cardID, keyHash: keyHash, uploadSeq: uploadSeq, uploadLine: uploadLine, now: now)
        guard database.changes > 0 else {
            // The key is not stored (looked up above, in this write transaction): the unique index of
            // replacements refused the card.
            return .rejected([RowError(
                field: "details.replacement_for", code: .cardAlreadyReplaced,
                message: "card \(request.replacementFor ?? "") is already replaced by another card")])
        }
        let rowID = database.lastInsertedRowID
        try database.cardInserted(seq: rowID, keyHash: keyHash)
        createdRowIDs = (createdRowIDs?.lowerBound ?? rowID)...rowID
        if let replaced = request.replacementFor {
            try markReplaced.get().execute([.text(cardID), .text(now), .text(replaced)])
        }
        return .created(cardID: cardID)
    }

    /// Runs `insertCard` for `request` (nothing is inserted when a unique index refuses it: `changes` is 0).
    private func runInsert(
        _ request: CardRequest, cardID: String, keyHash: Int64, uploadSeq: Int64?, uploadLine: Int?, now: String
    ) throws(DatabaseError) {
        let insert = try insertCard.get()
        insert.rewind()
        try insert.bind(1, cardID)
        try insert.bind(2, request.externalID)
        try insert.bind(3, request.accountID)
        try insert.bind(4, request.entityID)
        try insert.bind(5, request.type.rawValue)
        try insert.bind(6, request.lastFour)
        try insert.bind(7, request.replacementFor)
        try insert.bind(8, request.metadataJSON)
        try insert.bind(9, uploadSeq)
        try insert.bind(10, uploadLine.map(Int64.init))
        try insert.bind(11, now)
        try insert.bind(12, keyHash)
        try insert.run()
    }

    /// The card a row in `form` replays — its key stored with exactly these columns — or nil (the row then
    /// goes through the rules and `apply`). No rule need run for a match: see `StoredForm`.
    package func replayedCardID(_ form: StoredForm) throws(DatabaseError) -> String? {
        if followsCards, let next = try nextFollowedCard(hasKeyOf: form) {
            // The next card in creation order has the row's key: it is the row's card (keys are unique).
            lastReplayedSeq = next.integer(6)
            guard bodyEquals(next, form) else {
                stopFollowingCards()
                return nil
            }
            return next.text(0)
        }
        let lookup = try selectByKey.get()
        lookup.rewind()
        try lookup.bind(1, form.entityID)
        try lookup.bind(2, form.externalID)
        defer { lookup.rewind() }
        // No card or another body: the row goes through the rules; `apply` closes the cursor if it writes.
        guard try lookup.step(), bodyEquals(lookup, form), let seq = lookup.integer(6) else { return nil }
        expectsStoredKeys = true
        if followsCards {
            stopFollowingCards()  // the card is elsewhere: rows stopped following the cards' order
        } else if let last = lastReplayedSeq, last &+ 1 == seq {
            // Two neighbouring cards in a row: follow the cards' order from here.
            let cursor = try cardsAfter.get()
            cursor.rewind()
            try cursor.bind(1, seq)
            followsCards = true
            followedCardIsPending = false
        }
        lastReplayedSeq = seq
        return lookup.text(0)
    }

    /// `cardsAfter` standing on the next followed card — the pending one, else the next one it steps to —
    /// when that card has `form`'s key; nil otherwise, and a card without it is left pending for the next
    /// row. At the end of the table the cursor is closed.
    private func nextFollowedCard(hasKeyOf form: StoredForm) throws(DatabaseError) -> Statement? {
        let cursor = try cardsAfter.get()
        if !followedCardIsPending {
            guard try cursor.step() else {
                stopFollowingCards()
                return nil
            }
        }
        let matches = cursor.textEquals(7, form.entityID) && cursor.textEquals(8, form.externalID)
        followedCardIsPending = !matches
        return matches ? cursor : nil
    }

    /// Whether the stored card in `row` (columns 1–5) has `form`'s body.
    private func bodyEquals(_ row: Statement, _ form: StoredForm) -> Bool {
        Self.differingBody(
            row, from: 1, accountID: form.accountID, type: form.type, lastFour: form.lastFour,
            replacementFor: form.replacementFor, metadataJSON: form.metadataJSON
        ).isEmpty
    }

    /// Closes `cardsAfter`: a write to the cards or the end of the transaction is coming, or rows stopped
    /// following the cards' order. The next replayed row is looked up by its key.
    private func stopFollowingCards() {
        guard followsCards else { return }
        if case .success(let cursor) = cardsAfter { cursor.rewind() }
        followsCards = false
        followedCardIsPending = false
    }

    /// The body fields (SPEC §4) in which the stored card in `row` — account_id, type, last_four,
    /// replacement_for and metadata in the five columns from `column` on — differs from the given values,
    /// byte for byte; empty when the bodies are the same. The one comparison behind replayed, conflicts and
    /// reconcile's `differs`.
    static func differingBody(
        _ row: Statement, from column: Int32, accountID: String, type: String, lastFour: String,
        replacementFor: String?, metadataJSON: String
    ) -> [String] {
        var differing: [String] = []
        if !row.textEquals(column, accountID) { differing.append("account_id") }
        if !row.textEquals(column + 1, type) { differing.append("type") }
        if !row.textEquals(column + 2, lastFour) { differing.append("details.last_four") }
        if !row.textEquals(column + 3, replacementFor) { differing.append("details.replacement_for") }
        if !row.textEquals(column + 4, metadataJSON) { differing.append("metadata") }
        return differing
    }

    /// `differingBody` for a request's fields.
    static func differingBody(_ row: Statement, from column: Int32, _ request: CardRequest) -> [String] {
        differingBody(
            row, from: column, accountID: request.accountID, type: request.type.rawValue, lastFour: request.lastFour,
            replacementFor: request.replacementFor, metadataJSON: request.metadataJSON)
    }

    /// The first and last rowid of the cards created since the last call (nil when none), and starts over:
    /// a loader records them with each committed batch (`UploadLog.addBatch`).
    package func takeCreatedRowIDs() -> ClosedRange<Int64>? {
        defer { createdRowIDs = nil }
        return createdRowIDs
    }

    /// The outcome when the row's key is already stored: replayed, updated or a conflict; nil when the key is new.
    private func outcomeForExistingKey(_ request: CardRequest, policy: ConflictPolicy, now: String) throws(DatabaseError) -> RowOutcome? {
        let lookup = try selectByKey.get()
        lookup.rewind()
        try lookup.bind(1, request.entityID)
        try lookup.bind(2, request.externalID)
        defer { lookup.rewind() }
        guard try lookup.step() else { return nil }
        let cardID = lookup.text(0) ?? ""
        if lookup.textEquals(7, "lead") {
            lookup.rewind()
            return .rejected([RowError(
                field: nil, code: .idempotencyConflict,
                message: "external_id \"\(request.externalID)\" of \(request.entityID) was loaded from a Lead card file as"
                    + " \(cardID); a card belongs to the kind of file that created it: change it with a Lead card file")])
        }
        let differing = Self.differingBody(lookup, from: 1, request)
        let updates = policy == .update && differing == ["metadata"]
        // A conflict names the stored values: read them before the statement lets go of the row.
        let details = differing.isEmpty || updates ? "" : Self.conflictDetails(lookup, request, differing: differing)
        lookup.rewind()
        if differing.isEmpty { return .replayed(cardID: cardID) }

        if updates {
            try updateMetadata.get().execute([.text(request.metadataJSON), .text(now), .text(cardID)])
            return .updated(cardID: cardID)
        }
        let advice = differing == ["metadata"] ? "; to replace its metadata, give --on-conflict update" : ""
        if conflictHint == nil {
            conflictHint = FileHint(
                .idempotencyConflict,
                "idempotency_conflict: a row's key was loaded before with another body (\(details)); a key keeps the"
                    + " body it was first loaded with — send the stored values\(advice)")
        }
        return .rejected([RowError(
            field: nil, code: .idempotencyConflict,
            message: "external_id \"\(request.externalID)\" of \(request.entityID) was already loaded as \(cardID)"
                + " with a different body (\(details)); the stored card is unchanged\(advice)")])
    }

    /// Each field in which the stored card in `row` (columns 1–5) differs from `request`, with both values
    /// (masked, cut to 40 characters); metadata key by key: `metadata.amount: "1.50" stored, "1.5" in the file`.
    static func conflictDetails(_ row: Statement, _ request: CardRequest, differing: [String]) -> String {
        func echo(_ text: String?) -> String { text.map { Echo.quoted($0, limit: 40) } ?? "none" }
        func both(_ field: String, _ stored: String?, _ file: String?) -> String {
            "\(field): \(echo(stored)) stored, \(echo(file)) in the file"
        }
        var parts: [String] = []
        for field in differing {
            switch field {
            case "account_id": parts.append(both(field, row.text(1), request.accountID))
            case "type": parts.append(both(field, row.text(2), request.type.rawValue))
            case "details.last_four": parts.append(both(field, row.text(3), request.lastFour))
            case "details.replacement_for": parts.append(both(field, row.text(4), request.replacementFor))
            default:
                var stored: [(key: String, value: String)] = []
                if let json = row.text(5), case .object(let members)? = try? JSONDocumentParser.parse(Array(json.utf8)) {
                    stored = members.compactMap { member in
                        if case .string(let value) = member.value { return (member.key, value) }
                        return nil
                    }
                }
                func value(_ key: String, in list: [(key: String, value: String)]) -> String? {
                    list.first { $0.key.utf8.elementsEqual(key.utf8) }?.value
                }
                var keys: [String] = []
                for key in stored.map(\.key) + request.metadata.map(\.key)
                where !keys.contains(where: { $0.utf8.elementsEqual(key.utf8) }) {
                    keys.append(key)
                }
                for key in keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    let old = value(key, in: stored), new = value(key, in: request.metadata)
                    let same = old.map { old in new.map { old.utf8.elementsEqual($0.utf8) } ?? false } ?? (new == nil)
                    if !same { parts.append(both("metadata." + CardNumber.mask(key), old, new)) }
                }
                if parts.isEmpty { parts.append("metadata") }
            }
        }
        return parts.joined(separator: "; ")
    }

    /// Why `replaced` cannot be replaced by a new card of `entityID`, or nil when it can.
    private func replacementError(_ replaced: String, entityID: String) throws(DatabaseError) -> RowError? {
        let field = "details.replacement_for"
        let statement = try selectReplaced.get()
        let found = try statement.queryOne([.text(replaced)]) { ($0.text(0) ?? "", $0.text(1) ?? "", $0.text(2)) }
        guard let (storedEntity, status, replacedBy) = found, bytesEqual(storedEntity, entityID) else {
            return RowError(field: field, code: .cardNotFound, message: "card \(replaced) does not exist in \(entityID)")
        }
        if status != CardStatus.closed.rawValue {
            return RowError(
                field: field, code: .replacedCardNotClosed,
                message: "card \(replaced) is \(status); a card must be closed before it is replaced")
        }
        if let replacedBy {
            return RowError(
                field: field, code: .cardAlreadyReplaced,
                message: "card \(replaced) is already replaced by \(replacedBy)")
        }
        return nil
    }

    // MARK: Reading

    /// The card with `id`, or nil.
    package func card(id: String) throws(DatabaseError) -> Card? {
        let statement = try database.prepare("SELECT \(Self.cardColumns) FROM cards WHERE id = ?")
        return try statement.queryOne([.text(id)], Self.readCard)
    }

    /// The card with the key (entity_id, external_id), or nil.
    package func card(entityID: String, externalID: String) throws(DatabaseError) -> Card? {
        let statement = try database.prepare(
            "SELECT \(Self.cardColumns) FROM cards WHERE " + CardKey.matchSQL())
        return try statement.queryOne([.text(entityID), .text(externalID)], Self.readCard)
    }

    /// Filters for `cards list`; nil means any.
    package struct ListFilter: Sendable {
        package var entityID: String?
        package var accountID: String?
        package var status: CardStatus?
        package var uploadID: String?
        package init(entityID: String? = nil, accountID: String? = nil, status: CardStatus? = nil, uploadID: String? = nil) {
            self.entityID = entityID
            self.accountID = accountID
            self.status = status
            self.uploadID = uploadID
        }

        /// The filter as an SQL condition on `cards` (`1` when it is empty) and its parameters: the one
        /// place `cards list` and the CSV export's key pass take their WHERE clause from.
        package func sql(and extra: [String] = []) -> (String, [SQLValue?]) {
            var conditions = extra
            var values: [SQLValue?] = []
            if let entityID { conditions.append("entity_id = ?"); values.append(.text(entityID)) }
            if let accountID { conditions.append("account_id = ?"); values.append(.text(accountID)) }
            if let status { conditions.append("status = ?"); values.append(.text(status.rawValue)) }
            if let uploadID {
                conditions.append("upload_seq = (SELECT seq FROM uploads WHERE id = ?)")
                values.append(.text(uploadID))
            }
            return (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), values)
        }
    }

    /// Streams the cards that match `filter`, oldest first.
    package func forEachCard(matching filter: ListFilter, _ body: (Card) throws -> Void) throws {
        let (whereClause, values) = filter.sql()
        let statement = try database.prepare("SELECT \(Self.cardColumns) FROM cards WHERE \(whereClause) ORDER BY rowid")
        try statement.forEachRow(values) { row in try body(Self.readCard(row)) }
    }

    /// A row of `cardColumns` as a card.
    private static func readCard(_ row: Statement) -> Card {
        Card(
            id: row.text(0) ?? "", externalID: row.text(1), accountID: row.text(2) ?? "",
            entityID: row.text(3) ?? "", type: row.text(4) ?? "",
            status: CardStatus(rawValue: row.text(5) ?? "") ?? .active, statusReason: row.text(6),
            createdAt: row.text(7) ?? "", updatedAt: row.text(8) ?? "", lastFour: row.text(9),
            replacementFor: row.text(10), replacedBy: row.text(11), metadataJSON: row.text(12) ?? "{}",
            uploadID: row.text(13), fileKind: Card.FileKind(rawValue: row.text(14) ?? "") ?? .native,
            productName: row.text(15), isVirtual: row.integer(16).map { $0 != 0 }, cardType: row.text(17),
            expiryDate: row.text(18), activatedAt: row.text(19), closedAt: row.text(20))
    }

    // MARK: Status

    /// Why a status change was refused.
    package enum StatusChangeError: Error {
        case notFound
        case forbidden(from: CardStatus, to: CardStatus)
    }

    /// Moves card `id` to `status` (SPEC §9's moves, for every card: `CardStatus.canChange`) in its own
    /// transaction and returns the card. Setting the status a card already has changes nothing. Closing a
    /// card a Lead file created also sets its closed_at to the change's time, its `updated_at`, unless its
    /// file gave one already, and its closed_reason to the reason unless its file gave one (`status_reason`
    /// is the reason, as for every card).
    package func setStatus(id: String, to status: CardStatus, reason: String?) throws -> Card {
        try database.writeTransaction {
            guard let card = try card(id: id) else { throw StatusChangeError.notFound }
            if card.status == status { return card }
            guard card.status.canChange(to: status) else {
                throw StatusChangeError.forbidden(from: card.status, to: status)
            }
            // Only a Lead card being closed gets a closed_at, and only when its file gave none yet: Lead's
            // closed_at does not change once set.
            let update = try database.prepare(
                "UPDATE cards SET status = ?1, status_reason = ?2, updated_at = ?3,"
                    + " closed_at = CASE WHEN ?1 = 'closed' AND file_kind = 'lead' THEN coalesce(closed_at, ?3)"
                    + " ELSE closed_at END,"
                    + " closed_reason = CASE WHEN ?1 = 'closed' AND file_kind = 'lead' THEN coalesce(closed_reason, ?2)"
                    + " ELSE closed_reason END WHERE id = ?4")
            // A reason is free text: a card number in it is stored masked, never whole.
            let storedReason = status == .active ? nil : reason.map(CardNumber.mask)
            try update.execute([.text(status.rawValue), .text(storedReason), .text(Timestamp.now()), .text(id)])
            guard let changed = try self.card(id: id) else { throw StatusChangeError.notFound }
            return changed
        }
    }
}

/// Byte-for-byte equality of two optional strings (Swift's `==` uses canonical equivalence).
func bytesEqual(_ lhs: String?, _ rhs: String?) -> Bool {
    switch (lhs, rhs) {
    case (nil, nil): true
    case let (left?, right?): left.utf8.elementsEqual(right.utf8)
    default: false
    }
}
