import CardUploadModel
import CardUploadReport
import Foundation

/// Moves a file into a `process-dir` folder (DONE, FAILED, REPORTS) without ever replacing a name there:
/// when the name is taken, `.<upload_id>` goes before its known suffix (`InboxNames.inserting`). Within a
/// file system the move is a hard link then an unlink, which the kernel refuses when the name exists; across
/// file systems the file is copied beside its target, synced, linked into place, and only then removed.
enum InboxPlacement {
    /// Moves `source` into `directory` as `name` (or its `.<uploadID>` form when `name` is taken) and
    /// returns the path it now has. The folder is synced, so the move survives a crash.
    static func move(_ source: String, into directory: String, as name: String, uploadID: String) throws(OutputError) -> String {
        let candidates = [name, InboxNames.inserting(uploadID, into: name)]
            + (2...9).map { InboxNames.inserting("\(uploadID)-\($0)", into: name) }
        // What is linked into place: the source itself, or its synced copy on the target's file system.
        var placed = source
        defer { if placed != source { unlink(placed) } }
        var index = 0
        while index < candidates.count {
            let target = directory + "/" + candidates[index]
            let result = linkWithoutReplacing(placed, at: target)
            if result == 0 {
                if placed != source { unlink(placed) }
                placed = source
                syncDirectory(directory)
                // Only now, with the file safe under its new name, does the original go.
                guard unlink(source) == 0 || errno == ENOENT else {
                    throw OutputError(path: source, reason: "copied to \(target) but not removed: \(SystemCall.errorText())")
                }
                syncDirectory((source as NSString).deletingLastPathComponent)
                return target
            }
            switch result {
            case EEXIST:
                index += 1
            case EXDEV where placed == source:
                placed = try copyBeside(source, in: directory)
            default:
                throw OutputError(path: target, reason: SystemCall.errorText(result))
            }
        }
        throw OutputError(path: directory + "/" + name, reason: "every name tried is taken")
    }

    /// Gives `file` the name `target` unless that name exists (EEXIST); 0 or the errno. A hard link is
    /// refused by the kernel when the name is taken; on a file system without hard links, the name is
    /// checked and the file renamed (the INBOX lock keeps other runs out).
    private static func linkWithoutReplacing(_ file: String, at target: String) -> Int32 {
        if link(file, target) == 0 { return 0 }
        let linkError = errno
        guard linkError == EPERM || linkError == ENOTSUP || linkError == EMLINK else { return linkError }
        var info = stat()
        if lstat(target, &info) == 0 { return EEXIST }
        // The rename takes `file` away; the caller's later unlink of it then finds nothing, harmlessly.
        return rename(file, target) == 0 ? 0 : errno
    }

    /// Copies `source` to a hidden file in `directory` (same permissions), synced; returns its path.
    private static func copyBeside(_ source: String, in directory: String) throws(OutputError) -> String {
        let name = (source as NSString).lastPathComponent
        let temporary = directory + "/.\(name).\(getpid()).part"
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw OutputError(path: source, reason: SystemCall.errorText()) }
        defer { close(input) }
        var info = stat()
        fstat(input, &info)
        unlink(temporary)
        let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, info.st_mode & 0o777)
        guard output >= 0 else { throw OutputError(path: temporary, reason: SystemCall.errorText()) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        func fail(_ path: String, _ code: Int32 = errno) -> OutputError {
            let error = OutputError(path: path, reason: SystemCall.errorText(code))
            close(output)
            unlink(temporary)
            return error
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { SystemCall.readRetrying(input, $0) }
            if count < 0 { throw fail(source) }
            if count == 0 { break }
            if let failure = buffer.withUnsafeBytes({ SystemCall.writeAll(output, UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }) {
                throw fail(temporary, failure)
            }
        }
        guard fsync(output) == 0 else { throw fail(temporary) }
        guard close(output) == 0 else {
            let error = OutputError(path: temporary, reason: SystemCall.errorText())
            unlink(temporary)
            throw error
        }
        return temporary
    }

    /// Syncs a folder, so the names just added or removed in it survive a crash.
    static func syncDirectory(_ path: String) {
        let descriptor = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
