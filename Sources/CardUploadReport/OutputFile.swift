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
///
/// Written text goes out in blocks of at most 64 KiB (a longer text at once), so memory stays flat
/// whatever is written. Once `keep()` has been called, what is written after the last `keep()` is
/// pending: `discardPending()` takes it back, and `commit()` puts in place only what was kept (the
/// rejects file holds only rows of committed batches). A temporary file takes pending bytes as they
/// come and is cut back (`ftruncate`) when they are discarded; a direct output (a pipe, a device) cannot
/// take bytes back, so its pending bytes beyond the buffer wait in an unlinked temporary file until kept.
package final class OutputFile {
    package let path: String
    private let descriptor: Int32
    private let temporaryPath: String?
    /// The name the temporary file is renamed to: `path`, or the file a link inside its folder leads to.
    private let finalPath: String
    private let ownsDescriptor: Bool
    private static let bufferSize = 1 << 16
    /// Text not yet passed on: it follows the `written` bytes, and the held ones.
    private var buffer: [UInt8] = []
    /// The bytes passed to `descriptor`.
    private var written = 0
    /// Set by `keep()`: how many bytes are kept; the ones after them are pending.
    private var keptCount: Int?
    /// A direct output's pending bytes that left the buffer: an unlinked temporary file (opened when first
    /// needed) and how many it holds. While it holds any, `written == keptCount`.
    private var held: Int32 = -1
    private var heldCount = 0
    private var finished = false
    /// A write failed: what was written is incomplete, and `commit()` must not put it in place.
    private var writeFailed = false

    /// Opens the output now (before any row is read), so a path that cannot be created fails early. A new
    /// file is readable by its owner only, unless `permissions` says otherwise (metrics: no card data).
    package init(path: String, permissions: mode_t = 0o600) throws(OutputError) {
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
            let (opened, temporary) = try Self.createTemporaryFile(beside: target, for: path)
            // Exactly these bits, whatever the umask.
            if permissions != 0o600, fchmod(opened, permissions) != 0 {
                let code = errno
                close(opened)
                unlink(temporary)
                throw failure(code)
            }
            (descriptor, temporaryPath) = (opened, temporary)
            finalPath = target
            ownsDescriptor = true
        }
        buffer.reserveCapacity(Self.bufferSize)
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
        if held >= 0 { close(held) }
        if !finished, let temporaryPath { unlink(temporaryPath) }
    }

    /// The bytes written so far, kept and pending.
    package var count: Int { written + heldCount + buffer.count }

    /// Appends text; written out in blocks of at most 64 KiB (a longer text at once, never buffered).
    package func write(_ text: String) throws(OutputError) {
        let length = text.utf8.count
        if buffer.count + length > Self.bufferSize { try flush() }
        if length > Self.bufferSize {
            try pass(Array(text.utf8)[...])
        } else {
            buffer.append(contentsOf: text.utf8)
        }
    }

    /// Appends bytes, as `write(_: String)` does text.
    package func write(_ bytes: [UInt8]) throws(OutputError) {
        if buffer.count + bytes.count > Self.bufferSize { try flush() }
        if bytes.count > Self.bufferSize {
            try pass(bytes[...])
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Writes what is buffered (a direct output's pending bytes go to its held file).
    package func flush() throws(OutputError) {
        try pass(buffer[...])
        buffer.removeAll(keepingCapacity: true)
    }

    /// Keeps everything written so far. From the first call on, what is written after the last `keep()` is
    /// pending: `discardPending()` takes it back and `commit()` leaves it out.
    package func keep() throws(OutputError) {
        if heldCount > 0 {
            // Only a direct output holds bytes: they follow the written ones, and come before the buffer.
            try moveHeldBytesOut()
        }
        keptCount = count
    }

    /// Takes back what was written since the last `keep()` (nothing before the first `keep()`).
    package func discardPending() throws(OutputError) {
        guard let keptCount else { return }
        if heldCount > 0 {
            heldCount = 0
            guard ftruncate(held, 0) == 0, lseek(held, 0, SEEK_SET) == 0 else { throw failed(errno) }
        }
        if written > keptCount {
            // Only a temporary file takes pending bytes: cut it back.
            guard ftruncate(descriptor, off_t(keptCount)) == 0, lseek(descriptor, off_t(keptCount), SEEK_SET) == off_t(keptCount) else {
                throw failed(errno)
            }
            written = keptCount
            buffer.removeAll(keepingCapacity: true)
        } else {
            buffer.removeSubrange((keptCount - written)...)
        }
    }

    /// Flushes, syncs and renames the temporary file into place. After a `keep()`, only the kept bytes:
    /// what is pending is discarded first.
    package func commit() throws(OutputError) {
        // Never rename a file a failed write left incomplete (the temporary file is removed in deinit).
        guard !writeFailed else { throw OutputError(path: path, reason: "an earlier write failed; nothing was put in place") }
        try discardPending()
        try flush()
        if let temporaryPath {
            guard fsync(descriptor) == 0 else { throw OutputError(path: path, reason: SystemCall.errorText(errno)) }
            guard rename(temporaryPath, finalPath) == 0 else {
                throw OutputError(path: path, reason: SystemCall.errorText(errno))
            }
        }
        finished = true
    }

    // MARK: Passing bytes on

    /// Passes `bytes`, which follow everything passed so far, to the output; a direct output's pending
    /// ones to its held file instead.
    private func pass(_ bytes: ArraySlice<UInt8>) throws(OutputError) {
        guard !bytes.isEmpty else { return }
        guard let keptCount, temporaryPath == nil else { return try put(bytes) }
        let kept = min(bytes.count, max(0, keptCount - written - heldCount))
        try put(bytes.prefix(kept))
        try hold(bytes.dropFirst(kept))
    }

    /// Writes `bytes` to the output.
    private func put(_ bytes: ArraySlice<UInt8>) throws(OutputError) {
        guard !bytes.isEmpty else { return }
        if let code = bytes.withUnsafeBytes({ SystemCall.writeAll(descriptor, $0) }) {
            writeFailed = true
            throw OutputError(path: path, reason: SystemCall.errorText(code), isBrokenPipe: code == EPIPE)
        }
        written += bytes.count
    }

    /// Appends a direct output's pending `bytes` to its held file, opened when first needed.
    private func hold(_ bytes: ArraySlice<UInt8>) throws(OutputError) {
        guard !bytes.isEmpty else { return }
        if held < 0 { held = try Self.openHeldFile(for: path) }
        if let code = bytes.withUnsafeBytes({ SystemCall.writeAll(held, $0) }) { throw failed(code) }
        heldCount += bytes.count
    }

    /// Writes the held bytes to the output (they are kept now) and empties the held file.
    private func moveHeldBytesOut() throws(OutputError) {
        guard lseek(held, 0, SEEK_SET) == 0 else { throw failed(errno) }
        var block = [UInt8](repeating: 0, count: Self.bufferSize)
        var remaining = heldCount
        while remaining > 0 {
            let count = block.withUnsafeMutableBytes { SystemCall.readRetrying(held, $0) }
            guard count > 0 else { throw failed(count < 0 ? errno : EIO) }
            try put(block[..<min(count, remaining)])
            remaining -= count
        }
        heldCount = 0
        guard ftruncate(held, 0) == 0, lseek(held, 0, SEEK_SET) == 0 else { throw failed(errno) }
    }

    /// An unlinked file in the temporary folder, readable by its owner only.
    private static func openHeldFile(for path: String) throws(OutputError) -> Int32 {
        let folder = FileManager.default.temporaryDirectory.path
        for _ in 0..<16 {
            let name = folder + "/.card-upload-held-\(getpid())-\(UInt64.random(in: .min ... .max)).tmp"
            let opened = open(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if opened >= 0 {
                unlink(name)
                return opened
            }
            guard errno == EEXIST else {
                throw OutputError(path: path, reason: "cannot hold pending rows in \(folder): \(SystemCall.errorText(errno))")
            }
        }
        throw OutputError(path: path, reason: "cannot hold pending rows in \(folder): every name tried is taken")
    }

    /// Marks the output failed (it is not put in place) and describes `code`.
    private func failed(_ code: Int32) -> OutputError {
        writeFailed = true
        return OutputError(path: path, reason: SystemCall.errorText(code))
    }
}
