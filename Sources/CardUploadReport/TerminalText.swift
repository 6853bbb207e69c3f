import CardUploadModel

/// Text taken from a file, made safe for stderr: control characters escaped (`\x1b`) so a crafted value
/// cannot rewrite a screen or a log, and card numbers masked.
package enum TerminalText {
    package static func safe(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in CardNumber.mask(text).unicodeScalars {
            if scalar.properties.generalCategory == .control {
                let hex = String(scalar.value, radix: 16)
                result += scalar.value <= 0xFF ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{\(hex)}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
