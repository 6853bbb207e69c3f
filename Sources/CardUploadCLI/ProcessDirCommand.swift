/// `card-upload process-dir INBOX`: load every upload file waiting in a folder (cron), SPEC §1.
///
/// STUB — the process-dir helper replaces this file.
enum ProcessDirCommand {
    static func run(_ words: ArraySlice<String>, console: Console) throws -> ExitCode {
        throw UsageError(message: "process-dir is not available in this version yet", command: nil)
    }
}
