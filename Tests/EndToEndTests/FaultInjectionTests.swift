import Foundation
import Testing

/// Issue 7, "Faults, each tested": the database failing under a load (strace injects EIO / ENOSPC into
/// SQLite's syncs and writes), a database that cannot be written or is not ours, outputs that cannot be
/// written, SIGKILL at random points of a large load, and four loads at once. Every test first proves its
/// fault really happened (strace's `(INJECTED)`, `/dev/full` really written to, the process really killed
/// mid-load), then checks the outcome against SPEC §1 and §5. Serialized: timing-sensitive on 2 cores.
@Suite(.serialized) struct FaultInjectionTests {

    // MARK: - 1. The database's sync or write fails mid-load

    /// One injected fault: which system call, which error, once or from then on.
    struct DatabaseFault: CustomStringConvertible, Sendable {
        enum Call: Sendable { case sync, write }
        var call: Call
        var errno: String
        var persistent: Bool
        var description: String { "\(call == .sync ? "fsync/fdatasync" : "pwrite64") \(errno)\(persistent ? " from mid-load on" : " once")" }
    }

    static let databaseFaults: [DatabaseFault] = [
        DatabaseFault(call: .sync, errno: "EIO", persistent: true),
        DatabaseFault(call: .sync, errno: "ENOSPC", persistent: true),
        DatabaseFault(call: .write, errno: "EIO", persistent: true),
        DatabaseFault(call: .write, errno: "ENOSPC", persistent: true),
        DatabaseFault(call: .sync, errno: "EIO", persistent: false),
    ]

    @Test(arguments: databaseFaults)
    func theDatabaseFailingMidLoadIs74AndLosesNothingCommitted(fault: DatabaseFault) throws {
        try Fault.requireStrace()
        let folder = try TemporaryDirectory()
        let total = 12_000
        try folder.write("big.csv", Fault.rows(0..<total))
        let load = ["process", "big.csv", "--batch-size", "500", "--quiet"]

        // Which calls SQLite makes, and how many, for this very load (strace -c on a throw-away store).
        let summary = folder.path("summary.txt")
        let baseline = try Fault.runTraced(
            load + ["--db", "baseline.sqlite"], straceOptions: ["-c", "-e", "trace=fsync,fdatasync,pwrite64"],
            log: summary, in: folder.url)
        #expect(baseline.status == 0, "baseline: \(baseline.stderr)")
        let counts = try Fault.syscallCounts(summary)
        let syscall: String
        switch fault.call {
        case .sync: syscall = (counts["fdatasync"] ?? 0) >= (counts["fsync"] ?? 0) ? "fdatasync" : "fsync"
        case .write: syscall = "pwrite64"
        }
        let calls = counts[syscall] ?? 0
        // 24 batches: at least one sync per commit, many page writes.
        try #require(calls >= 20, "SQLite made \(calls) \(syscall) calls in the baseline: \(counts)")
        let when = calls / 2

        // The same load, the fault injected half-way through it.
        let db = folder.path("cards.sqlite")
        let log = folder.path("strace.log")
        let result = try Fault.runTraced(
            load + ["--db", db, "--report", "r.json"],
            straceOptions: ["-e", "trace=\(syscall)", "-e", "inject=\(syscall):error=\(fault.errno):when=\(when)\(fault.persistent ? "+" : "")"],
            log: log, in: folder.url)

        // The fault happened.
        let injected = try Fault.injectedLines(log)
        try #require(!injected.isEmpty, "strace injected nothing (is ptrace allowed?): \(result.stderr)")
        // A call another thread interrupted is logged in two parts; its injected half says `<... NAME resumed>`.
        #expect(injected.allSatisfy { ($0.contains("\(syscall)(") || $0.contains("\(syscall) resumed>")) && $0.contains(fault.errno) },
                "\(injected)")

        // Exit 74 and a message that says the database failed, and how.
        #expect(result.status == 74, "exit \(result.status): \(result.stderr)")
        let message = result.stderr.lowercased()
        #expect(message.contains("database"), "\(result.stderr)")
        if fault.errno == "ENOSPC" {
            #expect(message.contains("full") || message.contains("no space left"),
                    "a full disk should be named as such: \(result.stderr)")
        } else {
            #expect(message.contains("i/o error"), "\(result.stderr)")
        }

        // The store is sound, and holds exactly what its outcomes say was committed.
        let store = try StoreInspector(db)
        #expect(try store.value("PRAGMA integrity_check") == "ok")
        let cards = try store.count("SELECT count(*) FROM cards")
        let created = try store.count("SELECT count(*) FROM upload_outcomes WHERE outcome = 'created'")
        #expect(cards == created, "cards \(cards) vs rows recorded created \(created)")
        #expect(try store.count(
            "SELECT count(*) FROM upload_outcomes r LEFT JOIN cards c ON c.id = r.card_id WHERE r.outcome = 'created' AND c.id IS NULL") == 0)
        #expect(try store.count("SELECT count(*) FROM cards c WHERE NOT EXISTS (SELECT 1 FROM upload_outcomes r WHERE r.card_id = c.id)") == 0)
        #expect(cards > 0 && cards < total, "the fault was not mid-load: \(cards) of \(total) committed")
        // Committed rows are a prefix of the file (lines 2...n+1), and the upload's counts match them.
        if cards > 0 {
            #expect(try store.count("SELECT max(line) - min(line) + 1 FROM upload_outcomes") == cards)
        }
        let upload = try store.rows("SELECT status, rows, created FROM uploads")
        #expect(upload.count == 1)
        #expect(upload.first?[0] != "completed", "a load whose database failed is not completed: \(upload)")
        if upload.first?[0] != "running" {  // a run that could not write its end leaves `running` for the next writer
            #expect(upload.first?[1] == String(cards) && upload.first?[2] == String(cards), "\(upload) vs \(cards)")
        }
        // A report, if one was written at all, agrees with the store.
        if FileManager.default.fileExists(atPath: folder.path("r.json")) {
            let report = try readJSON(folder.path("r.json"))
            #expect((report["counts"] as? [String: Int])?["created"] == cards)
        }

        // A rerun without the fault completes the file: each key once.
        let rerun = try CardUploadBinary.run(load + ["--db", db, "--report", "rerun.json"], in: folder.url)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let rerunCounts = try #require(try readJSON(folder.path("rerun.json"))["counts"] as? [String: Int])
        #expect(rerunCounts["replayed"] == cards)
        #expect(rerunCounts["created"] == total - cards)
        #expect((rerunCounts["replayed"] ?? 0) + (rerunCounts["created"] ?? 0) == total)
        let after = try StoreInspector(db)
        #expect(try after.value("PRAGMA integrity_check") == "ok")
        #expect(try after.count("SELECT count(*) FROM cards") == total)
        #expect(try after.count("SELECT count(DISTINCT entity_id || '/' || external_id) FROM cards") == total)
        let statuses = try after.rows("SELECT status FROM uploads ORDER BY seq").map { $0[0] ?? "" }
        #expect(statuses.count == 2 && ["failed", "interrupted"].contains(statuses[0]) && statuses[1] == "completed", "\(statuses)")
    }

    // MARK: - 2. A database that cannot be written, is not a database, or is newer

    static let input = "external_id,account_id,entity_id,details.last_four\nk1,account_a,entity_e,0001\nk2,account_a,entity_e,0002\n"

    /// A folder everyone can enter holding an input everyone can read.
    static func publicFolder() throws -> (TemporaryDirectory, String) {
        let folder = try TemporaryDirectory()
        try Fault.chmod(folder.url.path, 0o755)
        let input = try folder.write("in.csv", Self.input)
        try Fault.chmod(input, 0o644)
        return (folder, input)
    }

    @Test func aReadOnlyDatabaseInAReadOnlyFolderIs74AndUnchanged() throws {
        try Fault.requireSetpriv()
        let (folder, input) = try Self.publicFolder()
        let storeFolder = folder.path("store")
        try FileManager.default.createDirectory(atPath: storeFolder, withIntermediateDirectories: false)
        let db = storeFolder + "/cards.sqlite"
        let seed = try folder.write("seed.csv", "external_id,account_id,entity_id,details.last_four\nk0,account_a,entity_e,0000\n")
        #expect(try CardUploadBinary.run(["process", seed, "--db", db, "--quiet"], in: folder.url).status == 0)
        // The store belongs to nobody, who may read it but not write it or its folder.
        try Fault.chownToNobody(storeFolder)
        try Fault.chmod(db, 0o444)
        try Fault.chmod(storeFolder, 0o555)
        let before = try Fault.snapshot(storeFolder)
        #expect(before.keys.contains("cards.sqlite"))

        let result = try CardUploadBinary.run(
            Fault.asNobody(["process", input, "--db", db]), in: folder.url, executable: Fault.setpriv)
        #expect(result.status == 74, "exit \(result.status): \(result.stderr)")
        let message = result.stderr.lowercased()
        #expect(message.contains("read-only") || message.contains("readonly"), "\(result.stderr)")
        #expect(try Fault.snapshot(storeFolder) == before, "the store folder changed")
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 1)
    }

    @Test func aFolderThatCannotHoldANewDatabaseIs74AndStaysEmpty() throws {
        try Fault.requireSetpriv()
        let (folder, input) = try Self.publicFolder()
        let locked = folder.path("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        try Fault.chmod(locked, 0o555)

        let result = try CardUploadBinary.run(
            Fault.asNobody(["process", input, "--db", locked + "/new.sqlite"]), in: folder.url, executable: Fault.setpriv)
        #expect(result.status == 74, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("new.sqlite"), "the message names the database: \(result.stderr)")
        let message = result.stderr.lowercased()
        #expect(
            ["permission denied", "not writable", "read-only", "readonly", "cannot create"].contains { message.contains($0) },
            "the message should say the database cannot be created there (permission), not only that it cannot be opened: \(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: locked).isEmpty)
    }

    @Test(arguments: ["random bytes", "text", "truncated SQLite header"])
    func aFileThatIsNotADatabaseIs74AndUnchanged(kind: String) throws {
        let folder = try TemporaryDirectory()
        let input = try folder.write("in.csv", Self.input)
        let storeFolder = folder.path("store")
        try FileManager.default.createDirectory(atPath: storeFolder, withIntermediateDirectories: false)
        var bytes: [UInt8]
        switch kind {
        case "random bytes": bytes = (0..<8192).map { _ in UInt8.random(in: 0...255) }
        case "text": bytes = Array("external_id,account_id\nthis is not a database\n".utf8)
        default: bytes = Array("SQLite format 3\u{0}".utf8) + [UInt8](repeating: 0xFF, count: 200)
        }
        let db = storeFolder + "/cards.sqlite"
        try Data(bytes).write(to: URL(fileURLWithPath: db))
        let before = try Fault.snapshot(storeFolder)

        let result = try CardUploadBinary.run(["process", input, "--db", db], in: folder.url)
        #expect(result.status == 74, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.lowercased().contains("not a database"), "\(result.stderr)")
        #expect(try Fault.snapshot(storeFolder) == before, "the file or its folder changed")
    }

    @Test func aDatabaseFromANewerSchemaIs74AndUnchanged() throws {
        let folder = try TemporaryDirectory()
        let input = try folder.write("in.csv", Self.input)
        let storeFolder = folder.path("store")
        try FileManager.default.createDirectory(atPath: storeFolder, withIntermediateDirectories: false)
        let db = storeFolder + "/cards.sqlite"
        let seed = try folder.write("seed.csv", "external_id,account_id,entity_id,details.last_four\nk0,account_a,entity_e,0000\n")
        #expect(try CardUploadBinary.run(["process", seed, "--db", db, "--quiet"], in: folder.url).status == 0)
        let ours = try #require(Int(try StoreInspector(db).value("PRAGMA user_version") ?? ""))
        try Fault.execute("PRAGMA user_version = \(ours + 1)", on: db)
        let before = try Fault.snapshot(storeFolder)
        #expect(before.keys.sorted().allSatisfy { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }, "\(before.keys)")

        let result = try CardUploadBinary.run(["process", input, "--db", db], in: folder.url)
        #expect(result.status == 74, "exit \(result.status): \(result.stderr)")
        let message = result.stderr.lowercased()
        #expect(message.contains("schema version \(ours + 1)") && message.contains("newer"), "\(result.stderr)")
        #expect(try Fault.snapshot(storeFolder) == before, "the file or its folder changed")
    }

    // MARK: - 3. Outputs that cannot be written

    /// An output option and the file name it gets.
    static let outputs: [(option: String, name: String)] = [("--report", "r.json"), ("--rejects", "rej.csv"), ("--results", "res.csv")]

    /// An input with rejected rows (every second one), so a rejects file has something to hold.
    static func outputInput(_ folder: TemporaryDirectory) throws -> String {
        try folder.write("in.csv", Fault.rows(0..<8_000, rejectEvery: 2))
    }

    /// Every row the store records as created has its card, and no card lacks its row.
    static func expectConsistent(_ store: StoreInspector, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try store.value("PRAGMA integrity_check") == "ok", sourceLocation: sourceLocation)
        #expect(
            try store.count("SELECT count(*) FROM cards")
                == store.count("SELECT count(*) FROM upload_outcomes WHERE outcome = 'created'"), sourceLocation: sourceLocation)
    }
}
