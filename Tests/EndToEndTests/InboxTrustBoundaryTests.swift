import Foundation
import Testing

/// SPEC §1, INBOX is a trust boundary, through the binary: the uploader (`nobody`, via setpriv) owns INBOX
/// and drops links, hard links, FIFOs and folders of its own there, and renames or appends to files while
/// they load; the job (root here, so only the product's own checks stop it) must never read, write, lose or
/// hang on anything but the uploader's regular files.
@Suite(.serialized) struct InboxTrustBoundaryTests {
    /// What must never leave the private file: not in a report, a log line, a moved file or the store.
    static let marker = "MARKER7f3a9c"

    /// A folder with an INBOX the uploader owns, a private file of the job's beside it, and the store.
    final class DropBox {
        let folder: TemporaryDirectory
        var inbox: String { folder.path("in") }
        var db: String { folder.path("cards.sqlite") }
        var secret: String { folder.path("secret.csv") }

        init() throws {
            try Fault.requireSetpriv()
            folder = try TemporaryDirectory()
            chmod(folder.url.path, 0o755)
            try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
            try #require(chown(inbox, Fault.nobody, Fault.nobody) == 0)
            try folder.write("secret.csv", ProcessDirTests.csv(["\(InboxTrustBoundaryTests.marker)-1"]))
            chmod(secret, 0o600)
        }

        /// Runs `script` in INBOX as the uploader.
        func asUploader(_ script: String) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Fault.setpriv)
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", script]
            process.currentDirectoryURL = URL(fileURLWithPath: inbox)
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "the uploader's `\(script)` failed")
        }

        /// Writes `text` as the uploader's file `name` in INBOX.
        func deliver(_ name: String, _ text: String) throws {
            let path = inbox + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            try #require(chown(path, Fault.nobody, Fault.nobody) == 0)
        }

        func run(_ extra: [String] = []) throws -> CardUploadBinary.Result {
            try CardUploadBinary.run(["process-dir", inbox, "--db", db] + extra, in: folder.url)
        }

        func start(_ extra: [String] = []) throws -> Process {
            try CardUploadBinary.start(["process-dir", inbox, "--db", db] + extra, in: folder.url)
        }

        /// Waits until the run has committed rows (the load is under way), or `process` ended.
        func waitForRows(of process: Process) {
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning, Date() < deadline {
                if (try? cards()) ?? 0 > 0 { return }
                usleep(2_000)
            }
        }

        func names(_ sub: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: inbox + (sub.isEmpty ? "" : "/" + sub))) ?? [])
                .filter { !$0.hasPrefix(".") && !["done", "failed", "reports"].contains($0) }.sorted()
        }

        func cards() throws -> Int {
            FileManager.default.fileExists(atPath: db) ? try StoreInspector(db).count("SELECT count(*) FROM cards") : 0
        }

        /// Whether the marker is anywhere the job wrote: under INBOX (reports, moved files — not following
        /// links), the store's files, or `text` (what it printed).
        func leaked(_ text: String) -> Bool {
            var places = [text]
            for name in ["", "-wal"] {
                if let data = FileManager.default.contents(atPath: db + name) { places.append(String(decoding: data, as: UTF8.self)) }
            }
            if let walker = FileManager.default.enumerator(atPath: inbox) {
                for case let relative as String in walker {
                    let path = inbox + "/" + relative
                    guard (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular,
                          let data = FileManager.default.contents(atPath: path) else { continue }
                    // A hard link to the private file moved to FAILED as it is, unread, is that file: not a leak.
                    var info = stat(), secretInfo = stat()
                    if stat(path, &info) == 0, stat(secret, &secretInfo) == 0, info.st_ino == secretInfo.st_ino { continue }
                    places.append(String(decoding: data, as: UTF8.self))
                }
            }
            return places.contains { $0.contains(InboxTrustBoundaryTests.marker) }
        }
    }

    @Test func aSymbolicLinkToAPrivateFileIsMovedToFailedUnread() throws {
        let box = try DropBox()
        try box.asUploader("ln -s ../secret.csv a.csv")
        try box.deliver("b.csv", ProcessDirTests.csv(["b1"]))
        let result = try box.run()
        #expect(result.status == 65, "\(result.stderr)")
        #expect(box.names("failed") == ["a.csv"] && box.names("done") == ["b.csv"])
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: box.inbox + "/failed/a.csv")) == "../secret.csv")
        let report = try readJSON(box.inbox + "/reports/a.csv.report.json")
        #expect((report["error"] as? [String: Any])?["code"] as? String == "not_a_regular_file")
        #expect(!box.leaked(result.stderr), "the private file's content got out")
        #expect(try box.cards() == 1)
    }

    @Test func aHardLinkToAPrivateFileIsMovedToFailedUnread() throws {
        let box = try DropBox()
        // Where protected_hardlinks is off (or on macOS) the uploader could make it; root stands in here.
        try #require(link(box.secret, box.inbox + "/h.csv") == 0)
        let result = try box.run()
        #expect(result.status == 65, "\(result.stderr)")
        #expect(box.names("failed") == ["h.csv"])
        #expect(result.stderr.contains("2 hard links"), "\(result.stderr)")
        #expect(!box.leaked(result.stderr), "the private file's content got out")
        #expect(try box.cards() == 0)
        #expect(try String(contentsOfFile: box.secret, encoding: .utf8).contains(Self.marker))
    }

    @Test func aFIFOIsMovedToFailedWithoutHanging() throws {
        let box = try DropBox()
        try box.asUploader("mkfifo f.csv")
        let started = Date()
        let result = try box.run()
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(result.status == 65, "\(result.stderr)")
        var info = stat()
        #expect(lstat(box.inbox + "/failed/f.csv", &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
    }

    @Test func aDoneFolderThatIsALinkStopsTheRunBeforeAnyFile() throws {
        let box = try DropBox()
        let elsewhere = box.folder.path("elsewhere")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try box.asUploader("ln -s \(elsewhere) done")
        try box.deliver("a.csv", ProcessDirTests.csv(["a1"]))
        let result = try box.run()
        #expect(result.status == 73, "\(result.stderr)")
        #expect(result.stderr.contains("DONE folder") && result.stderr.contains("symbolic link"), "\(result.stderr)")
        #expect(box.names("") == ["a.csv"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
        #expect(try box.cards() == 0)
    }

    @Test func aReportsFolderTheUploaderMadeStopsTheRun() throws {
        let box = try DropBox()
        try box.asUploader("mkdir reports")
        try box.deliver("a.csv", ProcessDirTests.csv(["a1"]))
        let result = try box.run()
        #expect(result.status == 73, "\(result.stderr)")
        #expect(result.stderr.contains("REPORTS folder") && result.stderr.contains("owned by user 65534"), "\(result.stderr)")
        #expect(box.names("") == ["a.csv"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.inbox + "/reports").isEmpty)
    }

    @Test func aPlantedLockLinkIsNeverFollowed() throws {
        let box = try DropBox()
        let planted = box.folder.path("planted")
        try box.asUploader("ln -s \(planted) .card-upload.lock")
        try box.deliver("a.csv", ProcessDirTests.csv(["a1"]))
        let result = try box.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: planted))
        #expect(box.names("done") == ["a.csv"])
    }

    @Test func anUploaderHoldingALockOnInboxDoesNotStopTheRun() throws {
        let box = try DropBox()
        try box.deliver("a.csv", ProcessDirTests.csv(["a1"]))
        // The uploader owns INBOX: it can flock it for as long as it likes.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: Fault.setpriv)
        holder.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/flock", "-x", box.inbox, "sleep", "30"]
        try holder.run()
        defer { holder.terminate() }
        usleep(300_000)
        let result = try box.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(box.names("done") == ["a.csv"])
    }

    @Test func aFileTheUploaderHoldsALeaseOnIsNotWaitedForNorReadAnotherWay() throws {
        let box = try DropBox()
        try box.deliver("l.csv", ProcessDirTests.csv(["l1"]))
        try box.deliver("m.csv", ProcessDirTests.csv(["m1"]))
        // A write lease: an open by anyone else would wait up to lease-break-time (45 s) for the holder.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: Fault.setpriv)
        holder.arguments = [
            "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c",
            "import fcntl, os, time; fd = os.open('\(box.inbox)/l.csv', os.O_RDWR); "
                + "fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK); print('held', flush=True); time.sleep(40)",
        ]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        defer { holder.terminate() }
        _ = output.fileHandleForReading.availableData  // "held": the lease is on
        let started = Date()
        let result = try box.run()
        #expect(Date().timeIntervalSince(started) < 20, "the run waited on the lease")
        #expect(result.status == 66, "\(result.stderr)")
        #expect(box.names("") == ["l.csv"] && box.names("done") == ["m.csv"])
    }

    @Test func aFolderPutUnderAnUploadNameAfterTheListingIsLeftInInbox() throws {
        let box = try DropBox()
        try box.asUploader("mkdir d.csv && echo x > d.csv/inside")
        try box.deliver("a.csv", ProcessDirTests.csv(["a1"]))
        let result = try box.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(box.names("") == ["d.csv"] && box.names("failed") == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.inbox + "/d.csv") == ["inside"])
    }

    @Test func aFileRenamedOverDuringItsLoadIsANewFileForTheNextRun() throws {
        let box = try DropBox()
        let rows = 150_000
        let original = ConcurrencyAndKillTests.rows(0..<rows)
        try box.deliver("a.csv", original)
        let process = try box.start(["--batch-size", "1000"])
        // Mid-load, the uploader delivers a corrected file under the same name (.part + rename).
        box.waitForRows(of: process)
        try #require(process.isRunning, "the load ended before the rename: nothing was tested")
        try box.asUploader("printf '\(ProcessDirTests.header.replacingOccurrences(of: "\n", with: "\\n"))fix-1,account_a,entity_e,0001\\n' > a.csv.part && mv a.csv.part a.csv")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // The claimed file was loaded whole and filed; the corrected one waits for the next run.
        #expect(try String(contentsOfFile: box.inbox + "/done/a.csv", encoding: .utf8) == original)
        #expect(try box.cards() == rows)
        #expect(try String(contentsOfFile: box.inbox + "/a.csv", encoding: .utf8).contains("fix-1"))
        let rerun = try box.run()
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try box.cards() == rows + 1)
    }

    /// How a writer that still holds the file changes it under the load.
    enum Change: String, CaseIterable {
        case append, truncate, rewrite
        /// Rewritten in place with the modification time set back: only the status-change time tells.
        case rewriteKeepingTime
    }

    @Test(arguments: Change.allCases)
    func aFileChangedDuringItsLoadGoesBackAsFileChanged(_ change: Change) throws {
        let box = try DropBox()
        let rows = 100_000
        try box.deliver("a.csv", ConcurrencyAndKillTests.rows(0..<rows))
        let process = try box.start(["--batch-size", "1000"])
        // The uploader's writer still holds the file: it changes it while the run loads it (rows are being
        // committed, so the run claimed and examined the file already).
        box.waitForRows(of: process)
        try #require(process.isRunning, "the load ended before the change: nothing was tested")
        let work = box.inbox + "/.card-upload-work"
        let claim = try #require(try FileManager.default.contentsOfDirectory(atPath: work).first, "no claimed file")
        let claimed = work + "/" + claim + "/a.csv"
        let modified = try #require(try FileManager.default.attributesOfItem(atPath: claimed)[.modificationDate] as? Date)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: claimed))
        switch change {
        case .append:
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(ConcurrencyAndKillTests.rows(rows..<(rows + 10)).split(separator: "\n").dropFirst()
                .map { $0 + "\n" }.joined().utf8))
        case .truncate:
            try handle.truncate(atOffset: 1_000_000)
        case .rewrite, .rewriteKeepingTime:
            // The same size, other bytes.
            try handle.seek(toOffset: 2_000_000)
            try handle.write(contentsOf: Data("X".utf8))
        }
        try handle.close()
        if change == .rewriteKeepingTime {
            try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: claimed)
        }
        process.waitUntilExit()
        #expect(process.terminationStatus == 75)
        // Back in INBOX under its name, for the next run; the report says why.
        #expect(box.names("") == ["a.csv"] && box.names("done") == [])
        let report = try readJSON(box.inbox + "/reports/a.csv.report.json")
        #expect((report["error"] as? [String: Any])?["code"] as? String == "file_changed")
        #expect(report["status"] as? String == "failed")
        guard change == .append else { return }
        let rerun = try box.run()
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(box.names("done") == ["a.csv"])
        #expect(try box.cards() == rows + 10)
    }
}

/// `--max-rows` and `--max-bytes` bound what one file may load (SPEC §1): past either, the file stops at
/// that row with `file_too_large` (65), the rows before it stay committed, and process-dir files it in FAILED.
@Suite struct FileSizeLimitTests {
    @Test func aFilePastMaxRowsStopsThereAndGoesToFailed() throws {
        let box = try ProcessDirTests.Inbox()
        try box.add("big.csv", ConcurrencyAndKillTests.rows(0..<50))
        try box.add("small.csv", ConcurrencyAndKillTests.rows(100..<110))
        let result = try box.run(["--max-rows", "20", "--batch-size", "7"])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(box.names("failed") == ["big.csv"] && box.names("done") == ["small.csv"])
        let report = try readJSON(box.inbox + "/reports/big.csv.report.json")
        let error = try #require(report["error"] as? [String: Any])
        #expect(error["code"] as? String == "file_too_large")
        #expect(error["line"] as? Int == 22)  // the header is line 1: the 21st row
        #expect(try StoreInspector(box.db).count("SELECT count(*) FROM cards") == 20 + 10)
    }

    @Test func aGzipFilePastMaxBytesDecompressedStops() throws {
        let folder = try TemporaryDirectory()
        let text = ConcurrencyAndKillTests.rows(0..<20_000)
        let plain = try folder.write("rows.csv", text)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c \(plain) > \(plain).gz"]
        try gzip.run()
        gzip.waitUntilExit()
        // Compressed, the file is far under the limit; decompressed, far over it.
        let limit = text.utf8.count / 4
        let compressed = try #require(try FileManager.default.attributesOfItem(atPath: plain + ".gz")[.size] as? Int)
        try #require(compressed < limit)
        let db = folder.path("cards.sqlite")
        let result = try CardUploadBinary.run(
            ["process", plain + ".gz", "--db", db, "--max-bytes", String(limit)], in: folder.url)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("file_too_large"), "\(result.stderr)")
        let cards = try StoreInspector(db).count("SELECT count(*) FROM cards")
        #expect(cards > 0 && cards < 20_000)
        // Without the limit, the same file loads whole.
        let whole = try CardUploadBinary.run(["process", plain + ".gz", "--db", db], in: folder.url)
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 20_000)
    }
}
