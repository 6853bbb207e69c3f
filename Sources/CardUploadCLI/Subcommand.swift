/// The second command word of a command group (`cards get`, `uploads show`).
enum Subcommand {
    /// The subcommand and the words after it; nil when the group's help was printed instead.
    static func split(
        _ words: ArraySlice<String>, group: String, choices: String, console: Console
    ) throws(UsageError) -> (String, ArraySlice<String>)? {
        guard let sub = words.first, !sub.hasPrefix("-") else {
            if words.first == "--help" || words.first == "-h" {
                console.out(Help.text(for: group))
                return nil
            }
            throw UsageError(message: "missing subcommand: \(choices)", command: group)
        }
        return (sub, words.dropFirst())
    }
}
