import Synchronization

/// Why a run was asked to stop: an interrupt (Ctrl-C, SIGINT) or a request to terminate (SIGTERM).
package enum StopReason: Sendable, Equatable {
    case interrupted
    case terminated
}

/// The stop request a use case checks between rows and in its waits. Whoever owns the process sets it
/// (the CLI from its signal handlers); `request` is lock-free, so a signal handler may call it.
package final class StopToken: Sendable {
    /// 0 while no stop was requested, else 1 (interrupted) or 2 (terminated).
    private let state = Atomic<Int8>(0)

    package init() {}

    /// Asks the run to stop; the first reason given is kept.
    package func request(_ reason: StopReason) {
        _ = state.compareExchange(expected: 0, desired: reason == .interrupted ? 1 : 2, ordering: .sequentiallyConsistent)
    }

    /// The reason a stop was requested, nil while none was.
    package var reason: StopReason? {
        switch state.load(ordering: .sequentiallyConsistent) {
        case 0: nil
        case 1: .interrupted
        default: .terminated
        }
    }

    /// Whether a stop was requested.
    package var isRequested: Bool { state.load(ordering: .sequentiallyConsistent) != 0 }

    /// Throws `Stopped` once a stop was requested.
    package func check() throws(Stopped) {
        if let reason { throw Stopped(reason: reason) }
    }
}

/// Thrown out of a use case's loop when a stop was requested.
package struct Stopped: Error, Sendable {
    package var reason: StopReason
}

/// Where a use case reports how far it has read, for a progress line; it never prints itself.
package protocol ProgressSink: AnyObject {
    /// `bytes` of the input read (of `total`, when known) and `rows` handled so far.
    func update(bytes: Int, total: Int?, rows: Int)
    /// The run is done with the input: the progress display goes away.
    func clear()
}
