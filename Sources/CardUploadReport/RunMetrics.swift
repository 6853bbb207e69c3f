import CardUploadStore
import Foundation

/// What a run leaves for monitoring (SPEC §10, `--metrics PATH`): a file in Prometheus' text exposition
/// format 0.0.4 for node_exporter's textfile collector, written like every output (a temporary file beside
/// it, renamed into place: the collector never reads half a file), readable by all (the collector runs as
/// another user; the file holds no card data).
package struct RunMetrics: Sendable {
    /// When the run ended, in seconds since the Unix epoch.
    package var finishedAt: Double
    /// How long the run took, in seconds.
    package var seconds: Double
    /// The run's exit code (SPEC §1).
    package var exitCode: Int32
    /// The rows of every file by outcome; created and updated only where they were committed.
    package var rows = UploadCounts()
    /// `process-dir`: the files done, failed and left in INBOX for the next run.
    package var files: (done: Int, failed: Int, left: Int)?

    package init(finishedAt: Double, seconds: Double, exitCode: Int32) {
        self.finishedAt = finishedAt
        self.seconds = seconds
        self.exitCode = exitCode
    }

    /// The exposition text: each metric family with its `# HELP` and `# TYPE` lines, gauges all.
    package var text: String {
        var text = ""
        func family(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            text += "# HELP card_upload_\(name) \(help)\n# TYPE card_upload_\(name) gauge\n"
            for sample in samples { text += "card_upload_\(name)\(sample.labels) \(sample.value)\n" }
        }
        family("last_run_timestamp_seconds", "When the last card-upload run ended, in seconds since the Unix epoch.",
               [("", Self.decimal(finishedAt))])
        family("last_run_duration_seconds", "How long the last card-upload run took, in seconds.", [("", Self.decimal(seconds))])
        family("last_run_exit_code", "The exit code of the last card-upload run (0: every row loaded; 1: rows rejected).",
               [("", String(exitCode))])
        family("last_run_rows", "Rows of the last card-upload run by outcome (created and updated only where committed).", [
            ("{outcome=\"created\"}", String(rows.created)), ("{outcome=\"replayed\"}", String(rows.replayed)),
            ("{outcome=\"updated\"}", String(rows.updated)), ("{outcome=\"rejected\"}", String(rows.rejected)),
        ])
        if let files {
            family("last_run_files", "Files of the last card-upload process-dir run: done, failed, left in INBOX for the next run.", [
                ("{result=\"done\"}", String(files.done)), ("{result=\"failed\"}", String(files.failed)),
                ("{result=\"left\"}", String(files.left)),
            ])
        }
        return text
    }

    /// Opens the metrics file at `path` (a temporary file beside it, mode 0644: node_exporter reads it as another
    /// user, and it holds no card data), before the run, like every output: one that cannot be created fails
    /// before anything is loaded.
    package static func open(_ path: String) throws(OutputError) -> OutputFile {
        try OutputFile(path: path, permissions: 0o644)
    }

    /// Writes the metrics into `output` (from `open`) and renames it into place.
    package func write(to output: OutputFile) throws(OutputError) {
        try output.write(text)
        try output.commit()
    }

    /// Writes the file: a temporary file beside `path`, renamed into place.
    package func write(to path: String) throws(OutputError) {
        try write(to: Self.open(path))
    }

    /// A number as Prometheus reads it, to the millisecond.
    private static func decimal(_ value: Double) -> String {
        value.isFinite ? String(format: "%.3f", value) : "NaN"
    }
}
