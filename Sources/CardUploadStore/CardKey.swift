import CSQLite

/// How the store finds a card by its key (entity_id, external_id): by a 64-bit hash of the key (schema
/// version 4), in `card_keys` and `card_keys_recent` for the merged cards (two levels since schema version 7)
/// and in each connection's `PendingCardKeys` for the cards created since the last merge (schema version 6;
/// ARCHITECTURE.md, "Keys").
///
/// The key index used to hold both strings whole: for client ids such as UUIDs, 50–60 bytes per card,
/// inserted at random places, so a store of millions of cards had a key index several times the page cache
/// and every batch rewrote most of its leaf pages. The hash is about 17 bytes an entry, and since version 6
/// it goes into `card_keys` at a merge, in hash order, instead of with every insert.
///
/// The hash keeps what order helps. Its top 16 bits come from the entity_id alone, so one entity's cards
/// are one range of `card_keys` (`entityRange`: reconcile lists them without an index of their own). An id
/// counted upwards (`EMP-0001234`, `1234-staff`) counts in its last digits: the next 12 bits hash the id
/// without its last five digits, and the 17 after them are those digits' value, so such ids sit together in
/// the index. The low 19 bits come from the whole key. Random ids (UUIDs) spread over their entity's range.
///
/// Two different keys may have the same hash: among random ids (UUIDs) of one entity, 48 bits tell them
/// apart (about one pair among 24 million cards of one entity); ids counted upwards differ in their count;
/// and a pair can be made on purpose (the hash is not secret). Both cards keep it and `card_keys` holds both;
/// a look-up (`matchSQL`) compares the strings, so a hash never names a card by itself. Keys never change (a
/// trigger refuses it) and cards are never deleted.
///
/// The hash is stored, so it never changes. Its hashed parts are FNV-1a 64 then MurmurHash3's 64-bit
/// finaliser: over the entity_id's UTF-8 bytes; over those, a 0xFF byte (never in UTF-8 text, so where the
/// entity ends is part of the key) and the external_id's bytes but its counting digits; over the entity_id's
/// bytes, the 0xFF byte and the whole external_id (an id without a digit takes its 17 counting bits from
/// this one too).
package enum CardKey {
    /// The SQL function that computes `hash` for a statement: `card_key_hash(entity_id, external_id)`,
    /// registered on every connection (`register`).
    static let functionName = "card_key_hash"

    /// The condition that finds the card with the key bound as parameters ?1 (entity_id) and ?2 (external_id)
    /// of a statement on `cards` (named `alias` in it, when given): the pending card with the key's hash
    /// (`card_pending_seq`, `PendingCardKeys`), else the merged card at that hash in `card_keys`, else in
    /// `card_keys_recent` (one of several when keys share a hash), each compared byte for byte. Three scalar
    /// subqueries in a `coalesce` (each runs only when the one before found nothing: the main level first, since
    /// most stored cards are there, and a replay of them runs no third subquery), each one rowid seek or one
    /// search of its level then a seek, and the card's own seek: no temporary table per look-up (an `IN` or an
    /// `OR` would build one for every row).
    static func matchSQL(alias: String = "") -> String {
        let c = alias.isEmpty ? "" : alias + "."
        let hash = "\(functionName)(?1, ?2)"
        func merged(_ table: String) -> String {
            "(SELECT k.card FROM \(table) AS k JOIN cards AS m ON m.seq = k.card"
                + " WHERE k.key_hash = CASE WHEN \(Database.mergedKeyFunction)(\(hash)) THEN \(hash) END"
                + " AND m.entity_id = ?1 AND m.external_id = ?2)"
        }
        return "(\(c)seq = coalesce("
            + "(SELECT p.seq FROM cards AS p WHERE p.seq = \(Database.pendingCardFunction)(\(hash))"
            + " AND p.entity_id = ?1 AND p.external_id = ?2), "
            + merged("card_keys") + ", " + merged("card_keys_recent") + "))"
    }

    /// The key's 64-bit hash, as SQLite stores an integer.
    package static func hash(entityID: String, externalID: String) -> Int64 {
        var entity = entityID
        var external = externalID
        return entity.withUTF8 { entityBytes in
            external.withUTF8 { externalBytes in
                hash(entityID: UnsafeRawBufferPointer(entityBytes), externalID: UnsafeRawBufferPointer(externalBytes))
            }
        }
    }

    /// The hash of a Lead card's client_card_id alone (`hash` with an empty entity_id, which no card has): a
    /// Lead card's second entry in the key index, so that one client_card_id names one Lead card across
    /// entities (SPEC §9) without an index of the ids' text (ARCHITECTURE.md, "Keys").
    package static func leadIDHash(clientCardID: String) -> Int64 {
        hash(entityID: "", externalID: clientCardID)
    }

    /// `leadIDHash` of a row of `cards`, for a statement: NULL for a native card.
    static let leadIDHashSQL = "CASE WHEN file_kind = 'lead' THEN \(functionName)('', external_id) END"

    /// `hash` over raw UTF-8 bytes (SQLite's text values).
    static func hash(entityID: UnsafeRawBufferPointer, externalID: UnsafeRawBufferPointer) -> Int64 {
        var state = FNV.offset
        for byte in entityID { FNV.add(byte, to: &state) }
        let entityPart = finalized(state) >> 48
        FNV.add(0xFF, to: &state)
        var prefix = state
        let count = Count(externalID)
        for (index, byte) in externalID.enumerated() where !count.positions.contains(index) { FNV.add(byte, to: &prefix) }
        let prefixPart = finalized(prefix) >> 52
        for byte in externalID { FNV.add(byte, to: &state) }
        let key = finalized(state)
        guard let countPart = count.value else {
            // No digit, nothing counts: the whole key gives all 48 bits under the entity's.
            return Int64(bitPattern: entityPart << 48 | key & 0x0000_FFFF_FFFF_FFFF)
        }
        return Int64(bitPattern: entityPart << 48 | prefixPart << 36 | countPart << 19 | key >> 45)
    }

    /// Where an id counts: its last five ASCII digits at most (from the first of them to the last:
    /// `EMP-0001234` → 01234, `1234-staff` → 1234) and their value; nil when it has no digit.
    private struct Count {
        var positions: Range<Int>
        var value: UInt64?

        init(_ bytes: UnsafeRawBufferPointer) {
            var digits = 0
            var number: UInt64 = 0
            var place: UInt64 = 1
            var index = bytes.count
            var first = bytes.count
            var last = -1
            while index > 0, digits < 5 {
                index -= 1
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { continue }
                number += UInt64(byte - UInt8(ascii: "0")) * place
                place *= 10
                digits += 1
                first = index
                if last < 0 { last = index }
            }
            positions = digits == 0 ? 0..<0 : first..<(last + 1)
            value = digits == 0 ? nil : number
        }
    }

    /// The smallest and largest hash of a key of `entityID`: its merged cards are in this range of `card_keys`
    /// (with the cards of any entity whose 16 bits are the same).
    package static func entityRange(_ entityID: String) -> ClosedRange<Int64> {
        let low = hash(entityID: entityID, externalID: "") & ~0x0000_FFFF_FFFF_FFFF
        return low...(low | 0x0000_FFFF_FFFF_FFFF)
    }

    /// A text value's UTF-8 bytes (`sqlite3_value_text` first, then its length, as SQLite asks).
    private static func bytes(_ value: OpaquePointer?) -> UnsafeRawBufferPointer {
        guard let text = sqlite3_value_text(value) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: text, count: Int(sqlite3_value_bytes(value)))
    }

    private enum FNV {
        static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
        static let prime: UInt64 = 0x0000_0100_0000_01b3
        @inline(__always) static func add(_ byte: UInt8, to state: inout UInt64) {
            state = (state ^ UInt64(byte)) &* prime
        }
    }

    /// MurmurHash3's fmix64.
    private static func finalized(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h &*= 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }

    /// Registers `card_key_hash` on a connection: deterministic (SQLite computes it once per statement run
    /// when its arguments are parameters, and can use it in the schema), NULL when an argument is not text.
    static func register(on connection: OpaquePointer) {
        sqlite3_create_function_v2(
            connection, functionName, 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nil,
            { context, count, arguments in
                guard count == 2, let arguments,
                      sqlite3_value_type(arguments[0]) == SQLITE_TEXT, sqlite3_value_type(arguments[1]) == SQLITE_TEXT
                else {
                    sqlite3_result_null(context)
                    return
                }
                sqlite3_result_int64(
                    context, CardKey.hash(entityID: CardKey.bytes(arguments[0]), externalID: CardKey.bytes(arguments[1])))
            }, nil, nil, nil)
    }
}
