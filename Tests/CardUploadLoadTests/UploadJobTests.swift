@testable import CardUploadLoad
import CardUploadInput
import CardUploadModel
import CardUploadReport
import CardUploadStore
import Foundation
import Testing

/// `UploadJob` in process against a real store: created, replayed, conflicts (SPEC §4), the rejects file and
/// the errors that end a file or keep it from loading (§1, §2, §6).
@Suite struct UploadJobTests {
    /// Three valid rows and two invalid ones (a bad last_four, a bad account_id).
    static let mixed = Cards.header + Cards.row("k1") + Cards.row("k2") + Cards.row("k3", lastFour: "12x4")
        + Cards.row("k4") + "k5,account a,entity_e,0005,ops\n"

    @Test func aFirstLoadCreatesEveryValidRowAndRejectsTheInvalidOnes() throws {
        let folder = try LoadFolder()
        let file = try folder.write("a.csv", Self.mixed)
        let result = load(file, into: folder.db)

        #expect(result.failure == nil)
        #expect(result.fileError == nil)
        #expect(result.status == .completedWithErrors)
        #expect(result.committed)
        #expect(!result.dryRun)
        #expect(result.counts == counts(created: 3, rejected: 2))

        let store = try StoreProbe(folder.db)
        #expect(try store.keys() == ["k1", "k2", "k4"])
        #expect(try store.card("k1")?.lastFour == "0001")
        #expect(try store.card("k1")?.metadataJSON == #"{"team":"ops"}"#)
        let upload = try store.upload(result.uploadID)
        #expect(upload.status == .completedWithErrors)
        #expect(upload.committed)
        #expect(upload.counts == result.counts)
        #expect(try store.outcomes(result.uploadID) == [
            "2 created", "3 created", "4 rejected invalid_format", "5 created", "6 rejected invalid_format",
        ])
        // Each created row names the card the store holds for its key.
        let ids = try store.cardIDs(result.uploadID)
        #expect(ids[0] == (try store.card("k1")?.id))
        #expect(ids[3] == (try store.card("k4")?.id))
    }

    @Test func loadingTheSameFileAgainReplaysEveryRow() throws {
        let folder = try LoadFolder()
        let file = try folder.write("a.csv", Self.mixed)
        let first = load(file, into: folder.db)
        let second = load(file, into: folder.db)

        #expect(second.failure == nil)
        #expect(second.status == .completedWithErrors)
        #expect(second.committed)
        #expect(second.counts == counts(replayed: 3, rejected: 2))
        #expect(second.uploadID != first.uploadID)
        let store = try StoreProbe(folder.db)
        #expect(try store.cardCount == 3)
        #expect(try store.uploadCount == 2)
        #expect(try store.outcomes(second.uploadID) == [
            "2 replayed", "3 replayed", "4 rejected invalid_format", "5 replayed", "6 rejected invalid_format",
        ])
        // Replayed rows name the cards the first load created.
        #expect(try store.cardIDs(second.uploadID).compactMap { $0 } == store.cardIDs(first.uploadID).compactMap { $0 })
    }

    @Test func theSameRowsAsJSONLinesReplay() throws {
        let folder = try LoadFolder()
        let csv = try folder.write("a.csv", Cards.header + Cards.row("k1") + Cards.row("k2", lastFour: "0042"))
        let jsonl = try folder.write("a.jsonl", Cards.jsonLine("k1") + Cards.jsonLine("k2", lastFour: "0042"))
        let first = load(csv, into: folder.db)
        #expect(first.counts == counts(created: 2))

        let second = load(jsonl, into: folder.db)
        #expect(second.failure == nil)
        #expect(second.status == .completed)
        #expect(second.counts == counts(replayed: 2))
        let store = try StoreProbe(folder.db)
        #expect(try store.cardCount == 2)
        #expect(try store.upload(second.uploadID).format == "jsonl")
    }

    @Test func aChangedBodyIsAnIdempotencyConflictAndTheStoredCardStays() throws {
        let folder = try LoadFolder()
        let first = try folder.write("a.csv", Cards.header + Cards.row("k1") + Cards.row("k2"))
        let changed = try folder.write("b.csv", Cards.header + Cards.row("k1", team: "finance") + Cards.row("k2", lastFour: "0009"))
        _ = load(first, into: folder.db)
        let result = load(changed, into: folder.db)

        #expect(result.status == .completedWithErrors)
        #expect(result.counts == counts(rejected: 2))
        let store = try StoreProbe(folder.db)
        #expect(try store.outcomes(result.uploadID) == ["2 rejected idempotency_conflict", "3 rejected idempotency_conflict"])
        #expect(try store.card("k1")?.metadataJSON == #"{"team":"ops"}"#)
        #expect(try store.card("k2")?.lastFour == "0001")
        #expect(try store.cardCount == 2)
    }

    @Test func withTheUpdatePolicyAChangedMetadataUpdatesTheCard() throws {
        let folder = try LoadFolder()
        let first = try folder.write("a.csv", Cards.header + Cards.row("k1") + Cards.row("k2"))
        let changed = try folder.write("b.csv", Cards.header + Cards.row("k1", team: "finance") + Cards.row("k2", lastFour: "0009"))
        _ = load(first, into: folder.db)
        let before = try StoreProbe(folder.db).card("k1")
        var options = LoadOptions()
        options.conflictPolicy = .update
        let result = load(changed, into: folder.db, options)

        #expect(result.status == .completedWithErrors)
        #expect(result.counts == counts(updated: 1, rejected: 1))
        let store = try StoreProbe(folder.db)
        #expect(try store.outcomes(result.uploadID) == ["2 updated", "3 rejected idempotency_conflict"])
        let after = try #require(try store.card("k1"))
        #expect(after.id == before?.id)
        #expect(after.metadataJSON == #"{"team":"finance"}"#)
        #expect(after.updatedAt > (before?.updatedAt ?? ""))
        // Only metadata may change: the other card keeps its last four.
        #expect(try store.card("k2")?.lastFour == "0001")
        #expect(try store.cardCount == 2)
    }

    @Test func anUnknownColumnFailsTheFileBeforeAnyRow() throws {
        let folder = try LoadFolder()
        let file = try folder.write("a.csv", "external_id,account_id,entity_id,details.last_four,colour\n" + "k1,account_a,entity_e,0001,red\n")
        let result = load(file, into: folder.db)

        #expect(result.failure == nil)
        #expect(result.fileError?.code == .unknownColumn)
        #expect(result.status == .failed)
        #expect(result.counts == counts())
        let store = try StoreProbe(folder.db)
        #expect(try store.cardCount == 0)
        let upload = try store.upload(result.uploadID)
        #expect(upload.status == .failed)
        #expect(upload.error?.code == .unknownColumn)
    }

    @Test func aMissingInputFileIsInputUnavailableAndRecordsNothing() throws {
        let folder = try LoadFolder()
        let result = load(folder.path("missing.csv"), into: folder.db)

        let failure = try #require(result.failure)
        #expect(failure is InputOpenError)
        #expect(FailureKind(of: failure) == .inputUnavailable)
        #expect(result.status == nil)
        #expect(result.uploadID == nil)
        #expect(!folder.exists("cards.sqlite"), "a file that cannot be opened records no upload")
    }

    @Test func anEncodingForAJSONLinesFileIsAUsageError() throws {
        let folder = try LoadFolder()
        let file = try folder.write("a.jsonl", Cards.jsonLine("k1"))
        var options = LoadOptions()
        options.input.encoding = .cp1252
        options.input.encodingGiven = true
        let result = load(file, into: folder.db, options)

        let failure = try #require(result.failure)
        #expect(failure is OptionConflictError)
        #expect(FailureKind(of: failure) == .usage)
        #expect(result.status == nil)
        #expect(result.uploadID == nil)
        #expect(!folder.exists("cards.sqlite"), "a usage error records no upload")
    }

    @Test func theRejectsFileHoldsExactlyTheRejectedRows() throws {
        let folder = try LoadFolder()
        var text = Cards.header
        for index in 0..<10 {
            text += [2, 5, 9].contains(index) ? Cards.row("bad\(index)", lastFour: "12") : Cards.row("k\(index)")
        }
        let file = try folder.write("a.csv", text)
        var options = LoadOptions()
        options.batchSize = 3
        options.outputs.rejects = folder.path("a.rejects.csv")
        let result = load(file, into: folder.db, options)

        #expect(result.failure == nil)
        #expect(result.counts == counts(created: 7, rejected: 3))
        let lines = try folder.read("a.rejects.csv").split(separator: "\n", omittingEmptySubsequences: true)
        try #require(lines.count == 4, "\(lines)")
        #expect(lines[0] == "external_id,account_id,entity_id,details.last_four,metadata.team,_line,_errors,_raw")
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.map { $0[0] } == ["bad2", "bad5", "bad9"])
        #expect(rows.map { $0[5] } == ["4", "7", "11"])
        // `_errors` is quoted: its message quotes the value.
        #expect(rows.allSatisfy { $0[6].hasPrefix("\"invalid_format: details.last_four ") }, "\(rows)")
        #expect(try StoreProbe(folder.db).cardCount == 7)
        // SPEC §6: a rejects cell copied from the input that starts with a digit gets a `'` (a spreadsheet
        // would read `0042` as 42); `_line` stays a plain number.
        #expect(rows.map { $0[3] } == ["'12", "'12", "'12"])
    }

    @Test func aRejectsPathInAMissingFolderFailsBeforeAnythingIsLoaded() throws {
        let folder = try LoadFolder()
        let seed = try folder.write("seed.csv", Cards.header + Cards.row("seed"))
        #expect(load(seed, into: folder.db).counts == counts(created: 1))
        let file = try folder.write("a.csv", Cards.csv(count: 5))
        var options = LoadOptions()
        options.outputs.rejects = folder.path("no-such-folder/a.rejects.csv")
        let result = load(file, into: folder.db, options)

        let failure = try #require(result.failure)
        #expect(failure is OutputError)
        #expect(FailureKind(of: failure) == .outputUnavailable)
        #expect(result.counts == counts())
        let store = try StoreProbe(folder.db)
        #expect(try store.keys() == ["seed"])
        #expect(try store.uploadCount == 1)
    }
}

/// `--max-bytes` counts decoded bytes: a file of exactly the limit loads whole, one byte more stops.
@Suite struct MaxBytesTests {
    @Test func aFileOfExactlyTheLimitLoadsWholeAndOneByteMoreStops() throws {
        let folder = try LoadFolder()
        let text = Cards.csv(count: 5)
        let file = try folder.write("a.csv", text)
        var options = LoadOptions()
        options.maxBytes = text.utf8.count
        let whole = UploadJob(file: file, options: options, store: LoadStore(path: folder.db, dryRun: false), stop: StopToken()).run()
        #expect(whole.fileError == nil && whole.counts.created == 5, "\(String(describing: whole.fileError))")
        options.maxBytes = text.utf8.count - 1
        let other = try folder.write("b.csv", Cards.csv(count: 5, prefix: "m"))
        let cut = UploadJob(file: other, options: options, store: LoadStore(path: folder.db, dryRun: false), stop: StopToken()).run()
        #expect(cut.fileError?.code == .fileTooLarge)
        #expect(cut.counts.created == 4)
    }
}
