import Foundation

/// Where the CLI writes: data to `out`, everything else to `err`. Tests inject closures to capture both.
package struct Console: Sendable {
    package var out: @Sendable (String) -> Void
    package var err: @Sendable (String) -> Void

    package init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
        self.out = out
        self.err = err
    }

    /// The process's standard output and standard error, unbuffered writes.
    package static let standard = Console(
        out: { writeAll(STDOUT_FILENO, $0) },
        err: { writeAll(STDERR_FILENO, $0) })

    /// Writes every byte of `text` to `descriptor`; false when the write failed (EPIPE, ENOSPC…).
    @discardableResult
    static func writeAll(_ descriptor: Int32, _ text: String) -> Bool {
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                return false
            }
            written += result
        }
        bytes.removeAll()
        return true
    }
}
