@testable import CardUploadCLI
import CardUploadModel
import Testing

/// The one table (SPEC §10): parsing, help and suggestions are made from it, for every command.
@Suite struct CommandTableTests {
    static let leaves = CommandTable.commands.filter { CommandTable.subcommands(of: $0).isEmpty }

    @Test func namesAreUniqueAndEveryLeafRuns() {
        #expect(Set(CommandTable.commands.map(\.name)).count == CommandTable.commands.count)
        for command in CommandTable.commands {
            #expect(Set(command.options.map(\.name)).count == command.options.count, "\(command.name)")
        }
        // Every command the table declares is dispatched: its help page comes back, not "unknown command".
        for command in CommandTable.commands {
            let captured = CommandLineTests.Captured()
            #expect(CardUploadCLI.run(command.name.split(separator: " ").map(String.init) + ["--help"], console: captured.console) == .success)
            #expect(captured.out == HelpPage.text(for: command), "\(command.name)")
        }
    }

    /// Every option of the table parses for its command, by name, in both spellings.
    @Test(arguments: CommandTable.commands.filter { !$0.options.isEmpty }.map(\.name))
    func everyDeclaredOptionParses(name: String) throws {
        let command = try #require(CommandTable.command(name))
        for option in command.options {
            let words = option.valueName == nil ? ["--\(option.name)"] : ["--\(option.name)", "v1", "--\(option.name)=v2"]
            let parsed = try ParsedArguments(words[...], for: command)
            #expect(option.valueName == nil ? parsed.flag(option.name) : parsed.value(option.name) == "v2", "\(name) --\(option.name)")
            #expect(parsed.positionals.isEmpty)
        }
    }

    /// `help COMMAND` and `COMMAND --help` print one page: every option with its value name, values and default.
    @Test(arguments: CommandTable.commands.map(\.name))
    func everyCommandHasAHelpPageListingEveryOption(name: String) throws {
        let command = try #require(CommandTable.command(name))
        let words = name.split(separator: " ").map(String.init)
        let viaHelp = CommandLineTests.Captured(), viaFlag = CommandLineTests.Captured()
        #expect(CardUploadCLI.run(["help"] + words, console: viaHelp.console) == .success)
        #expect(CardUploadCLI.run(words + ["-h"], console: viaFlag.console) == .success)
        let page = viaHelp.out
        #expect(page == viaFlag.out && viaHelp.err.isEmpty)
        #expect(page.hasPrefix("OVERVIEW: ") && page.contains("\n\nUSAGE: card-upload \(name)") && page.contains("\nOPTIONS:\n"))
        #expect(page.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(page)")
        let flattened = page.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        for option in command.visibleOptions {
            #expect(page.contains("\n  \(option.synopsis)"), "\(name): \(option.synopsis)")
            if let defaultValue = option.defaultValue { #expect(flattened.contains("default: \(defaultValue)"), "\(name) --\(option.name)") }
            if !option.values.isEmpty { #expect(flattened.contains("values: " + option.values.joined(separator: ", "))) }
        }
        for option in command.options where option.hidden { #expect(!page.contains("--\(option.name) ")) }
        #expect(page.contains("ARGUMENTS:") == !command.arguments.isEmpty)
        #expect(page.contains("SUBCOMMANDS:") == !CommandTable.subcommands(of: command).isEmpty)
    }

    /// The layout, character for character: a 26-column gutter, a label too wide for it on a line of its own,
    /// text wrapped at 80 columns, and a usage line wrapped with continuation lines under its first word.
    @Test func theLayoutIsSwiftArgumentParsers() {
        let command = CommandSpec(
            name: "cards sample", overview: "Sample a few cards.", arguments: [ArgumentSpec(name: "card-id", help: "The card.", repeats: true)],
            options: [
                .value("db", "path", "The card store.", default: "./cards.sqlite"),
                .value("a-very-long-option-name", "date-time", "Text under a label too wide for the gutter."),
                .value("kind", "kind", "Which kind of card to sample; the words go on for a while so that they wrap.",
                       default: "any", values: ["any", "virtual", "physical"]),
                .flag("quiet", "Say nothing."),
            ])
        #expect(HelpPage.text(for: command) == """
            OVERVIEW: Sample a few cards.

            USAGE: card-upload cards sample <card-id> ... [--db <path>]
                   [--a-very-long-option-name <date-time>] [--kind <kind>] [--quiet]

            ARGUMENTS:
              <card-id>               The card.

            OPTIONS:
              --db <path>             The card store. (default: ./cards.sqlite)
              --a-very-long-option-name <date-time>
                                      Text under a label too wide for the gutter.
              --kind <kind>           Which kind of card to sample; the words go on for a
                                      while so that they wrap. (values: any, virtual,
                                      physical; default: any)
              --quiet                 Say nothing.
              -h, --help              Show help information.


            """)
    }

    @Test func moreThanTwelveOptionsAreOneUsageWordAndGroupsListTheirSubcommands() {
        #expect(HelpPage.usage(for: CommandTable.command("process")!) == "card-upload process [<options>] <file> ...")
        let find = HelpPage.usage(for: CommandTable.command("cards find")!)
        #expect(find == "card-upload cards find [--db <path>] [--quiet] --entity <entity-id>\n       --external-id <external-id>")
        let cards = HelpPage.text(for: CommandTable.command("cards")!)
        #expect(cards.contains("USAGE: card-upload cards <subcommand>\n"))
        #expect(cards.contains("SUBCOMMANDS:\n  get                     Print one card as JSON.\n"))
        #expect(cards.hasSuffix("\n  See 'card-upload help cards <subcommand>' for detailed help.\n"))
    }
}

/// "Did you mean" (SPEC §10): edit distance at most 2, swaps of neighbours counting one.
@Suite struct SuggestionTests {
    @Test func distances() {
        #expect(EditDistance.between("reprot", "report") == 1)
        #expect(EditDistance.between("delimeter", "delimiter") == 1)
        #expect(EditDistance.between("lsit", "list") == 1)
        #expect(EditDistance.between("proces", "process") == 1)
        #expect(EditDistance.between("", "abc") == 3 && EditDistance.between("abc", "") == 3)
        #expect(EditDistance.between("kitten", "sitting") == 3)
        #expect(EditDistance.between("same", "same") == 0)
    }

    @Test func theNearestWithinTwoOrNothing() {
        #expect(Suggestion.didYouMean("--reprot", among: ["--rejects", "--report", "--reports"]) == "; did you mean '--report'?")
        #expect(Suggestion.didYouMean("--frobnicate", among: ["--report", "--db"]) == "")
        #expect(EditDistance.nearest(to: "abcd", among: ["abxy", "abcx"]) == "abcx")
    }
}
