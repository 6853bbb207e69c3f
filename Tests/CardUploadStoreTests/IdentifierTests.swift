@testable import CardUploadStore
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

    @Test func thisProcessIsAliveAndAMadeUpOneIsNot() {
        #expect(ProcessIdentity.isAlive(ProcessIdentity.current))
        let parts = ProcessIdentity.current.split(separator: ":")
        let host = parts.dropLast(2).joined(separator: ":")
        #expect(!ProcessIdentity.isAlive("\(host):\(parts[parts.count - 2]):1"))
        #expect(!ProcessIdentity.isAlive("\(host):999999999:1"))
        #expect(!ProcessIdentity.isAlive(nil))
        // Another host cannot be checked: treated as alive, never marked interrupted.
        #expect(ProcessIdentity.isAlive("some-other-host:1:1"))
    }
}
