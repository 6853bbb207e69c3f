import CardUploadModel
import CardUploadReport
import CardUploadStore
import Foundation

/// Opens the card store the way each use case needs it (SPEC §1): a load creates and migrates it; the
/// commands that only read open it read-only and never create it.
package enum StoreOpening {
    /// An existing database file this user cannot read is exit 66, like a missing one.
    private static func checkReadable(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path), access(path, R_OK) != 0 {
            throw DatabaseUnreadableError(path: path, reason: SystemCall.errorText())
        }
    }

    /// Opens for writing: created when missing, migrated forward, abandoned uploads marked `interrupted`.
    /// `created` is true when this opening made the card store (a new database: the caller says so).
    package static func openForWriting(_ path: String) throws -> (database: Database, created: Bool, upgrade: StoreUpgrade?) {
        guard !path.isEmpty else { throw OptionConflictError(message: "--db needs a file path") }
        try checkReadable(path)
        let database = try Database(path: path, mode: .readWriteCreate)
        let work = try Schema.migrateReporting(database)
        var upgrade: StoreUpgrade?
        if !work.created, work.migratedFrom != nil || work.vacuumed {
            upgrade = StoreUpgrade(
                fromVersion: work.migratedFrom ?? Schema.currentVersion, toVersion: Schema.currentVersion,
                convertedToIncrementalVacuum: work.vacuumed, seconds: work.seconds)
        }
        try UploadLog(database: database).markAbandonedUploads()
        return (database, work.created, upgrade)
    }

    /// Opens an existing store for writing (`cards set-status`, `uploads prune`): a missing one is exit 66 and nothing is
    /// created; migrated forward, abandoned uploads marked `interrupted`.
    package static func openExistingForWriting(_ path: String) throws -> Database {
        guard !path.isEmpty else { throw OptionConflictError(message: "--db needs a file path") }
        guard FileManager.default.fileExists(atPath: path) else { throw DatabaseMissingError(path: path) }
        try checkReadable(path)
        let database = try Database(path: path, mode: .readWrite)
        try Schema.migrate(database)
        try UploadLog(database: database).markAbandonedUploads()
        return database
    }

    /// Opens the store for a dry run, which writes nothing: abandoned uploads are not marked, a store
    /// that does not exist is not created (an empty one in memory stands in for it), and one transaction is
    /// opened — every file of the run inside it, so later files see earlier ones — which the caller rolls
    /// back. A migration, if any, happens inside that transaction too and is rolled back with it.
    static func openForDryRun(_ path: String) throws -> Database {
        guard !path.isEmpty else { throw OptionConflictError(message: "--db needs a file path") }
        try checkReadable(path)
        let exists = FileManager.default.fileExists(atPath: path)
        let database = try Database(path: exists ? path : ":memory:", mode: .readWriteCreate)
        try database.beginWrite()
        try Schema.migrate(database)
        return database
    }

    /// Opens read-only; a missing file is exit 66.
    package static func openReadOnly(_ path: String) throws -> Database {
        guard FileManager.default.fileExists(atPath: path) else { throw DatabaseMissingError(path: path) }
        try checkReadable(path)
        let database = try Database(path: path, mode: .readOnly)
        try Schema.checkReadable(database)
        return database
    }
}

/// A command that only reads was pointed at a database that does not exist (exit 66).
package struct DatabaseMissingError: Error, CustomStringConvertible {
    package var path: String
    package var description: String { "database not found: \(path)" }
}

/// The database file exists but this user cannot read it (exit 66).
package struct DatabaseUnreadableError: Error, CustomStringConvertible {
    package var path: String
    package var reason: String
    package var description: String { "cannot read the database \(path): \(reason)" }
}

/// What opening a store for writing did to a store an earlier release made: its schema moved forward, and
/// maybe (once) the VACUUM into incremental auto-vacuum, which rewrites the whole file. Said once, apart from
/// the file's own time (a 5,000,000-card store took 41 s here).
package struct StoreUpgrade: Sendable, Equatable {
    package var fromVersion: Int32
    package var toVersion: Int32
    package var convertedToIncrementalVacuum: Bool
    package var seconds: Double

    /// `upgraded the card store PATH from schema 4 to 5 (rewritten for incremental auto-vacuum) in 41.2 s`.
    package func text(store: String) -> String {
        let schema = fromVersion < toVersion ? " from schema \(fromVersion) to \(toVersion)" : ""
        let rewritten = convertedToIncrementalVacuum ? " (rewritten once for incremental auto-vacuum)" : ""
        return "upgraded the card store \(store)\(schema)\(rewritten) in \(TerminalFormat.duration(seconds: seconds))"
    }
}
