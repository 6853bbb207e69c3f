import CardUploadLoad
import CardUploadReport
import Foundation

/// `--metrics PATH` (SPEC §10): the run's metrics for node_exporter's textfile collector, written after it to
/// the file opened (`RunMetrics.open`) before it.
enum Monitoring {
    /// Writes the metrics of a run that ends with `exit`; a file that cannot be written is said on stderr
    /// and makes the run's exit code 73 (unless a stronger one applies).
    static func write(
        _ output: OutputFile, exit: ExitCode, started: ContinuousClock.Instant, console: Console, adding: (inout RunMetrics) -> Void
    ) -> ExitCode {
        let elapsed = (ContinuousClock.now - started).components
        var metrics = RunMetrics(
            finishedAt: Date().timeIntervalSince1970,
            seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18, exitCode: exit.rawValue)
        adding(&metrics)
        do {
            try metrics.write(to: output)
            return exit
        } catch {
            console.err("Error: \(TerminalText.safe(error.description))\n")
            return exit.combined(with: .cannotCreateOutput)
        }
    }
}
