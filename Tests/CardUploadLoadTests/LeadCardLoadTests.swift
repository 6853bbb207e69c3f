@testable import CardUploadLoad
import CardUploadModel
import CardUploadStore
import Foundation
import Testing

/// Lead card files as ops teams write them (SPEC §9): pipe-delimited, Lead's 14 columns.
enum Lead {
    static let header = LeadColumn.allCases.map(\.name).joined(separator: "|") + "\n"

    /// One row of card `id` in `ent_e`, active, valid unless a field is given otherwise.
    static func row(
        _ id: String, entity: String = "ent_e", account: String = "acct_a", product: String = "HSA Debit",
        virtual: String = "true", type: String = "hsa", created: String = "2026-12-01T10:00:00Z",
        status: String = "active", activated: String = "2026-12-01T10:00:00Z", expiry: String = "2029-12-31",
        closedAt: String = "", reason: String = "", replacedBy: String = "", generated: String = "2026-12-05"
    ) -> String {
        [id, account, entity, product, virtual, type, created, status, activated, expiry, closedAt, reason, replacedBy, generated]
            .joined(separator: "|") + "\n"
    }

    /// A closed row of card `id`, replaced by `replacedBy` when given.
    static func closed(_ id: String, replacedBy: String = "", entity: String = "ent_e") -> String {
        row(id, entity: entity, status: "closed", closedAt: "2026-12-05T08:00:00Z", reason: "lost", replacedBy: replacedBy)
    }
}

/// Loading Lead card files in process: the store semantics, all or nothing, forward references (SPEC §9).
@Suite struct LeadCardLoadTests {
    private func loadLead(_ folder: LoadFolder, _ name: String, _ text: String, partial: Bool = false, dryRun: Bool = false) throws -> UploadResult {
        let file = try folder.write(name, text)
        var options = LoadOptions()
        options.partial = partial
        options.dryRun = dryRun
        return load(file, into: folder.db, options)
    }

    private func column(_ probe: StoreProbe, _ sql: String) throws -> [String] {
        var values: [String] = []
        try probe.database.prepare(sql).forEachRow([]) { values.append($0.text(0) ?? "NULL") }
        return values
    }

    @Test func aValidDayIsCreatedInItsNormalisedFormAndLoadsAgainAsReplayed() throws {
        let folder = try LoadFolder()
        let text = Lead.header
            + Lead.row("emp-1", created: "2026-12-05T10:00:00+02:00", activated: "2026-12-05 10:30")
            + Lead.row("emp-2", virtual: "FALSE", type: "commercial", status: "inactive")
        let first = try loadLead(folder, "day.csv", text)
        #expect(first.failure == nil && first.fileError == nil)
        #expect(first.counts == counts(created: 2))
        #expect(first.committed)
        let probe = try StoreProbe(folder.db)
        #expect(try probe.upload(first.uploadID).format == "lead-card")
        #expect(try column(probe, "SELECT created_at || ' ' || activated_at FROM cards WHERE external_id = 'emp-1'")
            == ["2026-12-05T08:00:00.000Z 2026-12-05T10:30:00.000Z"])
        #expect(try column(probe, "SELECT type || ' ' || is_virtual || ' ' || card_type || ' ' || status || ' ' || file_kind FROM cards WHERE external_id = 'emp-2'")
            == ["physical 0 commercial inactive lead"])
        #expect(try column(probe, "SELECT coalesce(last_four, 'NULL') FROM cards ORDER BY seq") == ["NULL", "NULL"])

        let again = try loadLead(folder, "again.csv", text.replacingOccurrences(of: "2026-12-05T10:00:00+02:00", with: "2026-12-05T08:00:00.000Z"))
        #expect(again.counts == counts(replayed: 2))
    }

    @Test func oneBadRowCommitsNothingByDefaultAndPartialLoadsTheRest() throws {
        let folder = try LoadFolder()
        let text = Lead.header + Lead.row("emp-1") + Lead.row("card_2") + Lead.row("emp-3")
        let atomic = try loadLead(folder, "day.csv", text)
        #expect(atomic.counts == counts(created: 2, rejected: 1))
        #expect(!atomic.committed)
        #expect(atomic.allOrNothingByDefault)
        var probe = try StoreProbe(folder.db)
        #expect(try probe.cardCount == 0)
        #expect(try probe.outcomes(atomic.uploadID) == ["2 created", "3 rejected invalid_namespace", "4 created"])
        // The upload begun again after the rollback still names the file's delimiter.
        #expect(try probe.upload(atomic.uploadID).delimiter == "|")

        let partial = try loadLead(folder, "day2.csv", text, partial: true)
        #expect(partial.committed)
        #expect(partial.counts == counts(created: 2, rejected: 1))
        probe = try StoreProbe(folder.db)
        #expect(try probe.keys() == ["emp-1", "emp-3"])
    }

    @Test func updatesFollowTheLifecycleAndKeepTheImmutableFields() throws {
        let folder = try LoadFolder()
        _ = try loadLead(folder, "day1.csv", Lead.header + Lead.row("a") + Lead.row("b") + Lead.row("c") + Lead.row("d"))
        let day2 = Lead.header
            + Lead.row("a", product: "HSA Debit Plus", status: "inactive")                 // 2: updated
            + Lead.row("b", account: "acct_z", virtual: "false", expiry: "2030-01-31")      // 3: three immutable fields
            + Lead.row("c", status: "expired")                                              // 4: updated
            + Lead.closed("d")                                                              // 5: updated (closed)
        let second = try loadLead(folder, "day2.csv", day2, partial: true)
        var probe = try StoreProbe(folder.db)
        #expect(try probe.outcomes(second.uploadID) == [
            "2 updated", "3 rejected immutable_field,immutable_field,immutable_field", "4 updated", "5 updated",
        ])
        #expect(try column(probe, "SELECT status || ' ' || product_name FROM cards WHERE external_id = 'a'") == ["inactive HSA Debit Plus"])
        #expect(try column(probe, "SELECT status || ' ' || closed_at || ' ' || status_reason FROM cards WHERE external_id = 'd'")
            == ["closed 2026-12-05T08:00:00.000Z lost"])

        let day3 = Lead.header
            + Lead.row("c", status: "active")                                               // 2: expired -> active
            + Lead.row("d", status: "closed", closedAt: "2026-12-05T08:00:00Z", reason: "stolen")  // 3: closed card changed
            + Lead.row("c", status: "closed", closedAt: "2026-12-06T08:00:00Z", reason: "expired")  // 4: expired -> closed
        let third = try loadLead(folder, "day3.csv", day3, partial: true)
        probe = try StoreProbe(folder.db)
        #expect(try probe.outcomes(third.uploadID) == ["2 rejected invalid_status_transition", "3 rejected card_closed", "4 updated"])
    }

    @Test func aReplacementLaterInTheFileIsLinkedBothWaysInEitherMode() throws {
        for partial in [false, true] {
            let folder = try LoadFolder()
            let text = Lead.header + Lead.closed("old", replacedBy: "new") + Lead.row("x") + Lead.row("new")
            let result = try loadLead(folder, "day.csv", text, partial: partial)
            #expect(result.counts == counts(created: 3), "partial: \(partial)")
            #expect(result.committed)
            let probe = try StoreProbe(folder.db)
            #expect(try probe.outcomes(result.uploadID) == ["2 created", "3 created", "4 created"], "partial: \(partial)")
            let old = try #require(try probe.card("old", entity: "ent_e"))
            let new = try #require(try probe.card("new", entity: "ent_e"))
            #expect(old.replacedBy == new.id)
            #expect(new.replacementFor == old.id)
            // Loaded again: every row replayed, the link included.
            let again = try loadLead(folder, "again.csv", text, partial: partial)
            #expect(again.counts == counts(replayed: 3), "partial: \(partial)")
        }
    }

    /// A row that comes after the replacing card and names it is linked; a held row before it that names the
    /// same card is the second, linked after the rest of the file; in both modes.
    @Test func aRowAfterTheReplacingCardTakesOverTheLinkOfAHeldRow() throws {
        for partial in [false, true] {
            let folder = try LoadFolder()
            let text = Lead.header + Lead.closed("old1", replacedBy: "new") + Lead.row("new")
                + Lead.closed("old2", replacedBy: "new") + Lead.row("x")
            let result = try loadLead(folder, "day.csv", text, partial: partial)
            #expect(result.committed == partial)
            let probe = try StoreProbe(folder.db)
            #expect(try probe.outcomes(result.uploadID)
                == ["2 rejected invalid_card_reference", "3 created", "4 created", "5 created"], "partial: \(partial)")
            if partial {
                let old2 = try #require(try probe.card("old2", entity: "ent_e"))
                let new = try #require(try probe.card("new", entity: "ent_e"))
                #expect(old2.replacedBy == new.id && new.replacementFor == old2.id)
            } else {
                #expect(try probe.cardCount == 0)
            }
        }
    }

    /// Two cards that name each other, and a later row of one of them naming a third card: all or nothing,
    /// the later row is applied while the first waits for its link, so the first is rejected when its link
    /// comes (a card is replaced once). Regression, found by a review: the link was made anyway, two cards
    /// replaced one, and the load failed on the store's unique index (exit 74).
    @Test func aCardReplacedByALaterRowWhileItWaitsForItsLinkIsRejectedNotACrash() throws {
        let folder = try LoadFolder()
        let text = Lead.header + Lead.closed("d", replacedBy: "a") + Lead.closed("a", replacedBy: "d") + Lead.row("c")
            + Lead.closed("d", replacedBy: "c")
        let result = try loadLead(folder, "day.csv", text)
        #expect(result.failure == nil && !result.committed)
        let probe = try StoreProbe(folder.db)
        #expect(try probe.outcomes(result.uploadID)
            == ["2 rejected invalid_card_reference", "3 created", "4 created", "5 updated"])
        #expect(try probe.cardCount == 0)
    }

    @Test func aReferenceToNoCardIsRejectedAfterTheRestOfTheFile() throws {
        let folder = try LoadFolder()
        let text = Lead.header + Lead.closed("old", replacedBy: "nowhere") + Lead.row("old2") + Lead.row("x")
        let atomic = try loadLead(folder, "day.csv", text)
        #expect(!atomic.committed)
        var probe = try StoreProbe(folder.db)
        #expect(try probe.outcomes(atomic.uploadID) == ["2 rejected invalid_card_reference", "3 created", "4 created"])
        #expect(try probe.cardCount == 0)

        let partial = try loadLead(folder, "day2.csv", text, partial: true)
        probe = try StoreProbe(folder.db)
        #expect(try probe.outcomes(partial.uploadID) == ["2 rejected invalid_card_reference", "3 created", "4 created"])
        #expect(try probe.keys() == ["old2", "x"])
    }

    @Test func laterRowsOfAHeldCardWaitForItAndChainsResolve() throws {
        let folder = try LoadFolder()
        // a is replaced by b, b by c, c comes last; a's second row (a product rename) waits for a's first.
        let text = Lead.header
            + Lead.row("a", status: "inactive", replacedBy: "b")
            + Lead.row("a", product: "Renamed", status: "inactive", replacedBy: "b")
            + Lead.row("b", status: "inactive", replacedBy: "c")
            + Lead.row("c")
        let result = try loadLead(folder, "day.csv", text, partial: true)
        let probe = try StoreProbe(folder.db)
        #expect(try probe.outcomes(result.uploadID) == ["2 created", "3 updated", "4 created", "5 created"])
        #expect(try column(probe, "SELECT product_name FROM cards WHERE external_id = 'a'") == ["Renamed"])
        let b = try #require(try probe.card("b", entity: "ent_e"))
        let c = try #require(try probe.card("c", entity: "ent_e"))
        #expect(b.replacedBy == c.id && c.replacementFor == b.id)
    }

    @Test func aCardReplacesAtMostOneCard() throws {
        let folder = try LoadFolder()
        let text = Lead.header + Lead.row("new") + Lead.closed("old1", replacedBy: "new") + Lead.closed("old2", replacedBy: "new")
        let result = try loadLead(folder, "day.csv", text, partial: true)
        let probe = try StoreProbe(folder.db)
        #expect(try probe.outcomes(result.uploadID) == ["2 created", "3 created", "4 rejected invalid_card_reference"])
    }

    @Test func aKeyBelongsToTheKindOfFileThatCreatedIt() throws {
        let folder = try LoadFolder()
        let native = try folder.write("native.csv", Cards.header + Cards.row("k1", entity: "entity_e"))
        #expect(load(native, into: folder.db).counts == counts(created: 1))
        let lead = try loadLead(folder, "lead.csv", Lead.header + Lead.row("k1", entity: "entity_e") + Lead.row("l1", entity: "entity_e"), partial: true)
        var probe = try StoreProbe(folder.db)
        #expect(try probe.outcomes(lead.uploadID) == ["2 rejected idempotency_conflict", "3 created"])
        let back = try folder.write("native2.csv", Cards.header + Cards.row("l1", entity: "entity_e"))
        let nativeAgain = load(back, into: folder.db)
        probe = try StoreProbe(folder.db)
        #expect(try probe.outcomes(nativeAgain.uploadID) == ["2 rejected idempotency_conflict"])
        // A Lead id is unique across entities.
        let other = try loadLead(folder, "other.csv", Lead.header + Lead.row("l1", entity: "entity_f"), partial: true)
        probe = try StoreProbe(folder.db)
        #expect(try probe.outcomes(other.uploadID) == ["2 rejected immutable_field"])
    }

    @Test func aLeadHeaderWithCommasIsRefusedButARejectsFileIsRead() throws {
        let folder = try LoadFolder()
        let commas = Lead.header.replacingOccurrences(of: "|", with: ",") + Lead.row("a").replacingOccurrences(of: "|", with: ",")
        let refused = try loadLead(folder, "commas.csv", commas)
        #expect(refused.fileError?.code == .invalidDelimiter)
        #expect(try StoreProbe(folder.db).upload(refused.uploadID).delimiter == ",")
        let missing = try loadLead(folder, "missing.csv", "client_card_id|account_id\na|b\n")
        #expect(missing.fileError?.code == .missingColumn)
        #expect(try StoreProbe(folder.db).upload(missing.uploadID).delimiter == "|")
        let annotated = "_line," + Lead.header.replacingOccurrences(of: "|", with: ",")
            + "2," + Lead.row("a").replacingOccurrences(of: "|", with: ",")
        let read = try loadLead(folder, "rejects.csv", annotated)
        #expect(read.fileError == nil)
        #expect(read.counts == counts(created: 1))
    }

    @Test func theRejectsFileKeepsLeadsColumnsAndPipesAndLoadsOnceFixed() throws {
        let folder = try LoadFolder()
        let file = try folder.write("day.csv", Lead.header + Lead.row("a") + Lead.row("b", type: "debit"))
        var options = LoadOptions()
        options.outputs.rejects = folder.path("rejects.csv")
        let result = load(file, into: folder.db, options)
        #expect(!result.committed)
        let rejects = try folder.read("rejects.csv")
        let lines = rejects.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.first?.contains("client_card_id|account_id|") == true)
        #expect(lines.count == 2)
        let fixed = try folder.write("fixed.csv", rejects.replacingOccurrences(of: "|debit|", with: "|fsa|"))
        var partialOptions = LoadOptions()
        partialOptions.partial = true
        let again = load(fixed, into: folder.db, partialOptions)
        #expect(again.counts == counts(created: 1), "\(String(describing: again.fileError))")
    }

    /// All or nothing, the cards commit first and their keys are merged after, in a transaction of their own
    /// (`Database.commitCheckpointingAside`): once the load is done every card is still in the key index, with
    /// its second entry, and the store's file holds everything (its WAL is empty), as when the merge came
    /// before the commit.
    @Test func aFileInOneTransactionMergesItsKeysOnceItHasCommitted() throws {
        let folder = try LoadFolder()
        let text = Lead.header + Lead.closed("old", replacedBy: "new") + Lead.row("new") + Lead.row("x")
        let result = try loadLead(folder, "day.csv", text)
        #expect(result.committed && result.counts == counts(created: 3))
        let walSize = (try? FileManager.default.attributesOfItem(atPath: folder.db + "-wal"))?[.size] as? Int ?? 0
        #expect(walSize == 0)
        let probe = try StoreProbe(folder.db)
        #expect(try probe.count("SELECT through FROM card_key_bounds") == 3)
        #expect(try probe.count("SELECT count(*) FROM card_keys") + probe.count("SELECT count(*) FROM card_keys_recent") == 6)
        #expect(try probe.upload(result.uploadID).status == .completed)
        let again = try loadLead(folder, "again.csv", text)
        #expect(again.counts == counts(replayed: 3))
    }

    @Test func aDryRunResolvesForwardReferencesAndKeepsNothing() throws {
        let folder = try LoadFolder()
        let text = Lead.header + Lead.closed("old", replacedBy: "new") + Lead.row("new")
        let dry = try loadLead(folder, "day.csv", text, dryRun: true)
        #expect(dry.counts == counts(created: 2))
        #expect(!dry.committed)
        #expect(!FileManager.default.fileExists(atPath: folder.db), "a dry run made the store")
    }

    @Test func everyErrorNamesItsLineItsLeadColumnAndItsCode() throws {
        let folder = try LoadFolder()
        let text = Lead.header
            + Lead.row("a", activated: "2026-11-30T23:59:59Z")                  // 2: activation before creation
            + Lead.row("b", expiry: "2026-11-30")                                // 3: expiry before the dates
            + Lead.row("c", status: "closed")                                    // 4: closure details missing
            + Lead.row("d", created: "2026-12-01T10:00", generated: "2026-12-06") // 5: another generated_at
            + Lead.row("e", replacedBy: "a")                                     // 6: replaced but active
        let result = try loadLead(folder, "day.csv", text, partial: true)
        let probe = try StoreProbe(folder.db)
        var found: [String] = []
        try UploadLog(database: probe.database).forEachRow(uploadID: try #require(result.uploadID)) { row in
            guard case .errors(let errors) = row.errors else { return }
            for error in errors { found.append("\(row.line) \(error.field ?? "-") \(error.code.rawValue)") }
        }
        #expect(found == [
            "2 activated_at invalid_activation", "3 expiry_date invalid_expiration",
            "4 closed_at missing_closure_details", "4 closed_reason missing_closure_details",
            "5 generated_at inconsistent_generated_at", "6 replaced_by replaced_card_not_terminal",
        ])
    }

    @Test func cardsThatNameEachOtherAreLinkedWhenTheWholeFileIsOneTransaction() throws {
        let folder = try LoadFolder()
        let text = Lead.header + Lead.closed("a", replacedBy: "b") + Lead.closed("b", replacedBy: "a")
        let atomic = try loadLead(folder, "day.csv", text)
        #expect(atomic.counts == counts(created: 2))
        #expect(atomic.committed)
        var probe = try StoreProbe(folder.db)
        let a = try #require(try probe.card("a", entity: "ent_e"))
        let b = try #require(try probe.card("b", entity: "ent_e"))
        #expect(a.replacedBy == b.id && b.replacementFor == a.id)
        #expect(b.replacedBy == a.id && a.replacementFor == b.id)

        // With --partial each waits for the other: both are rejected, saying why.
        let other = Lead.header + Lead.closed("c", replacedBy: "d") + Lead.closed("d", replacedBy: "c")
        let partial = try loadLead(folder, "day2.csv", other, partial: true)
        probe = try StoreProbe(folder.db)
        #expect(try probe.outcomes(partial.uploadID) == ["2 rejected invalid_card_reference", "3 rejected invalid_card_reference"])
        var messages: [String] = []
        try UploadLog(database: probe.database).forEachRow(uploadID: try #require(partial.uploadID)) { row in
            if case .errors(let errors) = row.errors { messages += errors.map(\.message) }
        }
        #expect(messages.first?.contains("names a card of this file") == true, "\(messages)")

        // A cycle member whose partner never comes is rejected after the file, and nothing is committed.
        let broken = Lead.header + Lead.closed("e", replacedBy: "f") + Lead.closed("f", replacedBy: "e") + Lead.row("f", product: "x")
        let failed = try loadLead(folder, "day3.csv", broken)
        #expect(!failed.committed)
    }

    /// Every (stored status, row status) pair of SPEC §9's lifecycle, through Lead rows: a card created with
    /// the first status, then a row with the second.
    @Test func everyStatusMoveOfTheLifecycle() throws {
        let folder = try LoadFolder()
        func row(_ id: String, _ status: CardStatus) -> String {
            status == .closed
                ? Lead.row(id, status: "closed", closedAt: "2026-12-05T08:00:00Z", reason: "lost")
                : Lead.row(id, status: status.rawValue)
        }
        var first = Lead.header, second = Lead.header
        var expected: [String] = []
        for (index, pair) in CardStatus.allCases.flatMap({ from in CardStatus.allCases.map { (from, $0) } }).enumerated() {
            let (from, to) = pair
            let id = "card-\(from.rawValue)-\(to.rawValue)".replacingOccurrences(of: "card-", with: "k-")
            first += row(id, from)
            // A closed row keeps its closure details when it moves on, so only the status differs.
            second += from == .closed && to != .closed
                ? Lead.row(id, status: to.rawValue, closedAt: "2026-12-05T08:00:00Z", reason: "lost")
                : row(id, to)
            let outcome = if from == to {
                "replayed"
            } else if from == .closed {
                "rejected card_closed"
            } else if from.canChange(to: to) {
                "updated"
            } else {
                "rejected invalid_status_transition"
            }
            expected.append("\(index + 2) \(outcome)")
        }
        let created = try loadLead(folder, "first.csv", first)
        #expect(created.counts == counts(created: 16))
        let moved = try loadLead(folder, "second.csv", second, partial: true)
        #expect(try StoreProbe(folder.db).outcomes(moved.uploadID) == expected)
    }
}
