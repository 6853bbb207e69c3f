import CardUploadModel
import Testing
@testable import CardUploadRules

@Suite struct MetadataRuleTests {
    private func card(_ entries: [(key: String, value: RawValue)]) -> RawCard {
        validCard { $0.metadata = entries }
    }

    private func keys(_ count: Int) -> [(key: String, value: RawValue)] {
        (0..<count).map { (key: "k\($0)", value: RawValue.string("v")) }
    }

    @Test func fiftyKeysAreAllowed() {
        #expect(request(card(keys(50)))?.metadata.count == 50)
    }

    @Test func fiftyOneKeysAreOneMetadataLimitOnMetadata() {
        let errors = rowErrors(card(keys(51)))
        #expect(errors == [RowError(field: "metadata", code: .metadataLimit, message: "metadata must have at most 50 keys (got 51)")])
    }

    @Test func anEmptyValueDropsItsKey() {
        let entries = keys(50) + [(key: "empty", value: RawValue.string(""))]
        let made = request(card(entries))
        #expect(made?.metadata.count == 50)
        #expect(made?.metadata.contains { $0.key == "empty" } == false)
    }

    @Test(arguments: [
        (repeated("k", 40), true), (repeated("k", 41), false),
        (repeated("😀", 40), true), (repeated("😀", 41), false),
        (repeated("e\u{301}", 20), true), (repeated("e\u{301}", 20) + "x", false),
        ("", false),
    ])
    func keysAreOneTo40Scalars(_ key: String, _ valid: Bool) {
        let codes = fieldCodes(card([(key: key, value: .string("v"))]))
        #expect(codes == (valid ? [] : [FieldCode("metadata." + key, .metadataLimit)]))
    }

    @Test(arguments: [
        (repeated("v", 500), true), (repeated("v", 501), false),
        (repeated("😀", 500), true), (repeated("😀", 501), false),
        (repeated("e\u{301}", 250), true), (repeated("e\u{301}", 250) + "x", false),
    ])
    func valuesAreAtMost500Scalars(_ value: String, _ valid: Bool) {
        let codes = fieldCodes(card([(key: "note", value: .string(value))]))
        #expect(codes == (valid ? [] : [FieldCode("metadata.note", .metadataLimit)]))
    }

    @Test(arguments: [RawValue.number("5"), .bool(true), .array, .object])
    func aValueThatIsNotAStringIsInvalidType(_ value: RawValue) {
        #expect(fieldCodes(card([(key: "n", value: value)])) == [FieldCode("metadata.n", .invalidType)])
    }

    @Test func typeComesBeforeLength() {
        #expect(fieldCodes(card([(key: repeated("k", 41), value: .number("5"))])) == [FieldCode("metadata." + repeated("k", 41), .invalidType)])
    }

    @Test func lengthComesBeforeCardNumber() {
        let value = repeated("v", 501) + PAN.visa
        let errors = rowErrors(card([(key: "note", value: .string(value))]))
        #expect(errors.map(\.code) == [.metadataLimit])
        #expect(errors.first?.message.contains("4111") == false, "the cut value must not show the start of a card number")
        let keyErrors = rowErrors(card([(key: repeated("k", 41) + PAN.visa, value: .string("v"))]))
        #expect(keyErrors.map(\.code) == [.metadataLimit])
    }

    @Test func aCardNumberInAValueIsPanDetectedAndMasked() {
        let errors = rowErrors(card([(key: "note", value: .string("card " + PAN.visa))]))
        #expect(errors == [RowError(field: "metadata.note", code: .panDetected, message: "metadata.note must not hold a card number (got \"card \(PAN.visaMasked)\")")])
    }

    @Test func aCardNumberInAKeyIsPanDetectedWithTheFieldMasked() {
        let errors = rowErrors(card([(key: PAN.visa, value: .string("v"))]))
        #expect(errors.map { FieldCode($0.field, $0.code) } == [FieldCode("metadata." + PAN.visaMasked, .panDetected)])
        #expect(errors.first?.message.contains(PAN.visa) == false)
    }

    /// SPEC §3: a key becomes a column name in exports, so it holds no control character (Cc).
    @Test(arguments: ["line\nkey", "tab\tkey", "cr\r", "\u{0}nul", "esc\u{1B}[2J", "del\u{7F}", "c1\u{85}", "c1\u{9F}"])
    func aKeyWithAControlCharacterIsInvalidFormat(key: String) {
        let errors = rowErrors(card([(key: key, value: .string("v"))]))
        #expect(errors.map { FieldCode($0.field, $0.code) } == [FieldCode("metadata." + key, .invalidFormat)])
        #expect(errors.first?.message.hasPrefix("metadata key must not contain control characters (got \"") == true, "\(errors)")
    }

    /// Format characters, separators and other white space are not control characters.
    @Test(arguments: ["rlo\u{202E}", "line\u{2028}sep", "zw\u{200B}sp", "nb\u{A0}sp", " spaced ", "e\u{301}"])
    func aKeyWithOtherUnusualCharactersIsAllowed(key: String) {
        #expect(fieldCodes(card([(key: key, value: .string("v"))])) == [])
    }

    @Test func aControlCharacterInAKeyComesAfterTypeAndLengthAndBeforeCardNumber() {
        #expect(fieldCodes(card([(key: "a\nb", value: .number("5"))])) == [FieldCode("metadata.a\nb", .invalidType)])
        #expect(fieldCodes(card([(key: repeated("k", 41) + "\n", value: .string("v"))])).map(\.code) == [.metadataLimit])
        #expect(fieldCodes(card([(key: "a\nb", value: .string(repeated("v", 501)))])).map(\.code) == [.metadataLimit])
        let errors = rowErrors(card([(key: "\t" + PAN.visa, value: .string("v"))]))
        #expect(errors.map { FieldCode($0.field, $0.code) } == [FieldCode("metadata.\t" + PAN.visaMasked, .invalidFormat)])
        #expect(errors.first?.message.contains(PAN.visa) == false)
        #expect(errors.first?.message.contains(PAN.visaMasked) == true, "\(errors)")
    }

    @Test func aMaskedNumberIsPanDetected() {
        #expect(fieldCodes(card([(key: "note", value: .string("**** **** **** 1111"))])) == [FieldCode("metadata.note", .panDetected)])
    }

    @Test func aFieldNameFromAKeyIsMaskedEvenForOtherErrors() {
        let errors = rowErrors(card([(key: PAN.visa, value: .number("1"))]))
        #expect(errors.map(\.field) == ["metadata." + PAN.visaMasked])
        #expect(errors.first?.message.contains(PAN.visa) == false)
    }

    @Test func tooManyKeysAndBadKeysAreAllReported() {
        var entries = keys(50)
        entries.insert((key: "b", value: .number("1")), at: 3)
        entries.insert((key: "a", value: .string(repeated("v", 501))), at: 10)
        #expect(fieldCodes(card(entries)) == [
            FieldCode("metadata", .metadataLimit),
            FieldCode("metadata.b", .invalidType),
            FieldCode("metadata.a", .metadataLimit),
        ])
    }

    @Test func keptEntriesAreSortedByKeyBytes() {
        let made = request(card([(key: "b", value: .string("2")), (key: "a", value: .string("1")), (key: "B", value: .string("3"))]))
        #expect(made?.metadata.map(\.key) == ["B", "a", "b"])
    }

    @Test func valuesAreKeptAsGiven() {
        let value = " spaced \u{1B} e\u{301} "
        let made = request(card([(key: "k", value: .string(value))]))
        #expect(made.map { sameBytes($0.metadata[0].value, value) } == true)
    }
}
