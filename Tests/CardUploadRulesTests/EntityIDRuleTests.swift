import CardUploadModel
import Testing
@testable import CardUploadRules

@Suite struct EntityIDRuleTests {
    private func codes(_ value: RawValue?, defaultEntity: String? = nil) -> [FieldCode] {
        fieldCodes(validCard { $0.entityID = value }, defaultEntity: defaultEntity)
    }

    @Test func missingWithoutDefaultIsMissingField() {
        #expect(codes(nil) == [FieldCode("entity_id", .missingField)])
        #expect(codes(.string("")) == [FieldCode("entity_id", .missingField)])
    }

    @Test func theDefaultEntityIsUsedWhenTheRowHasNone() {
        #expect(request(validCard { $0.entityID = nil }, defaultEntity: "entity_default")?.entityID == "entity_default")
        #expect(request(validCard { $0.entityID = .string("") }, defaultEntity: "entity_default")?.entityID == "entity_default")
    }

    @Test func theRowsEntityWinsOverTheDefault() {
        #expect(request(validCard { $0.entityID = .string("entity_row") }, defaultEntity: "entity_default")?.entityID == "entity_row")
        #expect(codes(.string("bad"), defaultEntity: "entity_default") == [FieldCode("entity_id", .invalidFormat)])
    }

    @Test func aBadDefaultIsReportedOnEntityID() {
        #expect(codes(nil, defaultEntity: "entity_a b") == [FieldCode("entity_id", .invalidFormat)])
    }

    @Test(arguments: [RawValue.number("1"), .bool(true), .array, .object])
    func aJSONValueThatIsNotAStringIsInvalidType(_ value: RawValue) {
        #expect(codes(value, defaultEntity: "entity_default") == [FieldCode("entity_id", .invalidType)])
    }

    @Test(arguments: [
        "entity_x", "entity_" + repeated("a", 33), "entity_" + repeated("😀", 33), "entity_é",
        "entity_a-b.c/d", "entity_" + repeated("e\u{301}", 16) + "x", "entity_entity_", "entity_\u{200B}",
    ])
    func oneTo33NonWhiteSpaceScalarsAreValid(_ text: String) {
        #expect(codes(.string(text)) == [])
    }

    @Test(arguments: [
        "entity_", "entity", "Entity_x", "ent_x", " entity_x", "entity_" + repeated("a", 34),
        "entity_" + repeated("😀", 34), "entity_" + repeated("e\u{301}", 17), "entity_a b", "entity_x ",
        "entity_x\n", "entity_x\t", "entity_\u{A0}", "entity_a\u{3000}", "entity_a\u{85}", "entity_a\u{2028}b",
        "entity_\u{1680}",
    ])
    func anythingElseIsInvalidFormat(_ text: String) {
        #expect(codes(.string(text)) == [FieldCode("entity_id", .invalidFormat)])
    }

    @Test func aCardNumberIsPanDetected() {
        #expect(codes(.string("entity_" + PAN.visa)) == [FieldCode("entity_id", .panDetected)])
        #expect(codes(.string("entity_4111-1111-1111-1111")) == [FieldCode("entity_id", .panDetected)])
    }

    @Test func theCLICanCheckEntityUpFront() {
        #expect(CardRules.entityIDError("entity_ok") == nil)
        #expect(CardRules.entityIDError("entity_ok ")?.code == .invalidFormat)
        #expect(CardRules.entityIDError("entity_ok ")?.field == "entity_id")
        #expect(CardRules.entityIDError("")?.code == .missingField)
        let panError = CardRules.entityIDError("entity_" + PAN.visa)
        #expect(panError?.code == .panDetected)
        #expect(panError?.message.contains("entity_" + PAN.visaMasked) == true)
        #expect(panError?.message.contains(PAN.visa) == false)
    }

    @Test func theMessageNamesTheRuleAndTheValue() {
        #expect(CardRules.entityIDError("org_1")?.message
            == #"entity_id must be "entity_" followed by 1-33 characters without white space (got "org_1")"#)
    }
}
