import CardUploadStore

/// The card store a load writes to: opened (created and migrated) for each file, or, for a dry run, one
/// connection and one transaction for every file of the run, so a later file sees what earlier files would
/// have written, all rolled back at the end (SPEC §5: nothing recorded).
package final class LoadStore {
    /// The store's path.
    package let path: String
    private let dryRun: Bool
    /// `--cache-size`, in MiB: the page cache of a load's connection (else `PageCache` sizes it to the store).
    private let cacheMiB: Int?
    private var opened: Database?
    /// Set when an opening made the card store (a new database); the caller says so once.
    package private(set) var created = false
    /// What the last `database()` did to a store an earlier release made (nil when nothing), until the file's
    /// `UploadJob` takes it (`takeUpgrade`): a later file that fails before opening the store has none.
    private var lastUpgrade: StoreUpgrade?

    package init(path: String, dryRun: Bool, cacheMiB: Int? = nil) {
        self.path = path
        self.dryRun = dryRun
        self.cacheMiB = cacheMiB
    }

    /// A connection for the next file: a new one, or the dry run's shared one inside its transaction
    /// (reopened if a database error ended it, so nothing that follows is ever written for real). Its memory is
    /// sized for the store the file makes (`expectedRows`, the file's rows when its size is known) and for its
    /// kind (`leadCards`: a Lead file's cards take two entries of the key index each).
    package func database(expectedRows: Int64? = nil, leadCards: Bool = false) throws -> Database {
        lastUpgrade = nil
        guard dryRun else {
            let (database, created, upgrade) = try StoreOpening.openForWriting(path)
            if created { self.created = true }
            lastUpgrade = upgrade
            try PageCache.sizeForLoad(database, requestedMiB: cacheMiB, expectedRows: expectedRows, leadCards: leadCards)
            return database
        }
        if let opened, opened.isInTransaction { return opened }
        opened = nil
        let database = try StoreOpening.openForDryRun(path)
        try PageCache.sizeForLoad(database, requestedMiB: cacheMiB, expectedRows: expectedRows, leadCards: leadCards)
        opened = database
        return database
    }

    /// The upgrade the last opening made, once.
    func takeUpgrade() -> StoreUpgrade? {
        defer { lastUpgrade = nil }
        return lastUpgrade
    }

    /// A read-only connection (reconcile): never creates or migrates the store; a missing one is exit 66.
    package func readOnlyDatabase() throws -> Database {
        try StoreOpening.openReadOnly(path)
    }

    /// Rolls a dry run's transaction back.
    package func discard() {
        opened?.rollback()
        opened = nil
    }
}
