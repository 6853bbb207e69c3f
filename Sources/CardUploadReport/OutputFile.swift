import CardUploadModel
import Foundation

/// Why an output could not be written (exit 73).
package struct OutputError: Error, Sendable, CustomStringConvertible {
    package var path: String
    package var reason: String
    /// The reader of a pipe went away (SIGPIPE, ignored, gives EPIPE): not an output error (SPEC §1).
    package var isBrokenPipe = false
    package var description: String { "cannot write \(path): \(reason)" }

    package init(path: String, reason: String, isBrokenPipe: Bool = false) {
        self.path = path
        self.reason = reason
        self.isBrokenPipe = isBrokenPipe
    }
}

/// An output file written safely: created readable by its owner only, in a temporary file beside the
/// target, renamed into place by `commit()` — so a crash never leaves half a report. A path that exists
/// and is not a regular file (`/dev/stdout`, a FIFO) is written directly; `-` is standard output. Where a
/// path leads is `OutputTarget`'s decision: never through a symbolic link to outside the output's folder.
package final class OutputFile {
    package let path: String
    private let descriptor: Int32
    private let temporaryPath: String?
    /// The name the temporary file is renamed to: `path`, or the file a link inside its folder leads to.
    private let finalPath: String
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private var finished = false
    /// A write failed: what was written is incomplete, and `commit()` must not put it in place.
    private var writeFailed = false

    /// Opens the output now (before any row is read), so a path that cannot be created fails early.
    package init(path: String) throws(OutputError) {
        self.path = path
        func failure(_ code: Int32 = errno) -> OutputError { OutputError(path: path, reason: SystemCall.errorText(code)) }
        switch try OutputTarget.resolve(path) {
        case .standardOutput:
            descriptor = STDOUT_FILENO
            temporaryPath = nil
            finalPath = path
            ownsDescriptor = false
        case .descriptor(let number):
            let flags = fcntl(number, F_GETFL)
            guard flags >= 0 else { throw failure() }
            guard flags & O_ACCMODE != O_RDONLY else { throw failure(EBADF) }
            let copy = fcntl(number, F_DUPFD_CLOEXEC, 0)
            guard copy >= 0 else { throw failure() }
            descriptor = copy
            temporaryPath = nil
            finalPath = path
            ownsDescriptor = true
        case .special(let special):
            // Not a regular file: written as it is (O_NOFOLLOW: not through a link swapped in since).
            let opened = open(special, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
            guard opened >= 0 else { throw failure() }
            descriptor = opened
            temporaryPath = nil
            finalPath = special
            ownsDescriptor = true
        case .file(let target):
            (descriptor, temporaryPath) = try Self.createTemporaryFile(beside: target, for: path)
            finalPath = target
            ownsDescriptor = true
        }
        buffer.reserveCapacity(1 << 16)
    }

    /// Creates a new temporary file in `target`'s folder (`LeftoverFiles.temporaryName`): `O_EXCL | O_NOFOLLOW`,
    /// so a file or link already at that name (a stale file, a link planted to redirect the output) is never
    /// opened; another name is tried. The folder's leftovers of killed runs go first, and the new file is
    /// locked while it is written, so no other run takes it for one.
    private static func createTemporaryFile(beside target: String, for path: String) throws(OutputError) -> (Int32, String) {
        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        LeftoverFiles.removeOnce(in: directory)
        let folder = directory.isEmpty ? "" : directory + "/"
        for attempt in 0..<16 {
            let temporary = folder + LeftoverFiles.temporaryName(for: name, random: attempt == 0 ? nil : UInt32.random(in: .min ... .max))
            let opened = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if opened >= 0 {
                _ = SystemCall.flockRetrying(opened, LOCK_EX | LOCK_NB)
                return (opened, temporary)
            }
            guard errno == EEXIST else { throw OutputError(path: path, reason: SystemCall.errorText(errno)) }
        }
        throw OutputError(path: path, reason: "every temporary name tried beside it is taken (\(folder + LeftoverFiles.temporaryName(for: name))…)")
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
        if !finished, let temporaryPath { unlink(temporaryPath) }
    }

    /// Appends text; written out in 64 KiB blocks.
    package func write(_ text: String) throws(OutputError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes what is buffered.
    package func flush() throws(OutputError) {
        if let code = SystemCall.writeAll(descriptor, buffer) {
            writeFailed = true
            throw OutputError(path: path, reason: SystemCall.errorText(code), isBrokenPipe: code == EPIPE)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames the temporary file into place.
    package func commit() throws(OutputError) {
        // Never rename a file a failed write left incomplete (the temporary file is removed in deinit).
        guard !writeFailed else { throw OutputError(path: path, reason: "an earlier write failed; nothing was put in place") }
        try flush()
        if let temporaryPath {
            guard fsync(descriptor) == 0 else { throw OutputError(path: path, reason: SystemCall.errorText(errno)) }
            guard rename(temporaryPath, finalPath) == 0 else {
                throw OutputError(path: path, reason: SystemCall.errorText(errno))
            }
        }
        finished = true
    }
}
