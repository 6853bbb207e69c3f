/// A usage error: printed with the command's usage line, exit 64.
struct UsageError: Error {
    var message: String
    /// The command whose usage applies (`process`, `cards get`…), nil for the top level.
    var command: String?
}

/// How an option is written: a flag, or one that takes a value.
enum OptionKind {
    case flag
    case value
}

/// Command-line words split into options and positional arguments (SPEC §1): options may stand anywhere
/// after the command words, as `--name value` or `--name=value`; `--` ends them; `-h`/`--help` anywhere.
struct ParsedArguments {
    private(set) var values: [String: String] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []
    private(set) var wantsHelp = false

    /// Parses `words` against the options `known` accepts (names without the leading `--`).
    init(_ words: ArraySlice<String>, known: [String: OptionKind], command: String) throws(UsageError) {
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
            guard word.hasPrefix("--") else {
                throw UsageError(message: "unknown option '\(word)'", command: command)
            }
            var name = String(word.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let kind = known[name] else {
                throw UsageError(message: "unknown option '--\(name)'", command: command)
            }
            switch kind {
            case .flag:
                if inlineValue != nil {
                    throw UsageError(message: "option '--\(name)' takes no value", command: command)
                }
                flags.insert(name)
            case .value:
                if let inlineValue {
                    values[name] = inlineValue
                } else {
                    guard index < words.endIndex else {
                        throw UsageError(message: "option '--\(name)' needs a value", command: command)
                    }
                    values[name] = words[index]
                    index += 1
                }
            }
        }
    }

    /// The value of `--name`, if given.
    func value(_ name: String) -> String? { values[name] }

    /// Whether `--name` was given.
    func flag(_ name: String) -> Bool { flags.contains(name) }
}

extension ParsedArguments {
    /// Parses the words of `command`; nil when `-h`/`--help` was among them and the command's help was printed.
    static func unlessHelp(
        _ words: ArraySlice<String>, known: [String: OptionKind], command: String, console: Console
    ) throws(UsageError) -> ParsedArguments? {
        let arguments = try ParsedArguments(words, known: known, command: command)
        guard arguments.wantsHelp else { return arguments }
        console.out(Help.text(for: command))
        return nil
    }
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
