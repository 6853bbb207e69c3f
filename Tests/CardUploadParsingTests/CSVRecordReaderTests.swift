import CardUploadInput
import CardUploadModel
import Testing

@testable import CardUploadParsing

@Suite("CSV record reader")
struct CSVRecordReaderTests {
    // MARK: - Mapping

    @Test(arguments: csvChunkSizes)
    func mapsColumnsToTheCard(chunkSize: Int) throws {
        let text = "metadata.team,external_id,account_id,entity_id,type,details.last_four,details.replacement_for,metadata.cost center\r\n"
            + "ops,ext-1,account_1,entity_1,virtual,0042,card_9,\" 12 \"\r\n"
            + ",ext-2,account_1,entity_1,,0043,,\n"
        let (reader, records) = try readUpload(text, chunkSize: chunkSize)
        #expect(reader.delimiter == UInt8(ascii: ","))
        #expect(reader.columns.count == 8)
        #expect(records.count == 2)
        #expect(records[0].line == 2)
        #expect(records[0].card == RawCard(
            externalID: .string("ext-1"), accountID: .string("account_1"), entityID: .string("entity_1"),
            type: .string("virtual"), lastFour: .string("0042"), replacementFor: .string("card_9"),
            metadata: [(key: "team", value: .string("ops")), (key: "cost center", value: .string(" 12 "))]))
        #expect(records[0].cells == ["ops", "ext-1", "account_1", "entity_1", "virtual", "0042", "card_9", " 12 "])
        // A zero-length cell is absent; the cells keep it.
        #expect(records[1].card == RawCard(
            externalID: .string("ext-2"), accountID: .string("account_1"), entityID: .string("entity_1"),
            lastFour: .string("0043")))
        #expect(records[1].cells == ["", "ext-2", "account_1", "entity_1", "", "0043", "", ""])
        #expect(records[1].line == 3)
    }

    @Test(arguments: csvChunkSizes)
    func annotationColumnsAreKeptInCellsOnly(chunkSize: Int) throws {
        let text = "_line,\(uploadHeader),_errors\n7,e,account_1,entity_1,0042,missing_field: x\n"
        let (_, records) = try readUpload(text, chunkSize: chunkSize)
        #expect(records[0].card == RawCard(
            externalID: .string("e"), accountID: .string("account_1"), entityID: .string("entity_1"), lastFour: .string("0042")))
        #expect(records[0].cells == ["7", "e", "account_1", "entity_1", "0042", "missing_field: x"])
    }

    @Test(arguments: csvChunkSizes)
    func linesAndOffsets(chunkSize: Int) throws {
        // BOM (3 bytes), two empty lines, the header on line 3, a record with a CRLF inside quotes, an empty line.
        let text = "\u{FEFF}\n\r\n\(uploadHeader)\n\"a\r\nb\",account_1,entity_1,0042\n\ne,account_1,entity_1,0042"
        let (reader, records) = try readUpload(text, chunkSize: chunkSize)
        #expect(reader.headerLine == 3)
        #expect(records.map(\.line) == [4, 7])
        let headerEnd = 3 + 1 + 2 + uploadHeader.utf8.count + 1
        #expect(records[0].offset == headerEnd)
        #expect(records[0].card?.externalID == .string("a\r\nb"))
        #expect(records[1].offset == headerEnd + "\"a\r\nb\",account_1,entity_1,0042\n\n".utf8.count)
    }

    @Test(arguments: csvChunkSizes)
    func headerOnlyFileHasNoRecords(chunkSize: Int) throws {
        for text in [uploadHeader, uploadHeader + "\n", uploadHeader + "\r\n\r\n\n"] {
            let (reader, records) = try readUpload(text, chunkSize: chunkSize)
            #expect(records.isEmpty)
            #expect(reader.columns == ["external_id", "account_id", "entity_id", "details.last_four"])
            #expect(try reader.next() == nil)
        }
    }

    @Test(arguments: ["", "\n", "\r\n\r\n", "\u{FEFF}", "\u{FEFF}\n"])
    func emptyFile(text: String) {
        for chunkSize in csvChunkSizes {
            let error = fileError { () throws(FileError) in _ = try readUpload(text, chunkSize: chunkSize) }
            #expect(error?.code == .emptyFile)
        }
    }

    // MARK: - Header problems

    static let headerCases: [(header: String, code: ErrorCode, mentions: [String])] = [
        ("external_id,account_id,entity_id,details.last_four,colour", .unknownColumn, ["\"colour\"", "column 5"]),
        ("External_id,account_id,entity_id,details.last_four", .unknownColumn, ["\"External_id\"", "\"external_id\""]),
        (" external_id,account_id,entity_id,details.last_four", .unknownColumn, ["\" external_id\""]),
        ("external_id,account_id,entity_id,details.last_four,details.colour", .unknownColumn, ["details.colour"]),
        ("external_id,account_id,details.last_four", .missingColumn, ["\"entity_id\""]),
        ("external_id,entity_id", .missingColumn, ["\"account_id\"", "\"details.last_four\""]),
        ("external_id,account_id,entity_id,details.last_four,external_id", .duplicateColumn, ["\"external_id\"", "column 5"]),
        ("external_id,account_id,entity_id,details.last_four,_x,_x", .duplicateColumn, ["\"_x\"", "column 6"]),
        ("external_id,account_id,entity_id,details.last_four,status", .columnNotSettable, ["\"status\"", "column 5"]),
        ("id,external_id,account_id,entity_id,details.last_four", .columnNotSettable, ["\"id\"", "column 1"]),
        // Every problem in one error, the first one's code.
        ("status,colour,account_id,account_id,created_at", .columnNotSettable,
         ["\"status\"", "\"colour\"", "column 4", "\"created_at\"", "\"external_id\"", "\"entity_id\"", "\"details.last_four\""]),
    ]

    @Test(arguments: headerCases.indices)
    func headerProblem(index: Int) {
        let (header, code, mentions) = Self.headerCases[index]
        for chunkSize in csvChunkSizes {
            let error = fileError { () throws(FileError) in _ = try readUpload("\n" + header + "\nx\n", chunkSize: chunkSize) }
            #expect(error?.code == code, "\(header)")
            #expect(error?.line == 2)
            #expect(error?.offset == 1)
            for word in mentions { #expect(error?.message.contains(word) == true, "\(word) in \(error?.message ?? "")") }
        }
    }

    @Test func allowedColumnSetsPass() throws {
        _ = try readUpload("external_id,account_id,details.last_four\n", options: CSVOptions(hasDefaultEntity: true))
        _ = try readUpload("\(uploadHeader),type,details.replacement_for,metadata.,metadata.a.b,_anything\n")
    }

    @Test func namesAndKeysAreComparedByteForByte() throws {
        // é precomposed and e + combining accent are canonically equivalent (Swift == says equal) but not the same bytes.
        let text = "\(uploadHeader),metadata.caf\u{E9},metadata.cafe\u{301}\ne,a,n,0042,1,2\n"
        let (reader, records) = try readUpload(text)
        #expect(reader.columns.count == 6)
        let metadata = try #require(records.first?.card?.metadata)
        #expect(metadata.map { Array($0.key.utf8) } == [Array("caf\u{E9}".utf8), Array("cafe\u{301}".utf8)])
        // And a byte-identical repeat is a duplicate.
        let error = fileError { () throws(FileError) in
            _ = try readUpload("\(uploadHeader),metadata.cafe\u{301},metadata.cafe\u{301}\n")
        }
        #expect(error?.code == .duplicateColumn)
    }

    @Test(arguments: csvChunkSizes)
    func malformedHeader(chunkSize: Int) {
        let big = String(repeating: "x", count: (1 << 20) + 1)
        let cases: [(bytes: [UInt8], why: String)] = [
            (Array("\"external_id,account_id\n".utf8), "unterminated quote"),
            (Array("external_id,acc".utf8) + [0xFF] + Array("ount_id\n".utf8), "invalid UTF-8"),
            (Array("external_id,acc\0ount_id\n".utf8), "NUL"),
            (Array("external_id,\(big)\n".utf8), "over 1 MiB"),
        ]
        for (bytes, why) in cases where chunkSize >= 64 || bytes.count < 100 {
            let error = fileError { () throws(FileError) in _ = try readUpload(bytes, chunkSize: chunkSize) }
            #expect(error?.code == .malformedHeader, "\(why)")
            #expect(error?.line == 1, "\(why)")
        }
    }

    // MARK: - Row problems

    @Test(arguments: csvChunkSizes)
    func rowProblemsAreRecordsAndTheLoadGoesOn(chunkSize: Int) throws {
        var bytes = Array("\(uploadHeader)\n".utf8)
        bytes += Array("a,4111111111111111,n,0042,extra\n".utf8)  // line 2: too many fields
        bytes += Array("b,4111111111111111\n".utf8)  // line 3: too few
        bytes += Array("c,account_1,4111111111111111,00\u{0}42\n".utf8)  // line 4: NUL
        bytes += Array("d,acc".utf8) + [0xC3, 0x28] + Array("4111111111111111,n,0042\n".utf8)  // line 5: bad UTF-8
        bytes += Array("e,account_1,entity_1,0042\n".utf8)  // line 6: fine
        let (_, records) = try readUpload(bytes, chunkSize: chunkSize)
        #expect(records.map(\.line) == [2, 3, 4, 5, 6])
        let errors = records.map(\.rowError)
        #expect(errors[0]?.message == "record has 5 fields, the header has 4")
        #expect(errors[1]?.message == "record has 2 fields, the header has 4")
        #expect(errors[2]?.message.contains("NUL") == true)
        #expect(errors[3]?.message.contains("UTF-8") == true)
        #expect(errors[3]?.message.contains("account_id") == true)
        for error in errors[0..<4] {
            #expect(error?.code == .malformedRecord)
            #expect(error?.field == nil)
            #expect(error?.message.contains("4111") == false)
        }
        #expect(records[0..<4].allSatisfy { $0.cells == nil })
        #expect(records[4].card?.externalID == .string("e"))
    }

    @Test(arguments: [1 << 16, 1000, 7])
    func recordTooLargeIsSkippedAndTheNextRecordRead(chunkSize: Int) throws {
        let huge = String(repeating: "9", count: 2 << 20)
        // Line 2: a 2 MiB record; line 3: a 2 MiB quoted record spread over two lines; then a good record on line 5.
        let text = "\(uploadHeader)\n\(huge),a,n,0042\n\"\(huge)\n\(huge)\",a,n,0042\ne,account_1,entity_1,0042\n"
        let (_, records) = try readUpload(text, chunkSize: chunkSize)
        #expect(records.map(\.line) == [2, 3, 5])
        #expect(records[0].rowError?.code == .recordTooLarge)
        #expect(records[1].rowError?.code == .recordTooLarge)
        #expect(records[0].rowError?.message == "record is \(huge.utf8.count + 9) bytes, over the limit of 1 MiB (1048576 bytes)")
        #expect(records[0].offset == uploadHeader.utf8.count + 1)
        #expect(records[2].card?.externalID == .string("e"))
        #expect(records[2].cells?.count == 4)
    }

    @Test(arguments: csvChunkSizes)
    func unterminatedQuoteFailsTheFileAfterTheRecordsBeforeIt(chunkSize: Int) throws {
        let text = "\(uploadHeader)\ne,account_1,entity_1,0042\n\n\"f,account_1,entity_1,0042\nmore\n"
        let reader = try CSVRecordReader(source: ArrayChunkSource(text, chunkSize: chunkSize), options: CSVOptions())
        #expect(try reader.next()?.line == 2)
        let error = fileError { () throws(FileError) in _ = try reader.next() }
        #expect(error?.code == .malformedCSV)
        #expect(error?.line == 4)
        #expect(error?.offset == uploadHeader.utf8.count + 1 + 26 + 1)
        #expect(try reader.next() == nil)
    }

    // MARK: - Encodings

    @Test(arguments: csvChunkSizes)
    func latin1IsReadAsWindows1252(chunkSize: Int) throws {
        // WHATWG (every browser): the label latin1 is Windows-1252, so 0x80 is `€`, not a control character.
        let latin1 = try #require(EncodingChoice(name: "latin1"))
        #expect(latin1 == .cp1252)
        let bytes = Array("\(uploadHeader),metadata.caf".utf8) + [0xE9] + Array("\ne,a,n,0042,".utf8) + [0x80, 0x9F, 0xA0, 0xFF, 0x41] + [0x0A]
        let (reader, records) = try readUpload(bytes, options: CSVOptions(encoding: latin1), chunkSize: chunkSize)
        #expect(reader.columns.last == "metadata.caf\u{E9}")
        #expect(records[0].cells?.last == "€Ÿ\u{A0}\u{FF}A")
        #expect(records[0].card?.metadata.first?.key == "caf\u{E9}")
        #expect(reader.encodingInUse == .cp1252)
    }

    @Test(arguments: csvChunkSizes)
    func cp1252MapsTheWindowsTableAndRejectsUndefinedBytes(chunkSize: Int) throws {
        var bytes = Array("\(uploadHeader),metadata.x\n".utf8)
        bytes += Array("e,a,n,0042,".utf8) + [0x80, 0x85, 0x99, 0x9F, 0xE9, 0x0A]
        for undefined: UInt8 in [0x81, 0x8D, 0x8F, 0x90, 0x9D] {
            bytes += Array("e,a,n,0042,x".utf8) + [undefined, 0x0A]
        }
        let (_, records) = try readUpload(bytes, options: CSVOptions(encoding: .cp1252), chunkSize: chunkSize)
        #expect(records.count == 6)
        #expect(records[0].cells?.last == "€…™Ÿé")
        for (record, undefined) in zip(records.dropFirst(), ["81", "8D", "8F", "90", "9D"]) {
            #expect(record.rowError?.code == .malformedRecord)
            #expect(record.rowError?.message.contains("0x\(undefined)") == true)
            #expect(record.rowError?.message.contains("metadata.x") == true)
        }
    }

    // MARK: - Delimiters

    @Test(arguments: csvChunkSizes)
    func sniffedAndGivenDelimiters(chunkSize: Int) throws {
        for delimiter in [";", "|", "\t"] {
            let header = uploadHeader.split(separator: ",").joined(separator: delimiter)
            let text = "\(header)\ne\(delimiter)a,b\(delimiter)n\(delimiter)0042\n"
            let (reader, records) = try readUpload(text, chunkSize: chunkSize)
            #expect(reader.delimiter == UInt8(ascii: Unicode.Scalar(delimiter)!))
            #expect(records.first?.card?.accountID == .string("a,b"))
        }
        // TSV: the pipeline gives tab; a header full of commas does not matter then.
        let tsv = "external_id\taccount_id\tentity_id\tdetails.last_four\tmetadata.a,b,c\ne\ta\tn\t0042\tx,y\n"
        let (reader, records) = try readUpload(tsv, options: CSVOptions(delimiter: 9), chunkSize: chunkSize)
        #expect(reader.delimiter == 9)
        #expect(records.first?.card?.metadata.first?.key == "a,b,c")
    }

    // MARK: - Formula prefix

    @Test(arguments: csvChunkSizes)
    func formulaApostropheIsRemovedOnlyInFilesThisToolWrote(chunkSize: Int) throws {
        let cells = "'=1+2,'+1,'-1,'@SUM,\"'\tx\",\"'\rx\",'a,''=,',x"
        // `''=` is how the writer neutralises a cell that was `'=`: one `'` comes off (a round trip).
        let stripped = ["=1+2", "+1", "-1", "@SUM", "\tx", "\rx", "'a", "'=", "'", "x"]
        let header = "external_id,account_id,entity_id,details.last_four,metadata.a,metadata.b,metadata.c,metadata.d,metadata.e,metadata.f"
        let (_, annotated) = try readUpload("\(header),_errors\n\(cells),'=x\n", chunkSize: chunkSize)
        #expect(annotated[0].cells == stripped + ["=x"])
        #expect(annotated[0].card?.externalID == .string("=1+2"))
        #expect(annotated[0].card?.metadata.map(\.value) == stripped[4...].map { RawValue.string($0) })
        let (_, plain) = try readUpload("\(header)\n\(cells)\n", chunkSize: chunkSize)
        #expect(plain[0].cells == ["'=1+2", "'+1", "'-1", "'@SUM", "'\tx", "'\rx", "'a", "''=", "'", "x"])
        #expect(plain[0].card?.externalID == .string("'=1+2"))
    }

    /// SPEC §6: the writer also neutralises the full-width `＝` `＋` `－` `＠` (three UTF-8 bytes each, split
    /// across chunks here); the reader takes that `'` off too, and only that one.
    @Test(arguments: csvChunkSizes)
    func formulaApostropheBeforeAFullWidthStartIsRemoved(chunkSize: Int) throws {
        let header = "external_id,account_id,entity_id,details.last_four,metadata.a,metadata.b,_errors"
        let (_, annotated) = try readUpload("\(header)\n'＝1+2,'＋1,'－1,'＠SUM,''＝x,'＄5,x\n", chunkSize: chunkSize)
        #expect(annotated[0].cells == ["＝1+2", "＋1", "－1", "＠SUM", "'＝x", "'＄5", "x"])
        let (_, plain) = try readUpload("\(header.dropLast(8))\n'＝1+2,'＋1,'－1,'＠SUM,''＝x,'＄5\n", chunkSize: chunkSize)
        #expect(plain[0].cells == ["'＝1+2", "'＋1", "'－1", "'＠SUM", "''＝x", "'＄5"])
    }

    /// Found by fuzz-rules: the writer neutralises `''=x` as `'''=x`, so one `'` must come off however many
    /// stand before the formula character (the reader used to stop at two, and `''=x` came back as `'=x`).
    /// Since SPEC §6 protects every cell that starts with `'` (`'a` is written `''a`), one comes off before
    /// any run of them, whatever follows; a lone `'` stays.
    @Test(arguments: csvChunkSizes)
    func oneApostropheComesOffBeforeAnyRunOfApostrophes(chunkSize: Int) throws {
        let header = "external_id,account_id,entity_id,details.last_four,_errors"
        let (_, records) = try readUpload("\(header)\n'''=x,''''@y,'''a,''','\n", chunkSize: chunkSize)
        #expect(records[0].cells == ["''=x", "'''@y", "''a", "''", "'"])
    }

    /// Found by fuzz-rules: a record that cannot be split is rebuilt whole for the rejects file's `_raw`,
    /// every `"` doubled. A `"` before a combining mark is one Character with it, and doubling by Characters
    /// missed it: the rebuilt record read back as other fields.
    @Test(arguments: csvChunkSizes)
    func anUnsplittableRecordIsRebuiltWithEveryQuoteDoubled(chunkSize: Int) throws {
        let header = "external_id,account_id,entity_id,details.last_four"
        let (_, records) = try readUpload("\(header)\n\"a\"\"\u{30C}b\",c\n", chunkSize: chunkSize)
        #expect(records[0].source.map { Array($0.utf8) } == Array("\"a\"\"\u{30C}b\",c".utf8))
    }

    /// Found by fuzz-csv: a record of one empty quoted field was rebuilt as nothing (an empty `_raw`).
    @Test(arguments: csvChunkSizes)
    func aRecordOfOneEmptyFieldIsRebuiltAsTwoQuotes(chunkSize: Int) throws {
        let (_, records) = try readUpload("external_id,account_id,entity_id,details.last_four\n\"\"\n", chunkSize: chunkSize)
        #expect(records[0].source == "\"\"")
    }
}

/// Messages from the CSV reader never carry a card number, and stay short whatever the header holds.
@Suite struct CSVMessageSafetyTests {
    @Test func aColumnNameWithACardNumberIsMaskedInARecordError() throws {
        var bytes = Array("external_id,account_id,entity_id,details.last_four,metadata.4111111111111111\ne,account_a,entity_1,0042,".utf8)
        bytes += [0xFF, 0x0A]
        let reader = try CSVRecordReader(source: ArrayChunkSource(bytes), options: CSVOptions())
        let record = try #require(try reader.next())
        guard case .unreadable(let error) = record.content else {
            Issue.record("expected malformed_record")
            return
        }
        #expect(error.code == .malformedRecord)
        #expect(!error.message.contains("4111111111111111"))
        #expect(error.message.contains("metadata.************1111"))
    }

    @Test func aHeaderWithThousandsOfProblemsGivesAShortMessage() {
        let header = Array(repeating: "a", count: 5000).joined(separator: ",") + "\n"
        #expect {
            _ = try CSVRecordReader(source: ArrayChunkSource(header), options: CSVOptions())
        } throws: { error in
            guard let error = error as? FileError else { return false }
            return error.message.count < 5000 && error.message.contains("more")
        }
    }
}
