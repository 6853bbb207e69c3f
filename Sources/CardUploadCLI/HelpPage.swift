/// Help pages made from `CommandTable`, in swift-argument-parser's layout: OVERVIEW, USAGE, ARGUMENTS,
/// OPTIONS, SUBCOMMANDS, labels in a 26-column gutter, wrapped to 80 columns.
enum HelpPage {
    static let width = 80
    private static let gutter = 26

    /// The help page of `command` (`CommandTable.root` for the tool itself), as printed.
    static func text(for command: CommandSpec) -> String {
        let overview = command.overview + (command.discussion.isEmpty ? "" : "\n\n" + command.discussion)
        let page = wrap("OVERVIEW: " + overview, width: width).joined(separator: "\n") + "\n\nUSAGE: " + usage(for: command) + "\n\n"
        var sections: [String] = []
        if !command.arguments.isEmpty {
            sections.append("ARGUMENTS:\n" + command.arguments.map { element("<\($0.name)>", describe($0.help, values: $0.values)) }.joined())
        }
        let options = command.visibleOptions.map { element($0.synopsis, describe($0.help, values: $0.values, default: $0.defaultValue)) }
        sections.append("OPTIONS:\n" + options.joined() + element("-h, --help", "Show help information."))
        let subcommands = CommandTable.subcommands(of: command)
        if !subcommands.isEmpty {
            sections.append("SUBCOMMANDS:\n" + subcommands.map { element($0.word, $0.overview) }.joined()
                + "\n  See 'card-upload help \(command.name.isEmpty ? "" : command.name + " ")<subcommand>' for detailed help.")
        }
        return page + sections.joined(separator: "\n") + "\n"
    }

    /// The usage of `command`, wrapped to 80 columns after `USAGE: ` (continuation lines indented 7): every
    /// argument and option, or `[<options>]` and the required ones when there are more than 12.
    static func usage(for command: CommandSpec) -> String {
        var units = ["card-upload"] + command.name.split(separator: " ").map(String.init)
        if !CommandTable.subcommands(of: command).isEmpty { units.append("<subcommand>") }
        let arguments = command.arguments.map { argument in
            let synopsis = "<\(argument.name)>" + (argument.repeats ? " ..." : "")
            return argument.optional ? "[\(synopsis)]" : synopsis
        }
        let options = command.name.isEmpty ? [] : command.visibleOptions
        if options.count + arguments.count > 12 {
            units += ["[<options>]"] + arguments + options.filter(\.required).map(\.synopsis)
        } else {
            units += arguments + options.map { $0.required ? $0.synopsis : "[\($0.synopsis)]" }
        }
        // Wrapped between units, never inside one (`[--db <path>]`): their own spaces are held as NUL meanwhile.
        let text = units.map { $0.replacingOccurrences(of: " ", with: "\0") }.joined(separator: " ")
        return wrap(text, width: width - 7).joined(separator: "\n       ").replacingOccurrences(of: "\0", with: " ")
    }

    /// The help of an argument or option with its values and default, as swift-argument-parser writes them.
    private static func describe(_ help: String, values: [String], default defaultValue: String? = nil) -> String {
        let notes = [values.isEmpty ? nil : "values: " + values.joined(separator: ", "), defaultValue.map { "default: " + $0 }]
            .compactMap { $0 }
        return notes.isEmpty ? help : help + " (" + notes.joined(separator: "; ") + ")"
    }

    /// One label and its text: on the label's line when the label fits the gutter, else on the lines below.
    private static func element(_ label: String, _ text: String) -> String {
        let label = "  " + label
        let margin = String(repeating: " ", count: gutter)
        var lines = wrap(text, width: width - gutter).map { margin + $0 }
        if label.count < gutter, !lines.isEmpty {
            lines[0] = label + lines[0].dropFirst(label.count)
        } else {
            lines.insert(label, at: 0)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` broken at spaces into lines of at most `width` characters (a longer word stands alone); its own
    /// line breaks are kept.
    static func wrap(_ text: String, width: Int) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { paragraph -> [String] in
            var lines: [String] = []
            var line = ""
            for word in paragraph.split(separator: " ") {
                if line.isEmpty {
                    line = String(word)
                } else if line.count + 1 + word.count <= width {
                    line += " " + word
                } else {
                    lines.append(line)
                    line = String(word)
                }
            }
            return lines + [line]
        }
    }
}
