import CardUploadModel
import Foundation

/// Where the CLI writes: data to `out`, everything else to `err`. Tests inject closures to capture both.
package struct Console: Sendable {
    package var out: @Sendable (String) -> Void
    package var err: @Sendable (String) -> Void

    package init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
        self.out = out
        self.err = err
    }

    /// The process's standard output and standard error, unbuffered writes. A failed write to standard
    /// output (other than a reader that went away) is remembered: the run then exits 73.
    package static let standard = Console(
        out: { text in
            if !writeAll(STDOUT_FILENO, text), errno != EPIPE { StandardOutputFailure.errorNumber = errno }
        },
        err: { writeAll(STDERR_FILENO, $0) })

    /// Writes every byte of `text` to `descriptor`; false when the write failed (EPIPE, ENOSPC…).
    @discardableResult
    static func writeAll(_ descriptor: Int32, _ text: String) -> Bool {
        SystemCall.writeAll(descriptor, text) == nil
    }
}

/// Whether a write to standard output failed (a full disk, `/dev/full`) — exit 73.
enum StandardOutputFailure {
    /// The errno of the first failed write, 0 while none failed.
    nonisolated(unsafe) static var errorNumber: Int32 = 0
}
