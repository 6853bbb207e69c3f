import CardUploadModel
import Testing
@testable import CardUploadRules

@Suite struct CanonicalBodyTests {
    @Test func keysAreSortedAndCompact() {
        let made = CardRequest(
            externalID: "ext-1", accountID: "account_a", entityID: "entity_e", type: .virtual,
            lastFour: "0042", replacementFor: "card_old", metadata: [(key: "b", value: "2"), (key: "a", value: "1")]
        )
        #expect(made.canonicalBody
            == #"{"account_id":"account_a","details":{"last_four":"0042","replacement_for":"card_old"},"entity_id":"entity_e","metadata":{"a":"1","b":"2"},"type":"virtual"}"#)
    }

    @Test func absentReplacementAndEmptyMetadata() {
        let made = CardRequest(externalID: "x", accountID: "account_a", entityID: "entity_e", lastFour: "0042")
        #expect(made.canonicalBody == #"{"account_id":"account_a","details":{"last_four":"0042"},"entity_id":"entity_e","metadata":{},"type":"virtual"}"#)
        #expect(made.metadataJSON == "{}")
    }

    @Test func theExternalIDIsNotPartOfTheBody() {
        let one = CardRequest(externalID: "x", accountID: "account_a", entityID: "entity_e", lastFour: "0042")
        let two = CardRequest(externalID: "y", accountID: "account_a", entityID: "entity_e", lastFour: "0042")
        #expect(sameBytes(one.canonicalBody, two.canonicalBody))
    }

    @Test func stringsAreEscapedOneWay() {
        let value = "q\"b\\s/\u{0}\u{8}\u{9}\u{A}\u{C}\u{D}\u{1B}\u{1F}\u{7F}\u{2028}é😀"
        let made = CardRequest(externalID: "x", accountID: "account_a", entityID: "entity_e", lastFour: "0042", metadata: [(key: "k\"\n", value: value)])
        let expected = #"{"k\"\n":"q\"b\\s/\u0000\b\t\n\f\r\u001b\u001f"# + "\u{7F}\u{2028}é😀\"}"
        #expect(sameBytes(made.metadataJSON, expected), "\(made.metadataJSON)")
        #expect(made.canonicalBody.contains(expected))
    }

    @Test func metadataKeysAreSortedByteForByte() {
        // Bytewise: "Z" (5A) < "a" (61) < "é" (C3 A9) < "Å" (E2 84 AB) < "ｚ" (EF BD 9A) < "😀" (F0 …).
        // U+212B ANGSTROM SIGN (E2 84 AB) sorts after "é" by bytes, but before it for Swift `<`,
        // which compares the NFC form (U+00C5).
        let made = CardRequest(
            externalID: "x", accountID: "account_a", entityID: "entity_e", lastFour: "0042",
            metadata: [(key: "😀", value: "5"), (key: "ｚ", value: "4"), (key: "é", value: "3"), (key: "a", value: "2"), (key: "Z", value: "1"), (key: "\u{212B}", value: "6")]
        )
        #expect(sameBytes(made.metadataJSON, "{\"Z\":\"1\",\"a\":\"2\",\"é\":\"3\",\"\u{212B}\":\"6\",\"ｚ\":\"4\",\"😀\":\"5\"}"))
        #expect(made.metadata.map(\.value) == ["1", "2", "3", "6", "4", "5"])
    }

    @Test func canonicallyEquivalentKeysStayDistinctAndOrderedByBytes() {
        // "e\u{301}" (65 CC 81) and "é" (C3 A9) are equal to Swift `==` but are different keys.
        let made = CardRequest(
            externalID: "x", accountID: "account_a", entityID: "entity_e", lastFour: "0042",
            metadata: [(key: "\u{E9}", value: "pre"), (key: "e\u{301}", value: "de")]
        )
        #expect(made.metadata.count == 2)
        #expect(sameBytes(made.metadataJSON, "{\"e\u{301}\":\"de\",\"\u{E9}\":\"pre\"}"))
    }

    @Test func aRepeatedKeyKeepsTheLastValue() {
        let made = CardRequest(
            externalID: "x", accountID: "account_a", entityID: "entity_e", lastFour: "0042",
            metadata: [(key: "k", value: "1"), (key: "a", value: "0"), (key: "k", value: "2")]
        )
        #expect(made.metadataJSON == #"{"a":"0","k":"2"}"#)
    }

    @Test func precomposedAndDecomposedGiveDifferentBodies() throws {
        let precomposed = try #require(request(validCard { $0.metadata = [(key: "city", value: .string("Caf\u{E9}"))] }))
        let decomposed = try #require(request(validCard { $0.metadata = [(key: "city", value: .string("Cafe\u{301}"))] }))
        #expect(precomposed.canonicalBody == decomposed.canonicalBody, "Swift == cannot tell them apart")
        #expect(!sameBytes(precomposed.canonicalBody, decomposed.canonicalBody))
        #expect(Array(precomposed.canonicalBodyBytes) != Array(decomposed.canonicalBodyBytes))
    }

    @Test func theSameCardFromCSVAndFromJSONLinesHasTheSameBody() throws {
        // CSV: every cell a string, empty cells absent, metadata in column order.
        let fromCSV = RawCard(
            externalID: .string("ext-9"), accountID: .string("account_a"), entityID: .string("entity_e"),
            type: nil, lastFour: .string("0042"), replacementFor: nil,
            metadata: [(key: "team", value: .string("ops")), (key: "cost_center", value: .string("7")), (key: "empty", value: .string(""))]
        )
        // JSON lines: type given, replacement_for "", metadata in another order.
        let fromJSON = RawCard(
            externalID: .string("ext-9"), accountID: .string("account_a"), entityID: nil,
            type: .string("virtual"), lastFour: .string("0042"), replacementFor: .string(""),
            metadata: [(key: "cost_center", value: .string("7")), (key: "team", value: .string("ops"))]
        )
        let csvBody = try #require(request(fromCSV)).canonicalBody
        let jsonBody = try #require(request(fromJSON, defaultEntity: "entity_e")).canonicalBody
        #expect(sameBytes(csvBody, jsonBody))
        #expect(csvBody == #"{"account_id":"account_a","details":{"last_four":"0042"},"entity_id":"entity_e","metadata":{"cost_center":"7","team":"ops"},"type":"virtual"}"#)
    }

    @Test func aDifferentMetadataValueGivesADifferentBody() throws {
        let one = try #require(request(validCard { $0.metadata = [(key: "k", value: .string("1"))] }))
        let two = try #require(request(validCard { $0.metadata = [(key: "k", value: .string("2"))] }))
        #expect(!sameBytes(one.canonicalBody, two.canonicalBody))
        #expect(!sameBytes(one.metadataJSON, two.metadataJSON))
    }
}
