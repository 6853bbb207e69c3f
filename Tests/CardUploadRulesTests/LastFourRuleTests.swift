import CardUploadModel
import Testing
@testable import CardUploadRules

@Suite struct LastFourRuleTests {
    private func codes(_ value: RawValue?) -> [FieldCode] {
        fieldCodes(validCard { $0.lastFour = value })
    }

    @Test func missingOrEmptyIsMissingField() {
        #expect(codes(nil) == [FieldCode("details.last_four", .missingField)])
        #expect(codes(.string("")) == [FieldCode("details.last_four", .missingField)])
    }

    @Test func keptAsTextWithLeadingZeros() {
        #expect(request(validCard { $0.lastFour = .string("0042") })?.lastFour == "0042")
        #expect(request(validCard { $0.lastFour = .string("9999") })?.lastFour == "9999")
    }

    @Test(arguments: [RawValue.number("42"), .number("0042"), .number("1234"), .bool(true), .array, .object])
    func aJSONValueThatIsNotAStringIsInvalidType(_ value: RawValue) {
        #expect(codes(value) == [FieldCode("details.last_four", .invalidType)])
    }

    @Test(arguments: [
        "42", "123", "12345", "12a4", "١٢٣٤", "٠١٢٣", "１２３４", "1234\n", "1234 ", " 123", "12-4", "+123", "12.4", "abcd",
    ])
    func anythingButFourASCIIDigitsIsInvalidFormat(_ text: String) {
        #expect(codes(.string(text)) == [FieldCode("details.last_four", .invalidFormat)])
    }

    @Test func theMessageNamesTheRuleAndTheValue() {
        #expect(rowErrors(validCard { $0.lastFour = .string("12a4") })
            == [RowError(field: "details.last_four", code: .invalidFormat, message: #"details.last_four must be exactly four digits 0-9 (got "12a4")"#)])
    }

    @Test(arguments: [("42", "0042"), ("7", "0007"), ("123", "0123")])
    func oneToThreeDigitsAskAboutASpreadsheetsLeadingZeros(_ text: String, _ padded: String) throws {
        let error = try #require(rowErrors(validCard { $0.lastFour = .string(text) }).first)
        #expect(error.code == .invalidFormat)
        #expect(error.message == "details.last_four must be exactly four digits 0-9 (got \"\(text)\") — did a spreadsheet drop leading zeros? \"\(padded)\"")
        let hint = try #require(CardRules.hints(for: validCard { $0.lastFour = .string(text) }).first)
        #expect(hint.kind == .leadingZeros)
        #expect(hint.text.contains("\"\(text)\" has fewer than four digits") && hint.text.contains("\"\(padded)\""))
    }

    @Test(arguments: ["12345", "12a4", "abc", " 12"])
    func otherBadValuesGetNoLeadingZeroHint(_ text: String) throws {
        let error = try #require(rowErrors(validCard { $0.lastFour = .string(text) }).first)
        #expect(CardRules.hints(for: validCard { $0.lastFour = .string(text) }).isEmpty && !error.message.contains("leading zeros"))
    }

    @Test func aWholeCardNumberIsInvalidFormatAndMasked() {
        let errors = rowErrors(validCard { $0.lastFour = .string(PAN.visa) })
        #expect(errors.map(\.code) == [.invalidFormat])
        #expect(errors.first?.message.contains(PAN.visaMasked) == true)
        #expect(errors.first?.message.contains(PAN.visa) == false)
    }
}
