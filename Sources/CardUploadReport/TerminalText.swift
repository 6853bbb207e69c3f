import CardUploadModel

/// Text taken from a file, made safe for stderr (SPEC §1): card numbers masked; control characters
/// escaped (`\x1b`) so a crafted value cannot rewrite a screen or a log; Unicode format characters and
/// line and paragraph separators (categories Cf, Zl, Zp) escaped (`\u202e`, `\u2028`) so it cannot
/// reorder or split a log line in a viewer.
package enum TerminalText {
    package static func safe(_ text: String) -> String {
        let masked = CardNumber.mask(text)
        var result = ""
        result.unicodeScalars.reserveCapacity(masked.unicodeScalars.count)
        for scalar in masked.unicodeScalars {
            if let escape = escape(scalar) {
                result += escape
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// How `scalar` is written when it may not be printed as it is: `\x1b` for a control character, `\u202e`
    /// (`\U000e0001` past the Basic Multilingual Plane) for a format character or a line or paragraph separator.
    private static func escape(_ scalar: Unicode.Scalar) -> String? {
        // Printable ASCII, most of any text, needs no look-up.
        if scalar.value >= 0x20, scalar.value < 0x7F { return nil }
        switch scalar.properties.generalCategory {
        case .control: return "\\x" + hex(scalar.value, digits: 2)
        case .format, .lineSeparator, .paragraphSeparator:
            return scalar.value <= 0xFFFF ? "\\u" + hex(scalar.value, digits: 4) : "\\U" + hex(scalar.value, digits: 8)
        default: return nil
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
