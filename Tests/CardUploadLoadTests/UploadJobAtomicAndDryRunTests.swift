@testable import CardUploadLoad
import CardUploadModel
import CardUploadStore
import Foundation
import Testing

/// `--dry-run` (every check, nothing recorded) and `--atomic` (all rows or none), SPEC §5, in process.
@Suite struct UploadJobAtomicAndDryRunTests {
    /// Against a store holding `k1`: replayed, created, replayed within the file, a conflict, an invalid row.
    static let againstSeed = Cards.header + Cards.row("k1") + Cards.row("k2") + Cards.row("k2")
        + Cards.row("k1", lastFour: "0009") + Cards.row("k3", lastFour: "12")

    /// The rows of a JSON report as "line outcome codes".
    private func reportOutcomes(_ path: String) throws -> (report: [String: Any], rows: [String]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rows = try #require(report["rows"] as? [[String: Any]])
        return (report, rows.map { row in
            let codes = (row["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            return "\(row["line"] ?? "?") \(row["outcome"] ?? "?") \(codes.joined(separator: ","))"
                .trimmingCharacters(in: .whitespaces)
        })
    }

    @Test func aDryRunCountsAsARealLoadAndLeavesTheStoreAsItWas() throws {
        let folder = try LoadFolder()
        let seed = try folder.write("seed.csv", Cards.header + Cards.row("k1"))
        #expect(load(seed, into: folder.db).counts == counts(created: 1))
        let dryDB = folder.path("dry.sqlite"), realDB = folder.path("real.sqlite")
        try FileManager.default.copyItem(atPath: folder.db, toPath: dryDB)
        try FileManager.default.copyItem(atPath: folder.db, toPath: realDB)
        let file = try folder.write("a.csv", Self.againstSeed)

        var options = LoadOptions()
        options.dryRun = true
        options.outputs.report = folder.path("dry.json")
        let dry = load(file, into: dryDB, options)
        options.dryRun = false
        options.outputs.report = folder.path("real.json")
        let real = load(file, into: realDB, options)

        #expect(dry.failure == nil && real.failure == nil)
        #expect(real.counts == counts(created: 1, replayed: 2, rejected: 2))
        #expect(dry.counts == real.counts)
        #expect(dry.status == .completedWithErrors && real.status == .completedWithErrors)
        #expect(dry.dryRun && !dry.committed)
        #expect(real.committed)
        let dryReport = try reportOutcomes(folder.path("dry.json")), realReport = try reportOutcomes(folder.path("real.json"))
        #expect(realReport.rows == ["2 replayed", "3 created", "4 replayed", "5 rejected idempotency_conflict", "6 rejected invalid_format"])
        #expect(dryReport.rows == realReport.rows)
        #expect(dryReport.report["dry_run"] as? Bool == true && dryReport.report["committed"] as? Bool == false)

        let dryStore = try StoreProbe(dryDB)
        #expect(try dryStore.keys() == ["k1"])
        #expect(try dryStore.uploadCount == 1, "a dry run records no upload")
        #expect(try dryStore.count("SELECT count(*) FROM upload_rows") == 0)
        #expect(try StoreProbe(realDB).keys() == ["k1", "k2"])
    }

    @Test func aDryRunDoesNotCreateAMissingStore() throws {
        let folder = try LoadFolder()
        let file = try folder.write("a.csv", Cards.csv(count: 4) + Cards.row("bad", lastFour: "x"))
        var options = LoadOptions()
        options.dryRun = true
        let result = load(file, into: folder.db, options)

        #expect(result.failure == nil)
        #expect(result.counts == counts(created: 4, rejected: 1))
        #expect(result.status == .completedWithErrors)
        #expect(!result.committed)
        #expect(!folder.exists("cards.sqlite"))
        #expect(!folder.exists("cards.sqlite-wal"))
    }

    @Test func filesOfOneDryRunSeeEachOtherAndNothingRemainsAfterDiscard() throws {
        let folder = try LoadFolder()
        let seed = try folder.write("seed.csv", Cards.header + Cards.row("k0"))
        #expect(load(seed, into: folder.db).counts == counts(created: 1))
        let first = try folder.write("a.csv", Cards.header + Cards.row("k1") + Cards.row("k2"))
        let second = try folder.write("b.csv", Cards.header + Cards.row("k2") + Cards.row("k3") + Cards.row("k0"))
        var options = LoadOptions()
        options.dryRun = true
        let store = LoadStore(path: folder.db, dryRun: true)

        let one = UploadJob(file: first, options: options, store: store, stop: StopToken()).run()
        #expect(one.counts == counts(created: 2))
        // Another connection sees nothing of it: the dry run's transaction is open, not committed.
        #expect(try StoreProbe(folder.db).keys() == ["k0"])
        let two = UploadJob(file: second, options: options, store: store, stop: StopToken()).run()
        #expect(two.failure == nil)
        #expect(two.counts == counts(created: 1, replayed: 2), "the second file sees what the first would have written")
        #expect(two.status == .completed && !two.committed)
        store.discard()

        let probe = try StoreProbe(folder.db)
        #expect(try probe.keys() == ["k0"])
        #expect(try probe.uploadCount == 1)
        #expect(try probe.count("SELECT count(*) FROM upload_rows") == 0)
    }

    @Test func anAtomicLoadOfACleanFileCommitsEverything() throws {
        let folder = try LoadFolder()
        let file = try folder.write("a.csv", Cards.csv(count: 6))
        var options = LoadOptions()
        options.atomic = true
        options.batchSize = 2
        let result = load(file, into: folder.db, options)

        #expect(result.failure == nil)
        #expect(result.status == .completed)
        #expect(result.committed)
        #expect(result.counts == counts(created: 6))
        let store = try StoreProbe(folder.db)
        #expect(try store.cardCount == 6)
        let upload = try store.upload(result.uploadID)
        #expect(upload.committed && upload.status == .completed)
        #expect(upload.counts == counts(created: 6))
        #expect(try store.outcomes(result.uploadID) == (2...7).map { "\($0) created" })
    }

    @Test func anAtomicLoadWithOneBadRowCommitsNoCardButRecordsEveryOutcome() throws {
        let folder = try LoadFolder()
        let file = try folder.write(
            "a.csv", Cards.header + Cards.row("a1") + Cards.row("a1") + Cards.row("a2") + Cards.row("bad", lastFour: "x")
                + Cards.row("a3"))
        var options = LoadOptions()
        options.atomic = true
        options.batchSize = 2
        let result = load(file, into: folder.db, options)

        #expect(result.failure == nil)
        #expect(result.status == .completedWithErrors)
        #expect(!result.committed)
        #expect(result.counts == counts(created: 3, replayed: 1, rejected: 1))
        let store = try StoreProbe(folder.db)
        #expect(try store.cardCount == 0)
        let upload = try store.upload(result.uploadID)
        #expect(!upload.committed)
        #expect(upload.status == .completedWithErrors)
        #expect(upload.counts == result.counts)
        #expect(try store.outcomes(result.uploadID) == [
            "2 created", "3 replayed", "4 created", "5 rejected invalid_format", "6 created",
        ])
        #expect(try store.cardIDs(result.uploadID) == [nil, nil, nil, nil, nil], "no card was committed, so none is named")
    }

    /// Regression: in one transaction the batch timer never started again, so once `batchSeconds` had passed
    /// every row recorded a batch of its own (an UPDATE of the upload per row: a Lead file, atomic by
    /// default, loaded at 0.6 of a native file's rate, worse the longer the file).
    @Test func anAtomicLoadRecordsItsCountsOncePerBatchTimeNotPerRow() throws {
        let folder = try LoadFolder()
        let file = try folder.write("a.csv", Cards.csv(count: 20_000))
        var options = LoadOptions()
        options.atomic = true
        options.batchSeconds = 0.001
        let result = load(file, into: folder.db, options)
        #expect(result.counts == counts(created: 20_000))
        #expect(result.batches < 5_000, "\(result.batches) batches for 20,000 rows")
    }
}
