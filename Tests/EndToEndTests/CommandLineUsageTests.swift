import Foundation
import Testing

/// SPEC §10 "Arguments", run as a new user runs the binary: every command's help page, a missing option value,
/// typos with a suggestion, and the completion scripts, each loaded and asked to complete by its own shell.
@Suite struct CommandLineUsageTests {
    static let commands = [
        "process", "process-dir", "reconcile", "cards", "cards get", "cards find", "cards list", "cards set-status",
        "uploads", "uploads list", "uploads show", "completion", "help",
    ]

    @Test func everyCommandPrintsOneHelpPageBothWays() throws {
        let folder = try TemporaryDirectory()
        for command in Self.commands {
            let words = command.split(separator: " ").map(String.init)
            let viaHelp = try CardUploadBinary.run(["help"] + words, in: folder.url)
            let viaFlag = try CardUploadBinary.run(words + ["--help"], in: folder.url)
            #expect(viaHelp.status == 0 && viaFlag.status == 0 && viaHelp.stderr.isEmpty, "\(command)")
            #expect(viaHelp.stdout == viaFlag.stdout, "\(command)")
            for part in ["OVERVIEW: ", "\n\nUSAGE: card-upload \(command)", "\n\nOPTIONS:\n", "\n  -h, --help              Show help information.\n"] {
                #expect(viaHelp.stdout.contains(part), "\(command): \(part)")
            }
            #expect(viaHelp.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(command)")
        }
        // The pages the issue found empty now list their own options, values and defaults.
        let expected = [
            "cards list": ["--entity <entity-id>", "--status <status>", "values: active, inactive, closed, expired", "--upload <upload-id>",
                           "--format <format>", "values: jsonl, csv, lead-card; default: jsonl", "--updated-since <date-time>"],
            "cards set-status": ["ARGUMENTS:\n  <card-id>", "<status>", "--reason <text>"],
            "uploads list": ["--json ", "--limit <n>", "(default: all)"],
            "process": ["--report <path>", "--on-conflict <policy>", "values: reject, update; default: reject", "(default: 100000)"],
            "process-dir": ["--done <dir>", "(default: INBOX/done)", "--min-age <seconds>", "(default: 0)"],
        ]
        for (command, parts) in expected {
            let page = try CardUploadBinary.run(["help"] + command.split(separator: " ").map(String.init), in: folder.url).stdout
            let flat = page.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for part in parts {
                #expect(page.contains(part) || flat.contains(part), "\(command): \(part)")
            }
        }
        let top = try CardUploadBinary.run(["--help"], in: folder.url)
        #expect(top.stdout.contains("SUBCOMMANDS:\n  process  ") && top.stdout.contains("See 'card-upload help <subcommand>' for detailed help."))
    }

    @Test func aMissingValueIsAUsageErrorAndNamesNoFile() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write("a.csv", "external_id,account_id,entity_id,details.last_four\nk1,account_a,entity_e,0001\n")
        let db = folder.path("c.sqlite")
        for words in [["--report", "--quiet"], ["--report"], ["--rejects", "--dry-run"], ["--batch-size", "--atomic"]] {
            let result = try CardUploadBinary.run(["process", file, "--db", db] + words, in: folder.url)
            #expect(result.status == 64, "\(words)")
            let valueName = words[0] == "--batch-size" ? "<n>" : "<path>"
            #expect(result.stderr.hasPrefix("Error: missing value for '\(words[0]) \(valueName)'\nUsage: card-upload process "), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path("--quiet")))
        #expect(!FileManager.default.fileExists(atPath: folder.path("--dry-run")))
        #expect(!FileManager.default.fileExists(atPath: db), "a usage error loads nothing")
        // `--report -` is standard output; `--report=--x` still names a file `--x`.
        let toStdout = try CardUploadBinary.run(["process", file, "--db", db, "--report", "-", "--quiet"], in: folder.url)
        #expect(toStdout.status == 0)
        #expect(try parseJSON(toStdout.stdout)["counts"] as? [String: Int] == ["rows": 1, "created": 1, "replayed": 0, "updated": 0, "rejected": 0])
        let named = try CardUploadBinary.run(["process", file, "--db", db, "--report=--x", "--quiet"], in: folder.url)
        #expect(named.status == 0 && named.stdout.isEmpty)
        #expect((try readJSON(folder.path("--x"))["counts"] as? [String: Int])?["replayed"] == 1)
    }

    @Test(arguments: [
        (["process", "a.csv", "--reprot", "r.json"], "Error: unknown option '--reprot'; did you mean '--report'?\nUsage: card-upload process "),
        (["process", "a.csv", "--delimeter", ";"], "Error: unknown option '--delimeter'; did you mean '--delimiter'?\n"),
        (["proces", "a.csv"], "Error: unknown command 'proces'; did you mean 'process'?\nUsage: card-upload <subcommand>\n"),
        (["cards", "lsit"], "Error: unknown subcommand 'cards lsit'; did you mean 'cards list'?\nUsage: card-upload cards <subcommand>\n"),
        (["uploads", "list", "--jsno"], "Error: unknown option '--jsno'; did you mean '--json'?\n"),
        (["process", "a.csv", "--frobnicate"], "Error: unknown option '--frobnicate'\nUsage: card-upload process "),
        (["frobnicate"], "Error: unknown command 'frobnicate'\n"),
    ])
    func typosAreUsageErrorsThatSuggestTheNearestName(words: [String], message: String) throws {
        let folder = try TemporaryDirectory()
        let result = try CardUploadBinary.run(words, in: folder.url)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}

/// `card-upload completion bash|zsh|fish`: each script is checked by its shell (`-n`) and then really completes.
@Suite struct CompletionScriptTests {
    /// Runs `script` in `shell` (found on PATH: a missing shell fails the test) in `folder`.
    private func shell(_ shell: String, _ arguments: [String], in folder: TemporaryDirectory) throws -> CardUploadBinary.Result {
        try CardUploadBinary.run([shell] + arguments, in: folder.url, executable: "/usr/bin/env")
    }

    private func script(_ shell: String, in folder: TemporaryDirectory) throws -> String {
        let result = try CardUploadBinary.run(["completion", shell], in: folder.url)
        #expect(result.status == 0 && result.stderr.isEmpty)
        return try folder.write("completion.\(shell)", result.stdout)
    }

    /// Folders and files in the working folder, for the completions that offer names.
    private func workFolder() throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        try folder.write("cards.csv", "x\n")
        try FileManager.default.createDirectory(atPath: folder.path("done-folder"), withIntermediateDirectories: false)
        return folder
    }

    @Test func bashCompletesCommandsOptionsAndValues() throws {
        let folder = try workFolder()
        let path = try script("bash", in: folder)
        let check = try shell("bash", ["-n", path], in: folder)
        #expect(check.status == 0 && check.stderr.isEmpty, "\(check.stderr)")
        let cases: [(words: [String], expected: String)] = [
            (["card-upload", "pro"], "process process-dir"),
            (["card-upload", ""], "process process-dir reconcile cards uploads completion help"),
            (["card-upload", "process", "--on-conflict", ""], "reject update"),
            (["card-upload", "process", "a.csv", "--format", "=", "l"], "lead-card"),
            (["card-upload", "process", "--report", "r.json", "--del"], "--delimiter"),
            (["card-upload", "process", "--report", "car"], "cards.csv"),
            (["card-upload", "process-dir", "--done", "d"], "done-folder"),
            (["card-upload", "cards", "l"], "list"),
            (["card-upload", "cards", "list", "--status", ""], "active inactive closed expired"),
            (["card-upload", "cards", "set-status", "card_1", "c"], "closed"),
            (["card-upload", "uploads", "list", "--"], "--db --quiet --json --limit --help"),
            (["card-upload", "completion", ""], "bash zsh fish"),
            (["card-upload", "help", "u"], "uploads"),
            // An outside tester's findings: `help cards` is followed by cards' words, not the top-level ones,
            // and after `--` a word starting with `-` is an argument, not an option.
            (["card-upload", "help", "cards", ""], "get find list set-status"),
            (["card-upload", "help", "uploads", "s"], "show"),
            (["card-upload", "help", "process", ""], ""),
            (["card-upload", "help", "cards", "--"], "--help"),
            (["card-upload", "process", "--", "--"], ""),
            (["card-upload", "process", "--", "--report=c"], ""),
        ]
        var program = "source \(path)\n"
        for (words, _) in cases {
            let quoted = words.map { "'\($0)'" }.joined(separator: " ")
            program += "COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); COMPREPLY=(); _card_upload; echo \"${COMPREPLY[*]}\"\n"
        }
        let result = try shell("bash", ["-c", program], in: folder)
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (index, entry) in cases.enumerated() {
            #expect(index < lines.count && lines[index] == entry.expected, "\(entry.words): \(index < lines.count ? lines[index] : "-")")
        }
    }

    @Test func zshCompletesThroughCompadd() throws {
        let folder = try workFolder()
        let path = try script("zsh", in: folder)
        let check = try shell("zsh", ["-n", path], in: folder)
        #expect(check.status == 0 && check.stderr.isEmpty, "\(check.stderr)")
        // compadd, _files and compdef stand in for zsh's completion system, printing what they were given
        // (compadd's words joined by `|`: one word each).
        let program = """
            compdef() { print -r -- "compdef $*" }
            compadd() { shift; print -r -- "${(j:|:)@}" }
            _files() { print -r -- "_files $*" }
            compset() { }
            source \(path)
            t() { words=("$@"); CURRENT=${#words}; _card_upload }
            t card-upload pro
            t card-upload process --on-conflict ''
            t card-upload process --format=c
            t card-upload cards list --status ''
            t card-upload process-dir --done ''
            t card-upload process a.csv --report ''
            t card-upload help cards ''
            t card-upload process -- --
            """
        let result = try shell("zsh", ["-f", "-c", program], in: folder)
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.stdout == """
            compdef _card_upload card-upload
            process|process-dir|reconcile|cards|uploads|completion|help
            reject|update
            csv|tsv|jsonl|lead-card
            active|inactive|closed|expired
            _files -/
            _files 
            get|find|list|set-status
            _files 

            """)
        // Saved as _card_upload in a folder of $fpath, the file is the completion function zsh autoloads.
        try FileManager.default.createDirectory(atPath: folder.path("functions"), withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: path, toPath: folder.path("functions/_card_upload"))
        let autoloaded = try shell("zsh", ["-f", "-c", """
            compadd() { shift; print -r -- "${(j:|:)@}" }
            fpath=(\(folder.path("functions")) $fpath); autoload -Uz _card_upload
            words=(card-upload uploads ''); CURRENT=3; _card_upload
            """], in: folder)
        #expect(autoloaded.status == 0 && autoloaded.stdout == "list|show|prune\n", "\(autoloaded.stdout)\(autoloaded.stderr)")
    }

    @Test func fishCompletesThroughItsDeclarations() throws {
        let folder = try workFolder()
        let path = try script("fish", in: folder)
        let check = try shell("fish", ["-n", path], in: folder)
        #expect(check.status == 0 && check.stderr.isEmpty, "\(check.stderr)")
        let program = """
            source \(path)
            complete -C 'card-upload pro'; echo ==
            complete -C 'card-upload process --on-conflict '; echo ==
            complete -C 'card-upload cards '; echo ==
            complete -C 'card-upload cards list --sta'; echo ==
            complete -C 'card-upload completion '; echo ==
            complete -C 'card-upload help cards '; echo ==
            complete -C 'card-upload help help '; echo ==
            complete -C 'card-upload help process --'; echo ==
            complete -C 'card-upload help '
            """
        let result = try shell("fish", ["--no-config", "-c", program], in: folder)
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let groups = result.stdout.components(separatedBy: "==\n").map { group in
            group.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") }
        }
        #expect(groups.count == 9)
        #expect(groups.first == ["process", "process-dir"])
        #expect(groups.dropFirst().first == ["reject", "update"])
        #expect(groups.dropFirst(2).first.map(Set.init) == ["get", "find", "list", "set-status"])
        #expect(groups.dropFirst(3).first == ["--status"])
        #expect(groups.dropFirst(4).first.map(Set.init) == ["bash", "zsh", "fish"])
        #expect(groups.dropFirst(5).first.map(Set.init) == ["get", "find", "list", "set-status"])
        // After `help help` nothing more; after `help process` not process's own options.
        #expect(groups.dropFirst(6).first == [], "\(groups)")
        #expect(groups.dropFirst(7).first == ["--help"], "\(groups)")
        #expect(groups.last.map(Set.init) == ["process", "process-dir", "reconcile", "cards", "uploads", "completion", "help"])
    }
}

/// README's example help page is the binary's, character for character.
@Suite struct ReadmeHelpExampleTests {
    @Test func theExampleIsWhatTheBinaryPrints() throws {
        let readme = try String(contentsOf: samplesDirectory.deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "For example, `card-upload help uploads list`:\n\n```\n"))
        let end = try #require(readme.range(of: "\n```\n", range: start.upperBound..<readme.endIndex))
        let folder = try TemporaryDirectory()
        let page = try CardUploadBinary.run(["help", "uploads", "list"], in: folder.url).stdout
        #expect(String(readme[start.upperBound..<end.lowerBound]) + "\n\n" == page)
    }
}
