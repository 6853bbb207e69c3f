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
}
