/// Reads a row's stored errors back: the JSON array the store writes (`[RowError].json`,
/// `[{"field":"…"|null,"code":"…","message":"…"}]`), for the HTML report's table.
///
/// A small strict reader for that shape only: an array of objects whose values are strings or null,
/// with JSON's escapes (`\uXXXX` surrogate pairs included); unknown keys are skipped. Anything else
/// gives nil, and the report shows the stored text as it is rather than dropping it.
package enum HTMLRowErrors {
    /// One stored error, as text.
    package struct Entry: Equatable, Sendable {
        package var field: String?
        package var code: String
        package var message: String

        package init(field: String?, code: String, message: String) {
            self.field = field
            self.code = code
            self.message = message
        }
    }

    /// The errors in `json`, or nil when it is not an array of that shape.
    package static func parse(_ json: String) -> [Entry]? {
        var reader = Reader(bytes: Array(json.utf8))
        return reader.readArray()
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func readArray() -> [Entry]? {
            guard consume(UInt8(ascii: "[")) else { return nil }
            var entries: [Entry] = []
            if !consume(UInt8(ascii: "]")) {
                repeat {
                    guard let entry = readObject() else { return nil }
                    entries.append(entry)
                } while consume(UInt8(ascii: ","))
                guard consume(UInt8(ascii: "]")) else { return nil }
            }
            skipWhiteSpace()
            return index == bytes.count ? entries : nil
        }

        private mutating func readObject() -> Entry? {
            guard consume(UInt8(ascii: "{")) else { return nil }
            var field: String?
            var code: String?
            var message: String?
            if !consume(UInt8(ascii: "}")) {
                repeat {
                    skipWhiteSpace()
                    guard let key = readString(), consume(UInt8(ascii: ":")) else { return nil }
                    skipWhiteSpace()
                    let value: String?
                    if bytes[index...].starts(with: "null".utf8) {
                        index += 4
                        value = nil
                    } else {
                        guard let text = readString() else { return nil }
                        value = text
                    }
                    switch key {
                    case "field": field = value
                    case "code": code = value
                    case "message": message = value
                    default: break
                    }
                } while consume(UInt8(ascii: ","))
                guard consume(UInt8(ascii: "}")) else { return nil }
            }
            guard let code else { return nil }
            return Entry(field: field, code: code, message: message ?? "")
        }

        /// A string literal at `index` (after white space), unescaped.
        private mutating func readString() -> String? {
            skipWhiteSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            var text: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: text, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                    case UInt8(ascii: "b"): text.append(0x08)
                    case UInt8(ascii: "f"): text.append(0x0C)
                    case UInt8(ascii: "n"): text.append(0x0A)
                    case UInt8(ascii: "r"): text.append(0x0D)
                    case UInt8(ascii: "t"): text.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let scalar = readUnicodeEscape() else { return nil }
                        text.append(contentsOf: String(Character(scalar)).utf8)
                    default: return nil
                    }
                case 0..<0x20:
                    return nil
                default:
                    text.append(byte)
                }
            }
            return nil
        }

        /// The scalar of a `\uXXXX` escape whose `\u` is read, joining a surrogate pair.
        private mutating func readUnicodeEscape() -> Unicode.Scalar? {
            guard let unit = readHex4() else { return nil }
            if (0xD800..<0xDC00).contains(unit) {
                guard bytes[index...].starts(with: "\\u".utf8) else { return nil }
                index += 2
                guard let low = readHex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            }
            return Unicode.Scalar(unit)
        }

        private mutating func readHex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for byte in bytes[index..<index + 4] {
                guard let digit = hexValue(byte) else { return nil }
                value = value << 4 | digit
            }
            index += 4
            return value
        }

        private func hexValue(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
            default: nil
            }
        }

        /// Skips white space, then takes `byte` if it is next.
        private mutating func consume(_ byte: UInt8) -> Bool {
            skipWhiteSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private mutating func skipWhiteSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
    }
}
