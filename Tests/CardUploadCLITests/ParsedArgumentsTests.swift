@testable import CardUploadCLI
import Testing

/// Options anywhere after the command words, `--name value` and `--name=value`, `--` ends them.
@Suite struct ParsedArgumentsTests {
    static let known: [String: OptionKind] = ["db": .value, "quiet": .flag, "report": .value]

    @Test func optionsMayStandBeforeOrAfterPositionalsInBothSpellings() throws {
        let parsed = try ParsedArguments(["a.csv", "--db", "x.sqlite", "b.csv", "--report=r.json", "--quiet"], known: Self.known, command: "process")
        #expect(parsed.positionals == ["a.csv", "b.csv"])
        #expect(parsed.value("db") == "x.sqlite")
        #expect(parsed.value("report") == "r.json")
        #expect(parsed.flag("quiet"))
    }

    @Test func doubleDashEndsOptionsAndADashIsStandardInput() throws {
        let parsed = try ParsedArguments(["-", "--", "--quiet", "-x"], known: Self.known, command: "process")
        #expect(parsed.positionals == ["-", "--quiet", "-x"])
        #expect(!parsed.flag("quiet"))
    }

    @Test func anEmptyInlineValueIsKeptSoItCanBeRefused() throws {
        let parsed = try ParsedArguments(["--db="], known: Self.known, command: "process")
        #expect(parsed.value("db") == "")
    }

    @Test(arguments: [["--nope"], ["-q"], ["--db"], ["--quiet=yes"]])
    func badOptionsAreUsageErrors(words: [String]) {
        #expect(throws: UsageError.self) { try ParsedArguments(words[...], known: Self.known, command: "process") }
    }

    @Test func helpIsRecognisedAnywhere() throws {
        #expect(try ParsedArguments(["a.csv", "-h"], known: Self.known, command: "process").wantsHelp)
        #expect(try ParsedArguments(["--help", "a.csv"], known: Self.known, command: "process").wantsHelp)
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
        #expect(captured.out.contains("--batch-size") && captured.out.contains("--cache-size MIB"))
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
}
