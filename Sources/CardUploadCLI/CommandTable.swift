/// Every command and option of the tool (SPEC §1, §10), declared once: parsing, help, "did you mean" and
/// the completion scripts are all made from this table. Adding an option is one entry here; the command
/// reads its value by name (`arguments.value("name")`).
enum CommandTable {
    static let common: [OptionSpec] = [
        .value("db", "path", "The card store.", default: "$CARD_UPLOAD_DB, else ./cards.sqlite"),
        .flag("quiet", "No progress line and no summary; errors are still printed."),
    ]

    /// How to read an upload file (`process`, `reconcile`; `process-dir` without `--format`).
    static let delimiterEncodingEntity: [OptionSpec] = [
        .value("delimiter", "char", "One character; tab may be written tab or \\t.", default: "sniffed from the header: the most frequent of , ; | tab"),
        .value("encoding", "name", "auto: UTF-8, or Windows-1252 when bytes that are not UTF-8 follow plain ASCII; utf-8 (utf8) "
            + "strict; cp1252 (windows-1252); latin1 (iso-8859-1) is read as Windows-1252. Any case; CSV and TSV only.",
            default: "auto", values: ["auto", "utf-8", "cp1252", "latin1"]),
        .value("entity", "entity-id", "The entity of rows without entity_id."),
    ]
    static let format = OptionSpec.value(
        "format", "format", "The file's format; a header holding client_card_id is a Lead card file whatever the name.",
        default: "from the file name (a trailing .gz ignored), else sniffed: '{' first means JSON lines", values: ["csv", "tsv", "jsonl", "lead-card"])
    static let outputs: [OptionSpec] = [
        .value("report", "path", "Write the JSON report there (- = standard output)."),
        .value("rejects", "path", "The rejected rows in the input's form, with _line and _errors, to fix and upload again."),
        .value("results", "path", "CSV line,external_id,entity_id,outcome,card_id for every row."),
        .value("html", "path", "A self-contained HTML report: counts, a chart of rejections, the rejected rows."),
    ]

    /// How rows are loaded (`process`, `process-dir`).
    static let load: [OptionSpec] = [
        .value("on-conflict", "policy", "A row whose key is stored with other values: reject it (idempotency_conflict) or update the card's metadata.", default: "reject", values: ["reject", "update"]),
        .value("batch-size", "n", "Rows per transaction; a batch also closes after 5 s of work.", default: "100000"),
        .value("cache-size", "mib", "SQLite's page cache for the load, in MiB (the key tables come on top).",
               default: "48"),
        .value("max-rows", "n", "Stop a file past N rows: file_too_large (65), the rows before stay loaded.", default: "no limit"),
        .value("max-bytes", "n", "The same past N bytes (decompressed).", default: "no limit"),
        .flag("dry-run", "Every check, nothing recorded; the report says what a real run would do."),
        .flag("atomic", "All rows or none: nothing is committed when any row is rejected (a Lead card file always is, unless --partial)."),
        .flag("partial", "A Lead card file: load its valid rows, in batches."),
    ]
    static let metrics = OptionSpec.value(
        "metrics", "path", "After the run, write its metrics there in Prometheus' text format, for node_exporter's textfile collector.")
    static let reportRows = OptionSpec.value(
        "report-rows", "rows", "The rows the JSON report lists; its counts are always complete, \"rows_included\" says which.",
        default: "all", values: ["all", "rejected", "none"])

    /// The tool itself: `card-upload --help`.
    static let root = CommandSpec(name: "", overview: "Load card portfolios from CSV, TSV or JSON-lines files into a SQLite card store.",
        discussion: """
            Every row is created, recognised as already loaded, or rejected with a reason that says what to fix.

            Exit codes: 0 all rows loaded, or everything matches; 1 some rows rejected, differences, not found, or a \
            forbidden status change; 64 usage; 65 bad file; 66 missing input or database; 70 internal error; 73 output not \
            writable; 74 database I/O; 75 database busy or locked; 130, 143 stopped by SIGINT, SIGTERM.
            """,
        options: [.flag("version", "Show the version.")])

    static let commands: [CommandSpec] = [
        CommandSpec(name: "process", overview: "Load upload files into the card store.",
            arguments: [ArgumentSpec(name: "file", help: "A .csv, .tsv or .jsonl file, optionally gzip-compressed; - for standard input.", repeats: true)],
            options: common + [format] + delimiterEncodingEntity + outputs + [reportRows, metrics] + load),
        CommandSpec(name: "process-dir", overview: "Load every upload file waiting in a folder (for cron), one at a time, in name order.",
            discussion: """
                While another run holds the lock, exit 75 at once. A name already in DONE, FAILED or REPORTS is never \
                overwritten: the upload id goes before the suffix (a.<upload_id>.csv.gz). Files giving 64, 66 or 73 stay \
                in INBOX; a database error (74) or busy store (75) stops the run. A file past --max-rows/--max-bytes, or a \
                Lead card file that committed nothing, goes to FAILED. --quiet keeps the one timestamped line per file \
                (the cron log).
                """,
            arguments: [ArgumentSpec(name: "inbox", help: "The folder: *.csv, *.tsv, *.jsonl (each optionally .gz); names starting with . or ending in .part/.tmp are left alone.")],
            options: common + delimiterEncodingEntity + load + [
                .value("done", "dir", "Where loaded files go; created when missing.", default: "INBOX/done"),
                .value("failed", "dir", "Where files with a file-level error (65) go.", default: "INBOX/failed"),
                .value("reports", "dir", "<file>.report.json and <file>.rejects.<ext>.", default: "INBOX/reports"),
                .value("work", "dir", "Where each file is claimed (renamed) before it is read; on INBOX's file system. DONE, "
                    + "FAILED, REPORTS and DIR must be the job's own and writable by no one else (else 73).", default: "INBOX/.card-upload-work"),
                .value("min-age", "seconds", "Leave files modified less than this long ago.", default: "0"),
                reportRows, metrics,
                .value("keep-days", "n", "After the run, prune the per-line outcomes of uploads that finished more than "
                    + "N days ago (as uploads prune --keep-days N; one log line)."),
            ] + ([format] + outputs).map { OptionSpec(name: $0.name, valueName: $0.valueName, help: $0.help, hidden: true) }),
        CommandSpec(name: "reconcile", overview: "Compare a file with the card store, row by row, and change nothing.",
            discussion: """
                Each row is match, missing (no card for its key), differs (naming the fields) or invalid (its errors). \
                Exit 0 when every row matches and no extra card is listed, 1 otherwise; the store is opened read-only.
                """,
            arguments: [ArgumentSpec(name: "file", help: "A native or Lead card file, as process reads it; - for standard input.")],
            options: common + [format] + delimiterEncodingEntity + [
                .flag("extra", "Also list the cards of the file's entities that the file does not mention."),
                .value("report", "path", "Write the JSON report there (- = standard output)."),
            ]),
        CommandSpec(name: "cards", overview: "Print cards, find or list them, change a card's status."),
        CommandSpec(name: "cards get", overview: "Print one card as JSON.",
            arguments: [ArgumentSpec(name: "card-id", help: "The card's id.")], options: common),
        CommandSpec(name: "cards find", overview: "Print the card of an entity's external id as JSON.",
            options: common + [
                .value("entity", "entity-id", "The card's entity.", required: true),
                .value("external-id", "external-id", "The card's external id.", required: true),
            ]),
        CommandSpec(name: "cards list", overview: "Stream cards as JSON lines, CSV or a Lead card file.",
            options: common + [
                .value("entity", "entity-id", "Only the cards of this entity."),
                .value("account", "account-id", "Only the cards of this account."),
                .value("status", "status", "Only the cards of this status.", values: ["active", "inactive", "closed", "expired"]),
                .value("upload", "upload-id", "Only the cards this upload created or updated."),
                .value("format", "format", "jsonl: cards as cards get prints them; csv: an upload file; lead-card: Lead's card file.",
                       default: "jsonl", values: ["jsonl", "csv", "lead-card"]),
                .value("generated-at", "date", "--format lead-card: the file's generated_at date (YYYY-MM-DD).", default: "today"),
                .value("updated-since", "date-time", "--format lead-card: only cards changed since then."),
            ]),
        CommandSpec(name: "cards set-status", overview: "Change a card's status and print the card as JSON.",
            arguments: [ArgumentSpec(name: "card-id", help: "The card's id."),
                        ArgumentSpec(name: "status", help: "The new status.", values: ["active", "inactive", "closed", "expired"])],
            options: common + [.value("reason", "text", "Why; required for inactive, closed and expired.")]),
        CommandSpec(name: "uploads", overview: "List past uploads, print the report of one, prune old ones."),
        CommandSpec(name: "uploads list", overview: "Past uploads, newest first: aligned on a terminal, tab-separated otherwise.",
            options: common + [.flag("json", "One JSON object per upload and line."), .value("limit", "n", "At most N uploads.", default: "all")]),
        CommandSpec(name: "uploads show", overview: "Print the JSON report of an upload, rebuilt from the store.",
            arguments: [ArgumentSpec(name: "upload-id", help: "The upload's id.")], options: common + [reportRows]),
        CommandSpec(name: "uploads prune", overview: "Delete the per-line outcomes of uploads that finished before a date, and give the space back.",
            discussion: """
                Cards and every upload's summary stay; a running upload is never touched. Exactly one of --before and \
                --keep-days. uploads list still shows a pruned upload; uploads show prints its summary with \
                "rows_included": "pruned" and no rows.
                """,
            options: common + [
                .value("before", "date", "Uploads that finished before DATE (YYYY-MM-DD: its midnight UTC) or a date-time such as 2026-12-05T00:00:00Z."),
                .value("keep-days", "n", "Uploads that finished more than N days ago."),
                .flag("dry-run", "Say what would be pruned, change nothing."),
            ]),
        CommandSpec(name: "completion", overview: "Print a shell completion script.",
            discussion: "bash: source <(card-upload completion bash)\nzsh (after compinit): source <(card-upload completion zsh)\n"
                + "fish: card-upload completion fish > ~/.config/fish/completions/card-upload.fish",
            arguments: [ArgumentSpec(name: "shell", help: "The shell.", values: ["bash", "zsh", "fish"])]),
        CommandSpec(name: "help", overview: "Show help for a command.",
            arguments: [ArgumentSpec(name: "command", help: "The command words (cards list).", repeats: true, optional: true)]),
    ]

    /// The command named `name` (`cards list`; "" for the tool itself).
    static func command(_ name: String) -> CommandSpec? {
        name.isEmpty ? root : commands.first { $0.name == name }
    }

    /// The subcommands of a group (or of the tool itself), in table order.
    static func subcommands(of group: CommandSpec) -> [CommandSpec] {
        commands.filter { command in
            let words = command.name.split(separator: " ")
            return group.name.isEmpty ? words.count == 1 : words.count == 2 && words[0] == group.name
        }
    }
}
