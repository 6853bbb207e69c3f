import CardUploadModel

/// Turns the bytes of one CSV cell into a `String` in the file's encoding (UTF-8 or Windows-1252).
package enum TextDecoding {
    /// The cell as text, or nil when its bytes are not valid in `encoding`.
    package static func decode(_ bytes: UnsafeBufferPointer<UInt8>, as encoding: TextEncoding) -> String? {
        switch encoding {
        case .utf8:
            // `String(validating:as:)` is generic and costs a metadata lookup per call; this is the hot path.
            if isASCII(bytes) || isValidUTF8(bytes) { return String(decoding: bytes, as: UTF8.self) }
            return nil
        case .cp1252:
            if isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
            return decodeWindows1252(bytes)
        }
    }

    /// Why `decode` returned nil, in words that do not repeat the cell's text.
    package static func failureDescription(_ bytes: UnsafeBufferPointer<UInt8>, as encoding: TextEncoding) -> String {
        switch encoding {
        case .utf8:
            return "is not valid UTF-8"
        case .cp1252:
            let byte = bytes.first { $0 >= 0x80 && $0 <= 0x9F && windows1252High[Int($0 - 0x80)] == 0 } ?? 0
            let hex = String(byte, radix: 16, uppercase: true)
            return "holds byte 0x\(hex), which has no character in cp1252"
        }
    }

    /// The first byte of `bytes` that starts no UTF-8 sequence (nil when they are all valid): for messages.
    package static func firstInvalidUTF8Byte(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt8? {
        firstInvalidUTF8Offset(bytes).map { bytes[$0] }
    }

    /// Where the first byte of `bytes` that starts no UTF-8 sequence is (nil when they are all valid).
    package static func firstInvalidUTF8Offset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var start = 0
        next: while start < bytes.count {
            if bytes[start] < 0x80 {
                start += 1
                continue
            }
            // The one length (2 to 4) that makes a valid sequence here, if any.
            for length in 2...4 where start + length <= bytes.count {
                if isValidUTF8(UnsafeBufferPointer(rebasing: bytes[start..<(start + length)])) {
                    start += length
                    continue next
                }
            }
            return start
        }
        return nil
    }

    /// Whether `bytes` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
    package static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        var i = 0
        @inline(__always) func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
        while i < count {
            let lead = bytes[i]
            if lead < 0x80 {
                i &+= 1
            } else if lead < 0xC2 {
                return false
            } else if lead < 0xE0 {
                guard i &+ 1 < count, isContinuation(bytes[i &+ 1]) else { return false }
                i &+= 2
            } else if lead < 0xF0 {
                guard i &+ 2 < count, isContinuation(bytes[i &+ 2]) else { return false }
                let second = bytes[i &+ 1]
                switch lead {
                case 0xE0: guard second >= 0xA0, second <= 0xBF else { return false }
                case 0xED: guard second >= 0x80, second <= 0x9F else { return false }
                default: guard isContinuation(second) else { return false }
                }
                i &+= 3
            } else if lead < 0xF5 {
                guard i &+ 3 < count, isContinuation(bytes[i &+ 2]), isContinuation(bytes[i &+ 3]) else { return false }
                let second = bytes[i &+ 1]
                switch lead {
                case 0xF0: guard second >= 0x90, second <= 0xBF else { return false }
                case 0xF4: guard second >= 0x80, second <= 0x8F else { return false }
                default: guard isContinuation(second) else { return false }
                }
                i &+= 4
            } else {
                return false
            }
        }
        return true
    }

    /// Whether every byte is ASCII (the same text in UTF-8 and Windows-1252).
    @inline(__always)
    package static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var bits: UInt8 = 0
        for byte in bytes { bits |= byte }
        return bits < 0x80
    }

    /// The characters of 0x80–0x9F in Windows-1252; 0 marks the five bytes with no character.
    private static let windows1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    /// Windows-1252 as the WHATWG Encoding Standard reads it (0x80–0x9F from its table, every other byte its own
    /// code point), written as UTF-8; nil when a byte has no character.
    private static func decodeWindows1252(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var valid = true
        // At most three UTF-8 bytes per byte (the Windows-1252 punctuation is U+2000–U+21FF).
        let text = String(unsafeUninitializedCapacity: bytes.count * 3) { output in
            var count = 0
            for byte in bytes {
                var scalar = UInt32(byte)
                if byte >= 0x80, byte <= 0x9F {
                    scalar = windows1252High[Int(byte - 0x80)]
                    if scalar == 0 {
                        valid = false
                        return 0
                    }
                }
                if scalar < 0x80 {
                    output[count] = UInt8(scalar)
                    count += 1
                } else if scalar < 0x800 {
                    output[count] = UInt8(0xC0 | (scalar >> 6))
                    output[count + 1] = UInt8(0x80 | (scalar & 0x3F))
                    count += 2
                } else {
                    output[count] = UInt8(0xE0 | (scalar >> 12))
                    output[count + 1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
                    output[count + 2] = UInt8(0x80 | (scalar & 0x3F))
                    count += 3
                }
            }
            return count
        }
        return valid ? text : nil
    }
}
