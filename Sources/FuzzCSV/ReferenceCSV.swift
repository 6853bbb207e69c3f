/// SPEC §2's CSV rules written a second way — a plain loop over the whole input, no chunks, no states
/// kept between calls — to check `CSVTokenizer` and `CSVDelimiterSniffer` against.
enum ReferenceCSV {
    struct Record: Equatable, CustomStringConvertible {
        var line: Int
        var offset: Int
        /// nil: the record is longer than the limit.
        var fields: [[UInt8]]?
        var description: String { "line \(line) @\(offset): \(fields.map { "\($0)" } ?? "TOO LARGE")" }
    }

    struct Result: Equatable {
        var records: [Record]
        /// Line and offset of a record whose quotes are never closed (the input ends inside them).
        var unterminated: (line: Int, offset: Int)?

        static func == (lhs: Result, rhs: Result) -> Bool {
            lhs.records == rhs.records && lhs.unterminated?.line == rhs.unterminated?.line
                && lhs.unterminated?.offset == rhs.unterminated?.offset
        }
    }

    static let quote = UInt8(ascii: "\"")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")

    /// The length of a leading UTF-8 BOM (3) or 0.
    static func bomLength(_ bytes: [UInt8]) -> Int {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// Every record of `bytes` (a leading BOM skipped; offsets still count it).
    static func records(_ bytes: [UInt8], delimiter: UInt8, maxRecordBytes: Int) -> Result {
        var records: [Record] = []
        let count = bytes.count
        var index = bomLength(bytes)
        var line = 1
        while index < count {
            let byte = bytes[index]
            if byte == lineFeed || byte == carriageReturn {
                // An empty line: skipped, counted; CRLF is one line break.
                line += 1
                index += 1
                if byte == carriageReturn, index < count, bytes[index] == lineFeed { index += 1 }
                continue
            }
            let recordLine = line
            let recordOffset = index
            var fields: [[UInt8]] = []
            var field: [UInt8] = []
            var inQuotes = false
            var atFieldStart = true
            while true {
                if index == count {
                    if inQuotes { return Result(records: records, unterminated: (recordLine, recordOffset)) }
                    fields.append(field)
                    let length = index - recordOffset
                    records.append(Record(line: recordLine, offset: recordOffset, fields: length > maxRecordBytes ? nil : fields))
                    return Result(records: records, unterminated: nil)
                }
                let byte = bytes[index]
                if inQuotes {
                    if byte == quote {
                        if index + 1 < count, bytes[index + 1] == quote {
                            field.append(quote)
                            index += 2
                        } else {
                            inQuotes = false
                            index += 1
                        }
                        continue
                    }
                    field.append(byte)
                    index += 1
                    if byte == lineFeed { line += 1 }
                    if byte == carriageReturn {
                        line += 1
                        if index < count, bytes[index] == lineFeed {
                            field.append(lineFeed)
                            index += 1
                        }
                    }
                    continue
                }
                if byte == delimiter {
                    fields.append(field)
                    field = []
                    atFieldStart = true
                    index += 1
                    continue
                }
                if byte == lineFeed || byte == carriageReturn {
                    fields.append(field)
                    let length = index - recordOffset
                    records.append(Record(line: recordLine, offset: recordOffset, fields: length > maxRecordBytes ? nil : fields))
                    line += 1
                    index += 1
                    if byte == carriageReturn, index < count, bytes[index] == lineFeed { index += 1 }
                    break
                }
                if byte == quote, atFieldStart {
                    inQuotes = true
                    atFieldStart = false
                    index += 1
                    continue
                }
                field.append(byte)
                atFieldStart = false
                index += 1
            }
        }
        return Result(records: records, unterminated: nil)
    }

    /// The delimiter SPEC §2 sniffs from the header line: the most frequent of `,` `;` `|` tab outside
    /// quotes, `,` on a tie (a quote opens a field at the line start or after any candidate).
    static func sniffedDelimiter(_ bytes: [UInt8]) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "\t")]
        var counts = [0, 0, 0, 0]
        var index = bomLength(bytes)
        while index < bytes.count, bytes[index] == lineFeed || bytes[index] == carriageReturn { index += 1 }
        var inQuotes = false
        var atFieldStart = true
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inQuotes {
                if byte == quote {
                    if index < bytes.count, bytes[index] == quote { index += 1 } else { inQuotes = false }
                }
                continue
            }
            if let candidate = candidates.firstIndex(of: byte) {
                counts[candidate] += 1
                atFieldStart = true
            } else if byte == lineFeed || byte == carriageReturn {
                break
            } else if byte == quote, atFieldStart {
                inQuotes = true
                atFieldStart = false
            } else {
                atFieldStart = false
            }
        }
        let best = counts.max()!
        guard best > 0, counts.filter({ $0 == best }).count == 1 else { return UInt8(ascii: ",") }
        return candidates[counts.firstIndex(of: best)!]
    }
}
