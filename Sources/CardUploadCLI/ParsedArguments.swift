import CardUploadModel

/// A usage error: printed with the command's usage line, exit 64.
struct UsageError: Error {
    var message: String
    /// The command whose usage applies (`process`, `cards get`…), nil for the top level.
    var command: String?
}

/// Command-line words split into options and positional arguments (SPEC §1, §10) by the command's options in
/// `CommandTable`: options may stand anywhere after the command words, as `--name value` or `--name=value`;
/// `--` ends them; `-h`/`--help` anywhere. A value that is missing, or is a word starting with `--`, is a
/// usage error; an unknown option close to a known one gets a suggestion.
struct ParsedArguments {
    private(set) var values: [String: String] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []
    private(set) var wantsHelp = false

    /// Parses `words` against the options of `command`.
    init(_ words: ArraySlice<String>, for command: CommandSpec) throws(UsageError) {
        func usage(_ message: String) -> UsageError { UsageError(message: message, command: command.name) }
        var index = words.startIndex
        var optionsEnded = false
        while index < words.endIndex {
            let word = words[index]
            index += 1
            if optionsEnded || !word.hasPrefix("-") || word == "-" {
                positionals.append(word)
                continue
            }
            if word == "--" { optionsEnded = true; continue }
            if word == "-h" || word == "--help" { wantsHelp = true; continue }
            guard word.hasPrefix("--") else { throw usage("unknown option '\(word)'") }
            var name = String(word.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let option = command.option(name) else {
                let known = command.visibleOptions.map { "--" + $0.name } + ["--help"]
                throw usage("unknown option '--\(name)'" + Suggestion.didYouMean("--" + name, among: known))
            }
            guard option.valueName != nil else {
                if inlineValue != nil { throw usage("option '--\(name)' takes no value") }
                flags.insert(name)
                continue
            }
            if let inlineValue {
                values[name] = inlineValue
            } else {
                // `--report --quiet` names no report: the next option is not a value (`--report=--x` still is).
                guard index < words.endIndex, !words[index].hasPrefix("--") else {
                    throw usage("missing value for '\(option.synopsis)'")
                }
                values[name] = words[index]
                index += 1
            }
        }
    }

    /// The value of `--name`, if given.
    func value(_ name: String) -> String? { values[name] }

    /// Whether `--name` was given.
    func flag(_ name: String) -> Bool { flags.contains(name) }
}

extension ParsedArguments {
    /// The one positional argument, named `name` in the usage error when there is not exactly one.
    func single(_ name: String, command: String) throws(UsageError) -> String {
        guard positionals.count == 1 else { throw UsageError(message: "expected one \(name)", command: command) }
        return positionals[0]
    }

    /// A usage error when any positional argument was given.
    func expectNoPositionals(command: String) throws(UsageError) {
        if let first = positionals.first { throw UsageError(message: "unexpected argument '\(first)'", command: command) }
    }
}

/// "Did you mean" for a mistyped command or option (SPEC §10): the nearest known word within edit distance 2.
enum Suggestion {
    /// `; did you mean 'WORD'?`, or "" when no known word is that close.
    static func didYouMean(_ typed: String, among known: [String]) -> String {
        EditDistance.nearest(to: typed, among: known).map { "; did you mean '\($0)'?" } ?? ""
    }
}
