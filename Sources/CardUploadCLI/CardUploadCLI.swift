import CardUploadLoad
import CardUploadModel
import CardUploadReport
import CardUploadStore
import Foundation

/// The command-line interface: argument parsing, commands, and the one place errors become exit codes.
public enum CardUploadCLI {
    /// The version `--version` prints.
    public static let version = "0.1.0"

    /// Runs the command in `arguments` (without the program name) and returns the exit code.
    public static func main(_ arguments: [String]) -> Int32 {
        // A closed pipe gives EPIPE (a listing then ends quietly) instead of killing the process; a file
        // over the size limit gives EFBIG, reported as an output (73) or database (74) error.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        var code = run(arguments, console: .standard)
        if StandardOutputFailure.errorNumber != 0 {
            let reason = SystemCall.errorText(StandardOutputFailure.errorNumber)
            Console.writeAll(STDERR_FILENO, "Error: cannot write to standard output: \(reason)\n")
            code = code.combined(with: .of(.error(OutputError(path: "standard output", reason: reason))))
        }
        return code.rawValue
    }

    /// Runs with an injected console, for tests.
    package static func run(_ arguments: [String], console: Console) -> ExitCode {
        do {
            return try dispatch(arguments, console: console)
        } catch {
            return report(error, console: console)
        }
    }

    private static func dispatch(_ arguments: [String], console: Console) throws -> ExitCode {
        guard let first = arguments.first else {
            console.err(Help.text(for: nil))
            return .of(.error(UsageError(message: "missing command", command: nil)))
        }
        switch first {
        case "--help", "-h":
            console.out(Help.text(for: nil))
            return .success
        case "--version":
            console.out("card-upload \(version)\n")
            return .success
        case "help":
            let topic = arguments.dropFirst().joined(separator: " ")
            guard topic.isEmpty || Help.knows(topic) else {
                throw UsageError(message: "no help for '\(topic)'", command: nil)
            }
            console.out(Help.text(for: topic.isEmpty ? nil : topic))
            return .success
        case "process":
            return try ProcessCommand(arguments.dropFirst(), console: console).run()
        case "process-dir":
            return try ProcessDirCommand.run(arguments.dropFirst(), console: console)
        case "reconcile":
            return try ReconcileCommand.run(arguments.dropFirst(), console: console)
        case "cards":
            return try CardsCommand.run(arguments.dropFirst(), console: console)
        case "uploads":
            return try UploadsCommand.run(arguments.dropFirst(), console: console)
        default:
            if first.hasPrefix("-") {
                throw UsageError(message: "unknown option '\(first)' (only --help and --version may come before the command)", command: nil)
            }
            throw UsageError(message: "unknown command '\(first)'", command: nil)
        }
    }

    /// Prints `error` and chooses its exit code (SPEC §1).
    static func report(_ error: any Error, console: Console) -> ExitCode {
        switch error {
        case let usage as UsageError:
            printUsage(usage, console: console)
        case let conflict as OptionConflictError:
            printUsage(UsageError(message: conflict.message, command: nil), console: console)
        case let notFound as NotFoundError:
            console.err("Error: not found: \(TerminalText.safe(notFound.what))\n")
        case let store where StoreAccess.isStoreError(store) && StoreAccess.inUse != nil:
            console.err("Error: \(TerminalText.safe(StoreAccess.describe(store, store: StoreAccess.inUse ?? "")))\n")
        default:
            console.err("Error: \(TerminalText.safe(describeFailure(error)))\n")
        }
        return .of(.error(error))
    }

    /// A usage error on stderr: the message, the command's usage line and where its help is.
    static func printUsage(_ usage: UsageError, console: Console) {
        console.err("Error: \(TerminalText.safe(usage.message))\n")
        console.err("Usage: \(Help.usageLine(for: usage.command))\n")
        console.err("See 'card-upload help\(usage.command.map { " " + $0 } ?? "")'.\n")
    }
}

/// No card or upload matches (exit 1, `not found`).
struct NotFoundError: Error {
    var what: String
}

