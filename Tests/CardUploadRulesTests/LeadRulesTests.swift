import CardUploadModel
import CardUploadRules
import Testing

@Suite struct LeadRulesTests {
    /// A row that passes every rule (an active card); tests change some of its columns.
    static func row(_ change: (inout LeadRawRow) -> Void = { _ in }) -> LeadRawRow {
        var row = LeadRawRow()
        row[.clientCardID] = "lead-card-1"
        row[.accountID] = "acct-77"
        row[.entityID] = "ent-9"
        row[.productName] = "Lead HSA Debit"
        row[.isVirtual] = "true"
        row[.cardType] = "hsa"
        row[.createdAt] = "2026-01-10T09:30:00Z"
        row[.cardStatus] = "active"
        row[.activatedAt] = "2026-01-11 10:00"
        row[.expiryDate] = "2029-01-31"
        row[.generatedAt] = "2026-12-05"
        change(&row)
        return row
    }

    /// `row` as a closed card with its closure details.
    static func closed(_ change: (inout LeadRawRow) -> Void = { _ in }) -> LeadRawRow {
        row {
            $0[.cardStatus] = "closed"
            $0[.closedAt] = "2026-06-01T12:00:00Z"
            $0[.closedReason] = "lost"
            change(&$0)
        }
    }

    static func errors(_ row: LeadRawRow, fileGeneratedAt: String? = nil) -> [RowError] {
        var generatedAt = fileGeneratedAt
        switch LeadRules.check(row, fileGeneratedAt: &generatedAt) {
        case .success: return []
        case .failure(let errors): return errors.errors
        }
    }

    static func codes(_ row: LeadRawRow, fileGeneratedAt: String? = nil) -> [FieldCode] {
        errors(row, fileGeneratedAt: fileGeneratedAt).map { FieldCode($0.field, $0.code) }
    }

    /// The codes of `row` with `column` set to `value`.
    static func codes(_ column: LeadColumn, _ value: String?, closedCard: Bool = false) -> [FieldCode] {
        codes(closedCard ? closed { $0[column] = value } : row { $0[column] = value })
    }

    static let textColumns: [LeadColumn] = [.clientCardID, .accountID, .entityID, .productName, .closedReason, .replacedBy]

    // MARK: - Mapping

    @Test func aValidFullRowMapsToTheExactCard() throws {
        var generatedAt: String? = nil
        let raw = Self.closed {
            $0[.isVirtual] = "FALSE"
            $0[.cardType] = "commercial"
            $0[.createdAt] = "2026-01-10T10:30:00.1239+01:00"
            $0[.activatedAt] = "2026-01-10 09:30:00.124"
            $0[.expiryDate] = "2026-01-10"
            $0[.closedAt] = "2026-06-01T00:30-02:00"
            $0[.closedReason] = "  lost in the post  "
            $0[.replacedBy] = "lead-card-2"
        }
        let card = try LeadRules.check(raw, fileGeneratedAt: &generatedAt).get()
        let expected = LeadCard(
            clientCardID: "lead-card-1", accountID: "acct-77", entityID: "ent-9", productName: "Lead HSA Debit",
            isVirtual: false, cardType: .commercial, createdAt: "2026-01-10T09:30:00.123Z", status: .closed,
            activatedAt: "2026-01-10T09:30:00.124Z", expiryDate: "2026-01-10", closedAt: "2026-06-01T02:30:00.000Z",
            closedReason: "  lost in the post  ", replacedBy: "lead-card-2", generatedAt: "2026-12-05"
        )
        #expect(card == expected)
        #expect(card.generatedAt == "2026-12-05")
        #expect(generatedAt == "2026-12-05")
    }

    @Test func aMinimalActiveRowHasNoClosureOrReplacement() throws {
        var generatedAt: String? = "2026-12-05"
        let card = try LeadRules.check(Self.row(), fileGeneratedAt: &generatedAt).get()
        #expect(card == LeadCard(
            clientCardID: "lead-card-1", accountID: "acct-77", entityID: "ent-9", productName: "Lead HSA Debit",
            isVirtual: true, cardType: .hsa, createdAt: "2026-01-10T09:30:00.000Z", status: .active,
            activatedAt: "2026-01-11T10:00:00.000Z", expiryDate: "2029-01-31", generatedAt: "2026-12-05"
        ))
        #expect(card.closedAt == nil && card.closedReason == nil && card.replacedBy == nil)
    }

    @Test(arguments: [("true", true), ("TRUE", true), ("True", true), ("tRuE", true), ("false", false), ("FALSE", false), ("False", false)])
    func isVirtualIsABooleanInAnyLetterCase(_ text: String, _ value: Bool) throws {
        var generatedAt: String? = nil
        #expect(try LeadRules.check(Self.row { $0[.isVirtual] = text }, fileGeneratedAt: &generatedAt).get().isVirtual == value)
    }

    @Test(arguments: LeadCardType.allCases)
    func everyCardTypeIsRead(_ type: LeadCardType) throws {
        var generatedAt: String? = nil
        #expect(try LeadRules.check(Self.row { $0[.cardType] = type.rawValue }, fileGeneratedAt: &generatedAt).get().cardType == type)
    }

    @Test(arguments: CardStatus.allCases)
    func everyStatusIsRead(_ status: CardStatus) throws {
        var generatedAt: String? = nil
        let raw = status == .closed ? Self.closed() : Self.row { $0[.cardStatus] = status.rawValue }
        #expect(try LeadRules.check(raw, fileGeneratedAt: &generatedAt).get().status == status)
    }

    // MARK: - All errors at once

    @Test func anEmptyRowMissesEveryRequiredColumnAtOnce() {
        #expect(Self.codes(LeadRawRow()) == [
            FieldCode("client_card_id", .missingField), FieldCode("account_id", .missingField),
            FieldCode("entity_id", .missingField), FieldCode("client_card_product_name", .missingField),
            FieldCode("is_virtual", .missingField), FieldCode("card_type", .missingField),
            FieldCode("created_at", .missingField), FieldCode("card_status", .missingField),
            FieldCode("activated_at", .missingField), FieldCode("expiry_date", .missingField),
            FieldCode("generated_at", .missingField),
        ])
    }

    @Test func anEmptyStringIsMissingLikeAnEmptyCell() {
        var raw = LeadRawRow()
        for column in LeadColumn.allCases { raw[column] = "" }
        #expect(Self.codes(raw) == Self.codes(LeadRawRow()))
    }

    @Test func everyColumnGetsItsErrorAtOnceInColumnOrder() {
        var raw = LeadRawRow()
        raw[.clientCardID] = "card_1"
        raw[.accountID] = " acct"
        raw[.entityID] = repeated("e", 256)
        raw[.productName] = "HSA \(PAN.visa)"
        raw[.isVirtual] = "yes"
        raw[.cardType] = "debit"
        raw[.createdAt] = "2026-02-29T10:00Z"
        raw[.cardStatus] = "open"
        raw[.activatedAt] = "yesterday"
        raw[.expiryDate] = "2029-02-29"
        raw[.closedAt] = "2026-06-01T24:00Z"
        raw[.closedReason] = "lost\u{0}"
        raw[.replacedBy] = "card_2"
        raw[.generatedAt] = "2026-12-06"
        #expect(Self.codes(raw, fileGeneratedAt: "2026-12-05") == [
            FieldCode("client_card_id", .invalidNamespace), FieldCode("account_id", .invalidFormat),
            FieldCode("entity_id", .tooLong), FieldCode("client_card_product_name", .panDetected),
            FieldCode("is_virtual", .invalidFormat), FieldCode("card_type", .invalidEnum),
            FieldCode("created_at", .invalidFormat), FieldCode("card_status", .invalidEnum),
            FieldCode("activated_at", .invalidFormat), FieldCode("expiry_date", .invalidFormat),
            FieldCode("closed_at", .invalidFormat), FieldCode("closed_reason", .invalidFormat),
            FieldCode("replaced_by", .invalidFormat), FieldCode("generated_at", .inconsistentGeneratedAt),
        ])
    }

    @Test func crossFieldErrorsComeWithFieldErrorsInColumnOrder() {
        let raw = Self.closed {
            $0[.accountID] = nil
            $0[.activatedAt] = "2026-01-10T09:29:59.999Z"
            $0[.expiryDate] = "2026-01-09"
            $0[.closedAt] = "2026-01-01T00:00Z"
            $0[.closedReason] = nil
            $0[.replacedBy] = "lead-card-1"
        }
        #expect(Self.codes(raw) == [
            FieldCode("account_id", .missingField), FieldCode("activated_at", .invalidActivation),
            FieldCode("expiry_date", .invalidExpiration), FieldCode("closed_at", .invalidClosure),
            FieldCode("closed_reason", .missingClosureDetails), FieldCode("replaced_by", .invalidCardReference),
        ])
    }

    // MARK: - Text columns

    @Test(arguments: [LeadColumn.clientCardID, .accountID, .entityID, .productName])
    func aRequiredTextColumnThatIsEmptyIsMissingField(_ column: LeadColumn) {
        #expect(Self.codes(column, nil) == [FieldCode(column.name, .missingField)])
        #expect(Self.errors(Self.row { $0[column] = nil }).first?.message == "\(column.name) is required")
    }

    @Test(arguments: [LeadColumn.closedReason, .replacedBy])
    func anOptionalTextColumnMayBeEmpty(_ column: LeadColumn) {
        #expect(Self.codes(column, nil) == [])
        #expect(Self.codes(Self.row { $0[.cardStatus] = "inactive"; $0[column] = "x" }) == [])
    }

    @Test(arguments: [
        (LeadColumn.clientCardID, 255, ErrorCode.tooLong), (.accountID, 255, .tooLong), (.entityID, 255, .tooLong),
        (.productName, 255, .tooLong), (.closedReason, 500, .tooLong), (.replacedBy, 255, .invalidFormat),
    ])
    func lengthIsCountedInScalars(_ column: LeadColumn, _ limit: Int, _ code: ErrorCode) {
        let inactive = { (value: String) in Self.codes(Self.row { $0[.cardStatus] = "inactive"; $0[column] = value }) }
        #expect(inactive(repeated("a", limit)) == [])
        #expect(inactive(repeated("😀", limit)) == [])
        #expect(inactive(repeated("e\u{301}", limit / 2) + (limit % 2 == 1 ? "x" : "")) == [])
        #expect(inactive(repeated("a", limit + 1)) == [FieldCode(column.name, code)])
        #expect(inactive(repeated("😀", limit + 1)) == [FieldCode(column.name, code)])
        let message = Self.errors(Self.row { $0[.cardStatus] = "inactive"; $0[column] = repeated("a", limit + 1) }).first?.message
        #expect(message?.hasPrefix("\(column.name) must be 1-\(limit) characters (got \(limit + 1): \"aaaa") == true)
    }

    @Test(arguments: LeadRulesTests.textColumns)
    func controlCharactersAreInvalidFormat(_ column: LeadColumn) {
        for text in ["a\u{0}b", "a\u{1B}[2Jb", "a\nb", "a\tb", "a\u{7F}b", "a\u{85}b", "a\u{9F}b"] {
            #expect(Self.codes(Self.row { $0[.cardStatus] = "inactive"; $0[column] = text }) == [FieldCode(column.name, .invalidFormat)])
        }
        #expect(Self.errors(Self.row { $0[.cardStatus] = "inactive"; $0[column] = "a\nb" }).first?.message
            == "\(column.name) must not contain control characters (got \"a\nb\")")
    }

    @Test(arguments: [LeadColumn.clientCardID, .accountID, .entityID, .replacedBy])
    func anIDWithWhiteSpaceAtEitherEndIsInvalidFormat(_ column: LeadColumn) {
        for text in [" a", "a ", "\u{A0}a", "a\u{3000}", "\u{2028}a"] {
            #expect(Self.codes(Self.row { $0[.cardStatus] = "inactive"; $0[column] = text }) == [FieldCode(column.name, .invalidFormat)])
        }
        #expect(Self.codes(Self.row { $0[.cardStatus] = "inactive"; $0[column] = "a b\u{A0}c" }) == [])
    }

    @Test(arguments: [LeadColumn.productName, .closedReason])
    func aNameOrReasonMayHaveWhiteSpaceAtItsEnds(_ column: LeadColumn) {
        #expect(Self.codes(column, " Lead card ", closedCard: true) == [])
    }

    @Test func aClientCardIDInTheStoresNamespaceIsInvalidNamespace() {
        #expect(Self.errors(Self.row { $0[.clientCardID] = "card_12" }) == [RowError(
            field: "client_card_id", code: .invalidNamespace,
            message: #"client_card_id must not start with "card_", the prefix of the store's own ids (got "card_12")"#
        )])
        for text in ["Card_12", "CARD_12", "card12", "xcard_12", "card"] {
            #expect(Self.codes(.clientCardID, text) == [])
        }
    }

    @Test func theStoresNamespaceIsFineInTheClientsOtherIDs() {
        #expect(Self.codes(Self.row { $0[.accountID] = "card_1"; $0[.entityID] = "card_2"; $0[.productName] = "card_3" }) == [])
    }

    @Test func aReplacementInTheStoresNamespaceIsInvalidFormat() {
        #expect(Self.codes(.replacedBy, "card_12", closedCard: true) == [FieldCode("replaced_by", .invalidFormat)])
    }

    @Test(arguments: LeadRulesTests.textColumns)
    func aCardNumberIsPanDetectedAndMasked(_ column: LeadColumn) {
        for text in [PAN.visa, "x-4111-1111-1111-1111", "PAN4111111111111111", "**** 1111"] {
            let errors = Self.errors(Self.closed { $0[column] = text })
            #expect(errors.map { FieldCode($0.field, $0.code) } == [FieldCode(column.name, .panDetected)])
            #expect(errors.allSatisfy { !$0.message.contains("1111-1111") && !$0.message.contains(PAN.visa) })
        }
        #expect(Self.errors(Self.closed { $0[column] = PAN.visa }).first?.message
            == "\(column.name) must not hold a card number (got \"\(PAN.visaMasked)\")")
    }

    @Test(arguments: LeadColumn.allCases)
    func noMessageEverEchoesACardNumber(_ column: LeadColumn) {
        for text in [PAN.visa, "4111 1111 1111 1111", "2026-12-05T\(PAN.visa)", " \(PAN.visa) "] {
            let errors = Self.errors(Self.closed { $0[column] = text })
            #expect(errors.count == 1)
            #expect(errors.allSatisfy { CardNumber.mask($0.message).utf8.elementsEqual($0.message.utf8) })  // nothing left to mask
            #expect(errors.allSatisfy { !$0.message.contains("4111 1111 1111 1111") && !$0.message.contains(PAN.visa) })
        }
    }

    // MARK: - Enumerations and booleans

    @Test(arguments: ["yes", "1", "t", "truee", " true", "true ", "\u{FF54}rue", "tru\u{E9}", "on"])
    func isVirtualOtherThanTrueOrFalseIsInvalidFormat(_ text: String) {
        #expect(Self.codes(.isVirtual, text) == [FieldCode("is_virtual", .invalidFormat)])
    }

    @Test func isVirtualMissingAndItsMessage() {
        #expect(Self.codes(.isVirtual, nil) == [FieldCode("is_virtual", .missingField)])
        #expect(Self.errors(Self.row { $0[.isVirtual] = "yes" }).first?.message == #"is_virtual must be "true" or "false" (got "yes")"#)
    }

    @Test(arguments: ["HSA", "Fsa", "debit", "hsa ", " hsa", "virtual", "physical"])
    func cardTypeOtherThanLeadsIsInvalidEnum(_ text: String) {
        #expect(Self.codes(.cardType, text) == [FieldCode("card_type", .invalidEnum)])
    }

    @Test func cardTypeMissingAndItsMessage() {
        #expect(Self.codes(.cardType, nil) == [FieldCode("card_type", .missingField)])
        #expect(Self.errors(Self.row { $0[.cardType] = "debit" }).first?.message
            == #"card_type must be "hsa", "fsa", "consumer" or "commercial" (got "debit")"#)
    }

    @Test(arguments: ["Active", "ACTIVE", "open", "active ", "suspended", "replaced"])
    func cardStatusOtherThanTheFourIsInvalidEnum(_ text: String) {
        #expect(Self.codes(.cardStatus, text) == [FieldCode("card_status", .invalidEnum)])
    }

    @Test func cardStatusMissingAndItsMessage() {
        #expect(Self.codes(.cardStatus, nil) == [FieldCode("card_status", .missingField)])
        #expect(Self.errors(Self.row { $0[.cardStatus] = "open" }).first?.message
            == #"card_status must be "active", "inactive", "closed" or "expired" (got "open")"#)
    }
}
