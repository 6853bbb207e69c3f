/// One option of a command, declared once: the parser, the help page, the "did you mean" suggestion and
/// the completion scripts are all made from it.
struct OptionSpec: Sendable {
    /// The name without the leading `--`.
    var name: String
    /// The value's name as help shows it (`path` for `<path>`); nil for a flag.
    var valueName: String?
    var help: String
    /// The default, as help shows it.
    var defaultValue: String?
    /// The accepted values, when they are a fixed list (help and completion; the command checks them).
    var values: [String] = []
    var required = false
    /// Accepted only to say why it does not apply (process-dir's `--format`): not in help or completion.
    var hidden = false

    /// An option without a value.
    static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, help: help)
    }

    /// An option that takes a value.
    static func value(_ name: String, _ valueName: String, _ help: String, default defaultValue: String? = nil,
                      values: [String] = [], required: Bool = false, hidden: Bool = false) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, defaultValue: defaultValue, values: values, required: required, hidden: hidden)
    }

    /// `--name <value>` or `--name`.
    var synopsis: String { "--\(name)" + (valueName.map { " <\($0)>" } ?? "") }
}

/// A positional argument of a command.
struct ArgumentSpec: Sendable {
    /// The name as help shows it (`file` for `<file>`).
    var name: String
    var help: String
    /// Whether it may be given more than once (`<file> ...`).
    var repeats = false
    /// Whether it may be left out (`[<command> ...]`).
    var optional = false
    /// The accepted values, when they are a fixed list.
    var values: [String] = []
}

/// A command (`process`), a command group (`cards`) or one of its subcommands (`cards list`).
struct CommandSpec: Sendable {
    /// The command words after `card-upload` (`cards list`); empty for the tool itself.
    var name: String
    /// One sentence: the help page's OVERVIEW and the command's line in its parent's SUBCOMMANDS.
    var overview: String
    /// Paragraphs after the overview.
    var discussion: String = ""
    var arguments: [ArgumentSpec] = []
    var options: [OptionSpec] = []

    /// The option called `--name`, hidden ones included.
    func option(_ name: String) -> OptionSpec? { options.first { $0.name == name } }

    /// The options help and completion show.
    var visibleOptions: [OptionSpec] { options.filter { !$0.hidden } }

    /// The last command word (`list` of `cards list`).
    var word: String { String(name.split(separator: " ").last ?? "") }
}
