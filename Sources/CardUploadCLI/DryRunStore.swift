import CardUploadStore

/// The store of a dry run: one connection and one transaction for every file of the run, so a later file
/// sees what earlier files would have written, all rolled back at the end (SPEC §5: nothing recorded).
final class DryRunStore {
    private let path: String
    private var opened: Database?

    init(path: String) {
        self.path = path
    }

    /// The shared connection, inside the run's transaction (opened on first use; reopened if a database
    /// error ended it, so nothing that follows is ever written for real).
    func database() throws -> Database {
        if let opened, opened.isInTransaction { return opened }
        opened = nil
        let database = try StoreAccess.openForDryRun(path)
        opened = database
        return database
    }

    /// Rolls everything back.
    func discard() {
        opened?.rollback()
        opened = nil
    }
}
