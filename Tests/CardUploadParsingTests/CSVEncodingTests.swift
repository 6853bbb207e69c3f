import CardUploadModel
import Testing

@testable import CardUploadParsing

/// `--encoding auto`, the byte order mark and the encoding names (SPEC §1, §10), through the reader.
@Suite("CSV encodings")
struct CSVEncodingTests {
    /// `rows` ASCII data rows, then a row holding `bytes` (line `rows + 2`), then one more ASCII row.
    private func file(asciiRows rows: Int, then bytes: [UInt8], before: [UInt8] = []) -> [UInt8] {
        var file = Array("\(uploadHeader),metadata.note\n".utf8)
        for index in 0..<rows { file += Array("e\(index),a,n,0042,plain\n".utf8) }
        file += Array("bad,a,n,0042,".utf8) + bytes + [0x0A]
        file += Array("after,a,n,0042,caf".utf8) + [0xE9, 0x0A]
        return before + file
    }

    @Test(arguments: csvChunkSizes)
    func autoTurnsToWindows1252AfterOnlyASCII(chunkSize: Int) throws {
        let bytes = file(asciiRows: 3, then: [0x80, 0x20, 0xE9, 0x74, 0xE9])
        let (reader, records) = try readUpload(bytes, options: CSVOptions(encoding: .auto), chunkSize: chunkSize)
        #expect(records.count == 5)
        #expect(records[0].card?.metadata.first?.value == .string("plain"))
        #expect(records[3].line == 5)
        #expect(records[3].card?.metadata.first?.value == .string("€ été"))
        #expect(records[4].card?.metadata.first?.value == .string("café"))
        #expect(reader.encodingInUse == .cp1252)
        let hint = try #require(reader.hints.first { $0.kind == .encoding })
        #expect(hint.text.contains("from line 5 on (byte 0x80)"))
        #expect(hint.text.contains("Windows-1252"))
    }

    @Test(arguments: [1, 7, 1 << 16])
    func autoStaysUTF8AfterValidNonASCII(chunkSize: Int) throws {
        // One valid UTF-8 `é` on line 2: the file is UTF-8, and the later cp1252 byte is a bad row.
        var bytes = Array("\(uploadHeader),metadata.note\n".utf8)
        bytes += Array("e0,a,n,0042,café\n".utf8)
        bytes += Array("bad,a,n,0042,caf".utf8) + [0xE9, 0x0A]
        bytes += Array("e2,a,n,0042,ok\n".utf8)
        let (reader, records) = try readUpload(bytes, options: CSVOptions(encoding: .auto), chunkSize: chunkSize)
        #expect(records[0].card?.metadata.first?.value == .string("café"))
        #expect(records[1].rowError?.code == .malformedRecord)
        #expect(records[1].rowError?.message.contains("is not valid UTF-8") == true)
        #expect(records[2].card != nil)
        #expect(reader.encodingInUse == .utf8)
        #expect(reader.hints.isEmpty)
    }

    @Test(arguments: [1, 7, 1 << 16])
    func autoStaysUTF8WhenValidNonASCIIComesFirstInTheSameCell(chunkSize: Int) throws {
        // The first non-ASCII cell is "café" then a stray 0xE9: valid UTF-8 came before the bad byte, so the
        // file is UTF-8 and that row is malformed; the later "Zoë" is read as UTF-8, not as "ZoÃ«".
        var bytes = Array("\(uploadHeader),metadata.note\n".utf8)
        bytes += Array("e0,a,n,0042,plain\n".utf8)
        bytes += Array("bad,a,n,0042,caf".utf8) + [0xC3, 0xA9, 0xE9, 0x0A]
        bytes += Array("e2,a,n,0042,Zoë\n".utf8)
        let (reader, records) = try readUpload(bytes, options: CSVOptions(encoding: .auto), chunkSize: chunkSize)
        #expect(records[1].rowError?.code == .malformedRecord)
        #expect(records[2].card?.metadata.first?.value == .string("Zoë"))
        #expect(reader.encodingInUse == .utf8)
        #expect(reader.hints.isEmpty)
    }

    @Test func autoDecidesOnTheHeaderToo() throws {
        let bytes = Array("\(uploadHeader),metadata.caf".utf8) + [0xE9] + Array("\ne,a,n,0042,x\n".utf8)
        let (reader, records) = try readUpload(bytes, options: CSVOptions(encoding: .auto))
        #expect(reader.columns.last == "metadata.café")
        #expect(records[0].card?.metadata.first?.key == "café")
        #expect(reader.hints.first?.text.contains("from line 1 on") == true)
    }

    @Test func autoKeepsTheUndefinedBytesMalformed() throws {
        // The first non-UTF-8 row turns the file to Windows-1252 even when its byte has no character there.
        let bytes = file(asciiRows: 1, then: [0x81])
        let (reader, records) = try readUpload(bytes, options: CSVOptions(encoding: .auto))
        #expect(records[1].rowError?.code == .malformedRecord)
        #expect(records[1].rowError?.message.contains("0x81") == true)
        #expect(records[2].card?.metadata.first?.value == .string("café"))
        #expect(reader.encodingInUse == .cp1252)
    }

    @Test func strictUTF8RejectsTheRowAndGoesOn() throws {
        let bytes = file(asciiRows: 2, then: [0xE9])
        let (reader, records) = try readUpload(bytes, options: CSVOptions(encoding: .utf8))
        #expect(records[2].rowError?.code == .malformedRecord)
        #expect(records[3].rowError?.code == .malformedRecord)
        #expect(reader.encodingInUse == .utf8)
        #expect(reader.hints.isEmpty)
    }

    @Test func aByteOrderMarkMeansUTF8WhateverTheOptionSays() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let bytes = bom + Array("\(uploadHeader),metadata.note\ne,a,n,0042,café\n".utf8)
        let (reader, records) = try readUpload(bytes, options: CSVOptions(encoding: .cp1252))
        #expect(records[0].card?.metadata.first?.value == .string("café"), "not mojibake")
        #expect(reader.encodingInUse == .utf8)
        #expect(reader.hints.map(\.kind) == [.byteOrderMark])
        // With auto the BOM decides UTF-8 (strict), without a note.
        let later = file(asciiRows: 1, then: [0xE9], before: bom)
        let (autoReader, autoRecords) = try readUpload(later, options: CSVOptions(encoding: .auto))
        #expect(autoRecords[1].rowError?.code == .malformedRecord)
        #expect(autoReader.encodingInUse == .utf8 && autoReader.hints.isEmpty)
    }

    @Test func theNamesUsersType() {
        let names: [String: EncodingChoice] = [
            "auto": .auto, "AUTO": .auto, "utf-8": .utf8, "UTF-8": .utf8, "utf8": .utf8, "Utf8": .utf8,
            "cp1252": .cp1252, "CP1252": .cp1252, "windows-1252": .cp1252, "Windows-1252": .cp1252,
            "latin1": .cp1252, "LATIN1": .cp1252, "iso-8859-1": .cp1252, "ISO-8859-1": .cp1252,
        ]
        for (name, choice) in names { #expect(EncodingChoice(name: name) == choice, "\(name)") }
        for name in ["utf-16", "ascii", "", "utf-8 ", "latin-2"] { #expect(EncodingChoice(name: name) == nil, "\(name)") }
    }

    @Test func firstInvalidUTF8Byte() {
        func first(_ bytes: [UInt8]) -> UInt8? { bytes.withUnsafeBufferPointer { TextDecoding.firstInvalidUTF8Byte($0) } }
        #expect(first(Array("café".utf8)) == nil)
        #expect(first(Array("é".utf8) + [0xE9, 0x41]) == 0xE9)
        #expect(first([0x41, 0xC3]) == 0xC3)
        #expect(first([0xA9]) == 0xA9)
    }
}

/// A header saved by a spreadsheet with empty-named columns at its end (SPEC §10).
@Suite("CSV spreadsheet padding")
struct CSVSpreadsheetPaddingTests {
    @Test(arguments: csvChunkSizes)
    func trailingEmptyColumnsAreNotThere(chunkSize: Int) throws {
        let text = "\(uploadHeader),,\ne1,a,n,0042,,\ne2,a,n,0042\ne3,a,n,0042,,x\ne4,a,n,0042,\"\",\n"
        let (reader, records) = try readUpload(text, chunkSize: chunkSize)
        #expect(reader.columns == uploadHeader.split(separator: ",").map(String.init))
        #expect(records[0].card?.externalID == .string("e1"))
        #expect(records[0].cells?.count == 4)
        #expect(records[1].card?.externalID == .string("e2"), "a row without the padding is read too")
        #expect(records[2].rowError?.code == .malformedRecord)
        #expect(records[2].rowError?.message.contains("field 6 holds a value, but its column has no name") == true)
        #expect(records[3].card?.externalID == .string("e4"), "an empty quoted cell is no value")
    }

    @Test func aRowWiderThanThePaddingIsStillMalformed() throws {
        let (_, records) = try readUpload("\(uploadHeader),\ne1,a,n,0042,,\n")
        #expect(records[0].rowError?.message == "record has 6 fields, the header has 4 (and 1 with no name)")
    }

    @Test func anEmptyNameBeforeANamedColumnIsStillUnknown() {
        let error = fileError { () throws(FileError) in _ = try readUpload("external_id,,account_id,entity_id,details.last_four\n") }
        #expect(error?.code == .unknownColumn)
        #expect(error?.message.contains("column 2 \"\"") == true)
    }

    @Test func leadFilesToo() throws {
        let header = LeadColumn.allCases.map(\.name).joined(separator: "|")
        let row = LeadColumn.allCases.map { _ in "v" }.joined(separator: "|")
        let (reader, records) = try readUpload("\(header)||\n\(row)||\n\(row)|x|\n")
        #expect(reader.isLead && reader.columns.count == 14)
        #expect(records[0].rowError == nil)
        #expect(records[1].rowError?.code == .malformedRecord)
    }
}

/// The `'` this tool's CSV writers add, found in a file that is not one of its rejects files (SPEC §10).
@Suite("CSV apostrophe hint")
struct CSVApostropheHintTests {
    @Test func keptAndHintedWithoutAnnotationColumns() throws {
        let (reader, records) = try readUpload("\(uploadHeader),metadata.f\ne,a,n,0042,ok\ne,a,n,0042,'=1+2\ne,a,n,0042,'@x\n")
        #expect(records[1].card?.metadata.first?.value == .string("'=1+2"))
        let hint = try #require(reader.hints.first)
        #expect(hint.kind == .apostrophe)
        #expect(hint.text.hasPrefix("line 3, column \"metadata.f\""))
        #expect(hint.text.contains("keep the _ columns when you fix a rejects file"))
    }

    @Test func strippedAndNotHintedInARejectsFile() throws {
        let (reader, records) = try readUpload("\(uploadHeader),metadata.f,_line\ne,a,n,0042,'=1+2,2\n")
        #expect(records[0].card?.metadata.first?.value == .string("=1+2"))
        #expect(reader.hints.isEmpty)
        // An apostrophe before anything else is plain data.
        let (plain, _) = try readUpload("\(uploadHeader),metadata.f\ne,a,n,0042,'quoted'\n")
        #expect(plain.hints.isEmpty)
    }
}
