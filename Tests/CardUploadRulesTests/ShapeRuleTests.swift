import CardUploadModel
import Testing
@testable import CardUploadRules

@Suite struct ShapeRuleTests {
    @Test(arguments: [RawValue.string("x"), .number("1"), .bool(true), .array])
    func detailsThatIsNotAnObjectIsOneInvalidType(_ value: RawValue) {
        let card = validCard {
            $0.detailsNotObject = value
            $0.lastFour = nil
        }
        #expect(fieldCodes(card) == [FieldCode("details", .invalidType)])
    }

    @Test func detailsMessageDescribesTheValue() {
        let errors = rowErrors(validCard {
            $0.detailsNotObject = .string(PAN.visa)
            $0.lastFour = nil
        })
        #expect(errors.first?.message == "details must be an object (got string \"\(PAN.visaMasked)\")")
    }

    @Test(arguments: [RawValue.string("x"), .number("1"), .bool(false), .array])
    func metadataThatIsNotAnObjectIsOneInvalidType(_ value: RawValue) {
        #expect(fieldCodes(validCard { $0.metadataNotObject = value }) == [FieldCode("metadata", .invalidType)])
    }

    @Test func extraFieldsAreReportedInTheirOrder() {
        let card = validCard {
            $0.extraFields = [(field: "status", code: .fieldNotSettable), (field: "colour", code: .unknownField), (field: "details.foo", code: .unknownField)]
        }
        let errors = rowErrors(card)
        #expect(errors.map { FieldCode($0.field, $0.code) } == [
            FieldCode("status", .fieldNotSettable),
            FieldCode("colour", .unknownField),
            FieldCode("details.foo", .unknownField),
        ])
        #expect(errors[0].message == "status is system-managed and cannot be set by an upload")
        #expect(errors[1].message == "colour is not a card field")
    }

    @Test func anExtraFieldNamedWithACardNumberIsMasked() {
        let errors = rowErrors(validCard { $0.extraFields = [(field: PAN.visa, code: .unknownField)] })
        #expect(errors.map(\.field) == [PAN.visaMasked])
        #expect(errors.first?.message.contains(PAN.visa) == false)
    }
}
