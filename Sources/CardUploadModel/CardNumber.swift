/// Card-number (PAN) detection and masking, SPEC §3: the one implementation every stage uses.
///
/// A card number is 13–19 digits whose first digit is 2–6 and which pass the Luhn check, written in one
/// of two ways:
/// - all together: a run of exactly 13–19 digits not touching another digit;
/// - in groups of a card's layout with one space or one dash between them, the same separator
///   throughout: fours with a last group of one to four digits, 4-6-5 or 4-6-4. A grouped number begins
///   where its run begins (not right after a digit, nor after a separator that follows a digit); any
///   layout that fits from there counts, so groups after it (an expiry date, a CVV) do not hide it.
///
/// Letters may touch a number (`PAN4111111111111111` holds one), but a token in the canonical UUID form
/// (8-4-4-4-12 hexadecimal digits, either case, not touching another ASCII letter, digit or dash) never
/// holds one. A masked number — four or more `*` then four digits, single spaces or dashes allowed
/// between any two of these characters, the last digit not followed by another digit — counts as a card
/// number for `contains`, so a rejects row written by this tool and uploaded unfixed is refused again.
///
/// Everything works on the UTF-8 bytes: digits, `*`, space and dash are ASCII, and no byte of a
/// multi-byte UTF-8 sequence is ASCII, so other characters are simply "not a digit".
package enum CardNumber {
    /// True when `text` holds a card number or a masked card number.
    package static func contains(_ text: String) -> Bool {
        withBytes(text) { bytes in
            var found = false
            scan(bytes, includeMasked: true) { _, _ in
                found = true
                return false
            }
            return found
        }
    }

    /// `text` with every card number masked: `*` for each digit but the last four, separators kept
    /// (`4111-1111-1111-1111` → `****-****-****-1111`). Text without a card number comes back unchanged.
    package static func mask(_ text: String) -> String {
        let masked: String? = withBytes(text) { bytes in
            var output: [UInt8]? = nil
            scan(bytes, includeMasked: false) { start, end in
                if output == nil { output = Array(bytes) }
                var digits = 0
                for index in start..<end where ASCII.isDigit(bytes[index]) { digits += 1 }
                var toMask = digits - 4
                var index = start
                while toMask > 0 {
                    if ASCII.isDigit(bytes[index]) {
                        output![index] = ASCII.asterisk
                        toMask -= 1
                    }
                    index += 1
                }
                return true
            }
            return output.map { String(decoding: $0, as: UTF8.self) }
        }
        return masked ?? text
    }

    /// Calls `body` with the UTF-8 bytes of `text`, without copying when the string is native.
    private static func withBytes<Result>(
        _ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    /// Finds every card number (and, with `includeMasked`, every masked one) in `bytes`, in order, and
    /// calls `onMatch` with its byte range, from its first digit or `*` to just after its last digit (the
    /// digits of the layout that matched; with several, the longest). `onMatch` returns false to stop.
    private static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>,
        includeMasked: Bool,
        _ onMatch: (_ start: Int, _ end: Int) -> Bool
    ) {
        let count = bytes.count
        var index = 0
        while index < count {
            let byte = bytes[index]
            if ASCII.isDigit(byte) {
                // `index` starts a run of digits: the scan never stops inside one.
                var end = index &+ 1
                while end < count, ASCII.isDigit(bytes[end]) { end &+= 1 }
                var match: Int?
                if byte >= ASCII.two, byte <= ASCII.six {
                    let length = end &- index
                    if length >= 13, length <= 19 {
                        if passesLuhn(bytes, from: index, to: end) { match = end }
                    } else if length == 4, groupMayStart(bytes, at: index) {
                        match = groupedEnd(bytes, from: index)
                    }
                }
                if let match, !insideUUID(bytes, at: index) {
                    if !onMatch(index, match) { return }
                    index = match
                } else {
                    index = end
                }
            } else if byte == ASCII.asterisk {
                let (end, stars) = starRun(bytes, from: index)
                if includeMasked, stars >= 4, let digitsEnd = maskedDigitsEnd(bytes, from: end) {
                    if !onMatch(index, digitsEnd) { return }
                }
                // The digits after the stars are scanned as a run of their own: they may be a card number.
                index = end
            } else {
                index &+= 1
            }
        }
    }

    /// Whether a grouped number may begin at `start`: not right after a separator that follows a digit
    /// (the scan never stands right after a digit at a run's start).
    @inline(__always)
    private static func groupMayStart(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        start < 2 || !(ASCII.isCardNumberSeparator(bytes[start &- 1]) && ASCII.isDigit(bytes[start &- 2]))
    }

    /// The end of the longest card-layout number that begins with the group of four digits at `start` and
    /// passes the Luhn check, or nil. The layouts: fours with a last group of one to four digits (4-4-4-1
    /// to 4-4-4-4-3: 13–19 digits), 4-6-5 and 4-6-4; the separator is the one after the first group.
    private static func groupedEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let count = bytes.count
        let first = start &+ 4
        guard first &+ 1 < count, ASCII.isCardNumberSeparator(bytes[first]), ASCII.isDigit(bytes[first &+ 1]) else {
            return nil
        }
        let separator = bytes[first]
        /// The group after `previous`: its length and end (length 0 when there is none).
        func group(after previous: (length: Int, end: Int)) -> (length: Int, end: Int) {
            let end = previous.end
            guard previous.length > 0, end &+ 1 < count, bytes[end] == separator, ASCII.isDigit(bytes[end &+ 1]) else {
                return (0, end)
            }
            var next = end &+ 1
            while next < count, ASCII.isDigit(bytes[next]) { next &+= 1 }
            return (next &- end &- 1, next)
        }
        let second = group(after: (4, first))
        let third = group(after: second)
        if second.length == 6 {
            // 4-6-5 (15 digits) or 4-6-4 (14 digits).
            return (third.length == 5 || third.length == 4) && passesLuhn(bytes, from: start, to: third.end) ? third.end : nil
        }
        guard second.length == 4, third.length == 4 else { return nil }
        let fourth = group(after: third)
        if fourth.length == 4 {
            // 4-4-4-4-1 to 4-4-4-4-3 (17–19 digits), else 4-4-4-4 (16 digits).
            let fifth = group(after: fourth)
            if fifth.length >= 1, fifth.length <= 3, passesLuhn(bytes, from: start, to: fifth.end) { return fifth.end }
            return passesLuhn(bytes, from: start, to: fourth.end) ? fourth.end : nil
        }
        // 4-4-4-1 to 4-4-4-3 (13–15 digits).
        return fourth.length >= 1 && fourth.length <= 3 && passesLuhn(bytes, from: start, to: fourth.end) ? fourth.end : nil
    }

    /// Whether `position` lies inside a token in the canonical UUID form (8-4-4-4-12 hexadecimal digits,
    /// either case, not touching an ASCII letter, digit or dash).
    private static func insideUUID(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Bool {
        var start = max(0, position &- 35)
        while start <= position {
            if isUUIDToken(bytes, at: start) { return true }
            start &+= 1
        }
        return false
    }

    private static func isUUIDToken(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        let end = start &+ 36
        guard end <= bytes.count else { return false }
        if start > 0, isTokenByte(bytes[start &- 1]) { return false }
        if end < bytes.count, isTokenByte(bytes[end]) { return false }
        for offset in 0..<36 {
            let byte = bytes[start &+ offset]
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                if byte != ASCII.dash { return false }
            } else if !isHexDigit(byte) {
                return false
            }
        }
        return true
    }

    @inline(__always)
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        ASCII.isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
    }

    /// An ASCII letter, digit or dash: what a UUID token must not touch.
    @inline(__always)
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        ASCII.isDigit(byte) || byte == ASCII.dash || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
    }

    /// The end of the run of `*` starting at `start` (single spaces or dashes between them) and the number of `*`.
    private static func starRun(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, stars: Int) {
        let count = bytes.count
        var index = start
        var stars = 0
        while true {
            while index < count, bytes[index] == ASCII.asterisk {
                stars &+= 1
                index &+= 1
            }
            if index &+ 1 < count, ASCII.isCardNumberSeparator(bytes[index]), bytes[index &+ 1] == ASCII.asterisk {
                index &+= 1
            } else {
                return (index, stars)
            }
        }
    }

    /// After a run of stars ending at `start`: the end of the four digits of a masked number (one space or
    /// dash allowed before each), the last not followed by another digit; nil when they are not there.
    private static func maskedDigitsEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let count = bytes.count
        var index = start
        for _ in 0..<4 {
            if index &+ 1 < count, ASCII.isCardNumberSeparator(bytes[index]), ASCII.isDigit(bytes[index &+ 1]) {
                index &+= 1
            }
            guard index < count, ASCII.isDigit(bytes[index]) else { return nil }
            index &+= 1
        }
        return index < count && ASCII.isDigit(bytes[index]) ? nil : index
    }

    /// The Luhn check over the digits in `start..<end`, separators skipped.
    private static func passesLuhn(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        var sum = 0
        var doubled = false
        var index = end &- 1
        while index >= start {
            let byte = bytes[index]
            if ASCII.isDigit(byte) {
                var digit = Int(byte &- ASCII.zero)
                if doubled {
                    digit &*= 2
                    if digit > 9 { digit &-= 9 }
                }
                sum &+= digit
                doubled.toggle()
            }
            index &-= 1
        }
        return sum % 10 == 0
    }
}
