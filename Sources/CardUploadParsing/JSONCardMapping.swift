import CardUploadModel

/// Maps one JSON-lines object to the card fields, as SPEC §2 and §3 say; the card rules check them later.
///
/// `null` means absent. Top-level keys starting with `_` are annotations and ignored; system-managed keys
/// become `field_not_settable`, any other unknown key `unknown_field` (`details.<key>` inside `details`).
/// Keys are matched byte for byte, so a key that is only canonically equivalent to a field name is unknown.
package enum JSONCardMapping {
    /// Top-level keys the API manages itself.
    static let systemManagedKeys: Set<String> = [
        "id", "status", "status_reason", "replaced_by", "created_at", "updated_at",
    ]

    /// The card fields of one object's members, in input order.
    package static func card(from members: [(key: String, value: JSONValue)]) -> RawCard {
        var card = RawCard()
        for (key, value) in members {
            // Only an all-ASCII key can name a field: Swift's `==` on ASCII strings is byte for byte.
            guard key.utf8.allSatisfy({ $0 < 0x80 }) else {
                if key.utf8.first != JSONByte.underscore {
                    card.extraFields.append((key, .unknownField))
                }
                continue
            }
            switch key {
            case "external_id": card.externalID = rawValue(of: value)
            case "account_id": card.accountID = rawValue(of: value)
            case "entity_id": card.entityID = rawValue(of: value)
            case "type": card.type = rawValue(of: value)
            case "details": mapDetails(value, into: &card)
            case "metadata": mapMetadata(value, into: &card)
            case _ where key.utf8.first == JSONByte.underscore: continue
            case _ where systemManagedKeys.contains(key): card.extraFields.append((key, .fieldNotSettable))
            default: card.extraFields.append((key, .unknownField))
            }
        }
        return card
    }

    /// A JSON value as the rules see it; `null` is absent.
    package static func rawValue(of value: JSONValue) -> RawValue? {
        switch value {
        case .null: nil
        case .bool(let flag): .bool(flag)
        case .number(let literal): .number(literal)
        case .string(let text): .string(text)
        case .array: .array
        case .object: .object
        }
    }

    private static func mapDetails(_ value: JSONValue, into card: inout RawCard) {
        guard case .object(let members) = value else {
            card.detailsNotObject = rawValue(of: value)
            return
        }
        for (key, member) in members {
            if key.utf8.elementsEqual("last_four".utf8) {
                card.lastFour = rawValue(of: member)
            } else if key.utf8.elementsEqual("replacement_for".utf8) {
                card.replacementFor = rawValue(of: member)
            } else {
                card.extraFields.append(("details." + key, .unknownField))
            }
        }
    }

    private static func mapMetadata(_ value: JSONValue, into card: inout RawCard) {
        guard case .object(let members) = value else {
            card.metadataNotObject = rawValue(of: value)
            return
        }
        card.metadata.reserveCapacity(members.count)
        for (key, member) in members {
            if case .string(let text) = member, text.utf8.isEmpty {
                continue
            }
            if let raw = rawValue(of: member) {
                card.metadata.append((key, raw))
            }
        }
    }
}
