/// `card-upload reconcile FILE`: compare a file with the store, change nothing (SPEC §7).
///
/// STUB — the reconcile helper replaces this file.
enum ReconcileCommand {
    static func run(_ words: ArraySlice<String>, console: Console) throws -> ExitCode {
        throw UsageError(message: "reconcile is not available in this version yet", command: nil)
    }
}
