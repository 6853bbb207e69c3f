import CardUploadReport

extension ReconcileSummary {
    /// What `reconcile` prints on stderr for a person (SPEC §7, §10): the counts, the verdict, the time and
    /// the store compared with, then the first line of each kind of difference. `file` and `store` are
    /// already safe for a terminal.
    package func text(file: String, store: String, listsExtra: Bool) -> String {
        let verdict = fileError != nil ? "incomplete" : everythingMatches ? "everything matches" : "differences found"
        let number = TerminalFormat.number
        let extra = listsExtra && fileError == nil ? ", \(number(counts.extra)) extra" : ""
        var text = "\(file): \(TerminalFormat.count(counts.rows, "row")): \(number(counts.match)) match, "
            + "\(number(counts.missing)) missing, \(number(counts.differs)) differs, \(number(counts.invalid)) invalid\(extra)"
            + " — \(verdict) in \(TerminalFormat.duration(seconds: seconds)), compared with \(store)\n"
        guard !firstLines.isEmpty else { return text }
        let rowsByResult = ["missing": counts.missing, "differs": counts.differs, "invalid": counts.invalid]
        func tableLine(_ result: String, _ rows: String, _ line: String) -> String {
            "  " + result.padding(toLength: 7, withPad: " ", startingAt: 0) + " "
                + String(repeating: " ", count: max(0, 6 - rows.count)) + rows + "  \(line)\n"
        }
        text += tableLine("result", "rows", "first line")
        for entry in firstLines.sorted(by: { $0.line < $1.line }) {
            text += tableLine(entry.result, number(rowsByResult[entry.result] ?? 0), number(entry.line))
        }
        return text
    }
}
