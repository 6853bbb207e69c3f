import CardUploadLoad
import CardUploadModel
import Foundation

/// SIGINT and SIGTERM, turned into the stop token every use case checks between rows, so the open batch is
/// rolled back, the upload marked `interrupted` and its report written before the process exits 130 or 143.
enum StopSignal {
    /// The process's one stop token, set by the handlers on whichever thread takes the signal.
    static let token = StopToken()

    /// Installs the handlers (once per process) and returns the token they set.
    static func install() -> StopToken {
        let token = token
        // Without SA_RESTART: a read blocked on a silent pipe returns EINTR, so the stop is seen.
        let handler: @convention(c) (Int32) -> Void = { signal in
            // A second signal ends at once: the person at the terminal means it.
            if StopSignal.token.isRequested { _exit(128 + signal) }
            StopSignal.token.request(signal == SIGINT ? .interrupted : .terminated)
        }
        SystemCall.installHandler(SIGINT, handler)
        SystemCall.installHandler(SIGTERM, handler)
        // A parent may have left them blocked (the mask is inherited across exec): unblock them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        return token
    }
}
