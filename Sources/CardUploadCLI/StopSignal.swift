import Foundation
import Synchronization

/// SIGINT and SIGTERM, turned into a flag the load loop checks between rows, so the open batch is rolled
/// back, the upload marked `interrupted` and its report written before the process exits 130 or 143.
enum StopSignal {
    /// The signal received, 0 while none: set by the handler on whichever thread takes the signal, read
    /// by the others (a lock-free atomic, safe in a signal handler).
    private static let flag = Atomic<Int32>(0)

    /// The signal received, 0 while none.
    static var received: Int32 { flag.load(ordering: .sequentiallyConsistent) }

    /// Installs the handlers (once per process).
    static func install() {
        // Without SA_RESTART: a read blocked on a silent pipe returns EINTR, so the stop is seen.
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            // A second signal ends at once: the person at the terminal means it.
            if StopSignal.flag.load(ordering: .sequentiallyConsistent) != 0 { _exit(128 + signal) }
            StopSignal.flag.store(signal, ordering: .sequentiallyConsistent)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        // A parent may have left them blocked (the mask is inherited across exec): unblock them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Thrown out of the load loop when a stop signal arrived.
    struct Stopped: Error {
        var signal: Int32
        var exitCode: ExitCode { signal == SIGINT ? .interrupted : .terminated }
    }

    /// Whether a stop signal has arrived.
    static var isRequested: Bool { received != 0 }

    /// Throws `Stopped` when a stop signal has arrived.
    static func check() throws {
        let signal = received
        if signal != 0 { throw Stopped(signal: signal) }
    }
}
