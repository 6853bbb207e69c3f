import CardUploadModel
import CardUploadParsing

/// JSON the tool writes, read back by the strict parser: what was written must come back byte for byte.
package enum JSONCheck {
    /// `JSONString.quoted(text)` is one JSON string, with no raw control byte, that parses back to `text`.
    package static func checkQuoted(_ text: String) {
        let quoted = Array(JSONString.quoted(text).utf8)
        Invariant.require(!quoted.contains { $0 < 0x20 }, "JSONString.quoted left a control byte in \(quoted)")
        let parsed: JSONValue
        do {
            parsed = try JSONDocumentParser.parse(quoted)
        } catch {
            Invariant.fail("JSONString.quoted(\(Array(text.utf8))) is not valid JSON: \(error.message) at \(error.offset)")
        }
        Invariant.require(parsed == .string(text), "JSONString.quoted(\(Array(text.utf8))) parses back as \(parsed)")
    }

    /// `value` as compact JSON, strings through `JSONString` (the writer every output uses).
    package static func serialize(_ value: JSONValue) -> [UInt8] {
        var bytes: [UInt8] = []
        serialize(value, into: &bytes)
        return bytes
    }

    private static func serialize(_ value: JSONValue, into bytes: inout [UInt8]) {
        switch value {
        case .null: bytes += Array("null".utf8)
        case .bool(let flag): bytes += Array((flag ? "true" : "false").utf8)
        case .number(let literal): bytes += Array(literal.utf8)
        case .string(let text): JSONString.append(text, to: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                serialize(element, into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONString.append(member.key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                serialize(member.value, into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// The nesting depth of `value` (a scalar is 0, `[]` is 1).
    package static func depth(_ value: JSONValue) -> Int {
        switch value {
        case .array(let elements): 1 + (elements.map(depth).max() ?? 0)
        case .object(let members): 1 + (members.map { depth($0.value) }.max() ?? 0)
        default: 0
        }
    }
}
