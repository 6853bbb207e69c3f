/// SPEC §3's card-number rule written a second way, to check `CardNumber` against: it shares no code with
/// it. It works on Unicode scalars and tries, at every position, every form the SPEC lists — a run of
/// 13–19 digits, and each card layout with each separator spelled out as a pattern — keeping the longest
/// that passes the Luhn check. Slow and plain on purpose.
package enum ReferenceCardNumber {
    /// The card layouts of SPEC §3: fours with a last group of one to four digits, 4-6-5, 4-6-4.
    private static let layouts: [[Int]] = {
        var layouts: [[Int]] = [[4, 6, 5], [4, 6, 4]]
        for fours in 1...4 {
            for last in 1...4 {
                let layout = Array(repeating: 4, count: fours) + [last]
                let digits = layout.reduce(0, +)
                if (13...19).contains(digits) { layouts.append(layout) }
            }
        }
        return layouts
    }()

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "-" }
    private static func isHex(_ scalar: Unicode.Scalar) -> Bool {
        isDigit(scalar) || ("a"..."f").contains(scalar) || ("A"..."F").contains(scalar)
    }
    private static func touchesToken(_ scalar: Unicode.Scalar) -> Bool {
        isDigit(scalar) || scalar == "-" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private static func luhn(_ digits: [Int]) -> Bool {
        var sum = 0
        for (position, digit) in digits.reversed().enumerated() {
            if position % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }

    /// Whether digits read off `scalars` make a card number: 13–19 of them, the first 2–6, Luhn.
    private static func isCardNumber(_ digits: [Unicode.Scalar]) -> Bool {
        let values = digits.map { Int($0.value) - 0x30 }
        return (13...19).contains(values.count) && (2...6).contains(values[0]) && luhn(values)
    }

    /// The positions covered by a token in the canonical UUID form (8-4-4-4-12 hexadecimal digits, not
    /// touching an ASCII letter, digit or dash).
    private static func uuidPositions(_ scalars: [Unicode.Scalar]) -> Set<Int> {
        var covered: Set<Int> = []
        guard scalars.count >= 36 else { return covered }
        for start in 0...(scalars.count - 36) {
            let token = scalars[start..<(start + 36)]
            let shape = token.enumerated().allSatisfy { offset, scalar in
                [8, 13, 18, 23].contains(offset) ? scalar == "-" : isHex(scalar)
            }
            let before = start == 0 || !touchesToken(scalars[start - 1])
            let after = start + 36 == scalars.count || !touchesToken(scalars[start + 36])
            if shape && before && after { covered.formUnion(start..<(start + 36)) }
        }
        return covered
    }

    /// The end of the longest card number that begins at `start`, or nil.
    private static func cardNumber(at start: Int, in scalars: [Unicode.Scalar], uuids: Set<Int>) -> Int? {
        guard isDigit(scalars[start]), !uuids.contains(start) else { return nil }
        if start > 0, isDigit(scalars[start - 1]) { return nil }
        var best: Int?
        // All together: a run of exactly 13–19 digits.
        var end = start
        while end < scalars.count, isDigit(scalars[end]) { end += 1 }
        if isCardNumber(Array(scalars[start..<end])) { best = end }
        // In groups: not after a separator that follows a digit; each layout, each separator, spelled out.
        let afterDigitSeparator = start >= 2 && isSeparator(scalars[start - 1]) && isDigit(scalars[start - 2])
        if !afterDigitSeparator {
            for separator in [" ", "-"] as [Unicode.Scalar] {
                for layout in layouts {
                    var pattern: [Unicode.Scalar?] = []  // nil: a digit
                    for (index, length) in layout.enumerated() {
                        if index > 0 { pattern.append(separator) }
                        pattern += Array(repeating: nil, count: length)
                    }
                    let patternEnd = start + pattern.count
                    guard patternEnd <= scalars.count else { continue }
                    let fits = pattern.enumerated().allSatisfy { offset, expected in
                        expected.map { scalars[start + offset] == $0 } ?? isDigit(scalars[start + offset])
                    }
                    guard fits, patternEnd == scalars.count || !isDigit(scalars[patternEnd]) else { continue }
                    if isCardNumber(scalars[start..<patternEnd].filter(isDigit)), patternEnd > (best ?? 0) {
                        best = patternEnd
                    }
                }
            }
        }
        return best
    }

    /// The card numbers of `text`, left to right, each the longest at its start; the next is looked for
    /// after the end of one.
    private static func cardNumbers(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        let uuids = uuidPositions(scalars)
        var found: [Range<Int>] = []
        var position = 0
        while position < scalars.count {
            if let end = cardNumber(at: position, in: scalars, uuids: uuids) {
                found.append(position..<end)
                position = end
            } else {
                position += 1
            }
        }
        return found
    }

    /// Whether a masked number begins at `start`: four or more `*` then four digits, one space or dash
    /// allowed between any two of these, the last digit not followed by another.
    private static func maskedNumber(at start: Int, in scalars: [Unicode.Scalar]) -> Bool {
        var position = start
        var stars = 0
        var digits = 0
        while position < scalars.count {
            let scalar = scalars[position]
            if scalar == "*", digits == 0 {
                stars += 1
            } else if isDigit(scalar), stars >= 4 {
                digits += 1
                if digits == 4 {
                    return position + 1 == scalars.count || !isDigit(scalars[position + 1])
                }
            } else if isSeparator(scalar), position > start, !isSeparator(scalars[position - 1]) {
                // One separator between two of the characters: the next must be one of them.
            } else {
                return false
            }
            position += 1
        }
        return false
    }

    /// Whether `text` holds an unmasked card number.
    package static func holdsCardNumber(_ text: String) -> Bool {
        !cardNumbers(Array(text.unicodeScalars)).isEmpty
    }

    /// Whether `text` holds a card number or a masked one.
    package static func contains(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        if !cardNumbers(scalars).isEmpty { return true }
        return scalars.indices.contains { scalars[$0] == "*" && maskedNumber(at: $0, in: scalars) }
    }

    /// `text` with every digit but the last four of each card number turned into `*`.
    package static func mask(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        for range in cardNumbers(scalars) {
            let digitPositions = range.filter { isDigit(scalars[$0]) }
            for position in digitPositions.dropLast(4) { scalars[position] = "*" }
        }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars)
        return String(result)
    }
}
