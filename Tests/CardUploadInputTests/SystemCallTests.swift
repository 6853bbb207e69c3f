import CardUploadModel
import Foundation
import Synchronization
import Testing

/// How many SIGUSR2 signals `countSignal` has handled (a lock-free atomic, safe in a signal handler).
private let signalsHandled = Atomic<Int>(0)

/// The SIGUSR2 handler the signal tests install: counts, nothing else.
private let countSignal: @convention(c) (Int32) -> Void = { _ in
    signalsHandled.add(1, ordering: .sequentiallyConsistent)
}

/// The one file of system calls: real descriptors, pipes, files and signals.
@Suite(.serialized) struct SystemCallTests {
    // MARK: - Writing

    @Test func writeAllDeliversEveryByteOfALargeBufferThroughAPipe() throws {
        // 4 MiB through a 64 KiB pipe: the writer waits for the reader many times over.
        let bytes = Self.noise(count: 4 << 20, seed: 1)
        let (failure, received) = try Self.throughPipe { SystemCall.writeAll($0, bytes) }
        #expect(failure == nil)
        #expect(received.count == bytes.count)
        #expect(Self.firstDifference(received, bytes) == nil)
    }

    @Test func writeAllWritesOnThroughSignals() throws {
        // A signal that interrupts a blocking write (no SA_RESTART) makes it return a short count, or -1/EINTR
        // when nothing was written yet: both are continued, and the reader still gets every byte in order.
        #expect(SystemCall.installHandler(SIGUSR2, countSignal))
        let before = signalsHandled.load(ordering: .sequentiallyConsistent)
        let bytes = Self.noise(count: 4 << 20, seed: 2)
        let writer = Shared<pthread_t?>(nil)
        let writing = Shared(true)
        let signaller = DispatchSemaphore(value: 0)
        let (failure, received) = try Self.throughPipe(readSize: 4_096) { descriptor in
            // This is a test runner's thread: its signal mask is put back once the signals have stopped.
            let savedMask = Self.unblockSIGUSR2()
            defer { withUnsafePointer(to: savedMask) { _ = pthread_sigmask(SIG_SETMASK, $0, nil) } }
            writer.mutex.withLock { $0 = pthread_self() }
            Thread {
                while writing.mutex.withLock({ $0 }) {
                    if let thread = writer.mutex.withLock({ $0 }) { pthread_kill(thread, SIGUSR2) }
                    usleep(200)
                }
                signaller.signal()
            }.start()
            // The signals have started (on a busy machine the new thread may take a while to run at all).
            while signalsHandled.load(ordering: .sequentiallyConsistent) == before { usleep(100) }
            let failure = SystemCall.writeAll(descriptor, bytes)
            // The signalling stops before this thread goes back to the test runner's work.
            writing.mutex.withLock { $0 = false }
            signaller.wait()
            return failure
        }
        #expect(failure == nil)
        #expect(received.count == bytes.count)
        #expect(Self.firstDifference(received, bytes) == nil)
        #expect(signalsHandled.load(ordering: .sequentiallyConsistent) > before)
    }

    @Test func writeAllOfAStringWritesItsUTF8Bytes() throws {
        let text = String(repeating: "café, ✓ and 🂡\n", count: 40_000)
        let (failure, received) = try Self.throughPipe { SystemCall.writeAll($0, text) }
        #expect(failure == nil)
        #expect(received.count == text.utf8.count)
        #expect(Self.firstDifference(received, Array(text.utf8)) == nil)
    }

    @Test func writeAllToAPipeWithoutAReaderReturnsEPIPE() throws {
        signal(SIGPIPE, SIG_IGN)
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0, "pipe: \(SystemCall.errorText())")
        close(ends[0])
        defer { close(ends[1]) }
        #expect(SystemCall.writeAll(ends[1], "no one reads this\n") == EPIPE)
        #expect(SystemCall.writeAll(ends[1], [UInt8](repeating: 7, count: 1 << 20)) == EPIPE)
    }

    @Test func writeAllOfNothingSucceedsWithoutWriting() {
        // An invalid descriptor: any write(2) would fail with EBADF.
        #expect(SystemCall.writeAll(-1, [UInt8]()) == nil)
        #expect(SystemCall.writeAll(-1, "") == nil)
        #expect(SystemCall.writeAll(-1, [1]) == EBADF)
    }

    // MARK: - Errors and files

    @Test func errorTextIsTheSystemsMessage() {
        #expect(SystemCall.errorText(ENOENT) == "No such file or directory")
        #expect(SystemCall.errorText(EPIPE) == "Broken pipe")
        errno = EACCES
        let text = SystemCall.errorText()
        #expect(text == "Permission denied")
    }

    @Test func modificationTimeIsTheOneSetWithUtimensat() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(Array("x\n".utf8), to: "dated.csv")
        let times = [timespec(tv_sec: 1_700_000_000, tv_nsec: 250_000_000), timespec(tv_sec: 1_700_000_000, tv_nsec: 250_000_000)]
        try #require(utimensat(AT_FDCWD, path, times, 0) == 0, "utimensat: \(SystemCall.errorText())")
        var info = stat()
        try #require(stat(path, &info) == 0)
        #expect(SystemCall.modificationTime(info) == 1_700_000_000.25)
    }

    @Test func openAndFlockReportTheErrno() throws {
        let directory = try TemporaryDirectory()
        let missing = SystemCall.open(directory.path + "/missing", O_RDONLY | O_CLOEXEC)
        let code = errno
        #expect(missing == -1)
        #expect(code == ENOENT)
        let path = directory.path + "/lock"
        let first = SystemCall.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        let second = SystemCall.open(path, O_RDWR | O_CLOEXEC)
        try #require(first >= 0 && second >= 0)
        defer {
            SystemCall.close(first)
            SystemCall.close(second)
        }
        var info = stat()
        try #require(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(SystemCall.flockRetrying(first, LOCK_EX | LOCK_NB) == nil)
        #expect(SystemCall.flockRetrying(second, LOCK_EX | LOCK_NB) == EWOULDBLOCK)
        #expect(SystemCall.flockRetrying(first, LOCK_UN) == nil)
        #expect(SystemCall.flockRetrying(second, LOCK_EX | LOCK_NB) == nil)
    }

    // MARK: - Signals

    @Test func anInstalledHandlerRunsWhenTheSignalIsRaised() {
        #expect(SystemCall.installHandler(SIGUSR2, countSignal))
        let before = signalsHandled.load(ordering: .sequentiallyConsistent)
        // raise(3) signals the calling thread: one of our own, where SIGUSR2 is not blocked.
        let done = DispatchSemaphore(value: 0)
        Thread {
            Self.unblockSIGUSR2()
            raise(SIGUSR2)
            done.signal()
        }.start()
        done.wait()
        #expect(signalsHandled.load(ordering: .sequentiallyConsistent) == before + 1)
    }

    @Test func theHandlerInterruptsABlockedReadWithEINTR() throws {
        // Without SA_RESTART a plain read(2) waiting on a silent pipe returns -1/EINTR; with it, it would wait on.
        #expect(SystemCall.installHandler(SIGUSR2, countSignal))
        let outcome = try Self.readWhileSignalled(signalUntilDone: true) { descriptor, byte in
            let count = read(descriptor, byte, 1)
            return (count, errno)
        }
        #expect(outcome.count == -1)
        #expect(outcome.error == EINTR)
    }

    @Test func readRetryingReadsOnThroughSignals() throws {
        #expect(SystemCall.installHandler(SIGUSR2, countSignal))
        let before = signalsHandled.load(ordering: .sequentiallyConsistent)
        let outcome = try Self.readWhileSignalled(signalUntilDone: false) { descriptor, byte in
            (SystemCall.readRetrying(descriptor, UnsafeMutableRawBufferPointer(start: byte, count: 1)), 0)
        }
        #expect(outcome.count == 1)
        #expect(signalsHandled.load(ordering: .sequentiallyConsistent) > before)
    }

    // MARK: - Helpers

    /// The first index where `received` and `expected` differ (a shorter one ends there), nil when equal:
    /// a failed `==` on megabytes would make the test library describe the whole difference.
    private static func firstDifference(_ received: [UInt8], _ expected: [UInt8]) -> Int? {
        let same = received.count == expected.count && received.withUnsafeBytes { left in
            expected.withUnsafeBytes { right in memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 }
        }
        if same { return nil }
        let common = min(received.count, expected.count)
        if let index = (0..<common).first(where: { received[$0] != expected[$0] }) { return index }
        return received.count == expected.count ? nil : common
    }

    /// `count` bytes of a xorshift sequence: no two 64 KiB blocks alike, so a block lost or repeated shows.
    private static func noise(count: Int, seed: UInt64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
            for index in 0..<count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                buffer[index] = UInt8(truncatingIfNeeded: state)
            }
            initialized = count
        }
    }

    /// Unblocks SIGUSR2 for the calling thread and returns its mask before (the test runner's threads block
    /// most signals, and a new thread inherits the mask of the one that started it).
    @discardableResult
    private static func unblockSIGUSR2() -> sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGUSR2)
        var previous = sigset_t()
        pthread_sigmask(SIG_UNBLOCK, &signals, &previous)
        return previous
    }

    /// Runs `write` on a pipe's write end while another thread reads the other end to its end.
    private static func throughPipe(
        readSize: Int = 1 << 16,
        _ write: (Int32) -> Int32?
    ) throws -> (failure: Int32?, received: [UInt8]) {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0, "pipe: \(SystemCall.errorText())")
        let (readEnd, writeEnd) = (ends[0], ends[1])
        let received = Shared<[UInt8]>([])
        let done = DispatchSemaphore(value: 0)
        Thread {
            var chunk = [UInt8](repeating: 0, count: readSize)
            while true {
                let count = chunk.withUnsafeMutableBytes { SystemCall.readRetrying(readEnd, $0) }
                if count <= 0 { break }
                received.mutex.withLock { $0 += chunk[..<count] }
            }
            close(readEnd)
            done.signal()
        }.start()
        let failure = write(writeEnd)
        close(writeEnd)
        done.wait()
        return (failure, received.mutex.withLock { $0 })
    }

    /// Runs `read` (given a pipe's read end and a one-byte buffer) on its own thread while SIGUSR2 is sent to
    /// that thread every few milliseconds: until `read` returns (`signalUntilDone`), else for 100 ms and then
    /// a byte is written. After 5 s without a result a byte is written anyway, so the thread always ends.
    private static func readWhileSignalled(
        signalUntilDone: Bool,
        _ read: @escaping @Sendable (Int32, UnsafeMutableRawPointer) -> (Int, Int32)
    ) throws -> (count: Int, error: Int32) {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0, "pipe: \(SystemCall.errorText())")
        let (readEnd, writeEnd) = (ends[0], ends[1])
        defer {
            close(readEnd)
            close(writeEnd)
        }
        let reader = Shared<pthread_t?>(nil)
        let outcome = Shared<(count: Int, error: Int32)?>(nil)
        let done = DispatchSemaphore(value: 0)
        // The thread waits for `release` before it ends, so it is alive whenever a signal is sent to it.
        let release = DispatchSemaphore(value: 0)
        defer { release.signal() }
        Thread {
            Self.unblockSIGUSR2()
            reader.mutex.withLock { $0 = pthread_self() }
            var byte: UInt8 = 0
            let result = read(readEnd, &byte)
            outcome.mutex.withLock { $0 = result }
            done.signal()
            release.wait()
        }.start()
        while reader.mutex.withLock({ $0 }) == nil { usleep(1_000) }
        let thread = reader.mutex.withLock { $0! }
        let start = ContinuousClock.now
        var wroteByte = false
        while done.wait(timeout: .now() + .milliseconds(5)) == .timedOut {
            let elapsed = ContinuousClock.now - start
            if !wroteByte, elapsed > .seconds(5) || (!signalUntilDone && elapsed > .milliseconds(100)) {
                #expect(SystemCall.writeAll(writeEnd, [0x2A]) == nil)
                wroteByte = true
            } else if !wroteByte {
                pthread_kill(thread, SIGUSR2)
            }
        }
        return try #require(outcome.mutex.withLock { $0 })
    }
}

/// A value shared with another thread (a `Mutex` cannot be captured by an escaping closure; this class can).
private final class Shared<Value: Sendable>: Sendable {
    let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
}
