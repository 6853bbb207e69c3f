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
            console.err(HelpPage.text(for: CommandTable.root))
            return .of(.error(UsageError(message: "missing command", command: nil)))
        }
        switch first {
        case "--help", "-h":
            console.out(HelpPage.text(for: CommandTable.root))
            return .success
        case "--version":
            console.out("card-upload \(version)\n")
            return .success
        case let option where option.hasPrefix("-"):
            let suggestion = Suggestion.didYouMean(option, among: ["--help", "--version"])
            throw UsageError(message: "unknown option '\(option)'"
                + (suggestion.isEmpty ? " (only --help and --version may come before the command)" : suggestion), command: nil)
        default:
            break
        }
        let (command, words) = try resolve(arguments[...], stopsAtGroup: false)
        let parsed = try ParsedArguments(words, for: command)
        switch parsed.wantsHelp ? "help" : command.name {
        case "process": return try ProcessCommand(arguments: parsed, console: console).run()
        case "process-dir": return try ProcessDirCommand.run(parsed, console: console)
        case "reconcile": return try ReconcileCommand.run(parsed, console: console)
        case let name where name.hasPrefix("cards "): return try CardsCommand.run(command.word, parsed, console: console)
        case let name where name.hasPrefix("uploads "): return try UploadsCommand.run(command.word, parsed, console: console)
        case "completion":
            let shell = try parsed.single("<shell> (bash, zsh or fish)", command: command.name)
            guard let script = CompletionScript.text(for: shell) else {
                throw UsageError(message: "the shell must be bash, zsh or fish (got '\(shell)')", command: command.name)
            }
            console.out(script)
            return .success
        default:  // help COMMAND, or COMMAND --help
            let (topic, rest) = parsed.wantsHelp ? (command, []) : try resolve(parsed.positionals[...], stopsAtGroup: true)
            guard rest.isEmpty else {
                throw UsageError(message: "no help for '\(parsed.positionals.joined(separator: " "))'", command: "help")
            }
            console.out(HelpPage.text(for: topic))
            return .success
        }
    }

    /// The command the first of `words` name, and the words after them. A group (`cards`) needs its
    /// subcommand unless `stopsAtGroup` (`help cards`) or help is asked for (`cards --help`).
    static func resolve(_ words: ArraySlice<String>, stopsAtGroup: Bool) throws(UsageError) -> (CommandSpec, ArraySlice<String>) {
        var (command, rest) = (CommandTable.root, words)
        while case let subcommands = CommandTable.subcommands(of: command), !subcommands.isEmpty {
            let group = command.name.isEmpty ? nil : command.name
            guard let word = rest.first, !word.hasPrefix("-") else {
                if stopsAtGroup || rest.first == "-h" || rest.first == "--help" { break }
                throw UsageError(message: "missing subcommand: " + subcommands.map(\.word).joined(separator: ", "), command: group)
            }
            let typed = (group.map { $0 + " " } ?? "") + word
            guard let next = subcommands.first(where: { $0.name == typed }) else {
                let suggestion = Suggestion.didYouMean(typed, among: subcommands.map(\.name))
                throw UsageError(message: "unknown \(group == nil ? "command" : "subcommand") '\(typed)'" + suggestion, command: group)
            }
            (command, rest) = (next, rest.dropFirst())
        }
        return (command, rest)
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
        case let store where isStoreError(store) && StoreAccess.inUse != nil:
            console.err("Error: \(TerminalText.safe(describeStoreError(store, store: StoreAccess.inUse ?? "")))\n")
        default:
            console.err("Error: \(TerminalText.safe(describeFailure(error)))\n")
        }
        return .of(.error(error))
    }

    /// A usage error on stderr: the message, the command's usage line and where its help is.
    static func printUsage(_ usage: UsageError, console: Console) {
        console.err("Error: \(TerminalText.safe(usage.message))\n")
        console.err("Usage: \(HelpPage.usage(for: usage.command.flatMap(CommandTable.command) ?? CommandTable.root))\n")
        console.err("See 'card-upload help\(usage.command.map { " " + $0 } ?? "")'.\n")
    }
}

/// No card or upload matches (exit 1, `not found`).
struct NotFoundError: Error {
    var what: String
}

