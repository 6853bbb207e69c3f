import Foundation
import CardUploadInput
import CardUploadModel

/// Options for reading CSV and TSV.
package struct CSVOptions: Sendable {
    /// `--delimiter`, or nil to sniff it from the header line. Must not be `"`, CR, LF or NUL.
    package var delimiter: UInt8?
    /// `--encoding`: `auto` decides from the bytes (SPEC §10); a UTF-8 byte order mark means UTF-8 whatever it says.
    package var encoding: EncodingChoice
    /// True when `--entity` was given, so `entity_id` is not a required column.
    package var hasDefaultEntity: Bool
    /// `--format lead-card`: the file is a Lead card file whatever its header (else the header says).
    package var leadCard: Bool

    package init(delimiter: UInt8? = nil, encoding: EncodingChoice = .utf8, hasDefaultEntity: Bool = false, leadCard: Bool = false) {
        self.delimiter = delimiter
        self.encoding = encoding
        self.hasDefaultEntity = hasDefaultEntity
        self.leadCard = leadCard
    }
}

/// Reads upload records from CSV or TSV, chunk by chunk: the header first, then one `RawRecord` per data record.
///
/// Bytes are split by `CSVTokenizer` (delimiters and quotes are ASCII in every accepted encoding); each cell is
/// then decoded by a `CellDecoder` (`options.encoding`, decided from the bytes for `auto`). A header that ends
/// in columns with empty names (a spreadsheet saved a stray cell's column) is read without them; a value under
/// one is `malformed_record`. Only the current chunk and the current record are held.
package final class CSVRecordReader {
    /// The delimiter in use (given or sniffed).
    package let delimiter: UInt8
    /// The header's column names, in order (trailing empty names left out).
    package let columns: [String]
    /// The checked header: what each column holds.
    package let header: CSVHeader
    /// Line of the header record.
    package let headerLine: Int
    /// Whether the file is a Lead card file (SPEC §9): its records are `.lead` rows.
    package let isLead: Bool

    /// Records (header included) longer than this are `record_too_large` (the header: `malformed_header`).
    package static let maxRecordBytes = 1 << 20

    private let stream: CSVRecordStream
    /// Per column, what it holds (a payload-free copy of `header.columns`, cheap to switch over per cell).
    private let roles: [ColumnRole]
    /// Per column of a Lead file, the Lead column it holds (-1 for an annotation).
    private let leadColumns: [Int]
    /// Per column, the metadata key ("" for other columns).
    private let metadataKeys: [String]
    private let metadataCount: Int
    /// The header's fields, trailing empty names included: a record may have this many fields.
    private let paddedColumnCount: Int
    /// Read and written only by this reader's own methods, one at a time: unchecked, so the per-record copy
    /// costs no dynamic exclusivity check.
    @exclusivity(unchecked) private var decoder: CellDecoder
    private let byteOrderMarkOverrode: Bool
    /// The first cell that starts with the `'` this tool's writers add, in a file without `_` columns: line, column.
    private var apostropheCell: (line: Int, column: Int)?
    private var finished = false
    /// Whether records carry their cells (`RawRecord.cells`), which only the rejects file needs.
    package var keepsCells = true

    /// The encoding the file was read in (so far): what the report's `encoding` says.
    package var encodingInUse: TextEncoding { decoder.encoding }

    /// What the person fixing the file should be told about how it was read (SPEC §10).
    package var hints: [FileHint] {
        var hints: [FileHint] = []
        if byteOrderMarkOverrode {
            hints.append(FileHint(
                .byteOrderMark,
                "the file starts with a UTF-8 byte order mark: it was read as UTF-8, not as the Windows-1252 that"
                    + " --encoding asked for"))
        }
        if let hint = decoder.hint { hints.append(hint) }
        if let (line, column) = apostropheCell {
            let name = CardNumber.mask(columns[column])
            hints.append(FileHint(
                .apostrophe,
                "line \(line), column \"\(name)\": values start with the ' that this tool's rejects file puts before"
                    + " what a spreadsheet would change, and the file has no _ columns: they were kept as they are"
                    + " (with the '); keep the _ columns when you fix a rejects file"))
        }
        return hints
    }

    /// Reads and checks the header. Throws `FileError` for `empty_file`, `malformed_header`, `unknown_column`,
    /// `missing_column`, `duplicate_column`, `column_not_settable`.
    package init(source: any ChunkSource, options: CSVOptions) throws(FileError) {
        stream = try CSVRecordStream(
            source: source, delimiter: options.delimiter, maxRecordBytes: Self.maxRecordBytes)
        delimiter = stream.delimiter
        var decoder = CellDecoder(options.encoding)
        if stream.hadByteOrderMark { decoder.sawByteOrderMark() }
        byteOrderMarkOverrode = stream.hadByteOrderMark && options.encoding == .cp1252

        let step = try stream.next()
        let line = stream.tokenizer.recordLine
        let offset = stream.tokenizer.recordOffset
        func malformed(_ why: String) -> FileError {
            FileError(code: .malformedHeader, message: "the header line \(why)", line: line, offset: offset)
        }
        switch step {
        case .end, .needInput:
            throw FileError(code: .emptyFile, message: "the file is empty: it has no header line", line: nil, offset: 0)
        case .unterminatedQuote:
            throw malformed("opens a quoted field that is never closed")
        case .recordTooLarge:
            throw malformed("is over 1 MiB (\(stream.tokenizer.recordLength) bytes)")
        case .record:
            break
        }
        if stream.tokenizer.recordHasNUL { throw malformed("holds a NUL byte") }

        var names: [String] = []
        let tokenizer = stream.tokenizer
        var start = 0
        for (index, end) in tokenizer.fieldEnds.enumerated() {
            let name = tokenizer.withFieldBytes { bytes in
                decoder.decode(UnsafeBufferPointer(rebasing: bytes[start..<end]), line: line)
            }
            guard let name else {
                let why = tokenizer.withFieldBytes { bytes in
                    TextDecoding.failureDescription(UnsafeBufferPointer(rebasing: bytes[start..<end]), as: decoder.encoding)
                }
                throw malformed("is not valid text: column \(index + 1) \(why)")
            }
            names.append(name)
            start = end
        }
        self.decoder = decoder
        paddedColumnCount = names.count
        // Columns with empty names at the end: a spreadsheet saved a stray cell's column. Read as if absent.
        while names.last?.isEmpty == true { names.removeLast() }
        isLead = options.leadCard || CSVHeader.isLead(names: names)
        if isLead, delimiter != CSVByte.pipe, !names.contains(where: { $0.utf8.first == UInt8(ascii: "_") }) {
            let shown = delimiter == CSVByte.tab ? "tab" : "'\(String(UnicodeScalar(delimiter)))'"
            throw FileError(
                code: .invalidDelimiter,
                message: "this is a Lead card file (its header has client_card_id), and its fields are separated by \(shown);"
                    + " Lead card files are pipe-delimited (Lead: do not use a comma or semicolon): write it with | between fields"
                    + " (a spreadsheet: save as CSV with | as the field delimiter)",
                line: line, offset: offset)
        }
        header = try CSVHeader(
            names: names, hasDefaultEntity: options.hasDefaultEntity, lead: isLead, line: line, offset: offset)
        columns = names
        headerLine = line
        roles = header.columns.map(ColumnRole.init)
        metadataKeys = header.columns.map { column in
            if case .metadata(let key) = column { return key }
            return ""
        }
        metadataCount = roles.count { $0 == .metadata }
        leadColumns = header.columns.map { column in
            if case .lead(let lead) = column { return lead.rawValue }
            return -1
        }
    }

    /// The next data record, or nil at the end. Throws `FileError` (`malformed_csv`) for a quote left open at the end.
    package func next() throws(FileError) -> RawRecord? {
        if finished { return nil }
        let step: CSVTokenizer.Step
        do {
            step = try stream.next()
        } catch {
            finished = true
            throw error
        }
        let line = stream.tokenizer.recordLine
        let offset = stream.tokenizer.recordOffset
        switch step {
        case .end, .needInput:
            finished = true
            return nil
        case .unterminatedQuote:
            finished = true
            throw FileError(
                code: .malformedCSV,
                message: "the record that starts on line \(line) opens a quoted field that is never closed",
                line: line, offset: offset)
        case .recordTooLarge:
            let error = RowError(
                field: nil, code: .recordTooLarge,
                message: "record is \(stream.tokenizer.recordLength) bytes, over the limit of 1 MiB (\(Self.maxRecordBytes) bytes)")
            return RawRecord(line: line, offset: offset, content: .unreadable(error))
        case .record:
            return makeRecord(line: line, offset: offset)
        }
    }

    /// A record that could not be split into cells: rejected, and rebuilt whole for the rejects file.
    private func unreadable(_ message: String, line: Int, offset: Int) -> RawRecord {
        RawRecord(
            line: line, offset: offset,
            content: .unreadable(RowError(field: nil, code: .malformedRecord, message: message)),
            source: rebuiltRecord())
    }

    /// The tokenizer's current record as CSV text: its fields joined by the delimiter, quoted where they
    /// need it, bytes that do not decode replaced (U+FFFD), a NUL shown as U+FFFD too.
    private func rebuiltRecord() -> String {
        let tokenizer = stream.tokenizer
        let fieldEnds = tokenizer.fieldEnds
        let delimiter = self.delimiter
        let line = tokenizer.recordLine
        var fields: [String] = []
        tokenizer.withFieldBytes { bytes in
            var start = 0
            for end in fieldEnds {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
                let text = decoder.decode(slice, line: line) ?? String(decoding: slice, as: UTF8.self)
                fields.append(text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}"))
                start = end
            }
        }
        let separator = String(UnicodeScalar(delimiter))
        // One empty field is `""`: written as nothing, it would be an empty line, not a record.
        if fields.count == 1, fields[0].utf8.isEmpty { return "\"\"" }
        return fields.map { field in
            let needsQuotes = field.utf8.contains { $0 == delimiter || $0 == CSVByte.quote || $0 == 0x0A || $0 == 0x0D }
            guard needsQuotes else { return field }
            // Byte by byte: `replacingOccurrences` compares Characters, and a `"` before a combining mark is not one.
            var quoted: [UInt8] = [CSVByte.quote]
            for byte in field.utf8 {
                quoted.append(byte)
                if byte == CSVByte.quote { quoted.append(CSVByte.quote) }
            }
            quoted.append(CSVByte.quote)
            return String(decoding: quoted, as: UTF8.self)
        }.joined(separator: separator)
    }

    /// Decodes the tokenizer's current record into cells and a `RawCard`.
    private func makeRecord(line: Int, offset: Int) -> RawRecord {
        let tokenizer = stream.tokenizer
        let fieldEnds = tokenizer.fieldEnds
        let columnCount = header.columns.count
        let fieldCount = fieldEnds.count
        guard fieldCount == columnCount || (fieldCount > columnCount && fieldCount <= paddedColumnCount) else {
            let fields = fieldCount == 1 ? "1 field" : "\(fieldCount) fields"
            let padding = paddedColumnCount > columnCount ? " (and \(paddedColumnCount - columnCount) with no name)" : ""
            return unreadable("record has \(fields), the header has \(columnCount)\(padding)", line: line, offset: offset)
        }
        if tokenizer.recordHasNUL {
            return unreadable("record holds a NUL byte", line: line, offset: offset)
        }
        if fieldCount > columnCount,
           let extra = (columnCount..<fieldCount).first(where: { fieldEnds[$0] > ($0 == 0 ? 0 : fieldEnds[$0 - 1]) }) {
            return unreadable(
                "field \(extra + 1) holds a value, but its column has no name in the header (a spreadsheet's stray cell?):"
                    + " the value has no column; move it under a named column or delete it", line: line, offset: offset)
        }

        var decoder = self.decoder
        let decides = decoder.undecided
        var apostropheColumn: Int?
        let stripsApostrophe = header.hasAnnotations
        var cells: [String] = []
        cells.reserveCapacity(columnCount)
        var card = RawCard()
        var leadRow = LeadRawRow()
        let isLead = self.isLead
        if metadataCount > 0 { card.metadata.reserveCapacity(metadataCount) }
        var badColumn: Int?
        tokenizer.withFieldBytes { bytes in
            var start = 0
            for index in 0..<columnCount {
                let end = fieldEnds[index]
                guard var cell = decoder.decode(UnsafeBufferPointer(rebasing: bytes[start..<end]), line: line)
                else {
                    badColumn = index
                    return
                }
                // The writer put a `'` before every cell a spreadsheet would change (`'0042`, `'=x`, `''5` for
                // `'5`: `SpreadsheetConversion`); one comes off again, so all round-trip. Asked of the decoded
                // text, so a file a spreadsheet saved in Windows-1252 (`'€5`) loses it too.
                // In a file without `_` columns the `'` stays (and a hint says so).
                if end - start >= 2, bytes[start] == CSVByte.apostrophe {
                    if stripsApostrophe {
                        cell = SpreadsheetConversion.removingApostrophe(cell)
                    } else if apostropheColumn == nil, SpreadsheetConversion.changes(cell.utf8.dropFirst()) {
                        apostropheColumn = index
                    }
                }
                if keepsCells { cells.append(cell) }
                start = end
                if cell.isEmpty { continue }
                if isLead {
                    if let column = LeadColumn(rawValue: leadColumns[index]) { leadRow[column] = cell }
                    continue
                }
                switch roles[index] {
                case .externalID: card.externalID = .string(cell)
                case .accountID: card.accountID = .string(cell)
                case .entityID: card.entityID = .string(cell)
                case .type: card.type = .string(cell)
                case .lastFour: card.lastFour = .string(cell)
                case .replacementFor: card.replacementFor = .string(cell)
                case .metadata: card.metadata.append((key: metadataKeys[index], value: .string(cell)))
                case .annotation: break
                }
            }
        }
        // Only the first non-ASCII cell changes the decoder (it decides `auto` once).
        if decides, !decoder.undecided { self.decoder = decoder }
        if let apostropheColumn, apostropheCell == nil { apostropheCell = (line, apostropheColumn) }
        if let badColumn {
            let start = badColumn == 0 ? 0 : fieldEnds[badColumn - 1]
            let why = tokenizer.withFieldBytes { bytes in
                TextDecoding.failureDescription(
                    UnsafeBufferPointer(rebasing: bytes[start..<fieldEnds[badColumn]]), as: decoder.encoding)
            }
            let name = CardNumber.mask(header.names[badColumn])
            return unreadable("field \(badColumn + 1) (\"\(name)\") \(why)", line: line, offset: offset)
        }

        return RawRecord(
            line: line, offset: offset, content: isLead ? .lead(leadRow) : .card(card), cells: keepsCells ? cells : nil)
    }

    /// What a column holds, without the metadata key.
    private enum ColumnRole: UInt8 {
        case externalID, accountID, entityID, type, lastFour, replacementFor, metadata, annotation

        init(_ column: CSVHeader.Column) {
            switch column {
            case .externalID: self = .externalID
            case .accountID: self = .accountID
            case .entityID: self = .entityID
            case .type: self = .type
            case .lastFour: self = .lastFour
            case .replacementFor: self = .replacementFor
            case .metadata: self = .metadata
            case .annotation, .lead: self = .annotation
            }
        }
    }
}
