/// Card-number (PAN) detection and masking, SPEC §3.
///
/// A card number is a maximal run of 13–19 ASCII digits, with single spaces or single dashes allowed
/// between digits, whose first digit is 2–6 and which passes the Luhn check. Because the run is
/// maximal, it never touches another digit (a run of 20 digits holds no card number), while letters
/// and other characters may touch it (`PAN4111111111111111` holds one). A double space or a double
/// dash ends a run.
///
/// A masked number — four or more `*` (single spaces or dashes allowed between them), then,
/// optionally after one space or dash, a run of exactly four digits — counts as a card number for
/// `contains`, so a rejects row written by this tool and uploaded unfixed is refused again.
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

    /// Finds every card number (and, with `includeMasked`, every masked one) in `bytes`, in order,
    /// and calls `onMatch` with its byte range, from its first digit or `*` to just after its last digit.
    /// `onMatch` returns false to stop the scan.
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
                // `index` starts a maximal run: the scan never stops inside one.
                let (end, digits) = digitRun(bytes, from: index)
                if digits >= 13, digits <= 19, byte >= ASCII.two, byte <= ASCII.six,
                   passesLuhn(bytes, from: index, to: end) {
                    if !onMatch(index, end) { return }
                }
                index = end
            } else if byte == ASCII.asterisk {
                let (end, stars) = starRun(bytes, from: index)
                if includeMasked, stars >= 4 {
                    var digitStart = end
                    if digitStart + 1 < count, ASCII.isCardNumberSeparator(bytes[digitStart]),
                       ASCII.isDigit(bytes[digitStart + 1]) {
                        digitStart += 1
                    }
                    if digitStart < count, ASCII.isDigit(bytes[digitStart]) {
                        let (digitEnd, digits) = digitRun(bytes, from: digitStart)
                        if digits == 4, !onMatch(index, digitEnd) { return }
                    }
                }
                // The digits after the stars are scanned as a run of their own: they may be a card number.
                index = end
            } else {
                index += 1
            }
        }
    }

    /// The end of the maximal digit run starting at `start` (single spaces or dashes between digits)
    /// and the number of digits in it.
    private static func digitRun(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, digits: Int) {
        let count = bytes.count
        var index = start
        var digits = 0
        while true {
            while index < count, ASCII.isDigit(bytes[index]) {
                digits += 1
                index += 1
            }
            if index + 1 < count, ASCII.isCardNumberSeparator(bytes[index]), ASCII.isDigit(bytes[index + 1]) {
                index += 1
            } else {
                return (index, digits)
            }
        }
    }

    /// The end of the run of `*` starting at `start` (single spaces or dashes between them) and the number of `*`.
    private static func starRun(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, stars: Int) {
        let count = bytes.count
        var index = start
        var stars = 0
        while true {
            while index < count, bytes[index] == ASCII.asterisk {
                stars += 1
                index += 1
            }
            if index + 1 < count, ASCII.isCardNumberSeparator(bytes[index]), bytes[index + 1] == ASCII.asterisk {
                index += 1
            } else {
                return (index, stars)
            }
        }
    }

    /// The Luhn check over the digits in `start..<end`, separators skipped.
    private static func passesLuhn(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        var sum = 0
        var doubled = false
        var index = end - 1
        while index >= start {
            let byte = bytes[index]
            if ASCII.isDigit(byte) {
                var digit = Int(byte &- ASCII.zero)
                if doubled {
                    digit *= 2
                    if digit > 9 { digit -= 9 }
                }
                sum += digit
                doubled.toggle()
            }
            index -= 1
        }
        return sum % 10 == 0
    }
}
