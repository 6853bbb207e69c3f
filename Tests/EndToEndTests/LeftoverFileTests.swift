import Foundation
import Testing

/// SPEC §6 (issue 15): a temporary file that a killed run left behind — it may hold card data — is removed by
/// the next run that writes to that folder; one whose process still runs is left alone. Serialized: one test
/// kills a run.
@Suite(.serialized) struct LeftoverFileTests {
    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    @Test func theTemporaryOutputsOfAKilledRunAreRemovedByTheNextRunThatWritesThere() throws {
        let folder = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.path("out"), withIntermediateDirectories: true)
        let csv = "external_id,account_id,entity_id,details.last_four\nk1,account_a,entity_e,0001\nk2,account_a,entity_e,4111 1111 1111 1111\n"
        try folder.write("a.csv", csv)

        // A run killed while it waits for more input: its outputs were opened before the first row, as
        // temporary files beside their paths, and stay behind.
        let (killed, input) = try CardUploadBinary.startFedByPipe([
            "process", "-", "--format", "csv", "--db", "cards.sqlite", "--report", "out/r.json", "--rejects", "out/rejects.csv",
        ], in: folder.url)
        input.write(Data(csv.utf8))
        let pid = killed.processIdentifier
        let leftovers = [folder.path("out/.r.json.\(pid).tmp"), folder.path("out/.rejects.csv.\(pid).tmp")]
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, killed.isRunning, !leftovers.allSatisfy(Self.exists) { usleep(10_000) }
        try #require(killed.isRunning && leftovers.allSatisfy(Self.exists), "the run's temporary outputs never appeared")
        kill(pid, SIGKILL)
        killed.waitUntilExit()
        try input.close()
        #expect(killed.terminationReason == .uncaughtSignal)
        #expect(leftovers.allSatisfy(Self.exists), "a SIGKILL leaves them")

        // Another process's temporary file, still in use (this test's own process is running).
        let live = folder.path("out/.other.json.\(getpid()).tmp")
        try folder.write("out/.other.json.\(getpid()).tmp", "in use")
        let next = try CardUploadBinary.run(["process", "a.csv", "--db", "cards.sqlite", "--report", "out/r.json"], in: folder.url)
        #expect(next.status == 1, "\(next.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path("out"))
        #expect(!leftovers.contains(where: Self.exists), "\(left)")
        #expect(Self.exists(live))
        #expect(try readJSON(folder.path("out/r.json"))["status"] as? String == "completed_with_errors")
    }

    /// `process-dir` killed while it loads: the outputs it was staging in REPORTS stay behind (hidden names with
    /// its pid); the next run clears them and files the upload, leaving a running process's staged file alone.
    @Test func processDirClearsWhatAKilledRunWasStagingInReports() throws {
        let box = try ProcessDirTests.Inbox()
        try box.add("big.csv", ConcurrencyAndKillTests.rows(0..<120_000))
        let killed = try CardUploadBinary.start(["process-dir", box.inbox, "--db", box.db, "--batch-size", "1000"], in: box.folder.url)
        let pid = killed.processIdentifier
        let reports = box.inbox + "/reports"
        let staging = [reports + "/..card-upload-\(pid).report.staged.\(pid).tmp", reports + "/..card-upload-\(pid).rejects.staged.\(pid).tmp"]
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, killed.isRunning, !staging.allSatisfy(Self.exists) { usleep(5_000) }
        try #require(killed.isRunning && staging.allSatisfy(Self.exists), "the run's staged outputs never appeared")
        kill(pid, SIGKILL)
        killed.waitUntilExit()
        #expect(killed.terminationReason == .uncaughtSignal)
        #expect(staging.allSatisfy(Self.exists), "a SIGKILL leaves them")

        let live = ".card-upload-\(getpid()).report.staged"
        try box.folder.write("in/reports/" + live, "in use")
        let rerun = try box.run()
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(box.names("done") == ["big.csv"])
        let left = try FileManager.default.contentsOfDirectory(atPath: reports).sorted()
        #expect(left == [live, "big.csv.report.json"].sorted(), "\(left)")
    }
}
