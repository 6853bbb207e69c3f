import CardUploadModel
import Testing
@testable import CardUploadRules

@Suite struct CardRulesTests {
    @Test func aValidRowBecomesARequest() throws {
        let made = try #require(request(validCard {
            $0.type = .string("virtual")
            $0.replacementFor = .string("card_old")
            $0.metadata = [(key: "cost_center", value: .string("42"))]
        }))
        #expect(made.externalID == "ext-1")
        #expect(made.accountID == "account_abc")
        #expect(made.entityID == "entity_1")
        #expect(made.type == .virtual)
        #expect(made.lastFour == "0042")
        #expect(made.replacementFor == "card_old")
        #expect(made.metadata.map(\.key) == ["cost_center"])
        #expect(made.metadata.map(\.value) == ["42"])
    }

    @Test func anEmptyRowGetsEveryRequiredFieldAtOnce() {
        #expect(fieldCodes(RawCard()) == [
            FieldCode("external_id", .missingField),
            FieldCode("account_id", .missingField),
            FieldCode("entity_id", .missingField),
            FieldCode("details.last_four", .missingField),
        ])
    }

    @Test func anEmptyRowWithADefaultEntityMissesTheOthers() {
        #expect(fieldCodes(RawCard(), defaultEntity: "entity_d") == [
            FieldCode("external_id", .missingField),
            FieldCode("account_id", .missingField),
            FieldCode("details.last_four", .missingField),
        ])
    }

    @Test func everyFieldsErrorComesAtOnceInFieldOrder() {
        let card = RawCard(
            externalID: .string("card_1"),
            accountID: .string("acct"),
            entityID: .number("3"),
            type: .string("physical"),
            lastFour: .string("12"),
            replacementFor: .string("card-x"),
            detailsNotObject: .array,
            metadata: [(key: "z", value: .bool(true)), (key: "a", value: .string(PAN.visa))] + (0..<50).map { (key: "k\($0)", value: RawValue.string("v")) },
            metadataNotObject: .number("1"),
            extraFields: [(field: "status", code: .fieldNotSettable), (field: "x", code: .unknownField)]
        )
        #expect(fieldCodes(card) == [
            FieldCode("external_id", .invalidFormat),
            FieldCode("account_id", .invalidFormat),
            FieldCode("entity_id", .invalidType),
            FieldCode("type", .unsupportedCardType),
            FieldCode("details", .invalidType),
            FieldCode("details.last_four", .invalidFormat),
            FieldCode("details.replacement_for", .invalidFormat),
            FieldCode("metadata", .invalidType),
            FieldCode("metadata", .metadataLimit),
            FieldCode("metadata.z", .invalidType),
            FieldCode("metadata.a", .panDetected),
            FieldCode("status", .fieldNotSettable),
            FieldCode("x", .unknownField),
        ])
    }

    @Test func oneBadFieldRejectsAnOtherwiseValidRow() {
        #expect(request(validCard { $0.extraFields = [(field: "id", code: .fieldNotSettable)] }) == nil)
        #expect(request(validCard { $0.metadata = [(key: "k", value: .number("1"))] }) == nil)
        #expect(request(validCard { $0.metadataNotObject = .string("x") }) == nil)
    }

    @Test func noMessageOrFieldEverHoldsTheCardNumber() {
        let pan = "4111-1111-1111-1111"
        let card = RawCard(
            externalID: .string(repeated("x", 250) + pan),
            accountID: .string("account_" + pan),
            entityID: .string("entity_" + pan),
            type: .string(pan),
            lastFour: .string(pan),
            replacementFor: .string("card_" + pan),
            metadata: [(key: pan, value: .string(pan)), (key: "n", value: .number(PAN.visa))],
            extraFields: [(field: pan, code: .unknownField)]
        )
        let errors = rowErrors(card)
        #expect(errors.count == 9)
        for error in errors {
            for text in [error.message, error.field ?? ""] {
                let digits = String(text.unicodeScalars.filter { $0 != "-" && $0 != " " }.map(Character.init))
                #expect(!digits.contains(PAN.visa), "\(text)")
                #expect(!digits.contains("41111111"), "\(text)")
            }
        }
    }
}
