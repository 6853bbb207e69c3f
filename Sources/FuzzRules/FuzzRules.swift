import CardUploadInput
import CardUploadModel
import CardUploadParsing
import CardUploadReport
import CardUploadRules
import FuzzSupport

/// libFuzzer target for the row rules and what the outputs do with text.
///
/// The input is cut at 0xFF bytes (never UTF-8) into segments: kind bytes, then external_id, account_id,
/// entity_id, type, details.last_four, details.replacement_for, the `--entity` default, an extra field's
/// name, then metadata key/value pairs. Checks:
/// - `CardRules.validate` against `ReferenceCardRules` (`RulesCheck`), on the row built directly and on
///   the same row written as a JSON line and as a CSV record and read back: all three give the same result;
/// - on the whole input as text: `CardNumber.mask`/`contains` equal `ReferenceCardNumber`'s, a masked text
///   holds no card number and counts as one; `JSONString` round-trips; `TerminalText.safe` leaves no
///   control or format character, no line or paragraph separator and no card number; a `SpreadsheetCSV`
///   cell reads back, through `CSVRecordReader`, as the masked text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRules(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzBytes(data, size).bytes
    checkText(String(decoding: bytes, as: UTF8.self))

    let segments = bytes.split(separator: 0xFF, omittingEmptySubsequences: false).map { Array($0) }
    let row = RowBuilder(segments: segments)
    RulesCheck.check(row.card, defaultEntity: row.defaultEntity)
    if row.isPlainText {
        CrossFormat.check(row.card, defaultEntity: row.defaultEntity)
    }
    return 0
}

/// Builds a `RawCard` from the segments of a fuzz input, shaped as the readers would shape it.
struct RowBuilder {
    private(set) var card = RawCard()
    private(set) var defaultEntity: String?
    /// Every value is a string and the row has nothing CSV cannot say (a JSON-only shape, a NUL, a repeated key).
    private(set) var isPlainText = true

    init(segments: [[UInt8]]) {
        let kinds = segments.first ?? []
        func segment(_ index: Int) -> [UInt8] { index < segments.count ? segments[index] : [] }
        func kind(_ index: Int) -> UInt8 { index < kinds.count ? kinds[index] : 1 }

        card.externalID = value(kind(0), segment(1))
        card.accountID = value(kind(1), segment(2))
        card.entityID = value(kind(2), segment(3))
        card.type = value(kind(3), segment(4))
        // Byte 6 of the kinds: 0x10 `details` not an object, 0x20 `metadata` not an object, 0x40 an extra
        // field (0x80: system-managed, else unknown).
        let flags = kind(6)
        if flags & 0x10 != 0 {
            card.detailsNotObject = value(kind(4) | 4, segment(5)) ?? .object
            isPlainText = false
        } else {
            card.lastFour = value(kind(4), segment(5))
            card.replacementFor = value(kind(5), segment(6))
        }
        let entity = segment(7)
        defaultEntity = entity.isEmpty ? nil : String(decoding: entity, as: UTF8.self)
        if flags & 0x40 != 0 {
            let name = String(decoding: segment(8), as: UTF8.self)
            card.extraFields.append((field: name, code: flags & 0x80 != 0 ? .fieldNotSettable : .unknownField))
            isPlainText = false
        }
        if flags & 0x20 != 0 {
            card.metadataNotObject = value(kind(7) | 4, segment(9)) ?? .array
            isPlainText = false
        } else {
            var index = 9
            var keys = Set<[UInt8]>()
            while index < segments.count {
                let key = segments[index]
                if let entry = value(kind(7 + (index - 9) / 2), segment(index + 1)) {
                    card.metadata.append((key: String(decoding: key, as: UTF8.self), value: entry))
                    if !keys.insert(Array(String(decoding: key, as: UTF8.self).utf8)).inserted { isPlainText = false }
                }
                index += 2
            }
        }
        for value in [card.externalID, card.accountID, card.entityID, card.type, card.lastFour, card.replacementFor] {
            if let value, !isText(value) { isPlainText = false }
        }
        for entry in card.metadata {
            if !isText(entry.value) || entry.key.utf8.contains(0) { isPlainText = false }
        }
    }

    private func isText(_ value: RawValue) -> Bool {
        if case .string(let text) = value { return !text.utf8.contains(0) }
        return false
    }

    /// A value of the kind `kind` picks, from `bytes`: absent, a string (most kinds), a number, a boolean,
    /// an array or an object.
    private func value(_ kind: UInt8, _ bytes: [UInt8]) -> RawValue? {
        switch kind % 8 {
        case 0: return nil
        case 5:
            if case .number(let literal)? = try? JSONDocumentParser.parse(bytes) { return .number(literal) }
            return .number("0")
        case 6: return .bool(bytes.count % 2 == 0)
        case 7: return kind & 8 != 0 ? .object : .array
        default: return .string(String(decoding: bytes, as: UTF8.self))
        }
    }
}

/// Checks on any text: masking, JSON strings, terminal text and spreadsheet cells.
private func checkText(_ text: String) {
    let masked = CardNumber.mask(text)
    let expectedMask = ReferenceCardNumber.mask(text)
    Invariant.require(masked.utf8.elementsEqual(expectedMask.utf8), "mask gave \(masked), the reference \(expectedMask)")
    Invariant.require(
        CardNumber.contains(text) == ReferenceCardNumber.contains(text), "contains(\(Array(text.utf8))) is not the reference's")
    Invariant.require(!ReferenceCardNumber.holdsCardNumber(masked), "a masked text holds a card number: \(masked)")
    Invariant.require(CardNumber.mask(masked).utf8.elementsEqual(masked.utf8), "masking twice changes the text")
    if !masked.utf8.elementsEqual(text.utf8) {
        Invariant.require(CardNumber.contains(masked), "a masked card number no longer counts as one: \(masked)")
    }

    JSONCheck.checkQuoted(text)

    let safe = TerminalText.safe(text)
    Invariant.require(
        !safe.unicodeScalars.contains { [.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory) },
        "a control or format character or a line or paragraph separator in terminal text")
    Invariant.require(!ReferenceCardNumber.holdsCardNumber(safe), "a card number in terminal text: \(safe)")

    checkSpreadsheetCell(text)
}

/// A rejects-file cell (`SpreadsheetCSV.cell`, `.conversions`) in a file with an annotation column reads back as the masked text.
private func checkSpreadsheetCell(_ text: String) {
    if text.utf8.contains(0) { return }  // a NUL makes the record malformed_record, by design
    let cell = SpreadsheetCSV.cell(text, delimiter: UInt8(ascii: ","), protection: .conversions)
    let file = "external_id,account_id,entity_id,details.last_four,_note\r\n,,,," + cell + "\r\n"
    let expected = CardNumber.mask(text)
    do {
        let reader = try CSVRecordReader(source: ArrayChunkSource(file), options: CSVOptions(delimiter: UInt8(ascii: ",")))
        guard let record = try reader.next(), let cells = record.cells, cells.count == 5 else {
            Invariant.fail("a spreadsheet cell \(cell) did not read back as one record")
        }
        Invariant.require(
            cells[4].utf8.elementsEqual(expected.utf8),
            "the spreadsheet cell \(Array(cell.utf8)) of \(Array(text.utf8)) reads back as \(Array(cells[4].utf8))")
        Invariant.require(try reader.next() == nil, "a spreadsheet cell made two records")
    } catch {
        Invariant.fail("a spreadsheet cell \(cell) did not read back: \(error)")
    }
}
