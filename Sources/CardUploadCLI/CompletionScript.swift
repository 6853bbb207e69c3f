/// `card-upload completion bash|zsh|fish` (SPEC §10): completion scripts made from `CommandTable` — commands,
/// subcommands, each command's options, and the values of options and arguments that are a fixed list, files
/// or folders. bash and zsh share one scanner of the words before the cursor; fish's are declarations.
enum CompletionScript {
    /// The script for `shell`, nil for a shell it does not know.
    static func text(for shell: String) -> String? {
        let setUp = ["bash": "source <(card-upload completion bash)", "zsh": "source <(card-upload completion zsh), or save it as _card_upload in $fpath",
                     "fish": "card-upload completion fish > ~/.config/fish/completions/card-upload.fish"]
        guard let setUp = setUp[shell] else { return nil }
        let header = "# \(shell) completion for card-upload, made by `card-upload completion \(shell)` from its command table.\n# Set up: \(setUp)\n"
        return shell == "fish" ? header + fish : shell == "bash" ? header + shared + bash : "#compdef card-upload\n" + header + shared + zsh
    }

    /// The tool (its commands and options) and every command.
    private static var nodes: [CommandSpec] { [CommandTable.root] + CommandTable.commands }

    /// How a value completes: its fixed values, else `@files` (`<path>`, `<file>`), `@dirs` (`<dir>`, `<inbox>`) or nil.
    private static func completion(_ values: [String], _ valueName: String) -> String? {
        if !values.isEmpty { return values.joined(separator: " ") }
        return ["path", "file"].contains(valueName) ? "@files" : ["dir", "inbox"].contains(valueName) ? "@dirs" : nil
    }

    /// `__card_upload_data COMMAND KEY` as case branches: a command's `commands`, `options`, `valued` (options
    /// that take a value, hidden ones too, so their values are skipped), `--option` values and argument values by position.
    private static var dataBranches: String {
        nodes.flatMap { command -> [String] in
            let valued = command.options.filter { $0.valueName != nil }
            let subcommands = CommandTable.subcommands(of: command).map(\.word).joined(separator: " ")
            var entries: [(key: String, words: String?)] = [
                ("options'", (command.visibleOptions.map { "--" + $0.name } + ["--help"]).joined(separator: " ")),
                ("commands'", subcommands.isEmpty ? nil : subcommands),
                ("valued'", valued.isEmpty ? nil : valued.map { "--" + $0.name }.joined(separator: " ")),
            ]
            entries += valued.filter { !$0.hidden }.map { ("--\($0.name)'", completion($0.values, $0.valueName!)) }
            // `help` takes command words, as the tool does: `help cards <TAB>` offers cards' subcommands.
            entries += command.name == "help" ? [] : command.arguments.enumerated().map { index, argument in
                (argument.repeats ? "'[0-9]*" : "\(index)'", completion(argument.values, argument.name))
            }
            return entries.compactMap { entry in entry.words.map { "        '\(command.name):\(entry.key)) echo '\($0)' ;;" } }
        }.joined(separator: "\n") + "\n" + helpTree.flatMap { words, next in
            ["        '\(words):commands') echo '\(next)' ;;"] + (words == "help" ? [] : ["        '\(words):options') echo '--help' ;;"])
        }.joined(separator: "\n")
    }

    /// What follows `help` and `help COMMAND`: the commands, then the subcommands of a command that has them.
    private static var helpTree: [(words: String, next: String)] {
        ([CommandTable.root] + CommandTable.commands.filter { !$0.name.contains(" ") }).compactMap { command in
            let next = CommandTable.subcommands(of: command).map(\.word).joined(separator: " ")
            return next.isEmpty ? nil : (["help", command.name].filter { !$0.isEmpty }.joined(separator: " "), next)
        }
    }

    private static var shared: String {
        """

        __card_upload_data() {
            case "$1:$2" in
        \(dataBranches)
            esac
        }

        # Sets cmd (the command words), position (how many arguments it has), option (the option whose value
        # is being typed, if any) and ended (a `--` came: every later word is an argument) from the words before
        # the cursor.
        __card_upload_scan() {
            cmd='' position=0 option='' ended=''
            local word takes=''
            for word in "$@"; do
                if [[ -n $takes ]]; then [[ $word == '=' ]] || takes=''; continue; fi
                if [[ -z $ended && $word == -* && $word != - ]]; then
                    [[ $word == -- ]] && ended=1
                    [[ $word != *=* && " $(__card_upload_data "$cmd" valued) " == *" $word "* ]] && takes=1 option=$word
                    continue
                fi
                if [[ -n $(__card_upload_data "$cmd" commands) ]]; then cmd="${cmd:+$cmd }$word"; else position=$((position + 1)); fi
            done
            [[ -n $takes ]] || option=''
        }

        # The words that may stand at the cursor (or @files, @dirs): $1 is the word there, the rest the words before it.
        __card_upload_candidates() {
            local cur=$1 cmd position option ended
            shift
            __card_upload_scan "$@"
            if [[ -z $ended && $cur == --*=* ]]; then __card_upload_data "$cmd" "${cur%%=*}"
            elif [[ -n $option ]]; then __card_upload_data "$cmd" "$option"
            elif [[ -z $ended && $cur == -* ]]; then __card_upload_data "$cmd" options
            elif [[ -n $(__card_upload_data "$cmd" commands) ]]; then __card_upload_data "$cmd" commands
            else __card_upload_data "$cmd" "$position"
            fi
        }

        """
    }

    private static let bash = """
        _card_upload() {
            local cur=${COMP_WORDS[COMP_CWORD]} candidates cmd position option ended
            [[ $cur == '=' ]] && cur=''
            candidates=$(__card_upload_candidates "$cur" "${COMP_WORDS[@]:1:COMP_CWORD-1}")
            __card_upload_scan "${COMP_WORDS[@]:1:COMP_CWORD-1}"
            [[ -z $ended && $cur == --*=* ]] && cur=${cur#*=}
            case $candidates in
                @files) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
                @dirs) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")) ;;
                *) COMPREPLY=($(compgen -W "$candidates" -- "$cur")) ;;
            esac
        }
        complete -F _card_upload card-upload

        """

    private static let zsh = """
        _card_upload() {
            local cur=${words[CURRENT]} candidates cmd position option ended
            candidates=$(__card_upload_candidates "$cur" "${(@)words[2,CURRENT-1]}")
            __card_upload_scan "${(@)words[2,CURRENT-1]}"
            [[ -z $ended && $cur == --*=* ]] && compset -P '*='
            case $candidates in
                @files) _files ;;
                @dirs) _files -/ ;;
                *) compadd -- ${=candidates} ;;
            esac
        }
        if [[ $funcstack[1] == _card_upload ]]; then _card_upload "$@"; else compdef _card_upload card-upload; fi

        """

    /// fish: one `complete` line per command, subcommand, option and argument, each under the condition that
    /// its command words were typed.
    private static var fish: String {
        func quoted(_ text: String) -> String {
            "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        /// An option's value (`-r`/`-x`: it takes one) or an argument: files, folders or a list.
        func given(_ words: String?, option: Bool) -> String {
            switch words {
            case "@files"?: (option ? " -r" : "") + " -F"
            case "@dirs"?: (option ? " -x" : "") + " -a '(__fish_complete_directories)'"
            case let list?: (option ? " -x" : "") + " -a " + quoted(list)
            case nil: option ? " -x" : ""
            }
        }
        var lines = ["complete -c card-upload -f"]
        for command in nodes {
            let words = command.name.split(separator: " ").map(String.init)
            let condition = words.isEmpty ? "__fish_use_subcommand"
                : words.map { "__fish_seen_subcommand_from \($0)" }.joined(separator: "; and ")
            let subcommands = CommandTable.subcommands(of: command)
            let none = subcommands.isEmpty || words.isEmpty ? "" : "; and not __fish_seen_subcommand_from " + subcommands.map(\.word).joined(separator: " ")
            // After `help`, command words are help's (the helpTree lines below), not the command's own.
            let notHelp = words.isEmpty || command.name == "help" ? "" : "; and not __fish_seen_subcommand_from help"
            let line = "complete -c card-upload -n " + quoted(condition + none + notHelp)
            lines += subcommands.map { line + " -a \($0.word) -d " + quoted($0.overview) }
            lines += command.visibleOptions.map { option in
                line + " -l \(option.name)" + (option.valueName.map { given(completion(option.values, $0), option: true) } ?? "") + " -d " + quoted(option.help)
            }
            lines.append(line + " -s h -l help -d 'Show help information.'")
            let arguments = command.name == "help" ? [] : command.arguments
            lines += arguments.compactMap { completion($0.values, $0.name).map { line + given($0, option: false) } }
        }
        // `help`, then `help COMMAND`: each list right after its words (card-upload and those words typed).
        for (words, next) in helpTree {
            let typed = words.split(separator: " "), count = "test (count (commandline -opc)) -eq \(typed.count + 1)"
            let condition = quoted((typed.map { "__fish_seen_subcommand_from \($0)" } + [count]).joined(separator: "; and "))
            lines += next.split(separator: " ").map { "complete -c card-upload -n \(condition) -a \($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
