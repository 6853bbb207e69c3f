/// Help texts in the swift-argument-parser layout: OVERVIEW, USAGE, ARGUMENTS, OPTIONS, SUBCOMMANDS.
enum Help {
    private static let common = """
          --db PATH               the card store (default $CARD_UPLOAD_DB, else ./cards.sqlite)
          --quiet                 no progress line and no summary; errors are still printed
          -h, --help              show this help
        """

    /// The FILE argument and the options that say how to read it (`process` and `reconcile`).
    private static let fileInput = """
        ARGUMENTS:
          FILE                    a .csv, .tsv or .jsonl file, optionally gzip-compressed; - for standard input;
                                  a header holding client_card_id is a Lead card file (pipe-delimited)

        OPTIONS:
          --format FORMAT         csv, tsv, jsonl or lead-card; default from the file name, else sniffed
                                  ('{' first means JSON lines)
          --delimiter CHAR        default sniffed from the header: the most frequent of , ; | tab
          --encoding NAME         auto (default: UTF-8, or Windows-1252 when bytes that are not UTF-8
                                  follow plain ASCII), utf-8 (utf8), cp1252 (windows-1252), latin1
                                  (iso-8859-1, read as Windows-1252); any case; CSV and TSV only
          --entity ENTITY_ID      entity for rows without entity_id
        """

    private static let usages: [String: String] = [
        "process": "card-upload process FILE... [--db PATH] [--format csv|tsv|jsonl|lead-card] [--delimiter CHAR] [--encoding auto|utf-8|latin1|cp1252] [--entity ENTITY_ID] [--report PATH] [--rejects PATH] [--results PATH] [--html PATH] [--on-conflict reject|update] [--batch-size N] [--cache-size MIB] [--max-rows N] [--max-bytes N] [--dry-run] [--atomic|--partial] [--quiet]",
        "process-dir": "card-upload process-dir INBOX [--done DIR] [--failed DIR] [--reports DIR] [--work DIR] [--min-age SECONDS] [--db PATH] [--delimiter CHAR] [--encoding auto|utf-8|latin1|cp1252] [--entity ENTITY_ID] [--on-conflict reject|update] [--batch-size N] [--cache-size MIB] [--max-rows N] [--max-bytes N] [--dry-run] [--atomic|--partial] [--quiet]",
        "reconcile": "card-upload reconcile FILE [--db PATH] [--format csv|tsv|jsonl|lead-card] [--delimiter CHAR] [--encoding auto|utf-8|latin1|cp1252] [--entity ENTITY_ID] [--extra] [--report PATH] [--quiet]",
        "cards": "card-upload cards get|find|list|set-status ...",
        "cards get": "card-upload cards get CARD_ID [--db PATH]",
        "cards find": "card-upload cards find --entity ENTITY_ID --external-id X [--db PATH]",
        "cards list": "card-upload cards list [--entity ID] [--account ID] [--status S] [--upload UPLOAD_ID] [--format jsonl|csv|lead-card] [--generated-at YYYY-MM-DD] [--updated-since DATE-TIME] [--db PATH]",
        "cards set-status": "card-upload cards set-status CARD_ID active|inactive|closed|expired [--reason TEXT] [--db PATH]",
        "uploads": "card-upload uploads list|show ...",
        "uploads list": "card-upload uploads list [--json] [--limit N] [--db PATH]",
        "uploads show": "card-upload uploads show UPLOAD_ID [--db PATH]",
        "help": "card-upload help [COMMAND]",
    ]

    /// Whether `help TOPIC` has a page.
    static func knows(_ topic: String) -> Bool { usages[topic] != nil }

    /// The usage line of `command` (nil: the top level).
    static func usageLine(for command: String?) -> String {
        command.flatMap { usages[$0] } ?? "card-upload <command> [options]   (card-upload --help)"
    }

    /// The help page of `topic` (nil: the top level).
    static func text(for topic: String?) -> String {
        switch topic {
        case nil:
            return """
                OVERVIEW: Load card portfolios from CSV, TSV or JSON-lines files into a SQLite card store.
                Every row is created, recognised as already loaded, or rejected with a reason that says what to fix.

                USAGE: card-upload <command> [options]

                SUBCOMMANDS:
                  process FILE...         load upload files (FILE "-" = standard input)
                  process-dir INBOX       load every upload file waiting in a folder (cron)
                  reconcile FILE          compare a file with the store, change nothing
                  cards get CARD_ID       print one card as JSON
                  cards find              find a card by --entity and --external-id
                  cards list              stream cards as JSON lines, CSV or a Lead card file
                  cards set-status        change a card's status
                  uploads list            past uploads, newest first
                  uploads show UPLOAD_ID  print the report of an upload, rebuilt from the store
                  help [COMMAND]          show help for a command

                OPTIONS:
                  -h, --help              show this help
                  --version               print the version

                EXIT CODES: 0 all rows loaded, or everything matches; 1 some rows rejected, differences, or not found;
                64 usage; 65 bad file;
                66 missing input or database; 70 internal error; 73 output not writable; 74 database I/O;
                75 database busy or locked.

                """
        case "process"?:
            return """
                OVERVIEW: Load upload files into the card store.

                USAGE: \(usages["process"]!)

                \(fileInput)
                  --report PATH           write the JSON report there (- = standard output)
                  --rejects PATH          the rejected rows in the input's form, with _line and _errors, to fix and upload again
                  --results PATH          CSV line,external_id,entity_id,outcome,card_id for every row
                  --html PATH             a self-contained HTML report: counts, a chart of rejections, the rejected rows
                  --on-conflict POLICY    reject (default) or update: a changed metadata replaces the stored one
                  --batch-size N          rows per transaction (default 100000; a batch also closes after 5 s)
                  --cache-size MIB        SQLite's page cache for the load (default 40 bytes per stored card, at
                                          least 64 MiB, at most 1/8 of the memory: a big store's key index stays
                                          in memory)
                  --max-rows N            stop a file past N rows: file_too_large (65), the rows before stay loaded
                  --max-bytes N           the same past N bytes (decompressed); neither has a limit by default
                  --dry-run               every check, nothing recorded; the report says what a real run would do
                  --atomic                all rows or none: nothing is committed when any row is rejected
                                          (a Lead card file always is, unless --partial)
                  --partial               a Lead card file: load its valid rows, in batches
                \(common)

                """
        case "reconcile"?:
            return """
                OVERVIEW: Compare a file with the card store, row by row, and change nothing.
                Each row is match, missing (no card for its key), differs (naming the fields) or invalid (its errors).

                USAGE: \(usages["reconcile"]!)

                \(fileInput)
                  --extra                 also list the cards of the file's entities that the file does not mention
                  --report PATH           write the JSON report there (- = standard output)
                \(common)

                Exit 0 when every row matches and no extra card is listed, 1 otherwise; the store is opened read-only.

                """
        case "process-dir"?:
            return """
                OVERVIEW: Load every upload file waiting in a folder (for cron), one at a time, in name order.

                USAGE: \(usages["process-dir"]!)

                ARGUMENTS:
                  INBOX                   the folder: *.csv, *.tsv, *.jsonl (each optionally .gz); names starting
                                          with . or ending in .part/.tmp are left alone

                OPTIONS:
                  --done DIR              where loaded files go (default INBOX/done; created when missing)
                  --failed DIR            where files with a file-level error (65) go (default INBOX/failed)
                  --reports DIR           <file>.report.json and <file>.rejects.<ext> (default INBOX/reports)
                  --work DIR              where each file is claimed (renamed) before it is read; on INBOX's
                                          file system (default INBOX/.card-upload-work). DONE, FAILED, REPORTS
                                          and DIR must be the job's own and writable by no one else (else 73)
                  --min-age SECONDS       leave files modified less than this long ago (default 0)
                  --delimiter CHAR        for .csv files (default sniffed); .tsv files are tab-separated
                  --encoding NAME         for CSV and TSV files: auto (default), utf-8, cp1252 or latin1
                  --entity, --on-conflict, --batch-size, --cache-size, --max-rows, --max-bytes,
                  --dry-run, --atomic, --partial
                                          as for process (a file past --max-rows/--max-bytes, or a Lead card
                                          file that committed nothing, goes to FAILED)
                \(common)

                While another run holds INBOX/.card-upload.lock, exit 75 at once. A name already in DONE, FAILED
                or REPORTS is never overwritten: the upload id goes before the suffix (a.<upload_id>.csv.gz).
                Files giving 64, 66 or 73 stay in INBOX; a database error (74) or busy store (75) stops the run.
                --quiet keeps the one timestamped line per file (the cron log).

                """
        case let topic?:
            return """
                USAGE: \(usageLine(for: topic))

                OPTIONS:
                \(common)

                """
        }
    }
}
