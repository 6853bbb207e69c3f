import CSQLite
import CardUploadModel
import Foundation

/// The store's file as SPEC §5 wants it, checked before SQLite opens it: one file under one name.
///
/// - A database file with more than one hard link is refused: SQLite keeps its `-wal` and `-shm` beside
///   the name it was given, so two names are two WALs over one file — two loads through them corrupt it.
/// - The store is known by its real path (symbolic links and `./` resolved), which SQLite opens and the
///   per-upload lock file (`UploadOwnership`) is found beside, so every spelling of one store sees the
///   same WAL and the same running uploads.
/// - A `-wal`, `-shm` or `-journal` already beside it that is a symbolic link or not a regular file, is
///   owned by someone other than this user and the database's owner, or has group or other permission
///   bits is refused: SQLite would read it into the store (and go on writing card data into it).
/// - A read-only open of a store whose folder this user cannot write and that has no `-wal` (read-only
///   media, a store handed over read-only) opens it immutable: SQLite would otherwise need to create the
///   `-shm` and fail with "No such file or directory".
///
/// The descriptor stays open while SQLite opens the file, so `confirmUnchanged` can tell that SQLite got
/// the same file, still with one name.
package final class StoreFile {
    /// The name the caller gave.
    package let path: String
    /// The store's real path: symbolic links resolved, absolute.
    package let realPath: String
    /// What to pass to `sqlite3_open_v2`: the real path, or an immutable `file:` URI.
    package let sqliteName: String
    /// True when `sqliteName` is an immutable URI (open it with `SQLITE_OPEN_URI`).
    package let isImmutable: Bool
    private var descriptor: Int32
    private let identity: (device: dev_t, inode: ino_t)

    /// The files SQLite keeps beside a database, each read into it when present.
    package static let companionSuffixes = ["-wal", "-shm", "-journal"]

    /// What `--db` naming a folder is told (not "read-only", which is what opening it for writing says).
    private static func folderMessage(_ path: String) -> String {
        "the database \(path) is a folder: name a file in it (\(path.hasSuffix("/") ? path : path + "/")cards.sqlite)"
    }

    /// Opens `path` (created, owner-only, when `create` is true), checks it and the files beside it.
    /// `isFolderWritable` says whether this user can write a folder (tests stand in for read-only media).
    package init(
        path: String, create: Bool, readOnly: Bool,
        isFolderWritable: (String) -> Bool = { access($0, W_OK) == 0 }
    ) throws(DatabaseError) {
        self.path = path
        let flags = (create ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK
        descriptor = SystemCall.open(path, flags, 0o600)
        guard descriptor >= 0 else {
            // Say which: a folder, a read-only database, a folder this user cannot write, one that does not exist.
            let code = errno
            let reason = SystemCall.errorText(code)
            let message: String
            if code == EISDIR {
                message = Self.folderMessage(path)
            } else if !create {
                message = "cannot open the database \(path) (\(reason))"
            } else if access(path, F_OK) == 0 {
                message = "the database \(path) is read-only for this user (\(reason))"
            } else {
                message = "cannot create the database \(path) (\(reason)): its folder is missing or not writable"
            }
            throw DatabaseError(resultCode: SQLITE_CANTOPEN, message: message)
        }
        var info = stat()
        var resolved: String?
        do throws(DatabaseError) {
            guard fstat(descriptor, &info) == 0 else {
                throw Self.refusal("cannot read the status of the database \(path) (\(SystemCall.errorText()))")
            }
            guard info.st_mode & S_IFMT != S_IFDIR else { throw Self.refusal(Self.folderMessage(path)) }
            guard info.st_mode & S_IFMT == S_IFREG else {
                throw Self.refusal("refusing the database \(path): it is not a regular file")
            }
            try Self.checkOneName(info, path: path)
            guard let real = realpath(path, nil) else {
                throw Self.refusal("cannot resolve the real path of the database \(path) (\(SystemCall.errorText()))")
            }
            resolved = String(cString: real)
            free(real)
        } catch {
            _ = SystemCall.close(descriptor)
            throw error
        }
        let real = resolved ?? path
        realPath = real
        identity = (info.st_dev, info.st_ino)
        do throws(DatabaseError) {
            // The real path must name the file just opened (not another one swapped in meanwhile).
            var named = stat()
            guard stat(real, &named) == 0, named.st_dev == info.st_dev, named.st_ino == info.st_ino else {
                throw Self.refusal("refusing the database \(path): its name changed while it was being opened")
            }
            try Self.checkCompanions(of: real, databaseOwner: info.st_uid)
        } catch {
            _ = SystemCall.close(descriptor)
            throw error
        }
        if readOnly, Self.opensImmutable(realPath: real, isFolderWritable: isFolderWritable) {
            sqliteName = Self.immutableURI(real)
            isImmutable = true
        } else {
            sqliteName = real
            isImmutable = false
        }
    }

    deinit {
        if descriptor >= 0 { _ = SystemCall.close(descriptor) }
    }

    /// After SQLite opened `sqliteName`: the real path still names the file checked, which still has
    /// one name. Closes the descriptor.
    package func confirmUnchanged() throws(DatabaseError) {
        defer {
            _ = SystemCall.close(descriptor)
            descriptor = -1
        }
        var held = stat(), named = stat()
        guard fstat(descriptor, &held) == 0, stat(realPath, &named) == 0,
              named.st_dev == identity.device, named.st_ino == identity.inode else {
            throw Self.refusal("refusing the database \(path): its name changed while it was being opened")
        }
        try Self.checkOneName(held, path: path)
    }

    /// Refuses a database file with more than one name (hard link).
    package static func checkOneName(_ info: stat, path: String) throws(DatabaseError) {
        guard info.st_nlink > 1 else { return }
        throw refusal(
            "refusing the database \(path): it has \(info.st_nlink) names (hard links), and SQLite keeps a"
                + " separate WAL beside each, so loads through two names corrupt it — remove the other name"
                + " (`find / -xdev -samefile \(path)` lists them) and use this one only")
    }

    /// Refuses a `-wal`, `-shm` or `-journal` beside `realPath` that SQLite should not read: a symbolic
    /// link or anything but a regular file, one owned by neither this user nor the database's owner, one
    /// with group or other permission bits. Checked with `lstat`: a link is never followed.
    package static func checkCompanions(of realPath: String, databaseOwner: uid_t) throws(DatabaseError) {
        for suffix in companionSuffixes {
            let companion = realPath + suffix
            var info = stat()
            guard lstat(companion, &info) == 0 else {
                let code = errno
                if code == ENOENT { continue }
                throw refusal("cannot check \(companion) (\(SystemCall.errorText(code)))")
            }
            let fileType = info.st_mode & S_IFMT
            if fileType == S_IFLNK {
                throw refusal(
                    "refusing the store \(realPath): its \(suffix) file \(companion) is a symbolic link;"
                        + " SQLite would read and write the file it points to — remove the link")
            }
            guard fileType == S_IFREG else {
                throw refusal("refusing the store \(realPath): its \(suffix) file \(companion) is not a regular file")
            }
            guard info.st_uid == geteuid() || info.st_uid == databaseOwner else {
                throw refusal(
                    "refusing the store \(realPath): its \(suffix) file \(companion) is owned by uid \(info.st_uid),"
                        + " not by the store's owner; SQLite would read it into the store and that user could"
                        + " read what is written — find out who made it before removing it")
            }
            let permissions = info.st_mode & 0o7777
            guard permissions & 0o077 == 0 else {
                throw refusal(
                    "refusing the store \(realPath): its \(suffix) file \(companion) has mode"
                        + " 0\(String(permissions, radix: 8)), open to group or others; a store's files are its"
                        + " owner's only — check who made it, then `chmod 600` it and the database")
            }
        }
    }

    /// Whether a read-only open of the store at `realPath` should be immutable: no `-wal` beside it (so no
    /// load is writing it, and the file alone is the whole store) and a folder this user cannot write (so
    /// SQLite could not make its `-shm`).
    package static func opensImmutable(realPath: String, isFolderWritable: (String) -> Bool) -> Bool {
        var info = stat()
        guard lstat(realPath + "-wal", &info) != 0, errno == ENOENT else { return false }
        let folder = (realPath as NSString).deletingLastPathComponent
        return !isFolderWritable(folder.isEmpty ? "/" : folder)
    }

    /// The `file:` URI that opens `realPath` read-only and immutable: every byte outside the unreserved set
    /// and `/` is %-escaped (`?`, `#` and `%` would otherwise end or change the path).
    package static func immutableURI(_ realPath: String) -> String {
        var uri = "file:"
        for byte in realPath.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"), UInt8(ascii: "/"):
                uri.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                uri += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return uri + "?mode=ro&immutable=1"
    }

    private static func refusal(_ message: String) -> DatabaseError {
        DatabaseError(resultCode: SQLITE_CANTOPEN, message: message)
    }
}
