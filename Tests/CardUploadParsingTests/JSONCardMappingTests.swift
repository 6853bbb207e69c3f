import CardUploadInput
import CardUploadModel
import Testing

@testable import CardUploadParsing

/// The mapping of one JSON-lines object to card fields (SPEC §2, §3).
@Suite struct JSONCardMappingTests {
    static func card(_ line: String) throws -> RawCard {
        guard case .object(let members) = try JSONDocumentParser.parse(Array(line.utf8)) else {
            throw MappingTestError.notAnObject
        }
        return JSONCardMapping.card(from: members)
    }

    enum MappingTestError: Error { case notAnObject }

    @Test func mapsTheAPIBody() throws {
        let card = try Self.card(#"""
            {"external_id":"ext-1","account_id":"account_a","entity_id":"entity_b","type":"virtual",
             "details":{"last_four":"0042","replacement_for":"card_x"},"metadata":{"k":"v","cost_center":"cc"}}
            """#)
        #expect(card == RawCard(
            externalID: .string("ext-1"), accountID: .string("account_a"), entityID: .string("entity_b"),
            type: .string("virtual"), lastFour: .string("0042"), replacementFor: .string("card_x"),
            metadata: [("k", .string("v")), ("cost_center", .string("cc"))]
        ))
    }

    @Test func nullMeansAbsent() throws {
        let card = try Self.card(#"""
            {"external_id":null,"account_id":null,"entity_id":null,"type":null,"details":null,"metadata":null}
            """#)
        #expect(card == RawCard())
        let inner = try Self.card(#"{"details":{"last_four":null,"replacement_for":null},"metadata":{}}"#)
        #expect(inner == RawCard())
    }

    @Test func valuesKeepTheirJSONType() throws {
        let card = try Self.card(#"""
            {"external_id":12,"account_id":true,"entity_id":[1],"type":{"a":1},
             "details":{"last_four":42.5e1,"replacement_for":false}}
            """#)
        #expect(card == RawCard(
            externalID: .number("12"), accountID: .bool(true), entityID: .array, type: .object,
            lastFour: .number("42.5e1"), replacementFor: .bool(false)
        ))
    }

    @Test func numbersAreKeptAsTheirLiteralText() throws {
        let card = try Self.card(#"{"details":{"last_four":-0.0420E+01},"metadata":{"n":1e400,"m":12345678901234567890123}}"#)
        #expect(card.lastFour == .number("-0.0420E+01"))
        #expect(card.metadata.map(\.value) == [.number("1e400"), .number("12345678901234567890123")])
    }

    @Test func metadataNullOrEmptyStringDropsTheKey() throws {
        let card = try Self.card(#"""
            {"metadata":{"a":"1","gone":null,"empty":"","space":" ","n":0,"b":false,"o":{"x":1},"l":[],"_note":"data","z":"2"}}
            """#)
        #expect(card.metadata.map(\.key) == ["a", "space", "n", "b", "o", "l", "_note", "z"])
        #expect(card.metadata.map(\.value) == [
            .string("1"), .string(" "), .number("0"), .bool(false), .object, .array, .string("data"), .string("2"),
        ])
    }

    @Test func metadataKeysKeepTheirBytes() throws {
        let card = try Self.card("{\"metadata\":{\"\u{E9}\":\"1\",\"e\u{301}\":\"2\"}}")
        #expect(card.metadata.map { Array($0.key.utf8) } == [[0xC3, 0xA9], [0x65, 0xCC, 0x81]])
    }

    @Test func annotationKeysAreIgnoredAtTheTopLevelOnly() throws {
        let card = try Self.card(#"""
            {"_line":7,"_errors":[{"code":"x"}],"external_id":"e","_":null,"_\u00e9":1,"metadata":{"_k":"v"}}
            """#)
        #expect(card == RawCard(externalID: .string("e"), metadata: [("_k", .string("v"))]))
    }

    @Test func systemManagedKeysAreNotSettable() throws {
        let card = try Self.card(#"""
            {"id":"card_1","status":"active","status_reason":null,"replaced_by":null,"created_at":"t","updated_at":"t"}
            """#)
        #expect(card.extraFields.map(\.field) == ["id", "status", "status_reason", "replaced_by", "created_at", "updated_at"])
        #expect(card.extraFields.allSatisfy { $0.code == .fieldNotSettable })
    }

    @Test func otherKeysAreUnknownInInputOrder() throws {
        let card = try Self.card(#"""
            {"colour":"red","status":"x","details":{"last_four":"0042","cvv":"123","brand":null},"External_ID":"e","last_four":"1"}
            """#)
        #expect(card.lastFour == .string("0042"))
        #expect(card.extraFields.map(\.field) == ["colour", "status", "details.cvv", "details.brand", "External_ID", "last_four"])
        #expect(card.extraFields.map(\.code) == [.unknownField, .fieldNotSettable, .unknownField, .unknownField, .unknownField, .unknownField])
    }

    @Test func annotationKeysInsideDetailsAreUnknown() throws {
        let card = try Self.card(#"{"details":{"_note":"x"}}"#)
        #expect(card.extraFields.map(\.field) == ["details._note"])
    }

    /// U+212A KELVIN SIGN is canonically equivalent to "K"; no field name may match a key that is only equivalent.
    @Test func keysMatchFieldNamesByteForByte() throws {
        let card = try Self.card("{\"e\u{301}xternal_id\":\"x\",\"\u{212A}\":1,\"t\u{0079}pe\":\"virtual\"}")
        #expect(card.externalID == nil)
        #expect(card.type == .string("virtual"))
        #expect(card.extraFields.map { Array($0.field.utf8) } == [
            Array("e\u{301}xternal_id".utf8), Array("\u{212A}".utf8),
        ])
    }

    @Test func detailsThatIsNotAnObject() throws {
        #expect(try Self.card(#"{"details":"0042"}"#) == RawCard(detailsNotObject: .string("0042")))
        #expect(try Self.card(#"{"details":[]}"#) == RawCard(detailsNotObject: .array))
        #expect(try Self.card(#"{"details":7}"#) == RawCard(detailsNotObject: .number("7")))
        #expect(try Self.card(#"{"details":true}"#) == RawCard(detailsNotObject: .bool(true)))
        #expect(try Self.card(#"{"details":""}"#) == RawCard(detailsNotObject: .string("")))
    }

    @Test func metadataThatIsNotAnObject() throws {
        #expect(try Self.card(#"{"metadata":"k=v"}"#) == RawCard(metadataNotObject: .string("k=v")))
        #expect(try Self.card(#"{"metadata":[{"k":"v"}]}"#) == RawCard(metadataNotObject: .array))
        #expect(try Self.card(#"{"metadata":false}"#) == RawCard(metadataNotObject: .bool(false)))
        #expect(try Self.card(#"{"metadata":""}"#) == RawCard(metadataNotObject: .string("")))
    }

    @Test func theReaderMapsEachLine() throws {
        let text = """
            {"external_id":"e1","account_id":"account_1","details":{"last_four":"0042","x":1},"status":"closed","_line":2}
            {"external_id":"e2","metadata":{"k":null}}
            """
        let reader = JSONLinesRecordReader(source: ArrayChunkSource(text, chunkSize: 1))
        var cards: [RawCard] = []
        while let record = try reader.next() {
            guard case .card(let card) = record.content else {
                Issue.record("line \(record.line) unreadable")
                continue
            }
            cards.append(card)
        }
        #expect(cards == [
            RawCard(
                externalID: .string("e1"), accountID: .string("account_1"), lastFour: .string("0042"),
                extraFields: [("details.x", .unknownField), ("status", .fieldNotSettable)]
            ),
            RawCard(externalID: .string("e2")),
        ])
    }
}
