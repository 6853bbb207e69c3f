import CardUploadModel
import CardUploadRules
import Testing

/// SPEC §9's date, closure, activation, expiration, replacement and generated_at rules.
extension LeadRulesTests {
    // MARK: - Dates and date-times

    @Test(arguments: [LeadColumn.createdAt, .activatedAt, .closedAt])
    func aDateTimeColumnRejectsWhatIsNotOne(_ column: LeadColumn) {
        for text in ["2026-02-29T10:00Z", "2026-01-10", "2026-01-10T24:00Z", "yesterday", "2026-01-10T10:00:00+0100", "1768037400"] {
            #expect(Self.codes(column, text, closedCard: true) == [FieldCode(column.name, .invalidFormat)], "\(text)")
        }
        #expect(Self.errors(Self.closed { $0[column] = "soon" }).first?.message == "\(column.name) must be an ISO 8601 date-time: "
            + "a real date, T or a space, hh:mm, optional :ss and fraction, then Z, +hh:mm, -hh:mm or nothing for UTC, "
            + #"such as "2026-12-05T10:00:00Z" (got "soon")"#)
    }

    @Test(arguments: [LeadColumn.createdAt, .activatedAt])
    func aRequiredDateTimeThatIsEmptyIsMissingField(_ column: LeadColumn) {
        #expect(Self.codes(column, nil) == [FieldCode(column.name, .missingField)])
    }

    @Test(arguments: [LeadColumn.expiryDate, .generatedAt])
    func aDateColumnIsARealCalendarDate(_ column: LeadColumn) {
        #expect(Self.codes(column, nil) == [FieldCode(column.name, .missingField)])
        for text in ["2029-02-29", "2029-13-01", "2029-01-31T00:00Z", "31/01/2029", "2029-1-31", " 2029-01-31", "0000-01-01"] {
            #expect(Self.codes(column, text) == [FieldCode(column.name, .invalidFormat)], "\(text)")
        }
        #expect(Self.codes(column, "2028-02-29") == [])
        #expect(Self.errors(Self.row { $0[column] = "2029-02-29" }).first?.message
            == #"\#(column.name) must be a real calendar date YYYY-MM-DD, such as "2026-12-05" (got "2029-02-29")"#)
    }

    // MARK: - Closure

    @Test func aClosedCardWithoutClosureDetailsGetsOneErrorPerMissingColumn() {
        #expect(Self.codes(Self.closed { $0[.closedAt] = nil; $0[.closedReason] = nil }) == [
            FieldCode("closed_at", .missingClosureDetails), FieldCode("closed_reason", .missingClosureDetails),
        ])
        #expect(Self.codes(Self.closed { $0[.closedAt] = nil }) == [FieldCode("closed_at", .missingClosureDetails)])
        #expect(Self.codes(Self.closed { $0[.closedReason] = "" }) == [FieldCode("closed_reason", .missingClosureDetails)])
        #expect(Self.errors(Self.closed { $0[.closedReason] = nil }).first?.message
            == #"closed_reason is required when card_status is "closed""#)
    }

    @Test func anInvalidClosureDetailIsItsOwnErrorNotAMissingOne() {
        #expect(Self.codes(Self.closed { $0[.closedAt] = "June"; $0[.closedReason] = nil }) == [
            FieldCode("closed_at", .invalidFormat), FieldCode("closed_reason", .missingClosureDetails),
        ])
    }

    @Test(arguments: ["active", "inactive", "expired"])
    func aCardNotClosedNeedsNoClosureDetails(_ status: String) {
        #expect(Self.codes(.cardStatus, status) == [])
    }

    @Test func closedAtBeforeCreatedAtIsInvalidClosure() {
        let errors = Self.errors(Self.closed { $0[.closedAt] = "2026-01-10T10:29:59.999+01:00" })
        #expect(errors == [RowError(field: "closed_at", code: .invalidClosure, message: "closed_at must not be before created_at "
            + "(closed_at is 2026-01-10T09:29:59.999Z, created_at 2026-01-10T09:30:00.000Z, in UTC)")])
        #expect(Self.codes(Self.closed { $0[.closedAt] = "2026-01-10T10:30:00+01:00" }) == [])  // the same instant
        #expect(Self.codes(Self.closed { $0[.closedAt] = "2026-01-10T09:30:00.001Z" }) == [])
        #expect(Self.codes(Self.closed { $0[.closedAt] = "2026-01-01T00:00Z"; $0[.createdAt] = "later" })
            == [FieldCode("created_at", .invalidFormat)])
    }

    // MARK: - Activation and expiration

    @Test func activatedAtBeforeCreatedAtIsInvalidActivation() {
        let errors = Self.errors(Self.row { $0[.activatedAt] = "2026-01-10T10:29:59.999+01:00" })
        #expect(errors == [RowError(field: "activated_at", code: .invalidActivation, message: "activated_at must not be before "
            + "created_at (activated_at is 2026-01-10T09:29:59.999Z, created_at 2026-01-10T09:30:00.000Z, in UTC)")])
        #expect(Self.codes(.activatedAt, "2026-01-10T10:30:00+01:00") == [])  // the same instant, spelt otherwise
        #expect(Self.codes(.activatedAt, "2026-01-10T09:30:00.000999Z") == [])  // truncated, the same millisecond
    }

    @Test func activationIsComparedOnlyWhenBothSidesAreValid() {
        #expect(Self.codes(Self.row { $0[.activatedAt] = "2020-01-01T00:00Z"; $0[.createdAt] = nil })
            == [FieldCode("created_at", .missingField)])
        #expect(Self.codes(.activatedAt, "2020-02-30T00:00Z") == [FieldCode("activated_at", .invalidFormat)])
    }

    @Test func expiryBeforeTheDateOfCreatedAtIsInvalidExpiration() {
        let raw = Self.row { $0[.activatedAt] = "2026-01-10T09:30Z"; $0[.expiryDate] = "2026-01-09" }
        #expect(Self.errors(raw) == [RowError(field: "expiry_date", code: .invalidExpiration, message:
            "expiry_date must not be before the UTC date of created_at (expiry_date is 2026-01-09, created_at 2026-01-10)")])
        #expect(Self.codes(Self.row { $0[.activatedAt] = "2026-01-10T09:30Z"; $0[.expiryDate] = "2026-01-10" }) == [])
    }

    @Test func expiryBeforeTheDateOfActivatedAtIsInvalidExpiration() {
        let raw = Self.row { $0[.activatedAt] = "2026-03-01T00:00Z"; $0[.expiryDate] = "2026-02-28" }
        #expect(Self.codes(raw) == [FieldCode("expiry_date", .invalidExpiration)])
        #expect(Self.errors(raw).first?.message.contains("UTC date of activated_at") == true)
        #expect(Self.codes(Self.row { $0[.activatedAt] = "2026-03-01T00:00Z"; $0[.expiryDate] = "2026-03-01" }) == [])
    }

    @Test func expiryIsComparedWithTheUTCDate() {
        // 23:30 at -01:00 on the 10th is the 11th in UTC; 00:30 at +01:00 on the 11th is the 10th.
        let lateWest = Self.row { $0[.createdAt] = "2026-01-10T23:30:00-01:00"; $0[.activatedAt] = $0[.createdAt]; $0[.expiryDate] = "2026-01-10" }
        #expect(Self.codes(lateWest) == [FieldCode("expiry_date", .invalidExpiration)])
        let earlyEast = Self.row { $0[.createdAt] = "2026-01-11T00:30:00+01:00"; $0[.activatedAt] = $0[.createdAt]; $0[.expiryDate] = "2026-01-10" }
        #expect(Self.codes(earlyEast) == [])
    }

    @Test func expirationIsComparedOnlyWithValidSides() {
        #expect(Self.codes(Self.row { $0[.createdAt] = "x"; $0[.activatedAt] = "y"; $0[.expiryDate] = "2000-01-01" })
            == [FieldCode("created_at", .invalidFormat), FieldCode("activated_at", .invalidFormat)])
        // created_at invalid: activated_at alone still counts.
        #expect(Self.codes(Self.row { $0[.createdAt] = "x"; $0[.expiryDate] = "2026-01-10" })
            == [FieldCode("created_at", .invalidFormat), FieldCode("expiry_date", .invalidExpiration)])
        #expect(Self.codes(.expiryDate, "2000-02-30") == [FieldCode("expiry_date", .invalidFormat)])
    }

    // MARK: - Replacement

    @Test func aReplacementOnAnActiveCardIsReplacedCardNotTerminal() {
        #expect(Self.errors(Self.row { $0[.replacedBy] = "lead-card-2" }) == [RowError(
            field: "replaced_by", code: .replacedCardNotTerminal,
            message: #"replaced_by is allowed only on a card that is not active: a replaced card is inactive, closed or expired (got "lead-card-2" with card_status "active")"#
        )])
        for status in ["inactive", "expired"] {
            #expect(Self.codes(Self.row { $0[.cardStatus] = status; $0[.replacedBy] = "lead-card-2" }) == [])
        }
        #expect(Self.codes(.replacedBy, "lead-card-2", closedCard: true) == [])
    }

    @Test func aCardReplacedByItselfIsInvalidCardReference() {
        #expect(Self.errors(Self.closed { $0[.replacedBy] = "lead-card-1" }) == [RowError(
            field: "replaced_by", code: .invalidCardReference,
            message: #"replaced_by must name the card that replaces this one, not the card itself (got "lead-card-1")"#
        )])
        // Itself on an active card: the reference is the error.
        #expect(Self.codes(.replacedBy, "lead-card-1") == [FieldCode("replaced_by", .invalidCardReference)])
        #expect(Self.codes(.replacedBy, "Lead-card-1", closedCard: true) == [])
    }

    @Test func replacementIsComparedOnlyWithValidSides() {
        #expect(Self.codes(Self.row { $0[.cardStatus] = "open"; $0[.replacedBy] = "lead-card-2" })
            == [FieldCode("card_status", .invalidEnum)])
        #expect(Self.codes(Self.row { $0[.cardStatus] = nil; $0[.replacedBy] = "lead-card-2" })
            == [FieldCode("card_status", .missingField)])
        #expect(Self.codes(Self.closed { $0[.clientCardID] = nil; $0[.replacedBy] = "lead-card-1" })
            == [FieldCode("client_card_id", .missingField)])
    }

    // MARK: - generated_at

    @Test func theFirstValidGeneratedAtIsTheFiles() {
        var file: String? = nil
        _ = LeadRules.check(Self.row { $0[.generatedAt] = "2026-12-32" }, fileGeneratedAt: &file)
        #expect(file == nil)
        _ = LeadRules.check(Self.row { $0[.generatedAt] = nil }, fileGeneratedAt: &file)
        #expect(file == nil)
        // A row rejected for another column still gives the file its date.
        let first = LeadRules.check(Self.row { $0[.cardType] = "debit"; $0[.generatedAt] = "2026-12-04" }, fileGeneratedAt: &file)
        #expect((try? first.get()) == nil)
        #expect(file == "2026-12-04")
        #expect((try? LeadRules.check(Self.row { $0[.generatedAt] = "2026-12-04" }, fileGeneratedAt: &file).get()) != nil)
        #expect(file == "2026-12-04")
    }

    @Test func anotherGeneratedAtIsInconsistentAndLeavesTheFilesAlone() {
        var file: String? = "2026-12-05"
        let result = LeadRules.check(Self.row { $0[.generatedAt] = "2026-12-06" }, fileGeneratedAt: &file)
        guard case .failure(let errors) = result else {
            Issue.record("a row with another generated_at was accepted")
            return
        }
        #expect(errors.errors == [RowError(field: "generated_at", code: .inconsistentGeneratedAt,
            message: "generated_at must be the file's, 2026-12-05 as its first row gives it: a file is generated once (got 2026-12-06)")])
        #expect(file == "2026-12-05")
        #expect(Self.codes(.generatedAt, "2026-12-05") == [])
        #expect(Self.codes(Self.row { $0[.generatedAt] = "2026-12-5" }, fileGeneratedAt: "2026-12-05")
            == [FieldCode("generated_at", .invalidFormat)])
    }
}
