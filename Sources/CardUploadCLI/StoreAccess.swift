import CardUploadLoad
import CardUploadStore
import Foundation

/// Which card store a command uses (SPEC §1): `--db`, else `$CARD_UPLOAD_DB`, else `./cards.sqlite`.
enum StoreAccess {
    /// The store the running command chose, for error messages that reach `CardUploadCLI.report` (SPEC §10:
    /// errors about the database name the database).
    nonisolated(unsafe) private(set) static var inUse: String?

    /// `--db`, else `$CARD_UPLOAD_DB` (an empty one counts as unset), else `./cards.sqlite`.
    static func path(_ arguments: ParsedArguments) -> String {
        let chosen: String
        if let given = arguments.value("db") {
            chosen = given
        } else if let environment = ProcessInfo.processInfo.environment["CARD_UPLOAD_DB"], !environment.isEmpty {
            chosen = environment
        } else {
            chosen = "./cards.sqlite"
        }
        inUse = chosen
        return chosen
    }

    /// Refuses an empty `--db` (SQLite would quietly use a temporary database that vanishes).
    static func validate(_ arguments: ParsedArguments, command: String) throws(UsageError) {
        if arguments.value("db")?.isEmpty == true {
            throw UsageError(message: "--db needs a file path", command: command)
        }
    }

    /// Whether `error` is the store's (it failed, is busy, or is from a newer release), not the input's.
    static func isStoreError(_ error: any Error) -> Bool {
        error is DatabaseError || error is NewerSchemaError
    }

    /// A store error that names the store: `database ./cards.sqlite: disk I/O error` (a message that
    /// already names it is left as it is).
    static func describe(_ error: any Error, store: String) -> String {
        let text = (error as? DatabaseError)?.message ?? describeFailure(error)
        return text.contains(store) ? text : "database \(store): \(text)"
    }
}
