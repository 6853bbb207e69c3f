import CardUploadModel
import Foundation

/// Why an input could not be opened (exit 66; no upload is recorded): the system's reason (`describeFailure`
/// names the path), or for a folder the whole sentence.
package struct InputOpenError: Error, Sendable, Equatable {
    package var path: String
    package var message: String
    /// The path names a folder.
    package var isFolder: Bool

    package init(path: String, message: String, isFolder: Bool = false) {
        self.path = path
        self.message = message
        self.isFolder = isFolder
    }
}

/// The decoded bytes of one upload file or standard input, read in large chunks, gzip inflated on the fly.
///
/// Gzip is recognised by its magic bytes (0x1f 0x8b), never by the file name. Concatenated gzip
/// members are read one after another. Memory stays bounded: one input buffer of `readSize`
/// bytes, one output buffer of `chunkSize` bytes, and each chunk handed out is at most
/// `chunkSize` bytes.
package final class ByteSource: ChunkSource {
    /// Bytes asked of `read(2)` at a time.
    package static let defaultReadSize = 1 << 20
    /// The largest chunk `nextChunk()` returns.
    package static let defaultChunkSize = 1 << 20

    private static let gzipMagic: (UInt8, UInt8) = (0x1f, 0x8b)

    /// Where the stream is.
    private enum State {
        /// Nothing read yet; compression not known.
        case unstarted
        case plain
        /// `inMember` is false between members, when the next bytes must be a gzip header or the end.
        case gzip(GzipInflater, inMember: Bool)
        case finished
        /// A file-level error was thrown; it is thrown again by every later call.
        case failed(FileError)
    }

    /// Opens `path` ("-" = standard input, never closed). A missing or unreadable file, or a directory, throws `InputOpenError`.
    package static func open(path: String) throws(InputOpenError) -> ByteSource {
        if path == "-" {
            return ByteSource(fileDescriptor: STDIN_FILENO, closesOnDeinit: false)
        }
        // `SystemCall.open`: inside this type, `open` is `ByteSource.open(path:)`.
        let descriptor = SystemCall.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw InputOpenError(path: path, message: SystemCall.errorText(errno))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = SystemCall.errorText(errno)
            close(descriptor)
            throw InputOpenError(path: path, message: reason)
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            close(descriptor)
            throw InputOpenError(path: path, message: "'\(path)' is a folder", isFolder: true)
        }
        return ByteSource(fileDescriptor: descriptor, closesOnDeinit: true)
    }

    /// Whether the stream is gzip; known after the first `nextChunk()`.
    package private(set) var compression: Compression = .none
    /// Bytes read from the file as stored (compressed, for gzip).
    package private(set) var bytesRead: Int = 0
    /// The file's size when it is a regular file (for progress), else nil.
    package private(set) var size: Int?

    private let fileDescriptor: Int32
    private let closesOnDeinit: Bool
    private let readSize: Int
    private let chunkSize: Int
    private var state = State.unstarted

    /// Raw bytes from the file; `pending` are the ones not yet handed on (as-is or to zlib).
    private let inputBuffer: UnsafeMutablePointer<UInt8>
    private var pending = 0..<0
    private var reachedEndOfFile = false
    /// Inflated bytes, copied out as one chunk.
    private var outputBuffer: UnsafeMutablePointer<UInt8>?

    /// Reads an already open descriptor (a pipe, a socket, a file); closes it in `deinit` when asked to.
    package init(
        fileDescriptor: Int32,
        closesOnDeinit: Bool,
        readSize: Int = ByteSource.defaultReadSize,
        chunkSize: Int = ByteSource.defaultChunkSize
    ) {
        precondition(readSize >= 2, "the gzip magic needs two bytes of buffer")
        precondition(chunkSize >= 1)
        self.fileDescriptor = fileDescriptor
        self.closesOnDeinit = closesOnDeinit
        self.readSize = readSize
        self.chunkSize = chunkSize
        inputBuffer = .allocate(capacity: readSize)
        var info = stat()
        if fstat(fileDescriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
            size = Int(info.st_size)
        }
    }

    /// Called before a read that would wait for more input (a pipe or terminal that has nothing ready yet),
    /// so the caller can commit its open batch rather than hold the write lock while it waits.
    package var willWait: (() -> Void)?

    /// Asked when a read is interrupted by a signal: true ends the input there (the caller, which
    /// knows a stop was requested, then treats the load as interrupted, not as complete).
    package var stopRequested: (() -> Bool)?

    deinit {
        inputBuffer.deallocate()
        outputBuffer?.deallocate()
        if closesOnDeinit {
            close(fileDescriptor)
        }
    }

    package func nextChunk() throws(FileError) -> [UInt8]? {
        do throws(FileError) {
            switch state {
            case .unstarted:
                try start()
                return try nextChunk()
            case .plain:
                return try nextPlainChunk()
            case .gzip(let inflater, let inMember):
                return try nextGzipChunk(inflater, inMember: inMember)
            case .finished:
                return nil
            case .failed(let error):
                throw error
            }
        } catch {
            state = .failed(error)
            throw error
        }
    }

    // MARK: - Detection and plain text

    /// Reads the first bytes and decides between plain and gzip by the magic bytes.
    private func start() throws(FileError) {
        try fill(atLeast: 2)
        if pending.count >= 2,
           inputBuffer[pending.lowerBound] == Self.gzipMagic.0,
           inputBuffer[pending.lowerBound + 1] == Self.gzipMagic.1 {
            guard let inflater = GzipInflater() else {
                throw FileError(code: .corruptGzip, message: "zlib could not allocate its inflate state", offset: 0)
            }
            compression = .gzip
            outputBuffer = .allocate(capacity: chunkSize)
            state = .gzip(inflater, inMember: false)
        } else {
            state = .plain
        }
    }

    private func nextPlainChunk() throws(FileError) -> [UInt8]? {
        if pending.isEmpty {
            try fill(atLeast: 1)
        }
        guard !pending.isEmpty else {
            state = .finished
            return nil
        }
        let count = min(pending.count, chunkSize)
        let chunk = Array(UnsafeBufferPointer(start: inputBuffer + pending.lowerBound, count: count))
        pending = (pending.lowerBound + count)..<pending.upperBound
        return chunk
    }

    // MARK: - Gzip

    /// Inflates until the output buffer is full or the stream ends; nil once every member is read.
    ///
    /// Bytes inflated before an error are handed out first; the error is thrown by the next call,
    /// so the rows before a cut-short or corrupt stream still reach the parser.
    private func nextGzipChunk(_ inflater: GzipInflater, inMember startsInMember: Bool) throws(FileError) -> [UInt8]? {
        guard let output = outputBuffer else { preconditionFailure("gzip state without an output buffer") }
        var inMember = startsInMember
        var written = 0
        do throws(FileError) {
            try inflate(inflater, inMember: &inMember, into: output, written: &written)
        } catch {
            guard written > 0 else { throw error }
            state = .failed(error)
            return Array(UnsafeBufferPointer(start: output, count: written))
        }
        guard written > 0 else {
            state = .finished
            return nil
        }
        state = .gzip(inflater, inMember: inMember)
        return Array(UnsafeBufferPointer(start: output, count: written))
    }

    /// Runs zlib until `output` holds `chunkSize` bytes or the file ends between members.
    private func inflate(
        _ inflater: GzipInflater,
        inMember: inout Bool,
        into output: UnsafeMutablePointer<UInt8>,
        written: inout Int
    ) throws(FileError) {
        while written < chunkSize {
            if pending.isEmpty {
                try fill(atLeast: 1)
                if pending.isEmpty {
                    // End of file: fine between members, a cut-short stream inside one.
                    guard !inMember else {
                        throw FileError(
                            code: .corruptGzip,
                            message: "gzip stream is cut short: the file ends at byte \(bytesRead) inside a member",
                            offset: bytesRead
                        )
                    }
                    return
                }
            }
            if !inMember {
                try startMember(inflater)
                inMember = true
            }
            inflater.setInput(inputBuffer + pending.lowerBound, count: pending.count)
            let (step, count) = inflater.inflate(into: output + written, capacity: chunkSize - written)
            let consumed = pending.count - inflater.availableInput
            pending = (pending.lowerBound + consumed)..<pending.upperBound
            written += count
            // zlib with input and room that does nothing would loop forever; it is a bug, not a file problem.
            let madeNoProgress = consumed == 0 && count == 0
            switch step {
            case .progress:
                if madeNoProgress && !pending.isEmpty { throw stalledError() }
            case .memberEnd:
                if madeNoProgress { throw stalledError() }
                inMember = false
            case .dataError(let reason):
                throw FileError(
                    code: .corruptGzip,
                    message: "corrupt gzip data (\(reason)) detected at byte \(fileOffset) of the file",
                    offset: fileOffset
                )
            }
        }
    }

    /// Checks that the bytes after a member (or at the start) are a gzip header, and resets zlib for it.
    private func startMember(_ inflater: GzipInflater) throws(FileError) {
        try fill(atLeast: 2)
        guard pending.count >= 2,
              inputBuffer[pending.lowerBound] == Self.gzipMagic.0,
              inputBuffer[pending.lowerBound + 1] == Self.gzipMagic.1
        else {
            throw FileError(
                code: .corruptGzip,
                message: "data after the end of a gzip member is not another gzip member (byte \(fileOffset) of the file)",
                offset: fileOffset
            )
        }
        inflater.startMember()
    }

    private func stalledError() -> FileError {
        FileError(code: .corruptGzip, message: "zlib made no progress at byte \(fileOffset) of the file", offset: fileOffset)
    }

    /// The position in the file as stored of the first byte not yet consumed: the bytes behind the chunks handed
    /// out so far (compressed, for gzip).
    package var fileOffset: Int { bytesRead - pending.count }

    // MARK: - Reading

    /// Reads until at least `minimum` bytes are pending or the file ends, keeping the pending bytes.
    ///
    /// A `read(2)` failure is rare (EIO, a vanished network file). `FileError` has no code of its
    /// own for it, so it is reported as `corrupt_gzip` for a gzip stream and as `empty_file`
    /// otherwise, with the system's reason in the message; EINTR is retried.
    private func fill(atLeast minimum: Int) throws(FileError) {
        precondition(minimum <= readSize)
        while pending.count < minimum && !reachedEndOfFile {
            if pending.lowerBound > 0 {
                // Move the leftover bytes to the front so the read can use the rest of the buffer.
                let leftover = pending.count
                if leftover > 0 {
                    memmove(inputBuffer, inputBuffer + pending.lowerBound, leftover)
                }
                pending = 0..<leftover
            }
            if size == nil, let willWait, !hasDataReady() { willWait() }
            let count = read(fileDescriptor, inputBuffer + pending.upperBound, readSize - pending.upperBound)
            if count > 0 {
                bytesRead += count
                pending = pending.lowerBound..<(pending.upperBound + count)
            } else if count == 0 {
                reachedEndOfFile = true
            } else {
                let error = errno
                switch error {
                case EINTR:
                    // A stop signal (handled without SA_RESTART) ends a read that would wait forever.
                    if let stopRequested, stopRequested() {
                        reachedEndOfFile = true
                        break
                    }
                    continue
                case EAGAIN, EWOULDBLOCK:
                    waitUntilReadable()
                default:
                    throw FileError(
                        code: compression == .gzip ? .corruptGzip : .emptyFile,
                        message: "read error after \(bytesRead) bytes: \(SystemCall.errorText(error))",
                        offset: compression == .gzip ? bytesRead : nil
                    )
                }
            }
        }
    }

    /// True when a read would not block: data (or the end) is ready on the descriptor.
    private func hasDataReady() -> Bool {
        var request = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&request, 1, 0) != 0
    }

    /// Blocks until a non-blocking descriptor (say, a standard input left in O_NONBLOCK) has data or ends.
    private func waitUntilReadable() {
        var request = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        _ = poll(&request, 1, -1)
    }
}
