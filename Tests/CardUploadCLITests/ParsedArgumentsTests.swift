@testable import CardUploadCLI
import Testing

/// Options anywhere after the command words, `--name value` and `--name=value`, `--` ends them.
@Suite struct ParsedArgumentsTests {
    static let known = CommandSpec(
        name: "process", overview: "", options: [.value("db", "path", ""), .flag("quiet", ""), .value("report", "path", "")])

    @Test func optionsMayStandBeforeOrAfterPositionalsInBothSpellings() throws {
        let parsed = try ParsedArguments(["a.csv", "--db", "x.sqlite", "b.csv", "--report=r.json", "--quiet"], for: Self.known)
        #expect(parsed.positionals == ["a.csv", "b.csv"])
        #expect(parsed.value("db") == "x.sqlite")
        #expect(parsed.value("report") == "r.json")
        #expect(parsed.flag("quiet"))
    }

    @Test func doubleDashEndsOptionsAndADashIsStandardInput() throws {
        let parsed = try ParsedArguments(["-", "--", "--quiet", "-x"], for: Self.known)
        #expect(parsed.positionals == ["-", "--quiet", "-x"])
        #expect(!parsed.flag("quiet"))
    }

    @Test func anEmptyInlineValueIsKeptSoItCanBeRefused() throws {
        let parsed = try ParsedArguments(["--db="], for: Self.known)
        #expect(parsed.value("db") == "")
    }

    @Test(arguments: [["--nope"], ["-q"], ["--db"], ["--quiet=yes"]])
    func badOptionsAreUsageErrors(words: [String]) {
        #expect(throws: UsageError.self) { try ParsedArguments(words[...], for: Self.known) }
    }

    /// SPEC §10: `--report --quiet` names no report (it used to write a file called `--quiet`).
    @Test(arguments: [["a.csv", "--report", "--quiet"], ["a.csv", "--report"], ["--report", "--", "a.csv"]])
    func aValueThatIsMissingOrAnOptionIsAUsageError(words: [String]) {
        #expect {
            try ParsedArguments(words[...], for: Self.known)
        } throws: { error in
            (error as? UsageError)?.message == "missing value for '--report <path>'" && (error as? UsageError)?.command == "process"
        }
    }

    @Test func aDashIsStandardOutputAndAnInlineValueMayStartWithDashes() throws {
        #expect(try ParsedArguments(["--report", "-", "a.csv"], for: Self.known).value("report") == "-")
        #expect(try ParsedArguments(["--report=--x"], for: Self.known).value("report") == "--x")
        #expect(try ParsedArguments(["--report", "-x"], for: Self.known).value("report") == "-x")
    }

    @Test func anUnknownOptionNearAKnownOneGetsASuggestion() {
        #expect {
            try ParsedArguments(["--reprot", "r.json"], for: Self.known)
        } throws: { error in
            (error as? UsageError)?.message == "unknown option '--reprot'; did you mean '--report'?"
        }
        #expect {
            try ParsedArguments(["--frobnicate"], for: Self.known)
        } throws: { error in
            (error as? UsageError)?.message == "unknown option '--frobnicate'"
        }
    }

    @Test func helpIsRecognisedAnywhere() throws {
        #expect(try ParsedArguments(["a.csv", "-h"], for: Self.known).wantsHelp)
        #expect(try ParsedArguments(["--help", "a.csv"], for: Self.known).wantsHelp)
    }
}

/// SPEC §1: when several exit codes apply, 130/143, 70, 74, 75, 73, 66, 65, 64, 1, 0 — the first wins.
@Suite struct ExitCodeTests {
    @Test func theMoreSeriousCodeWins() {
        let order: [ExitCode] = [.interrupted, .software, .ioError, .temporaryFailure, .cannotCreateOutput, .noInput, .dataError, .usage, .rowsRejected, .success]
        for (index, code) in order.enumerated() {
            for weaker in order[index...] {
                #expect(code.combined(with: weaker) == code)
                #expect(weaker.combined(with: code) == code)
            }
        }
        #expect(ExitCode.terminated.combined(with: .software) == .terminated)
    }
}

/// The CLI called in-process with a captured console.
@Suite struct CommandLineTests {
    final class Captured: @unchecked Sendable {
        var out = ""
        var err = ""
        var console: Console {
            Console(out: { [self] in out += $0 }, err: { [self] in err += $0 })
        }
    }

    @Test func helpAndVersionGoToStandardOutput() {
        let captured = Captured()
        #expect(CardUploadCLI.run(["--help"], console: captured.console) == .success)
        #expect(captured.out.contains("OVERVIEW:") && captured.out.contains("USAGE:") && captured.out.contains("SUBCOMMANDS:"))
        #expect(CardUploadCLI.run(["help", "process"], console: captured.console) == .success)
        #expect(captured.out.contains("--batch-size") && captured.out.contains("--cache-size <mib>"))
        #expect(captured.err.isEmpty)
    }

    @Test func usageErrorsNameTheProblemTheUsageAndWhereToLook() {
        let captured = Captured()
        #expect(CardUploadCLI.run(["process", "a.csv", "--batch-size", "0"], console: captured.console) == .usage)
        #expect(captured.err.contains("Error: --batch-size must be a positive whole number"))
        #expect(captured.err.contains("Usage: card-upload process"))
        #expect(captured.err.contains("See 'card-upload help process'."))
        #expect(CardUploadCLI.run(["process", "a.csv", "--cache-size", "0"], console: captured.console) == .usage)
        #expect(captured.err.contains("Error: --cache-size must be a positive whole number"))
        #expect(CardUploadCLI.run(["process-dir", "inbox", "--cache-size", "lots"], console: captured.console) == .usage)
        #expect(CardUploadCLI.run(["--quiet", "process"], console: captured.console) == .usage)
        #expect(CardUploadCLI.run(["frobnicate"], console: captured.console) == .usage)
        #expect(CardUploadCLI.run(["process", "a.csv", "--delimiter", "\""], console: captured.console) == .usage)
        #expect(CardUploadCLI.run(["process", "a.csv", "b.csv", "--report", "r.json"], console: captured.console) == .usage)
        #expect(CardUploadCLI.run(["cards", "set-status", "card_x", "closed"], console: captured.console) == .usage)
    }

    /// Mistyped commands and subcommands are usage errors with a suggestion; others get none.
    @Test(arguments: [
        (["proces", "a.csv"], "Error: unknown command 'proces'; did you mean 'process'?\nUsage: card-upload <subcommand>\nSee 'card-upload help'.\n"),
        (["cards", "lsit"], "Error: unknown subcommand 'cards lsit'; did you mean 'cards list'?\nUsage: card-upload cards <subcommand>\nSee 'card-upload help cards'.\n"),
        (["help", "uploads", "shwo"], "Error: unknown subcommand 'uploads shwo'; did you mean 'uploads show'?\n"),
        (["frobnicate"], "Error: unknown command 'frobnicate'\n"),
        (["--verison"], "Error: unknown option '--verison'; did you mean '--version'?\n"),
        (["process", "a.csv", "--delimeter", ";"], "Error: unknown option '--delimeter'; did you mean '--delimiter'?\nUsage: card-upload process [<options>] <file> ...\n"),
        (["cards", "list", "--report", "--quiet"], "Error: unknown option '--report'\n"),
        (["cards", "get", "card_x", "--db"], "Error: missing value for '--db <path>'\nUsage: card-upload cards get <card-id> [--db <path>] [--quiet]\n"),
    ])
    func typosAreUsageErrorsWithASuggestion(words: [String], message: String) {
        let captured = Captured()
        #expect(CardUploadCLI.run(words, console: captured.console) == .usage)
        #expect(captured.err.hasPrefix(message), "\(captured.err)")
        #expect(captured.out.isEmpty)
    }
}
