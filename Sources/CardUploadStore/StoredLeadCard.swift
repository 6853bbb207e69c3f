import CardUploadModel
import CardUploadRules

/// What became of a row: an outcome, or held until the rest of the file is applied.
package enum AppliedRow: Sendable {
    case outcome(RowOutcome)
    case held
}

/// A stored Lead card's record, as the store keeps it.
struct StoredLeadCard {
    var id: String
    var isLead: Bool
    var accountID: String
    var productName: String?
    var isVirtual: Bool?
    var cardType: String?
    var createdAt: String
    var status: CardStatus
    var activatedAt: String?
    var expiryDate: String?
    var closedAt: String?
    var closedReason: String?
    /// The client_card_id of the card that replaces this one.
    var replacedBy: String?
    var rowID: Int64

    /// The card in a row of `LeadCardStore.selectByKeySQL`.
    init(row: Statement) {
        id = row.text(0) ?? ""
        isLead = row.textEquals(1, "lead")
        accountID = row.text(2) ?? ""
        productName = row.text(3)
        isVirtual = row.integer(4).map { $0 != 0 }
        cardType = row.text(5)
        createdAt = row.text(6) ?? ""
        status = CardStatus(rawValue: row.text(7) ?? "") ?? .active
        activatedAt = row.text(8)
        expiryDate = row.text(9)
        closedAt = row.text(10)
        closedReason = row.text(11)
        replacedBy = row.text(12)
        rowID = row.integer(13) ?? 0
    }

    /// The Lead columns in which `card` differs from this record (generated_at aside; entity_id and
    /// client_card_id are the key).
    func differingColumns(from card: LeadCard) -> [LeadColumn] {
        var changed: [LeadColumn] = []
        if !bytesEqual(accountID, card.accountID) { changed.append(.accountID) }
        if !bytesEqual(productName, card.productName) { changed.append(.productName) }
        if isVirtual != card.isVirtual { changed.append(.isVirtual) }
        if !bytesEqual(cardType, card.cardType.rawValue) { changed.append(.cardType) }
        if !bytesEqual(createdAt, card.createdAt) { changed.append(.createdAt) }
        if status != card.status { changed.append(.cardStatus) }
        if !bytesEqual(activatedAt, card.activatedAt) { changed.append(.activatedAt) }
        if !bytesEqual(expiryDate, card.expiryDate) { changed.append(.expiryDate) }
        if !bytesEqual(closedAt, card.closedAt) { changed.append(.closedAt) }
        if !bytesEqual(closedReason, card.closedReason) { changed.append(.closedReason) }
        if !bytesEqual(replacedBy, card.replacedBy) { changed.append(.replacedBy) }
        return changed
    }

    /// Why the record may not become `card` (its `changed` columns), or nil when the update is allowed:
    /// a closed card takes nothing but a first replaced_by; Lead's immutable fields, one error each; the
    /// lifecycle's status moves.
    func updateErrors(to card: LeadCard, changed: [LeadColumn]) -> [RowError]? {
        if status == .closed {
            guard changed == [.replacedBy], replacedBy == nil else {
                let columns = changed.map(\.name).joined(separator: ", ")
                return [RowError(
                    field: nil, code: .cardClosed,
                    message: "card \(id) is closed and a closed card cannot change (Lead: a closed card cannot be"
                        + " re-opened); this row changes \(columns) — only a first replaced_by may still be set")]
            }
            return nil
        }
        var errors: [RowError] = []
        let alwaysImmutable: [LeadColumn] = [.accountID, .isVirtual, .cardType, .createdAt, .activatedAt, .expiryDate]
        let onceSet: [(LeadColumn, String?)] = [(.closedAt, closedAt), (.closedReason, closedReason), (.replacedBy, replacedBy)]
        for column in changed {
            let immutable = alwaysImmutable.contains(column)
                || onceSet.contains { $0.0 == column && $0.1 != nil }
            guard immutable else { continue }
            errors.append(RowError(
                field: column.name, code: .immutableField,
                message: "\(column.name) cannot change once set (Lead's immutable fields); card \(id) has"
                    + " \(shown(column)) — send the stored value"))
        }
        if changed.contains(.cardStatus), !status.canChange(to: card.status) {
            errors.append(RowError(
                field: LeadColumn.cardStatus.name, code: .invalidStatusTransition,
                message: "card \(id) is \(status.rawValue) and cannot become \(card.status.rawValue); allowed:"
                    + " active ↔ inactive, active or inactive → closed or expired, expired → closed"))
        }
        return errors.isEmpty ? nil : errors
    }

    /// The stored value of `column`, quoted, for a message (never a card number: these columns are checked).
    private func shown(_ column: LeadColumn) -> String {
        let value: String? = switch column {
        case .accountID: accountID
        case .isVirtual: isVirtual.map { $0 ? "true" : "false" }
        case .cardType: cardType
        case .createdAt: createdAt
        case .activatedAt: activatedAt
        case .expiryDate: expiryDate
        case .closedAt: closedAt
        case .closedReason: closedReason.map(CardNumber.mask)
        case .replacedBy: replacedBy
        default: nil
        }
        return value.map { "\"\($0)\"" } ?? "none"
    }
}

extension LeadCard {
    /// The card's 14 values in `LeadColumn` order, as the file spells them normalised (nil when empty).
    package var fields: [String?] {
        LeadColumn.allCases.map { column in
            switch column {
            case .clientCardID: clientCardID
            case .accountID: accountID
            case .entityID: entityID
            case .productName: productName
            case .isVirtual: isVirtual ? "true" : "false"
            case .cardType: cardType.rawValue
            case .createdAt: createdAt
            case .cardStatus: status.rawValue
            case .activatedAt: activatedAt
            case .expiryDate: expiryDate
            case .closedAt: closedAt
            case .closedReason: closedReason
            case .replacedBy: replacedBy
            case .generatedAt: generatedAt
            }
        }
    }

    /// The card from its `fields` (as `fields` writes them); nil when they are not a card's.
    package init?(fields: [String?]) {
        guard fields.count == LeadColumn.allCases.count else { return nil }
        func value(_ column: LeadColumn) -> String? { fields[column.rawValue] }
        guard let clientCardID = value(.clientCardID), let accountID = value(.accountID),
              let entityID = value(.entityID), let productName = value(.productName),
              let cardType = value(.cardType).flatMap(LeadCardType.init(rawValue:)),
              let createdAt = value(.createdAt), let status = value(.cardStatus).flatMap(CardStatus.init(rawValue:)),
              let activatedAt = value(.activatedAt), let expiryDate = value(.expiryDate),
              let generatedAt = value(.generatedAt)
        else { return nil }
        self.init(
            clientCardID: clientCardID, accountID: accountID, entityID: entityID, productName: productName,
            isVirtual: value(.isVirtual) == "true", cardType: cardType, createdAt: createdAt, status: status,
            activatedAt: activatedAt, expiryDate: expiryDate, closedAt: value(.closedAt),
            closedReason: value(.closedReason), replacedBy: value(.replacedBy), generatedAt: generatedAt)
    }
}

/// A list of optional strings as one text (a held row's fields and cells): each value as its UTF-8 length,
/// `:` and its bytes, or `-` for nil.
enum HeldText {
    static func encode(_ values: [String?]) -> String {
        var text = ""
        for value in values {
            if let value {
                text += "\(value.utf8.count):"
                text += value
            } else {
                text += "-"
            }
        }
        return text
    }

    static func encodeCells(_ values: [String]) -> String { encode(values.map(Optional.some)) }

    static func decode(_ text: String) -> [String?] {
        let bytes = Array(text.utf8)
        var values: [String?] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "-") {
                values.append(nil)
                index += 1
                continue
            }
            var length = 0
            while index < bytes.count, bytes[index] != UInt8(ascii: ":") {
                length = length * 10 + Int(bytes[index] &- 0x30)
                index += 1
            }
            index += 1
            let end = min(index + length, bytes.count)
            values.append(String(decoding: bytes[index..<end], as: UTF8.self))
            index = end
        }
        return values
    }

    static func decodeCells(_ text: String) -> [String] { decode(text).map { $0 ?? "" } }
}

/// A fixed-size set of keys that may answer "maybe" for a key never inserted, never "no" for one that was:
/// 1,048,576 bits (128 KiB), one per key (its `CardKey.hash`, mixed): with 10,000 keys
/// held, one row in a hundred asks the table for nothing.
struct KeyFilter {
    private var bits = [UInt64](repeating: 0, count: 1 << 14)

    mutating func insert(keyHash: Int64) {
        let bit = Self.bit(keyHash)
        bits[bit >> 6] |= 1 << UInt64(bit & 63)
    }

    func mayContain(keyHash: Int64) -> Bool {
        let bit = Self.bit(keyHash)
        return bits[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    /// One of the filter's 2^20 bits, from the key's `CardKey.hash` (which the reading thread has already
    /// computed), mixed by MurmurHash3's finaliser so that keys counted upwards spread over the filter.
    private static func bit(_ keyHash: Int64) -> Int {
        var hash = UInt64(bitPattern: keyHash)
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return Int(truncatingIfNeeded: hash & 0xF_FFFF)
    }
}
