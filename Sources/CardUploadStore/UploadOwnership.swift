import CardUploadRules
import Foundation

/// Tells a running upload's live owner from a dead one, as SPEC §5 asks: each running upload holds a
/// write lock on one byte (its slot) of `<db>-uploads.lock`. The lock is an open-file-description lock,
/// so the kernel drops it when the process ends however it ends (SIGKILL included), and it works across
/// PID namespaces and containers that share the file — where a pid or a host name would mislead.
package final class UploadOwnership {
    private static let getLock: Int32 = 36  // F_OFD_GETLK (Linux)
    private static let setLock: Int32 = 37  // F_OFD_SETLK (Linux)

    private let lockPath: String
    private var descriptor: Int32 = -1

    /// The lock file beside the database at `databasePath` — its real path (`Database.realPath`), so that
    /// every spelling of one store (a symbolic link, `./`) finds the same lock file and sees the same
    /// running uploads (SPEC §5).
    package init(databasePath: String) {
        lockPath = databasePath + "-uploads.lock"
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Claims a free slot for a new upload and returns the owner text to record, `slot:N host:pid`.
    /// When the lock file cannot be used the owner is recorded without a slot (and then always counts as alive).
    package func claim() -> String {
        let identity = "\(ProcessIdentity.hostName):\(getpid())"
        if descriptor < 0 {
            descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        }
        guard descriptor >= 0 else { return identity }
        for _ in 0..<64 {
            let slot = Int64.random(in: 0..<(1 << 40))
            var lock = Self.lock(type: F_WRLCK, slot: slot)
            if fcntl(descriptor, Self.setLock, &lock) == 0 {
                return "slot:\(slot) \(identity)"
            }
        }
        return identity
    }

    /// Releases every slot this process holds (the upload finished).
    package func releaseAll() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
    }

    /// False only when `owner` names a slot that nobody holds: its process is certainly gone.
    /// `databasePath` is the store's real path, as for `init`. A lock file that is a symbolic link is
    /// never followed (nor created through): every owner then counts as alive.
    package static func isAlive(_ owner: String?, databasePath: String) -> Bool {
        guard let owner else { return false }
        guard owner.hasPrefix("slot:"),
              let slotText = owner.dropFirst(5).split(separator: " ").first,
              let slot = Int64(slotText) else {
            return true
        }
        let descriptor = open(databasePath + "-uploads.lock", O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return errno != ENOENT }
        defer { close(descriptor) }
        var lock = Self.lock(type: F_WRLCK, slot: slot)
        guard fcntl(descriptor, getLock, &lock) == 0 else { return true }
        return lock.l_type != F_UNLCK
    }

    private static func lock(type: Int32, slot: Int64) -> flock {
        var lock = flock()
        lock.l_type = Int16(type)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = off_t(slot)
        lock.l_len = 1
        lock.l_pid = 0
        return lock
    }
}
