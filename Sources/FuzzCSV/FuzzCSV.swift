import CardUploadInput
import CardUploadModel
import CardUploadParsing
import FuzzSupport

/// libFuzzer target for the CSV reader: `CSVRecordStream`/`CSVTokenizer` and `CSVRecordReader`.
///
/// Input: byte 0 picks the delimiter (or sniffing), the encoding, `--entity` and a small record limit;
/// byte 1 picks a chunk size; the rest is the file. Checks: the same records whatever the chunking
/// (one chunk, the picked size, one byte per chunk for small inputs); the records, lines, offsets and
/// the open-quote error equal `ReferenceCSV`'s; the sniffed delimiter equals the reference's; the
/// reader's header, records and errors agree with the reference records; each card passes `RulesCheck`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzBytes(data, size)
    let options = input.byte()
    let chunkByte = input.byte()
    let bytes = input.rest

    let delimiterChoices: [UInt8?] = [
        nil, UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "\t"), UInt8(ascii: " "),
        UInt8(ascii: "a"), UInt8(ascii: "'"),
    ]
    let delimiter = delimiterChoices[Int(options & 7)]
    let encoding = [EncodingChoice.utf8, .auto, .cp1252, .utf8][Int(options >> 3 & 3)]
    let hasDefaultEntity = options & 0x20 != 0
    let maxRecordBytes = options & 0x40 != 0 ? 1 + Int(chunkByte >> 2) : 1 << 20
    var chunkSizes = [max(bytes.count, 1), chunkByte & 0x80 != 0 ? 1 + Int(chunkByte & 0x7F) * 61 : 1 + Int(chunkByte % 67)]
    if bytes.count <= 512 { chunkSizes.append(1) }

    // The sniffer stops about `maxRecordBytes` into a header line that long (the file then fails with
    // malformed_header whatever the delimiter): sniffing is checked with the real limit only.
    let streamDelimiter = maxRecordBytes == 1 << 20 ? delimiter : delimiter ?? UInt8(ascii: ",")
    checkStream(bytes, delimiter: streamDelimiter, maxRecordBytes: maxRecordBytes, chunkSizes: chunkSizes)
    if maxRecordBytes == 1 << 20 {
        let csvOptions = CSVOptions(delimiter: delimiter, encoding: encoding, hasDefaultEntity: hasDefaultEntity)
        checkReader(bytes, options: csvOptions, chunkSizes: chunkSizes)
    }
    return 0
}

/// The tokenizer's records, or the error, through `CSVRecordStream` fed `chunkSize` bytes at a time.
private func streamRecords(
    _ bytes: [UInt8], delimiter: UInt8?, maxRecordBytes: Int, chunkSize: Int
) -> (delimiter: UInt8, result: ReferenceCSV.Result) {
    let stream: CSVRecordStream
    do {
        stream = try CSVRecordStream(
            source: ArrayChunkSource(bytes, chunkSize: chunkSize), delimiter: delimiter, maxRecordBytes: maxRecordBytes)
    } catch {
        Invariant.fail("CSVRecordStream over memory threw \(error)")
    }
    var records: [ReferenceCSV.Record] = []
    var lastLine = 0
    var lastEnd = -1
    while true {
        let step: CSVTokenizer.Step
        do { step = try stream.next() } catch { Invariant.fail("CSVRecordStream.next over memory threw \(error)") }
        let tokenizer = stream.tokenizer
        switch step {
        case .record, .recordTooLarge:
            Invariant.require(tokenizer.recordLine > lastLine, "record lines do not increase: \(tokenizer.recordLine) after \(lastLine)")
            Invariant.require(tokenizer.recordOffset > lastEnd, "record offsets do not increase")
            Invariant.require(tokenizer.recordOffset + tokenizer.recordLength <= bytes.count, "a record ends past the input")
            lastLine = tokenizer.recordLine
            lastEnd = tokenizer.recordOffset + tokenizer.recordLength
            let fields = step == .record ? tokenizer.fields : nil
            if let fields {
                Invariant.require(tokenizer.recordLength <= maxRecordBytes, "a record over the limit was handed out")
                Invariant.require(tokenizer.recordHasNUL == fields.contains { $0.contains(0) }, "recordHasNUL is wrong")
            }
            records.append(ReferenceCSV.Record(line: tokenizer.recordLine, offset: tokenizer.recordOffset, fields: fields))
        case .unterminatedQuote:
            let result = ReferenceCSV.Result(records: records, unterminated: (tokenizer.recordLine, tokenizer.recordOffset))
            Invariant.require((try? stream.next()) == .end, "the stream goes on after an open quote")
            return (stream.delimiter, result)
        case .end:
            Invariant.require((try? stream.next()) == .end, "the stream goes on after its end")
            return (stream.delimiter, ReferenceCSV.Result(records: records, unterminated: nil))
        case .needInput:
            Invariant.fail("CSVRecordStream.next returned needInput")
        }
    }
}

private func checkStream(_ bytes: [UInt8], delimiter: UInt8?, maxRecordBytes: Int, chunkSizes: [Int]) {
    let first = streamRecords(bytes, delimiter: delimiter, maxRecordBytes: maxRecordBytes, chunkSize: chunkSizes[0])
    for chunkSize in chunkSizes.dropFirst() {
        let other = streamRecords(bytes, delimiter: delimiter, maxRecordBytes: maxRecordBytes, chunkSize: chunkSize)
        Invariant.require(other.delimiter == first.delimiter, "the sniffed delimiter depends on the chunk size \(chunkSize)")
        Invariant.require(other.result == first.result, "chunks of \(chunkSize) give other records: \(other.result.records) vs \(first.result.records)")
    }
    if delimiter == nil {
        let sniffed = ReferenceCSV.sniffedDelimiter(bytes)
        Invariant.require(first.delimiter == sniffed, "sniffed \(first.delimiter), the reference \(sniffed)")
    }
    let reference = ReferenceCSV.records(bytes, delimiter: first.delimiter, maxRecordBytes: maxRecordBytes)
    Invariant.require(
        reference == first.result,
        "the tokenizer gives \(first.result.records) \(String(describing: first.result.unterminated)), the reference \(reference.records) \(String(describing: reference.unterminated))")
}

/// What `CSVRecordReader` made of a file, comparable across chunk sizes.
private struct ReaderOutcome: Equatable {
    var headerError: FileError?
    var columns: [String] = []
    var records: [RecordSummary] = []
    var error: FileError?
}

private func readAll(_ bytes: [UInt8], options: CSVOptions, chunkSize: Int) -> (ReaderOutcome, CSVRecordReader?) {
    var outcome = ReaderOutcome()
    let reader: CSVRecordReader
    do {
        reader = try CSVRecordReader(source: ArrayChunkSource(bytes, chunkSize: chunkSize), options: options)
    } catch {
        outcome.headerError = error
        return (outcome, nil)
    }
    outcome.columns = reader.columns
    do {
        while let record = try reader.next() { outcome.records.append(RecordSummary(record)) }
        Invariant.require((try? reader.next()) == nil, "the reader goes on after its end")
    } catch {
        outcome.error = error
    }
    return (outcome, reader)
}

/// `bytes` decoded in `encoding` without `TextDecoding`: the standard library's UTF-8 validation; nil when invalid. cp1252 is left to `TextDecoding` (nil here means "not checked").
private func referenceDecode(_ bytes: [UInt8], _ encoding: TextEncoding) -> String?? {
    switch encoding {
    case .utf8: return .some(String(validating: bytes, as: UTF8.self))
    case .cp1252: return bytes.allSatisfy { $0 < 0x80 } ? .some(String(decoding: bytes, as: UTF8.self)) : .none
    }
}

private func checkReader(_ bytes: [UInt8], options: CSVOptions, chunkSizes: [Int]) {
    let (first, reader) = readAll(bytes, options: options, chunkSize: chunkSizes[0])
    for chunkSize in chunkSizes.dropFirst() {
        let (other, _) = readAll(bytes, options: options, chunkSize: chunkSize)
        Invariant.require(other == first, "the reader gives another outcome with chunks of \(chunkSize)")
    }

    let reference = ReferenceCSV.records(bytes, delimiter: reader?.delimiter ?? UInt8(ascii: ","), maxRecordBytes: 1 << 20)
    guard let reader else {
        if first.headerError?.code == .emptyFile {
            Invariant.require(reference.records.isEmpty && reference.unterminated == nil, "empty_file for a file with records")
        }
        return
    }
    Invariant.require(!reference.records.isEmpty, "a header read from a file without records")
    let header = reference.records[0]
    Invariant.require(reader.headerLine == header.line, "header line \(reader.headerLine), the reference \(header.line)")
    // Empty names that end the header are a spreadsheet's padding (SPEC §10): not columns.
    let headerFields = header.fields ?? []
    var named = headerFields.count
    while named > 0, headerFields[named - 1].isEmpty { named -= 1 }
    Invariant.require(named == reader.columns.count, "the header's columns are not the reference's")

    let data = reference.records.dropFirst()
    Invariant.require(first.records.count == data.count, "\(first.records.count) records, the reference \(data.count)")
    if let unterminated = reference.unterminated {
        Invariant.require(
            first.error?.code == .malformedCSV && first.error?.line == unterminated.line,
            "an open quote on line \(unterminated.line) gave \(String(describing: first.error))")
    } else {
        Invariant.require(first.error == nil, "the reader threw \(String(describing: first.error))")
    }

    let defaultEntity = options.hasDefaultEntity ? "entity_fuzz" : nil
    for (record, expected) in zip(first.records, data) {
        Invariant.require(record.line == expected.line && record.offset == expected.offset, "record at the wrong line or offset")
        guard let fields = expected.fields else {
            Invariant.require(record.error?.code == .recordTooLarge, "a record over 1 MiB was not record_too_large")
            continue
        }
        // A record may fill the padding's columns with empty fields; a value there has no column.
        let fits = fields.count == named
            || (fields.count > named && fields.count <= headerFields.count && fields[named...].allSatisfy(\.isEmpty))
        if !fits || fields.contains(where: { $0.contains(0) }) {
            Invariant.require(record.error?.code == .malformedRecord, "a record of \(fields.count) fields or with a NUL was read")
            checkRebuilt(record.source, fields: fields, delimiter: reader.delimiter, encoding: reader.encodingInUse)
            continue
        }
        if record.card != nil || record.lead != nil {
            Invariant.require(record.cells?.count == named, "a card's cells are not its fields")
            if !reader.header.hasAnnotations, let cells = record.cells {
                for (cell, field) in zip(cells, fields) {
                    if case .some(let decoded) = referenceDecode(field, reader.encodingInUse) {
                        Invariant.require(
                            decoded.map { Array($0.utf8) } == cell, "cell \(cell) is not field \(field) decoded")
                    }
                }
            }
            if let card = record.card {
                RulesCheck.check(card, defaultEntity: defaultEntity)
            } else if let lead = record.lead {
                RulesCheck.check(lead)
            }
        } else {
            Invariant.require(record.error?.code == .malformedRecord, "a record that fits was rejected as \(String(describing: record.error))")
            var decodable = true
            for field in fields {
                if case .some(nil) = referenceDecode(field, reader.encodingInUse) { decodable = false }
            }
            if reader.encodingInUse != .cp1252 {
                Invariant.require(!decodable, "a record whose fields all decode was rejected: \(String(describing: record.error))")
            }
            checkRebuilt(record.source, fields: fields, delimiter: reader.delimiter, encoding: reader.encodingInUse)
        }
    }
}

/// A record that could not be split is kept whole for the rejects file (`_raw`): read again with the same
/// delimiter, it must give the same fields (decoded, or as UTF-8 with U+FFFD where they do not decode; NUL as U+FFFD).
private func checkRebuilt(_ source: [UInt8]?, fields: [[UInt8]], delimiter: UInt8, encoding: TextEncoding) {
    guard let bytes = source else { Invariant.fail("an unsplittable record was not kept for the rejects file") }
    // A rebuilt record that starts with U+FEFF would lose it as a BOM when read alone: not checked.
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return }
    let expected: [[UInt8]] = fields.map { field in
        let text = field.withUnsafeBufferPointer { TextDecoding.decode($0, as: encoding) } ?? String(decoding: field, as: UTF8.self)
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 })
        return Array(String(scalars).utf8)
    }
    let again = ReferenceCSV.records(bytes, delimiter: delimiter, maxRecordBytes: 1 << 20)
    Invariant.require(
        again.unterminated == nil && again.records.count == 1 && again.records[0].fields == expected,
        "the rebuilt record \(bytes) reads back as \(again.records), not \(expected)")
}
