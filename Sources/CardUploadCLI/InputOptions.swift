import CardUploadLoad
import CardUploadModel
import CardUploadRules
import CardUploadStore

/// The options that say how to read an upload file — `--format`, `--delimiter`, `--encoding`, `--entity` —
/// and the row options of a load, checked the same way by `process`, `process-dir` and `reconcile`.
enum InputOptions {
    /// The input options given (`--format` only when `allowsFormat`), read by `InputSettings`.
    static func parse(_ arguments: ParsedArguments, command: String, allowsFormat: Bool = true) throws(UsageError) -> InputSettings {
        do {
            return try InputSettings(
                format: allowsFormat ? arguments.value("format") : nil, delimiter: arguments.value("delimiter"),
                encoding: arguments.value("encoding"), entity: arguments.value("entity"))
        } catch {
            throw UsageError(message: error.message, command: command)
        }
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
