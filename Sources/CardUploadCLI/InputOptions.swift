import CardUploadLoad
import CardUploadModel
import CardUploadRules
import CardUploadStore

/// The options that say how to read an upload file — `--format`, `--delimiter`, `--encoding`, `--entity` —
/// and the row options of a load, checked the same way by `process`, `process-dir` and `reconcile`.
enum InputOptions {
    /// Parses the input options given (`--format` only when `allowsFormat`).
    static func parse(_ arguments: ParsedArguments, command: String, allowsFormat: Bool = true) throws(UsageError) -> InputSettings {
        var settings = InputSettings()
        func usage(_ message: String) -> UsageError { UsageError(message: message, command: command) }
        if allowsFormat, let format = arguments.value("format") {
            if format == "lead-card" {
                // Lead's card file (SPEC §9): a CSV, pipe-delimited.
                settings.format = .csv
                settings.leadCard = true
            } else {
                guard let parsed = InputFormat(rawValue: format) else {
                    throw usage("--format must be csv, tsv, jsonl or lead-card (got '\(format)')")
                }
                settings.format = parsed
            }
        }
        if let delimiter = arguments.value("delimiter") {
            let name = delimiter == "\\t" || delimiter == "tab" ? "\t" : delimiter
            guard name.utf8.count == 1, let byte = name.utf8.first, byte != UInt8(ascii: "\""),
                  byte != 0x0A, byte != 0x0D, byte != 0 else {
                throw usage("--delimiter must be one ASCII character other than a quote or a line break (got '\(delimiter)')")
            }
            settings.delimiter = byte
        }
        if let encoding = arguments.value("encoding") {
            guard let parsed = EncodingChoice(name: encoding) else {
                throw usage(
                    "--encoding must be auto, utf-8 (utf8), cp1252 (windows-1252), latin1 (iso-8859-1) (got '\(encoding)')")
            }
            settings.encoding = parsed
            // `auto` is the default, and what a JSON-lines file is read as.
            settings.encodingGiven = parsed != .auto
            if settings.format == .jsonl, parsed != .auto {
                throw usage("--encoding applies to CSV and TSV only, not JSON lines")
            }
        }
        if let entity = arguments.value("entity") {
            // A Lead card file ignores --entity (its entity ids are the client's own): the use case says
            // whether the value must be a native entity id once it knows the file's kind.
            if let error = CardRules.entityIDError(entity) { settings.defaultEntityError = "--entity: \(error.message)" }
            settings.defaultEntity = entity
        }
        return settings
    }

    /// `--on-conflict`, default `reject`.
    static func conflictPolicy(_ arguments: ParsedArguments, command: String) throws(UsageError) -> ConflictPolicy {
        guard let policy = arguments.value("on-conflict") else { return .reject }
        guard let parsed = ConflictPolicy(rawValue: policy) else {
            throw UsageError(message: "--on-conflict must be reject or update (got '\(policy)')", command: command)
        }
        return parsed
    }

    /// `--NAME` as a positive whole number, when given.
    static func positive(_ name: String, _ arguments: ParsedArguments, command: String) throws(UsageError) -> Int? {
        guard let text = arguments.value(name) else { return nil }
        guard let parsed = Int(text), parsed > 0 else {
            throw UsageError(message: "--\(name) must be a positive whole number (got '\(text)')", command: command)
        }
        return parsed
    }
}

extension LoadOptions {
    /// The load settings from the input and row options (`--dry-run`, `--atomic` and outputs are set by the command).
    init(_ arguments: ParsedArguments, command: String, allowsFormat: Bool = true) throws(UsageError) {
        self.init()
        input = try InputOptions.parse(arguments, command: command, allowsFormat: allowsFormat)
        conflictPolicy = try InputOptions.conflictPolicy(arguments, command: command)
        if let size = try InputOptions.positive("batch-size", arguments, command: command) { batchSize = size }
        maxRows = try InputOptions.positive("max-rows", arguments, command: command)
        maxBytes = try InputOptions.positive("max-bytes", arguments, command: command)
        cacheMiB = try InputOptions.positive("cache-size", arguments, command: command)
        if let cacheMiB, cacheMiB > PageCache.largestMiB {
            throw UsageError(
                message: "--cache-size is in MiB and at most \(PageCache.largestMiB) (got '\(cacheMiB)')", command: command)
        }
        partial = arguments.flag("partial")
        if partial, arguments.flag("atomic") {
            throw UsageError(message: "--partial and --atomic contradict each other: choose one", command: command)
        }
    }
}
