import Foundation
import Testing

/// Output devices that fail, processes killed mid-load, and several processes at once: no card lost or made twice.
extension FaultInjectionTests {
    @Test(arguments: [0, 1, 2])
    func anOutputOnAFullDeviceIs73(output: Int) throws {
        let (option, _) = Self.outputs[output]
        try #require(FileManager.default.fileExists(atPath: "/dev/full"))
        let folder = try TemporaryDirectory()
        let input = try Self.outputInput(folder)
        let db = folder.path("cards.sqlite")
        let log = folder.path("strace.log")
        let result = try Fault.runTraced(
            ["process", input, "--db", db, option, "/dev/full", "--quiet"],
            straceOptions: ["-e", "trace=openat,write"], log: log, in: folder.url)
        // /dev/full really was the target: opened, and a write to it failed with ENOSPC.
        let lines = try Fault.logLines(log)
        let fd = try #require(Fault.descriptor(openedEndingWith: "/dev/full", in: lines), "/dev/full was never opened")
        #expect(lines.contains { $0.contains("write(\(fd),") && $0.contains("ENOSPC") }, "no write to /dev/full failed")

        #expect(result.status == 73, "\(option): exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("/dev/full"), "\(result.stderr)")
        let store = try StoreInspector(db)
        #expect(try store.rows("SELECT status, error_code FROM uploads") == [["failed", "output_error"]])
        try Self.expectConsistent(store)
        #expect(try store.count("SELECT count(*) FROM cards") == 4_000, "the rows loaded before the output failed stay committed")
    }

    @Test(arguments: [0, 1, 2])
    func anOutputInAMissingFolderIs73AndNothingIsLoaded(output: Int) throws {
        let (option, name) = Self.outputs[output]
        let folder = try TemporaryDirectory()
        let input = try Self.outputInput(folder)
        let db = folder.path("cards.sqlite")
        let target = folder.path("missing/\(name)")
        let result = try CardUploadBinary.run(["process", input, "--db", db, option, target, "--quiet"], in: folder.url)
        #expect(result.status == 73, "\(option): exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains(name), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("missing")))
        if FileManager.default.fileExists(atPath: db) {
            #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 0, "outputs are opened before any row is loaded")
        }
    }

    @Test(arguments: [0, 1, 2])
    func anOutputInAFolderTheUserCannotWriteIs73AndLeavesNoFile(output: Int) throws {
        try Fault.requireSetpriv()
        let (option, name) = Self.outputs[output]
        let (folder, _) = try Self.publicFolder()
        let input = try Self.outputInput(folder)
        try Fault.chmod(input, 0o644)
        // The store's folder is nobody's; the output folder is root's (0755): nobody cannot write there.
        let storeFolder = folder.path("store")
        let outFolder = folder.path("out")
        try FileManager.default.createDirectory(atPath: storeFolder, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: outFolder, withIntermediateDirectories: false)
        try Fault.chownToNobody(storeFolder)
        try Fault.chmod(outFolder, 0o755)
        let db = storeFolder + "/cards.sqlite"

        let result = try CardUploadBinary.run(
            Fault.asNobody(["process", input, "--db", db, option, outFolder + "/" + name, "--quiet"]),
            in: folder.url, executable: Fault.setpriv)
        #expect(result.status == 73, "\(option): exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains(name), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outFolder).isEmpty)
        if FileManager.default.fileExists(atPath: db) {
            #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 0, "outputs are opened before any row is loaded")
        }
    }

    @Test(arguments: [0, 1, 2])
    func anOutputWhoseDiskFillsMidWriteIs73AndLeavesNoHalfFile(output: Int) throws {
        let (option, name) = Self.outputs[output]
        let folder = try TemporaryDirectory()
        let input = try Self.outputInput(folder)
        let outFolder = folder.path("out")
        try FileManager.default.createDirectory(atPath: outFolder, withIntermediateDirectories: false)
        let db = folder.path("cards.sqlite")
        let log = folder.path("strace.log")
        // With --quiet the only write(2) calls are the output's (SQLite uses pwrite64): the third one fails.
        let result = try Fault.runTraced(
            ["process", input, "--db", db, option, outFolder + "/" + name, "--quiet"],
            straceOptions: ["-e", "trace=openat,write,rename,renameat,renameat2", "-e", "inject=write:error=ENOSPC:when=3"],
            log: log, in: folder.url)
        // The fault hit the output: the descriptor of its temporary file, opened in `out/`.
        let lines = try Fault.logLines(log)
        let injected = lines.filter { $0.contains("(INJECTED)") }
        try #require(injected.count == 1, "strace injected \(injected.count) faults: \(result.stderr)")
        let fd = try #require(
            lines.first { $0.contains("openat(") && $0.contains("/out/") && $0.contains("O_CREAT") }
                .flatMap { line in line.range(of: "= ", options: .backwards).map { String(line[$0.upperBound...].prefix { $0.isNumber }) } },
            "the output was never opened")
        #expect(injected[0].contains("write(\(fd),"), "the fault hit another file: \(injected[0])")

        #expect(result.status == 73, "\(option): exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains(name), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: outFolder + "/" + name), "a half-written \(name) under its final name")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outFolder).isEmpty, "a temporary file was left behind")
        let store = try StoreInspector(db)
        #expect(try store.rows("SELECT status, error_code FROM uploads") == [["failed", "output_error"]])
        try Self.expectConsistent(store)
        #expect(try store.count("SELECT count(*) FROM cards") == 4_000)
    }

    // MARK: - 4. kill -9 at random points of a 300,000-row load, three times

    @Test func sigkillThreeTimesAtRandomPointsThenARerunLoadsEveryRowOnce() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let total = 300_000
        let file = try folder.write("big.csv", Fault.rows(0..<total))
        var generator = SystemRandomNumberGenerator()
        var killedUploads: [String] = []
        var cardsBefore = 0
        var trail: [String] = []  // what happened, for failure messages

        for attempt in 1...3 {
            let run = try BackgroundRun(["process", file, "--db", db, "--batch-size", "1000", "--quiet"], in: folder.url, name: "kill\(attempt)")
            // Wait until this run has committed some new rows past the ones it replays, then kill it a random moment later.
            let target = cardsBefore + Int.random(in: 2_000...30_000, using: &generator)
            var seen = 0
            let deadline = Date().addingTimeInterval(90)
            while Date() < deadline, run.process.isRunning {
                if let store = try? StoreInspector(db),
                   let count = try? store.count(
                       "SELECT count(*) FROM upload_outcomes WHERE upload_seq = (SELECT max(seq) FROM uploads)"),
                   count >= target {
                    seen = count
                    break
                }
                usleep(10_000)
            }
            let delay = UInt32.random(in: 0...250_000, using: &generator)
            usleep(delay)
            try #require(run.process.isRunning, "attempt \(attempt): the load ended before it was killed: \(run.stderr)")
            kill(run.process.processIdentifier, SIGKILL)
            run.process.waitUntilExit()
            trail.append("attempt \(attempt): target \(target), seen \(seen), +\(delay)µs")
            #expect(run.process.terminationReason == .uncaughtSignal && run.process.terminationStatus == SIGKILL, "\(trail)")
            #expect(seen >= target, "attempt \(attempt): killed before reaching \(target) rows: \(trail)")

            let store = try StoreInspector(db)
            #expect(try store.value("PRAGMA integrity_check") == "ok", "\(trail)")
            let upload = try #require(try store.rows("SELECT id, seq FROM uploads ORDER BY seq DESC LIMIT 1").first)
            let uploadID = try #require(upload[0]), seq = try #require(upload[1])
            killedUploads.append(uploadID)
            let committed = try store.count("SELECT count(*) FROM upload_outcomes WHERE upload_seq = ?", [seq])
            // Nothing seen committed was lost, and the load was killed before its end.
            #expect(committed >= seen && committed < total, "attempt \(attempt): \(committed) rows committed: \(trail)")
            // Committed rows are lines 2...n+1 of the file: no gap, no row twice.
            #expect(try store.count("SELECT max(line) - min(line) + 1 FROM upload_outcomes WHERE upload_seq = ?", [seq]) == committed)
            #expect(try store.count("SELECT min(line) FROM upload_outcomes WHERE upload_seq = ?", [seq]) == 2)
            let cards = try store.count("SELECT count(*) FROM cards")
            #expect(cards == (try store.count("SELECT count(*) FROM upload_outcomes WHERE outcome = 'created'")), "\(trail)")
            #expect(cards == (try store.count("SELECT count(DISTINCT entity_id || '/' || external_id) FROM cards")))
            #expect(cards > cardsBefore, "attempt \(attempt) created nothing: \(trail)")
            // The replayed rows of this run are exactly the cards earlier runs created.
            #expect(try store.count(
                "SELECT count(*) FROM upload_outcomes WHERE upload_seq = ? AND outcome = 'replayed'", [seq]) == min(committed, cardsBefore))
            cardsBefore = cards
            // Readers already show the dead run as interrupted.
            let listed = try CardUploadBinary.run(["uploads", "list", "--json", "--db", db], in: folder.url)
            let newest = try parseJSON(String(listed.stdout.split(separator: "\n").first ?? ""))
            #expect(newest["upload_id"] as? String == uploadID && newest["status"] as? String == "interrupted", "\(newest)")
        }

        let rerun = try CardUploadBinary.run(
            ["process", file, "--db", db, "--quiet", "--report", folder.path("rerun.json")], in: folder.url)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let counts = try #require(try readJSON(folder.path("rerun.json"))["counts"] as? [String: Int])
        #expect(counts["replayed"] == cardsBefore, "\(counts) after \(trail)")
        #expect(counts["created"] == total - cardsBefore)
        #expect(counts["rejected"] == 0)
        let store = try StoreInspector(db)
        #expect(try store.value("PRAGMA integrity_check") == "ok")
        #expect(try store.count("SELECT count(*) FROM cards") == total)
        #expect(try store.count("SELECT count(DISTINCT entity_id || '/' || external_id) FROM cards") == total)
        #expect(try store.count("SELECT count(*) FROM upload_outcomes WHERE outcome = 'created'") == total)
        // Every killed upload is marked interrupted, with the counts of its committed rows.
        for id in killedUploads {
            let row = try #require(try store.rows(
                "SELECT status, rows, (SELECT count(*) FROM upload_outcomes WHERE upload_seq = seq), owner FROM uploads WHERE id = ?", [id]).first)
            #expect(row[0] == "interrupted", "\(id): \(row)")
            #expect(row[1] == row[2], "\(id): counts \(row[1] ?? "nil") vs \(row[2] ?? "nil") rows recorded")
        }
        #expect(try store.value("SELECT status FROM uploads ORDER BY seq DESC LIMIT 1") == "completed")
    }

    // MARK: - 5. Four processes loading overlapping files at once

    @Test func fourProcessesLoadingOverlappingFilesCreateEachCardOnceAndAgreeWithTheStore() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        // Run i loads keys [10,000 i, 10,000 i + 25,000): neighbours share 15,000 keys; 55,000 keys in all.
        let perRun = 25_000, step = 10_000, runs = 4
        let distinct = step * (runs - 1) + perRun
        for index in 0..<runs {
            try folder.write("f\(index).csv", Fault.rows(index * step..<index * step + perRun))
        }
        let seed = try folder.write("seed.csv", Fault.rows(0..<0))
        #expect(try CardUploadBinary.run(["process", seed, "--db", db, "--quiet"], in: folder.url).status == 0)

        let processes = try (0..<runs).map { index in
            try BackgroundRun(
                ["process", "f\(index).csv", "--db", db, "--batch-size", "500", "--report", "r\(index).json"],
                in: folder.url, name: "run\(index)")
        }
        for run in processes { run.process.waitUntilExit() }
        for (index, run) in processes.enumerated() {
            #expect(run.process.terminationStatus == 0, "run \(index): exit \(run.process.terminationStatus): \(run.stderr)")
            let text = run.stderr.lowercased()
            #expect(!text.contains("locked") && !text.contains("busy"), "run \(index): \(run.stderr)")
        }

        let store = try StoreInspector(db)
        var cardKeys: [String: String] = [:]
        for row in try store.rows("SELECT id, external_id FROM cards") { cardKeys[row[0]!] = row[1]! }
        #expect(cardKeys.count == distinct)
        #expect(try store.count("SELECT count(DISTINCT entity_id || '/' || external_id) FROM cards") == distinct)

        var starts: [String] = [], ends: [String] = []
        var created = 0, replayed = 0
        for index in 0..<runs {
            let report = try readJSON(folder.path("r\(index).json"))
            starts.append(try #require(report["started_at"] as? String))
            ends.append(try #require(report["finished_at"] as? String))
            let counts = try #require(report["counts"] as? [String: Int])
            #expect(counts["rows"] == perRun && counts["rejected"] == 0, "run \(index): \(counts)")
            created += counts["created"] ?? 0
            replayed += counts["replayed"] ?? 0
            // Each row of the report names a card that is in the store under that row's key.
            let rows = try #require(report["rows"] as? [[String: Any]])
            #expect(rows.count == perRun)
            var mismatches = 0, createdHere = 0
            for row in rows {
                guard let id = row["card_id"] as? String, let key = row["external_id"] as? String,
                      cardKeys[id] == key else { mismatches += 1; continue }
                if row["outcome"] as? String == "created" { createdHere += 1 }
            }
            #expect(mismatches == 0, "run \(index): \(mismatches) rows whose card is not in the store under their key")
            #expect(createdHere == counts["created"])
            // The report agrees with the store's record of the upload.
            let id = try #require(report["upload_id"] as? String)
            #expect(try store.rows("SELECT status, rows, created, replayed FROM uploads WHERE id = ?", [id]).first
                    == ["completed", String(perRun), String(counts["created"] ?? -1), String(counts["replayed"] ?? -1)])
            #expect(try store.count("SELECT count(*) FROM cards WHERE upload_seq = (SELECT seq FROM uploads WHERE id = ?)", [id])
                    == counts["created"])
        }
        #expect(created == distinct, "each key created by exactly one run")
        #expect(created + replayed == perRun * runs)
        #expect(replayed > 0)
        // The four really ran at once: every one started before any finished.
        #expect(starts.max()! < ends.min()!, "no common moment: starts \(starts), ends \(ends)")
    }
}
