import Foundation
import Testing

/// SPEC §10, Naming the store, through the binary: every summary names the store it wrote to and how long
/// the file took, a new store is announced once, an upload that committed nothing says so and what it would
/// have created, errors about the store name the store, numbers have thousands separators and one is `1 row`;
/// `cards set-status` on a mistyped store creates nothing (SPEC §1).
@Suite struct StoreNamingTests {
    static let header = "external_id,account_id,entity_id,details.last_four\n"

    static func csv(_ keys: [String], bad: Set<String> = []) -> String {
        header + keys.map { "\($0),account_a,entity_e,\(bad.contains($0) ? "12" : "0001")\n" }.joined()
    }

    /// The lines of `text` that match `pattern` (a regular expression over the whole line).
    static func lines(_ text: String, matching pattern: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.range(of: "^" + pattern + "$", options: .regularExpression) != nil }
    }

    @Test func aFreshStoreIsAnnouncedOnceAndEverySummaryNamesItAndTheTime() throws {
        let folder = try TemporaryDirectory()
        let sample = samplesDirectory.appendingPathComponent("cards.csv").path
        // No --db: the default store in the folder the command runs in.
        let first = try CardUploadBinary.run(["process", sample, sample], in: folder.url)
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stderr.components(separatedBy: "created the card store ./cards.sqlite\n").count == 2, "\(first.stderr)")
        #expect(first.stderr.hasPrefix("created the card store ./cards.sqlite\n"), "announced before the first summary: \(first.stderr)")
        let summary = #".*/samples/cards\.csv: 37 rows: 22 created, 1 replayed, 0 updated, 14 rejected — completed_with_errors in \d+\.\d\d s, upload upload_[0-9a-z]+ → \./cards\.sqlite"#
        #expect(Self.lines(first.stderr, matching: summary).count == 1, "\(first.stderr)")
        let replay = #".*/samples/cards\.csv: 37 rows: 0 created, 23 replayed, 0 updated, 14 rejected — completed_with_errors in \d+\.\d\d s, upload upload_[0-9a-z]+ → \./cards\.sqlite"#
        #expect(Self.lines(first.stderr, matching: replay).count == 1, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.path("cards.sqlite")))

        // The store exists now: not announced again; --quiet says nothing of a new one either.
        let second = try CardUploadBinary.run(["process", sample], in: folder.url)
        #expect(!second.stderr.contains("created the card store"), "\(second.stderr)")
        let quiet = try CardUploadBinary.run(["process", sample, "--db", "quiet.sqlite", "--quiet"], in: folder.url)
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.path("quiet.sqlite")))
    }

    @Test func countsHaveThousandsSeparatorsAndOneRowIsSingular() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let many = try folder.write("many.csv", Self.csv((0..<1234).map { "k\($0)" }))
        let run = try CardUploadBinary.run(["process", many, "--db", db], in: folder.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("many.csv: 1,234 rows: 1,234 created, 0 replayed, 0 updated, 0 rejected — completed in "), "\(run.stderr)")
        let one = try folder.write("one.csv", Self.csv(["k0"]))
        let single = try CardUploadBinary.run(["process", one, "--db", db], in: folder.url)
        #expect(single.stderr.contains("one.csv: 1 row: 0 created, 1 replayed, 0 updated, 0 rejected — completed in "), "\(single.stderr)")
        // process-dir's cron line says the same.
        try FileManager.default.createDirectory(atPath: folder.path("in"), withIntermediateDirectories: false)
        try folder.write("in/a.csv", Self.csv((0..<1001).map { "a\($0)" }))
        let inbox = try CardUploadBinary.run(["process-dir", folder.path("in"), "--db", db], in: folder.url)
        #expect(inbox.status == 0, "\(inbox.stderr)")
        let line = #"\S+ a\.csv: completed in \d+\.\d\d s, 1,001 rows: 1,001 created, 0 replayed, 0 updated, 0 rejected; "#
            + #"upload upload_[0-9a-z]+ → "# + NSRegularExpression.escapedPattern(for: db) + "; report .*; moved to .*; exit 0"
        #expect(Self.lines(inbox.stderr, matching: line).count == 1, "\(inbox.stderr)")
        #expect(inbox.stderr.contains(" 1 file: 1 done, 0 failed, 0 left in INBOX, 0 waiting — exit 0"), "\(inbox.stderr)")
        #expect(!inbox.stderr.contains("created the card store"), "the store was there already: \(inbox.stderr)")
        // Other commands count the same way: native cards left out of a Lead card file listing.
        let listing = try CardUploadBinary.run(["cards", "list", "--format", "lead-card", "--db", db], in: folder.url)
        #expect(listing.stderr.hasPrefix("2,235 cards left out: "), "\(listing.stderr)")
    }

    @Test func processDirAnnouncesTheStoreItCreates() throws {
        let folder = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.path("in"), withIntermediateDirectories: false)
        try folder.write("in/a.csv", Self.csv(["a1"]))
        try folder.write("in/b.csv", Self.csv(["b1"]))
        let db = folder.path("new.sqlite")
        let run = try CardUploadBinary.run(["process-dir", folder.path("in"), "--db", db], in: folder.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.lines(run.stderr, matching: #"\S+ created the card store "# + NSRegularExpression.escapedPattern(for: db)).count == 1,
                "\(run.stderr)")
        let quiet = try CardUploadBinary.run(
            ["process-dir", folder.path("in"), "--db", folder.path("quiet.sqlite"), "--quiet"], in: folder.url)
        #expect(!quiet.stderr.contains("created the card store"), "\(quiet.stderr)")
    }

    @Test func anUploadThatCommittedNothingSaysSoAndWhatItWouldHaveCreated() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let file = try folder.write("a.csv", Self.csv(["a1", "a2", "a3"], bad: ["a3"]))
        let atomic = try CardUploadBinary.run(["process", file, "--db", db, "--atomic"], in: folder.url)
        #expect(atomic.status == 1, "\(atomic.stderr)")
        let line = #".*a\.csv: 3 rows: would create 2, 0 replayed, would update 0, 1 rejected — completed_with_errors, nothing committed \(atomic\) in \d+\.\d\d s, upload upload_[0-9a-z]+ → "#
            + NSRegularExpression.escapedPattern(for: db)
        #expect(Self.lines(atomic.stderr, matching: line).count == 1, "\(atomic.stderr)")
        #expect(!atomic.stderr.contains("2 created"), "\(atomic.stderr)")

        let dry = try CardUploadBinary.run(["process", file, "--db", db, "--dry-run"], in: folder.url)
        #expect(dry.stderr.contains("would create 2, 0 replayed, would update 0, 1 rejected — completed_with_errors, nothing committed (dry run"), "\(dry.stderr)")
        #expect(dry.stderr.contains(", checked against \(db)\n"), "\(dry.stderr)")

        let clean = try CardUploadBinary.run(["process", try folder.write("b.csv", Self.csv(["b1"])), "--db", db], in: folder.url)
        #expect(clean.status == 0, "\(clean.stderr)")

        // uploads list: the committed column, aligned or not, and in --json.
        let listed = try CardUploadBinary.run(["uploads", "list", "--db", db], in: folder.url)
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = listed.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.first == ["upload_id", "file", "started_at", "status", "committed", "rows", "created", "replayed", "updated", "rejected"])
        #expect(rows.count == 3, "\(listed.stdout)")  // the dry run recorded nothing
        #expect(rows.dropFirst().map { [$0[1], $0[3], $0[4], $0[6]] } == [[folder.path("b.csv"), "completed", "yes", "1"], [file, "completed_with_errors", "no", "2"]],
                "\(listed.stdout)")
        let json = try CardUploadBinary.run(["uploads", "list", "--json", "--db", db], in: folder.url)
        let objects = try json.stdout.split(separator: "\n").map { try parseJSON(String($0)) }
        #expect(objects.map { $0["committed"] as? Bool } == [true, false], "\(json.stdout)")
        #expect(objects.allSatisfy { Set($0.keys) == Set(rows.first ?? []) }, "\(json.stdout)")
        #expect(objects.last?["created"] as? Int == 2)
    }

    @Test func reconcileNamesTheStoreItComparedWith() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let keys = (0..<1001).map { "k\($0)" }
        #expect(try CardUploadBinary.run(["process", try folder.write("a.csv", Self.csv(keys)), "--db", db, "--quiet"], in: folder.url).status == 0)
        let file = try folder.write("b.csv", Self.csv(keys + ["new"]))
        let run = try CardUploadBinary.run(["reconcile", file, "--db", db], in: folder.url)
        #expect(run.status == 1, "\(run.stderr)")
        let line = #".*b\.csv: 1,002 rows: 1,001 match, 1 missing, 0 differs, 0 invalid — differences found in \d+\.\d\d s, compared with "#
            + NSRegularExpression.escapedPattern(for: db)
        #expect(Self.lines(run.stderr, matching: line).count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("  missing      1  1,003\n"), "\(run.stderr)")
    }

    @Test func errorsAboutTheStoreNameTheStoreNotTheInput() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write("in.csv", Self.csv(["a1"]))
        let db = try folder.write("broken.sqlite", String(repeating: "this is not a database\n", count: 200))
        let run = try CardUploadBinary.run(["process", file, "--db", db], in: folder.url)
        #expect(run.status == 74, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("Error: database \(db): "), "\(run.stderr)")
        #expect(!run.stderr.contains("in.csv: Error"), "\(run.stderr)")
        let get = try CardUploadBinary.run(["cards", "get", "card_x", "--db", db], in: folder.url)
        #expect(get.status == 74, "\(get.stderr)")
        #expect(get.stderr.hasPrefix("Error: database \(db): "), "\(get.stderr)")
    }

    @Test func setStatusOnAMistypedStoreCreatesNothing() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        #expect(try CardUploadBinary.run(["process", try folder.write("a.csv", Self.csv(["a1"])), "--db", db], in: folder.url).status == 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
        let mistyped = folder.path("card.sqlite")
        let run = try CardUploadBinary.run(["cards", "set-status", "card_x", "inactive", "--reason", "lost", "--db", mistyped], in: folder.url)
        #expect(run.status == 66, "\(run.stderr)")
        #expect(run.stderr == "Error: database not found: \(mistyped)\n", "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == before, "a file was left behind")
        // With the right store it reaches the card look-up as before.
        let right = try CardUploadBinary.run(["cards", "set-status", "card_x", "inactive", "--reason", "lost", "--db", db], in: folder.url)
        #expect(right.status == 1 && right.stderr.contains("not found: card_x"), "\(right.stderr)")
    }
}
