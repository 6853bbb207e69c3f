import CardUploadModel

/// Facts about a field's text that the rules check, read from its UTF-8 bytes with an ASCII fast path.
///
/// Characters are Unicode scalars; white space is the Unicode White_Space property; control
/// characters are general category Cc (U+0000–U+001F, U+007F–U+009F).
enum FieldText {
    /// The number of Unicode scalars in `text`: its UTF-8 bytes that do not continue a sequence.
    static func scalarCount(_ text: String) -> Int {
        var count = 0
        for byte in text.utf8 where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// True when `text` has more than `limit` scalars. Counts only when the byte count leaves a doubt:
    /// a scalar is one to four bytes.
    static func isLonger(_ text: String, than limit: Int) -> Bool {
        let bytes = text.utf8.count
        if bytes <= limit { return false }
        if bytes > 4 * limit { return true }
        return scalarCount(text) > limit
    }

    /// True when `text` holds a Cc control character. U+0080–U+009F are the UTF-8 pairs `C2 80`–`C2 9F`.
    static func containsControl(_ text: String) -> Bool {
        // On the string's own bytes (small strings too): iterating `String.UTF8View` goes a byte at a time
        // through the view's index, several times slower for the short fields every row has.
        text.utf8.withContiguousStorageIfAvailable(containsControl) ?? containsControl(Array(text.utf8))
    }

    private static func containsControl<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        var afterC2 = false
        for byte in bytes {
            if byte < 0x20 || byte == 0x7F || (afterC2 && byte <= 0x9F) { return true }
            afterC2 = byte == 0xC2
        }
        return false
    }

    /// True when `lhs` and `rhs` hold the same bytes (not Swift's `==`, which compares canonical equivalents:
    /// `"K"` equals the Kelvin sign `"\u{212A}"` there).
    static func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        let same = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in left.elementsEqual(right) }
        }
        return (same ?? nil) ?? lhs.utf8.elementsEqual(rhs.utf8)
    }

    /// True when the first `count` bytes of `lhs` sort before those of `rhs` (both at least that long).
    static func prefixPrecedes(_ lhs: String, _ rhs: String, count: Int) -> Bool {
        let precedes = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in
                UnsafeBufferPointer(rebasing: left.prefix(count)).lexicographicallyPrecedes(UnsafeBufferPointer(rebasing: right.prefix(count)))
            }
        }
        return (precedes ?? nil) ?? lhs.utf8.prefix(count).lexicographicallyPrecedes(rhs.utf8.prefix(count))
    }

    /// True when the first or the last scalar of `text` is White_Space (false for empty text).
    static func hasWhitespaceAtEnds(_ text: String) -> Bool {
        guard let first = text.utf8.first, let last = text.utf8.last else { return false }
        if first < 0x80 {
            if ASCII.isWhitespace(first) { return true }
        } else if let scalar = text.unicodeScalars.first, scalar.properties.isWhitespace {
            return true
        }
        if last < 0x80 { return ASCII.isWhitespace(last) }
        return text.unicodeScalars.last?.properties.isWhitespace ?? false
    }

    /// True when `text` starts with `prefix`, byte for byte.
    static func hasPrefix(_ text: String, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard text.utf8.count >= count else { return false }
        // On the string's own bytes when it has them in one piece (every native string): the generic
        // `starts(with:)` over `String.UTF8View` goes a byte at a time through the view's index.
        let found = text.utf8.withContiguousStorageIfAvailable { bytes in
            UnsafeBufferPointer(rebasing: bytes[..<count]).elementsEqual(UnsafeBufferPointer(start: prefix.utf8Start, count: count))
        }
        return found ?? prefix.withUTF8Buffer { text.utf8.starts(with: $0) }
    }

    /// True when `text` is exactly `literal`, byte for byte.
    static func isExactly(_ text: String, _ literal: StaticString) -> Bool {
        text.utf8.count == literal.utf8CodeUnitCount && hasPrefix(text, literal)
    }

    /// True when `lhs`'s UTF-8 bytes sort before `rhs`'s (a prefix first), on the strings' own bytes.
    static func bytesPrecede(_ lhs: String, _ rhs: String) -> Bool {
        let precedes = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in left.lexicographicallyPrecedes(right) }
        }
        return (precedes ?? nil) ?? lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// True when `text` is `prefix` followed by one or more ASCII word characters: `^prefix\w+$`.
    static func isPrefixedWord(_ text: String, _ prefix: StaticString) -> Bool {
        let prefixLength = prefix.utf8CodeUnitCount
        guard text.utf8.count > prefixLength, hasPrefix(text, prefix) else { return false }
        let word = text.utf8.withContiguousStorageIfAvailable { $0[prefixLength...].allSatisfy(ASCII.isWordCharacter) }
        return word ?? text.utf8.dropFirst(prefixLength).allSatisfy(ASCII.isWordCharacter)
    }
}
