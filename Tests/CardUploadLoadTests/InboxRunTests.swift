@testable import CardUploadLoad
import CardUploadModel
import CardUploadStore
import Foundation
import Testing

/// `InboxRun` (SPEC §1, process-dir) in process: each file loaded, filed and reported, names never reused,
/// other names left alone, the observer told in order, and one run per INBOX.
@Suite struct InboxRunTests {
    /// A folder holding INBOX (`in`), DONE, FAILED, REPORTS and the store.
    final class Inbox {
        let folder: LoadFolder
        var settings: InboxSettings

        init() throws {
            folder = try LoadFolder()
            try FileManager.default.createDirectory(atPath: folder.path("in"), withIntermediateDirectories: true)
            settings = InboxSettings(
                inbox: folder.path("in"), done: folder.path("done"), failed: folder.path("failed"),
                reports: folder.path("reports"))
        }

        @discardableResult
        func add(_ name: String, _ text: String) throws -> String { try folder.write("in/" + name, text) }

        func run(progress: (any InboxProgress)? = nil) throws(InboxError) -> InboxResult {
            let store = LoadStore(path: folder.db, dryRun: settings.dryRun)
            defer { store.discard() }
            return try InboxRun(settings: settings, store: store, stop: StopToken(), progress: progress).run()
        }

        func report(_ name: String) throws -> [String: Any] {
            let data = try folder.bytes("reports/" + name)
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
    }

    /// Writes down what an inbox run tells it.
    final class Observer: InboxProgress {
        var events: [String] = []
        func listed(_ listing: InboxListing) { events.append("listed " + listing.ready.joined(separator: " ")) }
        func filed(_ file: InboxFileResult) { events.append("filed \(file.name)") }
    }

    @Test func cleanAndRejectingFilesGoToDoneABadHeaderToFailedWithTheirReports() throws {
        let inbox = try Inbox()
        try inbox.add("a.csv", Cards.csv(count: 2, prefix: "a"))
        try inbox.add("b.csv", Cards.csv(count: 2, prefix: "b") + Cards.row("b-bad", lastFour: "12"))
        try inbox.add("c.csv", "external_id,account_id,entity_id,details.last_four,colour\nc0,account_a,entity_e,0001,red\n")
        let result = try inbox.run()

        #expect(result.ready == 3)
        #expect(result.left == 0)
        #expect(result.files.map(\.name) == ["a.csv", "b.csv", "c.csv"])
        #expect(result.files.map(\.movedTo) == [
            inbox.folder.path("done/a.csv"), inbox.folder.path("done/b.csv"), inbox.folder.path("failed/c.csv"),
        ])
        #expect(result.files.map(\.movedToFailed) == [false, false, true])
        #expect(result.files.allSatisfy { $0.placementError == nil && !$0.stopsRun })
        #expect(result.files.map(\.upload.status) == [.completed, .completedWithErrors, .failed])
        #expect(result.files.map(\.rejects) == [nil, inbox.folder.path("reports/b.csv.rejects.csv"), nil])
        #expect(inbox.folder.names("in") == [])
        #expect(inbox.folder.names("done") == ["a.csv", "b.csv"])
        #expect(inbox.folder.names("failed") == ["c.csv"])
        #expect(inbox.folder.names("reports") == ["a.csv.report.json", "b.csv.rejects.csv", "b.csv.report.json", "c.csv.report.json"])

        #expect(try inbox.report("a.csv.report.json")["status"] as? String == "completed")
        #expect(try inbox.report("b.csv.report.json")["status"] as? String == "completed_with_errors")
        let failed = try inbox.report("c.csv.report.json")
        #expect(failed["status"] as? String == "failed")
        #expect((failed["error"] as? [String: Any])?["code"] as? String == "unknown_column")
        #expect(try inbox.report("a.csv.report.json")["upload_id"] as? String == result.files[0].upload.uploadID)
        let rejects = try inbox.folder.read("reports/b.csv.rejects.csv").split(separator: "\n")
        #expect(rejects.count == 2)
        #expect(rejects.last?.hasPrefix("b-bad,account_a,entity_e,") == true, "\(rejects)")
        #expect(rejects.last?.contains(",ops,4,\"invalid_format: details.last_four ") == true, "\(rejects)")
        #expect(try StoreProbe(inbox.folder.db).keys() == ["a0", "a1", "b0", "b1"])
    }

    @Test func aNameTakenInDoneGetsTheUploadIDAndTheFirstFileStays() throws {
        let inbox = try Inbox()
        let firstText = Cards.csv(count: 1, prefix: "first")
        try inbox.add("a.csv", firstText)
        let first = try inbox.run()
        #expect(first.files.first?.movedTo == inbox.folder.path("done/a.csv"))

        try inbox.add("a.csv", Cards.csv(count: 2, prefix: "second"))
        let second = try inbox.run()
        let file = try #require(second.files.first)
        let uploadID = try #require(file.upload.uploadID)
        #expect(file.upload.counts == counts(created: 2))
        #expect(file.movedTo == inbox.folder.path("done/a.\(uploadID).csv"))
        #expect(file.report == inbox.folder.path("reports/a.csv.\(uploadID).report.json"))
        #expect(inbox.folder.names("done") == ["a.csv", "a.\(uploadID).csv"].sorted())
        #expect(try inbox.folder.bytes("done/a.csv") == Data(firstText.utf8), "the first file was overwritten")
        #expect(try inbox.folder.read("done/a.\(uploadID).csv") == Cards.csv(count: 2, prefix: "second"))
        #expect(try inbox.report("a.csv.report.json")["upload_id"] as? String == first.files.first?.upload.uploadID)
        #expect(try inbox.report("a.csv.\(uploadID).report.json")["upload_id"] as? String == uploadID)
        #expect(try StoreProbe(inbox.folder.db).cardCount == 3)
    }

    @Test func theObserverHearsTheListingOnceAndEachFileOnceInNameOrder() throws {
        let inbox = try Inbox()
        // Bytewise order: upper case before lower case.
        for name in ["b.csv", "a.jsonl", "Z.csv"] {
            try inbox.add(name, name.hasSuffix(".jsonl") ? Cards.jsonLine("j") : Cards.csv(count: 1, prefix: name))
        }
        let observer = Observer()
        let result = try inbox.run(progress: observer)

        #expect(observer.events == ["listed Z.csv a.jsonl b.csv", "filed Z.csv", "filed a.jsonl", "filed b.csv"])
        #expect(result.files.map(\.name) == ["Z.csv", "a.jsonl", "b.csv"])
        #expect(result.files.allSatisfy { $0.upload.status == .completed })
    }

    @Test func aFileThatIsNotAnUploadIsLeftAlone() throws {
        let inbox = try Inbox()
        try inbox.add("notes.txt", "external_id,account_id,entity_id,details.last_four\nn1,account_a,entity_e,0001\n")
        try inbox.add("a.csv", Cards.csv(count: 1))
        let observer = Observer()
        let result = try inbox.run(progress: observer)

        #expect(observer.events == ["listed a.csv", "filed a.csv"])
        #expect(result.ready == 1)
        #expect(result.files.map(\.name) == ["a.csv"])
        #expect(inbox.folder.names("in") == ["notes.txt"])
        #expect(try inbox.folder.read("in/notes.txt").hasPrefix("external_id,"))
        #expect(inbox.folder.names("done") == ["a.csv"])
        #expect(inbox.folder.names("failed") == [])
        #expect(inbox.folder.names("reports") == ["a.csv.report.json"])
        #expect(try StoreProbe(inbox.folder.db).keys() == ["k0"])
    }

    @Test func aSecondRunWhileTheLockIsHeldIsBusyAndTouchesNothing() throws {
        let inbox = try Inbox()
        try inbox.add("a.csv", Cards.csv(count: 1))
        var held: InboxFolder? = try InboxFolder.owned(inbox.settings.inbox + "/" + InboxSettings.defaultWorkName, role: "working")
        try held?.lock(inbox: inbox.settings.inbox)
        do {
            _ = try inbox.run()
            Issue.record("a run while another holds the lock did not throw")
        } catch {
            #expect(error.kind == .busy, "\(error.message)")
            #expect(FailureKind(of: error) == .busy)
        }
        #expect(inbox.folder.names("in") == ["a.csv"])
        #expect(!inbox.folder.exists("cards.sqlite"))
        withExtendedLifetime(held) {}

        // Once the lock is let go, the next run loads the file.
        held = nil
        let result = try inbox.run()
        #expect(result.files.map(\.movedTo) == [inbox.folder.path("done/a.csv")])
        #expect(inbox.folder.names("in") == [])
    }
}
