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
        let elapsed = now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let text = TerminalFormat.progressLine(name: name, bytes: bytes, total: total, rows: rows, seconds: seconds, width: width)
        Console.writeAll(STDERR_FILENO, "\r" + text + "\u{1B}[K")
        drawn = true
    }

    /// Erases the line before the summary is printed.
    func clear() {
        guard drawn else { return }
        Console.writeAll(STDERR_FILENO, "\r\u{1B}[K")
        drawn = false
    }
}
