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
        var written = 0
        while written < buffer.count {
            let result = buffer.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress! + written, $0.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { throw Closed() }
                throw OutputError(path: "standard output", reason: String(cString: strerror(errno)))
            }
            written += result
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
