import CardUploadModel
import Testing
@testable import CardUploadRules

@Suite struct AccountIDRuleTests {
    private func codes(_ value: RawValue?) -> [FieldCode] {
        fieldCodes(validCard { $0.accountID = value })
    }

    @Test func missingOrEmptyIsMissingField() {
        #expect(codes(nil) == [FieldCode("account_id", .missingField)])
        #expect(codes(.string("")) == [FieldCode("account_id", .missingField)])
    }

    @Test(arguments: [RawValue.number("7"), .bool(false), .array, .object])
    func aJSONValueThatIsNotAStringIsInvalidType(_ value: RawValue) {
        #expect(codes(value) == [FieldCode("account_id", .invalidType)])
    }

    @Test(arguments: ["account_abc", "account_ABC_123", "account__", "account_0", "account_4111111111111112"])
    func asciiWordCharactersAfterThePrefixAreValid(_ text: String) {
        #expect(codes(.string(text)) == [])
        #expect(request(validCard { $0.accountID = .string(text) }).map { sameBytes($0.accountID, text) } == true)
    }

    @Test(arguments: [
        "account_", "account", "Account_x", "ACCOUNT_x", "acct_x", "xaccount_x", " account_x",
        "account_x ", "account_x\n", "account_a-b", "account_a.b", "account_a b", "account_é",
        "account_٠١٢", "account_１", "account_x\u{0}", "account_x\u{A0}",
    ])
    func anythingElseIsInvalidFormat(_ text: String) {
        #expect(codes(.string(text)) == [FieldCode("account_id", .invalidFormat)])
    }

    @Test func theMessageNamesTheRuleAndTheValue() {
        let errors = rowErrors(validCard { $0.accountID = .string("acct-9") })
        #expect(errors.first?.message == #"account_id must be "account_" followed by letters, digits or _ (got "acct-9")"#)
    }

    @Test func aCardNumberTouchingTheLettersIsPanDetected() {
        let errors = rowErrors(validCard { $0.accountID = .string("account_" + PAN.visa) })
        #expect(errors.map { FieldCode($0.field, $0.code) } == [FieldCode("account_id", .panDetected)])
        #expect(errors.first?.message.contains("account_" + PAN.visaMasked) == true)
        #expect(errors.first?.message.contains(PAN.visa) == false)
    }

    @Test func formatComesBeforeCardNumber() {
        #expect(codes(.string("account_" + "4111-1111-1111-1111")) == [FieldCode("account_id", .invalidFormat)])
    }
}
