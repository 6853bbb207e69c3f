import CardUploadModel
import CardUploadReport
import Foundation

/// Buffered standard output for listings: a reader that goes away (EPIPE) ends the listing quietly with
/// exit 0; any other write failure (a full disk, /dev/full) is an output error (exit 73).
final class StandardOutput {
    private struct Closed: Error {}

    private var buffer: [UInt8] = []

    init() {
        // A closed pipe must not kill us with SIGPIPE: the write fails with EPIPE instead.
        signal(SIGPIPE, SIG_IGN)
        buffer.reserveCapacity(1 << 16)
    }

    /// Runs `body` with an `emit` function that buffers text; flushes at the end.
    func stream(_ body: (_ emit: (String) throws -> Void) throws -> Void) throws {
        do {
            try body { text in
                buffer.append(contentsOf: text.utf8)
                if buffer.count >= 1 << 16 { try flush() }
            }
            try flush()
        } catch is Closed {
            return
        }
    }

    private func flush() throws {
        if let failure = SystemCall.writeAll(STDOUT_FILENO, buffer) {
            if failure == EPIPE { throw Closed() }
            throw OutputError(path: "standard output", reason: SystemCall.errorText(failure))
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
