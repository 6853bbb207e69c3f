import CardUploadStore
import Foundation

/// Opens the card store the way each command needs it (SPEC §1): `process` and `cards set-status` create
/// and migrate it; the other commands open it read-only and never create it.
enum StoreAccess {
    /// `--db`, else `$CARD_UPLOAD_DB` (an empty one counts as unset), else `./cards.sqlite`.
    static func path(_ arguments: ParsedArguments) -> String {
        if let given = arguments.value("db") { return given }
        if let environment = ProcessInfo.processInfo.environment["CARD_UPLOAD_DB"], !environment.isEmpty {
            return environment
        }
        return "cards.sqlite"
    }

    /// Refuses an empty `--db` (SQLite would quietly use a temporary database that vanishes).
    static func validate(_ arguments: ParsedArguments, command: String) throws(UsageError) {
        if arguments.value("db")?.isEmpty == true {
            throw UsageError(message: "--db needs a file path", command: command)
        }
    }

    /// An existing database file this user cannot read is exit 66, like a missing one.
    private static func checkReadable(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path), access(path, R_OK) != 0 {
            throw DatabaseUnreadableError(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Opens for writing: created when missing, migrated forward, abandoned uploads marked `interrupted`.
    static func openForWriting(_ path: String) throws -> Database {
        guard !path.isEmpty else { throw UsageError(message: "--db needs a file path", command: nil) }
        try checkReadable(path)
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        try UploadLog(database: database).markAbandonedUploads()
        return database
    }

    /// Opens the store for a dry run, which writes nothing: abandoned uploads are not marked, a store
    /// that does not exist is not created (an empty one in memory stands in for it), and the caller opens
    /// one transaction — every file of the run inside it, so later files see earlier ones — and rolls it
    /// back. A migration, if any, happens inside that transaction too and is rolled back with it.
    static func openForDryRun(_ path: String) throws -> Database {
        guard !path.isEmpty else { throw UsageError(message: "--db needs a file path", command: nil) }
        try checkReadable(path)
        let exists = FileManager.default.fileExists(atPath: path)
        let database = try Database(path: exists ? path : ":memory:", mode: .readWriteCreate)
        try database.execute("BEGIN IMMEDIATE")
        try Schema.migrate(database)
        return database
    }

    /// Opens read-only; a missing file is exit 66.
    static func openReadOnly(_ path: String) throws -> Database {
        guard FileManager.default.fileExists(atPath: path) else { throw DatabaseMissingError(path: path) }
        try checkReadable(path)
        let database = try Database(path: path, mode: .readOnly)
        try Schema.checkReadable(database)
        return database
    }
}

/// The database file exists but this user cannot read it (exit 66).
struct DatabaseUnreadableError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "cannot read the database \(path): \(reason)" }
}
