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
/// and is not a regular file (`/dev/stdout`, a FIFO) is written directly; `-` is standard output.
package final class OutputFile {
    package let path: String
    private let descriptor: Int32
    private let temporaryPath: String?
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private var finished = false
    /// A write failed: what was written is incomplete, and `commit()` must not put it in place.
    private var writeFailed = false

    /// Opens the output now (before any row is read), so a path that cannot be created fails early.
    package init(path: String) throws(OutputError) {
        self.path = path
        if path == "-" {
            descriptor = STDOUT_FILENO
            temporaryPath = nil
            ownsDescriptor = false
        } else {
            var info = stat()
            if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
                let opened = open(path, O_WRONLY | O_CLOEXEC)
                guard opened >= 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
                descriptor = opened
                temporaryPath = nil
            } else {
                let directory = (path as NSString).deletingLastPathComponent
                let name = (path as NSString).lastPathComponent
                let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).\(getpid()).tmp"
                let opened = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                guard opened >= 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
                descriptor = opened
                temporaryPath = temporary
            }
            ownsDescriptor = true
        }
        buffer.reserveCapacity(1 << 16)
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
        var written = 0
        while written < buffer.count {
            let result = buffer.withUnsafeBytes { raw in
                Foundation.write(descriptor, raw.baseAddress! + written, raw.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                writeFailed = true
                throw OutputError(path: path, reason: String(cString: strerror(errno)), isBrokenPipe: errno == EPIPE)
            }
            written += result
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames the temporary file into place.
    package func commit() throws(OutputError) {
        // Never rename a file a failed write left incomplete (the temporary file is removed in deinit).
        guard !writeFailed else { throw OutputError(path: path, reason: "an earlier write failed; nothing was put in place") }
        try flush()
        if let temporaryPath {
            guard fsync(descriptor) == 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
            guard rename(temporaryPath, path) == 0 else {
                throw OutputError(path: path, reason: String(cString: strerror(errno)))
            }
        }
        finished = true
    }
}
