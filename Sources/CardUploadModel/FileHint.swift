/// Something the person fixing a file should be told, once per file however many rows it concerns (SPEC §10,
/// "Hints that say what to fix"): printed on stderr after the summary and listed as `hints` in the JSON report.
///
/// The stage that knows the rule makes the hint (the reader for encodings and apostrophes, the header rules
/// for columns, the field rules, the store for conflicts); the load collects them in a `FileHints`.
package struct FileHint: Sendable, Hashable {
    /// What the hint is about: a file gets one hint of each kind (one per column for column names).
    package enum Kind: String, Sendable {
        case encoding, byteOrderMark, apostrophe, idempotencyConflict, leadingZeros, unknownColumn, missingEntity
        case workbook, leadTimeZone
    }

    package var kind: Kind
    package var text: String

    package init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }
}

/// The hints of one file, in the order they were found: the first of each kind (of each text, for column names).
package struct FileHints: Sendable {
    package private(set) var list: [FileHint] = []

    package init() {}

    /// Adds `hint` unless the file has one of its kind already.
    package mutating func add(_ hint: FileHint) {
        let seen = list.contains { $0.kind == hint.kind && (hint.kind != .unknownColumn || $0.text == hint.text) }
        if !seen { list.append(hint) }
    }

    package mutating func add(contentsOf hints: some Sequence<FileHint>) {
        for hint in hints { add(hint) }
    }

    /// The hints' texts, as stderr and the report show them.
    package var texts: [String] { list.map(\.text) }
}
