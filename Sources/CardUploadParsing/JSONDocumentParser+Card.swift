import CardUploadModel

/// The common shape of a JSON-lines card read straight into a `RawCard`, without building a `JSONValue`
/// tree and mapping it (`JSONCardMapping`): the tree's arrays and their frees were most of the reading
/// thread's time on a JSON-lines load.
///
/// The shape: one object whose keys are card fields (`external_id`, `account_id`, `entity_id`, `type`,
/// `details`, `metadata`, each once, written without escapes), whose field values are strings, numbers,
/// booleans or null, whose `details` is an object of `last_four` and `replacement_for`, and whose
/// `metadata` is an object of strings, numbers, booleans or null. Anything else — a syntax error, a
/// duplicate key, another key, a nested value anywhere else, `details` or `metadata` not an object —
/// answers nil, and the caller parses and maps the line in full, which then gives its error or its card.
/// So this path answers only where the full one gives the same card, built the same way: values by the
/// same string and number parsers, null as absent, a metadata value `null` or `""` dropped, metadata in
/// input order. The fuzz target `fuzz-jsonl` checks that the reader's card is the full mapping's. The
/// work per line stays linear: top-level and `details` keys are checked against a bit set, and a
/// `metadata` object of more than `linearKeyLimit` keys is left to the full parser.
extension JSONDocumentParser {
    /// The card of `bytes` when it has the common shape, else nil (parse and map it in full).
    package static func commonShapeCard(_ bytes: UnsafeBufferPointer<UInt8>) -> RawCard? {
        var parser = JSONDocumentParser(bytes: bytes)
        return parser.parseCommonShapeCard()
    }

    /// The card of `bytes` when it has the common shape, else nil.
    package static func commonShapeCard(_ bytes: ArraySlice<UInt8>) -> RawCard? {
        bytes.withUnsafeBufferPointer { commonShapeCard($0) }
    }

    /// The card fields a top-level key can name; the raw value is the bit it sets in `seen`.
    private enum Field: UInt8 {
        case externalID = 1, accountID = 2, entityID = 4, type = 8, details = 16, metadata = 32
    }

    private mutating func parseCommonShapeCard() -> RawCard? {
        skipWhitespace()
        guard take(JSONByte.openBrace) else { return nil }
        var card = RawCard()
        var seen: UInt8 = 0
        skipWhitespace()
        if !take(JSONByte.closeBrace) {
            repeat {
                skipWhitespace()
                guard let field = fieldKey(), seen & field.rawValue == 0, takeColon() else { return nil }
                seen |= field.rawValue
                switch field {
                case .details:
                    guard parseDetails(into: &card) else { return nil }
                case .metadata:
                    guard parseMetadata(into: &card) else { return nil }
                default:
                    guard let value = scalar() else { return nil }
                    switch field {
                    case .externalID: card.externalID = value.raw
                    case .accountID: card.accountID = value.raw
                    case .entityID: card.entityID = value.raw
                    default: card.type = value.raw
                    }
                }
                skipWhitespace()
            } while take(JSONByte.comma)
            guard take(JSONByte.closeBrace) else { return nil }
        }
        skipWhitespace()
        return position == bytes.count ? card : nil
    }

    /// `details`: an object of `last_four` and `replacement_for`, each at most once.
    private mutating func parseDetails(into card: inout RawCard) -> Bool {
        guard take(JSONByte.openBrace) else { return false }
        skipWhitespace()
        if take(JSONByte.closeBrace) { return true }
        var seenLastFour = false, seenReplacementFor = false
        repeat {
            skipWhitespace()
            guard let key = plainKey() else { return false }
            if Self.equals(key, "last_four"), !seenLastFour {
                seenLastFour = true
                guard takeColon(), let value = scalar() else { return false }
                card.lastFour = value.raw
            } else if Self.equals(key, "replacement_for"), !seenReplacementFor {
                seenReplacementFor = true
                guard takeColon(), let value = scalar() else { return false }
                card.replacementFor = value.raw
            } else {
                return false
            }
            skipWhitespace()
        } while take(JSONByte.comma)
        return take(JSONByte.closeBrace)
    }

    /// `metadata`: an object of scalars; keys compared byte for byte for duplicates, including the keys
    /// of dropped values.
    private mutating func parseMetadata(into card: inout RawCard) -> Bool {
        guard take(JSONByte.openBrace) else { return false }
        skipWhitespace()
        if take(JSONByte.closeBrace) { return true }
        var dropped: [String] = []
        repeat {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == JSONByte.quote,
                  let key = try? parseString(), takeColon()
            else { return false }
            // At most `linearKeyLimit` keys here, each compared with the earlier ones: bounded work per
            // line. An object with more is the full parser's (it switches to a set).
            guard card.metadata.count + dropped.count < Self.linearKeyLimit else { return false }
            for earlier in card.metadata where Self.sameBytes(earlier.key, key) { return false }
            for earlier in dropped where Self.sameBytes(earlier, key) { return false }
            switch scalar() {
            case nil: return false
            case .null?: dropped.append(key)
            case .value(.string(let text))? where text.utf8.isEmpty: dropped.append(key)
            case .value(let value)?: card.metadata.append((key, value))
            }
            skipWhitespace()
        } while take(JSONByte.comma)
        return take(JSONByte.closeBrace)
    }

    /// A value of the common shape: a scalar as the mapping gives it, or null (absent).
    private enum Scalar {
        case value(RawValue)
        case null

        var raw: RawValue? {
            if case .value(let value) = self { value } else { nil }
        }
    }

    /// The string, number, boolean or null at `position`; nil for anything else.
    private mutating func scalar() -> Scalar? {
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case JSONByte.quote:
            return (try? parseString()).map { .value(.string($0)) }
        case JSONByte.minus, JSONByte.zero...JSONByte.nine:
            return (try? parseNumber()).map { .value(.number($0)) }
        case UInt8(ascii: "t"):
            return (try? parseLiteral("true")) != nil ? .value(.bool(true)) : nil
        case UInt8(ascii: "f"):
            return (try? parseLiteral("false")) != nil ? .value(.bool(false)) : nil
        case UInt8(ascii: "n"):
            return (try? parseLiteral("null")) != nil ? .null : nil
        default:
            return nil
        }
    }

    /// The top-level key at `position` when it is a card field written without escapes.
    private mutating func fieldKey() -> Field? {
        guard let key = plainKey() else { return nil }
        if Self.equals(key, "external_id") { return .externalID }
        if Self.equals(key, "account_id") { return .accountID }
        if Self.equals(key, "entity_id") { return .entityID }
        if Self.equals(key, "type") { return .type }
        if Self.equals(key, "details") { return .details }
        if Self.equals(key, "metadata") { return .metadata }
        return nil
    }

    /// The bytes of a key at `position` written without escapes (its quotes skipped), else nil.
    private mutating func plainKey() -> UnsafeBufferPointer<UInt8>? {
        guard position < bytes.count, bytes[position] == JSONByte.quote else { return nil }
        let start = position + 1
        var end = start
        while end < bytes.count {
            let byte = bytes[end]
            if byte == JSONByte.quote {
                position = end + 1
                return UnsafeBufferPointer(rebasing: bytes[start..<end])
            }
            // Escapes, control characters and non-ASCII bytes: the full path (no field name has them).
            if byte == JSONByte.backslash || byte < 0x20 || byte >= 0x80 { return nil }
            end += 1
        }
        return nil
    }

    /// Skips white space and a colon and the white space after it.
    private mutating func takeColon() -> Bool {
        skipWhitespace()
        guard take(JSONByte.colon) else { return false }
        skipWhitespace()
        return true
    }

    /// Moves past `byte` when it is at `position`.
    private mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// Whether `bytes` are exactly `name`'s (the length first, so a mismatch is one comparison).
    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        bytes.count == name.utf8CodeUnitCount
            && bytes.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }
}
