#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls the product makes that need care (EINTR, short writes) or differ between platforms.
///
/// The one file that imports libc by name: the others import Foundation (which re-exports it) for the
/// plain POSIX calls and come here for the rest, so a port to another C library touches this file only.
/// Failures are errno values (`Int32`); `errorText` turns one into the system's message.
package enum SystemCall {
    // MARK: - Errors

    /// The system's message for errno `code` (`strerror`), e.g. "No such file or directory".
    package static func errorText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }

    // MARK: - EINTR

    /// Runs `call` again for as long as it fails with a negative result and errno EINTR, and returns its result.
    package static func retryingOnInterrupt<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result < 0 && errno == EINTR { continue }
            return result
        }
    }

    // MARK: - Reading and writing

    /// Writes every byte of `bytes` to `descriptor`, retrying on EINTR: nil once all are written, else the errno.
    package static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard let base = bytes.baseAddress else { return nil }
        var written = 0
        while written < bytes.count {
            let result = write(descriptor, base + written, bytes.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += result
        }
        return nil
    }

    /// Writes every byte of `bytes` to `descriptor`, retrying on EINTR: nil once all are written, else the errno.
    package static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { writeAll(descriptor, $0) }
    }

    /// Writes the UTF-8 bytes of `text` to `descriptor`, retrying on EINTR: nil once all are written, else the errno.
    package static func writeAll(_ descriptor: Int32, _ text: String) -> Int32? {
        var text = text
        return text.withUTF8 { writeAll(descriptor, UnsafeRawBufferPointer($0)) }
    }

    /// Reads up to `buffer.count` bytes from `descriptor`, retrying on EINTR: the count (0 at the end), or -1 with errno set.
    package static func readRetrying(_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        retryingOnInterrupt { read(descriptor, buffer.baseAddress, buffer.count) }
    }

    // MARK: - Files

    /// Opens `path` with `flags` (and `mode` for a file it creates): the descriptor, or -1 with errno set.
    ///
    /// For code inside a type with an `open` of its own, where the C function would need its module's name.
    package static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        #if canImport(Glibc)
        Glibc.open(path, flags, mode)
        #elseif canImport(Musl)
        Musl.open(path, flags, mode)
        #else
        Darwin.open(path, flags, mode)
        #endif
    }

    /// Closes `descriptor` (never retried: after EINTR it is closed already): 0, or -1 with errno set.
    @discardableResult
    package static func close(_ descriptor: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.close(descriptor)
        #elseif canImport(Musl)
        Musl.close(descriptor)
        #else
        Darwin.close(descriptor)
        #endif
    }

    /// Applies `operation` (`LOCK_EX | LOCK_NB`, `LOCK_UN`…) to `descriptor` with `flock`, retrying on EINTR:
    /// nil when done, else the errno (EWOULDBLOCK: another open file holds the lock).
    package static func flockRetrying(_ descriptor: Int32, _ operation: Int32) -> Int32? {
        retryingOnInterrupt { flock(descriptor, operation) } == 0 ? nil : errno
    }

    /// The modification time in `info` in seconds since 1970, nanoseconds included (`st_mtim`; `st_mtimespec` on Darwin).
    package static func modificationTime(_ info: stat) -> Double {
        #if canImport(Darwin)
        seconds(info.st_mtimespec)
        #else
        seconds(info.st_mtim)
        #endif
    }

    /// The status-change time in `info` (`st_ctim`; `st_ctimespec` on Darwin): set by the kernel on every
    /// change to the file, never by a user.
    package static func statusChangeTime(_ info: stat) -> Double {
        #if canImport(Darwin)
        seconds(info.st_ctimespec)
        #else
        seconds(info.st_ctim)
        #endif
    }

    private static func seconds(_ time: timespec) -> Double {
        Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    // MARK: - Signals

    /// Installs `handler` for `signal` with an empty mask and without SA_RESTART, so a blocking call it
    /// interrupts fails with EINTR; false (errno set) when `sigaction` refuses.
    @discardableResult
    package static func installHandler(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void) -> Bool {
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = handler
        #elseif canImport(Musl)
        action.__sa_handler.sa_handler = handler
        #else
        action.__sigaction_u.__sa_handler = handler
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        return sigaction(signal, &action, nil) == 0
    }

    /// The width in columns of the terminal `descriptor` is on (`TIOCGWINSZ`); nil when it is not a
    /// terminal or does not say (a pseudo-terminal nobody sized reports 0).
    package static func terminalColumns(_ descriptor: Int32) -> Int? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
