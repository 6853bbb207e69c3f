import CardUploadModel

/// The header line of an upload CSV: what each column holds, checked against SPEC §2.
///
/// Names are compared byte for byte (their UTF-8), never with Swift's `==`, which treats canonically
/// equivalent strings as equal.
package struct CSVHeader: Sendable {
    /// What a column holds.
    package enum Column: Sendable, Equatable {
        case externalID, accountID, entityID, type, lastFour, replacementFor
        /// `metadata.<key>`: the key is the rest of the name, byte for byte.
        case metadata(key: String)
        /// A name starting with `_`: kept in the cells, not part of the card.
        case annotation
        /// One of Lead's 14 columns (a Lead card file, SPEC §9).
        case lead(LeadColumn)
    }

    /// One thing wrong with the header.
    package struct Problem: Sendable, Equatable {
        package var code: ErrorCode
        package var name: String
        /// 1-based column position; nil for a missing column.
        package var position: Int?

        /// For a Lead file: the column Lead spells like this one in another letter case.
        package var hint = ""
        /// What to do about it (SPEC §10): the column meant, or `--entity`; empty when there is nothing to say.
        package var suggestion = ""

        package var description: String {
            let quoted = "\"\(name)\""
            let advice = suggestion.isEmpty ? "" : "; \(suggestion)"
            switch code {
            case .columnNotSettable: return "column \(position ?? 0) \(quoted) is set by the store, not by an upload (column_not_settable)"
            case .duplicateColumn: return "column \(position ?? 0) \(quoted) appears more than once (duplicate_column)"
            case .missingColumn: return "required column \(quoted) is missing (missing_column)\(advice)"
            default: return "column \(position ?? 0) \(quoted) is not \(hint.isEmpty ? "an upload" : "a Lead card file") column (unknown_column)\(hint)\(advice)"
            }
        }

        /// The suggestion as a hint of its own (SPEC §10), or nil.
        var fileHint: FileHint? {
            guard !suggestion.isEmpty else { return nil }
            switch code {
            case .missingColumn: return FileHint(.missingEntity, "the file has no entity_id column: add it, \(suggestion)")
            default: return FileHint(.unknownColumn, "column \"\(CardNumber.mask(name))\": \(suggestion)")
            }
        }
    }

    /// The column names, in order.
    package let names: [String]
    /// What each column holds, in order.
    package let columns: [Column]
    /// Whether some column is an annotation (`_…`): then the file was written by this tool, and cells lose the
    /// `'` the writer put before a cell a spreadsheet would change (`SpreadsheetConversion`).
    package let hasAnnotations: Bool

    private static let settable: [(name: [UInt8], column: Column)] = [
        (Array("external_id".utf8), .externalID),
        (Array("account_id".utf8), .accountID),
        (Array("entity_id".utf8), .entityID),
        (Array("type".utf8), .type),
        (Array("details.last_four".utf8), .lastFour),
        (Array("details.replacement_for".utf8), .replacementFor),
    ]
    private static let systemManaged: [[UInt8]] = [
        "id", "status", "status_reason", "replaced_by", "created_at", "updated_at",
    ].map { Array($0.utf8) }
    private static let metadataPrefix = Array("metadata.".utf8)

    /// Whether the header is a Lead card file's (SPEC §9): `names`, each split again by any of `,` `;` `|`
    /// tab (a header sniffed with the wrong delimiter is still recognised), hold `client_card_id`.
    package static func isLead(names: [String]) -> Bool {
        names.contains { name in
            name.utf8.split(whereSeparator: { CSVDelimiterSniffer.candidates.contains($0) }).contains { part in
                part.elementsEqual(leadKey)
            }
        }
    }

    /// Whether the header line `bytes` (up to its line end; a BOM, quotes and blanks around names allowed)
    /// is a Lead card file's: `isLead` on the raw bytes, before the reader is opened.
    package static func isLead(headerLine bytes: some Collection<UInt8>) -> Bool {
        let line = bytes.prefix { $0 != 0x0A && $0 != 0x0D }
        return line.split(whereSeparator: { CSVDelimiterSniffer.candidates.contains($0) }).contains { part in
            let trimmed = part.drop { $0 == CSVByte.quote || $0 == 0x20 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }
            let name = trimmed.reversed().drop { $0 == CSVByte.quote || $0 == 0x20 }.reversed()
            return name.elementsEqual(leadKey)
        }
    }

    private static let leadKey = Array("client_card_id".utf8)

    /// Checks the header; every problem is reported at once in one `FileError` (the first problem's code).
    /// A Lead header (`lead`) is checked against Lead's 14 columns instead.
    package init(names: [String], hasDefaultEntity: Bool, lead: Bool = false, line: Int, offset: Int) throws(FileError) {
        let (columns, problems) = lead
            ? Self.classifyLead(names: names) : Self.classify(names: names, hasDefaultEntity: hasDefaultEntity)
        if let first = problems.first {
            // A header of half a million bad columns must not make a message of tens of megabytes.
            let shownLimit = 20
            var shown = Array(problems.prefix(shownLimit))
            if !lead { for index in shown.indices { shown[index].suggestion = Self.suggestion(for: shown[index]) } }
            var list = shown.map(\.description).joined(separator: "; ")
            if problems.count > shownLimit { list += "; and \(problems.count - shownLimit) more" }
            let noun = problems.count == 1 ? "problem" : "problems"
            throw FileError(
                code: first.code, message: "header has \(problems.count) \(noun): \(list)", line: line, offset: offset,
                hints: shown.compactMap(\.fileHint))
        }
        self.names = names
        self.columns = columns
        hasAnnotations = columns.contains(.annotation)
    }

    /// Each column's meaning, and every problem in column order (missing columns last).
    package static func classify(names: [String], hasDefaultEntity: Bool) -> (columns: [Column], problems: [Problem]) {
        var (columns, problems) = classifyEach(names) { name, bytes, position in
            if let known = settable.first(where: { $0.name == bytes }) { return (known.column, nil) }
            if bytes.starts(with: metadataPrefix) {
                return (.metadata(key: String(decoding: bytes[metadataPrefix.count...], as: UTF8.self)), nil)
            }
            let code: ErrorCode = systemManaged.contains(bytes) ? .columnNotSettable : .unknownColumn
            return (.annotation, Problem(code: code, name: name, position: position))
        }
        var required: [(String, Column)] = [("external_id", .externalID), ("account_id", .accountID)]
        if !hasDefaultEntity { required.append(("entity_id", .entityID)) }
        required.append(("details.last_four", .lastFour))
        for (name, column) in required where !columns.contains(column) {
            problems.append(Problem(code: .missingColumn, name: name, position: nil))
        }
        return (columns, problems)
    }

    /// What to do about a native header's problem (SPEC §10): for an unknown column, the upload column it is
    /// the last part of or within two edits of, else (a name without a dot) the metadata column it may mean; for
    /// a missing entity_id, `--entity`.
    static func suggestion(for problem: Problem) -> String {
        switch problem.code {
        case .missingColumn:
            return problem.name == "entity_id" ? "or give --entity ENTITY_ID" : ""
        case .unknownColumn:
            let name = problem.name
            guard !name.isEmpty else { return "" }
            let known = settable.map { String(decoding: $0.name, as: UTF8.self) }
            // Spreadsheet users change letter case (`External_ID`): compare in lower case.
            let lowered = name.lowercased()
            // The last part (`last_four` for `details.last_four`), or the nearest name within two edits.
            if let whole = known.first(where: { $0.contains(".") && $0.split(separator: ".").last.map(String.init) == lowered }) {
                return "did you mean '\(whole)'?"
            }
            let near = known.compactMap { column -> (String, Int)? in
                let last = column.split(separator: ".").last.map(String.init) ?? column
                let distance = [EditDistance.within(2, lowered, column), EditDistance.within(2, lowered, last)].compactMap { $0 }.min()
                return distance.map { (column, $0) }
            }
            if let best = near.min(by: { $0.1 < $1.1 }) { return "did you mean '\(best.0)'?" }
            if !name.contains(".") {
                return "did you mean 'metadata.\(CardNumber.mask(name))'? (metadata columns are named metadata.<key>)"
            }
            return ""
        default:
            return ""
        }
    }

    /// A Lead card file's header (SPEC §9): Lead's 14 columns, each once, exact and case-sensitive, in any
    /// order; `_` columns are annotations; anything else is `unknown_column`.
    package static func classifyLead(names: [String]) -> (columns: [Column], problems: [Problem]) {
        var (columns, problems) = classifyEach(names) { name, _, position in
            if let column = LeadColumn(name: name) { return (.lead(column), nil) }
            var problem = Problem(code: .unknownColumn, name: name, position: position)
            if let near = LeadColumn.allCases.first(where: { $0.name == name.lowercased() }) {
                problem.hint = "; Lead's column is \"\(near.name)\" (names are case-sensitive)"
            } else {
                problem.hint = "; a Lead card file has only Lead's 14 columns and `_` annotations"
            }
            return (.annotation, problem)
        }
        for column in LeadColumn.allCases where !columns.contains(.lead(column)) {
            problems.append(Problem(code: .missingColumn, name: column.name, position: nil))
        }
        return (columns, problems)
    }

    /// The steps both kinds of header share: a name seen before is `duplicate_column`, a `_` name an
    /// annotation; `column` says what any other name (its text, bytes and 1-based position) holds.
    private static func classifyEach(
        _ names: [String], column: (String, [UInt8], Int) -> (Column, Problem?)
    ) -> (columns: [Column], problems: [Problem]) {
        var columns: [Column] = []
        var problems: [Problem] = []
        var seen = Set<[UInt8]>()
        for (index, name) in names.enumerated() {
            let bytes = Array(name.utf8)
            let position = index + 1
            if !seen.insert(bytes).inserted {
                problems.append(Problem(code: .duplicateColumn, name: name, position: position))
                columns.append(.annotation)
            } else if bytes.first == UInt8(ascii: "_") {
                columns.append(.annotation)
            } else {
                let (meaning, problem) = column(name, bytes, position)
                columns.append(meaning)
                if let problem { problems.append(problem) }
            }
        }
        return (columns, problems)
    }
}
