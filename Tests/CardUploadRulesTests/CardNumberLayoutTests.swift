import CardUploadModel
import Testing

/// The issuers' public test card numbers, written every way SPEC §3 names — all together, in each layout
/// that fits their length with a space or a dash, with an expiry date, a CVV or a track-like suffix after
/// them, inside text and ids — are caught and masked.
@Suite struct CardNumberLayoutTests {
    /// Public test numbers: Visa (13, 16, 19 digits), Mastercard (51–55 and the 2-series), American
    /// Express, Discover, Diners Club, JCB and UnionPay.
    static let testNumbers = [
        "4222222222222", "4111111111111111", "4012888888881881", "4000056655665556", "4111111111111111003",
        "5555555555554444", "5105105105105100", "5200828282828210", "2223003122003222", "2221000000000009",
        "378282246310005", "371449635398431", "378734493671000",
        "6011111111111117", "6011000990139424", "6011981111111113",
        "30569309025904", "38520000023237", "36227206271667",
        "3530111333300000", "3566002020360505",
        "6200000000000005", "6205500000000000004",
    ]

    /// The card layouts of SPEC §3 that fit `digits` digits: fours with a last group of one to four, and
    /// 4-6-5 (15 digits) or 4-6-4 (14 digits).
    static func layouts(digits: Int) -> [[Int]] {
        var layouts: [[Int]] = []
        let fours = (digits - 1) / 4
        let last = digits - fours * 4
        if fours >= 3 { layouts.append(Array(repeating: 4, count: fours) + [last]) }
        if digits == 15 { layouts.append([4, 6, 5]) }
        if digits == 14 { layouts.append([4, 6, 4]) }
        return layouts
    }

    /// `number` in `layout`, its groups joined by `separator`.
    static func grouped(_ number: String, _ layout: [Int], _ separator: String) -> String {
        var groups: [String] = []
        var rest = Substring(number)
        for length in layout {
            groups.append(String(rest.prefix(length)))
            rest = rest.dropFirst(length)
        }
        return groups.joined(separator: separator)
    }

    /// Every way the number is written: together, and each layout with a space and with a dash.
    static func writings(_ number: String) -> [String] {
        [number] + layouts(digits: number.count).flatMap { layout in
            [" ", "-"].map { grouped(number, layout, $0) }
        }
    }

    static let suffixes = ["", " 12/25", " 1225", "-1225", " 123", "-123", "=2512101123", " exp 12/25 cvv 123"]
    static let surroundings: [(String, String)] = [
        ("", ""), ("PAN", ""), ("card: ", "."), ("id-", "-x"), ("é ", " 😀"), ("{\"pan\":\"", "\"}"), ("a", "b"),
    ]

    @Test(arguments: testNumbers)
    func everyWritingIsCaughtAndMasked(_ number: String) {
        #expect(number.count >= 13 && number.count <= 19)
        let writings = Self.writings(number)
        #expect(writings.count >= 3, "\(number) has a layout")
        for writing in writings {
            for suffix in Self.suffixes {
                for (before, after) in Self.surroundings {
                    let text = before + writing + suffix + after
                    #expect(CardNumber.contains(text), "\(text)")
                    let (match, rest) = Self.longestMatch(writing, suffix)
                    let masked = CardNumber.mask(text)
                    #expect(masked == before + Self.masked(match) + rest + after, "\(text) -> \(masked)")
                    #expect(CardNumber.contains(masked), "the masked \(masked) is still refused")
                    #expect(CardNumber.mask(masked) == masked, "masking \(masked) again changes it")
                }
            }
        }
    }

    /// What of `writing` + `suffix` is the card number: a 16-digit number in fours goes on into a last
    /// group of one to three digits after it (`4111 1111 1111 1111 12/25`) when those 17–19 digits pass
    /// the Luhn check — the longest layout that fits — and the rest is left as it is.
    static func longestMatch(_ writing: String, _ suffix: String) -> (match: String, rest: String) {
        let digits = writing.filter(\.isNumber)
        guard digits.count == 16, writing.count == 19, let separator = suffix.first, separator == writing[writing.index(writing.startIndex, offsetBy: 4)]
        else { return (writing, suffix) }
        let group = suffix.dropFirst().prefix { $0.isNumber }
        guard (1...3).contains(group.count), luhn(digits + group) else { return (writing, suffix) }
        return (writing + String(separator) + group, String(suffix.dropFirst(1 + group.count)))
    }

    /// `text` with every digit but the last four as `*`, separators kept.
    static func masked(_ text: String) -> String {
        var toMask = text.filter(\.isNumber).count - 4
        return String(text.map { character in
            guard character.isNumber, toMask > 0 else { return character }
            toMask -= 1
            return "*"
        })
    }

    @Test func theLastFourDigitsOfAGroupedNumberStayEvenAcrossAGroup() {
        #expect(CardNumber.mask("3782 822463 10005") == "**** ****** *0005")
        #expect(CardNumber.mask("4222-2222-2222-2") == "****-****-*222-2")
        #expect(CardNumber.mask("4111 1111 1111 1111 003") == "**** **** **** ***1 003")
    }

    @Test(arguments: testNumbers)
    func aNumberTouchingAnotherDigitOrOutOfLayoutIsNotOne(_ number: String) throws {
        // A digit touching the front makes a run that starts with 1: no card number.
        #expect(!CardNumber.contains("1" + number))
        // A digit touching the end: a card number only if that longer run is one itself.
        #expect(CardNumber.contains(number + "0") == (number.count < 19 && Self.luhn(number + "0")))
        // A grouped number does not begin after a separator that follows a digit.
        let layout = try #require(Self.layouts(digits: number.count).first)
        #expect(!CardNumber.contains("9 " + Self.grouped(number, layout, " ")))
        #expect(!CardNumber.contains("9-" + Self.grouped(number, layout, "-")))
        // Groups that are not a card's layout: pairs.
        let pairs = stride(from: 0, to: number.count, by: 2).map { String(number.dropFirst($0).prefix(2)) }
        #expect(!CardNumber.contains(pairs.joined(separator: " ")))
        // Two separators in one number (a 16-digit one or shorter: no shorter layout is left to fit).
        if number.count <= 16 {
            var mixed = Self.grouped(number, layout, " ")
            let last = try #require(mixed.lastIndex(of: " "))
            mixed.replaceSubrange(last...last, with: "-")
            #expect(!CardNumber.contains(mixed), "\(mixed)")
        }
    }

    /// The Luhn check over the digits of `text`.
    static func luhn(_ text: some StringProtocol) -> Bool {
        var sum = 0
        for (position, digit) in text.compactMap(\.wholeNumberValue).reversed().enumerated() {
            sum += position % 2 == 1 ? (digit * 2 > 9 ? digit * 2 - 9 : digit * 2) : digit
        }
        return sum % 10 == 0
    }
}
