import CSQLite
import Foundation
import Testing

/// SPEC §5, one store under one name: a hard-linked store is refused by every command, every spelling of
/// a store sees the same running uploads, a `-wal` or `-shm` SQLite did not make for its owner is refused,
/// and a store on read-only media can be read. Serialized: two of these hold a load open on a pipe.
@Suite(.serialized) struct OneStoreOneNameTests {
    static let header = "external_id,account_id,entity_id,details.last_four\n"

    static func rows(_ prefix: String, _ range: Range<Int>) -> String {
        range.map { "\(prefix)\($0),account_a,entity_e,\(String(format: "%04d", $0))\n" }.joined()
    }

    /// A load of standard input held open by the test: it commits what it was given and waits for more.
    final class PipedLoad {
        let process = Process()
        let pipe = Pipe()

        init(db: String, in folder: TemporaryDirectory) throws {
            process.executableURL = CardUploadBinary.url
            process.arguments = ["process", "-", "--format", "csv", "--db", db, "--quiet"]
            process.currentDirectoryURL = folder.url
            process.standardInput = pipe
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        deinit { if process.isRunning { process.terminate() } }

        func send(_ text: String) { pipe.fileHandleForWriting.write(Data(text.utf8)) }

        /// Ends the input and waits for the exit status.
        func finish() throws -> Int32 {
            try pipe.fileHandleForWriting.close()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// Waits until `db` holds `cards` cards and a running upload (the piped load has committed its first rows).
    static func waitForRunningUpload(db: String, cards: Int) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let store = try? StoreInspector(db),
               (try? store.count("SELECT count(*) FROM cards")) == cards,
               (try? store.count("SELECT count(*) FROM uploads WHERE status = 'running'")) == 1 {
                return
            }
            usleep(20_000)
        }
        throw TestFailure("the piped load did not commit its first rows")
    }

    /// A file's owner, type and mode, and its bytes: to tell that nothing touched it.
    struct Fingerprint: Equatable {
        var owner: uid_t
        var mode: mode_t
        var bytes: Data
    }

    static func fingerprint(_ path: String) throws -> Fingerprint {
        var info = stat()
        try #require(lstat(path, &info) == 0, "\(path) is missing")
        return Fingerprint(owner: info.st_uid, mode: info.st_mode, bytes: FileManager.default.contents(atPath: path) ?? Data())
    }

    // MARK: 1. Hard links

    @Test func aHardLinkMadeDuringALoadIsRefusedByEveryCommandAndTheStoreStaysIntact() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let seed = try folder.write("seed.csv", Self.header + Self.rows("s", 0..<3))
        #expect(try CardUploadBinary.run(["process", seed, "--db", db, "--quiet"], in: folder.url).status == 0)

        // A load through the one name, holding its upload open.
        let load = try PipedLoad(db: db, in: folder)
        load.send(Self.header + Self.rows("a", 0..<2))
        try Self.waitForRunningUpload(db: db, cards: 5)

        // The store gets a second name while it runs; a second load through it must not start.
        let other = folder.path("other.sqlite")
        try #require(link(db, other) == 0)
        let second = try folder.write("second.csv", Self.header + Self.rows("b", 0..<50))
        let refused = try CardUploadBinary.run(["process", second, "--db", other], in: folder.url)
        #expect(refused.status == 74, "\(refused.stderr)")
        #expect(refused.stderr.contains(other) && refused.stderr.contains("remove the other name"), "\(refused.stderr)")
        // Nothing was opened under the second name: SQLite would have made a second WAL there.
        for suffix in ["-wal", "-shm", "-journal", "-uploads.lock"] {
            #expect(!FileManager.default.fileExists(atPath: other + suffix), "\(suffix) made beside the second name")
        }
        // Every command refuses either name, the read-only ones too.
        let cardID = try #require(try StoreInspector(db).value("SELECT id FROM cards LIMIT 1"))
        let uploadID = try #require(try StoreInspector(db).value("SELECT id FROM uploads LIMIT 1"))
        for name in [db, "other.sqlite"] {
            for arguments in [
                ["process", second], ["process", second, "--dry-run"], ["cards", "list"], ["cards", "get", cardID],
                ["cards", "find", "--entity", "entity_e", "--external-id", "s0"], ["cards", "set-status", cardID, "inactive", "--reason", "lost"],
                ["uploads", "list"], ["uploads", "show", uploadID], ["reconcile", seed],
            ] {
                let result = try CardUploadBinary.run(arguments + ["--db", name], in: folder.url)
                #expect(result.status == 74, "\(arguments) --db \(name): \(result.stderr)")
                #expect(result.stderr.contains(name), "\(arguments): \(result.stderr)")
            }
        }

        // The first load goes on and finishes; nothing of the refused runs is in the store.
        load.send(Self.rows("a", 2..<4))
        #expect(try load.finish() == 0)
        try #require(unlink(other) == 0)
        let store = try StoreInspector(db)
        #expect(try store.value("PRAGMA integrity_check") == "ok")
        #expect(try store.count("SELECT count(*) FROM cards") == 7)
        #expect(try store.count("SELECT count(*) FROM cards WHERE external_id LIKE 'b%'") == 0)
        #expect(try store.count("SELECT count(*) FROM cards WHERE status = 'active'") == 7)
        #expect(try store.rows("SELECT status FROM uploads ORDER BY seq") == [["completed"], ["completed"]])
        // With one name again, the store is used as before.
        #expect(try CardUploadBinary.run(["process", second, "--db", db, "--quiet"], in: folder.url).status == 0)
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 57)
    }

    // MARK: 2. Symbolic links and other spellings

    @Test func aLoadThroughTheRealNameLeavesALiveUploadThroughASymbolicLinkAlone() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let seed = try folder.write("seed.csv", Self.header + Self.rows("s", 0..<3))
        #expect(try CardUploadBinary.run(["process", seed, "--db", db, "--quiet"], in: folder.url).status == 0)
        try FileManager.default.createSymbolicLink(atPath: folder.path("link.sqlite"), withDestinationPath: "cards.sqlite")

        // The first load goes through the link (a relative one), and holds its upload open on a pipe.
        let load = try PipedLoad(db: "link.sqlite", in: folder)
        load.send(Self.header + Self.rows("a", 0..<2))
        try Self.waitForRunningUpload(db: db, cards: 5)
        let running = try #require(try StoreInspector(db).value("SELECT id FROM uploads WHERE status = 'running'"))

        // A second load through the real name, absolute, and a reader through `./`: both see the first
        // upload as live (its lock is found through the store's real path, whatever the spelling).
        let second = try folder.write("second.csv", Self.header + Self.rows("b", 0..<5))
        let result = try CardUploadBinary.run(["process", second, "--db", db], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try StoreInspector(db).value("SELECT status FROM uploads WHERE id = ?", [running]) == "running")
        let shown = try CardUploadBinary.run(["uploads", "show", running, "--db", "./cards.sqlite"], in: folder.url)
        #expect(try parseJSON(shown.stdout)["status"] as? String == "running", "\(shown.stdout) \(shown.stderr)")
        // One lock file, beside the real name.
        #expect(!FileManager.default.fileExists(atPath: folder.path("link.sqlite-uploads.lock")))
        #expect(!FileManager.default.fileExists(atPath: folder.path("link.sqlite-wal")))

        load.send(Self.rows("a", 2..<4))
        #expect(try load.finish() == 0)
        let store = try StoreInspector(db)
        #expect(try store.value("SELECT status FROM uploads WHERE id = ?", [running]) == "completed")
        #expect(try store.count("SELECT count(*) FROM cards") == 12)
        #expect(try store.value("PRAGMA integrity_check") == "ok")
    }

    // MARK: 3. A -wal or -shm the store's owner did not make

    enum Planted: String, CaseIterable, Sendable {
        case foreignWAL, openWAL, foreignSHM, openSHM, linkedWAL

        var suffix: String { self == .foreignSHM || self == .openSHM ? "-shm" : "-wal" }
    }

    @Test(arguments: Planted.allCases)
    func aPlantedCompanionFileIsRefusedBeforeAnyCardIsWritten(_ planted: Planted) throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let seed = try folder.write("seed.csv", Self.header + Self.rows("s", 0..<3))
        #expect(try CardUploadBinary.run(["process", seed, "--db", db, "--quiet"], in: folder.url).status == 0)
        // The load closed the store cleanly: no WAL is left (this test's own files are the planted ones).
        for suffix in ["-wal", "-shm"] { try #require(!FileManager.default.fileExists(atPath: db + suffix)) }

        let companion = db + planted.suffix
        switch planted {
        case .foreignWAL, .foreignSHM:
            // Another user's, owner-only, as one who can write the store's folder would leave it.
            try #require(FileManager.default.createFile(atPath: companion, contents: nil))
            try #require(chown(companion, Fault.nobody, Fault.nobody) == 0)
            try #require(chmod(companion, 0o600) == 0)
        case .openWAL, .openSHM:
            try #require(FileManager.default.createFile(atPath: companion, contents: nil))
            try #require(chmod(companion, 0o644) == 0)
        case .linkedWAL:
            let target = try folder.write("elsewhere", "")
            try #require(chmod(target, 0o600) == 0)
            try FileManager.default.createSymbolicLink(atPath: companion, withDestinationPath: target)
        }
        var owner = stat()
        try #require(lstat(companion, &owner) == 0)
        if planted == .foreignWAL || planted == .foreignSHM { try #require(owner.st_uid == Fault.nobody) }
        let databaseBefore = try Self.fingerprint(db)
        let companionBefore = try Self.fingerprint(companion)

        let input = try folder.write("a.csv", Self.header + Self.rows("a", 0..<5))
        for arguments in [["process", input, "--db", db], ["cards", "list", "--db", db], ["uploads", "list", "--db", db]] {
            let result = try CardUploadBinary.run(arguments, in: folder.url)
            #expect(result.status == 74, "\(planted) \(arguments): \(result.stderr)")
            #expect(result.stderr.contains(companion), "\(planted): \(result.stderr)")
        }
        // Nothing was written: the database and the planted file are as they were.
        #expect(try Self.fingerprint(db) == databaseBefore)
        #expect(try Self.fingerprint(companion) == companionBefore)
        if planted == .linkedWAL {
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder.path("elsewhere"))).isEmpty)
        }
        try FileManager.default.removeItem(atPath: companion)
        let store = try StoreInspector(db)
        #expect(try store.count("SELECT count(*) FROM cards") == 3)
        #expect(try store.count("SELECT count(*) FROM uploads") == 1)
    }

    @Test func aWALLeftByTheStoresOwnLoadIsStillUsed() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let seed = try folder.write("seed.csv", Self.header + Self.rows("s", 0..<3))
        #expect(try CardUploadBinary.run(["process", seed, "--db", db, "--quiet"], in: folder.url).status == 0)
        // A reader that stays open keeps the WAL and -shm there, the owner's own (0600).
        let reader = try StoreInspector(db)
        _ = try reader.rows("SELECT count(*) FROM cards")
        let input = try folder.write("a.csv", Self.header + Self.rows("a", 0..<5))
        let result = try CardUploadBinary.run(["process", input, "--db", db, "--quiet"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: db + "-wal"))
        let listed = try CardUploadBinary.run(["cards", "list", "--db", db], in: folder.url)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.split(separator: "\n").count == 8)
    }

    // MARK: 4. Read-only media

    @Test func aStoreOnReadOnlyMediaIsReadByEveryReadOnlyCommand() throws {
        try Fault.requireSetpriv()
        let folder = try TemporaryDirectory()
        let media = folder.path("media")
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: false)
        let db = media + "/cards.sqlite"
        let seed = try folder.write("seed.csv", Self.header + Self.rows("s", 0..<3))
        #expect(try CardUploadBinary.run(["process", seed, "--db", db, "--quiet"], in: folder.url).status == 0)
        let (cardID, uploadID) = try {
            let inspector = try StoreInspector(db)
            return (
                try #require(try inspector.value("SELECT id FROM cards WHERE external_id = 's1'")),
                try #require(try inspector.value("SELECT id FROM uploads")))
        }()
        // The store as it would be on read-only media: nobody's, with nothing writable, and no WAL.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let names = try FileManager.default.contentsOfDirectory(atPath: media).sorted()
        for name in names {
            try #require(chown(media + "/" + name, Fault.nobody, Fault.nobody) == 0)
            try #require(chmod(media + "/" + name, 0o400) == 0)
        }
        try #require(chown(media, Fault.nobody, Fault.nobody) == 0)
        try #require(chmod(media, 0o500) == 0)
        try #require(chmod(seed, 0o644) == 0)
        defer { chmod(media, 0o700) }

        func asNobody(_ arguments: [String]) throws -> CardUploadBinary.Result {
            try CardUploadBinary.run(Fault.asNobody(arguments + ["--db", db]), in: folder.url, executable: Fault.setpriv)
        }
        // The folder really is read-only for that user.
        let probe = try CardUploadBinary.run(
            ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/touch", media + "/probe"],
            in: folder.url, executable: Fault.setpriv)
        try #require(probe.status != 0, "nobody can write the folder: the test proves nothing")

        let list = try asNobody(["cards", "list"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.split(separator: "\n").count == 3)
        let get = try asNobody(["cards", "get", cardID])
        #expect(get.status == 0 && get.stdout.contains("\"external_id\":\"s1\""), "\(get.stderr)")
        let find = try asNobody(["cards", "find", "--entity", "entity_e", "--external-id", "s2"])
        #expect(find.status == 0 && find.stdout.contains("\"external_id\":\"s2\""), "\(find.stderr)")
        let uploads = try asNobody(["uploads", "list"])
        #expect(uploads.status == 0 && uploads.stdout.contains(uploadID), "\(uploads.stderr)")
        let show = try asNobody(["uploads", "show", uploadID])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(try parseJSON(show.stdout)["status"] as? String == "completed")
        let reconcile = try asNobody(["reconcile", seed])
        #expect(reconcile.status == 0, "\(reconcile.stdout) \(reconcile.stderr)")
        // Nothing was made on the media, and a load there is still refused (74), not attempted.
        #expect(try FileManager.default.contentsOfDirectory(atPath: media).sorted() == names)
        let load = try asNobody(["process", seed])
        #expect(load.status == 74 || load.status == 66, "\(load.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: media).sorted() == names)
    }
}
