import CardUploadStore
import Foundation

/// Opens the card store the way each command needs it (SPEC §1): `process` and `cards set-status` create
/// and migrate it; the other commands open it read-only and never create it.
enum StoreAccess {
    /// `--db`, else `$CARD_UPLOAD_DB`, else `./cards.sqlite`.
    static func path(_ arguments: ParsedArguments) -> String {
        arguments.value("db") ?? ProcessInfo.processInfo.environment["CARD_UPLOAD_DB"] ?? "cards.sqlite"
    }

    /// Opens for writing: created when missing, migrated forward, abandoned uploads marked `interrupted`.
    static func openForWriting(_ path: String) throws -> Database {
        let database = try Database(path: path, mode: .readWriteCreate)
        try Schema.migrate(database)
        try UploadLog(database: database).markAbandonedUploads()
        return database
    }

    /// Opens read-only; a missing file is exit 66.
    static func openReadOnly(_ path: String) throws -> Database {
        guard FileManager.default.fileExists(atPath: path) else { throw DatabaseMissingError(path: path) }
        let database = try Database(path: path, mode: .readOnly)
        try Schema.checkReadable(database)
        return database
    }
}
