import CardUploadModel
import Testing
@testable import CardUploadRules

@Suite struct ReplacementForRuleTests {
    private func codes(_ value: RawValue?) -> [FieldCode] {
        fieldCodes(validCard { $0.replacementFor = value })
    }

    @Test func optional() {
        let card = request(validCard { $0.replacementFor = nil })
        #expect(card != nil)
        #expect(card?.replacementFor == nil)
        #expect(request(validCard { $0.replacementFor = .string("") })?.replacementFor == nil)
    }

    @Test(arguments: ["card_abc", "card_0123456789abcdefghij", "card_A_1"])
    func aCardIDIsKept(_ text: String) {
        #expect(request(validCard { $0.replacementFor = .string(text) })?.replacementFor == text)
    }

    @Test(arguments: ["card_", "card", "Card_x", "CARD_x", "crd_x", "card_a-b", "card_é", "card_x\n", " card_x", "card_x ", "card_１"])
    func anythingElseIsInvalidFormat(_ text: String) {
        #expect(codes(.string(text)) == [FieldCode("details.replacement_for", .invalidFormat)])
    }

    @Test(arguments: [RawValue.number("1"), .bool(false), .array, .object])
    func aJSONValueThatIsNotAStringIsInvalidType(_ value: RawValue) {
        #expect(codes(value) == [FieldCode("details.replacement_for", .invalidType)])
    }

    @Test func aCardNumberIsPanDetected() {
        let errors = rowErrors(validCard { $0.replacementFor = .string("card_" + PAN.visa) })
        #expect(errors.map { FieldCode($0.field, $0.code) } == [FieldCode("details.replacement_for", .panDetected)])
        #expect(errors.first?.message.contains(PAN.visa) == false)
    }
}
