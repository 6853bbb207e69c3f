import CardUploadModel
import Testing
@testable import CardUploadRules

@Suite struct ExternalIDRuleTests {
    private func codes(_ value: RawValue?) -> [FieldCode] {
        fieldCodes(validCard { $0.externalID = value })
    }

    @Test func missingOrEmptyIsMissingField() {
        #expect(codes(nil) == [FieldCode("external_id", .missingField)])
        #expect(codes(.string("")) == [FieldCode("external_id", .missingField)])
        #expect(rowErrors(validCard { $0.externalID = nil }).first?.message == "external_id is required")
    }

    @Test(arguments: [RawValue.number("42"), .bool(true), .array, .object])
    func aJSONValueThatIsNotAStringIsInvalidType(_ value: RawValue) {
        #expect(codes(value) == [FieldCode("external_id", .invalidType)])
    }

    @Test func aNumberIsDescribedMaskedInTheMessage() {
        let errors = rowErrors(validCard { $0.externalID = .number(PAN.visa) })
        #expect(errors.map(\.code) == [.invalidType])
        #expect(errors.first?.message == "external_id must be a string (got number \(PAN.visaMasked))")
    }

    @Test(arguments: [
        (repeated("a", 255), true),
        (repeated("a", 256), false),
        (repeated("😀", 255), true),  // 1,020 bytes, 255 scalars
        (repeated("😀", 256), false),
        (repeated("é", 255), true),
        (repeated("e\u{301}", 127) + "x", true),  // 255 scalars in 128 characters
        (repeated("e\u{301}", 128), false),  // 256 scalars in 128 characters
    ])
    func lengthIsCountedInScalars(_ text: String, _ valid: Bool) {
        #expect(codes(.string(text)) == (valid ? [] : [FieldCode("external_id", .tooLong)]))
    }

    @Test func lengthComesBeforeFormatAndCardNumber() {
        let text = "card_\u{1B} " + repeated("x", 300) + PAN.visa
        #expect(codes(.string(text)) == [FieldCode("external_id", .tooLong)])
    }

    @Test(arguments: ["a\u{0}b", "a\u{1B}[2Jb", "a\nb", "a\tb", "a\u{7F}b", "a\u{80}b", "a\u{85}b", "a\u{9F}b", "\u{1B}"])
    func controlCharactersAreInvalidFormat(_ text: String) {
        #expect(codes(.string(text)) == [FieldCode("external_id", .invalidFormat)])
    }

    @Test(arguments: ["a\u{A0}b", "a\u{A1}b", "a b", "a\u{200B}b", "a\u{3000}b", "é", "😀x"])
    func otherCharactersInsideAreFine(_ text: String) {
        #expect(codes(.string(text)) == [])
    }

    @Test(arguments: [" a", "a ", "\u{A0}a", "a\u{A0}", "\u{3000}a", "a\u{3000}", "\u{2028}a", "a\u{1680}", "\u{2009}a", "a\u{202F}", "\u{205F}a"])
    func whiteSpaceAtEitherEndIsInvalidFormat(_ text: String) {
        let errors = rowErrors(validCard { $0.externalID = .string(text) })
        #expect(errors.map { FieldCode($0.field, $0.code) } == [FieldCode("external_id", .invalidFormat)])
        #expect(errors.first?.message.contains("white space") == true)
    }

    @Test func theStoresPrefixIsInvalidFormat() {
        let errors = rowErrors(validCard { $0.externalID = .string("card_12") })
        #expect(errors == [RowError(field: "external_id", code: .invalidFormat, message: #"external_id must not start with "card_" (got "card_12")"#)])
    }

    @Test(arguments: ["Card_12", "CARD_12", "card12", "card-12", "xcard_12", "card"])
    func otherPrefixesAreFine(_ text: String) {
        #expect(codes(.string(text)) == [])
    }

    @Test func formatComesBeforeCardNumber() {
        #expect(codes(.string("card_" + PAN.visa)) == [FieldCode("external_id", .invalidFormat)])
        #expect(rowErrors(validCard { $0.externalID = .string("card_" + PAN.visa) }).first?.message
            == #"external_id must not start with "card_" (got "card_\#(PAN.visaMasked)")"#)
    }

    @Test(arguments: [PAN.visa, "order-4111-1111-1111-1111", "PAN4111111111111111", "**** 1111"])
    func aCardNumberIsPanDetectedAndMasked(_ text: String) {
        let errors = rowErrors(validCard { $0.externalID = .string(text) })
        #expect(errors.map(\.code) == [.panDetected])
        #expect(errors.first?.field == "external_id")
        #expect(!(errors.first?.message.contains("4111111111111111") ?? true))
        #expect(!(errors.first?.message.contains("4111-1111-1111") ?? true))
        #expect(errors.first?.message.contains("1111") == true)
    }

    @Test func aLongValueIsCutInTheMessage() {
        let errors = rowErrors(validCard { $0.externalID = .string(repeated("x", 1000)) })
        let message = errors.first?.message ?? ""
        #expect(message.contains(repeated("x", 60) + "…\""))
        #expect(!message.contains(repeated("x", 61)))
        #expect(message.contains("1000"))
    }

    @Test func theValueIsKeptAsGiven() {
        let value = "Ünïcode id 1"
        #expect(request(validCard { $0.externalID = .string(value) }).map { sameBytes($0.externalID, value) } == true)
    }
}
