import Foundation
import Testing

/// `cards set-status` with SPEC §9's lifecycle for every card — expired, closed is final, a reason for
/// inactive, closed and expired — and a Lead card's closed_at; the card object against
/// `schemas/card.schema.json`. A Lead card is put in by SQL into a store the binary made (as a Lead file
/// would store it): these tests need no Lead loader.
@Suite struct CardStatusTests {
    static let header = "external_id,account_id,entity_id,details.last_four,details.replacement_for,metadata.team\n"

    /// A store made by the binary with one native card per key (in `entity_e`), and their ids by key.
    private func store(_ folder: TemporaryDirectory, keys: [String]) throws -> (db: String, ids: [String: String]) {
        let db = folder.path("cards.sqlite")
        let rows = keys.enumerated().map { "\($1),account_a,entity_e,\(String(format: "%04d", $0)),,ops\n" }.joined()
        let file = try folder.write("cards.csv", Self.header + rows)
        let loaded = try CardUploadBinary.run(["process", file, "--db", db, "--quiet"], in: folder.url)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        var ids: [String: String] = [:]
        for row in try StoreInspector(db).rows("SELECT external_id, id FROM cards") {
            ids[row[0] ?? ""] = row[1]
        }
        #expect(ids.count == keys.count)
        return (db, ids)
    }

    private func setStatus(
        _ id: String, _ status: String, reason: String? = nil, db: String, in folder: TemporaryDirectory
    ) throws -> CardUploadBinary.Result {
        try CardUploadBinary.run(
            ["cards", "set-status", id, status, "--db", db] + (reason.map { ["--reason", $0] } ?? []), in: folder.url)
    }

    private func get(_ id: String, db: String, in folder: TemporaryDirectory) throws -> String {
        let got = try CardUploadBinary.run(["cards", "get", id, "--db", db], in: folder.url)
        #expect(got.status == 0, "\(got.stderr)")
        return got.stdout
    }

    /// Inserts a card as a Lead file stores it (no last_four, Lead's fields, `file_kind` lead), by hand as
    /// another tool would: without the key's hash (a plain connection has no `card_key_hash`), so marked an
    /// overflow card, found by its key through `cards_by_key_overflow`.
    private func insertLeadCard(
        id: String, clientCardID: String, status: String, closedReason: String? = nil, closedAt: String? = nil, db: String
    ) throws {
        func literal(_ text: String?) -> String { text.map { "'\($0)'" } ?? "NULL" }
        try Fault.execute("""
            INSERT INTO cards (id, external_id, account_id, entity_id, type, status, status_reason, last_four, metadata,
                               created_at, updated_at, file_kind, product_name, is_virtual, card_type, expiry_date,
                               activated_at, closed_at, key_overflow)
            VALUES ('\(id)', '\(clientCardID)', 'acct-77', 'ent-9', 'virtual', '\(status)', \(literal(closedReason)), NULL,
                    '{}', '2026-01-05T08:00:00.000Z', '2026-01-06T09:30:00.000Z', 'lead', 'Benefits Prepaid', 1,
                    'consumer', '2029-01-31', '2026-01-05T08:15:00.000Z', \(literal(closedAt)), 1)
            """, on: db)
    }

    // MARK: The lifecycle

    @Test func expiredTakesAReasonAndOnlyClosedFollowsIt() throws {
        let folder = try TemporaryDirectory()
        let (db, ids) = try store(folder, keys: ["k1", "k2"])
        let card = try #require(ids["k1"])
        let before = try get(card, db: db, in: folder)

        for reason in [nil, ""] as [String?] {
            let refused = try setStatus(card, "expired", reason: reason, db: db, in: folder)
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("Error: --reason is required to make a card expired"), "\(refused.stderr)")
        }
        #expect(try get(card, db: db, in: folder) == before)

        let expired = try setStatus(card, "expired", reason: "past its date", db: db, in: folder)
        #expect(expired.status == 0, "\(expired.stderr)")
        let object = try parseJSON(expired.stdout)
        #expect(object["status"] as? String == "expired")
        #expect(object["status_reason"] as? String == "past its date")
        #expect((object["updated_at"] as? String ?? "") > (object["created_at"] as? String ?? "~"))
        // A native card gets no closed_at, ever; expired is listed by its status.
        #expect((object["details"] as? [String: Any]).map { Set($0.keys) } == ["last_four", "replacement_for"])
        let listed = try CardUploadBinary.run(["cards", "list", "--status", "expired", "--db", db], in: folder.url)
        #expect(listed.status == 0 && listed.stdout == expired.stdout)

        // Expired goes nowhere but closed; the same status again changes nothing.
        let afterExpiry = try get(card, db: db, in: folder)
        for (status, reason) in [("active", nil), ("inactive", "found it")] as [(String, String?)] {
            let refused = try setStatus(card, status, reason: reason, db: db, in: folder)
            #expect(refused.status == 1)
            #expect(refused.stdout.isEmpty)
            #expect(refused.stderr.contains("invalid_status_transition: card \(card) is expired and cannot become \(status)"),
                    "\(refused.stderr)")
        }
        let again = try setStatus(card, "expired", reason: "another reason", db: db, in: folder)
        #expect(again.status == 0 && again.stdout == afterExpiry)
        #expect(try get(card, db: db, in: folder) == afterExpiry)

        let closed = try setStatus(card, "closed", reason: "shredded", db: db, in: folder)
        #expect(closed.status == 0, "\(closed.stderr)")
        #expect(try parseJSON(closed.stdout)["status"] as? String == "closed")
        #expect(try parseJSON(closed.stdout)["status_reason"] as? String == "shredded")
        #expect(try StoreInspector(db).value("SELECT closed_at FROM cards WHERE id = ?", [card]) == nil)
    }

    @Test func aClosedCardBecomesNothingElse() throws {
        let folder = try TemporaryDirectory()
        let (db, ids) = try store(folder, keys: ["k1"])
        let card = try #require(ids["k1"])
        #expect(try setStatus(card, "closed", reason: "lost", db: db, in: folder).status == 0)
        let closed = try get(card, db: db, in: folder)
        for (status, reason) in [("active", nil), ("inactive", "found"), ("expired", "date")] as [(String, String?)] {
            let refused = try setStatus(card, status, reason: reason, db: db, in: folder)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("invalid_status_transition: card \(card) is closed and cannot become \(status)"),
                    "\(refused.stderr)")
        }
        #expect(try get(card, db: db, in: folder) == closed)
    }

    @Test func everyMoveBetweenTwoStatusesIsAllowedOrRefusedAsSPECSays() throws {
        let statuses = ["active", "inactive", "closed", "expired"]
        // SPEC §9: active <-> inactive, active or inactive -> closed or expired, expired -> closed.
        let allowed: Set<String> = [
            "active>inactive", "inactive>active", "active>closed", "inactive>closed", "active>expired",
            "inactive>expired", "expired>closed",
        ]
        let pairs = statuses.flatMap { from in statuses.map { (from, $0) } }
        let folder = try TemporaryDirectory()
        let (db, ids) = try store(folder, keys: pairs.map { "\($0.0)-\($0.1)" })
        var tried = 0
        for (from, to) in pairs {
            let card = try #require(ids["\(from)-\(to)"])
            if from != "active" {
                #expect(try setStatus(card, from, reason: "set up", db: db, in: folder).status == 0)
            }
            let before = try get(card, db: db, in: folder)
            let result = try setStatus(card, to, reason: to == "active" ? nil : "moved", db: db, in: folder)
            tried += 1
            if from == to {
                #expect(result.status == 0 && result.stdout == before, "\(from) -> \(to)")
            } else if allowed.contains("\(from)>\(to)") {
                #expect(result.status == 0, "\(from) -> \(to): \(result.stderr)")
                let card = try parseJSON(result.stdout)
                #expect(card["status"] as? String == to)
                // The reason is the new one, cleared on active.
                #expect(card["status_reason"] as? String == (to == "active" ? nil : "moved"), "\(from) -> \(to)")
                #expect(to != "active" || card["status_reason"] is NSNull)
            } else {
                #expect(result.status == 1, "\(from) -> \(to)")
                #expect(result.stderr.contains("invalid_status_transition"), "\(from) -> \(to): \(result.stderr)")
                #expect(try get(card, db: db, in: folder) == before, "\(from) -> \(to)")
            }
        }
        #expect(tried == 16)
    }

    @Test func aReasonIsRequiredForInactiveClosedAndExpiredOnly() throws {
        let folder = try TemporaryDirectory()
        let (db, ids) = try store(folder, keys: ["k1"])
        let card = try #require(ids["k1"])
        let before = try get(card, db: db, in: folder)
        for status in ["inactive", "closed", "expired"] {
            for arguments in [[], ["--reason", ""], ["--reason="]] {
                let refused = try CardUploadBinary.run(
                    ["cards", "set-status", card, status, "--db", db] + arguments, in: folder.url)
                #expect(refused.status == 64, "\(status) \(arguments)")
                #expect(refused.stderr.contains("--reason is required to make a card \(status)"), "\(refused.stderr)")
                // The usage line, in swift-argument-parser's layout (SPEC §10): the values are on the help page.
                #expect(refused.stderr.contains("Usage: card-upload cards set-status <card-id> <status>"), "the usage line: \(refused.stderr)")
            }
        }
        #expect(try get(card, db: db, in: folder) == before)
        let unknown = try setStatus(card, "gone", reason: "x", db: db, in: folder)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("status must be active, inactive, closed or expired (got 'gone')"), "\(unknown.stderr)")
        // Active needs none, and clears the reason.
        #expect(try setStatus(card, "inactive", reason: "frozen", db: db, in: folder).status == 0)
        let active = try setStatus(card, "active", db: db, in: folder)
        #expect(active.status == 0, "\(active.stderr)")
        #expect(try parseJSON(active.stdout)["status_reason"] is NSNull)
    }

    // MARK: Lead cards

    @Test func closingALeadCardSetsItsClosedAtAndItsReason() throws {
        let folder = try TemporaryDirectory()
        let (db, ids) = try store(folder, keys: ["native"])
        let leadID = "card_lead000000000000000a"
        try insertLeadCard(id: leadID, clientCardID: "CC-1001", status: "active", db: db)

        let stored = try get(leadID, db: db, in: folder)
        let card = try parseJSON(stored)
        #expect(card["client_card_id"] as? String == "CC-1001" && card["external_id"] as? String == "CC-1001")
        #expect(card["account_id"] as? String == "acct-77" && card["entity_id"] as? String == "ent-9")
        let details = try #require(card["details"] as? [String: Any])
        #expect(details["last_four"] is NSNull && details["replacement_for"] is NSNull)
        #expect(details["card_product_name"] as? String == "Benefits Prepaid")
        #expect(stored.contains(#""is_virtual":true"#), "a JSON boolean: \(stored)")
        #expect(details["card_type"] as? String == "consumer" && details["expiry_date"] as? String == "2029-01-31")
        #expect(details["activated_at"] as? String == "2026-01-05T08:15:00.000Z")
        #expect(details["closed_at"] == nil, "not closed: no closed_at")

        // Inactive first: no closed_at yet. Then closed: closed_at is the change's time, the reason its closed_reason.
        let inactive = try setStatus(leadID, "inactive", reason: "suspected fraud", db: db, in: folder)
        #expect(inactive.status == 0, "\(inactive.stderr)")
        #expect((try parseJSON(inactive.stdout)["details"] as? [String: Any])?["closed_at"] == nil)
        let closed = try setStatus(leadID, "closed", reason: "customer request", db: db, in: folder)
        #expect(closed.status == 0, "\(closed.stderr)")
        let closedCard = try parseJSON(closed.stdout)
        let updatedAt = try #require(closedCard["updated_at"] as? String)
        #expect(updatedAt > "2026-01-06T09:30:00.000Z")
        #expect((closedCard["details"] as? [String: Any])?["closed_at"] as? String == updatedAt)
        #expect(closedCard["status"] as? String == "closed" && closedCard["status_reason"] as? String == "customer request")
        #expect(try StoreInspector(db).rows("SELECT closed_at, status_reason, last_four FROM cards WHERE id = ?", [leadID])
            == [[updatedAt, "customer request", nil]])
        #expect(try get(leadID, db: db, in: folder) == closed.stdout)
        // Closed is final for a Lead card too.
        let reopen = try setStatus(leadID, "active", db: db, in: folder)
        #expect(reopen.status == 1 && reopen.stderr.contains("invalid_status_transition"))

        // Expired -> closed sets it as well; a closed_at the file gave already is kept (Lead: it does not change).
        let expiredID = "card_lead000000000000000b"
        try insertLeadCard(id: expiredID, clientCardID: "CC-1002", status: "expired", closedReason: "expired", db: db)
        let closedExpired = try parseJSON(try setStatus(expiredID, "closed", reason: "destroyed", db: db, in: folder).stdout)
        #expect((closedExpired["details"] as? [String: Any])?["closed_at"] as? String == closedExpired["updated_at"] as? String)
        let givenID = "card_lead000000000000000c"
        try insertLeadCard(
            id: givenID, clientCardID: "CC-1003", status: "inactive", closedAt: "2026-01-06T00:00:00.000Z", db: db)
        let closedGiven = try parseJSON(try setStatus(givenID, "closed", reason: "done", db: db, in: folder).stdout)
        #expect((closedGiven["details"] as? [String: Any])?["closed_at"] as? String == "2026-01-06T00:00:00.000Z")

        // A native card closed the same way has no closed_at.
        let native = try #require(ids["native"])
        let nativeClosed = try parseJSON(try setStatus(native, "closed", reason: "lost", db: db, in: folder).stdout)
        #expect((nativeClosed["details"] as? [String: Any])?["closed_at"] == nil)
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards WHERE file_kind = 'native' AND closed_at IS NOT NULL") == 0)
    }

    // MARK: The card object's schema

    @Test func cardObjectsAsCardsGetPrintsThemMatchTheCardSchema() throws {
        let folder = try TemporaryDirectory()
        let (db, ids) = try store(folder, keys: ["plain", "paused", "gone", "old"])
        #expect(try setStatus(ids["paused"]!, "inactive", reason: "paused", db: db, in: folder).status == 0)
        #expect(try setStatus(ids["gone"]!, "expired", reason: "end of life", db: db, in: folder).status == 0)
        #expect(try setStatus(ids["old"]!, "closed", reason: "lost", db: db, in: folder).status == 0)
        let replacing = try folder.write(
            "replacing.csv", Self.header + "new,account_a,entity_e,0099,\(ids["old"]!),\n")
        #expect(try CardUploadBinary.run(["process", replacing, "--db", db, "--quiet"], in: folder.url).status == 0)
        let newID = try #require(try StoreInspector(db).value("SELECT id FROM cards WHERE external_id = 'new'"))
        try insertLeadCard(id: "card_lead000000000000000d", clientCardID: "CC-2001", status: "active", db: db)
        try insertLeadCard(id: "card_lead000000000000000e", clientCardID: "CC-2002", status: "active", db: db)
        #expect(try setStatus("card_lead000000000000000e", "closed", reason: "closed by Lead", db: db, in: folder).status == 0)

        var checks: [SchemaCheck] = []
        for (name, id) in [
            ("native active with metadata", ids["plain"]!), ("native inactive", ids["paused"]!),
            ("native expired", ids["gone"]!), ("native closed and replaced", ids["old"]!), ("native replacement", newID),
            ("lead active", "card_lead000000000000000d"), ("lead closed", "card_lead000000000000000e"),
        ] {
            let text = try get(id, db: db, in: folder)
            let card = try parseJSON(text)
            // What the schema cannot say: client_card_id is external_id.
            #expect(card["client_card_id"] as? String == card["external_id"] as? String, "\(name)")
            checks.append(SchemaCheck(name: name, path: try folder.write("\(id).json", text)))
        }
        let native = checks[0].path
        #expect(try readJSON(native)["metadata"] as? [String: String] == ["team": "ops"])

        // Each case breaks one rule; `at` is where the validator must place the violation.
        let invalid: [(name: String, patch: [Patch], at: String)] = [
            ("extra top-level key", [.set(["card_number"], #""4111""#)], "/"),
            ("missing client_card_id", [.delete(["client_card_id"])], "/"),
            ("unknown status", [.set(["status"], #""suspended""#)], "/status"),
            ("empty status_reason", [.set(["status_reason"], #""""#)], "/status_reason"),
            ("five-digit last_four", [.set(["details", "last_four"], #""00001""#)], "/details/last_four"),
            ("missing last_four", [.delete(["details", "last_four"])], "/details"),
            ("is_virtual as text", [.set(["details", "is_virtual"], #""true""#)], "/details/is_virtual"),
            ("is_virtual as a number", [.set(["details", "is_virtual"], "1")], "/details/is_virtual"),
            ("unknown card_type", [.set(["details", "card_type"], #""gold""#)], "/details/card_type"),
            ("expiry_date with a time", [.set(["details", "expiry_date"], #""2029-01-31T00:00:00.000Z""#)],
             "/details/expiry_date"),
            ("closed_at with an offset", [.set(["details", "closed_at"], #""2026-01-06T09:30:00.000+01:00""#)],
             "/details/closed_at"),
            ("closed_at null", [.set(["details", "closed_at"], "null")], "/details/closed_at"),
            ("extra key in details", [.set(["details", "pan"], #""x""#)], "/details"),
            ("malformed replaced_by", [.set(["replaced_by"], #""card_123""#)], "/replaced_by"),
            ("external_id in the card_ namespace", [.set(["external_id"], #""card_x""#)], "/external_id"),
            ("timestamp without milliseconds", [.set(["updated_at"], #""2026-01-02T03:04:05Z""#)], "/updated_at"),
            ("metadata value not a string", [.set(["metadata", "team"], "7")], "/metadata/team"),
            ("malformed id", [.set(["id"], #""card_ABC""#)], "/id"),
        ]
        // Controls: Lead's fields where known are allowed on any card.
        let valid: [(name: String, patch: [Patch])] = [
            ("every Lead field", [
                .set(["details", "card_product_name"], #""HSA Card""#), .set(["details", "is_virtual"], "false"),
                .set(["details", "card_type"], #""hsa""#), .set(["details", "expiry_date"], #""2030-02-28""#),
                .set(["details", "activated_at"], #""2026-01-02T03:04:05.000Z""#),
                .set(["details", "closed_at"], #""2026-03-02T03:04:05.000Z""#), .set(["details", "last_four"], "null"),
            ]),
        ]
        checks += invalid.map { SchemaCheck(name: "invalid: " + $0.name, path: native, patch: $0.patch) }
        checks += valid.map { SchemaCheck(name: "valid: " + $0.name, path: native, patch: $0.patch) }
        let violations = try CardSchema.violations(checks, in: folder)
        for check in checks where !check.name.hasPrefix("invalid: ") {
            #expect(violations[check.name] == [], "\(check.name): \(violations[check.name] ?? [])")
        }
        for entry in invalid {
            let found = violations["invalid: " + entry.name] ?? []
            #expect(!found.isEmpty, "the schema accepted: \(entry.name)")
            #expect(found.contains { $0.hasPrefix(entry.at + ":") }, "\(entry.name): expected a violation at \(entry.at), got \(found)")
        }
    }
}

/// `schemas/card.schema.json` and Python's `jsonschema` validator (Draft 2020-12).
enum CardSchema {
    static let path = ReportSchema.repositoryRoot.appendingPathComponent("schemas/card.schema.json").path

    /// Validates `checks` against the card schema: `SchemaValidator.violations`.
    static func violations(_ checks: [SchemaCheck], in folder: TemporaryDirectory) throws -> [String: [String]] {
        try SchemaValidator.violations(checks, schema: path, in: folder)
    }
}
