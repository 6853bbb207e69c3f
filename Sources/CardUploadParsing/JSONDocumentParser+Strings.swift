/// Strings: escapes, surrogate pairs and strict UTF-8 validation.
extension JSONDocumentParser {
    /// Parses a string at `position` (on its opening quote) and returns its unescaped value.
    ///
    /// Fast path: a string without escapes becomes a `String` straight from the input bytes;
    /// only a string with escapes is copied into a buffer first.
    mutating func parseString() throws(JSONSyntaxError) -> String {
        let openingQuote = position
        position += 1
        let contentStart = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == JSONByte.quote {
                let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[contentStart..<position]), as: UTF8.self)
                position += 1
                return value
            }
            if byte == JSONByte.backslash {
                break
            }
            if byte < 0x20 {
                throw syntaxError("an unescaped control character in a string")
            }
            if byte < 0x80 {
                position += 1
            } else {
                try skipUTF8Sequence()
            }
        }
        guard position < bytes.count else {
            throw syntaxError("an unterminated string", at: openingQuote)
        }

        var buffer: [UInt8] = []
        buffer.reserveCapacity(position - contentStart + 16)
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[contentStart..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            if byte == JSONByte.quote {
                position += 1
                return String(decoding: buffer, as: UTF8.self)
            }
            if byte == JSONByte.backslash {
                try parseEscape(into: &buffer)
            } else if byte < 0x20 {
                throw syntaxError("an unescaped control character in a string")
            } else if byte < 0x80 {
                buffer.append(byte)
                position += 1
            } else {
                let sequenceStart = position
                try skipUTF8Sequence()
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[sequenceStart..<position]))
            }
        }
        throw syntaxError("an unterminated string", at: openingQuote)
    }

    /// Parses one escape at `position` (on its backslash) and appends its UTF-8 to `buffer`.
    private mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONSyntaxError) {
        let escapeStart = position
        guard position + 1 < bytes.count else {
            throw syntaxError("an unterminated string")
        }
        let unescaped: UInt8
        switch bytes[position + 1] {
        case JSONByte.quote: unescaped = JSONByte.quote
        case JSONByte.backslash: unescaped = JSONByte.backslash
        case JSONByte.slash: unescaped = JSONByte.slash
        case UInt8(ascii: "b"): unescaped = 0x08
        case UInt8(ascii: "f"): unescaped = 0x0C
        case UInt8(ascii: "n"): unescaped = JSONByte.lineFeed
        case UInt8(ascii: "r"): unescaped = JSONByte.carriageReturn
        case UInt8(ascii: "t"): unescaped = JSONByte.tab
        case JSONByte.lowercaseU:
            let unit = try parseHexQuad(at: position + 2)
            position += 6
            var scalarValue = UInt32(unit)
            if (0xDC00...0xDFFF).contains(unit) {
                throw syntaxError("a lone surrogate escape", at: escapeStart)
            }
            if (0xD800...0xDBFF).contains(unit) {
                guard position + 1 < bytes.count, bytes[position] == JSONByte.backslash,
                    bytes[position + 1] == JSONByte.lowercaseU
                else {
                    throw syntaxError("a lone surrogate escape", at: escapeStart)
                }
                let low = try parseHexQuad(at: position + 2)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw syntaxError("a lone surrogate escape", at: escapeStart)
                }
                position += 6
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            }
            appendUTF8(of: scalarValue, to: &buffer)
            return
        default:
            throw syntaxError("an invalid escape in a string")
        }
        buffer.append(unescaped)
        position += 2
    }

    /// Reads the four hex digits of a `\u` escape starting at `offset`.
    private func parseHexQuad(at offset: Int) throws(JSONSyntaxError) -> UInt16 {
        guard offset + 4 <= bytes.count else {
            throw syntaxError("an incomplete \\u escape", at: offset - 2)
        }
        var unit: UInt16 = 0
        for index in offset..<(offset + 4) {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case JSONByte.zero...JSONByte.nine: digit = byte - JSONByte.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw syntaxError("a \\u escape without four hex digits", at: offset - 2)
            }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    private func appendUTF8(of scalarValue: UInt32, to buffer: inout [UInt8]) {
        switch scalarValue {
        case 0..<0x80:
            buffer.append(UInt8(scalarValue))
        case 0x80..<0x800:
            buffer.append(UInt8(0xC0 | scalarValue >> 6))
            buffer.append(UInt8(0x80 | scalarValue & 0x3F))
        case 0x800..<0x10000:
            buffer.append(UInt8(0xE0 | scalarValue >> 12))
            buffer.append(UInt8(0x80 | scalarValue >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalarValue & 0x3F))
        default:
            buffer.append(UInt8(0xF0 | scalarValue >> 18))
            buffer.append(UInt8(0x80 | scalarValue >> 12 & 0x3F))
            buffer.append(UInt8(0x80 | scalarValue >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalarValue & 0x3F))
        }
    }

    /// Checks the multi-byte UTF-8 sequence at `position` (Unicode Table 3-7: no overlong forms,
    /// no encoded surrogates, nothing above U+10FFFF) and moves past it.
    private mutating func skipUTF8Sequence() throws(JSONSyntaxError) {
        let lead = bytes[position]
        let continuationCount: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: continuationCount = 1
        case 0xE0: continuationCount = 2; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: continuationCount = 2
        case 0xED: continuationCount = 2; secondRange = 0x80...0x9F
        case 0xF0: continuationCount = 3; secondRange = 0x90...0xBF
        case 0xF1...0xF3: continuationCount = 3
        case 0xF4: continuationCount = 3; secondRange = 0x80...0x8F
        default: throw syntaxError("invalid UTF-8")
        }
        guard position + continuationCount < bytes.count, secondRange.contains(bytes[position + 1]) else {
            throw syntaxError("invalid UTF-8")
        }
        for index in (position + 2)..<(position + 1 + continuationCount) where !(0x80...0xBF).contains(bytes[index]) {
            throw syntaxError("invalid UTF-8")
        }
        position += 1 + continuationCount
    }
}
