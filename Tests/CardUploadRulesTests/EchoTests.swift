import CardUploadModel
import Testing
@testable import CardUploadRules

/// Values echoed in messages are masked, cut, and masked again: a cut must not make a card number appear.
@Suite struct EchoTests {
    @Test func cuttingALongDigitRunCannotLeaveACardNumberInTheMessage() {
        // 20 digits are not a card number; cut after 16 of them, the first 16 would be one.
        let value = String(repeating: "x", count: 44) + "4111111111111111" + "1234"
        #expect(!CardNumber.contains(value))
        let errors = rowErrors(validCard { $0.type = .string(value) })
        #expect(errors.map(\.code) == [.invalidEnum])
        let message = errors.first?.message ?? ""
        #expect(!message.contains("4111111111111111"))
        #expect(!message.contains("41111111"))
        #expect(message.contains("************1111…"), "\(message)")
    }

    @Test func aLongExtraFieldNameIsCutWithoutLeavingACardNumber() {
        let name = String(repeating: "y", count: 44) + "41111111111111111234"
        let errors = rowErrors(validCard { $0.extraFields = [(field: name, code: .unknownField)] })
        #expect(errors.count == 1)
        #expect(!errors.contains { $0.message.contains("4111111111111111") })
    }
}
