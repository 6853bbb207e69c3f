import CardUploadLoad
import CardUploadModel
import CardUploadReport
import Foundation

/// The self-updating progress line on stderr while a file is read on a terminal: bytes read of the total,
/// rows per second and the time left. Only made when stderr is a terminal that says its width (ioctl
/// `TIOCGWINSZ`; `COLUMNS` is not read: a stale exported value would lie after a resize), `TERM` is not
/// `dumb`, and `--quiet` was not given — so no escape sequence ever reaches a file, a pipe or a dumb
/// terminal. The line is cut to the width at each redraw (the terminal may be resized), so it never wraps.
final class ProgressLine: ProgressSink {
    private let name: String
    private let started = ContinuousClock.now
    private var lastDrawn = ContinuousClock.now
    private var drawn = false

    /// A progress line for `file`, or nil when it should not be drawn.
    static func make(file: String, quiet: Bool) -> ProgressLine? {
        guard !quiet, isatty(STDERR_FILENO) == 1, ProcessInfo.processInfo.environment["TERM"] != "dumb",
              SystemCall.terminalColumns(STDERR_FILENO) != nil else { return nil }
        return ProgressLine(name: file == "-" ? "standard input" : file)
    }

    private init(name: String) {
        self.name = TerminalText.safe(name)
    }

    /// Redraws at most four times a second.
    func update(bytes: Int, total: Int?, rows: Int) {
        let now = ContinuousClock.now
        guard now - lastDrawn >= .milliseconds(250) else { return }
        lastDrawn = now
        // A terminal that no longer says its width gets no line (and the one drawn is erased).
        guard let width = SystemCall.terminalColumns(STDERR_FILENO) else { return clear() }
        let text = Self.text(name: name, bytes: bytes, total: total, rows: rows, seconds: Self.seconds(now - started), width: width)
        Console.writeAll(STDERR_FILENO, "\r" + text + "\u{1B}[K")
        drawn = true
    }

    /// Erases the line before the summary is printed.
    func clear() {
        guard drawn else { return }
        Console.writeAll(STDERR_FILENO, "\r\u{1B}[K")
        drawn = false
    }

    /// The line for a terminal `width` columns wide: at most `width - 1` columns (a character in the last
    /// column would leave the cursor waiting to wrap), the file's name shortened first, then the figures.
    static func text(name: String, bytes: Int, total: Int?, rows: Int, seconds elapsed: Double, width: Int) -> String {
        var figures = ": \(megabytes(bytes))"
        if let total, total > 0 {
            figures += " of \(megabytes(total)) (\(min(100, bytes * 100 / total))%)"
        }
        let rate = elapsed > 0 ? Int(Double(rows) / elapsed) : 0
        figures += ", \(TerminalFormat.count(rows, "row")), \(TerminalFormat.number(rate)) rows/s"
        if let total, total > 0, bytes > 0, elapsed > 0 {
            let remaining = Int(elapsed * Double(total - bytes) / Double(bytes))
            figures += ", ETA \(remaining / 60):\(String(format: "%02d", remaining % 60))"
        }
        let room = width - 1
        let nameRoom = max(12, room - TerminalFormat.columns(figures))
        return TerminalFormat.cut(TerminalFormat.cut(name, toColumns: nameRoom) + figures, toColumns: room)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}
