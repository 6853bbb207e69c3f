/// Card-number (PAN) detection and masking, SPEC §3.
///
/// STUB — the rules helper replaces this file.
package enum CardNumber {
    /// True when `text` holds a card number: a maximal run of 13–19 digits (single spaces or dashes between digits),
    /// not touching another digit, first digit 2–6, passing Luhn; or a masked number (4+ `*` then four digits).
    package static func contains(_ text: String) -> Bool {
        fatalError("unimplemented")
    }

    /// `text` with every card number masked: `*` for each digit but the last four, separators kept.
    package static func mask(_ text: String) -> String {
        fatalError("unimplemented")
    }
}
