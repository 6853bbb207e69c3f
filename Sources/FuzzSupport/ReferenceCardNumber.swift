/// SPEC §3's card-number rule written a second way, over Unicode scalars and a class per scalar, to check
/// `CardNumber` against: it shares no code with it.
package enum ReferenceCardNumber {
    private enum Kind { case digit, separator, star, other }

    private static func kind(_ scalar: Unicode.Scalar) -> Kind {
        switch scalar {
        case "0"..."9": .digit
        case " ", "-": .separator
        case "*": .star
        default: .other
        }
    }

    /// A maximal run of one kind of mark (digits, or stars) with single separators between them.
    private struct Run {
        var start: Int
        var end: Int
        /// Positions of the marks (digits or stars) of the run.
        var marks: [Int]
    }

    /// The maximal runs of `mark` in `kinds`, left to right; a run never starts right after a mark or a
    /// separator that follows a mark.
    private static func runs(of mark: Kind, in kinds: [Kind]) -> [Run] {
        var runs: [Run] = []
        var index = 0
        while index < kinds.count {
            guard kinds[index] == mark else {
                index += 1
                continue
            }
            var run = Run(start: index, end: index, marks: [])
            var cursor = index
            while cursor < kinds.count {
                if kinds[cursor] == mark {
                    run.marks.append(cursor)
                    cursor += 1
                } else if kinds[cursor] == .separator, cursor + 1 < kinds.count, kinds[cursor + 1] == mark {
                    cursor += 1
                } else {
                    break
                }
            }
            run.end = cursor
            runs.append(run)
            index = cursor
        }
        return runs
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

    /// The runs of `text`'s scalars that are card numbers.
    private static func cardNumbers(_ scalars: [Unicode.Scalar], _ kinds: [Kind]) -> [Run] {
        runs(of: .digit, in: kinds).filter { run in
            let digits = run.marks.map { Int(scalars[$0].value) - 0x30 }
            return (13...19).contains(digits.count) && (2...6).contains(digits[0]) && luhn(digits)
        }
    }

    /// Whether `text` holds an unmasked card number.
    package static func holdsCardNumber(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        return !cardNumbers(scalars, scalars.map(kind)).isEmpty
    }

    /// Whether `text` holds a card number or a masked one (4+ stars, then after at most one separator a
    /// maximal run of exactly four digits).
    package static func contains(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        let kinds = scalars.map(kind)
        if !cardNumbers(scalars, kinds).isEmpty { return true }
        let digitRuns = runs(of: .digit, in: kinds)
        for stars in runs(of: .star, in: kinds) where stars.marks.count >= 4 {
            var digitStart = stars.end
            if digitStart + 1 < kinds.count, kinds[digitStart] == .separator, kinds[digitStart + 1] == .digit {
                digitStart += 1
            }
            if let run = digitRuns.first(where: { $0.start == digitStart }), run.marks.count == 4 { return true }
        }
        return false
    }

    /// `text` with every digit but the last four of each card number turned into `*`.
    package static func mask(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        for run in cardNumbers(scalars, scalars.map(kind)) {
            for position in run.marks.dropLast(4) { scalars[position] = "*" }
        }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars)
        return String(result)
    }
}
