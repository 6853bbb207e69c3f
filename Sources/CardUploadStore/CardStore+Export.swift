/// The reads of a CSV export (`cards list --format csv`, SPEC §8): two passes over the same snapshot of the
/// store — the metadata of the listed cards first (for the header's `metadata.<key>` columns), then the cards.
package final class CardExportReader {
    let database: Database
    private let store: CardStore

    package init(database: Database) {
        self.database = database
        self.store = CardStore(database: database)
    }

    /// Runs `body` inside one read transaction, so every pass sees the same cards even while a load commits.
    package func readSnapshot<T>(_ body: () throws -> T) throws -> T {
        try database.readSnapshot(body)
    }

    /// Streams the stored metadata JSON (compact, sorted keys) of the cards matching `filter` that have any,
    /// as bytes, without making a `String` per card.
    ///
    /// It filters with `ListFilter.sql`, as `CardStore.forEachCard` does.
    package func forEachMetadataJSON(
        matching filter: CardStore.ListFilter, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws {
        let (whereClause, values) = filter.sql(and: ["metadata <> '{}'"])
        let statement = try database.prepare(
            "SELECT metadata FROM cards WHERE " + whereClause)
        try statement.forEachRow(values) { row in
            let handled: Result<Void, any Error> = row.withTextBytes(0) { bytes in Result { try body(bytes) } }
            try handled.get()
        }
    }

    /// Streams the cards matching `filter`, oldest first (as `cards list`).
    package func forEachCard(matching filter: CardStore.ListFilter, _ body: (Card) throws -> Void) throws {
        try store.forEachCard(matching: filter, body)
    }
}
