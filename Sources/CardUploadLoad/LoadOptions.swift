import CardUploadRules
import CardUploadModel
import CardUploadReport
import CardUploadStore

/// How one input is read: `--format`, `--delimiter`, `--encoding`, `--entity` (shared by load and reconcile).
package struct InputSettings: Sendable {
    package var format: InputFormat?
    package var delimiter: UInt8?
    /// `--encoding`, `auto` by default (SPEC §10).
    package var encoding = EncodingChoice.auto
    /// Whether `--encoding` was given other than `auto` (a JSON-lines file then is a usage error).
    package var encodingGiven = false
    package var defaultEntity: String?
    /// Why `--entity` is not a native entity id: a usage error for a native file, nothing for a Lead file,
    /// which ignores `--entity`.
    package var defaultEntityError: String?
    /// `--format lead-card`: a Lead card file whatever its header says (else its header decides, SPEC §9).
    package var leadCard = false

    package init() {}

    /// The input options as given (each nil when not given); an error says which is wrong and what it must be.
    package init(format: String?, delimiter: String?, encoding: String?, entity: String?) throws(InputOptionError) {
        if let format {
            if format == "lead-card" {
                // Lead's card file (SPEC §9): a CSV, pipe-delimited.
                self.format = .csv
                leadCard = true
            } else {
                guard let parsed = InputFormat(rawValue: format) else {
                    throw InputOptionError(message: "--format must be csv, tsv, jsonl or lead-card (got '\(format)')")
                }
                self.format = parsed
            }
        }
        if let delimiter {
            let name = delimiter == "\\t" || delimiter == "tab" ? "\t" : delimiter
            guard name.utf8.count == 1, let byte = name.utf8.first, byte != UInt8(ascii: "\""),
                  byte != 0x0A, byte != 0x0D, byte != 0 else {
                throw InputOptionError(
                    message: "--delimiter must be one ASCII character other than a quote or a line break (got '\(delimiter)')")
            }
            self.delimiter = byte
        }
        if let encoding {
            guard let parsed = EncodingChoice(name: encoding) else {
                throw InputOptionError(
                    message: "--encoding must be auto, utf-8 (utf8), cp1252 (windows-1252), latin1 (iso-8859-1) (got '\(encoding)')")
            }
            self.encoding = parsed
            // `auto` is the default, and what a JSON-lines file is read as.
            encodingGiven = parsed != .auto
            if self.format == .jsonl, parsed != .auto {
                throw InputOptionError(message: "--encoding applies to CSV and TSV only, not JSON lines")
            }
        }
        if let entity {
            // A Lead card file ignores --entity (its entity ids are the client's own): the use case says
            // whether the value must be a native entity id once it knows the file's kind.
            if let error = CardRules.entityIDError(entity) { defaultEntityError = "--entity: \(error.message)" }
            defaultEntity = entity
        }
    }
}

/// An input option's value is not one the tool reads (a usage error).
package struct InputOptionError: Error {
    package var message: String
}

/// The settings of one load.
package struct LoadOptions: Sendable {
    package var input = InputSettings()
    package var conflictPolicy: ConflictPolicy = .reject
    package var batchSize = 100_000
    /// A batch also closes after this much work, so a concurrent run never waits long.
    package var batchSeconds = 5.0
    package var outputs = OutputPaths()
    /// `--report-rows`: which rows the JSON report lists (all by default; the counts are always complete).
    package var reportRows = ReportRows.all
    /// `--dry-run`: every check, the file in one transaction that is rolled back; nothing recorded.
    package var dryRun = false
    /// `--atomic`: the file in one transaction, committed only when no row is rejected.
    package var atomic = false
    /// `--partial`: a Lead card file (all or nothing by default) loads its valid rows, in batches.
    package var partial = false
    /// The name the upload is recorded and reported under, when not the path read (process-dir reads a
    /// claimed file through its working folder and records it under its INBOX name).
    package var recordedName: String?
    /// Records the upload as failed with this error without opening the input (process-dir: an entry
    /// with an upload name that is not a regular file of one link).
    package var refusal: FileError?
    /// Asked once the input was read to its end: an error when it changed while it was read.
    package var inputCheck: (@Sendable () -> FileError?)?
    /// `--max-rows` and `--max-bytes` (decompressed): a file past either stops there with `file_too_large`
    /// (65; the rows before stay committed). None by default.
    package var maxRows: Int?
    package var maxBytes: Int?
    /// `--cache-size`, in MiB: SQLite's page cache for the load (else sized to the store: `PageCache`).
    package var cacheMiB: Int?
    /// Whether the result lists the rejected rows by error code (a summary table; a query over the rows).
    package var summarizesRejections = false
    /// The kind of card file (its header, row mapping, field rules and store semantics): the input's, once
    /// opened (`forKind`).
    package var kind = CardFileKind.native

    package init() {}

    /// Whether the file is loaded in one transaction rather than in batches.
    package var wholeFile: Bool { dryRun || atomic }

    /// These options for a file of `kind`: a Lead file is atomic unless `--partial`, and takes no `--entity`
    /// or `--on-conflict` (SPEC §9).
    package func forKind(_ kind: CardFileKind) -> LoadOptions {
        var options = self
        options.kind = kind
        if kind.isAtomicByDefault, !partial { options.atomic = true }
        if !kind.takesNativeOptions {
            options.input.defaultEntity = nil
            options.conflictPolicy = .reject
        }
        return options
    }

    /// What `forKind(kind)` ignores of these options, said on stderr.
    package func ignoredNotes(for kind: CardFileKind) -> [String] {
        guard !kind.takesNativeOptions else { return [] }
        var notes: [String] = []
        if input.defaultEntity != nil { notes.append("--entity does not apply to a Lead card file (its rows name their entity): ignored") }
        if conflictPolicy != .reject { notes.append("--on-conflict does not apply to a Lead card file (a row is its card's whole record): ignored") }
        return notes
    }
}

/// Where a load writes its outputs; nil when not asked for.
package struct OutputPaths: Sendable {
    package var report: String?
    package var rejects: String?
    package var results: String?
    package var html: String?

    package init() {}

    /// The outputs asked for, with their option names.
    package var named: [(option: String, path: String)] {
        [("report", report), ("rejects", rejects), ("results", results), ("html", html)]
            .compactMap { entry in entry.1.map { (option: entry.0, path: $0) } }
    }

    /// What is wrong with the outputs of a load of `files` into `database` (SPEC §6), nil when nothing: an output
    /// takes one FILE; none may be an input, the card store or another output; only --report may be `-`.
    /// `--metrics` (SPEC §10) is checked alike, and must be a file.
    package func problem(files: [String], database: String, metrics: String?) -> String? {
        let named = self.named + (metrics.map { [(option: "metrics", path: $0)] } ?? [])
        if files.count > 1, let first = self.named.first {
            return "--\(first.option) takes one FILE; with several files use process-dir --reports DIR"
        }
        for (index, output) in named.enumerated() {
            guard !output.path.isEmpty else { return "--\(output.option) needs a path" }
            if output.path == "-" {
                if output.option == "report" { continue }
                return output.option == "metrics" ? "--metrics needs a file path (for node_exporter's textfile collector)"
                    : "--\(output.option) needs a file path; only --report may be -"
            }
            if let input = files.first(where: { $0 != "-" && PathIdentity.same($0, output.path) }) {
                return "--\(output.option) \(output.path) is the input file \(input); choose another path"
            }
            if Self.isStoreFile(output.path, database: database) {
                return "--\(output.option) \(output.path) is the card store \(database); choose another path"
            }
            if let other = named[..<index].first(where: { PathIdentity.same($0.path, output.path) }) {
                return "--\(output.option) and --\(other.option) name the same file \(output.path)"
            }
        }
        return nil
    }

    /// Whether `path` is the store at `database` or one of SQLite's files beside it (an output must not be).
    package static func isStoreFile(_ path: String, database: String) -> Bool {
        ["", "-wal", "-shm", "-journal", "-uploads.lock"].contains { PathIdentity.same(database + $0, path) }
    }
}

/// The settings of one reconcile run.
package struct ReconcileOptions: Sendable {
    package var file: String
    package var input = InputSettings()
    /// `--extra`: also list the cards of the file's entities that the file does not mention.
    package var listsExtra = false
    package var reportPath: String?
    /// The kind of card file the input is.
    package var kind = CardFileKind.native

    package init(file: String) {
        self.file = file
    }
}

/// The settings of one `process-dir` run.
package struct InboxSettings: Sendable {
    package var inbox: String
    package var done: String
    package var failed: String
    package var reports: String
    package var minimumAge: Double = 0
    /// `--work DIR`: where files are claimed to (on INBOX's file system); nil for INBOX's own.
    package var work: String?
    /// The working folder's name inside INBOX when `--work` is not given (hidden: never listed as an upload).
    package static let defaultWorkName = ".card-upload-work"
    /// The row options every file is loaded with (format and outputs are set per file).
    package var load = LoadOptions()
    /// `--keep-days N`: after the run, prune the rows of uploads that finished more than N days ago.
    package var keepDays: Int?

    package init(inbox: String, done: String, failed: String, reports: String) {
        self.inbox = inbox
        self.done = done
        self.failed = failed
        self.reports = reports
    }

    package var dryRun: Bool { load.dryRun }

    /// A run's folders from INBOX as given and the options that name them (nil: INBOX/done, INBOX/failed,
    /// INBOX/reports; INBOX's own working folder), checked; a wrong one throws the message it gets (SPEC §1).
    package init(
        inbox given: String, done: String?, failed: String?, reports: String?, work: String?, minimumAge: String?
    ) throws(InboxSettingsError) {
        guard !given.isEmpty else { throw InboxSettingsError(message: "INBOX needs a folder path") }
        // `in/` and `in` are one folder; the paths in the log and the store read the same either way.
        var trimmed = Substring(given)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let inbox = String(trimmed)
        func folder(_ option: String, _ value: String?) throws(InboxSettingsError) -> String {
            let path = value ?? (inbox == "/" ? "" : inbox) + "/" + option
            guard !path.isEmpty else { throw InboxSettingsError(message: "--\(option) needs a folder path") }
            // Files moved or written into INBOX itself would be loaded again by the next run.
            if PathIdentity.same(path, given) { throw InboxSettingsError(message: "--\(option) must not be INBOX itself") }
            return path
        }
        self.init(
            inbox: inbox, done: try folder("done", done), failed: try folder("failed", failed), reports: try folder("reports", reports))
        if let work {
            guard !work.isEmpty else { throw InboxSettingsError(message: "--work needs a folder path") }
            if PathIdentity.same(work, given) { throw InboxSettingsError(message: "--work must not be INBOX itself") }
            self.work = work
        }
        if let age = minimumAge {
            guard let parsed = Double(age), parsed.isFinite, parsed >= 0 else {
                throw InboxSettingsError(message: "--min-age must be a number of seconds, 0 or more (got '\(age)')")
            }
            self.minimumAge = parsed
        }
    }

    /// The options file `name` is loaded with: its format from its name; `--delimiter` for CSV files only
    /// (a TSV is tab-separated) and `--encoding` for CSV and TSV only, so one inbox may mix formats.
    package func loadOptions(for name: String, report: String, rejects: String) -> LoadOptions {
        var options = load
        let format = InboxNames.format(of: name)
        options.input.format = format
        if format != .csv { options.input.delimiter = nil }
        if format == .jsonl {
            options.input.encoding = .auto
            options.input.encodingGiven = false
        }
        options.outputs = OutputPaths()
        options.outputs.report = report
        options.outputs.rejects = rejects
        return options
    }
}

/// A `process-dir` folder option that cannot be used: the usage message.
package struct InboxSettingsError: Error, Sendable {
    package var message: String
}
