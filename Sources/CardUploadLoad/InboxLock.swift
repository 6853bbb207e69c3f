import CardUploadModel
import Foundation

/// The lock that keeps two `process-dir` runs out of one INBOX: `flock` on `INBOX/.card-upload.lock`,
/// held until the run ends (the kernel drops it however the process ends).
final class InboxLock {
    /// The lock file's path.
    let path: String
    private let descriptor: Int32

    /// Takes the lock without waiting: another run holding it is exit 75, a lock file that cannot be
    /// created or opened is 73 (INBOX is not writable, so nothing could be moved either).
    init(inbox: String) throws(InboxError) {
        path = inbox + "/.card-upload.lock"
        let opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard opened >= 0 else {
            throw InboxError(kind: .outputUnavailable, message: "cannot open the lock file \(path): \(SystemCall.errorText())")
        }
        if let reason = SystemCall.flockRetrying(opened, LOCK_EX | LOCK_NB) {
            close(opened)
            if reason == EWOULDBLOCK {
                throw InboxError(kind: .busy, message: "another process-dir run holds \(path); try again later")
            }
            throw InboxError(kind: .outputUnavailable, message: "cannot lock \(path): \(SystemCall.errorText(reason))")
        }
        descriptor = opened
    }

    deinit {
        close(descriptor)
    }
}
