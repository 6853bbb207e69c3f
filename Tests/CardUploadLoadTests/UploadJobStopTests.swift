@testable import CardUploadLoad
import CardUploadModel
import CardUploadStore
import Foundation
import Testing

/// The stop token (SIGINT, SIGTERM in the CLI): the open batch rolled back, the committed ones kept and
/// reported, the upload `interrupted` (SPEC §1 exit 130/143, §5).
@Suite struct UploadJobStopTests {
    /// Asks for a stop once the load has handled `after` rows, and remembers what it was told.
    final class StoppingSink: ProgressSink {
        let stop: StopToken
        let after: Int
        var rowsWhenStopped: Int?
        var updates = 0
        var cleared = 0

        init(stop: StopToken, after: Int) {
            self.stop = stop
            self.after = after
        }

        func update(bytes: Int, total: Int?, rows: Int) {
            updates += 1
            // Inside a batch (not on a batch boundary), so that there is an open batch to roll back.
            if rows >= after, rows % 100 != 0, rowsWhenStopped == nil {
                rowsWhenStopped = rows
                stop.request(.interrupted)
            }
        }

        func clear() { cleared += 1 }
    }

    @Test func aStopRequestedBeforeTheRunCommitsNothing() throws {
        let folder = try LoadFolder()
        let file = try folder.write("a.csv", Cards.csv(count: 50))
        let stop = StopToken()
        stop.request(.interrupted)
        stop.request(.terminated)  // the first reason given is kept
        var options = LoadOptions()
        options.batchSize = 10
        let result = load(file, into: folder.db, options, stop: stop)

        #expect(result.stopReason == .interrupted)
        #expect(result.failure == nil)
        #expect(result.status == .interrupted)
        #expect(result.counts == counts())
        let store = try StoreProbe(folder.db)
        #expect(try store.cardCount == 0)
        let upload = try store.upload(result.uploadID)
        #expect(upload.status == .interrupted)
        #expect(upload.counts == counts())
        #expect(try store.outcomes(result.uploadID) == [])
    }

    /// A file of `total` valid rows loaded in batches of 100, stopped by the progress sink after 1,000 rows.
    private func loadStoppedMidFile(
        total: Int, dryRun: Bool = false
    ) throws -> (folder: LoadFolder, file: String, result: UploadResult, sink: StoppingSink) {
        let folder = try LoadFolder()
        let file = try folder.write("a.csv", Cards.csv(count: total))
        let stop = StopToken()
        let sink = StoppingSink(stop: stop, after: 1_000)
        var options = LoadOptions()
        options.dryRun = dryRun
        options.batchSize = 100
        options.batchSeconds = 3_600
        return (folder, file, load(file, into: folder.db, options, stop: stop, progress: sink), sink)
    }

    @Test func aStopFromTheProgressSinkLeavesOnlyWholeCommittedBatches() throws {
        let total = 3_000
        let (folder, file, result, sink) = try loadStoppedMidFile(total: total)

        #expect(result.failure == nil)
        #expect(result.stopReason == .interrupted)
        #expect(result.status == .interrupted)
        #expect(result.committed)
        let stoppedAt = try #require(sink.rowsWhenStopped)
        // The stop came mid-file, inside a batch: that batch is rolled back, the whole ones before it stay.
        try #require(stoppedAt < total && stoppedAt % 100 != 0, "the stop came at row \(stoppedAt)")
        #expect(result.counts.created == stoppedAt / 100 * 100)
        #expect(result.counts.rejected == 0 && result.counts.replayed == 0)
        #expect(sink.cleared == 1)

        let store = try StoreProbe(folder.db)
        let cards = try store.cardCount
        #expect(cards == result.counts.created)
        #expect(cards > 0 && cards < total && cards % 100 == 0)
        let upload = try store.upload(result.uploadID)
        #expect(upload.status == .interrupted)
        #expect(upload.counts == result.counts)
        // Every committed card's row is recorded, in line order: the first `cards` data lines.
        #expect(try store.outcomes(result.uploadID) == (0..<cards).map { "\($0 + 2) created" })

        // Loading the file again completes it: the committed rows replay, the rest are created.
        let rerun = load(file, into: folder.db)
        #expect(rerun.counts == counts(created: total - cards, replayed: cards))
        #expect(try StoreProbe(folder.db).cardCount == total)
    }

    /// A dry run is one transaction, rolled back; stopped, it reports the rows of the batches it recorded.
    /// Regression: a file in one transaction recorded its counts once, at its end, and a stopped dry run
    /// reported none of the rows it listed.
    @Test func aStoppedDryRunReportsTheRowsItRead() throws {
        let total = 3_000
        let (folder, _, result, sink) = try loadStoppedMidFile(total: total, dryRun: true)
        #expect(result.stopReason == .interrupted)
        let stoppedAt = try #require(sink.rowsWhenStopped)
        try #require(stoppedAt < total, "the stop came at row \(stoppedAt)")
        #expect(result.counts.created == stoppedAt / 100 * 100 && result.counts.created >= 1_000)
        #expect(!FileManager.default.fileExists(atPath: folder.db), "a dry run creates no store")
    }

    /// Where the rejects file goes and how wide its rows are.
    enum RejectsCase: CaseIterable, CustomTestStringConvertible {
        /// Short rows: the open batch's rows are still in the output's buffer when the stop comes.
        case narrow
        /// 100 KiB rows: the open batch's rows are already in the temporary file, which is cut back.
        case wide
        /// 100 KiB rows to `/dev/fd/N`, written directly: the open batch's rows wait in a held file.
        case wideDirect

        var testDescription: String { "\(self)" }
        var width: Int { self == .narrow ? 0 : 100 << 10 }
    }

    @Test(arguments: RejectsCase.allCases)
    func aStoppedLoadsRejectsFileHoldsOnlyTheRejectedRowsOfCommittedBatches(_ rejectsCase: RejectsCase) throws {
        let folder = try LoadFolder()
        let total = rejectsCase == .narrow ? 3_000 : 1_500
        let filler = String(repeating: "x", count: rejectsCase.width)
        var text = Cards.header
        for index in 0..<total {
            text += index % 10 == 7 ? Cards.row("bad\(index)", lastFour: "12" + filler) : Cards.row("k\(index)")
        }
        let file = try folder.write("a.csv", text)
        let stop = StopToken()
        let sink = StoppingSink(stop: stop, after: 1_000)
        var options = LoadOptions()
        options.batchSize = 100
        options.batchSeconds = 3_600
        var direct: Int32 = -1
        if rejectsCase == .wideDirect {
            direct = open(folder.path("a.rejects.csv"), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            try #require(direct >= 0)
            options.outputs.rejects = "/dev/fd/\(direct)"
        } else {
            options.outputs.rejects = folder.path("a.rejects.csv")
        }
        defer { if direct >= 0 { close(direct) } }
        let result = load(file, into: folder.db, options, stop: stop, progress: sink)

        #expect(result.status == .interrupted)
        #expect(result.outputError == nil)
        let stoppedAt = try #require(sink.rowsWhenStopped)
        let committedRows = stoppedAt / 100 * 100
        // The open batch held rejected rows when the stop came (else there would be nothing to leave out).
        try #require((committedRows..<stoppedAt).contains { $0 % 10 == 7 }, "the stop came at row \(stoppedAt)")
        #expect(result.counts == counts(created: committedRows / 10 * 9, rejected: committedRows / 10))
        let lines = try folder.read("a.rejects.csv").split(separator: "\n").dropFirst()
        // The rejected rows of the rolled-back batch are not there: only those of the committed batches, whole.
        #expect(lines.count == result.counts.rejected)
        #expect(lines.map { String($0.prefix { $0 != "," }) } == (0..<committedRows).filter { $0 % 10 == 7 }.map { "bad\($0)" })
        #expect(lines.allSatisfy { $0.utf8.count > rejectsCase.width && $0.hasSuffix(",") })
        #expect(try StoreProbe(folder.db).cardCount == result.counts.created)
    }
}
