import CardUploadModel
import Testing
@testable import CardUploadRules

@Suite struct CardTypeRuleTests {
    private func codes(_ value: RawValue?) -> [FieldCode] {
        fieldCodes(validCard { $0.type = value })
    }

    @Test func absentOrEmptyIsVirtual() {
        #expect(request(validCard { $0.type = nil })?.type == .virtual)
        #expect(request(validCard { $0.type = .string("") })?.type == .virtual)
    }

    @Test func virtualIsAccepted() {
        #expect(request(validCard { $0.type = .string("virtual") })?.type == .virtual)
    }

    @Test func physicalIsNotSupportedYet() {
        #expect(codes(.string("physical")) == [FieldCode("type", .unsupportedCardType)])
    }

    @Test(arguments: ["Virtual", "VIRTUAL", "virtual ", " virtual", "virtual\n", "Physical", "plastic", "virtuál", "ｖｉｒｔｕａｌ"])
    func anyOtherStringIsInvalidEnum(_ text: String) {
        #expect(codes(.string(text)) == [FieldCode("type", .invalidEnum)])
    }

    @Test(arguments: [RawValue.number("1"), .bool(true), .array, .object])
    func aJSONValueThatIsNotAStringIsInvalidType(_ value: RawValue) {
        #expect(codes(value) == [FieldCode("type", .invalidType)])
    }

    @Test func theMessageNamesTheValue() {
        #expect(rowErrors(validCard { $0.type = .string("plastic") }).first?.message == #"type must be "virtual" (got "plastic")"#)
    }
}
