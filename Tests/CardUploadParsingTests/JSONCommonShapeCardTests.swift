import CardUploadModel
import Testing

@testable import CardUploadParsing

/// `JSONDocumentParser.commonShapeCard` reads the common line straight into a card and answers nil for
/// everything else; whenever it answers, its card must be the one the full parse and mapping give.
@Suite struct JSONCommonShapeCardTests {
    /// The full path's card for `bytes`, or nil when they are not valid JSON or not an object.
    private func fullCard(_ bytes: [UInt8]) -> RawCard? {
        guard case .object(let members)? = try? JSONDocumentParser.parse(bytes) else { return nil }
        return JSONCardMapping.card(from: members)
    }

    private func fullCard(_ line: String) -> RawCard? { fullCard(Array(line.utf8)) }

    private func fastCard(_ bytes: [UInt8]) -> RawCard? { JSONDocumentParser.commonShapeCard(bytes[...]) }

    private func fastCard(_ line: String) -> RawCard? { fastCard(Array(line.utf8)) }

    /// Lines of the common shape: read on the fast path, to the full path's card.
    static let commonLines = [
        #"{"external_id": "EMP-1", "account_id": "account_a", "entity_id": "entity_e", "type": "virtual", "details": {"last_four": "0042"}, "metadata": {"cost_center": "CC-1", "department": "hr"}}"#,
        #"{"external_id":"e","details":{"replacement_for":"card_x","last_four":"1234"}}"#,
        #"  {  "type" : "physical" , "external_id" : "x"  }  "#,
        "{\"external_id\":\"x\"}\r",
        #"{}"#,
        #"{"details":{},"metadata":{}}"#,
        #"{"external_id": null, "type": null, "details": {"last_four": null}}"#,
        #"{"external_id": "", "account_id": 12, "entity_id": true, "type": false, "details": {"last_four": -0.5e3}}"#,
        #"{"external_id": "a\"b\\c\u00e9\n", "metadata": {"n\u00f6te": "caf\u00e9 \ud83d\ude00", "k": "v"}}"#,
        #"{"metadata": {"a": "", "b": null, "c": 0, "d": false, "e": "x"}}"#,
        #"{"external_id": "Zoë Müller — 日本"}"#,
        "{\"metadata\": {\"\u{E9}\": \"1\", \"e\u{301}\": \"2\"}}",  // the same letter, NFC and NFD: two keys
        #"{"metadata": {"k1": "1", "k2": 2, "k3": true, "k4": null, "k5": "", "k6": "6", "k7": "7", "k8": "8"}}"#,
    ]

    /// Lines the fast path leaves to the full one: errors, other keys, nested values, duplicates.
    static let otherLines = [
        #"{"external_id": "a", "external_id": "b"}"#,
        #"{"details": {"last_four": "1", "last_four": "2"}}"#,
        #"{"metadata": {"a": "", "a": "x"}}"#,
        #"{"metadata": {"a": null, "a": null}}"#,
        #"{"metadata": {"a": "1", "\u0061": "2"}}"#,
        #"{"status": "active"}"#,
        #"{"_note": "annotation", "external_id": "x"}"#,
        #"{"extra": 1}"#,
        #"{"details": {"foo": "1"}}"#,
        #"{"details": "0042"}"#,
        #"{"details": null}"#,
        #"{"metadata": ["a"]}"#,
        #"{"metadata": {"a": {"b": 1}}}"#,
        #"{"metadata": {"a": [1]}}"#,
        #"{"external_id": ["x"]}"#,
        #"{"type": {"a": 1}}"#,
        #"{"ext\u0065rnal_id": "x"}"#,
        #"{"external_id": "x",}"#,
        #"{"external_id": "x"} {"#,
        #"{"external_id": "x""#,
        #"{"external_id" "x"}"#,
        #"{"external_id": nul}"#,
        #"{"metadata": {"a": nul}}"#,
        #"{"metadata": {"a": tru}}"#,
        #"{"external_id": 01}"#,
        "{\"external_id\": \"a\tb\"}",
        #"{"metadata": {"a": "1",}}"#,
        #"{"metadata": {"k1": "1", "k2": 2, "k3": true, "k4": null, "k5": "", "k6": "6", "k7": "7", "k8": "8", "k9": "9"}}"#,
        #"[1, 2]"#,
        #""x""#,
        "{\"external_id\": \"\u{FFFD}\"}\u{0}",
    ]

    @Test(arguments: commonLines)
    func aCommonLineIsReadStraightIntoTheFullPathsCard(_ line: String) throws {
        let fast = try #require(fastCard(line), "the fast path left a common line to the full one")
        #expect(fast == fullCard(line))
    }

    @Test(arguments: otherLines)
    func anyOtherLineIsLeftToTheFullPath(_ line: String) {
        #expect(fastCard(line) == nil)
    }

    /// Metadata keys are compared one by one with the earlier ones, so the fast path takes at most the
    /// full parser's linear limit (8) of them: a line of tens of thousands of keys (under the 1 MiB line
    /// limit) is the full parser's, which uses a set, instead of quadratic work on the reading thread.
    @Test func aMetadataObjectOfManyKeysIsLeftToTheFullPath() throws {
        for value in ["1", "null"] {
            let keys = (0..<20_000).map { "\"k\($0)\": \(value)" }.joined(separator: ", ")
            let line = "{\"external_id\": \"x\", \"metadata\": {\(keys)}}"
            #expect(fastCard(line) == nil)
            #expect(fullCard(line) != nil)
        }
    }

    /// Cards compare their texts byte for byte, so these tests tell an NFC key from an NFD one.
    @Test func cardsCompareTextsByTheirBytes() {
        #expect(RawCard(metadata: [("\u{E9}", .string("x"))]) != RawCard(metadata: [("e\u{301}", .string("x"))]))
        #expect(RawCard(externalID: .string("\u{E9}")) != RawCard(externalID: .string("e\u{301}")))
        #expect(RawCard(externalID: .string("\u{E9}")) == RawCard(externalID: .string("\u{E9}")))
    }

    @Test func invalidUTF8InAValueIsLeftToTheFullPath() {
        for bytes: [UInt8] in [
            Array(#"{"external_id": "a"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8),
            Array(#"{"metadata": {"k"#.utf8) + [0xFF] + Array(#"": "v"}}"#.utf8),
            Array(#"{"metadata": {"k": "v"#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}}"#.utf8),
        ] {
            #expect(fastCard(bytes) == nil)
            #expect((try? JSONDocumentParser.parse(bytes)) == nil)
        }
    }

    /// Every prefix of a common line and every line with one byte changed: the fast path either leaves it
    /// or agrees with the full path.
    @Test func everyCutOrChangedLineAgreesOrIsLeft() {
        let line = Array(Self.commonLines[0].utf8) + Array(#" "#.utf8)
        let replacements: [UInt8] = [0x22, 0x5C, 0x2C, 0x3A, 0x7B, 0x7D, 0x5B, 0x20, 0x6E, 0x30, 0x2D, 0x00, 0xC3]
        var agreed = 0
        for cut in 0...line.count {
            let bytes = Array(line[..<cut])
            if let fast = fastCard(bytes) {
                #expect(fast == fullCard(bytes), "prefix \(cut)")
                agreed += 1
            }
        }
        for index in line.indices {
            for byte in replacements where line[index] != byte {
                var bytes = line
                bytes[index] = byte
                if let fast = fastCard(bytes) {
                    #expect(fast == fullCard(bytes), "byte \(index) -> \(byte)")
                    agreed += 1
                }
            }
        }
        #expect(agreed > 100)
    }
}
