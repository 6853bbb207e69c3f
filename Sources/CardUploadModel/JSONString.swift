/// JSON string literals written the same way everywhere: `"` `\` and U+0000–U+001F escaped
/// (`\n`, `\t`, `\u00XX`…), everything else raw UTF-8, never normalised.
package enum JSONString {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `text` as a quoted JSON string literal.
    package static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        append(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text` as a quoted JSON string literal to `bytes`.
    package static func append(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        let appended: Void? = text.utf8.withContiguousStorageIfAvailable { append(escaping: $0, to: &bytes) }
        if appended == nil { append(escaping: Array(text.utf8), to: &bytes) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `utf8`, escaping `"`, `\` and U+0000–U+001F; text that needs none is copied whole.
    private static func append(escaping utf8: some Collection<UInt8>, to bytes: inout [UInt8]) {
        if !utf8.contains(where: needsEscape) {
            bytes.append(contentsOf: utf8)
            return
        }
        for byte in utf8 {
            guard needsEscape(byte) else {
                bytes.append(byte)
                continue
            }
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            default:
                bytes += [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            }
        }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// `value` as a JSON literal, `null` for nil.
    package static func quotedOrNull(_ value: String?) -> String {
        value.map(quoted) ?? "null"
    }
}

extension RowError {
    /// The error as a JSON object `{"field":…,"code":…,"message":…}`.
    package var json: String {
        "{\"field\":\(JSONString.quotedOrNull(field)),\"code\":\"\(code.rawValue)\",\"message\":\(JSONString.quoted(message))}"
    }
}

extension Array where Element == RowError {
    /// The errors as a JSON array.
    package var json: String { "[" + map(\.json).joined(separator: ",") + "]" }
}
