import CardUploadModel
import Foundation

/// A folder of a `process-dir` run, held open by a descriptor (`O_DIRECTORY|O_NOFOLLOW`) for the whole run:
/// every name made, moved or read in it goes through that descriptor, so renaming the folder away or putting
/// a link in its place while the run goes on changes nothing for the run (SPEC §1, INBOX is a trust boundary).
package final class InboxFolder {
    /// The path as given, for messages and the cron log.
    package let path: String
    /// The open folder.
    let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        SystemCall.close(descriptor)
    }

    /// Opens INBOX (the uploader's folder: any owner), without following a link.
    static func inbox(_ path: String) throws(InboxError) -> InboxFolder {
        let descriptor = SystemCall.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno
            switch reason {
            case ENOENT: throw InboxError(kind: .inputUnavailable, message: "INBOX not found: \(path)")
            case ELOOP: throw InboxError(kind: .inputUnavailable, message: "INBOX is a symbolic link: \(path); give the folder's own path")
            case ENOTDIR: throw InboxError(kind: .inputUnavailable, message: "INBOX is not a folder: \(path)")
            default: throw InboxError(kind: .inputUnavailable, message: "cannot open INBOX \(path): \(SystemCall.errorText(reason))")
            }
        }
        return InboxFolder(path: path, descriptor: descriptor)
    }

    /// Takes the run's lock: `flock` on this folder itself — the working folder, which only the job can
    /// open, so an uploader cannot hold it (INBOX is the uploader's: a lock on it could be held for ever),
    /// and there is no lock file to replace, delete or link. A run holding it is the only run on INBOX.
    func lock(inbox: String) throws(InboxError) {
        guard let reason = SystemCall.flockRetrying(descriptor, LOCK_EX | LOCK_NB) else { return }
        if reason == EWOULDBLOCK {
            throw InboxError(kind: .busy, message: "another process-dir run holds the lock on INBOX \(inbox) (its working folder \(path)); try again later")
        }
        throw InboxError(kind: .outputUnavailable, message: "cannot lock \(path): \(SystemCall.errorText(reason))")
    }

    /// Opens one of the job's own folders (DONE, FAILED, REPORTS, the working folder), created 0700 when
    /// missing: it must be a folder, not a link, owned by the user the job runs as and writable by no one
    /// else — otherwise the run stops before touching any file (73, naming the folder and what is wrong).
    /// `parent` is INBOX when the folder is INBOX's own default one (opened relative to INBOX's descriptor).
    static func owned(_ path: String, role: String, in parent: InboxFolder? = nil, name: String? = nil) throws(InboxError) -> InboxFolder {
        func fail(_ what: String) -> InboxError {
            InboxError(kind: .outputUnavailable, message: "the \(role) folder \(path) \(what)")
        }
        func openFolder() -> Int32 {
            if let parent, let name {
                return openat(parent.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            return SystemCall.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        var descriptor = openFolder()
        if descriptor < 0, errno == ENOENT {
            let made: Int32
            if let parent, let name {
                made = mkdirat(parent.descriptor, name, 0o700)
            } else {
                made = (try? FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])) != nil ? 0 : -1
            }
            if made != 0, errno != EEXIST {
                throw fail("cannot be created: \(SystemCall.errorText())")
            }
            descriptor = openFolder()
        }
        guard descriptor >= 0 else {
            let reason = errno
            // O_DIRECTORY|O_NOFOLLOW on a link gives ELOOP or ENOTDIR: look at the entry itself to say which.
            var entry = stat()
            let isLink = parent.map { fstatat($0.descriptor, name ?? "", &entry, AT_SYMLINK_NOFOLLOW) == 0 }
                ?? (lstat(path, &entry) == 0)
            if reason == ELOOP || (isLink && entry.st_mode & S_IFMT == S_IFLNK) {
                throw fail("is a symbolic link; the job writes only into folders of its own")
            }
            if reason == ENOTDIR { throw fail("is not a folder") }
            throw fail("cannot be opened: \(SystemCall.errorText(reason))")
        }
        let folder = InboxFolder(path: path, descriptor: descriptor)
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw fail("cannot be examined: \(SystemCall.errorText())") }
        guard info.st_uid == geteuid() else {
            throw fail("is owned by user \(info.st_uid), not by the user the job runs as (\(geteuid())); make it the job's own (chown) or name another")
        }
        guard info.st_mode & 0o022 == 0 else {
            throw fail("is writable by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod go-w it")
        }
        return folder
    }

    /// A new, empty folder of the job's inside this one (0700), opened.
    func makeFolder(_ name: String) -> InboxFolder? {
        guard mkdirat(descriptor, name, 0o700) == 0 else { return nil }
        let opened = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        return opened >= 0 ? InboxFolder(path: path + "/" + name, descriptor: opened) : nil
    }

    /// The folder `name` inside this one, opened without following a link; nil when it is not one.
    func folder(_ name: String) -> InboxFolder? {
        let opened = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        return opened >= 0 ? InboxFolder(path: path + "/" + name, descriptor: opened) : nil
    }

    /// A path that reaches `name` through this folder's descriptor (`/proc/self/fd/N/name` on Linux), for
    /// code that takes a path: it names the folder the run opened, wherever the folder is now.
    func reach(_ name: String) -> String {
        Self.procFileDescriptors ? "/proc/self/fd/\(descriptor)/\(name)" : path + "/" + name
    }

    /// A path that reaches the file open as `descriptor` itself (`/proc/self/fd/N` on Linux), nil elsewhere.
    static func reach(descriptor: Int32) -> String? {
        procFileDescriptors ? "/proc/self/fd/\(descriptor)" : nil
    }

    /// The path for the cron log and reports.
    func display(_ name: String) -> String {
        (path == "/" ? "" : path) + "/" + name
    }

    /// What `name` is in this folder, not following a link; nil when it is not there.
    func entry(_ name: String) -> stat? {
        var info = stat()
        return fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 ? info : nil
    }

    /// The names in this folder (`.` and `..` left out), as raw bytes.
    func names() throws(InboxError) -> [[UInt8]] {
        let copy = dup(descriptor)
        guard copy >= 0, let stream = fdopendir(copy) else {
            throw InboxError(kind: .inputUnavailable, message: "cannot read \(path): \(SystemCall.errorText())")
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [[UInt8]] = []
        while let entry = readdir(stream) {
            let raw = withUnsafeBytes(of: entry.pointee.d_name) { buffer in Array(buffer.prefix { $0 != 0 }) }
            if raw == [0x2E] || raw == [0x2E, 0x2E] { continue }
            names.append(raw)
        }
        return names
    }

    /// Removes the (empty) folder `name` inside this one.
    func removeFolder(_ name: String) {
        unlinkat(descriptor, name, AT_REMOVEDIR)
    }

    /// Syncs the folder, so the names just added or removed in it survive a crash.
    func sync() {
        fsync(descriptor)
    }

    /// Whether `/proc/self/fd/N/` reaches a folder through its descriptor here (Linux).
    private static let procFileDescriptors: Bool = {
        var info = stat()
        return stat("/proc/self/fd", &info) == 0
    }()
}
