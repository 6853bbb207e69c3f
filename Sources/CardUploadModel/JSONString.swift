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
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0..<0x20:
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                          hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
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
