/// A strict RFC 8259 parser for one complete JSON text held in memory, over bytes.
///
/// Rejects what RFC 8259 forbids (trailing commas, bad numbers, invalid escapes, control characters
/// in strings, invalid UTF-8, anything but white space after the value) and, stricter than the RFC,
/// duplicate keys in one object (compared byte for byte after unescaping), nesting deeper than
/// `maximumDepth`, and lone surrogate escapes. It never recurses: containers live on explicit stacks,
/// so no input can overflow the call stack, and every byte is looked at a bounded number of times.
package struct JSONDocumentParser {
    /// The deepest nesting of arrays and objects accepted; the top-level container is depth 1.
    package static let maximumDepth = 64

    /// Parses `bytes` as one complete JSON text.
    package static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONDocumentParser(bytes: bytes)
        return try parser.parseDocument()
    }

    /// Parses `bytes` as one complete JSON text; offsets in errors count from `bytes.startIndex`.
    package static func parse(_ bytes: ArraySlice<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONSyntaxError) -> JSONValue in try parse(buffer) }
        }
        return try result.get()
    }

    /// Parses `bytes` as one complete JSON text.
    package static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try parse(bytes[...])
    }

    /// An array or object that is open: where its elements start on the value and key stacks.
    private struct Frame {
        var isObject: Bool
        var valueStart: Int
        var keyStart: Int
        /// The object's keys as bytes, built once it holds more than `linearKeyLimit` members.
        var keySet: Set<[UInt8]>?
    }

    /// Up to this many members, a new key is compared with the earlier ones one by one.
    static let linearKeyLimit = 8

    /// Whether two keys are the same bytes (never Swift's `==`, which is canonical equivalence).
    static func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count && lhs.utf8.elementsEqual(rhs.utf8)
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    private var frames: [Frame] = []
    /// Completed values of every open container, innermost last.
    private var values: [JSONValue] = []
    /// Keys of every open object, innermost last; `values` holds their values in the same order.
    private var keys: [String] = []

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func syntaxError(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(message: message, offset: offset ?? position)
    }

    /// What a message says about the byte at `position`, without showing it.
    func describeCurrentByte() -> String {
        guard position < bytes.count else { return "the end of the input" }
        let byte = bytes[position]
        if byte >= 0x80 { return "a non-ASCII byte" }
        if byte < 0x20 || byte == 0x7F { return "a control character" }
        return "an unexpected character"
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < bytes.count, JSONByte.isWhitespace(bytes[position]) {
            position += 1
        }
    }

    private mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        skipWhitespace()
        var value: JSONValue
        nextValue: while true {
            guard position < bytes.count else {
                throw syntaxError("expected a value, found the end of the input")
            }
            switch bytes[position] {
            case JSONByte.openBrace:
                try openContainer(isObject: true)
                if position < bytes.count, bytes[position] == JSONByte.closeBrace {
                    position += 1
                    frames.removeLast()
                    value = .object([])
                } else {
                    try parseMemberKey()
                    continue nextValue
                }
            case JSONByte.openBracket:
                try openContainer(isObject: false)
                if position < bytes.count, bytes[position] == JSONByte.closeBracket {
                    position += 1
                    frames.removeLast()
                    value = .array([])
                } else {
                    continue nextValue
                }
            case JSONByte.quote:
                value = .string(try parseString())
            case UInt8(ascii: "t"):
                try parseLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try parseLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try parseLiteral("null")
                value = .null
            case JSONByte.minus, JSONByte.zero...JSONByte.nine:
                value = .number(try parseNumber())
            default:
                throw syntaxError("expected a value, found \(describeCurrentByte())")
            }

            // A value is complete: hand it to the innermost open container, closing containers as they end.
            while true {
                guard let frame = frames.last else {
                    skipWhitespace()
                    if position < bytes.count {
                        throw syntaxError("\(describeCurrentByte()) after the JSON value")
                    }
                    return value
                }
                values.append(value)
                skipWhitespace()
                guard position < bytes.count else {
                    throw syntaxError(frame.isObject ? "unterminated object" : "unterminated array")
                }
                let byte = bytes[position]
                if byte == JSONByte.comma {
                    let commaOffset = position
                    position += 1
                    skipWhitespace()
                    if position < bytes.count,
                        bytes[position] == (frame.isObject ? JSONByte.closeBrace : JSONByte.closeBracket)
                    {
                        throw syntaxError("a trailing comma", at: commaOffset)
                    }
                    if frame.isObject {
                        try parseMemberKey()
                    }
                    continue nextValue
                }
                if frame.isObject, byte == JSONByte.closeBrace {
                    position += 1
                    value = closeObject(frame)
                } else if !frame.isObject, byte == JSONByte.closeBracket {
                    position += 1
                    value = closeArray(frame)
                } else {
                    let expected = frame.isObject ? "',' or '}'" : "',' or ']'"
                    throw syntaxError("expected \(expected), found \(describeCurrentByte())")
                }
            }
        }
    }

    /// Opens an array or object at `position` and skips the white space after its bracket.
    private mutating func openContainer(isObject: Bool) throws(JSONSyntaxError) {
        guard frames.count < Self.maximumDepth else {
            throw syntaxError("nesting deeper than \(Self.maximumDepth) levels")
        }
        frames.append(Frame(isObject: isObject, valueStart: values.count, keyStart: keys.count, keySet: nil))
        position += 1
        skipWhitespace()
    }

    /// Parses `"key" :` and the white space after it, rejecting a key the open object already has.
    private mutating func parseMemberKey() throws(JSONSyntaxError) {
        guard position < bytes.count, bytes[position] == JSONByte.quote else {
            throw syntaxError("expected a string key, found \(describeCurrentByte())")
        }
        let keyOffset = position
        let key = try parseString()
        let frameIndex = frames.count - 1
        let keyStart = frames[frameIndex].keyStart
        let memberCount = keys.count - keyStart
        if memberCount < Self.linearKeyLimit {
            for index in keyStart..<keys.count where Self.sameBytes(keys[index], key) {
                throw syntaxError("a duplicate key", at: keyOffset)
            }
        } else {
            if frames[frameIndex].keySet == nil {
                frames[frameIndex].keySet = Set(keys[keyStart...].map { Array($0.utf8) })
            }
            guard frames[frameIndex].keySet!.insert(Array(key.utf8)).inserted else {
                throw syntaxError("a duplicate key", at: keyOffset)
            }
        }
        keys.append(key)
        skipWhitespace()
        guard position < bytes.count, bytes[position] == JSONByte.colon else {
            throw syntaxError("expected ':' after an object key, found \(describeCurrentByte())")
        }
        position += 1
        skipWhitespace()
    }

    private mutating func closeObject(_ frame: Frame) -> JSONValue {
        frames.removeLast()
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(values.count - frame.valueStart)
        for (key, value) in zip(keys[frame.keyStart...], values[frame.valueStart...]) {
            members.append((key, value))
        }
        keys.removeSubrange(frame.keyStart...)
        values.removeSubrange(frame.valueStart...)
        return .object(members)
    }

    private mutating func closeArray(_ frame: Frame) -> JSONValue {
        frames.removeLast()
        let elements = Array(values[frame.valueStart...])
        values.removeSubrange(frame.valueStart...)
        return .array(elements)
    }

    /// Parses `true`, `false` or `null` at `position`.
    mutating func parseLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let start = position
        guard bytes.count - position >= count else {
            throw syntaxError("expected a value, found an unknown literal")
        }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for index in 0..<count where bytes[start + index] != expected[index] {
            throw syntaxError("expected a value, found an unknown literal", at: start)
        }
        position += count
    }

    /// Parses a number at `position` and returns its literal text: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = position
        if bytes[position] == JSONByte.minus {
            position += 1
        }
        guard position < bytes.count, JSONByte.isDigit(bytes[position]) else {
            throw syntaxError("expected a digit in a number, found \(describeCurrentByte())")
        }
        if bytes[position] == JSONByte.zero {
            position += 1
            if position < bytes.count, JSONByte.isDigit(bytes[position]) {
                throw syntaxError("a number with a leading zero")
            }
        } else {
            skipDigits()
        }
        if position < bytes.count, bytes[position] == JSONByte.period {
            position += 1
            guard position < bytes.count, JSONByte.isDigit(bytes[position]) else {
                throw syntaxError("expected a digit after the decimal point, found \(describeCurrentByte())")
            }
            skipDigits()
        }
        if position < bytes.count, bytes[position] == JSONByte.lowercaseE || bytes[position] == JSONByte.uppercaseE {
            position += 1
            if position < bytes.count, bytes[position] == JSONByte.plus || bytes[position] == JSONByte.minus {
                position += 1
            }
            guard position < bytes.count, JSONByte.isDigit(bytes[position]) else {
                throw syntaxError("expected a digit in the exponent, found \(describeCurrentByte())")
            }
            skipDigits()
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    @inline(__always)
    private mutating func skipDigits() {
        while position < bytes.count, JSONByte.isDigit(bytes[position]) {
            position += 1
        }
    }
}
