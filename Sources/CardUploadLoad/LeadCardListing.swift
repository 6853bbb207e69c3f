import CardUploadModel
import CardUploadReport
import CardUploadRules
import CardUploadStore

/// `cards list --format lead-card [--generated-at YYYY-MM-DD] [--updated-since DATE-TIME]` (SPEC §9): the
/// listed cards as Lead's daily card file; the cards left out for a missing Lead field are counted.
package struct LeadCardListing {
    /// The file's generated_at date, `YYYY-MM-DD` (default today, UTC).
    package var generatedAt: String
    /// Only cards changed since this UTC instant (normalised), when given.
    package var updatedSince: String?

    /// Reads the two options as given; an error says which is wrong and what it must be.
    package init(generatedAt: String?, updatedSince: String?) throws(LeadCardListingError) {
        self.generatedAt = String(Timestamp.now().prefix(10))
        if let generatedAt {
            guard LeadDateTime.isCalendarDate(generatedAt) else {
                throw LeadCardListingError(message: "--generated-at must be a date YYYY-MM-DD (got '\(generatedAt)')")
            }
            self.generatedAt = generatedAt
        }
        if let updatedSince {
            guard let instant = LeadDateTime.normalized(updatedSince) else {
                throw LeadCardListingError(
                    message: "--updated-since must be a date-time such as 2026-12-05T00:00:00Z (got '\(updatedSince)')")
            }
            self.updatedSince = instant
        }
    }

    /// Streams the Lead file of the store's cards matching `filter` through `emit`; returns the line that
    /// counts the cards left out, nil when none was.
    package func write(from database: Database, matching filter: CardStore.ListFilter, emit: (String) throws -> Void) throws -> String? {
        let leftOut = try LeadCardExport.write(
            from: CardExportReader(database: database), matching: filter, updatedSince: updatedSince,
            generatedAt: generatedAt, emit: emit)
        guard leftOut > 0 else { return nil }
        return "\(TerminalFormat.count(leftOut, "card")) left out: not every required Lead field is known"
            + " (cards a native upload created have none); list them with --format jsonl"
    }
}

/// `--generated-at` or `--updated-since` is not what it must be (a usage error).
package struct LeadCardListingError: Error {
    package var message: String
}
