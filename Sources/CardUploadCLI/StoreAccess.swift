import CardUploadLoad
import Foundation

/// Which card store a command uses (SPEC §1): `--db`, else `$CARD_UPLOAD_DB`, else `./cards.sqlite`.
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

    /// Whether `path` is the store at `database` or one of SQLite's files beside it (an output must not be).
    static func isStoreFile(_ path: String, database: String) -> Bool {
        ["", "-wal", "-shm", "-journal", "-uploads.lock"].contains { PathIdentity.same(database + $0, path) }
    }
}
