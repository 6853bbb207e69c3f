@testable import CardUploadLoad
import Testing

/// The memory `reconcile --extra` keeps: a bitset of mentioned card rowids and the file's entity ids by their bytes.
@Suite struct ReconcileMentionsTests {
    @Test func rowIDsAreRememberedExactlyAcrossWordBoundaries() {
        var mentions = ReconcileMentions(largestRowID: 130)
        for rowID: Int64 in [1, 63, 64, 65, 127, 128, 130] { mentions.insert(rowID: rowID) }
        let remembered = (0...200).filter { mentions.contains(rowID: Int64($0)) }
        #expect(remembered == [1, 63, 64, 65, 127, 128, 130])
        #expect(!mentions.contains(rowID: -1))
    }

    @Test func aRowIDBeyondTheSizeGrowsTheSet() {
        var mentions = ReconcileMentions(largestRowID: 0)
        mentions.insert(rowID: 10_000)
        #expect(mentions.contains(rowID: 10_000))
        #expect(!mentions.contains(rowID: 9_999) && !mentions.contains(rowID: 10_001))
    }

    @Test func entitiesAreKeptByTheirBytesInByteOrder() {
        var mentions = ReconcileMentions(largestRowID: 0)
        // Canonically equivalent to Swift's ==, different bytes: two entities.
        for entity in ["entity_b", "entity_caf\u{E9}", "entity_cafe\u{301}", "entity_a", "entity_b"] {
            mentions.insert(entityID: entity)
        }
        let ids = mentions.entityIDs
        #expect(ids.count == 4)
        #expect(ids.map { Array($0.utf8) } == [
            Array("entity_a".utf8), Array("entity_b".utf8), Array("entity_cafe\u{301}".utf8), Array("entity_caf\u{E9}".utf8),
        ])
    }
}
