/// Picks the delimiter from the header line: the most frequent of `,` `;` `|` tab outside quotes, `,` on a tie.
///
/// Fed the first bytes chunk by chunk until `isDone`. As the delimiter is not known yet, a quote opens a quoted
/// field at the start of the line or right after any of the four candidates. Leading empty lines are skipped.
package struct CSVDelimiterSniffer {
    private enum State: UInt8 {
        case lineStart, fieldStart, unquoted, quoted, quoteInQuoted, done
    }

    /// The candidates, in the order their counts are kept.
    package static let candidates: [UInt8] = [CSVByte.comma, CSVByte.semicolon, CSVByte.pipe, CSVByte.tab]

    private var state = State.lineStart
    private var counts = [0, 0, 0, 0]
    /// Bytes looked at so far.
    package private(set) var bytesSeen = 0

    package init() {}

    /// Whether the header line has ended.
    package var isDone: Bool { state == .done }

    /// Looks at more bytes of the stream (after the BOM); stops at the end of the header line.
    package mutating func feed(_ bytes: some Collection<UInt8>) {
        for byte in bytes {
            if state == .done { return }
            bytesSeen += 1
            let candidate = Self.candidates.firstIndex(of: byte)
            let isLineBreak = byte == CSVByte.lineFeed || byte == CSVByte.carriageReturn
            switch state {
            case .lineStart:
                if isLineBreak { continue }
                state = .fieldStart
                fallthrough
            case .fieldStart:
                if byte == CSVByte.quote {
                    state = .quoted
                } else if let candidate {
                    counts[candidate] += 1
                } else if isLineBreak {
                    state = .done
                } else {
                    state = .unquoted
                }
            case .unquoted:
                if let candidate {
                    counts[candidate] += 1
                    state = .fieldStart
                } else if isLineBreak {
                    state = .done
                }
            case .quoted:
                if byte == CSVByte.quote { state = .quoteInQuoted }
            case .quoteInQuoted:
                if byte == CSVByte.quote {
                    state = .quoted
                } else if let candidate {
                    counts[candidate] += 1
                    state = .fieldStart
                } else if isLineBreak {
                    state = .done
                } else {
                    state = .unquoted
                }
            case .done:
                return
            }
        }
    }

    /// The delimiter the bytes seen so far point to.
    package var delimiter: UInt8 {
        let best = counts.max() ?? 0
        guard best > 0, counts.filter({ $0 == best }).count == 1, let index = counts.firstIndex(of: best) else {
            return CSVByte.comma
        }
        return Self.candidates[index]
    }
}
