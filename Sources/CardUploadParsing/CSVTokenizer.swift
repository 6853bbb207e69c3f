/// Splits CSV bytes into records and fields: a state machine over `UInt8`s, fed one chunk at a time.
///
/// RFC 4180 with Python `csv`'s leniency: a `"` inside an unquoted field is data, and text after a closing quote
/// is appended to the field (`"ab"cd` is `abcd`). Records end at LF, CRLF or a lone CR; a line with no
/// characters at all (outside quotes) is skipped. Every line terminator is counted, inside quotes too
/// (CRLF once), so `recordLine` is the 1-based line where a record starts.
///
/// Like csv-core, it never builds a `String`: a record is its field bytes (the unescaped fields back to back) plus
/// `fieldEnds`. A record stitched from several chunks is never rescanned. A record longer than `maxRecordBytes`
/// is scanned to its end (quotes still tracked) without being kept, and reported as `.recordTooLarge`.
package struct CSVTokenizer {
    /// Where the tokenizer stands between two bytes.
    package enum State: UInt8, Sendable {
        /// At the start of a line; an LF or CR here is an empty line.
        case recordStart
        /// Just after a CR that ended a line; an LF here belongs to it.
        case recordStartAfterCR
        /// At the start of a field: a `"` opens a quoted field.
        case fieldStart
        /// Inside an unquoted field (a `"` is data).
        case unquoted
        /// Inside a quoted field.
        case quoted
        /// Inside a quoted field, just after a CR: an LF here is the same line break.
        case quotedAfterCR
        /// Just after a `"` inside a quoted field: `"` again is an escaped quote, anything else closes the quotes.
        case quoteInQuoted
    }

    /// What `consume` or `finish` stopped at.
    package enum Step: Sendable, Equatable {
        /// The input was used up inside or between records: feed the next chunk (or call `finish`).
        case needInput
        /// A record is ready: `recordLine`, `recordOffset`, `withFieldBytes`, `fieldEnds`, `recordHasNUL`.
        case record
        /// A record longer than `maxRecordBytes` ended: `recordLine`, `recordOffset`, `recordLength`; no fields.
        case recordTooLarge
        /// `finish` only: the input ended inside a quoted field that began at `recordLine`.
        case unterminatedQuote
        /// `finish` only: the input ended between records.
        case end
    }

    package let delimiter: UInt8
    package let maxRecordBytes: Int
    package private(set) var state: State = .recordStart
    /// 1-based line of the next byte.
    package private(set) var line = 1
    /// Offset of the next byte in the stream.
    package private(set) var position: Int

    /// Line where the current (or last) record starts.
    package private(set) var recordLine = 0
    /// Offset of the current record's first byte.
    package private(set) var recordOffset = 0
    /// Bytes of the last record, without its line terminator (set when it ends).
    package private(set) var recordLength = 0
    /// Whether the current record holds a NUL byte.
    package private(set) var recordHasNUL = false
    /// The unescaped bytes of the current record's fields, back to back (read them with `withFieldBytes`).
    ///
    /// Written through a pointer: `Array.append(contentsOf:)` per field (uniqueness check, generic call, memmove)
    /// was a third of the tokenizer's time.
    private var storage: CSVFieldStorage
    /// Bytes used in `storage`.
    private var fieldByteCount = 0
    /// Where each field of the current record ends in the field bytes.
    package private(set) var fieldEnds: [Int] = []

    /// The current record went over `maxRecordBytes`: its bytes are no longer kept.
    private var overflowed = false

    /// A tokenizer for `delimiter`, whose first byte is at `startOffset` of the stream (3 after a skipped BOM).
    package init(delimiter: UInt8, maxRecordBytes: Int = 1 << 20, startOffset: Int = 0) {
        precondition(
            delimiter != CSVByte.quote && delimiter != CSVByte.lineFeed && delimiter != CSVByte.carriageReturn
                && delimiter != CSVByte.nul,
            "a CSV delimiter cannot be a quote, a line break or NUL"
        )
        self.delimiter = delimiter
        self.maxRecordBytes = maxRecordBytes
        self.position = startOffset
        storage = CSVFieldStorage(capacity: 4096)
        fieldEnds.reserveCapacity(32)
    }

    /// The number of fields of the current record.
    package var fieldCount: Int { fieldEnds.count }

    /// Calls `body` with the current record's field bytes (fields back to back, split by `fieldEnds`).
    package func withFieldBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.base, count: fieldByteCount))
        }
    }

    /// The fields of the current record as byte arrays (for tests and tools; the reader uses `withFieldBytes`).
    package var fields: [[UInt8]] {
        withFieldBytes { bytes in
            var start = 0
            return fieldEnds.map { end in
                defer { start = end }
                return Array(bytes[start..<end])
            }
        }
    }

    /// Scans `input` until a record ends or the input is used up; returns how many bytes it used.
    ///
    /// After `.record` or `.recordTooLarge`, call again with the rest of the input.
    package mutating func consume(_ input: UnsafeBufferPointer<UInt8>) -> (consumed: Int, step: Step) {
        guard let base = input.baseAddress, input.count > 0 else { return (0, .needInput) }
        let end = input.count
        let chunkStart = position
        let delimiter = self.delimiter
        let lineFeed = CSVByte.lineFeed
        let carriageReturn = CSVByte.carriageReturn
        let quote = CSVByte.quote
        var state = self.state
        var i = 0

        /// Ends the current record at `i` (just past its terminator byte `terminator`).
        func endRecord(_ me: inout CSVTokenizer, terminator: UInt8, at i: Int) -> (consumed: Int, step: Step) {
            me.line &+= 1
            me.state = terminator == carriageReturn ? .recordStartAfterCR : .recordStart
            me.position = chunkStart &+ i
            return (i, me.finishRecord(length: chunkStart &+ i &- 1 &- me.recordOffset))
        }

        while i < end {
            switch state {
            case .recordStart:
                let byte = base[i]
                if byte == lineFeed {
                    line &+= 1
                    i &+= 1
                } else if byte == carriageReturn {
                    line &+= 1
                    i &+= 1
                    state = .recordStartAfterCR
                } else {
                    startRecord(offset: chunkStart &+ i)
                    state = .fieldStart
                }

            case .recordStartAfterCR:
                if base[i] == lineFeed { i &+= 1 }
                state = .recordStart

            case .fieldStart:
                let byte = base[i]
                if byte == quote {
                    i &+= 1
                    state = .quoted
                } else if byte == delimiter {
                    i &+= 1
                    endField(at: chunkStart &+ i)
                } else if byte == lineFeed || byte == carriageReturn {
                    i &+= 1
                    endField(at: chunkStart &+ i)
                    return endRecord(&self, terminator: byte, at: i)
                } else {
                    state = .unquoted
                }

            case .unquoted:
                var j = i
                var stop: UInt8 = 0
                var stopped = false
                while j < end {
                    let byte = base[j]
                    if byte == delimiter {
                        stop = byte
                        stopped = true
                        break
                    }
                    if byte <= carriageReturn {
                        if byte == lineFeed || byte == carriageReturn {
                            stop = byte
                            stopped = true
                            break
                        }
                        if byte == CSVByte.nul { recordHasNUL = true }
                    }
                    j &+= 1
                }
                if j > i { append(base + i, count: j &- i, endOffset: chunkStart &+ j) }
                i = j
                guard stopped else { break }
                i &+= 1
                endField(at: chunkStart &+ i)
                if stop == delimiter {
                    state = .fieldStart
                } else {
                    return endRecord(&self, terminator: stop, at: i)
                }

            case .quoted:
                var j = i
                var closed = false
                var endsWithCR = false
                while j < end {
                    let byte = base[j]
                    if byte == quote {
                        closed = true
                        break
                    }
                    if byte <= carriageReturn {
                        if byte == lineFeed {
                            line &+= 1
                        } else if byte == carriageReturn {
                            line &+= 1
                            if j &+ 1 < end {
                                if base[j &+ 1] == lineFeed { j &+= 1 }
                            } else {
                                endsWithCR = true
                            }
                        } else if byte == CSVByte.nul {
                            recordHasNUL = true
                        }
                    }
                    j &+= 1
                }
                if j > i { append(base + i, count: j &- i, endOffset: chunkStart &+ j) }
                if closed {
                    i = j &+ 1
                    state = .quoteInQuoted
                } else {
                    i = j
                    if endsWithCR { state = .quotedAfterCR }
                }

            case .quotedAfterCR:
                if base[i] == lineFeed {
                    append(base + i, count: 1, endOffset: chunkStart &+ i &+ 1)
                    i &+= 1
                }
                state = .quoted

            case .quoteInQuoted:
                let byte = base[i]
                if byte == quote {
                    // `""` inside quotes: one quote of data.
                    append(base + i, count: 1, endOffset: chunkStart &+ i &+ 1)
                    i &+= 1
                    state = .quoted
                } else if byte == delimiter {
                    i &+= 1
                    endField(at: chunkStart &+ i)
                    state = .fieldStart
                } else if byte == lineFeed || byte == carriageReturn {
                    i &+= 1
                    endField(at: chunkStart &+ i)
                    return endRecord(&self, terminator: byte, at: i)
                } else {
                    // Lenient: text after the closing quote is appended (`"ab"cd` is `abcd`).
                    state = .unquoted
                }
            }
        }
        self.state = state
        position = chunkStart &+ end
        return (end, .needInput)
    }

    /// Ends the input: hands out a last record that has no line terminator, or says a quote was left open.
    package mutating func finish() -> Step {
        switch state {
        case .recordStart, .recordStartAfterCR:
            return .end
        case .quoted, .quotedAfterCR:
            state = .recordStart
            return .unterminatedQuote
        case .fieldStart, .unquoted, .quoteInQuoted:
            endField(at: position)
            state = .recordStart
            return finishRecord(length: position &- recordOffset)
        }
    }

    // MARK: - Record buffers

    private mutating func startRecord(offset: Int) {
        fieldByteCount = 0
        fieldEnds.removeAll(keepingCapacity: true)
        overflowed = false
        recordHasNUL = false
        recordLine = line
        recordOffset = offset
        recordLength = 0
    }

    @inline(__always)
    private mutating func append(_ bytes: UnsafePointer<UInt8>, count: Int, endOffset: Int) {
        if overflowed { return }
        if endOffset &- recordOffset > maxRecordBytes {
            overflow()
            return
        }
        let needed = fieldByteCount &+ count
        if needed > storage.capacity { storage = storage.grown(toHold: needed, keeping: fieldByteCount) }
        let target = storage.base + fieldByteCount
        if count <= 16 {
            for k in 0..<count { target[k] = bytes[k] }
        } else {
            target.update(from: bytes, count: count)
        }
        fieldByteCount = needed
    }

    /// Ends a field whose delimiter or terminator ends just before `endOffset`.
    @inline(__always)
    private mutating func endField(at endOffset: Int) {
        if overflowed { return }
        if endOffset &- 1 &- recordOffset > maxRecordBytes {
            overflow()
            return
        }
        fieldEnds.append(fieldByteCount)
    }

    private mutating func overflow() {
        overflowed = true
        // Give the memory back: a too-large record is skipped, not held.
        fieldByteCount = 0
        storage = CSVFieldStorage(capacity: 4096)
        fieldEnds = []
    }

    private mutating func finishRecord(length: Int) -> Step {
        recordLength = length
        if overflowed || length > maxRecordBytes {
            overflow()
            return .recordTooLarge
        }
        return .record
    }
}

/// The memory a `CSVTokenizer` writes field bytes into; freed when the last tokenizer (or copy) using it is gone.
final class CSVFieldStorage {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// New storage of at least `needed` bytes (doubling), holding the first `count` bytes of this one.
    func grown(toHold needed: Int, keeping count: Int) -> CSVFieldStorage {
        let bigger = CSVFieldStorage(capacity: Swift.max(needed, capacity * 2))
        bigger.base.update(from: base, count: count)
        return bigger
    }
}
