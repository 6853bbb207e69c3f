import CardUploadModel
import CardUploadReport
import Foundation

/// Moves an entry between `process-dir` folders (INBOX, the working folder, DONE, FAILED, REPORTS) without
/// ever replacing a name there: when the name is taken, `.<upload_id>` goes before its known suffix
/// (`InboxNames.inserting`). Every call is relative to the folders' descriptors. Within a file system the
/// move is a hard link then an unlink, which the kernel refuses when the name exists; where a hard link is
/// not allowed (a file system without them, `protected_hardlinks` for a file the job does not own) the
/// name is checked and the entry renamed; across file systems a regular file is copied beside its target,
/// synced, linked into place, and only then removed. The entry itself is moved: a link is never followed.
enum InboxPlacement {
    /// Moves `name` from `source` into `target` as `newName` (or its `.<uploadID>` form when that is taken)
    /// and returns the name it now has there. Both folders are synced, so the move survives a crash.
    static func move(
        _ name: String, from source: InboxFolder, into target: InboxFolder, as newName: String, uploadID: String
    ) throws(OutputError) -> String {
        let candidates = [newName, InboxNames.inserting(uploadID, into: newName)]
            + (2...9).map { InboxNames.inserting("\(uploadID)-\($0)", into: newName) }
        // What is linked into place: the entry itself, or its synced copy on the target's file system.
        var copy: String?
        defer { if let copy { unlinkat(target.descriptor, copy, 0) } }
        for candidate in candidates {
            var result = copy.map { linkWithoutReplacing(target, $0, target, candidate) }
                ?? linkWithoutReplacing(source, name, target, candidate)
            if result == EXDEV, copy == nil {
                copy = try copyBeside(name, from: source, into: target)
                result = linkWithoutReplacing(target, copy!, target, candidate)
            }
            switch result {
            case 0:
                target.sync()
                // Only now, with the entry safe under its new name, does the old name go.
                guard unlinkat(source.descriptor, name, 0) == 0 || errno == ENOENT else {
                    throw OutputError(
                        path: source.display(name), reason: "placed as \(target.display(candidate)) but not removed: \(SystemCall.errorText())")
                }
                source.sync()
                return candidate
            case EEXIST:
                continue
            default:
                throw OutputError(path: target.display(candidate), reason: SystemCall.errorText(result))
            }
        }
        throw OutputError(path: target.display(newName), reason: "every name tried is taken")
    }

    /// Gives the entry `name` of `source` the name `newName` in `target` unless that name exists (EEXIST);
    /// 0 or the errno. The entry stays under its old name too when linked (the caller removes it).
    private static func linkWithoutReplacing(
        _ source: InboxFolder, _ name: String, _ target: InboxFolder, _ newName: String
    ) -> Int32 {
        if linkat(source.descriptor, name, target.descriptor, newName, 0) == 0 { return 0 }
        let linkError = errno
        guard linkError == EPERM || linkError == ENOTSUP || linkError == EMLINK || linkError == EACCES else { return linkError }
        if target.entry(newName) != nil { return EEXIST }
        // The rename takes the entry away; the caller's later unlink of it then finds nothing, harmlessly.
        return renameat(source.descriptor, name, target.descriptor, newName) == 0 ? 0 : errno
    }

    /// Copies the regular file `name` of `source` to a hidden file in `target` (same permissions), synced —
    /// a link or a FIFO is made again there — and returns its name. Anything else is not copied (EXDEV).
    private static func copyBeside(_ name: String, from source: InboxFolder, into target: InboxFolder) throws(OutputError) -> String {
        let temporary = LeftoverFiles.temporaryName(for: name, ending: ".part")
        // A link or a FIFO is made again as it is, never opened: a link with its target text, a FIFO empty.
        if let entry = source.entry(name), entry.st_mode & S_IFMT == S_IFLNK || entry.st_mode & S_IFMT == S_IFIFO {
            unlinkat(target.descriptor, temporary, 0)
            var made: Int32 = -1
            if entry.st_mode & S_IFMT == S_IFIFO {
                made = mkfifoat(target.descriptor, temporary, entry.st_mode & 0o777)
            } else {
                var text = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let length = readlinkat(source.descriptor, name, &text, text.count - 1)
                if length >= 0 {
                    text[length] = 0
                    made = symlinkat(text, target.descriptor, temporary)
                }
            }
            guard made == 0 else { throw OutputError(path: target.display(temporary), reason: SystemCall.errorText()) }
            return temporary
        }
        let input = openat(source.descriptor, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard input >= 0 else { throw OutputError(path: source.display(name), reason: SystemCall.errorText()) }
        defer { SystemCall.close(input) }
        var info = stat()
        guard fstat(input, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw OutputError(path: target.display(name), reason: SystemCall.errorText(EXDEV))
        }
        unlinkat(target.descriptor, temporary, 0)
        let output = openat(target.descriptor, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, info.st_mode & 0o777)
        guard output >= 0 else { throw OutputError(path: target.display(temporary), reason: SystemCall.errorText()) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        func fail(_ path: String, _ code: Int32 = errno) -> OutputError {
            let error = OutputError(path: path, reason: SystemCall.errorText(code))
            SystemCall.close(output)
            unlinkat(target.descriptor, temporary, 0)
            return error
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { SystemCall.readRetrying(input, $0) }
            if count < 0 { throw fail(source.display(name)) }
            if count == 0 { break }
            if let failure = buffer.withUnsafeBytes({ SystemCall.writeAll(output, UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }) {
                throw fail(target.display(temporary), failure)
            }
        }
        guard fsync(output) == 0 else { throw fail(target.display(temporary)) }
        guard SystemCall.close(output) == 0 else {
            let error = OutputError(path: target.display(temporary), reason: SystemCall.errorText())
            unlinkat(target.descriptor, temporary, 0)
            throw error
        }
        return temporary
    }
}
