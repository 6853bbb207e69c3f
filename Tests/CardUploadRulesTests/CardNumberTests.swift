import CardUploadModel
import Testing
@testable import CardUploadRules

@Suite struct CardNumberTests {
    @Test(arguments: [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111 1111 1111 1111 1225",  // an expiry date after it does not hide it
        "4111111111111111 12/25",
        "4111-1111-1111-1111=2512101",  // a track-like suffix
        "a4111 1111 1111 1111",  // a letter may touch a grouped number
        "PAN4111111111111111",
        "4111111111111111x",
        "card: 4111111111111111.",
        "-4111111111111111-",
        " 4111111111111111 ",
        "4111111111111111--5",
        "4111111111111111  5",
        "é4111111111111111😀",
        "5555555555554444",
        "2223003122003222",
        "378282246310005",
        "3782 822463 10005",
        "6011111111111117",
        "4222222222222",  // 13 digits
        "4110000000000000003",  // 19 digits
        "2110000000005",  // first digit 2
        "6110000000000000001",  // first digit 6
        "no 123 but 4111111111111111 here",
    ])
    func cardNumbersAreCaught(_ text: String) {
        #expect(CardNumber.contains(text))
    }

    @Test(arguments: [
        "",
        "hello",
        "4111111111111112",  // Luhn fails
        "411000000009",  // 12 digits, Luhn passes
        "41100000000000000009",  // 20 digits, Luhn passes
        "41111111111111110000",  // 20 digits holding a card number in its first 16
        "14111111111111111",  // a digit touching the front: a 17-digit run starting with 1
        "1110000000000005",  // first digit 1
        "7110000000000002",  // first digit 7
        "0110000000000007",
        "4111-1111 1111-1111",  // the same separator throughout
        "4-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1",  // not a card's layout
        "41111 111 1111 1111",
        "1 4111 1111 1111 1111",  // a grouped number begins where its run begins
        "1-4111-1111-1111-1111",
        "12 4111 1111 1111 111",
        "4111 1111  1111 1111",  // a double space breaks the run
        "4111-1111--1111-1111",  // a double dash too
        "4111 -1111-1111-1111",  // a space and a dash together too
        "4111_1111_1111_1111",  // underscores are not separators
        "4111.1111.1111.1111",
        "٤١١١١١١١١١١١١١١١",  // Arabic-Indic digits
        "４１１１１１１１１１１１１１１１",  // fullwidth digits
        "***1111",  // three stars
        "****111",  // three digits
        "****11111",  // five digits
        "****  1111",  // double space
        "**  **1111",
        "2024-01-15 12:30",
    ])
    func otherTextIsNotCaught(_ text: String) {
        #expect(!CardNumber.contains(text))
    }

    @Test(arguments: [
        "************1111",
        "****-****-****-1111",
        "**** **** **** 1111",
        "****1111",
        "**** 1111",
        "****-1111",
        "*-*-*-*1111",
        "*************-1-1-1-1",
        "**** ****** *0005",
        "ref ****1234 end",
    ])
    func maskedNumbersAreCaught(_ text: String) {
        #expect(CardNumber.contains(text))
    }

    @Test(arguments: [
        ("4111-1111-1111-1111", "****-****-****-1111"),
        ("4111111111111111", "************1111"),
        ("4111 1111 1111 1111", "**** **** **** 1111"),
        ("PAN4111111111111111!", "PAN************1111!"),
        ("3782 822463 10005", "**** ****** *0005"),
        ("4111 1111 1111 1111 1225", "**** **** **** 1111 1225"),
        ("4111111111111111 12/25", "************1111 12/25"),
        ("4111-1111-1111-1111-123", "****-****-****-1111-123"),  // the CVV is not the 19-digit layout: Luhn
        ("é 4111111111111111 😀", "é ************1111 😀"),
        ("a 4111111111111111 b 5555-5555-5555-4444 c", "a ************1111 b ****-****-****-4444 c"),
    ])
    func maskKeepsTheLastFourAndTheSeparators(_ input: String, _ expected: String) {
        let masked = CardNumber.mask(input)
        #expect(sameBytes(masked, expected), "\(masked)")
        #expect(CardNumber.contains(masked), "a masked number is still refused")
        #expect(sameBytes(CardNumber.mask(masked), masked), "masking twice changes nothing")
    }

    @Test(arguments: [
        "hello",
        "4111111111111112",
        "41111111111111110000",
        "4111 1111  1111 1111",
        "************1111",
        "e\u{301} 12",
        "",
    ])
    func maskLeavesTextWithoutCardNumbersUnchanged(_ text: String) {
        #expect(sameBytes(CardNumber.mask(text), text))
    }

    @Test func aLongRunOfDigitsIsScannedOnce() {
        let digits = repeated("4", 100_000)
        #expect(!CardNumber.contains(digits))
        #expect(sameBytes(CardNumber.mask(digits), digits))
    }

    @Test func aCardNumberAfterALongRunIsStillFound() {
        let text = repeated("1", 50) + " x " + PAN.visa
        #expect(CardNumber.contains(text))
        #expect(sameBytes(CardNumber.mask(text), repeated("1", 50) + " x " + PAN.visaMasked))
    }
}
