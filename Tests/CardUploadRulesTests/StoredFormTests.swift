import CardUploadModel
import Testing
@testable import CardUploadRules

/// The replay fast path compares a row's stored form with the store before any rule runs. It is sound only
/// if, for every row the rules accept, the form is exactly the request's stored columns, and a row the
/// rules would reject has no form or one no valid card can have.
@Suite struct StoredFormTests {
    private func valid(_ raw: RawCard, entity: String? = nil) throws -> CardRequest {
        try CardRules.validate(raw, defaultEntity: entity).get()
    }

    private func base(metadata: [(key: String, value: RawValue)] = []) -> RawCard {
        RawCard(
            externalID: .string("emp-1"), accountID: .string("account_a1"), entityID: .string("entity_e1"),
            lastFour: .string("4242"), metadata: metadata)
    }

    @Test(arguments: [
        [(key: String, value: RawValue)](),
        [("b", .string("2")), ("a", .string("1"))],
        [("z", .string("")), ("é", .string("x")), ("e\u{301}", .string("y")), ("a", .string("q\"\\\n"))],
    ])
    func aValidRowsFormIsItsRequestsStoredColumns(metadata: [(key: String, value: RawValue)]) throws {
        for var raw in [base(metadata: metadata)] {
            for type in [nil, RawValue.string(""), .string("virtual")] {
                raw.type = type
                for replacement in [nil, RawValue.string(""), .string("card_0123456789abcdefghij")] {
                    raw.replacementFor = replacement
                    let request = try valid(raw)
                    let form = try #require(CardRules.storedForm(raw, defaultEntity: nil))
                    #expect(form.externalID == request.externalID)
                    #expect(form.entityID == request.entityID)
                    #expect(form.accountID == request.accountID)
                    #expect(form.type == request.type.rawValue)
                    #expect(form.lastFour == request.lastFour)
                    #expect(form.replacementFor == request.replacementFor)
                    #expect(Array(form.metadataJSON.utf8) == Array(request.metadataJSON.utf8))
                }
            }
        }
    }

    @Test func theDefaultEntityFillsAMissingOne() throws {
        var raw = base()
        raw.entityID = nil
        let form = try #require(CardRules.storedForm(raw, defaultEntity: "entity_default"))
        #expect(form.entityID == (try valid(raw, entity: "entity_default")).entityID)
        #expect(CardRules.storedForm(raw, defaultEntity: nil) == nil)
    }

    @Test func whatOnlyTheRulesCanJudgeHasNoForm() {
        var notString = base()
        notString.accountID = .number("12")
        var metadataNumber = base(metadata: [("a", .number("1"))])
        metadataNumber.type = nil
        var extra = base()
        extra.extraFields = [("status", .fieldNotSettable)]
        var detailsNotObject = base()
        detailsNotObject.detailsNotObject = .array
        var metadataNotObject = base()
        metadataNotObject.metadataNotObject = .string("x")
        var missingLastFour = base()
        missingLastFour.lastFour = nil
        for raw in [notString, metadataNumber, extra, detailsNotObject, metadataNotObject, missingLastFour] {
            #expect(CardRules.storedForm(raw, defaultEntity: nil) == nil)
        }
    }

    @Test func aFormOfARowTheRulesRejectDiffersFromEveryValidCard() throws {
        // A rejected row may have a form (the fast path is only a comparison), but not one a stored card
        // could have: here the type, which no valid card holds.
        var physical = base()
        physical.type = .string("physical")
        #expect(throws: RowErrors.self) { try valid(physical) }
        #expect(CardRules.storedForm(physical, defaultEntity: nil)?.type == "physical")
    }
}
