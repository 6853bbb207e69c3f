import Foundation
import Testing

/// `--metrics PATH` (SPEC §10, Monitoring) through the binary: the file is read back by Prometheus' own text
/// parser (Python's prometheus_client), and its values are checked against the run.
@Suite struct MetricsTests {
    static let header = "external_id,account_id,entity_id,details.last_four\n"

    static func csv(_ keys: [String], bad: Set<String> = []) -> String {
        header + keys.map { "\($0),account_a,entity_e,\(bad.contains($0) ? "12" : "0001")\n" }.joined()
    }

    static let names = [
        "card_upload_last_run_timestamp_seconds", "card_upload_last_run_duration_seconds",
        "card_upload_last_run_exit_code", "card_upload_last_run_rows",
    ]

    @Test func processWritesTheRunsMetricsForTheTextfileCollector() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let sample = samplesDirectory.appendingPathComponent("cards.csv").path
        let metricsFolder = folder.path("textfile")
        try FileManager.default.createDirectory(atPath: metricsFolder, withIntermediateDirectories: false)
        let metrics = metricsFolder + "/card_upload.prom"
        let before = Date().timeIntervalSince1970
        let run = try CardUploadBinary.run(["process", sample, "--db", db, "--metrics", metrics], in: folder.url)
        let after = Date().timeIntervalSince1970
        #expect(run.status == 1, "\(run.stderr)")

        let parsed = try PrometheusText(file: metrics, in: folder)
        #expect(Set(parsed.families.keys) == Set(Self.names), "\(parsed.families.keys)")
        for (name, family) in parsed.families {
            #expect(family.type == "gauge", "\(name)")
            #expect(!family.help.isEmpty, "\(name) has no # HELP")
        }
        let stamp = try #require(parsed.value("card_upload_last_run_timestamp_seconds"))
        #expect(stamp >= before.rounded(.down) && stamp <= after + 1, "\(stamp) not in \(before)...\(after)")
        let duration = try #require(parsed.value("card_upload_last_run_duration_seconds"))
        #expect(duration > 0 && duration <= after - before + 0.01, "\(duration)")
        #expect(parsed.value("card_upload_last_run_exit_code") == 1)
        let rows = ["created": 22.0, "replayed": 1, "updated": 0, "rejected": 14]
        for (outcome, count) in rows {
            #expect(parsed.value("card_upload_last_run_rows", ["outcome": outcome]) == count, "\(outcome)")
        }
        #expect(parsed.value("card_upload_last_run_files", ["result": "done"]) == nil, "process has no files family")

        // Written like every output (a temporary file renamed into place: nothing else left in the folder),
        // readable by node_exporter's user: no card data in it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: metricsFolder) == ["card_upload.prom"])
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: metrics)[.posixPermissions] as? Int)
        #expect(mode == 0o644, "mode \(String(mode, radix: 8))")

        // The next run replaces the file: a clean replay, exit 0.
        let again = try CardUploadBinary.run(
            ["process", try folder.write("good.csv", Self.csv(["g1", "g2"])), "--db", db, "--metrics", metrics], in: folder.url)
        #expect(again.status == 0, "\(again.stderr)")
        let second = try PrometheusText(file: metrics, in: folder)
        #expect(second.value("card_upload_last_run_exit_code") == 0)
        #expect(second.value("card_upload_last_run_rows", ["outcome": "created"]) == 2)
        #expect(second.value("card_upload_last_run_rows", ["outcome": "rejected"]) == 0)
    }

    @Test func anAtomicRunThatCommittedNothingCountsNoCreatedRows() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write("a.csv", Self.csv(["a1", "a2", "a3"], bad: ["a3"]))
        let metrics = folder.path("m.prom")
        let run = try CardUploadBinary.run(
            ["process", file, "--db", folder.path("cards.sqlite"), "--atomic", "--metrics", metrics], in: folder.url)
        #expect(run.status == 1, "\(run.stderr)")
        let parsed = try PrometheusText(file: metrics, in: folder)
        #expect(parsed.value("card_upload_last_run_rows", ["outcome": "created"]) == 0)
        #expect(parsed.value("card_upload_last_run_rows", ["outcome": "rejected"]) == 1)
        #expect(parsed.value("card_upload_last_run_exit_code") == 1)
    }

    @Test func processDirCountsItsFilesDoneFailedAndLeft() throws {
        let folder = try TemporaryDirectory()
        let inbox = folder.path("in")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: false)
        try folder.write("in/a.csv", Self.csv(["a1", "a2"]))
        try folder.write("in/b.csv", Self.csv(["b1", "b2", "b3"], bad: ["b2"]))
        try folder.write("in/c.csv", "not,a,header\n1,2,3\n")
        let metrics = folder.path("process-dir.prom")
        let run = try CardUploadBinary.run(
            ["process-dir", inbox, "--db", folder.path("cards.sqlite"), "--metrics", metrics, "--quiet"], in: folder.url)
        #expect(run.status == 65, "\(run.stderr)")
        let parsed = try PrometheusText(file: metrics, in: folder)
        #expect(Set(parsed.families.keys) == Set(Self.names + ["card_upload_last_run_files"]), "\(parsed.families.keys)")
        #expect(parsed.families["card_upload_last_run_files"].map { !$0.help.isEmpty && $0.type == "gauge" } == true)
        #expect(parsed.value("card_upload_last_run_exit_code") == 65)
        #expect(parsed.value("card_upload_last_run_files", ["result": "done"]) == 2)
        #expect(parsed.value("card_upload_last_run_files", ["result": "failed"]) == 1)
        #expect(parsed.value("card_upload_last_run_files", ["result": "left"]) == 0)
        #expect(parsed.value("card_upload_last_run_rows", ["outcome": "created"]) == 4)
        #expect(parsed.value("card_upload_last_run_rows", ["outcome": "rejected"]) == 1)

        // A run that finds the store unwritable stops and leaves the files: `left` counts them.
        try folder.write("in/d.csv", Self.csv(["d1"]))
        try folder.write("in/e.csv", Self.csv(["e1"]))
        try folder.write("not-a-store.sqlite", String(repeating: "this is not a database\n", count: 200))
        let stopped = try CardUploadBinary.run(
            ["process-dir", inbox, "--db", folder.path("not-a-store.sqlite"), "--metrics", metrics, "--quiet"], in: folder.url)
        #expect(stopped.status == 74, "\(stopped.stderr)")
        let left = try PrometheusText(file: metrics, in: folder)
        #expect(left.value("card_upload_last_run_exit_code") == 74)
        #expect(left.value("card_upload_last_run_files", ["result": "left"]) == 2, "\(stopped.stderr)")
        #expect(left.value("card_upload_last_run_files", ["result": "done"]) == 0)
    }

    @Test func aMetricsPathThatIsTheStoreOrAnInputIsAUsageError() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write("a.csv", Self.csv(["a1"]))
        let db = folder.path("cards.sqlite")
        for metrics in [db, file, "-", ""] {
            let run = try CardUploadBinary.run(["process", file, "--db", db, "--metrics", metrics], in: folder.url)
            #expect(run.status == 64, "\(metrics): \(run.stderr)")
            #expect(run.stderr.contains("--metrics"), "\(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: db))
        // A folder that cannot take the file: like every output (SPEC §6), it is opened before the first row
        // is read, so the run exits 73 with nothing loaded and no store made.
        let run = try CardUploadBinary.run(["process", file, "--db", db, "--metrics", folder.path("missing/m.prom")], in: folder.url)
        #expect(run.status == 73, "\(run.stderr)")
        #expect(run.stderr.contains("missing/m.prom"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db), "nothing is loaded when the metrics file cannot be made")
        // process-dir alike: the file waits in INBOX, the store is not made, the cron log says 73.
        let inbox = folder.path("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: false)
        try Self.csv(["b1"]).write(toFile: inbox + "/b.csv", atomically: true, encoding: .utf8)
        let dir = try CardUploadBinary.run(
            ["process-dir", inbox, "--db", db, "--metrics", folder.path("missing/m.prom")], in: folder.url)
        #expect(dir.status == 73, "\(dir.stderr)")
        #expect(!dir.stderr.contains("done"), "\(dir.stderr)")
        #expect(FileManager.default.fileExists(atPath: inbox + "/b.csv"))
        #expect(!FileManager.default.fileExists(atPath: db))
    }
}
