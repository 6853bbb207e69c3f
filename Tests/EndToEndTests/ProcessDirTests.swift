import Foundation
import Testing

/// `process-dir INBOX` (SPEC §1, process-dir) through the binary: what is loaded, where each file and
/// its report go, names never overwritten, the lock, and the exit code over all files.
@Suite struct ProcessDirTests {
    static let header = "external_id,account_id,entity_id,details.last_four\n"

    /// A CSV upload of `keys`, each a good row (or, listed in `bad`, one with a bad last_four).
    static func csv(_ keys: [String], bad: Set<String> = []) -> String {
        header + keys.map { "\($0),account_a,entity_e,\(bad.contains($0) ? "12" : "0001")\n" }.joined()
    }

    /// A folder with an `in` INBOX, and the store beside it.
    final class Inbox {
        let folder: TemporaryDirectory
        var db: String { folder.path("cards.sqlite") }
        var inbox: String { folder.path("in") }

        init() throws {
            folder = try TemporaryDirectory()
            try FileManager.default.createDirectory(atPath: folder.path("in"), withIntermediateDirectories: true)
        }

        @discardableResult
        func add(_ name: String, _ text: String) throws -> String {
            try folder.write("in/" + name, text)
        }

        func run(_ extra: [String] = []) throws -> CardUploadBinary.Result {
            try CardUploadBinary.run(["process-dir", inbox, "--db", db] + extra, in: folder.url)
        }

        func names(_ sub: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: inbox + (sub.isEmpty ? "" : "/" + sub))) ?? [])
                .filter { !$0.hasPrefix(".") && !["done", "failed", "reports"].contains($0) }.sorted()
        }

        func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: inbox + "/" + relative) }
    }

    @Test func goodPartlyBadAndBrokenFilesAreFiledWithTheirReports() throws {
        let box = try Inbox()
        try box.add("a.csv", Self.csv(["a1", "a2"]))
        try box.add("b.csv", Self.csv(["b1", "b2", "b3"], bad: ["b2"]))
        try box.add("c.csv", "not,a,header\n1,2,3\n")
        let result = try box.run()
        #expect(result.status == 65, "\(result.stderr)")  // 65 beats 1 and 0

        #expect(box.names("") == [])
        #expect(box.names("done") == ["a.csv", "b.csv"])
        #expect(box.names("failed") == ["c.csv"])
        #expect(box.names("reports") == ["a.csv.report.json", "b.csv.rejects.csv", "b.csv.report.json", "c.csv.report.json"])

        let a = try readJSON(box.inbox + "/reports/a.csv.report.json")
        #expect((a["counts"] as? [String: Int])?["created"] == 2)
        let b = try readJSON(box.inbox + "/reports/b.csv.report.json")
        #expect((b["counts"] as? [String: Int])?["created"] == 2)
        #expect((b["counts"] as? [String: Int])?["rejected"] == 1)
        let rejects = try String(contentsOfFile: box.inbox + "/reports/b.csv.rejects.csv", encoding: .utf8)
        #expect(rejects.split(separator: "\n").count == 2, "\(rejects)")  // header + b2
        #expect(rejects.contains("b2,account_a,entity_e,'12,3,"))
        let c = try readJSON(box.inbox + "/reports/c.csv.report.json")
        #expect(c["status"] as? String == "failed")
        #expect((c["error"] as? [String: Any])?["code"] != nil)

        // One timestamped line per file, in name order, saying where it went.
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let fileLines = lines.filter { ($0.contains(" a.csv: ") || $0.contains(" b.csv: ") || $0.contains(" c.csv: ")) && !$0.contains(": hint: ") }
        #expect(fileLines.count == 3, "\(result.stderr)")
        // b.csv's last_four of two digits: its hint follows its line (SPEC §10).
        #expect(lines.contains { $0.contains(" b.csv: hint: details.last_four \"12\" has fewer than four digits") }, "\(result.stderr)")
        for line in fileLines {
            #expect(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z "#, options: .regularExpression) != nil, "\(line)")
        }
        #expect(fileLines[0].contains("moved to \(box.inbox)/done/a.csv") && fileLines[0].hasSuffix("exit 0"))
        #expect(fileLines[1].contains("1 rejected") && fileLines[1].hasSuffix("exit 1"))
        #expect(fileLines[2].contains("moved to \(box.inbox)/failed/c.csv") && fileLines[2].hasSuffix("exit 65"))
        #expect(try StoreInspector(box.db).count("SELECT count(*) FROM cards") == 4)
    }

    @Test func aDryRunMovesNothingRecordsNothingAndNamesItsReportsSo() throws {
        let box = try Inbox()
        try box.add("a.csv", Self.csv(["a1", "a2"], bad: ["a2"]))
        let result = try box.run(["--dry-run"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(box.names("") == ["a.csv"])
        #expect(box.names("done") == [])
        #expect(box.names("reports") == ["a.csv.dry-run.rejects.csv", "a.csv.dry-run.report.json"])
        #expect(!box.exists("done") && !box.exists("failed"), "a dry run moves nothing, so it makes no folders for it")
        let report = try readJSON(box.inbox + "/reports/a.csv.dry-run.report.json")
        #expect(report["dry_run"] as? Bool == true && report["committed"] as? Bool == false)
        #expect((report["counts"] as? [String: Int])?["created"] == 1)
        #expect(result.stderr.contains("would create 1") && result.stderr.contains("1 rejected"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.db), "a dry run creates no store")
    }

    @Test func aDryRunOfTheInboxSeesEarlierFilesAsARealRunWould() throws {
        let box = try Inbox()
        try box.add("1.csv", Self.csv(["k1", "k2"]))
        try box.add("2.csv", Self.header + "k1,account_a,entity_e,0001\nk2,account_a,entity_e,9999\n")
        let result = try box.run(["--dry-run"])
        #expect(result.status == 1, "\(result.stderr)")
        let second = try readJSON(box.inbox + "/reports/2.csv.dry-run.report.json")
        #expect(second["counts"] as? [String: Int] == ["rows": 2, "created": 0, "replayed": 1, "updated": 0, "rejected": 1])
    }

    @Test func anAtomicRunCommitsOnlyTheCleanFiles() throws {
        let box = try Inbox()
        try box.add("a.csv", Self.csv(["a1", "a2"], bad: ["a2"]))
        try box.add("b.csv", Self.csv(["b1", "b2"]))
        let result = try box.run(["--atomic"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(box.names("done") == ["a.csv", "b.csv"])
        let store = try StoreInspector(box.db)
        #expect(try store.rows("SELECT external_id FROM cards ORDER BY external_id") == [["b1"], ["b2"]])
        #expect(try store.rows("SELECT file, committed FROM uploads ORDER BY seq").map { $0[1] } == ["0", "1"])
    }

    @Test func rowsRejectedGiveExitOneAndNoRejectsFileWhenNoneWere() throws {
        let box = try Inbox()
        try box.add("only.csv", Self.csv(["k1", "k2"], bad: ["k2"]))
        try box.add("clean.tsv", Self.header.replacingOccurrences(of: ",", with: "\t") + "t1\taccount_a\tentity_e\t0002\n")
        let result = try box.run(["--quiet"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(box.names("reports") == ["clean.tsv.report.json", "only.csv.rejects.csv", "only.csv.report.json"])
        // --quiet keeps the per-file lines, and only them.
        #expect(result.stderr.split(separator: "\n").count == 2, "\(result.stderr)")
    }

    @Test func gzipAndJSONLinesAreLoadedAndTheirRejectsAreUncompressedInTheirOwnForm() throws {
        let box = try Inbox()
        let rows = #"{"external_id":"j1","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0001"}}"# + "\n"
            + #"{"external_id":"j2","account_id":"account_a","entity_id":"entity_e","details":{"last_four":7}}"# + "\n"
        let plain = try box.add("j.jsonl", rows)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = [plain]
        try gzip.run()
        gzip.waitUntilExit()
        try #require(gzip.terminationStatus == 0 && box.exists("j.jsonl.gz"))
        let result = try box.run()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(box.names("done") == ["j.jsonl.gz"])
        #expect(box.names("reports") == ["j.jsonl.gz.rejects.jsonl", "j.jsonl.gz.report.json"])
        let rejected = try String(contentsOfFile: box.inbox + "/reports/j.jsonl.gz.rejects.jsonl", encoding: .utf8)
        #expect(try parseJSON(String(rejected.split(separator: "\n")[0]))["external_id"] as? String == "j2")
        #expect(try readJSON(box.inbox + "/reports/j.jsonl.gz.report.json")["compression"] as? String == "gzip")
    }

    @Test func hiddenPartialTemporaryAndOtherNamesAreLeftAlone() throws {
        let box = try Inbox()
        for name in [".hidden.csv", "x.csv.part", "y.csv.tmp", "notes.txt", "z.json", "data.csv.zip"] {
            try box.add(name, Self.csv(["skip-\(name)"]))
        }
        try FileManager.default.createDirectory(atPath: box.inbox + "/folder.csv", withIntermediateDirectories: false)
        try box.add("real.csv", Self.csv(["r1"]))
        let result = try box.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(box.names("done") == ["real.csv"])
        #expect(box.names("") == ["data.csv.zip", "folder.csv", "notes.txt", "x.csv.part", "y.csv.tmp", "z.json"])
        #expect(box.exists(".hidden.csv"))
        #expect(try StoreInspector(box.db).rows("SELECT external_id FROM cards").map { $0[0] } == ["r1"])
    }

    @Test func filesAreLoadedInBytewiseNameOrder() throws {
        let box = try Inbox()
        // Bytewise: "B" (0x42) < "a" (0x61) < "b" < "é" (0xC3 0xA9).
        for name in ["b.csv", "é.csv", "a.csv", "B.csv"] {
            try box.add(name, Self.csv(["key-\(name)"]))
        }
        let result = try box.run()
        #expect(result.status == 0, "\(result.stderr)")
        let files = try StoreInspector(box.db).rows("SELECT file FROM uploads ORDER BY seq").map { ($0[0] ?? "") }
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["B.csv", "a.csv", "b.csv", "é.csv"])
    }

    @Test func aSecondFileOfTheSameNameIsFiledBesideTheFirstWithItsUploadID() throws {
        let box = try Inbox()
        let text = Self.csv(["s1", "s2"], bad: ["s2"])
        try box.add("same.csv", text)
        #expect(try box.run().status == 1)
        let firstReport = try String(contentsOfFile: box.inbox + "/reports/same.csv.report.json", encoding: .utf8)
        let firstRejects = try String(contentsOfFile: box.inbox + "/reports/same.csv.rejects.csv", encoding: .utf8)

        try box.add("same.csv", text + "s3,account_a,entity_e,0003\n")
        let second = try box.run()
        #expect(second.status == 1, "\(second.stderr)")
        let uploadID = try #require(try StoreInspector(box.db).value("SELECT id FROM uploads ORDER BY seq DESC LIMIT 1"))
        #expect(box.names("done") == ["same.csv", "same.\(uploadID).csv"].sorted())
        #expect(box.names("reports") == [
            "same.csv.\(uploadID).rejects.csv", "same.csv.\(uploadID).report.json",
            "same.csv.rejects.csv", "same.csv.report.json",
        ].sorted())
        // Nothing of the first run was overwritten.
        #expect(try String(contentsOfFile: box.inbox + "/reports/same.csv.report.json", encoding: .utf8) == firstReport)
        #expect(try String(contentsOfFile: box.inbox + "/reports/same.csv.rejects.csv", encoding: .utf8) == firstRejects)
        #expect(try String(contentsOfFile: box.inbox + "/done/same.csv", encoding: .utf8) == text)
        let report = try readJSON(box.inbox + "/reports/same.csv.\(uploadID).report.json")
        #expect(report["upload_id"] as? String == uploadID)
        #expect((report["counts"] as? [String: Int])?["replayed"] == 1)
        #expect((report["counts"] as? [String: Int])?["created"] == 1)
    }

    @Test func aLinkWithAnUploadNameIsMovedToFailedUnreadWhileTheOthersGoOn() throws {
        let box = try Inbox()
        try box.add("a.csv", Self.csv(["a1"]))
        try FileManager.default.createSymbolicLink(atPath: box.inbox + "/m.csv", withDestinationPath: "nowhere.csv")
        try box.add("z.csv", Self.csv(["z1"], bad: ["z1"]))
        let result = try box.run()
        #expect(result.status == 65, "\(result.stderr)")  // 65 beats 1 and 0
        #expect(box.names("") == [])
        #expect(box.names("done") == ["a.csv", "z.csv"])
        #expect(box.names("failed") == ["m.csv"])
        // Moved as it is: still the link, its target never opened.
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: box.inbox + "/failed/m.csv")) == "nowhere.csv")
        let report = try readJSON(box.inbox + "/reports/m.csv.report.json")
        #expect((report["error"] as? [String: Any])?["code"] as? String == "not_a_regular_file")
        let line = try #require(result.stderr.split(separator: "\n").first { $0.contains(" m.csv: ") })
        #expect(line.contains("not_a_regular_file") && line.contains("moved to") && line.hasSuffix("exit 65"), "\(line)")
    }

    @Test func aDatabaseErrorStopsTheRunAndLeavesEveryFileInTheInbox() throws {
        let box = try Inbox()
        try box.add("a.csv", Self.csv(["a1"]))
        try box.add("b.csv", Self.csv(["b1"]))
        try box.folder.write("cards.sqlite", String(repeating: "this is not a database\n", count: 200))
        let result = try box.run()
        #expect(result.status == 74, "\(result.stderr)")
        #expect(box.names("") == ["a.csv", "b.csv"])
        #expect(box.names("done") == [] && box.names("failed") == [])
        #expect(result.stderr.contains("1 file left in INBOX"), "\(result.stderr)")
        // The error is the store's: its line names the store, not the file (SPEC §10); the file's line says where
        // the file is.
        #expect(result.stderr.contains("Z Error: database \(box.db): file is not a database (loading a.csv)\n"), "\(result.stderr)")
        #expect(!result.stderr.contains("a.csv: Error"), "\(result.stderr)")
        #expect(result.stderr.contains(" a.csv: left in INBOX; exit 74\n"), "\(result.stderr)")
        // b.csv was never tried.
        #expect(!result.stderr.contains(" b.csv: "))
    }

    @Test func aRecentFileWaitsForMinAge() throws {
        let box = try Inbox()
        let old = try box.add("old.csv", Self.csv(["o1"]))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-600)], ofItemAtPath: old)
        try box.add("fresh.csv", Self.csv(["f1"]))
        let result = try box.run(["--min-age", "300"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(box.names("") == ["fresh.csv"])
        #expect(box.names("done") == ["old.csv"])
        #expect(result.stderr.contains("fresh.csv: waiting"), "\(result.stderr)")
        // Without --min-age (default 0) it is loaded.
        #expect(try box.run().status == 0)
        #expect(box.names("done") == ["fresh.csv", "old.csv"])
    }

    @Test func aHeldLockIsExit75AtOnceAndNothingMoves() throws {
        let box = try Inbox()
        try box.add("a.csv", Self.csv(["a1"]))
        // The lock is the working folder, which only the job can open: another run holding it (here, this
        // test) is the only run.
        try FileManager.default.createDirectory(
            atPath: box.inbox + "/.card-upload-work", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let descriptor = open(box.inbox + "/.card-upload-work", O_RDONLY | O_DIRECTORY)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        try #require(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let started = Date()
        let result = try box.run()
        #expect(result.status == 75, "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(result.stderr.contains("holds the lock on INBOX"), "\(result.stderr)")
        #expect(box.names("") == ["a.csv"])
        #expect(!FileManager.default.fileExists(atPath: box.db))

        flock(descriptor, LOCK_UN)
        #expect(try box.run().status == 0)
        #expect(box.names("done") == ["a.csv"])
    }

    @Test func foldersMayBeElsewhereAndAreCreatedWhenMissing() throws {
        let box = try Inbox()
        try box.add("a.csv", Self.csv(["a1"], bad: ["a1"]))
        let done = box.folder.path("out/ok"), reports = box.folder.path("out/rep")
        let result = try box.run(["--done", done, "--reports", reports, "--failed", box.folder.path("out/bad")])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: done + "/a.csv"))
        #expect(FileManager.default.fileExists(atPath: reports + "/a.csv.report.json"))
        #expect(FileManager.default.fileExists(atPath: reports + "/a.csv.rejects.csv"))
        #expect(FileManager.default.fileExists(atPath: box.folder.path("out/bad")))
        #expect(!box.exists("done"))
    }

    @Test func usageErrorsAndAMissingInbox() throws {
        let box = try Inbox()
        let missing = try CardUploadBinary.run(["process-dir", "--db", box.db], in: box.folder.url)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("missing INBOX"))
        #expect(try CardUploadBinary.run(["process-dir", box.folder.path("nope"), "--db", box.db], in: box.folder.url).status == 66)
        #expect(try box.run(["--format", "csv"]).status == 64)
        #expect(try box.run(["--report", "r.json"]).status == 64)
        #expect(try box.run(["--min-age", "-1"]).status == 64)
        #expect(try box.run(["--done", box.inbox]).status == 64)
        #expect(try box.run(["--batch-size", "0"]).status == 64)
        #expect(try CardUploadBinary.run(["process-dir", box.inbox, box.folder.path("two")], in: box.folder.url).status == 64)
        // Each usage error names what to fix, the INBOX first (the folder checks live in `InboxSettings`).
        let messages: [([String], String)] = [
            (["", "--format", "csv"], "INBOX needs a folder path"),
            ([box.inbox, "--format", "csv"], "--format does not apply"),
            ([box.inbox, "--done", box.inbox + "/"], "--done must not be INBOX itself"),
            ([box.inbox, "--work", ""], "--work needs a folder path"),
            ([box.inbox, "--min-age", "inf"], "--min-age must be a number of seconds, 0 or more (got 'inf')"),
        ]
        for (arguments, message) in messages {
            let result = try CardUploadBinary.run(["process-dir"] + arguments + ["--db", box.db], in: box.folder.url)
            #expect(result.status == 64 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: box.db))
    }
}

/// `process-dir` killed mid-file: the file stays in INBOX and the next run loads it again.
@Suite(.serialized) struct ProcessDirKillTests {
    @Test func aFileLeftInTheInboxByACrashIsLoadedAgainAndItsRowsComeBackReplayed() throws {
        let box = try ProcessDirTests.Inbox()
        let total = 120_000
        try box.add("big.csv", ConcurrencyAndKillTests.rows(0..<total))
        let process = try CardUploadBinary.start(
            ["process-dir", box.inbox, "--db", box.db, "--batch-size", "1000"], in: box.folder.url)
        var committed = 0
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning {
            if FileManager.default.fileExists(atPath: box.db), let store = try? StoreInspector(box.db),
               let count = try? store.count("SELECT count(*) FROM upload_outcomes"), count >= 5_000 {
                committed = count
                break
            }
            usleep(20_000)
        }
        try #require(process.isRunning, "the run finished before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        // The file was claimed into the working folder: the next run loads it from there first.
        #expect(box.names("") == [])
        let work = box.inbox + "/.card-upload-work"
        let claims = try FileManager.default.contentsOfDirectory(atPath: work)
        #expect(claims.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work + "/" + claims[0]) == ["big.csv"])
        #expect(box.names("done") == [] && box.names("reports") == [])
        let killedRows = try StoreInspector(box.db).count("SELECT count(*) FROM upload_outcomes")
        #expect(killedRows >= committed && killedRows < total)

        let rerun = try box.run()
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(box.names("done") == ["big.csv"])
        let report = try readJSON(box.inbox + "/reports/big.csv.report.json")
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(counts["replayed"] == killedRows)
        #expect(counts["created"] == total - killedRows)
        let store = try StoreInspector(box.db)
        #expect(try store.count("SELECT count(*) FROM cards") == total)
        #expect(try store.value("SELECT status FROM uploads ORDER BY seq LIMIT 1") == "interrupted")
    }

    @Test func sigtermStopsTheRunWritesTheReportAndLeavesTheFilesForTheNextRun() throws {
        let box = try ProcessDirTests.Inbox()
        let total = 120_000
        try box.add("a-big.csv", ConcurrencyAndKillTests.rows(0..<total))
        try box.add("b.csv", ProcessDirTests.csv(["b1"]))
        let process = try CardUploadBinary.start(
            ["process-dir", box.inbox, "--db", box.db, "--batch-size", "1000"], in: box.folder.url)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning {
            if FileManager.default.fileExists(atPath: box.db), let store = try? StoreInspector(box.db),
               let count = try? store.count("SELECT count(*) FROM upload_outcomes"), count >= 5_000 {
                break
            }
            usleep(20_000)
        }
        try #require(process.isRunning, "the run finished before it could be stopped")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        // Neither file moved: a-big.csv was interrupted, b.csv never tried.
        #expect(box.names("") == ["a-big.csv", "b.csv"])
        #expect(box.names("done") == [] && box.names("failed") == [])
        let report = try readJSON(box.inbox + "/reports/a-big.csv.report.json")
        #expect(report["status"] as? String == "interrupted")
        let stored = try StoreInspector(box.db).count("SELECT count(*) FROM upload_outcomes")
        #expect((report["counts"] as? [String: Int])?["created"] == stored)
        #expect(try StoreInspector(box.db).count("SELECT count(*) FROM uploads") == 1)

        let rerun = try box.run()
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(box.names("done") == ["a-big.csv", "b.csv"])
        let uploadID = try #require(try StoreInspector(box.db).value("SELECT id FROM uploads WHERE file LIKE '%a-big.csv' ORDER BY seq DESC LIMIT 1"))
        let second = try readJSON(box.inbox + "/reports/a-big.csv.\(uploadID).report.json")
        #expect((second["counts"] as? [String: Int])?["replayed"] == stored)
    }
}
