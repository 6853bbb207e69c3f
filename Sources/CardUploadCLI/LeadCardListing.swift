import CardUploadLoad
import CardUploadModel
import CardUploadReport
import CardUploadRules
import CardUploadStore

/// `cards list --format lead-card [--generated-at YYYY-MM-DD] [--updated-since DATE-TIME]` (SPEC §9): the
/// listed cards as Lead's daily card file on stdout; the cards left out for a missing Lead field are
/// counted on stderr.
struct LeadCardListing {
    let arguments: ParsedArguments
    let command: String

    func run(filter: CardStore.ListFilter, console: Console) throws -> ExitCode {
        var generatedAt = String(Timestamp.now().prefix(10))
        if let given = arguments.value("generated-at") {
            guard LeadDateTime.isCalendarDate(given) else {
                throw UsageError(message: "--generated-at must be a date YYYY-MM-DD (got '\(given)')", command: command)
            }
            generatedAt = given
        }
        var updatedSince: String?
        if let given = arguments.value("updated-since") {
            guard let instant = LeadDateTime.normalized(given) else {
                throw UsageError(
                    message: "--updated-since must be a date-time such as 2026-12-05T00:00:00Z (got '\(given)')",
                    command: command)
            }
            updatedSince = instant
        }
        let database = try StoreOpening.openReadOnly(StoreAccess.path(arguments))
        let reader = CardExportReader(database: database)
        var leftOut = 0
        try StandardOutput().stream { emit in
            leftOut = try LeadCardExport.write(
                from: reader, matching: filter, updatedSince: updatedSince, generatedAt: generatedAt, emit: emit)
        }
        if leftOut > 0 {
            console.err(
                "\(TerminalFormat.count(leftOut, "card")) left out: not every required Lead field is known (cards a native upload created have none);"
                    + " list them with --format jsonl\n")
        }
        return .success
    }
}
