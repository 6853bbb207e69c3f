/// Text from the store made safe inside HTML, as element content or a quoted attribute value.
///
/// `&` `<` `>` `"` `'` become character references, so no value can open a tag, close an attribute or
/// start an entity. Card numbers are masked again, control characters are shown as `\x1b`, format
/// characters and line and paragraph separators as `\u202e` (`TerminalText.safe`): the store already
/// masks, but a report file travels further than a terminal.
package enum HTMLText {
    /// `text` escaped for HTML.
    package static func escaped(_ text: String) -> String {
        let safe = TerminalText.safe(text)
        guard safe.utf8.contains(where: needsReference) else { return safe }
        var result = ""
        result.reserveCapacity(safe.utf8.count + 16)
        for scalar in safe.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `number` with thousands separators, for prose (`1,001`): as a terminal shows it.
    package static func grouped(_ number: Int) -> String {
        TerminalFormat.number(number)
    }

    private static func needsReference(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): true
        default: false
        }
    }
}
