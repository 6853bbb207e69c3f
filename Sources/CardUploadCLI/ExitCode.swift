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
