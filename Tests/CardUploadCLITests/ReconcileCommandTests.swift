@testable import CardUploadCLI
import CardUploadLoad
import Testing

/// `reconcile`'s options: `process`'s input options, `--extra`, `--report`; one FILE.
@Suite struct ReconcileCommandTests {
    private func validate(_ words: [String]) throws(UsageError) -> ReconcileOptions {
        let arguments = try ParsedArguments(words[...], for: CommandTable.command("reconcile")!)
        return try ReconcileCommand.validate(arguments)
    }

    @Test func inputOptionsAreParsedAsProcessParsesThem() throws {
        let options = try validate([
            "a.txt", "--format=tsv", "--delimiter", "tab", "--encoding", "CP1252", "--entity", "entity_e", "--extra",
            "--report", "-", "--quiet", "--db", "x.sqlite",
        ])
        #expect(options.file == "a.txt")
        #expect(options.input.format == .tsv && options.input.delimiter == 0x09 && options.input.encoding == .cp1252)
        #expect(options.input.encodingGiven)
        #expect(options.input.defaultEntity == "entity_e" && options.listsExtra && options.reportPath == "-")
    }

    @Test func defaultsListNoExtraAndWriteNoReport() throws {
        let options = try validate(["-"])
        #expect(options.file == "-" && options.input.format == nil && options.input.delimiter == nil)
        #expect(options.input.encoding == .auto, "auto is the default (SPEC §10)")
        #expect(!options.listsExtra && options.reportPath == nil && options.input.defaultEntity == nil)
    }

    @Test(arguments: [
        [], ["a.csv", "b.csv"], ["a.csv", "--format", "json"], ["a.csv", "--delimiter", "\""], ["a.csv", "--delimiter", ";;"],
        ["a.csv", "--encoding", "utf-16"], ["a.csv", "--format", "jsonl", "--encoding", "utf-8"],
        ["a.csv", "--report", ""], ["a.csv", "--report", "a.csv"], ["a.csv", "--db", "s.sqlite", "--report", "s.sqlite-wal"],
        ["a.csv", "--db", ""],
    ])
    func badOptionsAreUsageErrors(words: [String]) {
        #expect(throws: UsageError.self) { try validate(words) }
    }

    /// A Lead card file ignores --entity: whether `acme` is a usage error waits for the file's kind.
    @Test func anEntityThatIsNoNativeEntityIDWaitsForTheFilesKind() throws {
        let options = try validate(["a.csv", "--entity", "acme"])
        #expect(options.input.defaultEntityError?.hasPrefix("--entity: ") == true)
    }

    @Test func processOnlyOptionsAreUnknownHere() {
        for option in ["--dry-run", "--atomic", "--rejects=x", "--on-conflict=update", "--batch-size=1"] {
            #expect(throws: UsageError.self) {
                try ParsedArguments(["a.csv", option], for: CommandTable.command("reconcile")!)
            }
        }
    }
}
