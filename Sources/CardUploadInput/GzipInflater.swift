import CZlib

/// One zlib inflate stream set up for gzip members (RFC 1952): header, deflate data, CRC-32 and length checks.
///
/// Owns the `z_stream`, which zlib requires to stay at one address, and frees it in `deinit`.
/// `ByteSource` drives it: it hands over input, calls `inflate(into:capacity:)` and starts each
/// further member with `startMember()`.
final class GzipInflater {
    /// What one call to `inflate(into:capacity:)` ended with.
    enum Step: Equatable {
        /// The member goes on; more input or more output space is needed.
        case progress
        /// The member's trailer was read and its CRC-32 and length matched.
        case memberEnd
        /// zlib refused the data; the text is zlib's own message (e.g. "incorrect data check").
        case dataError(String)
    }

    /// The C stream; allocated once so its address never changes.
    private let zlibStream: UnsafeMutablePointer<z_stream>

    /// Sets up zlib for gzip only (windowBits 15 + 16); nil when zlib cannot allocate its state.
    init?() {
        zlibStream = .allocate(capacity: 1)
        zlibStream.initialize(to: z_stream())
        guard czlib_inflateInit2(zlibStream, 15 + 16) == Z_OK else {
            zlibStream.deinitialize(count: 1)
            zlibStream.deallocate()
            return nil
        }
    }

    deinit {
        inflateEnd(zlibStream)
        zlibStream.deinitialize(count: 1)
        zlibStream.deallocate()
    }

    /// Input bytes handed over and not yet consumed by zlib.
    var availableInput: Int { Int(zlibStream.pointee.avail_in) }

    /// Hands zlib the next input bytes; they must stay valid until consumed or replaced.
    func setInput(_ start: UnsafeMutablePointer<UInt8>, count: Int) {
        zlibStream.pointee.next_in = start
        zlibStream.pointee.avail_in = UInt32(count)
    }

    /// Forgets the previous member so the next bytes are read as a new gzip header.
    func startMember() {
        inflateReset(zlibStream)
    }

    /// Inflates into `output`, writing at most `capacity` bytes; returns what happened and how many bytes were written.
    func inflate(into output: UnsafeMutablePointer<UInt8>, capacity: Int) -> (step: Step, written: Int) {
        zlibStream.pointee.next_out = output
        zlibStream.pointee.avail_out = UInt32(capacity)
        let result = CZlib.inflate(zlibStream, Z_NO_FLUSH)
        let written = capacity - Int(zlibStream.pointee.avail_out)
        switch result {
        case Z_OK, Z_BUF_ERROR:
            // Z_BUF_ERROR only says no progress was possible: the caller supplies input or space.
            return (.progress, written)
        case Z_STREAM_END:
            return (.memberEnd, written)
        case Z_MEM_ERROR:
            return (.dataError("zlib is out of memory"), written)
        case Z_NEED_DICT:
            return (.dataError("a preset dictionary is required"), written)
        default:
            let message = zlibStream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(result)"
            return (.dataError(message), written)
        }
    }
}
