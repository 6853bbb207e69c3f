import CardUploadModel
import Foundation
import Testing

/// Client ids are never refused as card numbers (SPEC §3): generated UUIDs (v4 and v7, both cases),
/// ULIDs, IBANs and phone numbers, alone and inside text. `swift test` checks 20,000 of each kind;
/// `CARD_UPLOAD_PROPERTY_IDS=1000000 swift test --filter CardNumberIDsTests` checks as many as asked.
@Suite struct CardNumberIDsTests {
    static let perKind = ProcessInfo.processInfo.environment["CARD_UPLOAD_PROPERTY_IDS"].flatMap(Int.init) ?? 20_000

    enum Kind: String, CaseIterable {
        case uuidV4Lower, uuidV4Upper, uuidV7Lower, uuidV7Upper, ulid, ibanPrinted, ibanElectronic, phone
    }

    @Test(arguments: Kind.allCases)
    func generatedIDsAreNeverCardNumbers(_ kind: Kind) {
        // A fixed seed per kind: a failure names the id, and the run can be repeated.
        var random = SplitMix64(seed: UInt64(kind.rawValue.utf8.reduce(7) { $0 &* 31 &+ UInt64($1) }))
        var refused: [String] = []
        for index in 0..<Self.perKind {
            let id = Self.make(kind, &random)
            // Alone, with a prefix as client ids often have, and inside a sentence. (A prefix ending in a
            // dash makes a UUID touch it: SPEC §3 then reads it as any other text.)
            let texts = [id, "cust_" + id, "order " + id + " paid", "id:" + id]
            for text in texts where CardNumber.contains(text) || CardNumber.mask(text) != text {
                if refused.count < 5 { refused.append("#\(index) \(text)") }
            }
        }
        #expect(refused.isEmpty, "\(kind): \(refused)")
    }

    static func make(_ kind: Kind, _ random: inout SplitMix64) -> String {
        switch kind {
        case .uuidV4Lower: uuid(version: 4, &random).lowercased()
        case .uuidV4Upper: uuid(version: 4, &random).uppercased()
        case .uuidV7Lower: uuid(version: 7, &random).lowercased()
        case .uuidV7Upper: uuid(version: 7, &random).uppercased()
        case .ulid: ulid(&random)
        case .ibanPrinted: iban(&random, printed: true)
        case .ibanElectronic: iban(&random, printed: false)
        case .phone: phone(&random)
        }
    }

    /// A UUID of `version` (4: random; 7: a Unix-millisecond time then random), RFC 9562 variant.
    static func uuid(version: Int, _ random: inout SplitMix64) -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
        if version == 7 {
            let milliseconds = UInt64.random(in: 1_500_000_000_000...2_500_000_000_000, using: &random)
            for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
        }
        bytes[6] = bytes[6] & 0x0F | UInt8(version << 4)
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(hex.dropFirst(range.lowerBound).prefix(range.count))
        }
        return parts.joined(separator: "-")
    }

    /// A ULID: 26 characters of Crockford's base 32, a 48-bit time then 80 random bits.
    static func ulid(_ random: inout SplitMix64) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var text = ""
        let time = UInt64.random(in: 1_500_000_000_000...2_500_000_000_000, using: &random)
        for index in (0..<10).reversed() { text.append(alphabet[Int(time >> (5 * UInt64(index)) & 31)]) }
        for _ in 0..<16 { text.append(alphabet[Int.random(in: 0..<32, using: &random)]) }
        return text
    }

    /// IBAN layouts (country, BBAN as `n` digits and `a` letters). Printed in groups of four, and
    /// electronic (no spaces) only where the digits after the country code run 20 or more long or are
    /// broken by letters. SPEC §3 reads a run of 13–19 digits touching letters, and fours after a letter,
    /// as a card number, so an electronic BE, CH, DK, FI or NO IBAN and any GB IBAN (its 14 digits after
    /// the bank code: 4-4-4-2 when printed) can hold one when the digits pass the Luhn check (README says so).
    static let printedCountries = [
        ("DE", "nnnnnnnnnnnnnnnnnn"), ("FR", "nnnnnnnnnnnnnnnnnnnnnnn"),
        ("ES", "nnnnnnnnnnnnnnnnnnnn"), ("NL", "aaaannnnnnnnnn"), ("BE", "nnnnnnnnnnnn"), ("CH", "nnnnnnnnnnnnnnnnn"),
        ("DK", "nnnnnnnnnnnnnn"), ("FI", "nnnnnnnnnnnnnn"), ("NO", "nnnnnnnnnnn"), ("IT", "annnnnnnnnnnnnnnnnnnnnn"),
        ("PL", "nnnnnnnnnnnnnnnnnnnnnnnn"), ("AT", "nnnnnnnnnnnnnnnn"), ("SE", "nnnnnnnnnnnnnnnnnnnn"),
    ]
    static let electronicCountries = [
        ("DE", "nnnnnnnnnnnnnnnnnn"), ("FR", "nnnnnnnnnnnnnnnnnnnnnnn"),
        ("ES", "nnnnnnnnnnnnnnnnnnnn"), ("NL", "aaaannnnnnnnnn"), ("IT", "annnnnnnnnnnnnnnnnnnnnn"),
        ("PL", "nnnnnnnnnnnnnnnnnnnnnnnn"), ("SE", "nnnnnnnnnnnnnnnnnnnn"),
    ]

    static func iban(_ random: inout SplitMix64, printed: Bool) -> String {
        let countries = printed ? printedCountries : electronicCountries
        let (country, layout) = countries[Int.random(in: 0..<countries.count, using: &random)]
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let bban = String(layout.map { $0 == "n" ? Character(String(Int.random(in: 0...9, using: &random))) : letters.randomElement(using: &random)! })
        // ISO 13616 check digits: 98 - (BBAN + country + "00" as digits) mod 97.
        let rearranged = (bban + country + "00").map { character -> String in
            character.isNumber ? String(character) : String(Int(character.asciiValue! - 55))
        }.joined()
        let remainder = rearranged.reduce(0) { ($0 * 10 + $1.wholeNumberValue!) % 97 }
        let iban = country + String(format: "%02d", 98 - remainder) + bban
        guard printed else { return iban }
        return stride(from: 0, to: iban.count, by: 4).map { String(iban.dropFirst($0).prefix(4)) }.joined(separator: " ")
    }

    /// A phone number in one of the ways people write them.
    static func phone(_ random: inout SplitMix64) -> String {
        func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &random))) }) }
        switch Int.random(in: 0..<8, using: &random) {
        case 0: return "+1 (\(digits(3))) \(digits(3))-\(digits(4))"
        case 1: return "+44 20 \(digits(4)) \(digits(4))"
        case 2: return "+49 30 \(digits(8))"
        case 3: return "\(digits(3))-\(digits(3))-\(digits(4))"
        case 4: return "+33 1 \(digits(2)) \(digits(2)) \(digits(2)) \(digits(2))"
        case 5: return "+1-\(digits(3))-\(digits(3))-\(digits(4))"
        case 6: return "+\(digits(11))"
        default: return "(0\(digits(2))) \(digits(4)) \(digits(4))"
        }
    }
}

/// A small seeded generator (SplitMix64), so a failing id can be made again.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
