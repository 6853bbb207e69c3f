import CardUploadInput
import CardUploadModel
import CardUploadParsing
import FuzzSupport

/// libFuzzer target for JSON lines: `JSONLinesRecordReader`, `JSONDocumentParser` and `JSONCardMapping`.
///
/// Input: byte 0 picks a chunk size; the rest is the file. Checks: the same records whatever the chunking;
/// one record per non-blank line, at its line number and offset; a line the parser accepts is valid
/// UTF-8, nests at most 64 deep, and written again with `JSONString` parses to the same value (and the same
/// bytes once more); an object becomes the reader's card, anything else `malformed_record`; each card
/// passes `RulesCheck`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONLines(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzBytes(data, size)
    let chunkByte = input.byte()
    let bytes = input.rest

    var chunkSizes = [max(bytes.count, 1), chunkByte & 0x80 != 0 ? 1 + Int(chunkByte & 0x7F) * 61 : 1 + Int(chunkByte % 67)]
    if bytes.count <= 512 { chunkSizes.append(1) }

    let first = readAll(bytes, chunkSize: chunkSizes[0])
    for chunkSize in chunkSizes.dropFirst() {
        Invariant.require(readAll(bytes, chunkSize: chunkSize) == first, "chunks of \(chunkSize) give other records")
    }
    checkLines(bytes, records: first)

    // The whole input as one JSON text too (line breaks are white space there).
    checkParse(bytes)
    return 0
}

private func readAll(_ bytes: [UInt8], chunkSize: Int) -> [RecordSummary] {
    let reader = JSONLinesRecordReader(source: ArrayChunkSource(bytes, chunkSize: chunkSize))
    reader.keepsSourceText = true
    var records: [RecordSummary] = []
    do {
        while let record = try reader.next() { records.append(RecordSummary(record)) }
        Invariant.require((try? reader.next()) == nil, "the reader goes on after its end")
    } catch {
        Invariant.fail("JSONLinesRecordReader over memory threw \(error)")
    }
    return records
}

private func isJSONWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
}

/// The reader's records against the lines of `bytes` split on 0x0A.
private func checkLines(_ bytes: [UInt8], records: [RecordSummary]) {
    var expected: [(line: Int, offset: Int, body: ArraySlice<UInt8>)] = []
    var lineStart = 0
    var lineNumber = 1
    while lineStart < bytes.count {
        let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
        var body = bytes[lineStart..<lineEnd]
        if lineNumber == 1, body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if !body.allSatisfy(isJSONWhitespace) { expected.append((lineNumber, lineStart, body)) }
        lineStart = lineEnd + 1
        lineNumber += 1
    }
    Invariant.require(records.count == expected.count, "\(records.count) records for \(expected.count) non-blank lines")
    for (record, line) in zip(records, expected) {
        Invariant.require(record.line == line.line && record.offset == line.offset, "a record at the wrong line or offset")
        Invariant.require(record.source == Array(String(decoding: line.body, as: UTF8.self).utf8), "the kept source is not the line")
        switch try? JSONDocumentParser.parse(line.body) {
        case .object(let members)?:
            let card = JSONCardMapping.card(from: members)
            Invariant.require(record.card == card, "the reader's card is not the line's object mapped")
            RulesCheck.check(card, defaultEntity: nil)
            RulesCheck.check(card, defaultEntity: "entity_fuzz")
        default:
            Invariant.require(record.error?.code == .malformedRecord, "a line that is not an object was read as \(String(describing: record.card))")
            Invariant.require(!ReferenceMessages.holdsInput(record.error?.message ?? "", line.body), "an error message repeats the line")
        }
        checkParse(Array(line.body))
    }
}

/// What an accepted JSON text must satisfy, and its round trip through `JSONString`.
private func checkParse(_ bytes: [UInt8]) {
    let value: JSONValue
    do {
        value = try JSONDocumentParser.parse(bytes)
    } catch {
        Invariant.require(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside the input")
        return
    }
    Invariant.require(
        String(validating: bytes, as: UTF8.self) != nil, "the parser accepted invalid UTF-8: \(bytes)")
    Invariant.require(JSONCheck.depth(value) <= JSONDocumentParser.maximumDepth, "the parser accepted nesting over 64")
    let written = JSONCheck.serialize(value)
    let again: JSONValue
    do {
        again = try JSONDocumentParser.parse(written)
    } catch {
        Invariant.fail("a parsed value written again does not parse: \(error.message) at \(error.offset) in \(written)")
    }
    Invariant.require(again == value, "a parsed value written again parses to another value")
    Invariant.require(JSONCheck.serialize(again) == written, "writing the value twice gives other bytes")
}

/// Error messages of the JSON reader name the rule, never the input (it may hold a card number).
enum ReferenceMessages {
    /// Whether `message` contains a run of 8+ input bytes that are not in the message's own fixed words.
    static func holdsInput(_ message: String, _ line: ArraySlice<UInt8>) -> Bool {
        // Only digit runs matter here (a card number is digits): 8 or more input digits in a row.
        let digits = Array(line).split { !(0x30...0x39).contains($0) }.filter { $0.count >= 8 }
        let text = Array(message.utf8)
        return digits.contains { run in
            text.count >= run.count && (0...(text.count - run.count)).contains { Array(text[$0..<($0 + run.count)]) == Array(run) }
        }
    }
}
