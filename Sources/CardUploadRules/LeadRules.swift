import CardUploadModel

/// The field rules and cross-field validations of SPEC §9 that need no store: a Lead card file's row
/// becomes a `LeadCard` or all of its row errors.
///
/// Each column gets at most one error, its checks taken in the order length, format, card number, then
/// the checks across fields; a row gets every column's error at once, in column order (`LeadColumn`).
/// A check across fields runs only when the fields it compares are valid on their own. Values are echoed
/// masked (`Echo`): a card number never appears whole in a message.
package enum LeadRules {
    static let maxIDScalars = 255
    static let maxReasonScalars = 500

    /// Every field rule and cross-field validation of SPEC §9 that needs no store, for one row. Date-times come
    /// out normalised (`LeadDateTime`), and normalised values compare as their bytes.
    ///
    /// `fileGeneratedAt` is the file's generated_at: nil until a row gives a valid one; the first valid
    /// generated_at sets it; a later row whose valid generated_at differs is `inconsistent_generated_at`.
    package static func check(_ raw: LeadRawRow, fileGeneratedAt: inout String?) -> Result<LeadCard, RowErrors> {
        var errors = ColumnErrors()
        let clientCardID = errors.value(text(raw, .clientCardID, as: .clientCardID), .clientCardID)
        let accountID = errors.value(text(raw, .accountID, as: .identifier), .accountID)
        let entityID = errors.value(text(raw, .entityID, as: .identifier), .entityID)
        let productName = errors.value(text(raw, .productName, as: .name), .productName)
        let isVirtual = errors.value(isVirtual(raw[.isVirtual]), .isVirtual)
        let cardType = errors.value(cardType(raw[.cardType]), .cardType)
        let createdAt = errors.value(dateTime(raw, .createdAt, required: true), .createdAt)
        let status = errors.value(status(raw[.cardStatus]), .cardStatus)
        let activatedAt = errors.value(dateTime(raw, .activatedAt, required: true), .activatedAt)
        let expiryDate = errors.value(date(raw, .expiryDate), .expiryDate)
        let closedAt = errors.value(dateTime(raw, .closedAt, required: false), .closedAt)
        let closedReason = errors.value(text(raw, .closedReason, as: .reason), .closedReason)
        let replacedBy = errors.value(text(raw, .replacedBy, as: .reference), .replacedBy)
        let generatedAt = errors.value(date(raw, .generatedAt), .generatedAt)

        if status == .closed {
            // One error per missing column; a column given but invalid has its own error already.
            for column in [LeadColumn.closedAt, .closedReason] where present(raw[column]) == nil {
                errors.add(RowError(field: column.name, code: .missingClosureDetails, message: Message.closureDetailMissing(column)), on: column)
            }
        }
        if let createdAt, let activatedAt, FieldText.bytesPrecede(activatedAt, createdAt) {
            errors.add(RowError(field: LeadColumn.activatedAt.name, code: .invalidActivation,
                                message: Message.activatedBeforeCreated(activatedAt, createdAt)), on: .activatedAt)
        }
        if let expiryDate, let error = expirationError(expiryDate, createdAt: createdAt, activatedAt: activatedAt) {
            errors.add(error, on: .expiryDate)
        }
        if let createdAt, let closedAt, FieldText.bytesPrecede(closedAt, createdAt) {
            errors.add(RowError(field: LeadColumn.closedAt.name, code: .invalidClosure,
                                message: Message.closedBeforeCreated(closedAt, createdAt)), on: .closedAt)
        }
        if let replacedBy {
            let field = LeadColumn.replacedBy.name
            if let clientCardID, FieldText.sameBytes(replacedBy, clientCardID) {
                errors.add(RowError(field: field, code: .invalidCardReference, message: Message.replacedByItself(replacedBy)), on: .replacedBy)
            } else if status == .active {
                errors.add(RowError(field: field, code: .replacedCardNotTerminal, message: Message.replacedWhileActive(replacedBy)), on: .replacedBy)
            }
        }
        if let generatedAt {
            if let fileGeneratedAt {
                if !FieldText.sameBytes(generatedAt, fileGeneratedAt) {
                    errors.add(RowError(field: LeadColumn.generatedAt.name, code: .inconsistentGeneratedAt,
                                        message: Message.otherGeneratedAt(generatedAt, file: fileGeneratedAt)), on: .generatedAt)
                }
            } else {
                fileGeneratedAt = generatedAt
            }
        }

        guard errors.isEmpty, let clientCardID, let accountID, let entityID, let productName, let isVirtual,
              let cardType, let createdAt, let status, let activatedAt, let expiryDate, let generatedAt else {
            return .failure(RowErrors(errors.inColumnOrder))
        }
        return .success(LeadCard(
            clientCardID: clientCardID, accountID: accountID, entityID: entityID, productName: productName,
            isVirtual: isVirtual, cardType: cardType, createdAt: createdAt, status: status, activatedAt: activatedAt,
            expiryDate: expiryDate, closedAt: closedAt, closedReason: closedReason, replacedBy: replacedBy,
            generatedAt: generatedAt
        ))
    }

    // MARK: - Field rules

    /// The text columns and what each allows.
    enum TextKind {
        /// client_card_id: required, 1–255 characters, no white space at either end, not `card_…`.
        case clientCardID
        /// account_id, entity_id: required, 1–255 characters, no white space at either end.
        case identifier
        /// client_card_product_name: required, 1–255 characters.
        case name
        /// closed_reason: optional, 1–500 characters.
        case reason
        /// replaced_by: optional, a client_card_id; a text that cannot be one is `invalid_format`.
        case reference

        var isRequired: Bool { self == .clientCardID || self == .identifier || self == .name }
        var maxScalars: Int { self == .reason ? LeadRules.maxReasonScalars : LeadRules.maxIDScalars }
        var isTrimmed: Bool { self == .clientCardID || self == .identifier || self == .reference }
    }

    /// The text of `column`, checked as `kind`: length, control characters, white space at the ends, the
    /// `card_` prefix, then a card number.
    static func text(_ raw: LeadRawRow, _ column: LeadColumn, as kind: TextKind) -> FieldCheck<String> {
        let field = column.name
        guard let text = present(raw[column]) else {
            return kind.isRequired ? .invalid(missing(column)) : .absent
        }
        // replaced_by has no too_long (SPEC §9): a text too long to be a client_card_id is not one.
        let lengthCode: ErrorCode = kind == .reference ? .invalidFormat : .tooLong
        if FieldText.isLonger(text, than: kind.maxScalars) {
            return .invalid(RowError(field: field, code: lengthCode, message: Message.tooLong(field, text, limit: kind.maxScalars)))
        }
        if FieldText.containsControl(text) {
            return .invalid(RowError(field: field, code: .invalidFormat, message: Message.control(field, text)))
        }
        if kind.isTrimmed, FieldText.hasWhitespaceAtEnds(text) {
            return .invalid(RowError(field: field, code: .invalidFormat, message: Message.whitespaceAtEnds(field, text)))
        }
        if kind == .clientCardID, FieldText.hasPrefix(text, "card_") {
            return .invalid(RowError(field: field, code: .invalidNamespace, message: Message.namespace(text)))
        }
        if kind == .reference, FieldText.hasPrefix(text, "card_") {
            return .invalid(RowError(field: field, code: .invalidFormat, message: Message.referenceToStoreID(text)))
        }
        if let error = StringTypeRule.cardNumberError(text, field: field) { return .invalid(error) }
        return .valid(text)
    }

    /// is_virtual: `true` or `false` in any letter case (spreadsheets write `TRUE`).
    static func isVirtual(_ value: String?) -> FieldCheck<Bool> {
        guard let text = present(value) else { return .invalid(missing(.isVirtual)) }
        if equalsIgnoringASCIICase(text, "true") { return .valid(true) }
        if equalsIgnoringASCIICase(text, "false") { return .valid(false) }
        return .invalid(RowError(field: LeadColumn.isVirtual.name, code: .invalidFormat, message: Message.notABoolean(text)))
    }

    private static let cardTypes = LeadCardType.allCases
    private static let statuses = CardStatus.allCases

    /// card_type: one of Lead's card types, byte for byte.
    static func cardType(_ value: String?) -> FieldCheck<LeadCardType> {
        guard let text = present(value) else { return .invalid(missing(.cardType)) }
        if let type = cardTypes.first(where: { FieldText.sameBytes($0.rawValue, text) }) { return .valid(type) }
        return .invalid(RowError(field: LeadColumn.cardType.name, code: .invalidEnum, message: Message.notACardType(text)))
    }

    /// card_status: `active`, `inactive`, `closed` or `expired`, byte for byte.
    static func status(_ value: String?) -> FieldCheck<CardStatus> {
        guard let text = present(value) else { return .invalid(missing(.cardStatus)) }
        if let status = statuses.first(where: { FieldText.sameBytes($0.rawValue, text) }) { return .valid(status) }
        return .invalid(RowError(field: LeadColumn.cardStatus.name, code: .invalidEnum, message: Message.notAStatus(text)))
    }

    /// The hint for a row whose date-times have no zone (read as UTC, SPEC §9), or nil: the first such column.
    package static func noZoneHint(_ raw: LeadRawRow) -> FileHint? {
        for column in [LeadColumn.createdAt, .activatedAt, .closedAt] {
            guard let text = raw[column], text.utf8.last != UInt8(ascii: "Z"), LeadDateTime.hasNoZone(text) else { continue }
            return FileHint(
                .leadTimeZone,
                "\(column.name) \(Echo.quoted(text)) has no time zone: date-times without one are read as UTC; if they"
                    + " are local times, write them with their offset (+02:00) or Z")
        }
        return nil
    }

    /// A date-time column, normalised to its UTC instant (`LeadDateTime.normalized`).
    static func dateTime(_ raw: LeadRawRow, _ column: LeadColumn, required: Bool) -> FieldCheck<String> {
        guard let text = present(raw[column]) else { return required ? .invalid(missing(column)) : .absent }
        guard let instant = LeadDateTime.normalized(text) else {
            return .invalid(RowError(field: column.name, code: .invalidFormat, message: Message.notADateTime(column.name, text)))
        }
        return .valid(instant)
    }

    /// A required date column, `YYYY-MM-DD`, a real calendar date.
    static func date(_ raw: LeadRawRow, _ column: LeadColumn) -> FieldCheck<String> {
        guard let text = present(raw[column]) else { return .invalid(missing(column)) }
        guard LeadDateTime.isCalendarDate(text) else {
            return .invalid(RowError(field: column.name, code: .invalidFormat, message: Message.notADate(column.name, text)))
        }
        return .valid(text)
    }

    /// `invalid_expiration` when `expiryDate` is before the UTC date of activated_at or of created_at (the later
    /// of the valid ones is named), or nil.
    private static func expirationError(_ expiryDate: String, createdAt: String?, activatedAt: String?) -> RowError? {
        // Normalised instants: `YYYY-MM-DD` is their first ten (ASCII) bytes, and a valid expiry date is ten bytes.
        let dateLength = 10
        var latest: (column: LeadColumn, instant: String)? = nil
        if let createdAt { latest = (.createdAt, createdAt) }
        if let activatedAt, latest.map({ FieldText.prefixPrecedes($0.instant, activatedAt, count: dateLength) }) ?? true {
            latest = (.activatedAt, activatedAt)
        }
        guard let latest, FieldText.prefixPrecedes(expiryDate, latest.instant, count: dateLength) else { return nil }
        return RowError(field: LeadColumn.expiryDate.name, code: .invalidExpiration,
                        message: Message.expiresBefore(expiryDate, latest.column, String(latest.instant.prefix(dateLength))))
    }

    // MARK: - Helpers

    /// The cell's text, nil when it is empty or absent (an optional field is sent as an empty value).
    private static func present(_ value: String?) -> String? {
        guard let value, !value.utf8.isEmpty else { return nil }
        return value
    }

    private static func missing(_ column: LeadColumn) -> RowError {
        RowError(field: column.name, code: .missingField, message: Message.missing(column))
    }

    /// True when `text` is `lowercase` with any of its ASCII letters in either case.
    private static func equalsIgnoringASCIICase(_ text: String, _ lowercase: StaticString) -> Bool {
        guard text.utf8.count == lowercase.utf8CodeUnitCount else { return false }
        // `| 0x20` maps only `A`–`Z` onto `a`–`z`, and the literal holds letters only.
        return lowercase.withUTF8Buffer { literal in zip(text.utf8, literal).allSatisfy { $0 | 0x20 == $1 } }
    }

    /// The errors of one row, at most one per column, given back in column order.
    private struct ColumnErrors {
        /// Empty until the first error (most rows have none), then one place per column.
        private var errors: [RowError?] = []
        private var count = 0

        var isEmpty: Bool { count == 0 }
        var inColumnOrder: [RowError] { errors.compactMap { $0 } }

        /// The check's value, or nil — keeping its error, if any, as `column`'s.
        mutating func value<Value>(_ check: FieldCheck<Value>, _ column: LeadColumn) -> Value? {
            switch check {
            case .valid(let value): return value
            case .absent: return nil
            case .invalid(let error):
                add(error, on: column)
                return nil
            }
        }

        /// Keeps `error` as `column`'s. A check across fields runs only on valid fields and a closure detail
        /// only on an empty one, so a column never gets a second error.
        mutating func add(_ error: RowError, on column: LeadColumn) {
            if errors.isEmpty { errors = Array(repeating: nil, count: LeadColumn.allCases.count) }
            precondition(errors[column.rawValue] == nil, "a second error on \(column.name)")
            errors[column.rawValue] = error
            count += 1
        }
    }
}

extension LeadRules {
    /// The messages: what is wrong, the value (masked), and what the column must hold.
    enum Message {
        static func missing(_ column: LeadColumn) -> String {
            "\(column.name) is required"
        }

        static func tooLong(_ field: String, _ text: String, limit: Int) -> String {
            FieldMessage.tooLong(field, text, limit: limit)
        }

        static func control(_ field: String, _ text: String) -> String { FieldMessage.control(field, text) }

        static func whitespaceAtEnds(_ field: String, _ text: String) -> String { FieldMessage.whitespaceAtEnds(field, text) }

        static func namespace(_ text: String) -> String {
            "client_card_id must not start with \"card_\", the prefix of the store's own ids (got \(Echo.quoted(text)))"
        }

        static func referenceToStoreID(_ text: String) -> String {
            "replaced_by must be the client_card_id of the replacing card, which never starts with \"card_\" (got \(Echo.quoted(text)))"
        }

        static func notABoolean(_ text: String) -> String {
            "is_virtual must be \"true\" or \"false\" (got \(Echo.quoted(text)))"
        }

        static func notACardType(_ text: String) -> String {
            "card_type must be \"hsa\", \"fsa\", \"consumer\" or \"commercial\" (got \(Echo.quoted(text)))"
        }

        static func notAStatus(_ text: String) -> String {
            "card_status must be \"active\", \"inactive\", \"closed\" or \"expired\" (got \(Echo.quoted(text)))"
        }

        static func notADateTime(_ field: String, _ text: String) -> String {
            "\(field) must be an ISO 8601 date-time: a real date, T or a space, hh:mm, optional :ss and fraction, "
                + "then Z, +hh:mm, -hh:mm or nothing for UTC, such as \"2026-12-05T10:00:00Z\" (got \(Echo.quoted(text)))"
        }

        static func notADate(_ field: String, _ text: String) -> String {
            "\(field) must be a real calendar date YYYY-MM-DD, such as \"2026-12-05\" (got \(Echo.quoted(text)))"
        }

        static func closureDetailMissing(_ column: LeadColumn) -> String {
            "\(column.name) is required when card_status is \"closed\""
        }

        static func activatedBeforeCreated(_ activatedAt: String, _ createdAt: String) -> String {
            "activated_at must not be before created_at (activated_at is \(activatedAt), created_at \(createdAt), in UTC)"
        }

        static func expiresBefore(_ expiryDate: String, _ column: LeadColumn, _ date: String) -> String {
            "expiry_date must not be before the UTC date of \(column.name) (expiry_date is \(expiryDate), \(column.name) \(date))"
        }

        static func closedBeforeCreated(_ closedAt: String, _ createdAt: String) -> String {
            "closed_at must not be before created_at (closed_at is \(closedAt), created_at \(createdAt), in UTC)"
        }

        static func replacedByItself(_ text: String) -> String {
            "replaced_by must name the card that replaces this one, not the card itself (got \(Echo.quoted(text)))"
        }

        static func replacedWhileActive(_ text: String) -> String {
            "replaced_by is allowed only on a card that is not active: a replaced card is inactive, closed or expired "
                + "(got \(Echo.quoted(text)) with card_status \"active\")"
        }

        static func otherGeneratedAt(_ generatedAt: String, file: String) -> String {
            "generated_at must be the file's, \(file) as its first row gives it: a file is generated once (got \(generatedAt))"
        }
    }
}
