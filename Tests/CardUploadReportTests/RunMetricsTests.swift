import CardUploadReport
import CardUploadStore
import Testing

/// The metrics file's text (its values and parsing are checked end to end with Prometheus' own parser).
@Suite struct RunMetricsTests {
    @Test func everyFamilyHasHelpAndTypeAndTheFilesOnlyForAnInbox() {
        var metrics = RunMetrics(finishedAt: 1_765_000_000.25, seconds: 0.5, exitCode: 1)
        metrics.rows.created = 22
        metrics.rows.rejected = 14
        let text = metrics.text
        for name in ["timestamp_seconds", "duration_seconds", "exit_code", "rows"] {
            #expect(text.contains("# HELP card_upload_last_run_\(name) "), "\(name)")
            #expect(text.contains("# TYPE card_upload_last_run_\(name) gauge\n"), "\(name)")
        }
        #expect(text.contains("card_upload_last_run_timestamp_seconds 1765000000.250\n"))
        #expect(text.contains("card_upload_last_run_exit_code 1\n"))
        #expect(text.contains("card_upload_last_run_rows{outcome=\"created\"} 22\n"))
        #expect(text.contains("card_upload_last_run_rows{outcome=\"rejected\"} 14\n"))
        #expect(!text.contains("last_run_files"))
        metrics.files = (done: 2, failed: 1, left: 0)
        #expect(metrics.text.contains("# TYPE card_upload_last_run_files gauge\ncard_upload_last_run_files{result=\"done\"} 2\n"))
        #expect(metrics.text.hasSuffix("card_upload_last_run_files{result=\"left\"} 0\n"))
    }
}
