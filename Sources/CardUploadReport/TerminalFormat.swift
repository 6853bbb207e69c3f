import Foundation

/// Numbers, counts and times as a person at a terminal reads them (SPEC §10): thousands separators from
/// four digits on (`300,000`), a singular noun for one (`1 row`), a duration in the unit that suits it, and
/// text cut to a terminal's width. Machine-read outputs (JSON, tab-separated listings, metrics) never use it.
package enum TerminalFormat {
    /// `value` with a comma between each group of three digits: `999`, `1,000`, `-12,345,678`.
    package static func number(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        grouped.reserveCapacity(digits.count + digits.count / 3 + 1)
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// `value` and the noun: `1 row`, `0 rows`, `1,200 rows`; `plural` when adding an `s` is wrong.
    package static func count(_ value: Int, _ singular: String, plural: String? = nil) -> String {
        number(value) + " " + (value == 1 ? singular : plural ?? singular + "s")
    }

    /// A duration: `0.41 s`, `12.3 s`, `4 min 05 s`, `2 h 03 min`.
    package static func duration(seconds: Double) -> String {
        let value = seconds.isFinite ? max(0, seconds) : 0
        if value < 9.995 { return String(format: "%.2f s", value) }
        if value < 59.95 { return String(format: "%.1f s", value) }
        let whole = Int(value.rounded())
        if whole < 3600 { return "\(whole / 60) min " + String(format: "%02d s", whole % 60) }
        return "\(whole / 3600) h " + String(format: "%02d min", whole % 3600 / 60)
    }

    /// How many columns `text` takes on a terminal: one per character, two for an East Asian wide or
    /// full-width one (and most emoji), none for a lone combining mark.
    package static func columns(_ text: String) -> Int {
        text.reduce(0) { $0 + columns(of: $1) }
    }

    private static func columns(of character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .enclosingMark {
            return 0
        }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// `text` cut to at most `width` columns, ending in `…` when it was cut.
    package static func cut(_ text: String, toColumns width: Int) -> String {
        guard columns(text) > width else { return text }
        guard width > 0 else { return "" }
        var kept = ""
        var used = 0
        for character in text {
            let needed = columns(of: character)
            if used + needed > width - 1 { break }
            kept.append(character)
            used += needed
        }
        return kept + "…"
    }

    /// The progress line (`ProgressLine` in the CLI draws it) for a terminal `width` columns wide: at most `width - 1` columns (a character in the last
    /// column would leave the cursor waiting to wrap), the file's name shortened first, then the figures.
    package static func progressLine(name: String, bytes: Int, total: Int?, rows: Int, seconds elapsed: Double, width: Int) -> String {
        var figures = ": \(megabytes(bytes))"
        if let total, total > 0 {
            figures += " of \(megabytes(total)) (\(min(100, bytes * 100 / total))%)"
        }
        let rate = elapsed > 0 ? Int(Double(rows) / elapsed) : 0
        figures += ", \(count(rows, "row")), \(number(rate)) rows/s"
        if let total, total > 0, bytes > 0, elapsed > 0 {
            let remaining = Int(elapsed * Double(total - bytes) / Double(bytes))
            figures += ", ETA \(remaining / 60):\(String(format: "%02d", remaining % 60))"
        }
        let room = width - 1
        let nameRoom = max(12, room - columns(figures))
        return cut(cut(name, toColumns: nameRoom) + figures, toColumns: room)
    }

    private static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}
