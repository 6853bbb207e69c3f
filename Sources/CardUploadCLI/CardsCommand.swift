import CardUploadModel
import CardUploadLoad
import CardUploadReport
import CardUploadStore

/// `card-upload cards get|find|list|set-status`.
enum CardsCommand {
    /// Runs `cards SUB` with its parsed arguments.
    static func run(_ sub: String, _ arguments: ParsedArguments, console: Console) throws -> ExitCode {
        let command = "cards \(sub)"
        switch sub {
        case "get":
            let id = try arguments.single("CARD_ID", command: command)
            let store = CardStore(database: try StoreOpening.openReadOnly(StoreAccess.path(arguments)))
            guard let card = try store.card(id: id) else {
                throw NotFoundError(what: id)
            }
            console.out(CardJSON.render(card) + "\n")
            return .success
        case "find":
            try arguments.expectNoPositionals(command: command)
            guard let entity = arguments.value("entity"), let externalID = arguments.value("external-id") else {
                throw UsageError(message: "--entity and --external-id are both required", command: command)
            }
            let store = CardStore(database: try StoreOpening.openReadOnly(StoreAccess.path(arguments)))
            guard let card = try store.card(entityID: entity, externalID: externalID) else {
                throw NotFoundError(what: "\(entity) / \(externalID)")
            }
            console.out(CardJSON.render(card) + "\n")
            return .success
        case "list":
            try arguments.expectNoPositionals(command: command)
            var filter = CardStore.ListFilter(
                entityID: arguments.value("entity"), accountID: arguments.value("account"),
                uploadID: arguments.value("upload"))
            if let status = arguments.value("status") {
                guard let parsed = CardStatus(rawValue: status) else {
                    throw UsageError(message: "--status must be active, inactive, closed or expired (got '\(status)')", command: command)
                }
                filter.status = parsed
            }
            let format = arguments.value("format") ?? "jsonl"
            guard format == "jsonl" || format == "csv" || format == "lead-card" else {
                throw UsageError(message: "--format must be jsonl, csv or lead-card (got '\(format)')", command: command)
            }
            if format != "lead-card", let option = ["generated-at", "updated-since"].first(where: { arguments.value($0) != nil }) {
                throw UsageError(message: "--\(option) applies to --format lead-card only", command: command)
            }
            let lead: LeadCardListing?
            do {
                lead = format == "lead-card"
                    ? try LeadCardListing(generatedAt: arguments.value("generated-at"), updatedSince: arguments.value("updated-since")) : nil
            } catch {
                throw UsageError(message: error.message, command: command)
            }
            let database = try StoreOpening.openReadOnly(StoreAccess.path(arguments))
            let stdout = StandardOutput()
            if let lead {
                var leftOut: String?
                try stdout.stream { emit in leftOut = try lead.write(from: database, matching: filter, emit: emit) }
                if let leftOut { console.err(leftOut + "\n") }
                return .success
            }
            if format == "csv" {
                let reader = CardExportReader(database: database)
                try stdout.stream { emit in try CardCSVExport.write(from: reader, matching: filter, emit: emit) }
                return .success
            }
            let store = CardStore(database: database)
            try stdout.stream { emit in
                try store.forEachCard(matching: filter) { card in try emit(CardJSON.render(card) + "\n") }
            }
            return .success
        case "set-status":
            guard arguments.positionals.count == 2 else {
                throw UsageError(message: "expected CARD_ID and a status (active, inactive, closed or expired)", command: command)
            }
            let cardID = arguments.positionals[0]
            guard let status = CardStatus(rawValue: arguments.positionals[1]) else {
                throw UsageError(
                    message: "status must be active, inactive, closed or expired (got '\(arguments.positionals[1])')",
                    command: command)
            }
            let reason = arguments.value("reason")
            if status.requiresReason, reason?.isEmpty ?? true {
                throw UsageError(message: "--reason is required to make a card \(status.rawValue)", command: command)
            }
            let store = CardStore(database: try StoreOpening.openExistingForWriting(StoreAccess.path(arguments)))
            do {
                let card = try store.setStatus(id: cardID, to: status, reason: reason)
                console.out(CardJSON.render(card) + "\n")
                return .success
            } catch CardStore.StatusChangeError.notFound {
                throw NotFoundError(what: cardID)
            } catch CardStore.StatusChangeError.forbidden(let from, let to) {
                throw ForbiddenTransition(cardID: cardID, from: from, to: to)
            }
        default:
            throw UsageError(message: "unknown subcommand '\(sub)'", command: "cards")
        }
    }
}

/// `cards set-status` asked for a transition the rules forbid (exit 1, `invalid_status_transition`).
struct ForbiddenTransition: Error, CustomStringConvertible {
    var cardID: String
    var from: CardStatus
    var to: CardStatus
    var description: String {
        "invalid_status_transition: card \(cardID) is \(from.rawValue) and cannot become \(to.rawValue)"
    }
}
