import Foundation
import Testing

/// SPEC §6 (issue 15): a temporary file that a killed run left behind — it may hold card data — is removed by
/// the next run that writes to that folder; one whose process still runs is left alone. Serialized: one test
/// kills a run.
@Suite(.serialized) struct LeftoverFileTests {
    /// A pid no process has now: a child that has exited and been reaped.
    static func deadPID() throws -> pid_t {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let pid = child.processIdentifier
        try #require(kill(pid, 0) != 0 && errno == ESRCH, "pid \(pid) was reused already")
        return pid
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    @Test func theTemporaryOutputsOfAKilledRunAreRemovedByTheNextRunThatWritesThere() throws {
        let folder = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.path("out"), withIntermediateDirectories: true)
        let csv = "external_id,account_id,entity_id,details.last_four\nk1,account_a,entity_e,0001\nk2,account_a,entity_e,4111 1111 1111 1111\n"
        try folder.write("a.csv", csv)

        // A run killed while it waits for more input: its outputs were opened before the first row, as
        // temporary files beside their paths, and stay behind.
        let killed = Process()
        killed.executableURL = CardUploadBinary.url
        killed.arguments = [
            "process", "-", "--format", "csv", "--db", "cards.sqlite", "--report", "out/r.json", "--rejects", "out/rejects.csv",
        ]
        killed.currentDirectoryURL = folder.url
        let input = Pipe()
        killed.standardInput = input
        killed.standardOutput = FileHandle.nullDevice
        killed.standardError = FileHandle.nullDevice
        try killed.run()
        input.fileHandleForWriting.write(Data(csv.utf8))
        let pid = killed.processIdentifier
        let leftovers = [folder.path("out/.r.json.\(pid).tmp"), folder.path("out/.rejects.csv.\(pid).tmp")]
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, killed.isRunning, !leftovers.allSatisfy(Self.exists) { usleep(10_000) }
        try #require(killed.isRunning && leftovers.allSatisfy(Self.exists), "the run's temporary outputs never appeared")
        kill(pid, SIGKILL)
        killed.waitUntilExit()
        try input.fileHandleForWriting.close()
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

    @Test func processDirClearsTheStagedAndTemporaryFilesAKilledRunLeftInReports() throws {
        let box = try ProcessDirTests.Inbox()
        try box.add("a.csv", ProcessDirTests.csv(["a1", "a2"], bad: ["a2"]))
        let reports = box.inbox + "/reports"
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
        let dead = try Self.deadPID()
        let gone = [
            ".card-upload-\(dead).report.staged", ".card-upload-\(dead).rejects.staged",
            "..card-upload-\(dead).report.staged.\(dead).tmp", ".old.csv.report.json.\(dead)-12345.tmp",
        ]
        let kept = [".card-upload-\(getpid()).report.staged", "notes.\(dead).tmp"]
        for name in gone + kept {
            #expect(FileManager.default.createFile(atPath: reports + "/" + name, contents: Data("card data".utf8)))
        }
        let run = try box.run()
        #expect(run.status == 1, "\(run.stderr)")
        #expect(box.names("done") == ["a.csv"])
        let left = try FileManager.default.contentsOfDirectory(atPath: reports).sorted()
        #expect(left == (kept + ["a.csv.rejects.csv", "a.csv.report.json"]).sorted(), "\(left)")
    }
}
