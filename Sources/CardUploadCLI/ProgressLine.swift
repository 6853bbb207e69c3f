import CardUploadLoad
import CardUploadReport
import Foundation

/// The self-updating progress line on stderr while a file is read on a terminal: bytes read of the total,
/// rows per second and the time left. Only made when stderr is a terminal and `--quiet` was not given.
final class ProgressLine: ProgressSink {
    private let name: String
    private let started = ContinuousClock.now
    private var lastDrawn = ContinuousClock.now
    private var drawn = false

    /// A progress line for `file`, or nil when it should not be drawn.
    static func make(file: String, quiet: Bool) -> ProgressLine? {
        !quiet && isatty(STDERR_FILENO) == 1 ? ProgressLine(name: file == "-" ? "standard input" : file) : nil
    }

    private init(name: String) {
        self.name = TerminalText.safe(name)
    }

    /// Redraws at most four times a second.
    func update(bytes: Int, total: Int?, rows: Int) {
        let now = ContinuousClock.now
        guard now - lastDrawn >= .milliseconds(250) else { return }
        lastDrawn = now
        let elapsed = Self.seconds(now - started)
        var text = "\r\(name): \(Self.megabytes(bytes))"
        if let total, total > 0 {
            text += " of \(Self.megabytes(total)) (\(min(100, bytes * 100 / total))%)"
        }
        text += ", \(rows) rows, \(elapsed > 0 ? Int(Double(rows) / elapsed) : 0) rows/s"
        if let total, total > 0, bytes > 0, elapsed > 0 {
            let remaining = Int(elapsed * Double(total - bytes) / Double(bytes))
            text += ", ETA \(remaining / 60):\(String(format: "%02d", remaining % 60))"
        }
        Console.writeAll(STDERR_FILENO, text + "\u{1B}[K")
        drawn = true
    }

    /// Erases the line before the summary is printed.
    func clear() {
        guard drawn else { return }
        Console.writeAll(STDERR_FILENO, "\r\u{1B}[K")
        drawn = false
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}
