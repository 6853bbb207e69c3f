import CardUploadLoad

/// The exit codes of SPEC §1 (sysexits where one fits).
package enum ExitCode: Int32, Sendable {
    case success = 0
    case rowsRejected = 1
    case usage = 64
    case dataError = 65
    case noInput = 66
    case software = 70
    case cannotCreateOutput = 73
    case ioError = 74
    case temporaryFailure = 75
    case interrupted = 130
    case terminated = 143

    /// Rank in SPEC's order "130/143, 70, 74, 75, 73, 66, 65, 64, 1, 0": the lower wins.
    private var rank: Int {
        switch self {
        case .interrupted, .terminated: 0
        case .software: 1
        case .ioError: 2
        case .temporaryFailure: 3
        case .cannotCreateOutput: 4
        case .noInput: 5
        case .dataError: 6
        case .usage: 7
        case .rowsRejected: 8
        case .success: 9
        }
    }

    /// The code that wins when both apply.
    package func combined(with other: ExitCode) -> ExitCode {
        other.rank < rank ? other : self
    }
}

/// How a command ended: an error, or a use case's result.
enum Ending {
    case error(any Error)
    case upload(UploadResult)
    case reconcile(ReconcileSummary)
    case inboxFile(InboxFileResult)
    case inbox(InboxResult)
}

extension ExitCode {
    /// The one place an ending becomes an exit code (SPEC §1; where several apply, `combined` picks in
    /// SPEC's order).
    static func of(_ ending: Ending) -> ExitCode {
        switch ending {
        case .error(let error):
            switch error {
            case is UsageError: return .usage
            case is NotFoundError, is ForbiddenTransition: return .rowsRejected
            case let stopped as Stopped: return of(stopped.reason)
            default: return of(FailureKind(of: error))
            }
        case .upload(let upload):
            if let reason = upload.stopReason { return of(reason) }
            if let failure = upload.failure { return of(.error(failure)) }
            if upload.outputError != nil { return .cannotCreateOutput }
            // A claimed file that changed while it was loaded goes back for the next run: temporary.
            if upload.fileError?.code == .fileChanged { return .temporaryFailure }
            if upload.fileError != nil { return .dataError }
            return upload.counts.rejected > 0 ? .rowsRejected : .success
        case .reconcile(let summary):
            if let failure = summary.failure { return of(.error(failure)) }
            if let reason = summary.stopReason { return of(reason) }
            if summary.fileError != nil { return .dataError }
            return summary.everythingMatches ? .success : .rowsRejected
        case .inboxFile(let file):
            let code = of(.upload(file.upload))
            return file.placementError == nil ? code : code.combined(with: .cannotCreateOutput)
        case .inbox(let run):
            let start = (run.stopReason.map(of) ?? .success).combined(with: run.pruneFailure.map { of(.error($0)) } ?? .success)
            return run.files.reduce(start) { $0.combined(with: of(.inboxFile($1))) }
        }
    }

    private static func of(_ reason: StopReason) -> ExitCode {
        reason == .interrupted ? .interrupted : .terminated
    }

    private static func of(_ kind: FailureKind) -> ExitCode {
        switch kind {
        case .usage: .usage
        case .inputUnavailable: .noInput
        case .badFile: .dataError
        case .outputUnavailable: .cannotCreateOutput
        case .storeFailed: .ioError
        case .busy: .temporaryFailure
        case .bug: .software
        }
    }
}
