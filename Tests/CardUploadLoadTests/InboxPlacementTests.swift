@testable import CardUploadLoad
import Foundation
import Testing

/// Moving a file between the folders of an inbox run (through their descriptors) never replaces a name there.
@Suite struct InboxPlacementTests {
    private func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-placement-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/in", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: path + "/done", withIntermediateDirectories: true)
        return path
    }

    @Test func aTakenNameGetsTheUploadIDAndNothingIsOverwritten() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "old".write(toFile: root + "/done/a.csv.gz", atomically: false, encoding: .utf8)
        try "new".write(toFile: root + "/in/a.csv.gz", atomically: false, encoding: .utf8)
        let inbox = try InboxFolder.owned(root + "/in", role: "INBOX")
        let done = try InboxFolder.owned(root + "/done", role: "DONE")
        let placed = try InboxPlacement.move("a.csv.gz", from: inbox, into: done, as: "a.csv.gz", uploadID: "upload_1")
        #expect(placed == "a.upload_1.csv.gz")
        let target = root + "/done/" + placed
        #expect(try String(contentsOfFile: root + "/done/a.csv.gz", encoding: .utf8) == "old")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
        #expect(!FileManager.default.fileExists(atPath: root + "/in/a.csv.gz"))

        // Both names taken: a counter follows the upload id.
        try "third".write(toFile: root + "/in/a.csv.gz", atomically: false, encoding: .utf8)
        let third = try InboxPlacement.move("a.csv.gz", from: inbox, into: done, as: "a.csv.gz", uploadID: "upload_1")
        #expect(third == "a.upload_1-2.csv.gz")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
    }

    @Test func aMoveAcrossFileSystemsCopiesThenRemoves() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let other = "/dev/shm/inbox-placement-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: other) }
        var source = stat(), target = stat()
        #expect(stat(root, &source) == 0 && stat(other, &target) == 0)
        // The test proves nothing unless the two folders really are on different file systems.
        try #require(source.st_dev != target.st_dev, "\(root) and \(other) are on one file system")

        try "rows".write(toFile: root + "/in/a.csv", atomically: false, encoding: .utf8)
        try "older".write(toFile: other + "/a.csv", atomically: false, encoding: .utf8)
        let placed = try InboxPlacement.move(
            "a.csv", from: InboxFolder.owned(root + "/in", role: "INBOX"), into: InboxFolder.owned(other, role: "DONE"),
            as: "a.csv", uploadID: "upload_2")
        #expect(placed == "a.upload_2.csv")
        let moved = other + "/" + placed
        #expect(try String(contentsOfFile: moved, encoding: .utf8) == "rows")
        #expect(try String(contentsOfFile: other + "/a.csv", encoding: .utf8) == "older")
        #expect(!FileManager.default.fileExists(atPath: root + "/in/a.csv"))
        // No temporary copy is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: other).sorted() == ["a.csv", "a.upload_2.csv"])
    }
}
