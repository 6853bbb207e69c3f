@testable import CardUploadStore
import Foundation
import Testing

/// Card and upload ids, timestamps, and telling a live upload owner from a dead one.
@Suite struct IdentifierTests {
    @Test func idsAreThePrefixAnd20LowercaseAlphanumerics() {
        var generator = IdentifierGenerator()
        let ids = (0..<2000).map { _ in generator.cardID() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.hasPrefix("card_"))
            let tail = id.dropFirst(5)
            #expect(tail.count == 20)
            #expect(tail.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) })
        }
        #expect(generator.uploadID().hasPrefix("upload_"))
        // The random part differs between ids made in the same millisecond.
        #expect(Set(ids.map { $0.suffix(12) }).count == ids.count)
    }

    @Test func timestampsAreRFC3339UTCWithMilliseconds() {
        let stamp = Timestamp.now()
        #expect(stamp.count == 24)
        #expect(stamp.hasSuffix("Z"))
        #expect(Array(stamp)[10] == "T" && Array(stamp)[19] == ".")
    }

    @Test func anUploadIsAliveWhileItsSlotIsHeldAndDeadOnceReleased() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("owner-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path + "-uploads.lock") }
        let ownership = UploadOwnership(databasePath: path)
        let owner = ownership.claim()
        #expect(owner.hasPrefix("slot:"))
        #expect(UploadOwnership.isAlive(owner, databasePath: path))
        // Another slot of the same file, held by nobody.
        #expect(!UploadOwnership.isAlive("slot:123 host:1", databasePath: path))
        ownership.releaseAll()
        #expect(!UploadOwnership.isAlive(owner, databasePath: path))
        #expect(!UploadOwnership.isAlive(nil, databasePath: path))
        // An owner recorded without a slot cannot be checked: never marked interrupted.
        #expect(UploadOwnership.isAlive("somehost:42", databasePath: path))
    }
}
