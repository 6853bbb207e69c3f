import CSQLite
@testable import CardUploadStore
import Foundation
import Testing

/// SPEC §5, one store under one name: the checks `StoreFile` makes before SQLite opens a store.
@Suite struct StoreFileTests {
    /// A fresh folder holding a migrated store `cards.sqlite`, closed again (no `-wal` left).
    private func makeStore() throws -> (folder: String, db: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("storefile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let db = folder + "/cards.sqlite"
        do {
            let database = try Database(path: db, mode: .readWriteCreate)
            try Schema.migrate(database)
        }
        #expect(!FileManager.default.fileExists(atPath: db + "-wal"))
        return (folder, db)
    }

    private func remove(_ folder: String) {
        chmod(folder, 0o700)
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func openError(_ path: String, _ mode: Database.Mode) -> DatabaseError? {
        #expect(throws: DatabaseError.self) { _ = try Database(path: path, mode: mode) }
    }

    // MARK: Hard links

    @Test func aStoreWithASecondNameIsRefusedThroughEitherNameInEveryMode() throws {
        let (folder, db) = try makeStore()
        defer { remove(folder) }
        let other = folder + "/other.sqlite"
        try #require(link(db, other) == 0)
        for name in [db, other] {
            for mode in [Database.Mode.readWriteCreate, .readOnly] {
                let error = openError(name, mode)
                #expect(error?.message.contains(name) == true, "\(String(describing: error))")
                #expect(error?.message.contains("2 names") == true)
                #expect(error?.message.contains("remove the other name") == true)
                #expect(error?.primaryCode == SQLITE_CANTOPEN)
            }
        }
        // Refused before SQLite opened anything: no WAL, shared memory or journal beside either name.
        for name in [db, other] {
            for suffix in StoreFile.companionSuffixes {
                #expect(!FileManager.default.fileExists(atPath: name + suffix), "\(name + suffix)")
            }
        }
        // One name again: opened as before.
        try #require(unlink(other) == 0)
        _ = try Database(path: db, mode: .readOnly)
    }

    /// `--db` naming a folder said "read-only for this user (Is a directory)" when creating (an outside
    /// tester's finding): it says the path is a folder and names a file in it, in every mode.
    @Test func aFolderNamedAsTheDatabaseIsCalledAFolder() throws {
        let (folder, _) = try makeStore()
        defer { remove(folder) }
        for mode in [Database.Mode.readWriteCreate, .readWrite, .readOnly] {
            let error = openError(folder, mode)
            #expect(error?.message == "the database \(folder) is a folder: name a file in it (\(folder)/cards.sqlite)",
                    "\(mode): \(String(describing: error))")
            #expect(error?.message.contains("read-only") == false)
            #expect(error?.primaryCode == SQLITE_CANTOPEN)
        }
    }

    @Test func aDatabaseThatIsNotARegularFileIsRefusedWithoutBlocking() throws {
        let (folder, _) = try makeStore()
        defer { remove(folder) }
        let fifo = folder + "/fifo.sqlite"
        try #require(mkfifo(fifo, 0o600) == 0)
        for mode in [Database.Mode.readWriteCreate, .readOnly] {
            let error = openError(fifo, mode)
            #expect(error?.message.contains("not a regular file") == true, "\(String(describing: error))")
        }
    }

    // MARK: The real path

    @Test func everySpellingOfAStoreOpensItsRealPath() throws {
        let (folder, db) = try makeStore()
        defer { remove(folder) }
        let real = try #require(realpath(db, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        })
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: folder + "/relative.sqlite", withDestinationPath: "cards.sqlite")
        try FileManager.default.createSymbolicLink(atPath: folder + "/sub/absolute.sqlite", withDestinationPath: db)
        try FileManager.default.createSymbolicLink(atPath: folder + "/linked-folder", withDestinationPath: folder + "/sub")
        let spellings = [
            db, folder + "/./cards.sqlite", folder + "/sub/../cards.sqlite", folder + "/relative.sqlite",
            folder + "/sub/absolute.sqlite", folder + "/linked-folder/absolute.sqlite",
        ]
        for spelling in spellings {
            let database = try Database(path: spelling, mode: .readWriteCreate)
            #expect(database.realPath == real, "\(spelling)")
            #expect(database.path == spelling)
            // SQLite's own files are beside the real name, not the link.
            try database.execute("CREATE TABLE IF NOT EXISTS probe (x)")
            #expect(FileManager.default.fileExists(atPath: real + "-wal"), "\(spelling)")
        }
        for link in ["/relative.sqlite", "/sub/absolute.sqlite"] {
            #expect(!FileManager.default.fileExists(atPath: folder + link + "-wal"))
        }
    }

    @Test func aRunningUploadOpenedThroughALinkIsLiveThroughTheRealName() throws {
        let (folder, db) = try makeStore()
        defer { remove(folder) }
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.sqlite", withDestinationPath: "cards.sqlite")
        var owner: (Database, UploadLog)? = try {
            let database = try Database(path: folder + "/link.sqlite", mode: .readWriteCreate)
            return (database, UploadLog(database: database))
        }()
        try owner?.1.begin(
            id: "upload_live", file: "a.csv", startedAt: "now", dryRun: false, format: "csv", delimiter: ",",
            encoding: "utf-8", compression: "none")
        #expect(FileManager.default.fileExists(atPath: db + "-uploads.lock"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/link.sqlite-uploads.lock"))

        // Another connection through the real name (an open file description of its own, as another
        // process would have) sees the owner's lock: the upload is live, left alone.
        let other = try Database(path: db, mode: .readWriteCreate)
        let otherLog = UploadLog(database: other)
        #expect(try otherLog.markAbandonedUploads() == [])
        #expect(try otherLog.upload(id: "upload_live")?.status == .running)
        let reader = UploadLog(database: try Database(path: folder + "/./cards.sqlite", mode: .readOnly))
        #expect(try reader.upload(id: "upload_live")?.status == .running)

        // The owner gone (its lock file closed), the same check marks it.
        owner = nil
        #expect(try otherLog.markAbandonedUploads() == ["upload_live"])
    }

    // MARK: -wal, -shm and -journal

    enum Companion: CaseIterable, Sendable {
        case foreignOwner, groupReadable, otherWritable, symbolicLink, danglingLink, folder, fifo
    }

    @Test(arguments: StoreFile.companionSuffixes, Companion.allCases)
    func aCompanionFileSQLiteDidNotMakeForTheOwnerIsRefused(suffix: String, kind: Companion) throws {
        let (folder, db) = try makeStore()
        defer { remove(folder) }
        let companion = db + suffix
        switch kind {
        case .foreignOwner:
            try #require(FileManager.default.createFile(atPath: companion, contents: nil))
            try #require(chown(companion, 65534, 65534) == 0 && chmod(companion, 0o600) == 0)
        case .groupReadable:
            try #require(FileManager.default.createFile(atPath: companion, contents: nil))
            try #require(chmod(companion, 0o640) == 0)
        case .otherWritable:
            try #require(FileManager.default.createFile(atPath: companion, contents: nil))
            try #require(chmod(companion, 0o602) == 0)
        case .symbolicLink:
            try #require(FileManager.default.createFile(atPath: folder + "/target", contents: nil))
            try #require(chmod(folder + "/target", 0o600) == 0)
            try FileManager.default.createSymbolicLink(atPath: companion, withDestinationPath: folder + "/target")
        case .danglingLink:
            try FileManager.default.createSymbolicLink(atPath: companion, withDestinationPath: folder + "/nowhere")
        case .folder:
            try #require(mkdir(companion, 0o700) == 0)
        case .fifo:
            try #require(mkfifo(companion, 0o600) == 0)
        }
        var before = stat()
        try #require(lstat(companion, &before) == 0)
        for mode in [Database.Mode.readWriteCreate, .readOnly] {
            let error = openError(db, mode)
            #expect(error?.message.contains(companion) == true, "\(kind) \(suffix): \(String(describing: error))")
        }
        #expect(throws: DatabaseError.self) { try StoreFile.checkCompanions(of: db, databaseOwner: geteuid()) }
        // Left as it was: never followed, created through or changed.
        var after = stat()
        try #require(lstat(companion, &after) == 0)
        #expect(after.st_uid == before.st_uid && after.st_mode == before.st_mode && after.st_size == before.st_size)
        #expect(!FileManager.default.fileExists(atPath: folder + "/nowhere"))
    }

    @Test(arguments: StoreFile.companionSuffixes)
    func theOwnersOwnCompanionFilesAreAccepted(suffix: String) throws {
        let (folder, db) = try makeStore()
        defer { remove(folder) }
        try #require(FileManager.default.createFile(atPath: db + suffix, contents: nil))
        try #require(chmod(db + suffix, 0o600) == 0)
        try StoreFile.checkCompanions(of: db, databaseOwner: geteuid())
        _ = try Database(path: db, mode: .readOnly)
        // One owned by the database's owner (SQLite, run as root, gives its files to the database's owner).
        try #require(chown(db + suffix, 65534, 65534) == 0)
        try StoreFile.checkCompanions(of: db, databaseOwner: 65534)
        #expect(throws: DatabaseError.self) { try StoreFile.checkCompanions(of: db, databaseOwner: geteuid()) }
    }

    // MARK: Read-only media

    @Test func aStoreWhoseFolderCannotBeWrittenIsOpenedImmutableWhenItHasNoWAL() throws {
        let (folder, _) = try makeStore()
        defer { remove(folder) }
        // A name that needs escaping in a URI.
        let db = folder + "/a b?c#d%e\u{E9}.sqlite"
        do {
            let database = try Database(path: db, mode: .readWriteCreate)
            try Schema.migrate(database)
        }
        let readOnlyMedia: (String) -> Bool = { _ in false }
        let file = try StoreFile(path: db, create: false, readOnly: true, isFolderWritable: readOnlyMedia)
        #expect(file.isImmutable)
        #expect(file.sqliteName.hasPrefix("file:/") && file.sqliteName.hasSuffix("?mode=ro&immutable=1"))
        // SQLite opens that very file through the URI, and reads it without making anything beside it.
        var handle: OpaquePointer?
        defer { sqlite3_close_v2(handle) }
        try #require(sqlite3_open_v2(file.sqliteName, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nil) == SQLITE_OK)
        #expect(sqlite3_exec(handle, "SELECT count(*) FROM cards", nil, nil, nil) == SQLITE_OK)
        #expect(String(cString: sqlite3_db_filename(handle, "main")) == file.realPath)
        try file.confirmUnchanged()
        for suffix in ["-wal", "-shm"] { #expect(!FileManager.default.fileExists(atPath: db + suffix)) }

        // Not immutable: a writable folder, a store opened for writing, a store with a -wal (a load may be
        // writing it; its file alone is not the whole store).
        #expect(try !StoreFile(path: db, create: false, readOnly: true).isImmutable)
        #expect(try !StoreFile(path: db, create: true, readOnly: false, isFolderWritable: readOnlyMedia).isImmutable)
        try #require(FileManager.default.createFile(atPath: db + "-wal", contents: nil))
        try #require(chmod(db + "-wal", 0o600) == 0)
        #expect(try !StoreFile(path: db, create: false, readOnly: true, isFolderWritable: readOnlyMedia).isImmutable)
    }

    @Test func theImmutableURIEscapesEveryByteThatIsNotAPlainPathCharacter() {
        #expect(StoreFile.immutableURI("/srv/cards.sqlite") == "file:/srv/cards.sqlite?mode=ro&immutable=1")
        #expect(
            StoreFile.immutableURI("/m/a b?c#d%e\u{E9}&=.db")
                == "file:/m/a%20b%3Fc%23d%25e%C3%A9%26%3D.db?mode=ro&immutable=1")
    }
}
